//===- IclDecompose.cpp - icl ops -> linalg/tensor/scf on tensors ---------===//
//
// Each icl op's AggregatedOpInterface::decomposeOperation: upstream ops with
// value semantics that compute exactly its OPS.md math. Contractions and reductions are linalg.generic ops so the
// target pipelines can tile, fuse and vectorize them; the reference evaluator
// is the oracle of every decomposition (test/e2e).
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/LinalgBuilder.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::icl::detail;
namespace ir = mlir::icl;
using utils::IteratorType;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

//===----------------------------------------------------------------------===//
// Dense building blocks
//===----------------------------------------------------------------------===//

Value decomposeActivation(Emitter &e, ir::ActivationOp op) {
  ir::Activation kind = op.getKind();
  return e.map(op.getInput(), op.getInput(), typeOf(op.getInput()).getElementType(),
               [&](OpBuilder &b, Location l, ValueRange a) { return activate(b, l, kind, a[0]); });
}

/// `x` (computed in the accumulator type) rounded to the storage type.
Value toStorage(Emitter &e, Value x, Type storage) {
  if (typeOf(x).getElementType() == storage)
    return x;
  return e.map(x, x, storage, [&](OpBuilder &b, Location l, ValueRange a) {
    return arith::TruncFOp::create(b, l, storage, a[0]).getResult();
  });
}

/// x · wᵀ + b as one contraction over x's leading dims, its rows (m), the
/// output features (n) and the input features (k), with w transposed to
/// [K, N] and accumulating into the broadcast bias. Keeping x's leading dims
/// (no collapse to [M, K]) leaves the linear in the index space of the
/// elementwise ops and norms around it, so tile-and-fuse can group them.
Value decomposeLinear(Emitter &e, ir::LinearOp op) {
  Value x = op.getInput(), w = op.getWeight();
  auto xType = typeOf(x);
  unsigned rank = xType.getRank();
  Type elt = xType.getElementType();
  Value x2 = x;
  SmallVector<ReassociationIndices> reassoc;
  if (rank == 1) {
    // A single row: [K] -> [1, K].
    reassoc = {{0, 1}};
    x2 = tensor::ExpandShapeOp::create(
        e.b, e.loc, RankedTensorType::get({1, xType.getDimSize(0)}, elt), x, reassoc,
        SmallVector<OpFoldResult>{e.b.getIndexAttr(1), e.size(x, 0)});
  }
  unsigned outRank = std::max(rank, 2u), loops = outRank + 1;
  SmallVector<OpFoldResult> outSizes = e.sizes(x2);
  outSizes.back() = e.size(w, 0);
  // Loops: (leading..., n, k) with n = outRank - 1 and k = outRank.
  SmallVector<unsigned> rowDims, xDims, outDims;
  for (unsigned i = 0; i + 1 < outRank; ++i)
    rowDims.push_back(i);
  xDims = rowDims;
  xDims.push_back(outRank);
  outDims = rowDims;
  outDims.push_back(outRank - 1);
  // bf16/f16 products accumulate in f32; the result is rounded once.
  Type acc = accumulatorType(elt);
  Value init;
  if (Value bias = op.getBias())
    init = e.generic(e.empty(outSizes, acc), {bias}, {e.dims(outRank, {outRank - 1}),
                                                      e.identity(outRank)},
                     SmallVector<IteratorType>(outRank, IteratorType::parallel),
                     [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                       return a[0].getType() == acc ? a[0]
                                                    : arith::ExtFOp::create(b, l, acc, a[0]);
                     });
  else
    init = e.filled(outSizes, acc, 0.0);
  // Transposing w to [K, N] makes the vectorised inner loop read contiguous
  // rows of N; for constant weights the transpose folds at compile time.
  Value wT = e.transpose(w, {1, 0});
  SmallVector<IteratorType> iters(loops, IteratorType::parallel);
  iters.back() = IteratorType::reduction;
  Value y = e.generic(init, {x2, wT},
                      {e.dims(loops, xDims), e.dims(loops, {outRank, outRank - 1}),
                       e.dims(loops, outDims)},
                      iters, mulAccumulate);
  y = toStorage(e, y, elt);
  if (rank == 1)
    return tensor::CollapseShapeOp::create(e.b, e.loc, y, reassoc);
  return y;
}

Value sumLast(Emitter &e, Value x) {
  return e.reduceLast(x, 0.0, [](OpBuilder &b, Location l, Value acc, Value v) {
    return arith::AddFOp::create(b, l, acc, v).getResult();
  });
}

/// The normalisations share this: out = (x − mean?) · rsqrt(meanSquares + eps) · γ + β.
Value normalize(Emitter &e, Value x, Value gamma, Value beta, double eps, bool center) {
  auto type = typeOf(x);
  unsigned rank = type.getRank();
  Type elt = type.getElementType();
  Value channels = arith::IndexCastOp::create(
      e.b, e.loc, e.b.getI64Type(), getValueOrCreateConstantIndexOp(e.b, e.loc, e.size(x, -1)));
  Value count = arith::SIToFPOp::create(e.b, e.loc, elt, channels);
  SmallVector<unsigned> rows;
  for (unsigned i = 0; i + 1 < rank; ++i)
    rows.push_back(i);
  AffineMap rowMap = e.dims(rank, rows), chanMap = e.dims(rank, {rank - 1});
  auto par = SmallVector<IteratorType>(rank, IteratorType::parallel);

  Value centered = x, mean;
  if (center) {
    mean = sumLast(e, x);
    centered = e.generic(e.empty(e.sizes(x), elt), {x, mean}, {e.identity(rank), rowMap,
                         e.identity(rank)}, par, [&](OpBuilder &b, Location l, ValueRange a) {
      return arith::SubFOp::create(b, l, a[0], arith::DivFOp::create(b, l, a[1], count))
          .getResult();
    });
  }
  Value squares = e.map(x, centered, elt, [](OpBuilder &b, Location l, ValueRange a) {
    return arith::MulFOp::create(b, l, a[0], a[0]).getResult();
  });
  Value sumSq = sumLast(e, squares);
  SmallVector<Value> inputs = {centered, sumSq};
  SmallVector<AffineMap> maps = {e.identity(rank), rowMap};
  if (gamma) {
    inputs.push_back(gamma);
    maps.push_back(chanMap);
  }
  if (beta) {
    inputs.push_back(beta);
    maps.push_back(chanMap);
  }
  maps.push_back(e.identity(rank));
  bool hasGamma = gamma != nullptr, hasBeta = beta != nullptr;
  return e.generic(e.empty(e.sizes(x), elt), inputs, maps, par,
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value var = arith::DivFOp::create(b, l, a[1], count);
                     Value rstd = math::RsqrtOp::create(
                         b, l, arith::AddFOp::create(b, l, var, fconst(b, l, elt, eps)));
                     Value y = arith::MulFOp::create(b, l, a[0], rstd);
                     if (hasGamma)
                       y = arith::MulFOp::create(b, l, y, a[2]);
                     if (hasBeta)
                       y = arith::AddFOp::create(b, l, y, a[hasGamma ? 3 : 2]);
                     return y;
                   });
}

Value decomposeLayerNorm(Emitter &e, ir::LayerNormOp op) {
  return normalize(e, op.getInput(), op.getGamma(), op.getBeta(), op.getEps().convertToDouble(),
                   /*center=*/true);
}

Value decomposeRmsNorm(Emitter &e, ir::RmsNormOp op) {
  return normalize(e, op.getInput(), op.getGamma(), nullptr, op.getEps().convertToDouble(),
                   /*center=*/false);
}

FailureOr<Value> decomposeGatedRmsNorm(Emitter &e, ir::GatedRmsNormOp op) {
  Value y = op.getInput();
  auto type = typeOf(y);
  int64_t channels = type.getDimSize(type.getRank() - 1);
  int64_t group = op.getGroupSize() ? static_cast<int64_t>(op.getGroupSize()) : channels;
  if (ShapedType::isDynamic(channels))
    return op.emitOpError("needs a static channel count to be decomposed"), failure();
  Value gated = e.map(y, ValueRange{y, op.getGate()}, type.getElementType(),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        return arith::MulFOp::create(
                                   b, l, a[0],
                                   arith::MulFOp::create(b, l, a[1], sigmoid(b, l, a[1])))
                            .getResult();
                      });
  // Split channels into [C/G, G] so the RMS runs per group, then merge back.
  unsigned rank = type.getRank();
  SmallVector<ReassociationIndices> reassoc;
  for (unsigned i = 0; i + 1 < rank; ++i)
    reassoc.push_back({i});
  reassoc.push_back({rank - 1, rank});
  SmallVector<int64_t> splitShape(type.getShape());
  splitShape.back() = channels / group;
  splitShape.push_back(group);
  SmallVector<OpFoldResult> splitSizes = e.sizes(y);
  splitSizes.back() = e.b.getIndexAttr(channels / group);
  splitSizes.push_back(e.b.getIndexAttr(group));
  auto splitType = RankedTensorType::get(splitShape, type.getElementType());
  Value split = tensor::ExpandShapeOp::create(e.b, e.loc, splitType, gated, reassoc, splitSizes);
  Value normed = normalize(e, split, nullptr, nullptr, op.getEps().convertToDouble(), false);
  Value merged = tensor::CollapseShapeOp::create(e.b, e.loc, type, normed, reassoc);
  if (!op.getGamma())
    return merged;
  return e.generic(e.empty(e.sizes(y), type.getElementType()), {merged, op.getGamma()},
                   {e.identity(rank), e.dims(rank, {rank - 1}), e.identity(rank)},
                   SmallVector<IteratorType>(rank, IteratorType::parallel),
                   [](OpBuilder &b, Location l, ValueRange a) {
                     return arith::MulFOp::create(b, l, a[0], a[1]).getResult();
                   });
}

/// Softmax along `axis`; a slice that is all −∞ gives zeros.
Value softmaxAlong(Emitter &e, Value x, int64_t axis) {
  auto type = typeOf(x);
  unsigned rank = type.getRank();
  Type elt = type.getElementType();
  unsigned ax = axis < 0 ? axis + rank : axis;
  SmallVector<unsigned> kept;
  SmallVector<OpFoldResult> keptSizes, all = e.sizes(x);
  for (unsigned i = 0; i < rank; ++i)
    if (i != ax) {
      kept.push_back(i);
      keptSizes.push_back(all[i]);
    }
  SmallVector<IteratorType> red(rank, IteratorType::parallel), par = red;
  red[ax] = IteratorType::reduction;
  AffineMap keptMap = e.dims(rank, kept), id = e.identity(rank);
  double ninf = -std::numeric_limits<double>::infinity();
  Value max = e.generic(e.filled(keptSizes, elt, ninf), {x}, {id, keptMap}, red,
                        [](OpBuilder &b, Location l, ValueRange a) {
                          return arith::MaximumFOp::create(b, l, a[1], a[0]).getResult();
                        });
  Value exps = e.generic(e.empty(all, elt), {x, max}, {id, keptMap, id}, par,
                         [&](OpBuilder &b, Location l, ValueRange a) {
                           // exp(−∞ − −∞) would be NaN: a fully masked slice gives 0.
                           Value isMasked = arith::CmpFOp::create(
                               b, l, arith::CmpFPredicate::OEQ, a[1], fconst(b, l, elt, ninf));
                           Value ex = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                           return arith::SelectOp::create(b, l, isMasked, fconst(b, l, elt, 0.0), ex)
                               .getResult();
                         });
  Value sum = e.generic(e.filled(keptSizes, elt, 0.0), {exps}, {id, keptMap}, red,
                        accumulate);
  return e.generic(e.empty(all, elt), {exps, sum}, {id, keptMap, id}, par,
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value zero = fconst(b, l, elt, 0.0);
                     Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a[1], zero);
                     Value q = arith::DivFOp::create(b, l, a[0], a[1]);
                     return arith::SelectOp::create(b, l, isZero, zero, q).getResult();
                   });
}

