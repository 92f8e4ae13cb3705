//===- LinalgBuilder.h - Building linalg on tensors ------------*- C++ -*-===//
//
// The vocabulary the decompositions of icl ops (IclDecompose*.cpp) are written
// in, also used by the passes that rewrite icl ops into other icl ops.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_DIALECTS_ICL_IR_LINALGBUILDER_H
#define ICL_DIALECTS_ICL_IR_LINALGBUILDER_H

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

#include <cmath>

namespace mlir::icl::detail {

namespace ir = mlir::icl;
using utils::IteratorType;

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Small vocabulary for building linalg on tensors at one location.
class Emitter {
public:
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc), ctx(b.getContext()) {}

  OpBuilder &b;
  Location loc;
  MLIRContext *ctx;

  Value f(Type t, double v) { return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v)); }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  SmallVector<OpFoldResult> sizes(Value v) { return tensor::getMixedSizes(b, loc, v); }
  OpFoldResult size(Value v, int64_t d) {
    auto t = cast<RankedTensorType>(v.getType());
    if (d < 0)
      d += t.getRank();
    if (!t.isDynamicDim(d))
      return b.getIndexAttr(t.getDimSize(d));
    return tensor::DimOp::create(b, loc, v, d).getResult();
  }
  Value empty(ArrayRef<OpFoldResult> sizes, Type elt) {
    return tensor::EmptyOp::create(b, loc, sizes, elt);
  }
  Value filled(ArrayRef<OpFoldResult> sizes, Type elt, double v) {
    return linalg::FillOp::create(b, loc, f(elt, v), empty(sizes, elt)).getResult(0);
  }

  AffineExpr d(unsigned i) { return getAffineDimExpr(i, ctx); }
  AffineMap map(unsigned numDims, ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(numDims, 0, exprs, ctx);
  }
  /// The map selecting dims `ids` of a `numDims`-dimensional loop nest.
  AffineMap dims(unsigned numDims, ArrayRef<unsigned> ids) {
    SmallVector<AffineExpr> exprs;
    for (unsigned i : ids)
      exprs.push_back(d(i));
    return map(numDims, exprs);
  }
  AffineMap identity(unsigned n) { return AffineMap::getMultiDimIdentityMap(n, ctx); }

  /// One linalg.generic: `maps` lists the inputs' maps then the init's.
  /// `body` gets the input scalars then the current output scalar.
  Value generic(Value init, ValueRange inputs, ArrayRef<AffineMap> maps,
                ArrayRef<IteratorType> iterators, BodyFn body) {
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, body(nb, nl, args));
        });
    return op.getResult(0);
  }
  /// `x` with its dimensions permuted: result dim i is `x`'s dim perm[i].
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    SmallVector<OpFoldResult> outSizes;
    for (int64_t p : perm)
      outSizes.push_back(size(x, p));
    Type elt = cast<RankedTensorType>(x.getType()).getElementType();
    return linalg::TransposeOp::create(b, loc, x, empty(outSizes, elt), perm).getResult()[0];
  }
  /// Attention-layout [B, H, T, D] as tokens [B, T, H·D] (the layout of the
  /// token-reduction ops), and back.
  Value mergeHeads(Value x) {
    return tensor::CollapseShapeOp::create(b, loc, transpose(x, {0, 2, 1, 3}),
                                           ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  }
  Value splitHeads(Value x, int64_t heads) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t batch = type.getDimSize(0), tokens = type.getDimSize(1);
    auto split = RankedTensorType::get({batch, tokens, heads, type.getDimSize(2) / heads},
                                       type.getElementType());
    Value expanded = tensor::ExpandShapeOp::create(
        b, loc, split, x, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    return transpose(expanded, {0, 2, 1, 3});
  }
  /// Elementwise map over inputs shaped like `like`, giving element type `elt`.
  Value map(Value like, ValueRange inputs, Type elt, BodyFn body) {
    unsigned rank = cast<RankedTensorType>(like.getType()).getRank();
    SmallVector<AffineMap> maps(inputs.size() + 1, identity(rank));
    return generic(empty(sizes(like), elt), inputs, maps,
                   SmallVector<IteratorType>(rank, IteratorType::parallel), body);
  }
  /// Reduces the last dimension of `x` with `combine(acc, element)` from `init`.
  Value reduceLast(Value x, double init, function_ref<Value(OpBuilder &, Location, Value, Value)>
                                             combine) {
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> outSizes = sizes(x);
    outSizes.pop_back();
    SmallVector<unsigned> kept;
    for (unsigned i = 0; i + 1 < rank; ++i)
      kept.push_back(i);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.back() = IteratorType::reduction;
    return generic(filled(outSizes, type.getElementType(), init), {x},
                   {identity(rank), dims(rank, kept)}, iters,
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     return combine(nb, nl, a[1], a[0]);
                   });
  }
};

