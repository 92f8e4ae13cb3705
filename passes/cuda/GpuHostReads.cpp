//===- GpuHostReads.cpp - Host reads of single device elements ------------===//
//
// Host code of the GPU target may read a scalar it branches on (a loop's step
// count, a while condition, an assertion's operand, a bad id to report) from
// device memory: each memref.load on the host at indices that no loop variable
// feeds becomes a call of the runtime's icl_cuda_read_scalar, which copies the
// element on the model's stream and waits for it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/RuntimeCalls.h"
#include "passes/cuda/GpuUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::icl {
#define GEN_PASS_DEF_GPUHOSTREADS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using mlir::icl::onDevice;

namespace {

/// The runtime's entry, as runtime/icl_cuda.c declares it.
constexpr llvm::StringLiteral kRead = "icl_cuda_read_scalar";

/// Bytes of an element of `type` in memory (i1 takes a byte, as memrefs
/// store it), or 0 for types this pass does not read (widths other than 1,
/// 8, 16, 32 and 64 bits, whose memory size the data layout rounds).
int64_t elementBytes(Type type) {
  if (isa<IndexType>(type))
    return 8;
  if (!type.isIntOrFloat())
    return 0;
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : llvm::is_contained({8u, 16u, 32u, 64u}, bits) ? bits / 8 : 0;
}

/// True if `value` is computed from the variables of a loop (its induction
/// variable, the values it carries): a load at such indices is a loop over
/// elements, which belongs in a kernel.
bool dependsOnLoop(Value value) {
  SmallVector<Value> work = {value};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (isa<LoopLikeOpInterface>(arg.getOwner()->getParentOp()))
        return true;
      continue;
    }
    llvm::append_range(work, v.getDefiningOp()->getOperands());
  }
  return false;
}

struct GpuHostReads : icl::impl::GpuHostReadsBase<GpuHostReads> {
  void runOnOperation() override {
    SmallVector<memref::LoadOp> loads;
    getOperation().walk([&](memref::LoadOp load) {
      if (!onDevice(load) && !mlir::icl::inHostMemory(load.getMemRef()) &&
          elementBytes(load.getType()) && llvm::none_of(load.getIndices(), dependsOnLoop))
        loads.push_back(load);
    });
    if (loads.empty())
      return;
    // A module pass: it declares the runtime's function in the module.
    ModuleOp module = getOperation();
    OpBuilder top(module.getContext());
    func::FuncOp read = mlir::icl::declareRuntimeFunction(
        module, kRead, top.getFunctionType({top.getI64Type(), top.getI32Type()}, {top.getI64Type()}));
    for (memref::LoadOp load : loads) {
      OpBuilder b(load);
      Location loc = load.getLoc();
      Type i64 = b.getI64Type(), type = load.getType();
      int64_t bytes = elementBytes(type);
      auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, load.getMemRef());
      // The element's position in elements from the aligned pointer.
      Value position = metadata.getOffset();
      for (auto [index, stride] : llvm::zip_equal(load.getIndices(), metadata.getStrides()))
        position = arith::AddIOp::create(b, loc, position, arith::MulIOp::create(b, loc, index, stride));
      Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, load.getMemRef());
      Value address = arith::AddIOp::create(
          b, loc, pointer,
          arith::MulIOp::create(b, loc, position, arith::ConstantIndexOp::create(b, loc, bytes)));
      Value bits = func::CallOp::create(
                       b, loc, read,
                       ValueRange{arith::IndexCastUIOp::create(b, loc, i64, address),
                                  arith::ConstantIntOp::create(b, loc, bytes, 32)})
                       .getResult(0);
      // The low bytes hold the element.
      Value value;
      if (isa<IndexType>(type)) {
        value = arith::IndexCastOp::create(b, loc, type, bits);
      } else {
        unsigned width = type.getIntOrFloatBitWidth();
        Type integer = b.getIntegerType(width);
        value = width == 64 ? bits : arith::TruncIOp::create(b, loc, integer, bits).getResult();
        if (isa<FloatType>(type))
          value = arith::BitcastOp::create(b, loc, type, value);
      }
      load.replaceAllUsesWith(value);
      load.erase();
    }
  }
};

} // namespace