Value decomposeSoftmax(Emitter &e, ir::SoftmaxOp op) {
  return softmaxAlong(e, op.getInput(), static_cast<int64_t>(op.getAxis()));
}

/// A gather: out[..., c] = table[clamp(ids[...]), c]. Ids are clamped so no
/// read leaves the table; the code icl-check-indices puts in front reports
/// them as run-time errors (docs/runtime.md).
Value decomposeEmbedding(Emitter &e, ir::EmbeddingOp op) {
  Value table = op.getTable(), ids = op.getIds();
  unsigned idRank = typeOf(ids).getRank(), rank = idRank + 1;
  SmallVector<OpFoldResult> outSizes = e.sizes(ids);
  outSizes.push_back(e.size(table, 1));
  SmallVector<unsigned> idDims;
  for (unsigned i = 0; i < idRank; ++i)
    idDims.push_back(i);
  Value vocab = getValueOrCreateConstantIndexOp(e.b, e.loc, e.size(table, 0));
  Type elt = typeOf(table).getElementType();
  return e.generic(e.empty(outSizes, elt), {ids}, {e.dims(rank, idDims), e.identity(rank)},
                   SmallVector<IteratorType>(rank, IteratorType::parallel),
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value id = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
                     Value zero = arith::ConstantIndexOp::create(b, l, 0);
                     Value last = arith::SubIOp::create(b, l, vocab,
                                                        arith::ConstantIndexOp::create(b, l, 1));
                     id = arith::MaxSIOp::create(b, l, zero, arith::MinSIOp::create(b, l, id, last));
                     Value c = linalg::IndexOp::create(b, l, idRank);
                     return tensor::ExtractOp::create(b, l, table, ValueRange{id, c}).getResult();
                   });
}

FailureOr<Value> decomposeRope(Emitter &e, ir::RopeOp op) {
  Value x = op.getInput(), pos = op.getPositions();
  auto type = typeOf(x);
  Type elt = type.getElementType();
  int64_t headDim = type.getDimSize(3);
  if (!op.getRotaryDim() && ShapedType::isDynamic(headDim))
    return op.emitOpError("needs a static head dim or rotary_dim to be decomposed"), failure();
  int64_t rotary = op.getRotaryDim() ? static_cast<int64_t>(*op.getRotaryDim()) : headDim;
  int64_t half = rotary / 2;
  bool interleaved = op.getStyle() == ir::RopeStyle::interleaved;
  double logBase = std::log(op.getBase().convertToDouble());
  AffineMap posMap = typeOf(pos).getRank() == 1 ? e.dims(4, {2}) : e.dims(4, {0, 2});
  return e.generic(e.empty(e.sizes(x), elt), {x, pos}, {e.identity(4), posMap, e.identity(4)},
                   SmallVector<IteratorType>(4, IteratorType::parallel),
                   [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                     auto ci = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
                     Value bi = linalg::IndexOp::create(b, l, 0), hi = linalg::IndexOp::create(b, l, 1);
                     Value ti = linalg::IndexOp::create(b, l, 2), di = linalg::IndexOp::create(b, l, 3);
                     // Pair index i, partner channel and whether d is the first of its pair.
                     Value first, pairIdx, partner;
                     if (interleaved) {
                       Value rem = arith::RemUIOp::create(b, l, di, ci(2));
                       first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rem, ci(0));
                       pairIdx = arith::DivUIOp::create(b, l, di, ci(2));
                       partner = arith::SelectOp::create(b, l, first, arith::AddIOp::create(b, l, di, ci(1)),
                                                         arith::SubIOp::create(b, l, di, ci(1)));
                     } else {
                       first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, di, ci(half));
                       pairIdx = arith::SelectOp::create(b, l, first, di,
                                                         arith::SubIOp::create(b, l, di, ci(half)));
                       partner = arith::SelectOp::create(b, l, first, arith::AddIOp::create(b, l, di, ci(half)),
                                                         arith::SubIOp::create(b, l, di, ci(half)));
                     }
                     Value rotated = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, di, ci(rotary));
                     // Keep the partner index in bounds for pass-through channels.
                     partner = arith::SelectOp::create(b, l, rotated, partner, di);
                     Value other = tensor::ExtractOp::create(b, l, x, ValueRange{bi, hi, ti, partner});
                     Value iF = arith::SIToFPOp::create(
                         b, l, elt, arith::IndexCastOp::create(b, l, b.getI64Type(), pairIdx));
                     Value p = arith::SIToFPOp::create(b, l, elt, a[1]);
                     Value freq = math::ExpOp::create(
                         b, l, arith::MulFOp::create(b, l, iF, fconst(b, l, elt, -2.0 * logBase / rotary)));
                     Value angle = arith::MulFOp::create(b, l, p, freq);
                     Value cos = math::CosOp::create(b, l, angle), sin = math::SinOp::create(b, l, angle);
                     Value xs = arith::MulFOp::create(b, l, other, sin);
                     Value xc = arith::MulFOp::create(b, l, a[0], cos);
                     Value out = arith::SelectOp::create(b, l, first, arith::SubFOp::create(b, l, xc, xs),
                                                         arith::AddFOp::create(b, l, xc, xs));
                     return arith::SelectOp::create(b, l, rotated, out, a[0]);
                   });
}

/// Left-pads the time axis with W−1 zeros, then a windowed contraction.
FailureOr<Value> decomposeCausalConv1d(Emitter &e, ir::CausalConv1dOp op) {
  Value x = op.getInput(), w = op.getWeight();
  auto type = typeOf(x);
  Type elt = type.getElementType();
  int64_t width = typeOf(w).getDimSize(1);
  if (ShapedType::isDynamic(width))
    return op.emitOpError("needs a static kernel width to be decomposed"), failure();
  SmallVector<OpFoldResult> low = {e.b.getIndexAttr(0), e.b.getIndexAttr(0),
                                   e.b.getIndexAttr(width - 1)};
  SmallVector<OpFoldResult> high(3, e.b.getIndexAttr(0));
  Value padded = tensor::PadOp::create(e.b, e.loc, Type(), x, low, high, e.f(elt, 0.0));
  Value init;
  if (Value bias = op.getBias())
    init = e.generic(e.empty(e.sizes(x), elt), {bias}, {e.dims(3, {1}), e.identity(3)},
                     SmallVector<IteratorType>(3, IteratorType::parallel),
                     [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  else
    init = e.filled(e.sizes(x), elt, 0.0);
  // Loops (b, c, t, k): out[b,c,t] += padded[b,c,t+k] · w[c,k].
  Value conv = e.generic(init, {padded, w},
                         {e.map(4, {e.d(0), e.d(1), e.d(2) + e.d(3)}), e.dims(4, {1, 3}),
                          e.dims(4, {0, 1, 2})},
                         {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
                          IteratorType::reduction},
                         mulAccumulate);
  ir::Activation act = op.getActivation();
  if (act == ir::Activation::none)
    return conv;
  return e.map(conv, conv, elt,
               [&](OpBuilder &b, Location l, ValueRange a) { return activate(b, l, act, a[0]); });
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// What the logits of a block of keys are computed from: the block's keys
/// (and its slices of the mask and key sizes), where the block starts among
/// all keys, and how many keys the causal alignment counts.
struct LogitsInputs {
  Value q, k, mask, sizes;
  double scale;
  ir::MaskKind kind;
  int64_t window, group;
  OpFoldResult keyOffset, totalKeys;
};

/// The logits inputs of an attention-like op over all its keys, which are
/// positions [kvOffset, kvOffset + Skv) of `kvLength` keys (null or 0: Skv).
template <typename OpTy>
FailureOr<LogitsInputs> logitsInputs(Emitter &e, OpTy op, OpFoldResult kvOffset = nullptr,
                                     OpFoldResult kvLength = nullptr) {
  Value q = op.getQuery(), k = op.getKey();
  int64_t hq = typeOf(q).getDimSize(1), hkv = typeOf(k).getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return op.emitOpError("needs static head counts to be decomposed"), failure();
  std::optional<double> scale = softmaxScale(op);
  if (!scale)
    return op.emitOpError("needs a static head dim or an explicit scale to be decomposed"),
           failure();
  return LogitsInputs{q,
                      k,
                      op.getMask(),
                      op.getKeySizes(),
                      *scale,
                      op.getMaskKind(),
                      op.getWindow() ? static_cast<int64_t>(*op.getWindow()) : 0,
                      hq / hkv,
                      kvOffset ? kvOffset : e.b.getIndexAttr(0),
                      kvLength && !isConstantIntValue(kvLength, 0) ? kvLength : e.size(k, 2)};
}

/// Scaled, masked logits s[B,Hq,Sq,Skv] (f32 for bf16/f16 storage).
Value attentionLogits(Emitter &e, const LogitsInputs &in) {
  Value q = in.q, k = in.k;
  Type elt = accumulatorType(typeOf(q).getElementType());
  SmallVector<OpFoldResult> sSizes = {e.size(q, 0), e.size(q, 1), e.size(q, 2), e.size(k, 2)};
  // kᵀ[b,h,d,j] makes the vectorised inner loop read contiguous rows of keys.
  Value kT = e.transpose(k, {0, 1, 3, 2});
  // Loops (b, h, i, j, d): s[b,h,i,j] += q[b,h,i,d] · kᵀ[b,h/G,d,j].
  Value dots = e.generic(e.filled(sSizes, elt, 0.0), {q, kT},
                         {e.dims(5, {0, 1, 2, 4}),
                          e.map(5, {e.d(0), e.d(1).floorDiv(in.group), e.d(4), e.d(3)}),
                          e.dims(5, {0, 1, 2, 3})},
                         {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
                          IteratorType::parallel, IteratorType::reduction},
                         mulAccumulate);

  SmallVector<Value> inputs = {dots};
  SmallVector<AffineMap> maps = {e.identity(4)};
  if (Value mask = in.mask) {
    // Numpy broadcasting: size-1 (or missing) dims read index 0.
    auto mType = typeOf(mask);
    unsigned offset = 4 - mType.getRank();
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < mType.getRank(); ++i)
      exprs.push_back(mType.getDimSize(i) == 1 ? getAffineConstantExpr(0, e.ctx) : e.d(offset + i));
    inputs.push_back(mask);
    maps.push_back(e.map(4, exprs));
  }
  if (Value sizes = in.sizes) {
    // log s_k once per key, not once per score.
    Value logSizes = e.map(sizes, sizes, elt, [&](OpBuilder &b, Location l, ValueRange a) {
      Value s = a[0].getType() == elt ? a[0] : arith::ExtFOp::create(b, l, elt, a[0]).getResult();
      return math::LogOp::create(b, l, s).getResult();
    });
    inputs.push_back(logSizes);
    maps.push_back(e.dims(4, {0, 3}));
  }
  maps.push_back(e.identity(4));
  ir::MaskKind kind = in.kind;
  int64_t window = in.window;
  double scale = in.scale;
  Value sq = getValueOrCreateConstantIndexOp(e.b, e.loc, e.size(q, 2));
  Value total = getValueOrCreateConstantIndexOp(e.b, e.loc, in.totalKeys);
  Value keyOffset = getValueOrCreateConstantIndexOp(e.b, e.loc, in.keyOffset);
  bool hasMask = in.mask != nullptr, hasSizes = in.sizes != nullptr;
  if (scale == 1.0 && !hasMask && !hasSizes && kind == ir::MaskKind::none)
    return dots;
  return e.generic(e.empty(sSizes, elt), inputs, maps,
                   SmallVector<IteratorType>(4, IteratorType::parallel),
                   [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value s = a[0];
                     if (scale != 1.0)
                       s = arith::MulFOp::create(b, l, s, fconst(b, l, elt, scale));
                     unsigned next = 1;
                     if (hasMask) {
                       Value m = a[next++];
                       if (m.getType() != elt)
                         m = arith::ExtFOp::create(b, l, elt, m);
                       s = arith::AddFOp::create(b, l, s, m);
                     }
                     if (hasSizes)
                       s = arith::AddFOp::create(b, l, s, a[next++]);
                     if (kind == ir::MaskKind::none)
                       return s;
                     // Query i sees global key j iff j <= i + total - Sq (and,
                     // with a window, i + total - Sq - j < w).
                     Value i = linalg::IndexOp::create(b, l, 2);
                     Value j = arith::AddIOp::create(b, l, linalg::IndexOp::create(b, l, 3), keyOffset);
                     Value last = arith::SubIOp::create(b, l, arith::AddIOp::create(b, l, i, total), sq);
                     Value lastI = arith::IndexCastOp::create(b, l, b.getI64Type(), last);
                     Value jI = arith::IndexCastOp::create(b, l, b.getI64Type(), j);
                     Value visible = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, jI, lastI);
                     if (kind == ir::MaskKind::sliding_window) {
                       Value dist = arith::SubIOp::create(b, l, lastI, jI);
                       Value inWindow = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::slt, dist,
                           arith::ConstantIntOp::create(b, l, b.getI64Type(), window));
                       visible = arith::AndIOp::create(b, l, visible, inWindow);
                     }
                     Value ninf = fconst(b, l, elt, -std::numeric_limits<double>::infinity());
                     return arith::SelectOp::create(b, l, visible, s, ninf);
                   });
}

