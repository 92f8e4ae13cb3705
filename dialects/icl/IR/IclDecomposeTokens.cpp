//===- DecomposeTokens.cpp - Token-reduction ops -> linalg on tensors -----===//
//
// The token-reduction ops choose and reorder tokens, and linalg has no sort.
// Every data-dependent choice is instead a count over a second token index
// (rank[t] = #{u : u comes before t}): O(T²), branch-free, and exact, so ties
// break exactly as in the reference evaluator's stable sorts. Values then move
// by gathers (tensor.extract in a generic body) or by reductions over the
// source tokens, never by scatters, so everything stays in value semantics.
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::icl::detail;

namespace {

constexpr IteratorType P = IteratorType::parallel, R = IteratorType::reduction;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value i64Const(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIntOp::create(b, l, b.getI64Type(), v);
}

/// Loop `dim` of the enclosing generic as an i64, the type of the index tensors.
Value loopIndex(OpBuilder &b, Location l, unsigned dim) {
  return arith::IndexCastOp::create(b, l, b.getI64Type(), linalg::IndexOp::create(b, l, dim));
}

Value filledI64(Emitter &e, ArrayRef<OpFoldResult> sizes, int64_t v) {
  return linalg::FillOp::create(e.b, e.loc, i64Const(e.b, e.loc, v),
                                e.empty(sizes, e.b.getI64Type()))
      .getResult(0);
}

Value cmpI(OpBuilder &b, Location l, arith::CmpIPredicate pred, Value lhs, Value rhs) {
  return arith::CmpIOp::create(b, l, pred, lhs, rhs);
}

/// A token position read from an integer tensor, as an index for tensor.extract.
Value toIndex(OpBuilder &b, Location l, Value pos) {
  if (pos.getType().isIndex())
    return pos;
  return arith::IndexCastOp::create(b, l, b.getIndexType(), pos);
}

/// pred(u, t, v[b, u], v[b, t]) with i64 token positions u and t.
using PairPredicate = function_ref<Value(OpBuilder &, Location, Value, Value, Value, Value)>;

/// count[b, t] = #{u : pred(u, t, v[b, u], v[b, t])} for v: [B, N]. This
/// O(N²) count stands in for sorting: ranks, and slots among a subset.
Value countWhere(Emitter &e, Value v, PairPredicate pred) {
  return e.generic(filledI64(e, e.sizes(v), 0), {v, v},
                   {e.dims(3, {0, 2}), e.dims(3, {0, 1}), e.dims(3, {0, 1})}, {P, P, R},
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value hit = pred(b, l, loopIndex(b, l, 2), loopIndex(b, l, 1), a[0], a[1]);
                     return arith::AddIOp::create(b, l, a[2],
                                                  arith::ExtUIOp::create(b, l, b.getI64Type(), hit))
                         .getResult();
                   });
}

/// Whether token u precedes token t in descending order of value, ties going
/// to the lower position: the order of a stable sort by descending value.
Value precedes(OpBuilder &b, Location l, Value u, Value t, Value vu, Value vt) {
  Value higher = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, vu, vt);
  Value tie =
      arith::AndIOp::create(b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, vu, vt),
                            cmpI(b, l, arith::CmpIPredicate::slt, u, t));
  return arith::OrIOp::create(b, l, higher, tie);
}

FailureOr<int64_t> staticTokens(Operation *op, Value x) {
  int64_t tokens = typeOf(x).getDimSize(1);
  if (ShapedType::isDynamic(tokens))
    return op->emitOpError("needs a static token count to be decomposed"), failure();
  return tokens;
}

