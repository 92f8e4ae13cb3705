//===- GpuUtils.h - Helpers of the GPU passes -------------------*- C++ -*-===//

#ifndef ICL_PASSES_CUDA_GPUUTILS_H
#define ICL_PASSES_CUDA_GPUUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::icl {

/// True for ops that run on the device once the pipeline is done.
inline bool onDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() || op->getParentOfType<gpu::GPUModuleOp>();
}

/// The buffer `memref` is a view of (through casts, subviews and reshapes).
inline Value rootBuffer(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (!isa<memref::CastOp, memref::SubViewOp, memref::ReinterpretCastOp, memref::ExpandShapeOp,
             memref::CollapseShapeOp>(def))
      break;
    memref = def->getOperand(0);
  }
  return memref;
}

/// The attribute icl-gpu-host-scratch puts on functions whose buffer
/// arguments are host memory at every call.
inline constexpr llvm::StringLiteral kHostBuffers = "icl.host_buffers";

/// True for buffers in host memory on the GPU target: stack allocations, and
/// the arguments of functions marked kHostBuffers. Every other buffer of host
/// code is device memory.
inline bool inHostMemory(Value memref) {
  Value root = rootBuffer(memref);
  if (root.getDefiningOp<memref::AllocaOp>())
    return true;
  auto arg = dyn_cast<BlockArgument>(root);
  Operation *owner = arg ? arg.getOwner()->getParentOp() : nullptr;
  return owner && isa<FunctionOpInterface>(owner) && owner->hasAttr(kHostBuffers);
}

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_GPUUTILS_H
