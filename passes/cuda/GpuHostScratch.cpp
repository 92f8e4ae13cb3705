//===- GpuHostScratch.cpp - Host scratch arrays on the host stack ---------===//
//
// Lowered deallocations (bufferization-lower-deallocations) keep the
// pointers and ownership flags of the buffers they may free in small arrays
// that only host code reads and writes, through a private helper function.
// On the GPU target every memref.alloc is device memory, so these arrays
// become stack allocations at the function's entry and the helper is marked
// as taking host buffers.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/cuda/GpuUtils.h"

namespace mlir::icl {
#define GEN_PASS_DEF_GPUHOSTSCRATCH
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using mlir::icl::inHostMemory;
using mlir::icl::onDevice;

namespace {

/// A private function of host code that launches nothing.
bool isHostHelper(SymbolTable &symbols, func::CallOp call) {
  auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
  if (!callee || !callee.isPrivate() || callee.isExternal())
    return false;
  return !callee
              .walk([](Operation *op) {
                return isa<gpu::LaunchOp, gpu::LaunchFuncOp>(op) ? WalkResult::interrupt()
                                                                 : WalkResult::advance();
              })
              .wasInterrupted();
}

/// True if `value` (a buffer or a cast of it) is only read, written, freed or
/// handed to host helpers by host code.
bool onlyHostUses(SymbolTable &symbols, Value value) {
  return llvm::all_of(value.getUsers(), [&](Operation *user) {
    if (onDevice(user))
      return false;
    if (isa<memref::LoadOp, memref::StoreOp, memref::DeallocOp>(user))
      return true;
    if (auto cast = dyn_cast<memref::CastOp>(user))
      return onlyHostUses(symbols, cast.getResult());
    if (auto call = dyn_cast<func::CallOp>(user))
      return isHostHelper(symbols, call);
    return false;
  });
}

struct GpuHostScratch : icl::impl::GpuHostScratchBase<GpuHostScratch> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<memref::AllocOp> scratch;
      func.walk([&](memref::AllocOp alloc) {
        if (!onDevice(alloc) && alloc.getType().hasStaticShape() &&
            onlyHostUses(symbols, alloc.getResult()))
          scratch.push_back(alloc);
      });
      // Allocated once, at the entry: each use writes the array before it
      // reads it.
      OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
      for (memref::AllocOp alloc : scratch) {
        auto stack = memref::AllocaOp::create(b, alloc.getLoc(), alloc.getType(),
                                              alloc.getAlignmentAttr());
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            user->erase();
        alloc.replaceAllUsesWith(stack.getResult());
        alloc.erase();
      }
    }
    // Helpers every call of which passes host buffers take host buffers.
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPrivate() || func.isExternal() ||
          llvm::none_of(func.getArgumentTypes(), llvm::IsaPred<BaseMemRefType>))
        continue;
      std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(func, module);
      bool host = uses && !uses->empty() && llvm::all_of(*uses, [](const SymbolTable::SymbolUse &use) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        return call && llvm::all_of(call.getOperands(), [](Value v) {
                 return !isa<BaseMemRefType>(v.getType()) || inHostMemory(v);
               });
      });
      if (host)
        func->setAttr(mlir::icl::kHostBuffers, UnitAttr::get(&getContext()));
    }
  }
};

} // namespace
