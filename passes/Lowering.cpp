//===- Lowering.cpp - Lowering steps both targets share -------------------===//
//
// From the decomposed phase, x86 and CUDA start alike: linalg prepared and
// fused, then one-shot bufferization (passes/x86/X86Pipeline.cpp,
// passes/cuda/CudaPipeline.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

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
