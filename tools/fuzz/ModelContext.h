//===- ModelContext.h - The MLIR context of the model readers' targets -*- C++ -*-===//

#ifndef ICL_TOOLS_FUZZ_MODELCONTEXT_H
#define ICL_TOOLS_FUZZ_MODELCONTEXT_H

#include "lib/Driver/ModuleLoader.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace icl::fuzz {

/// A context with the dialects a model may use, as the tools load them,
/// whose diagnostics are dropped: a module that fails to verify is expected
/// output of a fuzz run, not a finding.
struct ModelContext {
  mlir::MLIRContext context;
  mlir::ScopedDiagnosticHandler quiet{&context,
                                      [](mlir::Diagnostic &) { return mlir::success(); }};

  ModelContext() {
    context.printOpOnDiagnostic(false);
    mlir::DialectRegistry registry;
    registerModelDialects(registry);
    context.appendDialectRegistry(registry);
  }
};

} // namespace icl::fuzz

#endif // ICL_TOOLS_FUZZ_MODELCONTEXT_H