/// out[b,h,i,e] + Σ_j p[b,h,i,j] · v[b,h/G,j,e], from zeros when `out` is null.
Value weightedValues(Emitter &e, Value p, Value v, int64_t group, Value out = nullptr) {
  Type elt = typeOf(p).getElementType(); // the accumulator type of the logits
  if (!out)
    out = e.filled({e.size(p, 0), e.size(p, 1), e.size(p, 2), e.size(v, 3)}, elt, 0.0);
  return e.generic(out, {p, v},
                   {e.dims(5, {0, 1, 2, 4}),
                    e.map(5, {e.d(0), e.d(1).floorDiv(group), e.d(4), e.d(3)}),
                    e.dims(5, {0, 1, 2, 3})},
                   {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
                    IteratorType::parallel, IteratorType::reduction},
                   mulAccumulate);
}

FailureOr<Value> decomposeAttention(Emitter &e, ir::AttentionOp op) {
  FailureOr<LogitsInputs> in = logitsInputs(e, op);
  if (failed(in))
    return failure();
  Value p = softmaxAlong(e, attentionLogits(e, *in), 3);
  Value o = weightedValues(e, p, op.getValue(), in->group);
  return toStorage(e, o, op.getType().getElementType());
}

//===----------------------------------------------------------------------===//
// Attention with an online softmax over blocks of keys
//===----------------------------------------------------------------------===//

/// The running state of an online softmax: per row the largest logit so far
/// (m), the sum of e^{s−m} (ℓ) and the unnormalised output Σ e^{s−m}·v (o).
struct OnlineState {
  Value o, m, l;
};

/// The state before any key: o = 0, m = −∞, ℓ = 0, in `elt`.
OnlineState emptyState(Emitter &e, Value q, Value v, Type elt) {
  SmallVector<OpFoldResult> rows = {e.size(q, 0), e.size(q, 1), e.size(q, 2)};
  SmallVector<OpFoldResult> out = rows;
  out.push_back(e.size(v, 3));
  return {e.filled(out, elt, 0.0), e.filled(rows, elt, -std::numeric_limits<double>::infinity()),
          e.filled(rows, elt, 0.0)};
}

/// What an online softmax steps over: the keys and values and the masks
/// indexed by key.
struct KeyOperands {
  Value k, v, mask, sizes;
};

/// `x` restricted to keys [offset, offset + length) along `dim`.
Value keySlice(Emitter &e, Value x, unsigned dim, OpFoldResult offset, OpFoldResult length) {
  unsigned rank = typeOf(x).getRank();
  SmallVector<OpFoldResult> offsets(rank, e.b.getIndexAttr(0)), sizes = e.sizes(x),
      strides(rank, e.b.getIndexAttr(1));
  offsets[dim] = offset;
  sizes[dim] = length;
  return tensor::ExtractSliceOp::create(e.b, e.loc, x, offsets, sizes, strides);
}

/// The keys [offset, offset + length) of `keys`.
KeyOperands keyBlock(Emitter &e, const KeyOperands &keys, OpFoldResult offset, OpFoldResult length) {
  KeyOperands block = keys;
  block.k = keySlice(e, keys.k, 2, offset, length);
  block.v = keySlice(e, keys.v, 2, offset, length);
  if (keys.mask) {
    // A mask that broadcasts over keys (size-1 or no key dim) is read whole.
    auto mType = typeOf(keys.mask);
    if (mType.getRank() > 0 && mType.getDimSize(mType.getRank() - 1) != 1)
      block.mask = keySlice(e, keys.mask, mType.getRank() - 1, offset, length);
  }
  if (keys.sizes)
    block.sizes = keySlice(e, keys.sizes, 1, offset, length);
  return block;
}

/// `state` advanced over the keys of `block`, which start `offset` keys after
/// those of `in` (whose key fields are replaced by the block's).
OnlineState onlineStep(Emitter &e, LogitsInputs in, const KeyOperands &block, OpFoldResult offset,
                       OnlineState state) {
  in.k = block.k;
  in.mask = block.mask;
  in.sizes = block.sizes;
  // (An addi, not a composed affine.apply: `offset` may be the induction
  // variable of a loop still being built.)
  if (!isConstantIntValue(offset, 0))
    in.keyOffset = isConstantIntValue(in.keyOffset, 0)
                       ? offset
                       : OpFoldResult(arith::AddIOp::create(
                             e.b, e.loc, getValueOrCreateConstantIndexOp(e.b, e.loc, in.keyOffset),
                             getValueOrCreateConstantIndexOp(e.b, e.loc, offset)));
  Value s = attentionLogits(e, in);
  Type elt = typeOf(s).getElementType();
  double ninf = -std::numeric_limits<double>::infinity();
  AffineMap id4 = e.identity(4), rows = e.dims(4, {0, 1, 2}), id3 = e.identity(3);
  SmallVector<IteratorType> overKeys(4, IteratorType::parallel), par4 = overKeys,
      par3(3, IteratorType::parallel);
  overKeys[3] = IteratorType::reduction;
  auto isNegInf = [&](OpBuilder &b, Location l, Value x) -> Value {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, fconst(b, l, elt, ninf));
  };
  // Each new state is written over the old one (in place once bufferized,
  // so the loop carries the same buffers from step to step).
  // The block's row maxima, and α = e^{m−m'} with m' = max(m, block max),
  // which rescales what was summed under the old maximum (0 while every key
  // so far was masked: o and ℓ are still 0).
  // (maxnumf: a NaN logit reaches the output through its exponential anyway,
  // and a NaN-propagating maximum costs a compare and blend per vector.)
  Value blockMax = e.reduceLast(s, ninf, [](OpBuilder &b, Location l, Value acc, Value x) {
    return arith::MaxNumFOp::create(b, l, acc, x).getResult();
  });
  Value alpha = e.generic(e.empty(e.sizes(blockMax), elt), {state.m, blockMax}, {id3, id3, id3},
                          par3, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                            Value next = arith::MaximumFOp::create(b, l, a[0], a[1]);
                            Value ex = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], next));
                            return arith::SelectOp::create(b, l, isNegInf(b, l, a[0]),
                                                           fconst(b, l, elt, 0.0), ex);
                          });
  Value m = e.generic(state.m, {blockMax}, {id3, id3}, par3, [](OpBuilder &b, Location l, ValueRange a) {
    return arith::MaximumFOp::create(b, l, a[1], a[0]).getResult();
  });
  // p = e^{s−m'} over the logits, 0 in rows where every key so far is masked.
  Value p = e.generic(s, {m}, {rows, id4}, par4, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value ex = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[1], a[0]));
    return arith::SelectOp::create(b, l, isNegInf(b, l, a[0]), fconst(b, l, elt, 0.0), ex);
  });
  // ℓ' = α·ℓ + Σ_j p, o' = α·o + p·v.
  auto rescale = [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(b, l, a[1], a[0]);
  };
  Value l = e.generic(e.generic(state.l, {alpha}, {id3, id3}, par3, rescale), {p}, {id4, rows},
                      overKeys, accumulate);
  Value o = e.generic(state.o, {alpha}, {rows, id4}, par4, rescale);
  return {weightedValues(e, p, block.v, in.group, o), m, l};
}

/// `state` advanced over all of `keys` in blocks of `keyTile`: whole blocks in
/// an scf.for, then the rest (if any) once.
OnlineState onlineLoop(Emitter &e, const LogitsInputs &in, const KeyOperands &keys, int64_t keyTile,
                       OnlineState state) {
  AffineExpr s0;
  bindSymbols(e.ctx, s0);
  OpFoldResult count = e.size(keys.k, 2);
  OpFoldResult whole = affine::makeComposedFoldedAffineApply(
      e.b, e.loc, s0.floorDiv(keyTile) * keyTile, {count});
  OpFoldResult rest = affine::makeComposedFoldedAffineApply(e.b, e.loc, s0 % keyTile, {count});
  if (getConstantIntValue(whole) != 0) {
    auto loop = scf::ForOp::create(
        e.b, e.loc, e.idx(0), getValueOrCreateConstantIndexOp(e.b, e.loc, whole), e.idx(keyTile),
        ValueRange{state.o, state.m, state.l},
        [&](OpBuilder &nb, Location nl, Value offset, ValueRange carried) {
          Emitter inner(nb, nl);
          OnlineState next =
              onlineStep(inner, in, keyBlock(inner, keys, offset, nb.getIndexAttr(keyTile)), offset,
                         {carried[0], carried[1], carried[2]});
          scf::YieldOp::create(nb, nl, ValueRange{next.o, next.m, next.l});
        });
    state = {loop.getResult(0), loop.getResult(1), loop.getResult(2)};
  }
  if (getConstantIntValue(rest) != 0)
    state = onlineStep(e, in, keyBlock(e, keys, whole, rest), whole, state);
  return state;
}

/// `x` in `elt` (an extension or truncation when the float types differ).
Value convertTo(Emitter &e, Value x, Type elt) {
  if (typeOf(x).getElementType() == elt)
    return x;
  return e.map(x, x, elt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (a[0].getType().getIntOrFloatBitWidth() < elt.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, l, elt, a[0]);
    return arith::TruncFOp::create(b, l, elt, a[0]);
  });
}

/// The logits inputs of `op` with the queries scaled once, in the
/// accumulator type, rather than the logits of every key block.
template <typename OpTy>
FailureOr<LogitsInputs> prescaledInputs(Emitter &e, OpTy op, OpFoldResult kvOffset = nullptr,
                                        OpFoldResult kvLength = nullptr) {
  FailureOr<LogitsInputs> in = logitsInputs(e, op, kvOffset, kvLength);
  if (failed(in))
    return failure();
  Value q = op.getQuery();
  Type elt = accumulatorType(typeOf(q).getElementType());
  double scale = in->scale;
  in->q = e.map(q, q, elt, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    Value x = a[0].getType() == elt ? a[0] : arith::ExtFOp::create(nb, l, elt, a[0]).getResult();
    return arith::MulFOp::create(nb, l, x, fconst(nb, l, elt, scale));
  });
  in->scale = 1.0;
  return in;
}

template <typename OpTy>
KeyOperands keyOperands(OpTy op) {
  return {op.getKey(), op.getValue(), op.getMask(), op.getKeySizes()};
}

