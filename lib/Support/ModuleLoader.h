//===- ModuleLoader.h - Parse icl modules for the tools ----------*- C++ -*-===//

#ifndef ICL_LIB_SUPPORT_MODULELOADER_H
#define ICL_LIB_SUPPORT_MODULELOADER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace icl {

/// Registers the dialects an icl model may contain (icl, func, arith, math,
/// tensor, linalg) with `registry`.
void registerModelDialects(mlir::DialectRegistry &registry);

/// Parses and verifies the module in `path` ("-" for stdin) with the model
/// dialects loaded. Diagnostics go to stderr with file:line:col; returns null
/// on any error.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(llvm::StringRef path, mlir::MLIRContext &context);

/// Same for IR held in memory, `bufferName` naming it in diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> parseModule(llvm::StringRef source, llvm::StringRef bufferName,
                                              mlir::MLIRContext &context);

/// The function `name`, or the single public function when `name` is empty.
llvm::Expected<mlir::func::FuncOp> findEntryFunction(mlir::ModuleOp module, llvm::StringRef name);

} // namespace icl

#endif // ICL_LIB_SUPPORT_MODULELOADER_H
