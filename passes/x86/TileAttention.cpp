//===- TileAttention.cpp - Attention in row blocks with an online softmax -===//
//
// Tiles icl.attention over query blocks through its TilingInterface and
// decomposes each tile with icl::decomposeAttentionOnline, so no logits wider
// than one block of keys exist (Passes.td has the whole story).
//
//===----------------------------------------------------------------------===//

#include "passes/LinalgUtils.h"
#include "passes/Passes.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::icl {
#define GEN_PASS_DEF_TILEATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct TileAttentionPass : ir::impl::TileAttentionBase<TileAttentionPass> {
  using Base::Base;

  /// Worth an online softmax: more keys than one step takes, and shapes the
  /// tiles can keep static.
  bool worthTiling(ir::AttentionOp op) {
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    auto k = cast<RankedTensorType>(op.getKey().getType());
    if (!q.hasStaticShape() || !k.hasStaticShape() || !op.getValue().getType().hasStaticShape())
      return false;
    if (llvm::is_contained(q.getShape(), 0) || llvm::is_contained(k.getShape(), 0))
      return false;
    return k.getDimSize(2) > keys;
  }

  LogicalResult tile(IRRewriter &rewriter, ir::AttentionOp op) {
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    SmallVector<int64_t> sizes = {1, 1, ir::detail::rowBlock(q.getDimSize(2), rows)};
    FailureOr<scf::SCFTilingResult> tiled =
        ir::detail::tileInForall(rewriter, cast<TilingInterface>(op.getOperation()), sizes);
    if (failed(tiled))
      return op.emitError("could not be tiled into query blocks");
    for (Operation *tileOp : tiled->tiledOps) {
      auto tileAttention = cast<ir::AttentionOp>(tileOp);
      rewriter.setInsertionPoint(tileAttention);
      FailureOr<Value> online = ir::decomposeAttentionOnline(rewriter, tileAttention, keys);
      if (failed(online))
        return failure();
      rewriter.replaceOp(tileAttention, *online);
    }
    return success();
  }

  void runOnOperation() override {
    if (keys <= 0)
      return;
    if (rows <= 0) {
      getOperation().emitError("icl-tile-attention: rows must be positive, got ") << rows;
      return signalPassFailure();
    }
    SmallVector<ir::AttentionOp> ops;
    getOperation().walk([&](ir::AttentionOp op) {
      if (worthTiling(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (ir::AttentionOp op : ops)
      if (failed(tile(rewriter, op)))
        return signalPassFailure();
  }
};

} // namespace