//===----------------------------------------------------------------------===//
// token_merge / token_unmerge
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeTokenMerge(Emitter &e, ir::TokenMergeOp op) {
  Value x = op.getInput(), metric = op.getMetric(), sizes = op.getSizes();
  FailureOr<int64_t> maybeTokens = staticTokens(op, x);
  if (failed(maybeTokens))
    return failure();
  int64_t tokens = *maybeTokens;
  Type elt = typeOf(x).getElementType(), i64 = e.b.getI64Type();
  int64_t numProtected = op.getProtectFirst() && tokens > 0 ? 1 : 0;
  int64_t merges = std::min<int64_t>(op.getR(), (tokens - numProtected) / 2);
  OpFoldResult batch = e.size(x, 0);
  SmallVector<OpFoldResult> tokenSizes = {batch, e.b.getIndexAttr(tokens)};

  // r = 0 is the identity, not a reordering into A then B.
  if (merges == 0) {
    Value index =
        e.generic(e.empty(tokenSizes, i64), {}, {e.identity(2)}, {P, P},
                  [](OpBuilder &b, Location l, ValueRange) { return loopIndex(b, l, 1); });
    return SmallVector<Value>{x, sizes ? sizes : e.filled(tokenSizes, elt, 1.0), index};
  }

  int64_t numA = (tokens + 1) / 2, numB = tokens / 2;
  int64_t numKeptA = numA - merges, numOut = tokens - merges;

  // Unit metric rows; a zero row stays zero, so its cosine with anything is 0.
  Value sumSq = e.reduceLast(metric, 0.0, [](OpBuilder &b, Location l, Value acc, Value v) {
    return arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, v, v)).getResult();
  });
  Value unit = e.generic(
      e.empty(e.sizes(metric), elt), {metric, sumSq},
      {e.identity(3), e.dims(3, {0, 1}), e.identity(3)}, {P, P, P},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value norm = math::SqrtOp::create(b, l, a[1]);
        Value zero = fconst(b, l, elt, 0.0);
        Value nonZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, norm, zero);
        return arith::SelectOp::create(b, l, nonZero, arith::DivFOp::create(b, l, a[0], norm), zero)
            .getResult();
      });

  // scores[b, a, j] = cos(token 2a, token 2j+1): A = even positions, B = odd.
  Value scores = e.generic(
      e.filled({batch, e.b.getIndexAttr(numA), e.b.getIndexAttr(numB)}, elt, 0.0), {unit, unit},
      {e.map(4, {e.d(0), e.d(1) * 2, e.d(3)}), e.map(4, {e.d(0), e.d(2) * 2 + 1, e.d(3)}),
       e.dims(4, {0, 1, 2})},
      {P, P, P, R}, mulAccumulate);

  // Each A token's best score; a protected one's is −∞ so that it ranks last.
  // Protection leaves at least one A token beyond the r' merged ones, and every
  // unprotected best is finite, so a protected token never merges.
  SmallVector<OpFoldResult> aSizes = {batch, e.b.getIndexAttr(numA)};
  Value best = e.generic(
      e.filled(aSizes, elt, kNegInf), {scores}, {e.identity(3), e.dims(3, {0, 1})}, {P, P, R},
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value max = arith::MaximumFOp::create(b, l, a[1], a[0]);
        if (numProtected == 0)
          return max;
        Value isProtected =
            cmpI(b, l, arith::CmpIPredicate::slt, loopIndex(b, l, 1), i64Const(b, l, numProtected));
        return arith::SelectOp::create(b, l, isProtected, fconst(b, l, elt, kNegInf), max);
      });
  // The lowest B index attaining the best score (the reference keeps the
  // first strict improvement). It is only read for merged A tokens, whose
  // best score is finite and so attained.
  Value match =
      e.generic(filledI64(e, aSizes, numB), {scores, best},
                {e.identity(3), e.dims(3, {0, 1}), e.dims(3, {0, 1})}, {P, P, R},
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value isBest = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a[0], a[1]);
                  Value candidate = arith::SelectOp::create(b, l, isBest, loopIndex(b, l, 2),
                                                            i64Const(b, l, numB));
                  return arith::MinSIOp::create(b, l, a[2], candidate).getResult();
                });

  // The r' A tokens ranked first by best score merge; the others keep their
  // order at the front of the output.
  Value rank = countWhere(e, best, precedes);
  Value keptBefore =
      countWhere(e, rank, [&](OpBuilder &b, Location l, Value u, Value t, Value rankU, Value) {
        Value keptU = cmpI(b, l, arith::CmpIPredicate::sge, rankU, i64Const(b, l, merges));
        return arith::AndIOp::create(b, l, cmpI(b, l, arith::CmpIPredicate::slt, u, t), keptU)
            .getResult();
      });
  // index[t]: an A token's slot as above, B token j's slot numKeptA + j.
  AffineMap aOfToken = e.map(2, {e.d(0), e.d(1).floorDiv(2)});
  Value index = e.generic(e.empty(tokenSizes, i64), {rank, keptBefore, match},
                          {aOfToken, aOfToken, aOfToken, e.identity(2)}, {P, P},
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            Value t = loopIndex(b, l, 1);
                            Value firstB = i64Const(b, l, numKeptA);
                            Value merged =
                                cmpI(b, l, arith::CmpIPredicate::slt, a[0], i64Const(b, l, merges));
                            Value aSlot = arith::SelectOp::create(
                                b, l, merged, arith::AddIOp::create(b, l, firstB, a[2]), a[1]);
                            Value half = arith::DivUIOp::create(b, l, t, i64Const(b, l, 2));
                            Value bSlot = arith::AddIOp::create(b, l, firstB, half);
                            Value odd = arith::TruncIOp::create(b, l, b.getI1Type(), t);
                            return arith::SelectOp::create(b, l, odd, bSlot, aSlot).getResult();
                          });

  // Sizes of the output tokens: the sums of their sources' sizes.
  SmallVector<Value> slotInputs = {index};
  SmallVector<AffineMap> slotMaps = {e.dims(3, {0, 2})};
  if (sizes) {
    slotInputs.push_back(sizes);
    slotMaps.push_back(e.dims(3, {0, 2}));
  }
  slotMaps.push_back(e.dims(3, {0, 1}));
  bool hasSizes = sizes != nullptr;
  Value total =
      e.generic(e.filled({batch, e.b.getIndexAttr(numOut)}, elt, 0.0), slotInputs, slotMaps,
                {P, P, R}, [&](OpBuilder &b, Location l, ValueRange a) {
                  Value size = hasSizes ? a[1] : fconst(b, l, elt, 1.0);
                  Value here = cmpI(b, l, arith::CmpIPredicate::eq, a[0], loopIndex(b, l, 1));
                  Value add = arith::SelectOp::create(b, l, here, size, fconst(b, l, elt, 0.0));
                  return arith::AddFOp::create(b, l, a.back(), add).getResult();
                });

  // weight[t] = s_t / Σ s over its slot. Weighting each source (rather than
  // dividing Σ s·x at the end) passes single-source tokens through exactly.
  SmallVector<Value> weightInputs = {index};
  if (sizes)
    weightInputs.push_back(sizes);
  SmallVector<AffineMap> weightMaps(weightInputs.size() + 1, e.identity(2));
  Value weight = e.generic(
      e.empty(tokenSizes, elt), weightInputs, weightMaps, {P, P},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value size = hasSizes ? a[1] : fconst(b, l, elt, 1.0);
        Value sum = tensor::ExtractOp::create(
            b, l, total, ValueRange{linalg::IndexOp::create(b, l, 0), toIndex(b, l, a[0])});
        Value zero = fconst(b, l, elt, 0.0);
        Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, sum, zero);
        return arith::SelectOp::create(b, l, empty, zero, arith::DivFOp::create(b, l, size, sum))
            .getResult();
      });

  // out[b, s, c] = Σ_t m[b, s, t] · x[b, t, c] with the merge matrix
  // m[b, s, t] = [index[t] = s] · weight[t]: a batched matrix product, which
  // the backends tile and vectorise like any contraction.
  Value matrix = e.generic(
      e.empty({batch, e.b.getIndexAttr(numOut), e.size(x, 1)}, elt), {index, weight},
      {e.dims(3, {0, 2}), e.dims(3, {0, 2}), e.identity(3)}, {P, P, P},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value here = cmpI(b, l, arith::CmpIPredicate::eq, a[0], loopIndex(b, l, 1));
        return arith::SelectOp::create(b, l, here, a[1], fconst(b, l, elt, 0.0)).getResult();
      });
  Value merged = e.generic(
      e.filled({batch, e.b.getIndexAttr(numOut), e.size(x, 2)}, elt, 0.0), {matrix, x},
      {e.dims(4, {0, 1, 3}), e.dims(4, {0, 3, 2}), e.dims(4, {0, 1, 2})}, {P, P, P, R},
      mulAccumulate);
  return SmallVector<Value>{merged, total, index};
}

