//===- GpuUtils.h - Helpers of the GPU passes -------------------*- C++ -*-===//

#ifndef ICL_PASSES_CUDA_GPUUTILS_H
#define ICL_PASSES_CUDA_GPUUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::icl {

/// True for ops that run on the device once the pipeline is done.
inline bool onDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() || op->getParentOfType<gpu::GPUModuleOp>();
}

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_GPUUTILS_H
