//===- Pipelines.cpp - Registration of icl passes and pipelines -----------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"

void mlir::icl::registerIclPassesAndPipelines() {
  registerIclPasses();
  PassPipelineRegistration<X86PipelineOptions>(
      "icl-x86-pipeline",
      "Lower icl to the LLVM dialect for x86-64 (decompose, fuse, bufferize, convert)",
      buildX86Pipeline);
  PassPipelineRegistration<CudaPipelineOptions>(
      "icl-cuda-pipeline",
      "Lower icl to the LLVM dialect with PTX kernels for NVIDIA GPUs (fused attention, "
      "decompose, bufferize, map loops to blocks and threads, NVVM, gpu-module-to-binary)",
      buildCudaPipeline);
}