/// A partial state over the keys of `op` in blocks of `keyTile` (one block
/// when 0), continuing its `state` operands or from the empty state, in the
/// state's types (the query's without one).
FailureOr<SmallVector<Value>> partialState(Emitter &e, ir::AttentionPartialOp op, int64_t keyTile) {
  FailureOr<LogitsInputs> in =
      keyTile ? prescaledInputs(e, op, op.getMixedKvOffset(), op.getMixedKvLength())
              : logitsInputs(e, op, op.getMixedKvOffset(), op.getMixedKvLength());
  if (failed(in))
    return failure();
  Type storage = typeOf(op.getQuery()).getElementType();
  Type elt = accumulatorType(storage);
  OnlineState state;
  SmallVector<Type> types = {storage, storage, storage};
  if (op.getState().size() == 3) {
    ValueRange given = op.getState();
    state = {convertTo(e, given[0], elt), convertTo(e, given[1], elt), convertTo(e, given[2], elt)};
    types.assign(3, typeOf(given[0]).getElementType());
  } else {
    state = emptyState(e, op.getQuery(), op.getValue(), elt);
  }
  KeyOperands keys = keyOperands(op);
  state = keyTile ? onlineLoop(e, *in, keys, keyTile, state)
                  : onlineStep(e, *in, keys, e.b.getIndexAttr(0), state);
  return SmallVector<Value>{convertTo(e, state.o, types[0]), convertTo(e, state.m, types[1]),
                            convertTo(e, state.l, types[2])};
}

} // namespace

FailureOr<SmallVector<Value>> mlir::icl::decomposeAttentionOnline(OpBuilder &b, Operation *op,
                                                                  int64_t keyTile) {
  assert(keyTile > 0 && "an online softmax steps over at least one key");
  Emitter e(b, op->getLoc());
  if (auto partial = dyn_cast<AttentionPartialOp>(op))
    return partialState(e, partial, keyTile);
  auto attention = cast<AttentionOp>(op);
  FailureOr<LogitsInputs> in = prescaledInputs(e, attention);
  if (failed(in))
    return failure();
  Type elt = accumulatorType(typeOf(attention.getQuery()).getElementType());
  OnlineState state = onlineLoop(e, *in, keyOperands(attention), keyTile,
                                 emptyState(e, attention.getQuery(), attention.getValue(), elt));
  // o / ℓ, zeros in rows that see no key.
  AffineMap id4 = e.identity(4), rows = e.dims(4, {0, 1, 2});
  Value o = e.generic(e.empty(e.sizes(state.o), elt), {state.o, state.l}, {id4, rows, id4},
                      SmallVector<IteratorType>(4, IteratorType::parallel),
                      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                        Value zero = fconst(nb, l, elt, 0.0);
                        Value none = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[1], zero);
                        return arith::SelectOp::create(nb, l, none, zero,
                                                       arith::DivFOp::create(nb, l, a[0], a[1]));
                      });
  return SmallVector<Value>{toStorage(e, o, attention.getType().getElementType())};
}

namespace {

//===----------------------------------------------------------------------===//
// Split-KV attention
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> decomposeAttentionPartial(Emitter &e, ir::AttentionPartialOp op) {
  // Continuing a state is one online step over all the keys.
  if (!op.getState().empty())
    return partialState(e, op, /*keyTile=*/0);
  FailureOr<LogitsInputs> in = logitsInputs(e, op, op.getMixedKvOffset(), op.getMixedKvLength());
  if (failed(in))
    return failure();
  FailureOr<Value> logits = attentionLogits(e, *in);
  Type elt = typeOf(*logits).getElementType();
  double ninf = -std::numeric_limits<double>::infinity();
  Value max = e.reduceLast(*logits, ninf, [](OpBuilder &b, Location l, Value acc, Value v) {
    return arith::MaximumFOp::create(b, l, acc, v).getResult();
  });
  Value p = e.generic(e.empty(e.sizes(*logits), elt), {*logits, max},
                      {e.identity(4), e.dims(4, {0, 1, 2}), e.identity(4)},
                      SmallVector<IteratorType>(4, IteratorType::parallel),
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        Value masked = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a[1],
                                                             fconst(b, l, elt, ninf));
                        Value ex = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[1]));
                        return arith::SelectOp::create(b, l, masked, fconst(b, l, elt, 0.0), ex)
                            .getResult();
                      });
  Value sum = sumLast(e, p);
  Value o = weightedValues(e, p, op.getValue(), in->group);
  Type storage = typeOf(op.getQuery()).getElementType();
  return SmallVector<Value>{toStorage(e, o, storage), toStorage(e, max, storage),
                            toStorage(e, sum, storage)};
}

Value decomposeAttentionCombine(Emitter &e, ir::AttentionCombineOp op) {
  Value o = op.getOutput(), m = op.getMax(), l = op.getSum();
  unsigned rank = typeOf(o).getRank(); // [NS, rows..., Dv]
  Type elt = typeOf(o).getElementType();
  double ninf = -std::numeric_limits<double>::infinity();
  SmallVector<OpFoldResult> rowSizes = e.sizes(m);
  rowSizes.erase(rowSizes.begin());
  unsigned rowRank = rank - 1; // rank of m
  SmallVector<unsigned> rowDims, outDims;
  for (unsigned i = 1; i < rowRank; ++i)
    rowDims.push_back(i);
  for (unsigned i = 1; i < rank; ++i)
    outDims.push_back(i);
  SmallVector<IteratorType> redRow(rowRank, IteratorType::parallel);
  redRow[0] = IteratorType::reduction;
  Value top = e.generic(e.filled(rowSizes, elt, ninf), {m}, {e.identity(rowRank), e.dims(rowRank, rowDims)},
                        redRow, [](OpBuilder &b, Location loc, ValueRange a) {
                          return arith::MaximumFOp::create(b, loc, a[1], a[0]).getResult();
                        });
  // Weight of split i: e^{m_i − M}, 0 where the whole row was masked.
  auto weight = [&](OpBuilder &b, Location loc, Value mi, Value M) -> Value {
    Value masked = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mi, fconst(b, loc, elt, ninf));
    Value w = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, mi, M));
    return arith::SelectOp::create(b, loc, masked, fconst(b, loc, elt, 0.0), w);
  };
  Value total = e.generic(e.filled(rowSizes, elt, 0.0), {m, l, top},
                          {e.identity(rowRank), e.identity(rowRank), e.dims(rowRank, rowDims),
                           e.dims(rowRank, rowDims)},
                          redRow, [&](OpBuilder &b, Location loc, ValueRange a) {
                            Value w = weight(b, loc, a[0], a[2]);
                            return arith::AddFOp::create(b, loc, a[3],
                                                         arith::MulFOp::create(b, loc, w, a[1]))
                                .getResult();
                          });
  SmallVector<OpFoldResult> outSizes = e.sizes(o);
  outSizes.erase(outSizes.begin());
  SmallVector<IteratorType> redOut(rank, IteratorType::parallel);
  redOut[0] = IteratorType::reduction;
  SmallVector<unsigned> mDims;
  for (unsigned i = 0; i + 1 < rank; ++i)
    mDims.push_back(i);
  SmallVector<unsigned> topDims(rowDims.begin(), rowDims.end());
  Value weighted = e.generic(e.filled(outSizes, elt, 0.0), {o, m, top},
                             {e.identity(rank), e.dims(rank, mDims), e.dims(rank, topDims),
                              e.dims(rank, outDims)},
                             redOut, [&](OpBuilder &b, Location loc, ValueRange a) {
                               Value w = weight(b, loc, a[1], a[2]);
                               return arith::AddFOp::create(b, loc, a[3],
                                                            arith::MulFOp::create(b, loc, w, a[0]))
                                   .getResult();
                             });
  SmallVector<unsigned> totalDims;
  for (unsigned i = 0; i + 2 < rank; ++i) // the rows, without Dv
    totalDims.push_back(i);
  return e.generic(e.empty(outSizes, elt), {weighted, total},
                   {e.identity(rank - 1), e.dims(rank - 1, totalDims), e.identity(rank - 1)},
                   SmallVector<IteratorType>(rank - 1, IteratorType::parallel),
                   [&](OpBuilder &b, Location loc, ValueRange a) {
                     Value zero = fconst(b, loc, elt, 0.0);
                     Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[1], zero);
                     Value q = arith::DivFOp::create(b, loc, a[0], a[1]);
                     return arith::SelectOp::create(b, loc, isZero, zero, q).getResult();
                   });
}

//===----------------------------------------------------------------------===//
// Recurrences: one scf.for step per time position, carrying the state
//===----------------------------------------------------------------------===//

/// The reassociation that folds unit dimension `dim` of a rank-`rank` shape
/// into a neighbour. Slices use it instead of rank reduction: a
/// rank-reducing slice is ambiguous when other dimensions are 1 too, and
/// MLIR 22's unit-dimension folding can then drop the wrong one.
SmallVector<ReassociationIndices> dropUnitDim(unsigned rank, unsigned dim) {
  SmallVector<ReassociationIndices> groups;
  unsigned keep = dim + 1 < rank ? dim + 1 : dim - 1; // the neighbour it joins
  for (unsigned i = 0; i < rank; ++i) {
    if (i == dim)
      continue;
    if (i == keep)
      groups.push_back(i < dim ? ReassociationIndices{i, dim} : ReassociationIndices{dim, i});
    else
      groups.push_back({i});
  }
  return groups;
}

/// `x` at index `t` of dimension `dim`, with that dimension dropped.
Value sliceAt(Emitter &e, Value x, unsigned dim, Value t) {
  auto type = typeOf(x);
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, e.b.getIndexAttr(0)), sizes = e.sizes(x),
      strides(rank, e.b.getIndexAttr(1));
  offsets[dim] = t;
  sizes[dim] = e.b.getIndexAttr(1);
  Value slice = tensor::ExtractSliceOp::create(e.b, e.loc, x, offsets, sizes, strides);
  return tensor::CollapseShapeOp::create(e.b, e.loc, slice, dropUnitDim(rank, dim));
}

/// Writes `slice` (rank one less than `dest`) at index `t` of dimension `dim`.
Value insertAt(Emitter &e, Value slice, Value dest, unsigned dim, Value t) {
  auto type = typeOf(dest);
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, e.b.getIndexAttr(0)), sizes = e.sizes(dest),
      strides(rank, e.b.getIndexAttr(1));
  offsets[dim] = t;
  sizes[dim] = e.b.getIndexAttr(1);
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  Value full = tensor::ExpandShapeOp::create(
      e.b, e.loc, RankedTensorType::get(shape, type.getElementType()), slice,
      dropUnitDim(rank, dim), sizes);
  return tensor::InsertSliceOp::create(e.b, e.loc, full, dest, offsets, sizes, strides);
}

/// scf.for over [0, size of `x` along `dim`) carrying `inits`.
SmallVector<Value> timeLoop(Emitter &e, Value x, unsigned dim, ValueRange inits,
                            function_ref<SmallVector<Value>(Emitter &, Value, ValueRange)> step) {
  Value upper = getValueOrCreateConstantIndexOp(e.b, e.loc, e.size(x, dim));
  auto loop = scf::ForOp::create(e.b, e.loc, e.idx(0), upper, e.idx(1), inits,
                                 [&](OpBuilder &b, Location l, Value t, ValueRange iter) {
                                   Emitter inner(b, l);
                                   scf::YieldOp::create(b, l, step(inner, t, iter));
                                 });
  return SmallVector<Value>(loop.getResults());
}

//===----------------------------------------------------------------------===//
// Chunked recurrences. A linear recurrence h_t = exp(a_t) ⊙ h_{t−1} + u_t
// over T steps is split into chunks of Q steps (OPS.md: the result does not
// depend on Q). Within a chunk, with the inclusive cumulative log-decay
// A_i = Σ_{s ≤ i} a_s, the state after step i is
//   h_i = exp(A_i) ⊙ h_start + Σ_{j ≤ i} exp(A_i − A_j) ⊙ u_j,
// so outputs and chunk-local states are contractions over the chunk's
// positions, computed for every chunk at once, and only the chunk start
// states are carried by a loop: one step per chunk rather than per token.
// Every exp above has a non-positive argument when the decays are
// contractions (a ≤ 0), as in the step-by-step form.
//===----------------------------------------------------------------------===//

