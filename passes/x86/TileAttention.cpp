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

  /// How many parallel parts the keys of `op` split into when its query
  /// blocks are `rowBlock` rows: with fewer blocks than threads, one per
  /// thread (a split takes all rows: a partial reduction tiles no parallel
  /// loop), with at least one online-softmax step per part.
  int64_t keySplits(ir::AttentionOp op, int64_t rowBlock) {
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    int64_t keyCount = cast<RankedTensorType>(op.getKey().getType()).getDimSize(2);
    int64_t blocks = q.getDimSize(0) * q.getDimSize(1) * (q.getDimSize(2) / rowBlock);
    int64_t wanted = splits > 0 ? splits : (blocks < threads ? threads : 1);
    return std::max<int64_t>(1, std::min(wanted, keyCount / keys));
  }

  LogicalResult tile(IRRewriter &rewriter, ir::AttentionOp op) {
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    int64_t rowBlock = ir::detail::rowBlock(q.getDimSize(2), rows);
    SmallVector<int64_t> sizes = {1, 1, rowBlock};
    FailureOr<scf::SCFTilingResult> tiled;
    if (int64_t parts = keySplits(op, rowBlock); parts > 1) {
      // Split-KV: the keys alone, as a partial reduction merged after the
      // loop.
      int64_t keyCount = cast<RankedTensorType>(op.getKey().getType()).getDimSize(2);
      sizes = {0, 0, 0, static_cast<int64_t>(llvm::divideCeil(keyCount, parts))};
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes))
          .setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
          .setReductionTilingStrategy(ReductionTilingStrategy::PartialReductionOuterParallel)
          .setReductionDims({3});
      rewriter.setInsertionPoint(op);
      tiled = scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (succeeded(tiled))
        rewriter.replaceOp(op, tiled->replacements);
    } else {
      tiled = ir::detail::tileInForall(rewriter, cast<TilingInterface>(op.getOperation()), sizes);
    }
    if (failed(tiled))
      return op.emitError("could not be tiled into query blocks");
    // Each tile (an attention, or a split's attention_partial) steps through
    // its keys with the online softmax.
    for (Operation *tileOp : tiled->tiledOps) {
      rewriter.setInsertionPoint(tileOp);
      FailureOr<SmallVector<Value>> online = ir::decomposeAttentionOnline(rewriter, tileOp, keys);
      if (failed(online))
        return failure();
      rewriter.replaceOp(tileOp, *online);
    }
    return success();
  }

  void runOnOperation() override {
    if (keys <= 0)
      return;
    if (rows <= 0 || threads <= 0 || splits < 0) {
      getOperation().emitError("icl-tile-attention: rows and threads must be positive and "
                               "splits non-negative, got rows=")
          << rows << " threads=" << threads << " splits=" << splits;
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
