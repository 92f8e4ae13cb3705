//===- ApproximateAttention.cpp - Linear attention for long sequences -----===//
//
// Exact attention costs O(T²·D) per head; kernelised linear attention costs
// O(T·D²). When the key count is large relative to the head dimension the
// linear form is much cheaper, at the price of approximating softmax (the
// idea behind MAELRE's per-layer choice). This pass makes that choice per
// attention op.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/icl/IR/LinalgBuilder.h"

#include "dialects/icl/IR/IclOps.h"

namespace mlir::icl {
#define GEN_PASS_DEF_APPROXIMATEATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct ApproximateAttentionPass
    : public mlir::icl::impl::ApproximateAttentionBase<ApproximateAttentionPass> {
  using Base::Base;

  /// Whether `op`, the `layer`-th attention of its function, is replaced.
  bool chosen(ir::AttentionOp op, size_t layer) {
    if (!layers.empty() && !llvm::is_contained(layers, static_cast<int64_t>(layer)))
      return false;
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    auto k = cast<RankedTensorType>(op.getKey().getType());
    if (!q.hasStaticShape() || !k.hasStaticShape())
      return false;
    // The linear form has one feature map per head, no additive mask, sizes
    // or window, and masks only causally.
    if (q.getDimSize(1) != k.getDimSize(1) || op.getMask() || op.getKeySizes() ||
        op.getMaskKind() == ir::MaskKind::sliding_window)
      return false;
    return k.getDimSize(2) >= minRatio * k.getDimSize(3);
  }

  void runOnOperation() override {
    std::optional<ir::FeatureMap> map = ir::symbolizeFeatureMap(featureMap);
    if (!map) {
      getOperation().emitError("icl-approximate-attention: feature-map must be identity, "
                               "elu_plus_one or relu, not '")
          << featureMap << "'";
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](func::FuncOp func) {
      SmallVector<ir::AttentionOp> attentions(func.getOps<ir::AttentionOp>());
      for (auto [layer, op] : llvm::enumerate(attentions)) {
        if (!chosen(op, layer))
          continue;
        // The scaled dot product's scale goes to the queries, as in softmax
        // (chosen() requires static shapes, so it is known).
        double scale = *ir::detail::softmaxScale(op);
        rewriter.setInsertionPoint(op);
        auto linear = ir::LinearAttentionOp::create(
            rewriter, op.getLoc(), op.getQuery(), op.getKey(), op.getValue(), Value(), Value(),
            *map, llvm::APFloat(scale), /*normalize=*/true, llvm::APFloat(1e-6),
            op.getMaskKind() == ir::MaskKind::causal);
        rewriter.replaceOp(op, linear.getResult());
      }
    });
  }
};

} // namespace
