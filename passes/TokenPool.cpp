//===- TokenPool.cpp - Segment pooling as a token mixer -------------------===//
//
// PoNet-style mixing: in chosen layers, each token's attention output is
// replaced by the pooled values of its segment of S consecutive tokens,
// broadcast back to the segment (icl.token_pool + icl.token_unpool), which
// costs O(T·D) instead of O(T²·D).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/icl/IR/LinalgBuilder.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::icl {
#define GEN_PASS_DEF_TOKENPOOL
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct TokenPoolPass : public mlir::icl::impl::TokenPoolBase<TokenPoolPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<ir::PoolKind> kindValue = ir::symbolizePoolKind(kind);
    if (!kindValue || segment < 1) {
      getOperation().emitError("icl-token-pool: needs kind=mean|max and segment >= 1");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    WalkResult walk = getOperation().walk([&](func::FuncOp func) {
      SmallVector<ir::AttentionOp> attentions(func.getOps<ir::AttentionOp>());
      for (auto [layer, op] : llvm::enumerate(attentions)) {
        if (!llvm::is_contained(layers, static_cast<int64_t>(layer)))
          continue;
        auto v = cast<RankedTensorType>(op.getValue().getType());
        auto q = cast<RankedTensorType>(op.getQuery().getType());
        if (!v.hasStaticShape() || v.getDimSize(1) != q.getDimSize(1) ||
            v.getDimSize(2) != q.getDimSize(2)) {
          op.emitOpError("icl-token-pool needs static [B, H, T, D] values with as many heads "
                         "and tokens as the queries");
          return WalkResult::interrupt();
        }
        if (op.getMaskKind() != ir::MaskKind::none) {
          op.emitOpError("is masked; pooling a segment would mix in tokens the mask hides");
          return WalkResult::interrupt();
        }
        Location loc = op.getLoc();
        rewriter.setInsertionPoint(op);
        ir::detail::Emitter e(rewriter, loc);
        Value tokens = e.mergeHeads(op.getValue());
        Value pooled = ir::TokenPoolOp::create(rewriter, loc, tokens,
                                               static_cast<uint64_t>(segment), *kindValue);
        Value mixed = ir::TokenUnpoolOp::create(rewriter, loc, pooled,
                                                static_cast<uint64_t>(segment),
                                                static_cast<uint64_t>(v.getDimSize(2)));
        rewriter.replaceOp(op, e.splitHeads(mixed, v.getDimSize(1)));
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
