//===- ModuleLoader.h - Load any model format as an icl module ---*- C++ -*-===//

#ifndef ICL_LIB_DRIVER_MODULELOADER_H
#define ICL_LIB_DRIVER_MODULELOADER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace icl {

/// Registers the dialects an icl model may contain (icl, func, arith, math,
/// tensor, linalg) with `registry`.
void registerModelDialects(mlir::DialectRegistry &registry);

/// Static shapes of a model imported from a checkpoint, whose files do not
/// fix them (shapes are static in icl). seqLen 0 picks the importer's default.
struct ImportShapes {
  int64_t batch = 1;
  int64_t seqLen = 0;
};

/// True when loadModule imports `path` (a Hugging Face model directory)
/// rather than parsing it as MLIR.
bool isCheckpoint(llvm::StringRef path);

/// Parses and verifies the module in `path` ("-" for stdin) with the model
/// dialects loaded; a Hugging Face model directory (config.json +
/// safetensors) is imported instead, with `shapes`, and an .onnx model is
/// imported and raised (icl-raise-fused-ops). Diagnostics go to stderr
/// with file:line:col; returns null on any error.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(llvm::StringRef path, mlir::MLIRContext &context,
                                             const ImportShapes &shapes = {});

/// Same for IR held in memory, `bufferName` naming it in diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> parseModule(llvm::StringRef source, llvm::StringRef bufferName,
                                              mlir::MLIRContext &context);

/// The function `name`, or the single public function when `name` is empty.
llvm::Expected<mlir::func::FuncOp> findEntryFunction(mlir::ModuleOp module, llvm::StringRef name);

} // namespace icl

#endif // ICL_LIB_DRIVER_MODULELOADER_H
