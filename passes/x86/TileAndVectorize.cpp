//===- TileAndVectorize.cpp - Register tiling and vectorization -----------===//

#include "passes/Passes.h"
#include "passes/LinalgUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/TargetParser/Host.h"

namespace mlir::icl {
#define GEN_PASS_DEF_TILEANDVECTORIZE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using mlir::icl::detail::divisorAtMost;

namespace {

/// f32 lanes of the host's widest vector registers (read once).
int64_t hostLanes() {
  static const int64_t lanes = [] {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    if (features.lookup("avx512f"))
      return 16;
    return features.lookup("avx") ? 8 : 4;
  }();
  return lanes;
}

struct TileAndVectorizePass : public mlir::icl::impl::TileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  /// Columns of a register tile (two vector registers of the host unless set).
  int64_t columns() { return vectorWidth ? vectorWidth : 2 * hostLanes(); }
  /// Elements of one vector register.
  int64_t lanes() { return std::max<int64_t>(columns() / 2, 1); }
  /// The tile of a vectorised loop: the largest divisor of `extent` up to
  /// `target` that fills whole registers (240 -> 16, not 30), else half or
  /// quarter registers (248 -> 8, not 31), else the largest divisor.
  int64_t vectorTile(int64_t extent, int64_t target) {
    for (int64_t q = lanes(); q >= 4; q /= 2)
      for (int64_t d = std::min(extent, target) / q * q; d >= q; d -= q)
        if (extent % d == 0)
          return d;
    return divisorAtMost(extent, target);
  }
  /// Rows of a register tile: with two registers per row, 8 rows keep 16 of
  /// AVX-512's 32 registers accumulating; AVX2's 16 registers fit 4 rows.
  int64_t rows() { return registerRows ? registerRows : (lanes() >= 16 ? 8 : 4); }

  /// Tile sizes for `op` (equal to the extent where a loop is not tiled) and
  /// the order of the tile loops.
  std::pair<SmallVector<int64_t>, SmallVector<int64_t>> tileSizes(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<int64_t> sizes(ranges.size(), 1);
    SmallVector<int64_t> order = llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
    SmallVector<unsigned> parallel, reduction;
    for (auto [i, it] : llvm::enumerate(iters))
      (it == utils::IteratorType::parallel ? parallel : reduction).push_back(i);
    if (reduction.empty()) {
      if (parallel.empty())
        return {sizes, order};
      unsigned inner = parallel.back();
      sizes[inner] = vectorTile(ranges[inner], columns());
      // An input whose contiguous dimension is another loop (a transpose)
      // is read in square blocks, transposed in registers, instead of
      // element by element down its columns.
      for (OpOperand *input : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(input);
        if (map.getNumResults() == 0)
          continue;
        auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
        if (!last || last.getPosition() == inner || !map.isProjectedPermutation() ||
            !map.isFunctionOfDim(inner))
          continue;
        sizes[inner] = vectorTile(ranges[inner], lanes());
        sizes[last.getPosition()] = vectorTile(ranges[last.getPosition()], lanes());
        break;
      }
      return {sizes, order};
    }
    unsigned n = parallel.empty() ? 0 : parallel.back(), k = reduction.back();
    if (!linalg::isaContractionOpInterface(op)) {
      // Other reductions (sums of rows, ...) keep a square tile of one
      // register per row, reduced across registers at the end.
      if (!parallel.empty())
        sizes[n] = vectorTile(ranges[n], lanes());
      sizes[k] = vectorTile(ranges[k], lanes());
      return {sizes, order};
    }
    // Contractions: rows × columns accumulators stay in registers while the
    // reduction loop broadcasts one left-hand element per row and loads one
    // right-hand row per step.
    if (!parallel.empty())
      sizes[n] = vectorTile(ranges[n], columns());
    sizes[k] = divisorAtMost(ranges[k], reductionTile);
    if (parallel.size() >= 2) {
      unsigned m = parallel[parallel.size() - 2];
      sizes[m] = divisorAtMost(ranges[m], rows());
      // Column panels outside row blocks: a panel of the right-hand side
      // (reduction × columns) stays in L1 while the row blocks stream past.
      std::swap(order[m], order[n]);
    }
    return {sizes, order};
  }

  /// Splits the outermost parallel loop of a large op into an scf.forall of
  /// at least `threads` chunks; returns the op to tile further (the op
  /// itself when it is not split, null on failure).
  Operation *distribute(IRRewriter &rewriter, linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t iterations = 1;
    for (int64_t r : ranges)
      iterations *= r;
    // Ops in an scf.forall (fused row blocks) already run on threads.
    if (threads <= 1 || iterations < 32768 || op->getParentOfType<scf::ForallOp>())
      return op;
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    for (auto [i, it] : llvm::enumerate(iters)) {
      if (it != utils::IteratorType::parallel || ranges[i] < threads)
        continue;
      SmallVector<int64_t> sizes(ranges.size(), 0);
      sizes[i] = mlir::icl::detail::legalTile(
          op, i, ranges[i], divisorAtMost(ranges[i], (ranges[i] + threads - 1) / threads));
      FailureOr<scf::SCFTilingResult> tiled = mlir::icl::detail::tileInForall(
          rewriter, cast<TilingInterface>(op.getOperation()), sizes);
      if (failed(tiled))
        return op;
      return tiled->tiledOps.back();
    }
    return op;
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !op.hasDynamicShape() && op.getNumLoops() > 0)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      Operation *work = distribute(rewriter, op);
      if (!work)
        continue;
      op = cast<linalg::LinalgOp>(work);
      auto [sizes, order] = tileSizes(op);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      for (auto [dim, size] : llvm::enumerate(sizes))
        size = mlir::icl::detail::legalTile(op, dim, ranges[dim], size);
      Operation *tile = op;
      if (sizes != op.getStaticLoopRanges()) {
        scf::SCFTilingOptions options;
        options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
        options.setInterchange(order);
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tiled =
            scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled))
          continue;
        rewriter.replaceOp(op, tiled->replacements);
        tile = tiled->tiledOps.back();
      }
      // Vectors of i1 are bit-packed in memory while tensors of i1 hold a byte
      // per element: such ops stay scalar loops.
      auto isI1 = [](Type t) { return getElementTypeOrSelf(t).isInteger(1); };
      if (llvm::any_of(tile->getOperandTypes(), isI1) ||
          llvm::any_of(tile->getResultTypes(), isI1) ||
          failed(linalg::vectorizeOpPrecondition(tile)))
        continue;
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, tile);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }
    // mul + multi_reduction pairs from contractions become vector.contract,
    // which the LLVM lowering turns into outer-product FMAs.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    // libm has no vector exp/erf/tanh: LLVM would call it per element. The
    // polynomial approximations are vector code accurate to a few ulp.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::is_contained({"math.exp", "math.erf", "math.tanh", "math.log", "math.log1p"}, name);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Accumulator tiles read and written in every step of a reduction loop
    // become loop-carried vectors: the reduction runs in registers.
    getOperation().walk([&](scf::ForOp loop) { hoistLoopInvariantSubsets(rewriter, loop); });
  }
};

} // namespace
