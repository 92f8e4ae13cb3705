//===- FuseElementwise.cpp - Elementwise fusion without recomputation -----===//
//
// Upstream elementwise fusion inlines a producer into any consumer that uses
// it once. When the consumer has more loops than the producer (a contraction
// reading x[m, k] inside loops (m, n, k)), the producer's body then runs once
// per consumer iteration: a gelu fused into the next linear computes erf N
// times per element. This pass fuses only where each produced element is read
// once.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/LinalgUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::icl {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

bool fusesWithoutRecomputation(OpOperand *fused) {
  auto producer = fused->get().getDefiningOp<linalg::LinalgOp>();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer)
    return false;
  return consumer.getMatchingIndexingMap(fused).isPermutation() || mlir::icl::detail::onlyMovesData(producer);
}

struct FuseElementwisePass : public mlir::icl::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Reshapes fold into elementwise ops only: folded into a contraction
    // they split its row or column loop (heads out of features), and the
    // register tiles of the contraction land on the wrong loops.
    linalg::ControlFusionFn foldReshape = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      auto isContraction = [](Operation *op) {
        auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
        return linalgOp && linalgOp.getNumReductionLoops() > 0;
      };
      return producer && producer->hasOneUse() && !isContraction(producer) &&
             !isContraction(operand->getOwner());
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, fusesWithoutRecomputation);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, foldReshape);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
