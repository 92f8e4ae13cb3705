//===- fuzz-mlir.cpp - The icl IR reader under libFuzzer ------------------===//
//
// The input is a .mlir module as `icl-compile`, `icl-run` and `icl-opt`
// read it (parseModule: the guards in front of MLIR's parser, the parser,
// the verifiers of icl's ops and of the upstream dialects a model may use),
// then the checks every tool runs before compiling or evaluating it
// (checkShapes, checkCallGraph). Seeds: the modules of test/.
//
//===----------------------------------------------------------------------===//

#include "lib/Driver/ModuleLoader.h"
#include "lib/Reference/Evaluator.h"
#include "tools/fuzz/FuzzSupport.h"
#include "tools/fuzz/ModelContext.h"

#include "mlir/IR/BuiltinOps.h"

using namespace icl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz::ModelContext model;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      parseModule(fuzz::asText(data, size), "fuzz.mlir", model.context);
  if (!module)
    return 0;
  if (llvm::Error err = ref::checkShapes(*module))
    fuzz::expectMessage(std::move(err));
  else if (llvm::Error err = ref::checkCallGraph(*module))
    fuzz::expectMessage(std::move(err));
  return 0;
}
