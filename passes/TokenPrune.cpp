//===- TokenPrune.cpp - Keep the tokens that receive the most attention ---===//
//
// At chosen blocks, after the attention residual, only the k tokens that
// the block's attention attended to most (its probabilities summed over
// heads and queries) continue; the others are dropped or fused into one
// extra token (icl.token_prune).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/icl/IR/LinalgBuilder.h"
#include "passes/TokenCount.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <cmath>
#include <limits>

namespace mlir::icl {
#define GEN_PASS_DEF_TOKENPRUNE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using namespace mlir::icl::detail;
namespace ir = mlir::icl;

namespace {

/// x [A..., M, N] -> [prod(A...), M, N] or back: batch_matmul's layout.
Value reshape(OpBuilder &b, Location l, Value x, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(x.getType());
  auto to = RankedTensorType::get(shape, type.getElementType());
  std::optional<SmallVector<ReassociationIndices>> reassoc =
      getReassociationIndicesForReshape(type, to);
  assert(reassoc && "shapes are collapses or expansions of each other");
  if (to.getRank() < type.getRank())
    return tensor::CollapseShapeOp::create(b, l, to, x, *reassoc);
  return tensor::ExpandShapeOp::create(b, l, to, x, *reassoc);
}

Value batchMatmul(OpBuilder &b, Location l, Value lhs, Value rhs) {
  auto lt = cast<RankedTensorType>(lhs.getType()), rt = cast<RankedTensorType>(rhs.getType());
  Value init = tensor::EmptyOp::create(
      b, l, {lt.getDimSize(0), lt.getDimSize(1), rt.getDimSize(2)}, lt.getElementType());
  Value zero = arith::ConstantOp::create(b, l, b.getFloatAttr(lt.getElementType(), 0.0));
  init = linalg::FillOp::create(b, l, zero, init).getResult(0);
  return linalg::BatchMatmulOp::create(b, l, ValueRange{lhs, rhs}, ValueRange{init})
      .getResult(0);
}

/// received[b, j] = Σ_{h, i} softmax_j(scale · q[b,h,i]·k[b,h/G,j] + mask)[b, h, i, j]:
/// how much attention key j gets in `op`. Built from ops the reference
/// evaluator runs (batch matmuls, transposes, broadcasts, icl.softmax).
FailureOr<Value> attentionReceived(OpBuilder &b, ir::AttentionOp op) {
  auto qt = cast<RankedTensorType>(op.getQuery().getType());
  auto kt = cast<RankedTensorType>(op.getKey().getType());
  if (!qt.hasStaticShape() || !kt.hasStaticShape())
    return op.emitOpError("icl-token-prune needs static shapes"), failure();
  if (op.getMask() || op.getKeySizes() || op.getMaskKind() == ir::MaskKind::sliding_window)
    return op.emitOpError("icl-token-prune scores attention without additive masks, key sizes "
                          "or windows"),
           failure();
  Location l = op.getLoc();
  Type elt = qt.getElementType();
  int64_t batch = qt.getDimSize(0), heads = qt.getDimSize(1), sq = qt.getDimSize(2),
          dim = qt.getDimSize(3), kvHeads = kt.getDimSize(1), skv = kt.getDimSize(2);
  double scale = *softmaxScale(op); // static shapes: the head dim is known
  // Keys per query head (grouped heads repeated), transposed: [B·H, D, Skv].
  Value k = op.getKey();
  if (kvHeads != heads) {
    Value e = tensor::EmptyOp::create(b, l, {batch, kvHeads, heads / kvHeads, skv, dim}, elt);
    k = linalg::BroadcastOp::create(b, l, k, e, ArrayRef<int64_t>{2}).getResult()[0];
    k = reshape(b, l, k, {batch, heads, skv, dim});
  }
  Value kT = Emitter(b, l).transpose(k, {0, 1, 3, 2});
  Value dots = batchMatmul(b, l, reshape(b, l, op.getQuery(), {batch * heads, sq, dim}),
                           reshape(b, l, kT, {batch * heads, dim, skv}));
  auto scoresType = RankedTensorType::get({batch * heads, sq, skv}, elt);
  Value logits = arith::MulFOp::create(
      b, l, dots,
      arith::ConstantOp::create(b, l, DenseElementsAttr::get(scoresType,
                                                             b.getFloatAttr(elt, scale))));
  if (op.getMaskKind() == ir::MaskKind::causal) {
    // Query i sees key j iff j <= i + Skv - Sq.
    std::vector<float> mask(sq * skv);
    for (int64_t i = 0; i < sq; ++i)
      for (int64_t j = 0; j < skv; ++j)
        mask[i * skv + j] = j <= i + skv - sq ? 0.0f : -std::numeric_limits<float>::infinity();
    auto maskType = RankedTensorType::get({sq, skv}, b.getF32Type());
    Value m = arith::ConstantOp::create(b, l, DenseElementsAttr::get(maskType,
                                                                     ArrayRef<float>(mask)));
    Value e = tensor::EmptyOp::create(b, l, scoresType.getShape(), elt);
    m = linalg::BroadcastOp::create(b, l, m, e, ArrayRef<int64_t>{0}).getResult()[0];
    logits = arith::AddFOp::create(b, l, logits, m);
  }
  Value p = ir::SoftmaxOp::create(b, l, logits, /*axis=*/2);
  // Σ over heads and queries: ones[B, 1, H·Sq] · p[B, H·Sq, Skv].
  Value ones = arith::ConstantOp::create(
      b, l, DenseElementsAttr::get(RankedTensorType::get({batch, 1, heads * sq}, elt),
                                   b.getFloatAttr(elt, 1.0)));
  Value rows = reshape(b, l, reshape(b, l, p, {batch, heads, sq, skv}), {batch, heads * sq, skv});
  Value received = batchMatmul(b, l, ones, rows);
  return reshape(b, l, received, {batch, skv});
}

struct TokenPrunePass : public mlir::icl::impl::TokenPruneBase<TokenPrunePass> {
  using Base::Base;