/// out[b, t, :] = x[b, index[b, t], :], the index clamped into [0, T') so that
/// no read leaves x; the code icl-check-indices puts in front reports such
/// indices as run-time errors, as the reference evaluator does.
Value decomposeTokenUnmerge(Emitter &e, ir::TokenUnmergeOp op) {
  Value x = op.getInput(), index = op.getIndex();
  Value last = arith::SubIOp::create(
      e.b, e.loc, getValueOrCreateConstantIndexOp(e.b, e.loc, e.size(x, 1)), e.idx(1));
  return e.generic(
      e.empty({e.size(x, 0), e.size(index, 1), e.size(x, 2)}, typeOf(x).getElementType()), {index},
      {e.dims(3, {0, 1}), e.identity(3)}, {P, P, P}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value source = toIndex(b, l, a[0]);
        source = arith::MaxSIOp::create(b, l, arith::ConstantIndexOp::create(b, l, 0),
                                        arith::MinSIOp::create(b, l, source, last));
        return tensor::ExtractOp::create(b, l, x,
                                         ValueRange{linalg::IndexOp::create(b, l, 0), source,
                                                    linalg::IndexOp::create(b, l, 2)})
            .getResult();
      });
}

//===----------------------------------------------------------------------===//
// token_prune
//===----------------------------------------------------------------------===//