/// How the time dimension of a recurrence is split into chunks.
struct Chunking {
  int64_t size;          // Q, positions per chunk
  OpFoldResult length;   // T
  OpFoldResult chunks;   // ⌈T / Q⌉
  OpFoldResult padded;   // chunks · Q
  bool ragged;           // whether padded may exceed T
};

/// Chunks of `requested` steps (the default when 0) along `dim` of `x`; at
/// most T when T is static.
Chunking chunking(Emitter &e, Value x, unsigned dim, int64_t requested) {
  Chunking c;
  c.size = requested > 0 ? requested : ir::kDefaultScanChunk;
  c.length = e.size(x, dim);
  std::optional<int64_t> t = getConstantIntValue(c.length);
  if (t)
    c.size = std::max<int64_t>(1, std::min(c.size, *t));
  AffineExpr s0 = getAffineSymbolExpr(0, e.ctx);
  c.chunks = affine::makeComposedFoldedAffineApply(e.b, e.loc, s0.ceilDiv(c.size), {c.length});
  c.padded = affine::makeComposedFoldedAffineApply(e.b, e.loc, s0.ceilDiv(c.size) * c.size,
                                                   {c.length});
  c.ragged = !t || *t % c.size != 0;
  return c;
}

/// Whether a recurrence over dimension `dim` of `x` runs in chunks: unless
/// chunks of one step are asked for or the length is statically at most 1
/// (a decode step).
bool usesChunks(Emitter &e, Value x, unsigned dim, int64_t requested) {
  std::optional<int64_t> t = getConstantIntValue(e.size(x, dim));
  return requested != 1 && !(t && *t <= 1);
}

/// `x` zero-padded to whole chunks along `dim` and that dimension split into
/// [chunks, Q].
Value toChunks(Emitter &e, Value x, unsigned dim, const Chunking &c) {
  auto type = typeOf(x);
  if (c.ragged) {
    SmallVector<OpFoldResult> sizes = e.sizes(x);
    sizes[dim] = c.padded;
    Value padded = e.filled(sizes, type.getElementType(), 0.0);
    SmallVector<OpFoldResult> zeros(type.getRank(), e.b.getIndexAttr(0)),
        ones(type.getRank(), e.b.getIndexAttr(1));
    x = tensor::InsertSliceOp::create(e.b, e.loc, x, padded, zeros, e.sizes(x), ones);
  }
  SmallVector<OpFoldResult> outSizes = e.sizes(x);
  outSizes[dim] = e.b.getIndexAttr(c.size);
  outSizes.insert(outSizes.begin() + dim, c.chunks);
  SmallVector<int64_t> shape;
  for (OpFoldResult s : outSizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0, r = 0; i < type.getRank(); ++i) {
    groups.push_back(i == dim ? ReassociationIndices{r, r + 1} : ReassociationIndices{r});
    r += i == dim ? 2 : 1;
  }
  return tensor::ExpandShapeOp::create(e.b, e.loc,
                                       RankedTensorType::get(shape, type.getElementType()), x,
                                       groups, outSizes);
}

/// The inverse of toChunks: dimensions `dim` (chunks) and `dim` + 1 (Q)
/// joined, then cut to T.
Value fromChunks(Emitter &e, Value x, unsigned dim, const Chunking &c) {
  unsigned rank = typeOf(x).getRank();
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0; i < rank; ++i) {
    if (i == dim + 1)
      continue;
    groups.push_back(i == dim ? ReassociationIndices{i, i + 1} : ReassociationIndices{i});
  }
  Value joined = tensor::CollapseShapeOp::create(e.b, e.loc, x, groups);
  if (!c.ragged)
    return joined;
  SmallVector<OpFoldResult> sizes = e.sizes(joined);
  sizes[dim] = c.length;
  SmallVector<OpFoldResult> zeros(rank - 1, e.b.getIndexAttr(0)), ones(rank - 1, e.b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(e.b, e.loc, joined, zeros, sizes, ones);
}

/// Inclusive prefix sums of `x` along `dim` (the positions of a chunk).
Value prefixSum(Emitter &e, Value x, unsigned dim) {
  unsigned rank = typeOf(x).getRank();
  SmallVector<unsigned> in, out;
  for (unsigned i = 0; i < rank; ++i) {
    in.push_back(i == dim ? rank : i);
    out.push_back(i);
  }
  SmallVector<IteratorType> iters(rank + 1, IteratorType::parallel);
  iters.back() = IteratorType::reduction;
  return e.generic(e.filled(e.sizes(x), typeOf(x).getElementType(), 0.0), {x},
                   {e.dims(rank + 1, in), e.dims(rank + 1, out)}, iters,
                   [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                     Value i = linalg::IndexOp::create(b, l, dim), j = linalg::IndexOp::create(b, l, rank);
                     Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule, j, i);
                     Value sum = arith::AddFOp::create(b, l, a[1], a[0]);
                     return arith::SelectOp::create(b, l, on, sum, a[1]);
                   });
}

/// The sum of `x` over `dim` (a chunk's total log-decay), dropping it.
Value sumOver(Emitter &e, Value x, unsigned dim) {
  unsigned rank = typeOf(x).getRank();
  SmallVector<unsigned> in, out;
  for (unsigned i = 0; i < rank; ++i) {
    in.push_back(i == dim ? rank - 1 : (i < dim ? i : i - 1));
    if (i != dim)
      out.push_back(i < dim ? i : i - 1);
  }
  SmallVector<OpFoldResult> sizes = e.sizes(x);
  sizes.erase(sizes.begin() + dim);
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  iters.back() = IteratorType::reduction;
  return e.generic(e.filled(sizes, typeOf(x).getElementType(), 0.0), {x},
                   {e.dims(rank, in), e.dims(rank, out)}, iters, accumulate);
}

/// Whether position j (dimension `jDim` of a generic) is at or before
/// position i (dimension `iDim`): the causal mask of a chunk.
Value atOrBefore(OpBuilder &b, Location l, unsigned iDim, unsigned jDim) {
  Value i = linalg::IndexOp::create(b, l, iDim), j = linalg::IndexOp::create(b, l, jDim);
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule, j, i);
}

/// Carries states from chunk to chunk. `local` holds each chunk's own
/// contribution (its state from a zero start), with the chunk at dimension
/// `dim`; `total` the chunk's total log-decay, whose dimensions are the
/// leading ones of `local` (null: no decay). Returns the state at the start
/// of every chunk (shaped like `local`) and the final state:
///   start_0 = initial,  start_{c+1} = exp(total_c) ⊙ start_c + local_c.
std::pair<Value, Value> carryStates(Emitter &e, Value local, Value initial, unsigned dim,
                                    const Chunking &c, Value total) {
  auto type = typeOf(local);
  unsigned rank = type.getRank();
  Type elt = type.getElementType();
  SmallVector<OpFoldResult> sizes = e.sizes(local);
  AffineExpr s0 = getAffineSymbolExpr(0, e.ctx);
  sizes[dim] = affine::makeComposedFoldedAffineApply(e.b, e.loc, s0 + 1, {c.chunks});
  SmallVector<OpFoldResult> offsets(rank, e.b.getIndexAttr(0)), ones(rank, e.b.getIndexAttr(1));
  Value starts = e.empty(sizes, elt);
  offsets[dim] = e.b.getIndexAttr(1);
  starts = tensor::InsertSliceOp::create(e.b, e.loc, local, starts, offsets, e.sizes(local), ones);
  if (!initial) {
    SmallVector<OpFoldResult> one = e.sizes(local);
    one.erase(one.begin() + dim);
    initial = e.filled(one, elt, 0.0);
  }
  starts = insertAt(e, initial, starts, dim, e.idx(0));
  // Chunk `i` of `x`, keeping the chunk dimension (size 1), so that `total`
  // maps onto the state by its leading dimensions.
  auto chunk = [&](Emitter &s, Value x, Value i) {
    unsigned r = typeOf(x).getRank();
    SmallVector<OpFoldResult> off(r, s.b.getIndexAttr(0)), sz = s.sizes(x), st(r, s.b.getIndexAttr(1));
    off[dim] = i;
    sz[dim] = s.b.getIndexAttr(1);
    return tensor::ExtractSliceOp::create(s.b, s.loc, x, off, sz, st).getResult();
  };
  // start_{i+1} = exp(total_i) ⊙ start_i + local_i, in place in `all`.
  auto step = [&](Emitter &s, Value all, Value i) {
    Value next = arith::AddIOp::create(s.b, s.loc, i, s.idx(1));
    Value into = chunk(s, all, next);
    SmallVector<Value> ins = {chunk(s, all, i)};
    SmallVector<AffineMap> maps = {s.identity(rank)};
    if (total) {
      ins.push_back(chunk(s, total, i));
      SmallVector<unsigned> lead;
      for (unsigned d = 0; d < typeOf(total).getRank(); ++d)
        lead.push_back(d);
      maps.push_back(s.dims(rank, lead));
    }
    maps.push_back(s.identity(rank));
    bool decays = total != nullptr;
    Value updated = s.generic(into, ins, maps,
                              SmallVector<IteratorType>(rank, IteratorType::parallel),
                              [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                Value carried = a[0];
                                if (decays)
                                  carried = arith::MulFOp::create(
                                      nb, nl, math::ExpOp::create(nb, nl, a[1]), carried);
                                return arith::AddFOp::create(nb, nl, a.back(), carried);
                              });
    SmallVector<OpFoldResult> off(rank, s.b.getIndexAttr(0)), st(rank, s.b.getIndexAttr(1));
    off[dim] = next;
    return tensor::InsertSliceOp::create(s.b, s.loc, updated, all, off, s.sizes(updated), st)
        .getResult();
  };
  Value upper = getValueOrCreateConstantIndexOp(e.b, e.loc, c.chunks);
  Value all = scf::ForOp::create(e.b, e.loc, e.idx(0), upper, e.idx(1), ValueRange{starts},
                                 [&](OpBuilder &b, Location l, Value i, ValueRange iter) {
                                   Emitter s(b, l);
                                   scf::YieldOp::create(b, l, step(s, iter[0], i));
                                 })
                  .getResult(0);
  Value end = sliceAt(e, all, dim, upper);
  offsets[dim] = e.b.getIndexAttr(0);
  Value perChunk =
      tensor::ExtractSliceOp::create(e.b, e.loc, type, all, offsets, e.sizes(local), ones);
  return {perChunk, end};
}

Value featureMap(OpBuilder &b, Location l, ir::FeatureMap kind, Value x) {
  switch (kind) {
  case ir::FeatureMap::identity:
    return x;
  case ir::FeatureMap::relu:
    return activate(b, l, ir::Activation::relu, x);
  case ir::FeatureMap::elu_plus_one:
    return activate(b, l, ir::Activation::elu_plus_one, x);
  }
  llvm_unreachable("unknown feature map");
}

