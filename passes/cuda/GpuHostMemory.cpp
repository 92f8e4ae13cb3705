//===- GpuHostMemory.cpp - Host code must not touch device buffers --------===//

#include "passes/Passes.h"
#include "passes/cuda/GpuUtils.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"


namespace mlir::icl {
#define GEN_PASS_DEF_GPUHOSTMEMORY
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using mlir::icl::onDevice;

namespace {

/// True if `op` reads or writes elements of device buffers (which host code
/// cannot do on the GPU target): an op whose memory effects read or write a
/// memref that is not host memory (mlir::icl::inHostMemory).
bool touchesElements(Operation *op) {
  if (isa<gpu::LaunchFuncOp, gpu::LaunchOp>(op))
    return false;
  auto memory = dyn_cast<MemoryEffectOpInterface>(op);
  if (!memory)
    return isa<linalg::LinalgOp>(op);
  SmallVector<MemoryEffects::EffectInstance> effects;
  memory.getEffects(effects);
  return llvm::any_of(effects, [](const MemoryEffects::EffectInstance &effect) {
    Value value = effect.getValue();
    return isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect()) && value &&
           isa<BaseMemRefType>(value.getType()) && !mlir::icl::inHostMemory(value);
  });
}

struct GpuHostMemory : icl::impl::GpuHostMemoryBase<GpuHostMemory> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!onDevice(op) && !isa<gpu::LaunchOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (touchesElements(op)) {
        op->emitError() << "'" << op->getName()
                        << "' would access device memory from the host: icl cannot run "
                           "this computation on the GPU yet (compile with --target=x86)";
        return signalPassFailure();
      }
    }
  }
};

} // namespace
