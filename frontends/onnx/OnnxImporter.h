//===- OnnxImporter.h - ONNX models to icl modules ----------------*- C++ -*-===//
//
// Reads an ONNX ModelProto (opsets up to 17) and builds one function on
// tensors: icl ops where an ONNX op matches one 1:1 (Softmax, Gemm/MatMul on
// a weight, LayerNormalization, Gather on an embedding table), upstream
// linalg/tensor/arith/math ops otherwise. Shape subgraphs (Shape, Gather,
// Concat, ConstantOfShape, ...) are evaluated at import time, so every shape
// is static. The driver (lib/Driver/ModuleLoader) then raises the result in
// the input phase: --icl-raise-fused-ops turns decomposed attention, norms and
// GELU back into icl ops.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_ONNX_ONNXIMPORTER_H
#define ICL_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "lib/Support/HostArray.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>

namespace icl {

struct OnnxImportOptions {
  /// Name of the generated function.
  std::string functionName = "main";
  /// Values of symbolic input dimensions (`dim_param`), e.g. batch=1, seq=128.
  llvm::StringMap<int64_t> dimValues;
  /// Graph inputs fed as import-time constants instead of function arguments
  /// (a shape or an axis that a test passes as an input).
  llvm::StringMap<HostArray> constantInputs;
};

/// Imports the model in `path`. Errors name the node (op type, node name,
/// opset) and what to do about it.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnx(llvm::StringRef path, mlir::MLIRContext &context, const OnnxImportOptions &options = {});

/// Reads a serialized TensorProto (the input_N.pb / output_N.pb files of the
/// ONNX backend tests); `name`, if given, receives the tensor's name.
llvm::Expected<HostArray> readOnnxTensorFile(llvm::StringRef path, std::string *name = nullptr);

/// The op types the importer converts (for tests and error messages).
llvm::ArrayRef<llvm::StringRef> supportedOnnxOps();

} // namespace icl

#endif // ICL_FRONTENDS_ONNX_ONNXIMPORTER_H
