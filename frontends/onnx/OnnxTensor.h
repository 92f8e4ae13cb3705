//===- OnnxTensor.h - TensorProto <-> host arrays ------------------*- C++ -*-===//

#ifndef ICL_FRONTENDS_ONNX_ONNXTENSOR_H
#define ICL_FRONTENDS_ONNX_ONNXTENSOR_H

#include "lib/Support/HostArray.h"

#include "onnx/onnx_pb.h"
#include "llvm/Support/Error.h"

namespace icl {

/// The host dtype of an ONNX TensorProto::DataType, if icl has one.
std::optional<DType> dtypeFromOnnx(int32_t elemType);

/// Parses the file at `path` as `message`, an ONNX `what` ("ModelProto",
/// "TensorProto"). The file is read through readFile (lib/Support/Files.h):
/// only a regular file is read.
llvm::Error parseProtoFile(llvm::StringRef path, google::protobuf::MessageLite &message,
                           llvm::StringRef what);

/// Decodes a TensorProto (raw_data, the typed repeated fields, or external
/// data next to the model in `modelDir`).
llvm::Expected<HostArray> tensorFromProto(const onnx::TensorProto &tensor, llvm::StringRef modelDir);

} // namespace icl

#endif // ICL_FRONTENDS_ONNX_ONNXTENSOR_H