FailureOr<Value> decomposeTokenPrune(Emitter &e, ir::TokenPruneOp op) {
  Value x = op.getInput(), scores = op.getScores();
  FailureOr<int64_t> maybeTokens = staticTokens(op, x);
  if (failed(maybeTokens))
    return failure();
  int64_t tokens = *maybeTokens;
  std::optional<double> ratio;
  if (op.getKeepRatio())
    ratio = op.getKeepRatio()->convertToDouble();
  int64_t keep = ir::TokenPruneOp::keptTokens(op.getKeep(), ratio, tokens);
  if (keep > tokens)
    return op.emitOpError("cannot keep ") << keep << " of " << tokens << " tokens", failure();
  int64_t numProtected = op.getProtectFirst() && tokens > 0 ? 1 : 0;
  Type elt = typeOf(x).getElementType();
  OpFoldResult batch = e.size(x, 0), channels = e.size(x, 2);

  // The protected token is kept outright; the others compete for the rest.
  Value rank =
      countWhere(e, scores, [&](OpBuilder &b, Location l, Value u, Value t, Value su, Value st) {
        Value candidate = cmpI(b, l, arith::CmpIPredicate::sge, u, i64Const(b, l, numProtected));
        return arith::AndIOp::create(b, l, candidate, precedes(b, l, u, t, su, st)).getResult();
      });
  auto isKept = [&](OpBuilder &b, Location l, Value t, Value rankT) -> Value {
    Value isProtected = cmpI(b, l, arith::CmpIPredicate::slt, t, i64Const(b, l, numProtected));
    Value wins = cmpI(b, l, arith::CmpIPredicate::slt, rankT, i64Const(b, l, keep - numProtected));
    return arith::OrIOp::create(b, l, isProtected, wins);
  };
  // A kept token's output slot: the kept tokens before it, keeping position order.
  Value slot =
      countWhere(e, rank, [&](OpBuilder &b, Location l, Value u, Value t, Value rankU, Value) {
        return arith::AndIOp::create(b, l, cmpI(b, l, arith::CmpIPredicate::slt, u, t),
                                     isKept(b, l, u, rankU))
            .getResult();
      });
  // source[b, j]: the position of the token in slot j (exactly one matches).
  Value source = e.generic(filledI64(e, {batch, e.b.getIndexAttr(keep)}, 0), {rank, slot},
                           {e.dims(3, {0, 2}), e.dims(3, {0, 2}), e.dims(3, {0, 1})}, {P, P, R},
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             Value t = loopIndex(b, l, 2);
                             Value inSlot =
                                 cmpI(b, l, arith::CmpIPredicate::eq, a[1], loopIndex(b, l, 1));
                             Value hit = arith::AndIOp::create(b, l, isKept(b, l, t, a[0]), inSlot);
                             Value add = arith::SelectOp::create(b, l, hit, t, i64Const(b, l, 0));
                             return arith::AddIOp::create(b, l, a[2], add).getResult();
                           });
  Value kept = e.generic(
      e.empty({batch, e.b.getIndexAttr(keep), channels}, elt), {source},
      {e.dims(3, {0, 1}), e.identity(3)}, {P, P, P}, [&](OpBuilder &b, Location l, ValueRange a) {
        return tensor::ExtractOp::create(b, l, x,
                                         ValueRange{linalg::IndexOp::create(b, l, 0),
                                                    toIndex(b, l, a[0]),
                                                    linalg::IndexOp::create(b, l, 2)})
            .getResult();
      });
  if (!op.getFuse())
    return kept;

  // The fused token Σ_{pruned t} score_t · x_t (zeros when nothing is pruned).
  Value fused =
      e.generic(e.filled({batch, channels}, elt, 0.0), {rank, scores, x},
                {e.dims(3, {0, 2}), e.dims(3, {0, 2}), e.dims(3, {0, 2, 1}), e.dims(3, {0, 1})},
                {P, P, R}, [&](OpBuilder &b, Location l, ValueRange a) {
                  Value keptT = isKept(b, l, loopIndex(b, l, 2), a[0]);
                  Value add = arith::SelectOp::create(b, l, keptT, fconst(b, l, elt, 0.0),
                                                      arith::MulFOp::create(b, l, a[1], a[2]));
                  return arith::AddFOp::create(b, l, a[3], add).getResult();
                });
  SmallVector<OpFoldResult> zeros(3, e.b.getIndexAttr(0)), ones(3, e.b.getIndexAttr(1));
  Value result = e.empty({batch, e.b.getIndexAttr(keep + 1), channels}, elt);
  result = tensor::InsertSliceOp::create(e.b, e.loc, kept, result, zeros, e.sizes(kept), ones);
  SmallVector<OpFoldResult> fusedAt = {e.b.getIndexAttr(0), e.b.getIndexAttr(keep),
                                       e.b.getIndexAttr(0)};
  return tensor::InsertSliceOp::create(e.b, e.loc, fused, result, fusedAt,
                                       {batch, e.b.getIndexAttr(1), channels}, ones)
      .getResult();
}

