//===- Lowering.cpp - Lowering steps both targets share -------------------===//
//
// From the decomposed phase, x86 and CUDA start alike: linalg prepared and
// fused, then one-shot bufferization (passes/x86/X86Pipeline.cpp,
// passes/cuda/CudaPipeline.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

/// Marks the tensor arguments of public functions read-only for one-shot
/// bufferization (`bufferization.writable = false`). Otherwise an argument's
/// buffer is writable and bufferization may compute in place into it (a
/// recurrence's initial state becoming its final state, a dead input
/// reused for a result): a model library or JIT call would overwrite the
/// caller's inputs. Where a result needs an input's memory, it now copies.
struct ReadOnlyArguments : PassWrapper<ReadOnlyArguments, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ReadOnlyArguments)
  StringRef getArgument() const override { return "icl-read-only-arguments"; }
  StringRef getDescription() const override {
    return "Forbid one-shot bufferization to write into public functions' arguments";
  }
  void runOnOperation() override {
    auto readOnly = BoolAttr::get(&getContext(), false);
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!fn.isPublic() || fn.isExternal())
        continue;
      for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
        if (isa<TensorType>(type))
          fn.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName, readOnly);
    }
  }
};

} // namespace

void mlir::icl::addLinalgPreparationPasses(OpPassManager &pm, bool fusion) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createFoldConstantTransposes());
  // Elementwise arith/math on tensors (residual adds, ...) become linalg too.
  funcPm.addPass(createConvertElementwiseToLinalgPass());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  if (fusion)
    pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
}

void mlir::icl::addBufferizationPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(std::make_unique<ReadOnlyArguments>());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Tiled loops on tensors bufferize to copies of a subview onto an equal
  // subview; merged, they fold away as self-copies.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createUniqueReturnBuffers());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
}
