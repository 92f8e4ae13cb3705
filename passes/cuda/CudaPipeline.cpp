//===- CudaPipeline.cpp - icl -> PTX for NVIDIA GPUs ----------------------===//

#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

std::string mlir::icl::nvvmToolkitStub() {
  static std::once_flag once;
  static std::string root;
  std::call_once(once, [] {
    SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("icl-nvvm", dir))
      return;
    SmallString<128> lib(dir);
    llvm::sys::path::append(lib, "nvvm", "libdevice");
    if (llvm::sys::fs::create_directories(lib))
      return;
    llvm::sys::path::append(lib, "libdevice.10.bc");
    llvm::LLVMContext context;
    llvm::Module empty("libdevice", context);
    empty.setTargetTriple(llvm::Triple("nvptx64-nvidia-cuda"));
    empty.setDataLayout("e-p6:32:32-i64:64-i128:128-i256:256-v16:16-v32:32-n16:32:64");
    std::error_code ec;
    llvm::raw_fd_ostream os(lib, ec);
    if (ec)
      return;
    llvm::WriteBitcodeToFile(empty, os);
    root = std::string(dir);
  });
  return root;
}

void mlir::icl::addCudaLowering(OpPassManager &pm, const CudaOptions &options) {
  addLinalgPreparationPasses(pm, options.fusion);
  // Bufferization as for x86: results become out-parameters, which the
  // runtime passes as device buffers.
  addBufferizationPasses(pm);
  pm.addPass(createCanonicalizerPass());

  // Every linalg op becomes a kernel of blocks × threads, one output element
  // a thread. No canonicalization until the loops are kernels: it would
  // inline single-iteration loops into host code.
  pm.addNestedPass<func::FuncOp>(createMemrefCopyToLinalg());
  GpuMapLoopsOptions map;
  map.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createGpuMapLoops(map));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuHostScratch());
  pm.addPass(createGpuHostReads());
  pm.addNestedPass<func::FuncOp>(createGpuHostMemory());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createGpuMergeModules());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Kernels: math without libdevice, then NVVM.
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // The templates hold bodies for every head dimension: drop the others.
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createGpuPrepareKernels());
  kernels.addPass(createConvertVectorToSCFPass());
  kernels.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVGPUToNVVMPass());
  OpPassManager &nvvm = pm.nest<gpu::GPUModuleOp>();
  nvvm.addPass(memref::createExpandStridedMetadataPass());
  nvvm.addPass(createLowerAffinePass());
  nvvm.addPass(createConvertGpuOpsToNVVMOps());
  nvvm.addPass(createCanonicalizerPass());
  nvvm.addPass(createCSEPass());
  nvvm.addPass(createReconcileUnrealizedCastsPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));

  // Host: calls into the GPU runtime ABI.
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // memref.alloc on the host allocates device memory (runtime/icl_cuda.c
  // defines the generic allocation functions over its pool). Before
  // gpu-to-llvm, whose own memref patterns would call malloc.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLlvm;
  memrefToLlvm.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLlvm));
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createGpuResidentGlobals());
  pm.addPass(createCanonicalizerPass());

  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = nvvmToolkitStub();
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