//===----------------------------------------------------------------------===//
// token_pool / token_unpool
//===----------------------------------------------------------------------===//

FailureOr<Value> decomposeTokenPool(Emitter &e, ir::TokenPoolOp op) {
  Value x = op.getInput();
  FailureOr<int64_t> maybeTokens = staticTokens(op, x);
  if (failed(maybeTokens))
    return failure();
  int64_t tokens = *maybeTokens, segment = op.getSegment();
  int64_t pooled = (tokens + segment - 1) / segment;
  bool isMax = op.getKind() == ir::PoolKind::max;
  Type elt = typeOf(x).getElementType();
  double neutral = isMax ? kNegInf : 0.0;
  // Pad a short last segment with the reduction's neutral element, so that the
  // tokens fold into whole segments.
  Value padded = x;
  if (pooled * segment != tokens) {
    SmallVector<OpFoldResult> low(3, e.b.getIndexAttr(0)), high = low;
    high[1] = e.b.getIndexAttr(pooled * segment - tokens);
    padded = tensor::PadOp::create(e.b, e.loc, Type(), x, low, high, e.f(elt, neutral));
  }
  // View the tokens as [B, pooled, segment, C] and reduce the segment axis.
  OpFoldResult batch = e.size(x, 0), channels = e.size(x, 2);
  auto segmentsType = RankedTensorType::get(
      {typeOf(x).getDimSize(0), pooled, segment, typeOf(x).getDimSize(2)}, elt);
  Value segments = tensor::ExpandShapeOp::create(
      e.b, e.loc, segmentsType, padded, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}},
      SmallVector<OpFoldResult>{batch, e.b.getIndexAttr(pooled), e.b.getIndexAttr(segment),
                                channels});
  Value reduced = e.generic(e.filled({batch, e.b.getIndexAttr(pooled), channels}, elt, neutral),
                            {segments}, {e.dims(4, {0, 1, 3, 2}), e.dims(4, {0, 1, 2})},
                            {P, P, P, R}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                              if (isMax)
                                return arith::MaximumFOp::create(b, l, a[1], a[0]);
                              return arith::AddFOp::create(b, l, a[1], a[0]);
                            });
  if (isMax)
    return reduced;
  // The mean of each segment is over its own tokens: min(S, T − p·S).
  return e.map(reduced, reduced, elt, [&](OpBuilder &b, Location l, ValueRange a) {
    Value begin = arith::MulIOp::create(b, l, loopIndex(b, l, 1), i64Const(b, l, segment));
    Value count = arith::MinSIOp::create(
        b, l, i64Const(b, l, segment), arith::SubIOp::create(b, l, i64Const(b, l, tokens), begin));
    return arith::DivFOp::create(b, l, a[0], arith::SIToFPOp::create(b, l, elt, count)).getResult();
  });
}

