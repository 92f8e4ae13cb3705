//===- TokenMerge.cpp - Insert ToMe token merging into transformer blocks -===//
//
// After each block's attention and its residual add, r of the block's tokens
// merge into their most similar partners (bipartite soft matching on the
// block's keys, icl.token_merge); the MLP and every later layer run on fewer
// tokens, and later attention weighs each merged key by its size
// (proportional attention, key_sizes = log size).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/icl/IR/LinalgBuilder.h"
#include "passes/TokenCount.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

namespace mlir::icl {
#define GEN_PASS_DEF_TOKENMERGE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

/// The keys [B, T, C] from which the attention's [B, H, T, D] keys were split,
/// or those keys with their heads merged back.
Value tokenKeys(OpBuilder &b, ir::AttentionOp attention) {
  Value k = attention.getKey();
  if (auto transpose = k.getDefiningOp<linalg::TransposeOp>();
      transpose && transpose.getPermutation() == ArrayRef<int64_t>{0, 2, 1, 3})
    if (auto expand = transpose.getInput().getDefiningOp<tensor::ExpandShapeOp>();
        expand && expand.getSrcType().getRank() == 3)
      return expand.getSrc();
  return ir::detail::Emitter(b, attention.getLoc()).mergeHeads(k);
}

struct TokenMergePass : public mlir::icl::impl::TokenMergeBase<TokenMergePass> {
  using Base::Base;

  /// Tokens merged after block `layer` of `layers`.
  int64_t mergedAt(size_t layer, size_t layers) {
    if (!rPerLayer.empty())
      return layer < rPerLayer.size() ? rPerLayer[layer] : 0;
    if (schedule == "decreasing" && layers > 1)
      return std::llround(2.0 * r * double(layers - 1 - layer) / double(layers - 1));
    return r;
  }

  LogicalResult runOn(func::FuncOp func) {
    SmallVector<ir::AttentionOp> attentions(func.getOps<ir::AttentionOp>());
    IRRewriter rewriter(func.getContext());
    SmallVector<Type> originalResults(func.getResultTypes());
    SmallVector<Value> indices;
    Value sizes;
    for (auto [layer, attention] : llvm::enumerate(attentions)) {
      if (sizes && proportional) {
        rewriter.setInsertionPoint(attention);
        attention = rewriter.replaceOpWithNewOp<ir::AttentionOp>(
            attention, attention.getQuery(), attention.getKey(), attention.getValue(),
            attention.getMask(), sizes, attention.getScaleAttr(), attention.getMaskKindAttr(),
            attention.getWindowAttr());
      }
      int64_t count = mergedAt(layer, attentions.size());
      if (count <= 0)
        continue;
      arith::AddFOp residual = ir::detail::residualAfter(attention.getResult());
      if (!residual || cast<RankedTensorType>(residual.getType()).getRank() != 3)
        return attention.emitOpError("is not followed by a residual add of [B, T, C] "
                                     "activations, so icl-token-merge cannot tell where its "
                                     "block's tokens are");
      rewriter.setInsertionPointAfter(residual);
      Value keys = tokenKeys(rewriter, attention);
      auto merge = ir::TokenMergeOp::create(rewriter, residual.getLoc(), residual.getResult(),
                                            keys, sizes, static_cast<uint64_t>(count),
                                            protectFirst.getValue());
      rewriter.replaceAllUsesExcept(residual.getResult(), merge.getResult(), merge);
      sizes = merge.getResultSizes();
      indices.push_back(merge.getIndex());
      if (failed(ir::detail::propagateTokenCount(rewriter, merge,
                                                 {merge.getResult(), merge.getResultSizes()})))
        return failure();
    }
    if (!unmerge || indices.empty())
      return success();
    // Per-token results: scatter merged rows back, last merge first.
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    rewriter.setInsertionPoint(ret);
    for (auto [i, type] : llvm::enumerate(originalResults)) {
      Value v = ret.getOperand(i);
      if (v.getType() == type)
        continue;
      for (Value index : llvm::reverse(indices))
        v = ir::TokenUnmergeOp::create(rewriter, ret.getLoc(), v, index);
      if (v.getType() != type)
        return ret.emitOpError("result ") << i << " cannot be unmerged back to " << type;
      ret.setOperand(i, v);
    }
    func.setType(rewriter.getFunctionType(func.getArgumentTypes(), originalResults));
    return success();
  }

  void runOnOperation() override {
    if (schedule != "constant" && schedule != "decreasing") {
      getOperation().emitError("icl-token-merge: schedule must be 'constant' or 'decreasing', "
                               "not '")
          << schedule << "'";
      return signalPassFailure();
    }
    for (auto func : llvm::make_early_inc_range(getOperation().getOps<func::FuncOp>()))
      if (!func.isExternal() && failed(runOn(func)))
        return signalPassFailure();
  }
};

} // namespace
