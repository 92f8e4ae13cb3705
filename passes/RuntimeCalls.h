//===- RuntimeCalls.h - Calls of the icl runtime from compiled code -*- C++ -*-===//
//
// Passes that make compiled code report to, or ask, the runtime
// (icl-check-indices, icl-report-assertions, icl-gpu-host-reads) declare the
// runtime's C functions with these helpers.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_RUNTIMECALLS_H
#define ICL_PASSES_RUNTIMECALLS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::icl {

/// The private declaration of the runtime's C function `name` in `module`,
/// added at the top the first time.
inline func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name, FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto function = func::FuncOp::create(b, module.getLoc(), name, type);
  function.setPrivate();
  return function;
}

/// `file:line:col` of `loc` for messages, else the name a frontend gave it
/// ("step count K"), else "".
inline std::string sourcePosition(Location loc) {
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    return file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
  if (auto name = loc->findInstanceOf<NameLoc>())
    return "\"" + name.getName().str() + "\"";
  return "";
}

} // namespace mlir::icl

#endif // ICL_PASSES_RUNTIMECALLS_H
