//===- TileAndFuse.cpp - Fuse chains with reductions into row tiles -------===//
//
// Decomposed attention, normalisations and softmax are chains of linalg ops
// whose intermediates (scores, centred rows) are as large as the problem.
// This pass tiles the last op of such a chain over blocks of rows with an
// scf.forall and fuses the chain's producers into the loop body (upstream
// tile-and-fuse, `scf::tileConsumerAndFuseProducersUsingSCF`), so the
// intermediates of one row block stay in cache and the blocks run on threads.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/LinalgUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

#include <unistd.h>

namespace mlir::icl {
#define GEN_PASS_DEF_TILEANDFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

bool hasReduction(linalg::LinalgOp op) { return op.getNumReductionLoops() > 0; }

bool fusable(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  // Transposes are left outside: inside, each row block would redo the whole
  // transpose (of keys, for attention).
  return linalgOp && linalgOp.hasPureTensorSemantics() && !linalgOp.hasDynamicShape() &&
         !isa<linalg::TransposeOp>(op);
}

/// A fill costs no more in a block than outside it; CSE shares one between
/// layers, so it is fused whoever else reads it.
bool recomputable(Operation *op) { return isa<linalg::FillOp>(op); }

/// Whether `user` reads `operand` one row block at a time: its indexing map
/// keeps every parallel loop of `user` but the innermost. A producer read
/// whole by every block (the tokens a merge sums over, keys against a block
/// of queries) would be recomputed once per block, so it stays outside.
bool readsByRows(linalg::LinalgOp user, OpOperand &operand) {
  AffineMap map = user.getMatchingIndexingMap(&operand);
  SmallVector<unsigned> parallel;
  for (auto [i, it] : llvm::enumerate(user.getIteratorTypesArray()))
    if (it == utils::IteratorType::parallel)
      parallel.push_back(i);
  if (!parallel.empty())
    parallel.pop_back();
  return llvm::all_of(parallel, [&](unsigned d) { return map.isFunctionOfDim(d); });
}

/// The ops `root` can absorb: producers (transitively) all of whose users are
/// already in the group and read them by rows, so nothing is computed twice,
/// and fills.
llvm::SetVector<Operation *> groupOf(linalg::LinalgOp root) {
  llvm::SetVector<Operation *> group;
  group.insert(root);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < group.size(); ++i) {
      auto user = cast<linalg::LinalgOp>(group[i]);
      for (OpOperand &operand : group[i]->getOpOperands()) {
        Operation *producer = operand.get().getDefiningOp();
        if (!producer || group.contains(producer) || !fusable(producer))
          continue;
        if (!recomputable(producer) && !readsByRows(user, operand))
          continue;
        if (recomputable(producer) ||
            llvm::all_of(producer->getUsers(), [&](Operation *u) { return group.contains(u); })) {
          group.insert(producer);
          grew = true;
        }
      }
    }
  }
  return group;
}


int64_t numElements(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

struct TileAndFusePass : public mlir::icl::impl::TileAndFuseBase<TileAndFusePass> {
  using Base::Base;

  /// Bytes of a block's widest intermediate: the option, or an eighth of the
  /// host's L2 cache, so a block's few live intermediates stay in it.
  int64_t blockBytes() {
    if (tileBytes > 0)
      return tileBytes;
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    return (l2 > 0 ? l2 : 1 << 20) / 8;
  }

  /// Tiles `root`'s parallel loops but the last (1 for the outer ones, a block
  /// of rows for the one before the last) and fuses `group` into the loop.
  LogicalResult tileGroup(IRRewriter &rewriter, linalg::LinalgOp root,
                          const llvm::SetVector<Operation *> &group) {
    SmallVector<int64_t> ranges = root.getStaticLoopRanges();
    // A zero-size loop computes nothing: there are no rows to block.
    if (llvm::is_contained(ranges, 0))
      return failure();
    SmallVector<unsigned> parallel;
    for (auto [i, it] : llvm::enumerate(root.getIteratorTypesArray()))
      if (it == utils::IteratorType::parallel)
        parallel.push_back(i);
    if (parallel.size() < 2)
      return failure();
    unsigned rowLoop = parallel[parallel.size() - 2];
    // Rows of the whole problem, and the widest intermediate per row: the
    // block holds as many rows as fit `tile-bytes`.
    int64_t rows = 1;
    for (unsigned i = 0; i + 1 < parallel.size(); ++i)
      rows *= ranges[parallel[i]];
    int64_t perRow = 1;
    for (Operation *op : group)
      for (Value r : op->getResults())
        perRow = std::max(perRow, numElements(r) / rows);
    int64_t fit = std::max<int64_t>(1, blockBytes() / (perRow * 4));
    SmallVector<int64_t> sizes(ranges.size(), 0);
    for (unsigned i = 0; i + 2 < parallel.size(); ++i)
      sizes[parallel[i]] = 1;
    sizes[rowLoop] = mlir::icl::detail::legalTile(
        root, rowLoop, ranges[rowLoop],
        mlir::icl::detail::rowBlock(ranges[rowLoop], std::min<int64_t>(fit, maxRows)));

    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    options.tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer,
            bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (group.contains(producer.getOwner()))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> fused = scf::tileConsumerAndFuseProducersUsingSCF(
        rewriter, cast<TilingInterface>(root.getOperation()), options);
    if (failed(fused))
      return failure();
    for (OpResult result : root->getResults())
      rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
    return success();
  }

  void runOnOperation() override {
    // Roots: the last op of each chain that contains a reduction feeding
    // another op (scores -> row max -> exp -> row sum -> values).
    SmallVector<std::pair<linalg::LinalgOp, llvm::SetVector<Operation *>>> work;
    llvm::DenseSet<Operation *> taken;
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : llvm::reverse(ops)) {
      if (taken.contains(op) || !fusable(op) || op->getParentOfType<scf::ForallOp>())
        continue;
      llvm::SetVector<Operation *> group = groupOf(op);
      bool innerReduction = llvm::any_of(group, [&](Operation *member) {
        return member != op.getOperation() && hasReduction(cast<linalg::LinalgOp>(member));
      });
      if (!innerReduction)
        continue;
      taken.insert(group.begin(), group.end());
      work.push_back({op, std::move(group)});
    }
    IRRewriter rewriter(&getContext());
    for (auto &[root, group] : work)
      (void)tileGroup(rewriter, root, group);
    // A producer read by two ops of a group is fused once per read; the
    // copies compute the same slice and fold into one.
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
    // Slices of full-size tensor.empty become block-size empties, so the
    // intermediates of a block are allocated at its size; the untiled
    // originals are now dead.
    RewritePatternSet patterns(&getContext());
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