/// Scalar float helpers usable inside generic bodies.
inline Value fconst(OpBuilder &b, Location l, Type t, double v) {
  return arith::ConstantOp::create(b, l, t, b.getFloatAttr(t, v));
}
inline Value sigmoid(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, fconst(b, l, t, 1.0),
                               arith::AddFOp::create(b, l, fconst(b, l, t, 1.0), e));
}

inline Value activate(OpBuilder &b, Location l, ir::Activation kind, Value x) {
  Type t = x.getType();
  auto c = [&](double v) { return fconst(b, l, t, v); };
  auto mul = [&](Value a, Value v) { return arith::MulFOp::create(b, l, a, v).getResult(); };
  auto add = [&](Value a, Value v) { return arith::AddFOp::create(b, l, a, v).getResult(); };
  switch (kind) {
  case ir::Activation::none:
    return x;
  case ir::Activation::relu:
    return arith::MaximumFOp::create(b, l, x, c(0.0));
  case ir::Activation::gelu:
    return mul(mul(c(0.5), x), add(c(1.0), math::ErfOp::create(b, l, mul(x, c(M_SQRT1_2)))));
  case ir::Activation::gelu_tanh: {
    Value inner = mul(c(std::sqrt(2.0 / M_PI)), add(x, mul(c(0.044715), mul(x, mul(x, x)))));
    return mul(mul(c(0.5), x), add(c(1.0), math::TanhOp::create(b, l, inner)));
  }
  case ir::Activation::silu:
    return mul(x, sigmoid(b, l, x));
  case ir::Activation::softplus: {
    // log1p(exp(x)) overflows for large x, where it equals x.
    Value soft = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x));
    Value big = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, c(20.0));
    return arith::SelectOp::create(b, l, big, x, soft);
  }
  case ir::Activation::sigmoid:
    return sigmoid(b, l, x);
  case ir::Activation::elu_plus_one: {
    Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, c(0.0));
    return arith::SelectOp::create(b, l, pos, add(x, c(1.0)), math::ExpOp::create(b, l, x));
  }
  }
  llvm_unreachable("unknown activation");
}

/// Generic body of contractions: out + in0 · in1.
inline Value mulAccumulate(OpBuilder &b, Location l, ValueRange a) {
  // Operands narrower than the accumulator (bf16/f16 into f32) are extended.
  Type acc = a[2].getType();
  auto widen = [&](Value v) -> Value {
    return v.getType() == acc ? v : arith::ExtFOp::create(b, l, acc, v).getResult();
  };
  return arith::AddFOp::create(b, l, a[2], arith::MulFOp::create(b, l, widen(a[0]), widen(a[1])));
}

/// The type reductions of `elt` values accumulate in: f32 for narrower
/// floats (OPS.md: accumulate in float32 whatever the storage type).
inline Type accumulatorType(Type elt) {
  return elt.getIntOrFloatBitWidth() < 32 ? Float32Type::get(elt.getContext()) : elt;
}

/// Generic body of sums: out + in0.
inline Value accumulate(OpBuilder &b, Location l, ValueRange a) {
  return arith::AddFOp::create(b, l, a[1], a[0]);
}

/// One value as the result list of a decomposition (AggregatedOpInterface).
inline FailureOr<SmallVector<Value>> asResults(FailureOr<Value> v) {
  if (failed(v))
    return failure();
  return SmallVector<Value>{*v};
}

/// Decomposes `op` by `decompose` in float32 when any of its results is a
/// narrower float tensor (OPS.md: norms and softmax accumulate in float32
/// whatever the storage type): `decompose` runs on a clone of `op` whose
/// narrow operands are extended and whose results are f32, and its results
/// are rounded back once.
FailureOr<SmallVector<Value>>
decomposeInF32(OpBuilder &b, Operation *op,
               function_ref<FailureOr<SmallVector<Value>>(Operation *)> decompose);

/// The softmax scale of an attention-like op: its `scale`, else 1/√D for a
/// static head dim D; none when neither is known.
template <typename OpTy>
std::optional<double> softmaxScale(OpTy op) {
  if (op.getScale())
    return op.getScale()->convertToDouble();
  int64_t headDim = cast<RankedTensorType>(op.getQuery().getType()).getDimSize(3);
  if (ShapedType::isDynamic(headDim))
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

} // namespace mlir::icl::detail

#endif // ICL_DIALECTS_ICL_IR_LINALGBUILDER_H