FailureOr<Value> decomposeTokenUnpool(Emitter &e, ir::TokenUnpoolOp op) {
  Value x = op.getInput();
  // The verifier ties a static pooled count to ceil(length / segment), which
  // keeps every read of x in bounds.
  if (failed(staticTokens(op, x)))
    return failure();
  int64_t segment = op.getSegment();
  return e.generic(e.empty({e.size(x, 0), e.b.getIndexAttr(op.getLength()), e.size(x, 2)},
                           typeOf(x).getElementType()),
                   {x}, {e.map(3, {e.d(0), e.d(1).floorDiv(segment), e.d(2)}), e.identity(3)},
                   {P, P, P}, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

} // namespace

//===----------------------------------------------------------------------===//
// AggregatedOpInterface
//===----------------------------------------------------------------------===//

namespace mlir::icl {

FailureOr<SmallVector<Value>> TokenMergeOp::decomposeOperation(OpBuilder &b) {
  Emitter e(b, getLoc());
  return decomposeTokenMerge(e, *this);
}

#define ICL_DECOMPOSE(OP, FN)                                                                      \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {                             \
    Emitter e(b, getLoc());                                                                        \
    return asResults(FN(e, *this));                                                                \
  }
ICL_DECOMPOSE(TokenUnmergeOp, decomposeTokenUnmerge)
ICL_DECOMPOSE(TokenPruneOp, decomposeTokenPrune)
ICL_DECOMPOSE(TokenPoolOp, decomposeTokenPool)
ICL_DECOMPOSE(TokenUnpoolOp, decomposeTokenUnpool)
#undef ICL_DECOMPOSE

} // namespace mlir::icl