/// Causal linear attention in chunks (the chunkwise-parallel form), in the
/// layout [B, H, chunks, Q, ...], with G_i the inclusive cumulative log-decay
/// of the chunk (a scalar per head or one per key channel):
///   o_i = Σ_k φq_i[k]·exp(G_i[k])·S_start[k, :] + Σ_{j ≤ i} W_ij·v_j,
///   W_ij = Σ_k φq_i[k]·φk_j[k]·exp(G_i[k] − G_j[k]),
/// and, normalised, the denominator φq_i·z_i is the same two terms with z in
/// place of S and 1 in place of v.
FailureOr<SmallVector<Value>> decomposeLinearAttentionChunked(Emitter &e, ir::LinearAttentionOp op,
                                                              Value phiQ, Value phiK,
                                                              const Chunking &ch) {
  using IT = IteratorType;
  IT P = IT::parallel, R = IT::reduction;
  Value v = op.getValue(), g = op.getLogDecay();
  Type elt = typeOf(v).getElementType();
  bool perChannel = g && typeOf(g).getRank() == 4, normalizeOut = op.getNormalize();
  Value q = toChunks(e, phiQ, 2, ch), k = toChunks(e, phiK, 2, ch); // [B, H, c, Q, K]
  Value vc = toChunks(e, v, 2, ch);                                 // [B, H, c, Q, V]
  Value cum, total;
  if (g) {
    Value gc = toChunks(e, g, 2, ch); // [B, H, c, Q(, K)]
    cum = prefixSum(e, gc, 3);
    total = sumOver(e, gc, 3); // [B, H, c(, K)]
  }
  auto expOf = [](OpBuilder &b, Location l, Value x) { return math::ExpOp::create(b, l, x).getResult(); };
  auto sub = [](OpBuilder &b, Location l, Value x, Value y) {
    return arith::SubFOp::create(b, l, x, y).getResult();
  };
  auto mul = [](OpBuilder &b, Location l, Value x, Value y) {
    return arith::MulFOp::create(b, l, x, y).getResult();
  };
  // The decay of (b, h, c, position `pos`, k) in a generic of `n` dims.
  auto cumMap = [&](unsigned n, unsigned pos, unsigned key) {
    return perChannel ? e.dims(n, {0, 1, 2, pos, key}) : e.dims(n, {0, 1, 2, pos});
  };
  // Queries decayed to the chunk start, φq_i ⊙ exp(G_i), and the keys'
  // weights into the chunk's end state, exp(G_Q − G_j) ⊙ φk_j.
  Value qStart = q, kEnd = k;
  if (g) {
    qStart = e.generic(e.empty(e.sizes(q), elt), {q, cum}, {e.identity(5), cumMap(5, 3, 4), e.identity(5)},
                       {P, P, P, P, P}, [&](OpBuilder &b, Location l, ValueRange a) {
                         return mul(b, l, a[0], expOf(b, l, a[1]));
                       });
    AffineMap totalMap = perChannel ? e.dims(5, {0, 1, 2, 4}) : e.dims(5, {0, 1, 2});
    kEnd = e.generic(e.empty(e.sizes(k), elt), {k, cum, total},
                     {e.identity(5), cumMap(5, 3, 4), totalMap, e.identity(5)}, {P, P, P, P, P},
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       return mul(b, l, a[0], expOf(b, l, sub(b, l, a[2], a[1])));
                     });
  }
  // Chunk-local states over (b, h, c, k, v, j) and their carry.
  SmallVector<OpFoldResult> stateSizes = {e.size(q, 0), e.size(q, 1), ch.chunks, e.size(q, 4),
                                          e.size(vc, 4)};
  Value local = e.generic(e.filled(stateSizes, elt, 0.0), {kEnd, vc},
                          {e.dims(6, {0, 1, 2, 5, 3}), e.dims(6, {0, 1, 2, 5, 4}),
                           e.dims(6, {0, 1, 2, 3, 4})},
                          {P, P, P, P, P, R}, mulAccumulate);
  auto [starts, end] = carryStates(e, local, op.getInitialState(), 2, ch, total);
  // W[b, h, c, i, j] over (b, h, c, i, j, k), zero above the diagonal.
  SmallVector<OpFoldResult> wSizes = {e.size(q, 0), e.size(q, 1), ch.chunks,
                                      e.b.getIndexAttr(ch.size), e.b.getIndexAttr(ch.size)};
  SmallVector<Value> ins = {q, k};
  SmallVector<AffineMap> maps = {e.dims(6, {0, 1, 2, 3, 5}), e.dims(6, {0, 1, 2, 4, 5})};
  if (perChannel) {
    ins.append({cum, cum});
    maps.append({cumMap(6, 3, 5), cumMap(6, 4, 5)});
  }
  maps.push_back(e.dims(6, {0, 1, 2, 3, 4}));
  Value scores = e.generic(e.filled(wSizes, elt, 0.0), ins, maps, {P, P, P, P, P, R},
                           [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                             Value t = mul(b, l, a[0], a[1]);
                             if (perChannel)
                               t = mul(b, l, t, expOf(b, l, sub(b, l, a[2], a[3])));
                             Value sum = arith::AddFOp::create(b, l, a.back(), t);
                             return arith::SelectOp::create(b, l, atOrBefore(b, l, 3, 4), sum,
                                                            a.back());
                           });
  if (g && !perChannel)
    scores = e.generic(e.empty(wSizes, elt), {scores, cum, cum},
                       {e.identity(5), e.dims(5, {0, 1, 2, 3}), e.dims(5, {0, 1, 2, 4}),
                        e.identity(5)},
                       {P, P, P, P, P}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         // Above the diagonal the score is 0 and the exponent may overflow.
                         return arith::SelectOp::create(
                             b, l, atOrBefore(b, l, 3, 4),
                             mul(b, l, a[0], expOf(b, l, sub(b, l, a[1], a[2]))), a[0]);
                       });
  // o = qStart·S_start + W·v over (b, h, c, i, v, k / j).
  SmallVector<OpFoldResult> outSizes = e.sizes(vc);
  Value out = e.generic(e.filled(outSizes, elt, 0.0), {qStart, starts},
                        {e.dims(6, {0, 1, 2, 3, 5}), e.dims(6, {0, 1, 2, 5, 4}),
                         e.dims(6, {0, 1, 2, 3, 4})},
                        {P, P, P, P, P, R}, mulAccumulate);
  out = e.generic(out, {scores, vc},
                  {e.dims(6, {0, 1, 2, 3, 5}), e.dims(6, {0, 1, 2, 5, 4}), e.dims(6, {0, 1, 2, 3, 4})},
                  {P, P, P, P, P, R}, mulAccumulate);
  if (normalizeOut) {
    // z's chunk-local sums and carry, and φq_i·z_i = qStart·z_start + Σ_j W_ij.
    SmallVector<OpFoldResult> zSizes = {e.size(q, 0), e.size(q, 1), ch.chunks, e.size(q, 4)};
    Value zLocal = e.generic(e.filled(zSizes, elt, 0.0), {kEnd},
                             {e.dims(5, {0, 1, 2, 4, 3}), e.dims(5, {0, 1, 2, 3})},
                             {P, P, P, P, R}, accumulate);
    Value zStarts = carryStates(e, zLocal, Value(), 2, ch, total).first;
    SmallVector<OpFoldResult> denSizes = {e.size(q, 0), e.size(q, 1), ch.chunks,
                                          e.b.getIndexAttr(ch.size)};
    Value den = e.generic(e.filled(denSizes, elt, 0.0), {qStart, zStarts},
                          {e.identity(5), e.dims(5, {0, 1, 2, 4}), e.dims(5, {0, 1, 2, 3})},
                          {P, P, P, P, R}, mulAccumulate);
    den = e.generic(den, {scores}, {e.identity(5), e.dims(5, {0, 1, 2, 3})}, {P, P, P, P, R},
                    accumulate);
    double eps = op.getEps().convertToDouble();
    out = e.generic(e.empty(outSizes, elt), {out, den},
                    {e.identity(5), e.dims(5, {0, 1, 2, 3}), e.identity(5)}, {P, P, P, P, P},
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value d = arith::AddFOp::create(b, l, a[1], fconst(b, l, elt, eps));
                      return arith::DivFOp::create(b, l, a[0], d).getResult();
                    });
  }
  out = fromChunks(e, out, 2, ch);
  if (op.getReturnFinalState())
    return SmallVector<Value>{out, end};
  return SmallVector<Value>{out};
}

FailureOr<SmallVector<Value>> decomposeLinearAttention(Emitter &e, ir::LinearAttentionOp op) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue(), g = op.getLogDecay();
  Type elt = typeOf(q).getElementType();
  ir::FeatureMap fm = op.getFeatureMap();
  double scale = op.getScale().convertToDouble(), eps = op.getEps().convertToDouble();
  bool normalizeOut = op.getNormalize();
  Value phiQ = e.map(q, q, elt, [&](OpBuilder &b, Location l, ValueRange a) {
    return featureMap(b, l, fm, arith::MulFOp::create(b, l, a[0], fconst(b, l, elt, scale)));
  });
  Value phiK = e.map(k, k, elt, [&](OpBuilder &b, Location l, ValueRange a) {
    return featureMap(b, l, fm, a[0]);
  });
  auto divNorm = [&](OpBuilder &b, Location l, ValueRange a) {
    Value den = arith::AddFOp::create(b, l, a[1], fconst(b, l, elt, eps));
    return arith::DivFOp::create(b, l, a[0], den).getResult();
  };
  using IT = IteratorType;
  IT P = IT::parallel, R = IT::reduction;
  SmallVector<OpFoldResult> stateSizes = {e.size(q, 0), e.size(q, 1), e.size(k, 3), e.size(v, 3)};
  SmallVector<OpFoldResult> normSizes = {e.size(q, 0), e.size(q, 1), e.size(k, 3)};

  if (!op.getCausal()) {
    // o = φ(Q)·(φ(K)ᵀV), normalised by φ(Q)·Σ_t φ(K_t).
    Value kv = e.generic(e.filled(stateSizes, elt, 0.0), {phiK, v},
                         {e.dims(5, {0, 1, 4, 2}), e.dims(5, {0, 1, 4, 3}), e.dims(5, {0, 1, 2, 3})},
                         {P, P, P, P, R}, mulAccumulate);
    SmallVector<OpFoldResult> outSizes = {e.size(q, 0), e.size(q, 1), e.size(q, 2), e.size(v, 3)};
    Value out = e.generic(e.filled(outSizes, elt, 0.0), {phiQ, kv},
                          {e.dims(5, {0, 1, 2, 4}), e.dims(5, {0, 1, 4, 3}), e.dims(5, {0, 1, 2, 3})},
                          {P, P, P, P, R}, mulAccumulate);
    if (!normalizeOut)
      return SmallVector<Value>{out};
    Value z = e.generic(e.filled(normSizes, elt, 0.0), {phiK},
                        {e.dims(4, {0, 1, 3, 2}), e.dims(4, {0, 1, 2})}, {P, P, P, R},
                        accumulate);
    SmallVector<OpFoldResult> denSizes = {e.size(q, 0), e.size(q, 1), e.size(q, 2)};
    Value den = e.generic(e.filled(denSizes, elt, 0.0), {phiQ, z},
                          {e.dims(4, {0, 1, 2, 3}), e.dims(4, {0, 1, 3}), e.dims(4, {0, 1, 2})},
                          {P, P, P, R}, mulAccumulate);
    return SmallVector<Value>{e.generic(e.empty(outSizes, elt), {out, den},
                                        {e.identity(4), e.dims(4, {0, 1, 2}), e.identity(4)},
                                        {P, P, P, P}, divNorm)};
  }

  if (usesChunks(e, q, 2, op.getChunkSize()))
    return decomposeLinearAttentionChunked(e, op, phiQ, phiK, chunking(e, q, 2, op.getChunkSize()));
  // Step by step (chunks of one).
  bool perChannel = g && typeOf(g).getRank() == 4;
  Value state = op.getInitialState() ? op.getInitialState() : e.filled(stateSizes, elt, 0.0);
  Value z = e.filled(normSizes, elt, 0.0);
  SmallVector<OpFoldResult> outSizes = {e.size(q, 0), e.size(q, 1), e.size(q, 2), e.size(v, 3)};
  Value out = e.empty(outSizes, elt);
  SmallVector<Value> results = timeLoop(
      e, q, 2, {state, z, out}, [&](Emitter &s, Value t, ValueRange iter) -> SmallVector<Value> {
        Value qt = sliceAt(s, phiQ, 2, t), kt = sliceAt(s, phiK, 2, t), vt = sliceAt(s, v, 2, t);
        // S = α ⊙ S + k vᵀ over (b, h, k, v); α = exp(g) broadcast per head or per key channel.
        SmallVector<Value> ins = {kt, vt};
        SmallVector<AffineMap> maps = {s.dims(4, {0, 1, 2}), s.dims(4, {0, 1, 3})};
        Value gt;
        if (g) {
          gt = sliceAt(s, g, 2, t);
          ins.push_back(gt);
          maps.push_back(perChannel ? s.dims(4, {0, 1, 2}) : s.dims(4, {0, 1}));
        }
        maps.push_back(s.identity(4));
        bool decays = g != nullptr;
        auto decayStep = [&](OpBuilder &b, Location l, Value prev, Value add, ValueRange a,
                             unsigned gIndex) -> Value {
          if (decays)
            prev = arith::MulFOp::create(b, l, math::ExpOp::create(b, l, a[gIndex]), prev);
          return arith::AddFOp::create(b, l, prev, add);
        };
        Value newState = s.generic(iter[0], ins, maps, {P, P, P, P},
                                   [&](OpBuilder &b, Location l, ValueRange a) {
                                     Value kv = arith::MulFOp::create(b, l, a[0], a[1]);
                                     return decayStep(b, l, a.back(), kv, a, 2);
                                   });
        Value ot = s.generic(s.filled({s.size(q, 0), s.size(q, 1), s.size(v, 3)}, elt, 0.0),
                             {newState, qt},
                             {s.dims(4, {0, 1, 3, 2}), s.dims(4, {0, 1, 3}), s.dims(4, {0, 1, 2})},
                             {P, P, P, R}, mulAccumulate);
        Value newZ = iter[1];
        if (normalizeOut) {
          SmallVector<Value> zIns = {kt};
          SmallVector<AffineMap> zMaps = {s.identity(3)};
          if (g) {
            zIns.push_back(gt);
            zMaps.push_back(perChannel ? s.identity(3) : s.dims(3, {0, 1}));
          }
          zMaps.push_back(s.identity(3));
          newZ = s.generic(iter[1], zIns, zMaps, {P, P, P},
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return decayStep(b, l, a.back(), a[0], a, 1);
                           });
          Value den = s.generic(s.filled({s.size(q, 0), s.size(q, 1)}, elt, 0.0), {qt, newZ},
                                {s.identity(3), s.identity(3), s.dims(3, {0, 1})}, {P, P, R},
                                mulAccumulate);
          ot = s.generic(s.empty(s.sizes(ot), elt), {ot, den},
                         {s.identity(3), s.dims(3, {0, 1}), s.identity(3)}, {P, P, P}, divNorm);
        }
        return {newState, newZ, insertAt(s, ot, iter[2], 2, t)};
      });
  if (op.getReturnFinalState())
    return SmallVector<Value>{results[2], results[0]};
  return SmallVector<Value>{results[2]};
}

