//===- LinalgUtils.h - Tile-size helpers for linalg ops ---------*- C++ -*-===//
//
// Shared by the passes that tile and fuse linalg ops (x86/, cuda/).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_LINALGUTILS_H
#define ICL_PASSES_LINALGUTILS_H

#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

#include <numeric>

namespace mlir::icl::detail {

/// The largest divisor of `extent` that is at most `target`.
inline int64_t divisorAtMost(int64_t extent, int64_t target) {
  for (int64_t d = std::min(extent, target); d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

/// Rows of a block of `extent` rows, at most `target`: the largest multiple
/// of 8 that divides `extent` (whole register tiles), else its largest
/// divisor.
inline int64_t rowBlock(int64_t extent, int64_t target) {
  for (int64_t d = target / 8 * 8; d >= 8; d -= 8)
    if (extent % d == 0)
      return d;
  return divisorAtMost(extent, target);
}

/// `op` tiled by `sizes` (0: not tiled) in an scf.forall that replaces it.
inline FailureOr<scf::SCFTilingResult> tileInForall(RewriterBase &rewriter, TilingInterface op,
                                                    ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, op, options);
  if (succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// True when `op` only moves data (a fill, broadcast, transpose or copy: its
/// body yields block arguments): reading it through any map costs no more
/// than reading its input.
inline bool onlyMovesData(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  return body->getOperations().size() == 1 &&
         llvm::all_of(body->getTerminator()->getOperands(),
                      [](Value v) { return isa<BlockArgument>(v); });
}

/// The multiple that tiles of loop `dim` of `op` must respect: an indexing
/// map that reads `d floordiv c` (or ceildiv, mod) maps a tile starting at a
/// non-multiple of c onto the wrong slice, since the tiled op reapplies the
/// map to tile-local indices. 1 when no map divides `dim`.
inline int64_t tileMultiple(linalg::LinalgOp op, unsigned dim) {
  int64_t multiple = 1;
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr result : map.getResults())
      result.walk([&](AffineExpr e) {
        auto bin = dyn_cast<AffineBinaryOpExpr>(e);
        if (!bin || (e.getKind() != AffineExprKind::FloorDiv &&
                     e.getKind() != AffineExprKind::CeilDiv && e.getKind() != AffineExprKind::Mod))
          return;
        auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
        if (c && c.getValue() > 1 && bin.getLHS().isFunctionOfDim(dim))
          multiple = std::lcm(multiple, c.getValue());
      });
  return multiple;
}

/// `size` for loop `dim` of extent `extent`, reduced to a divisor of the
/// extent that `tileMultiple` allows (1 always does: a one-wide tile only
/// reads index 0 locally).
inline int64_t legalTile(linalg::LinalgOp op, unsigned dim, int64_t extent, int64_t size) {
  int64_t multiple = tileMultiple(op, dim);
  if (size <= 1 || size >= extent || size % multiple == 0)
    return size;
  for (int64_t d = size / multiple * multiple; d >= multiple; d -= multiple)
    if (extent % d == 0)
      return d;
  return 1;
}

} // namespace mlir::icl::detail

#endif // ICL_PASSES_LINALGUTILS_H
