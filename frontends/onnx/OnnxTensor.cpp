//===- OnnxTensor.cpp - TensorProto <-> host arrays -----------------------===//

#include "frontends/onnx/OnnxTensor.h"
#include "frontends/onnx/OnnxImporter.h"
#include "lib/Support/Files.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <limits>

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

/// The bytes of a tensor stored outside the model. The location must stay
/// inside the model's directory, as ONNX's checker requires: a relative path
/// without '..' that does not lead out through a symbolic link.
static llvm::Expected<std::vector<uint8_t>> readExternal(const onnx::TensorProto &t,
                                                         llvm::StringRef modelDir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &e : t.external_data()) {
    if (e.key() == "location") {
      location = e.value();
      continue;
    }
    if (e.key() != "offset" && e.key() != "length")
      continue;
    int64_t value;
    if (llvm::StringRef(e.value()).getAsInteger(10, value) || value < 0)
      return llvm::createStringError("external data of tensor '%s' has %s '%s'; it must be a "
                                     "non-negative integer",
                                     t.name().c_str(), e.key().c_str(), e.value().c_str());
    (e.key() == "offset" ? offset : length) = value;
  }
  auto outside = [&](llvm::StringRef why) {
    return llvm::createStringError("external data location '%s' of tensor '%s' %s: it must be a "
                                   "relative path inside the model's directory",
                                   location.c_str(), t.name().c_str(), why.str().c_str());
  };
  if (location.empty())
    return llvm::createStringError("tensor '%s' is stored externally but names no location",
                                   t.name().c_str());
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return outside("is absolute");
  for (llvm::StringRef part : llvm::make_range(llvm::sys::path::begin(location),
                                                llvm::sys::path::end(location)))
    if (part == "..")
      return outside("leaves the directory through '..'");
  llvm::StringRef dir = modelDir.empty() ? "." : modelDir;
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, location);
  llvm::SmallString<256> realDir, realPath;
  if (!llvm::sys::fs::real_path(dir, realDir) &&
      !llvm::sys::fs::real_path(path, realPath) &&
      !llvm::StringRef(realPath).starts_with((realDir + llvm::sys::path::get_separator()).str()))
    return outside("leads out of it through a symbolic link");
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      readFile(path, /*nullTerminated=*/false);
  if (!buffer)
    return llvm::createStringError("external data of tensor '%s': %s", t.name().c_str(),
                                   llvm::toString(buffer.takeError()).c_str());
  llvm::StringRef data = (*buffer)->getBuffer();
  int64_t size = static_cast<int64_t>(data.size());
  if (offset > size || (length >= 0 && length > size - offset))
    return llvm::createStringError("external data of tensor '%s' (offset %lld, length %lld) "
                                   "lies beyond the end of %s (%lld bytes)",
                                   t.name().c_str(), static_cast<long long>(offset),
                                   static_cast<long long>(length), path.c_str(),
                                   static_cast<long long>(size));
  if (length < 0)
    length = size - offset;
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

llvm::Error parseProtoFile(llvm::StringRef path, google::protobuf::MessageLite &message,
                           llvm::StringRef what) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      readFile(path, /*nullTerminated=*/false);
  if (!buffer)
    return buffer.takeError();
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return llvm::createStringError("%s is larger than protobuf's 2 GiB limit: store the "
                                   "weights as external data",
                                   path.str().c_str());
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return llvm::createStringError("%s is not an ONNX %s (it does not parse as one)",
                                   path.str().c_str(), what.str().c_str());
  return llvm::Error::success();
}

llvm::Expected<HostArray> readOnnxTensorFile(llvm::StringRef path, std::string *name) {
  onnx::TensorProto tensor;
  if (llvm::Error err = parseProtoFile(path, tensor, "TensorProto"))
    return std::move(err);
  if (name)
    *name = tensor.name();
  return tensorFromProto(tensor, llvm::sys::path::parent_path(path));
}

} // namespace icl