/// Δ = clamp(softplus?(δ + bias)) elementwise; `bias` broadcasts along `biasDim`.
Value discretize(Emitter &e, Value delta, Value bias, unsigned biasDim, bool softplus, double lo,
                 double hi) {
  Type elt = typeOf(delta).getElementType();
  unsigned rank = typeOf(delta).getRank();
  SmallVector<Value> ins = {delta};
  SmallVector<AffineMap> maps = {e.identity(rank)};
  if (bias) {
    ins.push_back(bias);
    maps.push_back(e.dims(rank, {biasDim}));
  }
  maps.push_back(e.identity(rank));
  bool hasBias = bias != nullptr;
  return e.generic(e.empty(e.sizes(delta), elt), ins, maps,
                   SmallVector<IteratorType>(rank, IteratorType::parallel),
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value d = hasBias ? arith::AddFOp::create(b, l, a[0], a[1]).getResult() : a[0];
                     if (softplus)
                       d = activate(b, l, ir::Activation::softplus, d);
                     if (std::isfinite(lo))
                       d = arith::MaximumFOp::create(b, l, d, fconst(b, l, elt, lo));
                     if (std::isfinite(hi))
                       d = arith::MinimumFOp::create(b, l, d, fconst(b, l, elt, hi));
                     return d;
                   });
}

/// `x` with its last (time) dimension moved to position 1, so that the
/// slice of one time step is contiguous rather than one element per cache
/// line; `back` undoes it.
Value timeMajor(Emitter &e, Value x, bool back = false) {
  unsigned rank = typeOf(x).getRank();
  SmallVector<int64_t> perm = {0};
  if (!back) {
    perm.push_back(rank - 1);
    for (unsigned i = 1; i + 1 < rank; ++i)
      perm.push_back(i);
  } else {
    for (unsigned i = 2; i < rank; ++i)
      perm.push_back(i);
    perm.push_back(1);
  }
  return e.transpose(x, perm);
}

FailureOr<SmallVector<Value>> decomposeSelectiveScan(Emitter &e, ir::SelectiveScanOp op) {
  Value u = op.getU(), A = op.getA(), Bm = op.getB(), C = op.getC();
  Type elt = typeOf(u).getElementType();
  int64_t channels = typeOf(u).getDimSize(1), groups = typeOf(Bm).getDimSize(1);
  if (ShapedType::isDynamic(channels) || ShapedType::isDynamic(groups))
    return op.emitOpError("needs static channel and group counts to be decomposed"), failure();
  int64_t perGroup = channels / groups;
  Value delta = discretize(e, op.getDelta(), op.getDeltaBias(), 1, op.getDeltaSoftplus(),
                           -INFINITY, INFINITY);
  using IT = IteratorType;
  IT P = IT::parallel, R = IT::reduction;
  SmallVector<OpFoldResult> stateSizes = {e.size(u, 0), e.size(u, 1), e.size(A, 1)};
  Value state = op.getInitialState() ? op.getInitialState() : e.filled(stateSizes, elt, 0.0);
  Value Dskip = op.getD(), z = op.getZ();
  // The loop reads and writes one time step of every [B, D, L] operand:
  // time-major copies make those rows contiguous.
  Value uT = timeMajor(e, u), deltaT = timeMajor(e, delta), bT = timeMajor(e, Bm),
        cT = timeMajor(e, C), zT = z ? timeMajor(e, z) : Value();
  Value y = e.empty(e.sizes(uT), elt);
  SmallVector<Value> results = timeLoop(
      e, u, 2, {state, y}, [&](Emitter &s, Value t, ValueRange iter) -> SmallVector<Value> {
        Value dt = sliceAt(s, deltaT, 1, t), ut = sliceAt(s, uT, 1, t);
        Value bt = sliceAt(s, bT, 1, t), ct = sliceAt(s, cT, 1, t); // [B, G, N]
        // h = exp(Δ·A) ⊙ h + (Δ·u) ⊗ B over (b, d, n).
        // The state is updated in place: it is the generic's init.
        Value h = s.generic(iter[0], {dt, ut, A, bt},
                            {s.dims(3, {0, 1}), s.dims(3, {0, 1}), s.dims(3, {1, 2}),
                             s.map(3, {s.d(0), s.d(1).floorDiv(perGroup), s.d(2)}), s.identity(3)},
                            {P, P, P}, [](OpBuilder &b, Location l, ValueRange a) {
                              Value decay = math::ExpOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[2]));
                              Value input = arith::MulFOp::create(
                                  b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[3]);
                              return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, decay, a[4]),
                                                           input)
                                  .getResult();
                            });
        // y = Σ_n h·C (+ D ⊙ u) (⊙ silu(z)).
        SmallVector<OpFoldResult> rowSizes = {s.size(u, 0), s.size(u, 1)};
        Value yt = s.generic(s.filled(rowSizes, elt, 0.0), {h, ct},
                             {s.identity(3), s.map(3, {s.d(0), s.d(1).floorDiv(perGroup), s.d(2)}),
                              s.dims(3, {0, 1})},
                             {P, P, R}, mulAccumulate);
        if (Dskip || z) {
          SmallVector<Value> ins = {yt, ut};
          SmallVector<AffineMap> maps = {s.identity(2), s.identity(2)};
          if (Dskip) {
            ins.push_back(Dskip);
            maps.push_back(s.dims(2, {1}));
          }
          if (z) {
            ins.push_back(sliceAt(s, zT, 1, t));
            maps.push_back(s.identity(2));
          }
          maps.push_back(s.identity(2));
          bool hasD = Dskip != nullptr, hasZ = z != nullptr;
          yt = s.generic(s.empty(rowSizes, elt), ins, maps, {P, P},
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value r = a[0];
                           if (hasD)
                             r = arith::AddFOp::create(b, l, r, arith::MulFOp::create(b, l, a[2], a[1]));
                           if (hasZ)
                             r = arith::MulFOp::create(b, l, r,
                                                       activate(b, l, ir::Activation::silu, a[hasD ? 3 : 2]));
                           return r;
                         });
        }
        return {h, insertAt(s, yt, iter[1], 1, t)};
      });
  Value out = timeMajor(e, results[1], /*back=*/true);
  if (op.getReturnFinalState())
    return SmallVector<Value>{out, results[0]};
  return SmallVector<Value>{out};
}

