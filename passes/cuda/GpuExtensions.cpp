//===- GpuExtensions.cpp - What icl's GPU lowering needs of upstream ops --===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {

/// gpu.launch_func reads and writes its memref operands, and (once lowered to
/// pointers) memory in general: it is never dead. Launches of icl's attention
/// kernels exist before bufferization; buffer deallocation needs to know what
/// they do with their buffers.
struct LaunchFuncEffects
    : MemoryEffectOpInterface::ExternalModel<LaunchFuncEffects, gpu::LaunchFuncOp> {
  void getEffects(Operation *op,
                  SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects)
      const {
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<MemRefType>(operand.get().getType()))
        continue;
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    }
    effects.emplace_back(MemoryEffects::Read::get(), SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), SideEffects::DefaultResource::get());
  }
};

} // namespace

void mlir::icl::registerGpuExtensions(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    gpu::LaunchFuncOp::attachInterface<LaunchFuncEffects>(*ctx);
  });
}