  LogicalResult runOn(func::FuncOp func) {
    SmallVector<ir::AttentionOp> attentions(func.getOps<ir::AttentionOp>());
    IRRewriter rewriter(func.getContext());
    for (auto [layer, attention] : llvm::enumerate(attentions)) {
      if (!llvm::is_contained(layers, static_cast<int64_t>(layer)))
        continue;
      arith::AddFOp residual = residualAfter(attention.getResult());
      if (!residual || cast<RankedTensorType>(residual.getType()).getRank() != 3)
        return attention.emitOpError("is not followed by a residual add of [B, T, C] "
                                     "activations, so icl-token-prune cannot tell where its "
                                     "block's tokens are");
      rewriter.setInsertionPointAfter(residual);
      FailureOr<Value> scores = attentionReceived(rewriter, attention);
      if (failed(scores))
        return failure();
      IntegerAttr keepAttr = keep > 0 ? rewriter.getI64IntegerAttr(keep) : IntegerAttr();
      FloatAttr ratioAttr = keep > 0 ? FloatAttr() : rewriter.getF64FloatAttr(keepRatio);
      auto prune = ir::TokenPruneOp::create(rewriter, residual.getLoc(), residual.getResult(),
                                            *scores, keepAttr, ratioAttr,
                                            protectFirst ? rewriter.getUnitAttr() : UnitAttr(),
                                            fuse ? rewriter.getUnitAttr() : UnitAttr());
      rewriter.replaceAllUsesExcept(residual.getResult(), prune.getResult(), prune);
      if (failed(propagateTokenCount(rewriter, prune, {prune.getResult()})))
        return failure();
    }
    return success();
  }

  void runOnOperation() override {
    if (keep <= 0 && (keepRatio <= 0.0 || keepRatio > 1.0)) {
      getOperation().emitError("icl-token-prune: set keep > 0 or keep-ratio in (0, 1]");
      return signalPassFailure();
    }
    for (auto func : llvm::make_early_inc_range(getOperation().getOps<func::FuncOp>()))
      if (!func.isExternal() && failed(runOn(func)))
        return signalPassFailure();
  }
};

} // namespace
