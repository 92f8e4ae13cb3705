//===- MemrefCopyToLinalg.cpp - Buffer clean-ups before lowering ----------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::icl {
#define GEN_PASS_DEF_MEMREFCOPYTOLINALG
#define GEN_PASS_DEF_UNIQUERETURNBUFFERS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {
struct MemrefCopyToLinalgPass
    : public mlir::icl::impl::MemrefCopyToLinalgBase<MemrefCopyToLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    });
  }
};

struct UniqueReturnBuffersPass
    : public mlir::icl::impl::UniqueReturnBuffersBase<UniqueReturnBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 4> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type || seen.insert(operand.get()).second)
          continue;
        SmallVector<Value> dynamicSizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            dynamicSizes.push_back(memref::DimOp::create(b, ret.getLoc(), operand.get(), d));
        Value copy = memref::AllocOp::create(
            b, ret.getLoc(), MemRefType::get(type.getShape(), type.getElementType()), dynamicSizes);
        memref::CopyOp::create(b, ret.getLoc(), operand.get(), copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace
