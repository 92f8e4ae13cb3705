//===- X86Pipeline.cpp - icl -> LLVM dialect for x86-64 -------------------===//

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Transform/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::icl::addX86Lowering(OpPassManager &pm, const X86Options &options) {
  addLinalgPreparationPasses(pm, options.fusion);
  if (options.vectorize && !options.schedule.empty()) {
    // The schedule takes the place of icl's tiling; the driver registers the
    // transform ops of every dialect to parse it.
    transform::PreloadLibraryPassOptions library;
    library.transformLibraryPaths.push_back(options.schedule);
    pm.addPass(transform::createPreloadLibraryPass(library));
    pm.addPass(transform::createInterpreterPass());
    pm.addPass(createCanonicalizerPass());
  } else if (options.vectorize) {
    if (options.fusion) {
      TileAndFuseOptions fuse;
      fuse.tileBytes = options.tileBytes;
      fuse.maxRows = options.maxRows;
      pm.addNestedPass<func::FuncOp>(createTileAndFuse(fuse));
    }
    pm.addPass(createOutlineKernels());
    pm.addPass(func::createDuplicateFunctionEliminationPass());
    TileAndVectorizeOptions tiles;
    tiles.vectorWidth = options.vectorWidth;
    tiles.registerRows = options.registerRows;
    tiles.reductionTile = options.reductionTile;
    tiles.threads = options.threads;
    pm.addNestedPass<func::FuncOp>(createTileAndVectorize(tiles));
    pm.addPass(createCanonicalizerPass());
  }

  addBufferizationPasses(pm);

  // scf.forall chunks run on OpenMP threads.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the memref.alloca_scope bodies the OpenMP conversion wraps loops
  // in (they hold no allocas), which control-flow lowering cannot enter.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createMemrefCopyToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass());
  // Unrolled transfers need no stack buffers (allocas inside loops).
  pm.addPass(createConvertVectorToSCFPass(VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Intrinsics first; what LLVM has no intrinsic for (erf, ...) calls libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // Contractions become chains of FMAs on rows held in registers.
  ConvertVectorToLLVMPassOptions toLlvm;
  toLlvm.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  toLlvm.vectorTransposeLowering = vector::VectorTransposeLowering::Shuffle1D;
  pm.addPass(createConvertVectorToLLVMPass(toLlvm));
  // Buffers come from the workspace allocator (runtime/icl_workspace.c),
  // which keeps freed blocks for the next call.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLlvm;
  memrefToLlvm.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLlvm));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
