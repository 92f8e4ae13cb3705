//===- OnnxTensor.cpp - TensorProto <-> host arrays -----------------------===//

#include "frontends/onnx/OnnxTensor.h"
#include "frontends/onnx/OnnxImporter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <fstream>

namespace icl {

std::optional<DType> dtypeFromOnnx(int32_t elemType) {
  switch (elemType) {
  case onnx::TensorProto::FLOAT: return DType::F32;
  case onnx::TensorProto::DOUBLE: return DType::F64;
  case onnx::TensorProto::FLOAT16: return DType::F16;
  case onnx::TensorProto::BFLOAT16: return DType::BF16;
  case onnx::TensorProto::INT8: return DType::I8;
  case onnx::TensorProto::INT16: return DType::I16;
  case onnx::TensorProto::INT32: return DType::I32;
  case onnx::TensorProto::INT64: return DType::I64;
  case onnx::TensorProto::UINT8: return DType::U8;
  case onnx::TensorProto::BOOL: return DType::Bool;
  default: return std::nullopt;
  }
}

/// Copies `n` elements of the repeated field `values` into little-endian
/// storage of `eltBytes` bytes each (ONNX stores narrow types widened).
template <typename Field>
static std::vector<uint8_t> packField(const Field &values, int64_t eltBytes) {
  std::vector<uint8_t> bytes(values.size() * eltBytes);
  for (int i = 0; i < values.size(); ++i) {
    auto v = values.Get(i);
    std::memcpy(bytes.data() + i * eltBytes, &v, eltBytes);
  }
  return bytes;
}

static llvm::Expected<std::vector<uint8_t>> readExternal(const onnx::TensorProto &t,
                                                         llvm::StringRef modelDir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &e : t.external_data()) {
    if (e.key() == "location")
      location = e.value();
    else if (e.key() == "offset")
      offset = std::stoll(e.value());
    else if (e.key() == "length")
      length = std::stoll(e.value());
  }
  llvm::SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read external data '%s' of tensor '%s'",
                                   path.c_str(), t.name().c_str());
  llvm::StringRef data = (*buffer)->getBuffer();
  if (length < 0)
    length = static_cast<int64_t>(data.size()) - offset;
  if (offset < 0 || offset + length > static_cast<int64_t>(data.size()))
    return llvm::createStringError("external data of tensor '%s' lies beyond the end of %s",
                                   t.name().c_str(), path.c_str());
  return std::vector<uint8_t>(data.begin() + offset, data.begin() + offset + length);
}

llvm::Expected<HostArray> tensorFromProto(const onnx::TensorProto &t, llvm::StringRef modelDir) {
  std::optional<DType> dtype = dtypeFromOnnx(t.data_type());
  if (!dtype)
    return llvm::createStringError(
        "tensor '%s' has ONNX data type %d, which icl does not support (supported: float, "
        "double, float16, bfloat16, int8/16/32/64, uint8, bool)",
        t.name().c_str(), t.data_type());
  HostArray array;
  array.dtype = *dtype;
  array.shape.assign(t.dims().begin(), t.dims().end());
  int64_t eltBytes = dtypeSize(*dtype);
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    llvm::Expected<std::vector<uint8_t>> bytes = readExternal(t, modelDir);
    if (!bytes)
      return bytes.takeError();
    array.bytes = std::move(*bytes);
  } else if (t.has_raw_data()) {
    array.bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: array.bytes = packField(t.float_data(), 4); break;
    case onnx::TensorProto::DOUBLE: array.bytes = packField(t.double_data(), 8); break;
    case onnx::TensorProto::INT64: array.bytes = packField(t.int64_data(), 8); break;
    default: array.bytes = packField(t.int32_data(), eltBytes); break;
    }
  }
  if (llvm::Error err = array.verify())
    return llvm::createStringError("tensor '%s': %s", t.name().c_str(),
                                   llvm::toString(std::move(err)).c_str());
  return array;
}

llvm::Expected<HostArray> readOnnxTensorFile(llvm::StringRef path, std::string *name) {
  std::ifstream in(path.str(), std::ios::binary);
  onnx::TensorProto tensor;
  if (!in || !tensor.ParseFromIstream(&in))
    return llvm::createStringError("cannot read an ONNX TensorProto from %s", path.str().c_str());
  if (name)
    *name = tensor.name();
  return tensorFromProto(tensor, llvm::sys::path::parent_path(path));
}

} // namespace icl