/// SSD in chunks (the Mamba-2 paper's block decomposition), in the layout
/// [B, chunks, Q, ...]: per chunk, the inclusive cumulative log-decay
/// A_i = Σ_{s ≤ i} Δ_s·A_h; the decayed score matrix
/// L_ij = (C_i·B_j)·exp(A_i − A_j) for j ≤ i; chunk-local states
/// Σ_j exp(A_Q − A_j)·Δ_j·x_j ⊗ B_j; the start states carried across chunks;
/// y_i = Σ_j L_ij·Δ_j·x_j + exp(A_i)·(h_start·C_i) + D_h·x_i.
FailureOr<SmallVector<Value>> decomposeSsdChunked(Emitter &e, ir::SsdOp op, Value delta,
                                                  int64_t perGroup, const Chunking &ch) {
  using IT = IteratorType;
  IT P = IT::parallel, R = IT::reduction;
  Value x = op.getX(), A = op.getA();
  Type elt = typeOf(x).getElementType();
  // Δ·A_h and Δ·x, then everything in chunks.
  Value a = e.generic(e.empty(e.sizes(delta), elt), {delta, A},
                      {e.identity(3), e.dims(3, {2}), e.identity(3)}, {P, P, P},
                      [](OpBuilder &b, Location l, ValueRange v) {
                        return arith::MulFOp::create(b, l, v[0], v[1]).getResult();
                      });
  Value xd = e.generic(e.empty(e.sizes(x), elt), {x, delta},
                       {e.identity(4), e.dims(4, {0, 1, 2}), e.identity(4)}, {P, P, P, P},
                       [](OpBuilder &b, Location l, ValueRange v) {
                         return arith::MulFOp::create(b, l, v[0], v[1]).getResult();
                       });
  a = toChunks(e, a, 1, ch);                  // [B, c, Q, H]
  xd = toChunks(e, xd, 1, ch);                // [B, c, Q, H, P]
  Value Bc = toChunks(e, op.getB(), 1, ch);   // [B, c, Q, G, N]
  Value Cc = toChunks(e, op.getC(), 1, ch);   // [B, c, Q, G, N]
  Value cum = prefixSum(e, a, 2);             // A_i
  Value total = sumOver(e, a, 2);             // A_Q: [B, c, H]
  auto group = [&](unsigned h) { return e.d(h).floorDiv(perGroup); };
  // Chunk-local states: Σ_j exp(A_Q − A_j)·Δ_j x_j[p]·B_j[n] over (b, c, h, p, n, j).
  Value w = e.generic(e.empty(e.sizes(a), elt), {total, cum},
                      {e.dims(4, {0, 1, 3}), e.identity(4), e.identity(4)}, {P, P, P, P},
                      [](OpBuilder &b, Location l, ValueRange v) {
                        return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v[0], v[1]))
                            .getResult();
                      });
  SmallVector<OpFoldResult> stateSizes = {e.size(x, 0), ch.chunks, e.size(x, 2), e.size(x, 3),
                                          e.size(op.getB(), 3)};
  Value local = e.generic(
      e.filled(stateSizes, elt, 0.0), {w, xd, Bc},
      {e.dims(6, {0, 1, 5, 2}), e.dims(6, {0, 1, 5, 2, 3}),
       e.map(6, {e.d(0), e.d(1), e.d(5), group(2), e.d(4)}), e.dims(6, {0, 1, 2, 3, 4})},
      {P, P, P, P, P, R}, [](OpBuilder &b, Location l, ValueRange v) {
        Value t = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, v[0], v[1]), v[2]);
        return arith::AddFOp::create(b, l, v[3], t).getResult();
      });
  auto [starts, end] =
      carryStates(e, local, op.getInitialState(), 1, ch, total);
  // Scores C_i·B_j per group, then decayed and masked per head: L[b, c, h, i, j].
  SmallVector<OpFoldResult> cbSizes = {e.size(x, 0), ch.chunks, e.size(op.getB(), 2),
                                       e.b.getIndexAttr(ch.size), e.b.getIndexAttr(ch.size)};
  Value cb = e.generic(e.filled(cbSizes, elt, 0.0), {Cc, Bc},
                       {e.dims(6, {0, 1, 3, 2, 5}), e.dims(6, {0, 1, 4, 2, 5}),
                        e.dims(6, {0, 1, 2, 3, 4})},
                       {P, P, P, P, P, R}, mulAccumulate);
  SmallVector<OpFoldResult> lSizes = cbSizes;
  lSizes[2] = e.size(x, 2);
  Value scores = e.generic(
      e.empty(lSizes, elt), {cb, cum, cum},
      {e.map(5, {e.d(0), e.d(1), group(2), e.d(3), e.d(4)}), e.dims(5, {0, 1, 3, 2}),
       e.dims(5, {0, 1, 4, 2}), e.identity(5)},
      {P, P, P, P, P}, [&](OpBuilder &b, Location l, ValueRange v) -> Value {
        Value decay = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v[1], v[2]));
        return arith::SelectOp::create(b, l, atOrBefore(b, l, 3, 4),
                                       arith::MulFOp::create(b, l, v[0], decay),
                                       fconst(b, l, elt, 0.0));
      });
  // From the start state: exp(A_i)·Σ_n C_i[n]·h_start[p, n] (+ D_h·x_i).
  SmallVector<OpFoldResult> ySizes = e.sizes(xd);
  Value fromStart = e.generic(
      e.filled(ySizes, elt, 0.0), {Cc, starts},
      {e.map(6, {e.d(0), e.d(1), e.d(2), group(3), e.d(5)}), e.dims(6, {0, 1, 3, 4, 5}),
       e.dims(6, {0, 1, 2, 3, 4})},
      {P, P, P, P, P, R}, mulAccumulate);
  SmallVector<Value> ins = {fromStart, cum};
  SmallVector<AffineMap> maps = {e.identity(5), e.dims(5, {0, 1, 2, 3})};
  Value D = op.getD();
  if (D) {
    ins.append({toChunks(e, x, 1, ch), D});
    maps.append({e.identity(5), e.dims(5, {3})});
  }
  maps.push_back(e.identity(5));
  Value base = e.generic(e.empty(ySizes, elt), ins, maps, {P, P, P, P, P},
                         [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                           Value y = arith::MulFOp::create(b, l, math::ExpOp::create(b, l, v[1]), v[0]);
                           if (D)
                             y = arith::AddFOp::create(b, l, y, arith::MulFOp::create(b, l, v[2], v[3]));
                           return y;
                         });
  // Within the chunk: + Σ_j L_ij·Δ_j x_j over (b, c, i, h, p, j).
  Value y = e.generic(base, {scores, xd},
                      {e.dims(6, {0, 1, 3, 2, 5}), e.dims(6, {0, 1, 5, 3, 4}),
                       e.dims(6, {0, 1, 2, 3, 4})},
                      {P, P, P, P, P, R}, mulAccumulate);
  y = fromChunks(e, y, 1, ch);
  if (op.getReturnFinalState())
    return SmallVector<Value>{y, end};
  return SmallVector<Value>{y};
}

FailureOr<SmallVector<Value>> decomposeSsd(Emitter &e, ir::SsdOp op) {
  Value x = op.getX(), A = op.getA(), Bm = op.getB(), C = op.getC();
  Type elt = typeOf(x).getElementType();
  int64_t heads = typeOf(x).getDimSize(2), groups = typeOf(Bm).getDimSize(2);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(groups))
    return op.emitOpError("needs static head and group counts to be decomposed"), failure();
  int64_t perGroup = heads / groups;
  double lo = op.getDtMin() ? op.getDtMin()->convertToDouble() : -INFINITY;
  double hi = op.getDtMax() ? op.getDtMax()->convertToDouble() : INFINITY;
  Value delta = discretize(e, op.getDt(), op.getDtBias(), 2, op.getDtSoftplus(), lo, hi);
  if (usesChunks(e, x, 1, op.getChunkSize()))
    return decomposeSsdChunked(e, op, delta, perGroup, chunking(e, x, 1, op.getChunkSize()));
  // Step by step (chunks of one).
  using IT = IteratorType;
  IT P = IT::parallel, R = IT::reduction;
  SmallVector<OpFoldResult> stateSizes = {e.size(x, 0), e.size(x, 2), e.size(x, 3), e.size(Bm, 3)};
  Value state = op.getInitialState() ? op.getInitialState() : e.filled(stateSizes, elt, 0.0);
  Value y = e.empty(e.sizes(x), elt);
  Value D = op.getD();
  SmallVector<Value> results = timeLoop(
      e, x, 1, {state, y}, [&](Emitter &s, Value t, ValueRange iter) -> SmallVector<Value> {
        Value xt = sliceAt(s, x, 1, t), dt = sliceAt(s, delta, 1, t); // [B,H,P], [B,H]
        Value bt = sliceAt(s, Bm, 1, t), ct = sliceAt(s, C, 1, t);    // [B,G,N]
        AffineMap groupMap = s.map(4, {s.d(0), s.d(1).floorDiv(perGroup), s.d(3)});
        // h = exp(Δ·A_h)·h + Δ·x ⊗ B over (b, h, p, n).
        Value h = s.generic(iter[0], {dt, A, xt, bt},
                            {s.dims(4, {0, 1}), s.dims(4, {1}), s.dims(4, {0, 1, 2}), groupMap,
                             s.identity(4)},
                            {P, P, P, P}, [](OpBuilder &b, Location l, ValueRange a) {
                              Value decay = math::ExpOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[1]));
                              Value input = arith::MulFOp::create(
                                  b, l, arith::MulFOp::create(b, l, a[0], a[2]), a[3]);
                              return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, decay, a[4]),
                                                           input)
                                  .getResult();
                            });
        SmallVector<OpFoldResult> rowSizes = {s.size(x, 0), s.size(x, 2), s.size(x, 3)};
        Value init = s.filled(rowSizes, elt, 0.0);
        if (D)
          init = s.generic(s.empty(rowSizes, elt), {xt, D}, {s.identity(3), s.dims(3, {1}), s.identity(3)},
                           {P, P, P}, [](OpBuilder &b, Location l, ValueRange a) {
                             return arith::MulFOp::create(b, l, a[0], a[1]).getResult();
                           });
        Value yt = s.generic(init, {h, ct}, {s.identity(4), groupMap, s.dims(4, {0, 1, 2})},
                             {P, P, P, R}, mulAccumulate);
        return {h, insertAt(s, yt, iter[1], 1, t)};
      });
  if (op.getReturnFinalState())
    return SmallVector<Value>{results[1], results[0]};
  return SmallVector<Value>{results[1]};
}

} // namespace

FailureOr<SmallVector<Value>>
mlir::icl::detail::decomposeInF32(OpBuilder &b, Operation *op,
                                  function_ref<FailureOr<SmallVector<Value>>(Operation *)> decompose) {
  auto narrow = [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && isa<FloatType>(tensor.getElementType()) &&
           tensor.getElementType().getIntOrFloatBitWidth() < 32;
  };
  if (!llvm::any_of(op->getResultTypes(), narrow))
    return decompose(op);
  Location loc = op->getLoc();
  auto wider = [&](Type t) { return cast<RankedTensorType>(t).clone(b.getF32Type()); };
  Operation *wide = b.clone(*op);
  for (OpOperand &operand : wide->getOpOperands())
    if (narrow(operand.get().getType()))
      operand.set(arith::ExtFOp::create(b, loc, wider(operand.get().getType()), operand.get()));
  for (OpResult result : wide->getResults())
    if (narrow(result.getType()))
      result.setType(wider(result.getType()));
  // `wide` sits before the insertion point and is erased once decomposed.
  FailureOr<SmallVector<Value>> results = decompose(wide);
  wide->erase();
  if (failed(results))
    return failure();
  for (auto [value, type] : llvm::zip(*results, op->getResultTypes()))
    if (value.getType() != type)
      value = arith::TruncFOp::create(b, loc, type, value);
  return results;
}

//===----------------------------------------------------------------------===//
// AggregatedOpInterface: each op's decomposition
//===----------------------------------------------------------------------===//

namespace mlir::icl {

#define ICL_DECOMPOSE(OP, FN)                                                                      \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {                             \
    Emitter e(b, getLoc());                                                                        \
    return asResults(FN(e, *this));                                                                \
  }
ICL_DECOMPOSE(ActivationOp, decomposeActivation)
ICL_DECOMPOSE(LinearOp, decomposeLinear)
ICL_DECOMPOSE(EmbeddingOp, decomposeEmbedding)
ICL_DECOMPOSE(RopeOp, decomposeRope)
ICL_DECOMPOSE(CausalConv1dOp, decomposeCausalConv1d)
ICL_DECOMPOSE(AttentionOp, decomposeAttention)
ICL_DECOMPOSE(AttentionCombineOp, decomposeAttentionCombine)
#undef ICL_DECOMPOSE

#define ICL_DECOMPOSE_MULTI(OP, FN)                                                                \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {                             \
    Emitter e(b, getLoc());                                                                        \
    return FN(e, *this);                                                                           \
  }
ICL_DECOMPOSE_MULTI(AttentionPartialOp, decomposeAttentionPartial)
#undef ICL_DECOMPOSE_MULTI

// Recurrences of bf16/f16 tensors carry their state and sums in f32.
#define ICL_DECOMPOSE_MULTI_IN_F32(OP, FN)                                                         \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {                             \
    return detail::decomposeInF32(b, *this, [&](Operation *op) {                                  \
      Emitter e(b, op->getLoc());                                                                  \
      return FN(e, cast<OP>(op));                                                                  \
    });                                                                                            \
  }
ICL_DECOMPOSE_MULTI_IN_F32(LinearAttentionOp, decomposeLinearAttention)
ICL_DECOMPOSE_MULTI_IN_F32(SelectiveScanOp, decomposeSelectiveScan)
ICL_DECOMPOSE_MULTI_IN_F32(SsdOp, decomposeSsd)
#undef ICL_DECOMPOSE_MULTI_IN_F32

// Norms and softmax of bf16/f16 tensors compute in f32.
#define ICL_DECOMPOSE_IN_F32(OP, FN)                                                               \
  FailureOr<SmallVector<Value>> OP::decomposeOperation(OpBuilder &b) {                             \
    return detail::decomposeInF32(b, *this, [&](Operation *op) {                                  \
      Emitter e(b, op->getLoc());                                                                  \
      return asResults(FN(e, cast<OP>(op)));                                                       \
    });                                                                                            \
  }
ICL_DECOMPOSE_IN_F32(LayerNormOp, decomposeLayerNorm)
ICL_DECOMPOSE_IN_F32(RmsNormOp, decomposeRmsNorm)
ICL_DECOMPOSE_IN_F32(GatedRmsNormOp, decomposeGatedRmsNorm)
ICL_DECOMPOSE_IN_F32(SoftmaxOp, decomposeSoftmax)
#undef ICL_DECOMPOSE_IN_F32

} // namespace mlir::icl
