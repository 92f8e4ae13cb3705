//===- RaiseFusedOps.cpp - Decomposed attention, norms and GELU to icl ops -===//
//
// Frontends that only know primitive ops (ONNX exports, hand-written linalg)
// spell attention as matmul -> scale -> mask -> softmax -> matmul, norms as
// reductions and elementwise ops, GELU as erf or tanh arithmetic. These
// patterns recognise those subgraphs on tensors and replace them with the
// icl op that computes the same function, so that icl's fused lowerings
// apply. A subgraph that differs in anything that changes the result (the
// softmax axis, a constant, a second use of an intermediate value) is left
// as it is.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::icl {
#define GEN_PASS_DEF_RAISEFUSEDOPS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

bool near(double a, double b, double rel = 1e-5) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

/// The value of a float splat constant (arith.constant dense<c>).
std::optional<double> splatOf(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// Every element of a float constant (dense or dense resource).
std::optional<std::vector<double>> constantValues(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  std::vector<double> out;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &f : dense.getValues<APFloat>())
      out.push_back(f.convertToDouble());
    return out;
  }
  if (auto r = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<float>> data = r.tryGetAsArrayRef())
      return std::vector<double>(data->begin(), data->end());
  } else if (auto r = dyn_cast<DenseF64ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<double>> data = r.tryGetAsArrayRef())
      return std::vector<double>(data->begin(), data->end());
  }
  return std::nullopt;
}

/// Looks through reshapes that only add or drop unit dimensions.
Value stripUnitReshapes(Value v) {
  auto nonUnit = [](Value x) {
    SmallVector<int64_t> dims;
    for (int64_t d : typeOf(x).getShape())
      if (d != 1)
        dims.push_back(d);
    return dims;
  };
  while (true) {
    Operation *op = v.getDefiningOp();
    if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op))
      return v;
    Value src = op->getOperand(0);
    if (nonUnit(src) != nonUnit(v))
      return v;
    v = src;
  }
}

/// For a value broadcast along its last dimension (a per-row statistic),
/// the per-row tensor; otherwise the value itself.
Value rowStatistic(Value v) {
  v = stripUnitReshapes(v);
  if (auto bc = v.getDefiningOp<linalg::BroadcastOp>()) {
    int64_t rank = typeOf(bc->getResult(0)).getRank();
    if (bc.getDimensions() == ArrayRef<int64_t>{rank - 1})
      return stripUnitReshapes(bc.getInput());
  }
  return v;
}

/// For a value broadcast from a vector over the last dimension (γ, β), that
/// vector.
Value channelVector(Value v, int64_t channels) {
  if (auto bc = v.getDefiningOp<linalg::BroadcastOp>()) {
    Value in = bc.getInput();
    auto t = typeOf(in);
    int64_t rank = typeOf(bc->getResult(0)).getRank();
    SmallVector<int64_t> lead;
    for (int64_t d = 0; d < rank - 1; ++d)
      lead.push_back(d);
    if (t.getRank() == 1 && t.getDimSize(0) == channels && bc.getDimensions() == ArrayRef(lead))
      return in;
  }
  if (typeOf(v).getRank() == 1 && typeOf(v).getDimSize(0) == channels)
    return v;
  return nullptr;
}

/// The product tree under `v` (mulf ops used once, except the root): its
/// non-constant factors and the product of its splat constants.
void collectFactors(Value v, bool root, SmallVectorImpl<Value> &factors, double &scale) {
  if (std::optional<double> c = splatOf(v)) {
    scale *= *c;
    return;
  }
  auto mul = v.getDefiningOp<arith::MulFOp>();
  if (mul && (root || v.hasOneUse())) {
    collectFactors(mul.getLhs(), false, factors, scale);
    collectFactors(mul.getRhs(), false, factors, scale);
    return;
  }
  if (auto div = v.getDefiningOp<arith::DivFOp>(); div && (root || v.hasOneUse())) {
    if (std::optional<double> c = splatOf(div.getRhs()); c && *c != 0) {
      collectFactors(div.getLhs(), false, factors, scale);
      scale /= *c;
      return;
    }
  }
  factors.push_back(v);
}

/// The other operand of a commutative binary op when one operand is `v`.
template <typename OpTy>
Value otherOperand(OpTy op, Value v) {
  if (op.getLhs() == v)
    return op.getRhs();
  if (op.getRhs() == v)
    return op.getLhs();
  return nullptr;
}

/// `a + c` (either order) with a splat c: returns a and sets c.
Value addOfSplat(Value v, double &c) {
  auto add = v.getDefiningOp<arith::AddFOp>();
  if (!add)
    return nullptr;
  if (std::optional<double> s = splatOf(add.getRhs())) {
    c = *s;
    return add.getLhs();
  }
  if (std::optional<double> s = splatOf(add.getLhs())) {
    c = *s;
    return add.getRhs();
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// `expand_shape(batch_matmul(collapse_shape(a), collapse_shape(b)))` on
/// rank-4 operands whose two leading dims are merged: a·b per (batch, head).
struct BatchedProduct {
  Value lhs, rhs;
  SmallVector<Operation *> ops;
};

std::optional<BatchedProduct> matchBatchedProduct(Value v) {
  auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || typeOf(v).getRank() != 4)
    return std::nullopt;
  auto bmm = expand.getSrc().getDefiningOp<linalg::BatchMatmulOp>();
  if (!bmm || !bmm->hasOneUse() || !bmm.hasPureTensorSemantics() ||
      !bmm.isDefaultIndexingMaps(bmm.getIndexingMaps()))
    return std::nullopt;
  // The accumulator must start at zero.
  auto fill = bmm.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
    return std::nullopt;
  SmallVector<ReassociationIndices> merged = {{0, 1}, {2}, {3}};
  if (expand.getReassociationIndices() != merged)
    return std::nullopt;
  BatchedProduct p;
  for (Value in : bmm.getInputs()) {
    auto collapse = in.getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse || collapse.getReassociationIndices() != merged)
      return std::nullopt;
    (p.lhs ? p.rhs : p.lhs) = collapse.getSrc();
  }
  if (typeOf(p.lhs).getDimSize(0) != typeOf(v).getDimSize(0) ||
      typeOf(p.lhs).getDimSize(1) != typeOf(v).getDimSize(1))
    return std::nullopt;
  p.ops = {expand, bmm};
  return p;
}

/// Keys or values shared by groups of query heads (GQA): a `[B, Hkv, T, D]`
/// tensor broadcast to `[B, Hkv, r, T, D]` and merged into `[B, Hkv·r, T, D]`.
Value sharedHeads(Value v) {
  auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return v;
  SmallVector<ReassociationIndices> heads = {{0}, {1, 2}, {3}, {4}};
  auto bc = collapse.getSrc().getDefiningOp<linalg::BroadcastOp>();
  if (collapse.getReassociationIndices() != heads || !bc ||
      bc.getDimensions() != ArrayRef<int64_t>{2})
    return v;
  return bc.getInput();
}

/// Splat factors on q or kᵀ (exports of scaled_dot_product_attention scale
/// both by √scale): the unscaled operand, multiplying `scale`.
Value peelScale(Value v, double &scale) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>(); mul && v.hasOneUse()) {
    if (std::optional<double> c = splatOf(mul.getRhs())) {
      scale *= *c;
      return mul.getLhs();
    }
    if (std::optional<double> c = splatOf(mul.getLhs())) {
      scale *= *c;
      return mul.getRhs();
    }
  }
  if (auto div = v.getDefiningOp<arith::DivFOp>(); div && v.hasOneUse())
    if (std::optional<double> c = splatOf(div.getRhs()); c && *c != 0) {
      scale /= *c;
      return div.getLhs();
    }
  return v;
}

/// True when `mask` (an additive [.., Sq, Skv] mask) is the end-aligned
/// causal mask: 0 where key j ≤ i + Skv − Sq, ≤ −1e9 (or −∞) elsewhere.
bool isCausalMask(Value mask, int64_t sq, int64_t skv) {
  Value m = mask;
  if (auto bc = m.getDefiningOp<linalg::BroadcastOp>()) {
    int64_t rank = typeOf(m).getRank();
    SmallVector<int64_t> lead;
    for (int64_t d = 0; d < rank - 2; ++d)
      lead.push_back(d);
    if (bc.getDimensions() != ArrayRef(lead))
      return false;
    m = bc.getInput();
  }
  m = stripUnitReshapes(m);
  auto shape = typeOf(m).getShape();
  if (shape.size() < 2 || shape[shape.size() - 2] != sq || shape.back() != skv ||
      typeOf(m).getNumElements() != sq * skv)
    return false;
  std::optional<std::vector<double>> values = constantValues(m);
  if (!values)
    return false;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < skv; ++j) {
      double x = (*values)[i * skv + j];
      if (j <= i + skv - sq ? x != 0.0 : !(x <= -1e9))
        return false;
    }
  return true;
}

/// o = softmax(scale·q·kᵀ + mask)·v, spelled with batch matmuls over merged
/// (batch, head) dims, a transpose of k and icl.softmax.
struct RaiseAttention : OpRewritePattern<tensor::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExpandShapeOp root,
                                PatternRewriter &rewriter) const override {
    std::optional<BatchedProduct> pv = matchBatchedProduct(root.getResult());
    if (!pv)
      return failure();
    auto softmax = pv->lhs.getDefiningOp<ir::SoftmaxOp>();
    if (!softmax || !pv->lhs.hasOneUse())
      return rewriter.notifyMatchFailure(root, "the probabilities are not a softmax used once");
    if (softmax.getAxis() != 3 && softmax.getAxis() != -1)
      return rewriter.notifyMatchFailure(root, "the softmax is not over the key axis");

    // Logits: (q·kᵀ)·c + mask, the scale and the mask optional.
    Value logits = softmax.getInput();
    Value mask;
    double scale = 1.0;
    auto product = [&](Value v, double &s) -> std::optional<BatchedProduct> {
      Value inner = peelScale(v, s);
      if (!v.hasOneUse() || !inner.hasOneUse())
        return std::nullopt;
      return matchBatchedProduct(inner);
    };
    std::optional<BatchedProduct> qk = product(logits, scale);
    if (auto add = logits.getDefiningOp<arith::AddFOp>(); !qk && add && logits.hasOneUse()) {
      for (int which = 0; which < 2 && !qk; ++which) {
        scale = 1.0;
        qk = product(add->getOperand(which), scale);
        mask = add->getOperand(1 - which);
      }
    }
    if (!qk)
      return rewriter.notifyMatchFailure(root, "the logits are not a product q·kᵀ");
    Value q = peelScale(qk->lhs, scale);
    Value kT = peelScale(qk->rhs, scale);

    auto qType = typeOf(q), kTType = typeOf(kT);
    int64_t sq = qType.getDimSize(2), skv = kTType.getDimSize(3);
    if (qType.getDimSize(3) != kTType.getDimSize(2))
      return failure();

    // kᵀ [B, H, D, Skv] back to k [B, H, Skv, D]: compose with the transpose
    // that produced it, if any.
    rewriter.setInsertionPoint(root);
    Location loc = root.getLoc();
    SmallVector<int64_t> perm = {0, 1, 3, 2};
    Value kSource = kT;
    if (auto t = kT.getDefiningOp<linalg::TransposeOp>()) {
      ArrayRef<int64_t> inner = t.getPermutation();
      perm = {inner[0], inner[1], inner[3], inner[2]};
      kSource = t.getInput();
    }
    Value k = kSource;
    if (perm != ArrayRef<int64_t>{0, 1, 2, 3}) {
      SmallVector<int64_t> shape;
      for (int64_t p : perm)
        shape.push_back(typeOf(kSource).getDimSize(p));
      Value init = tensor::EmptyOp::create(rewriter, loc, shape, kTType.getElementType());
      k = linalg::TransposeOp::create(rewriter, loc, kSource, init, perm)->getResult(0);
    }
    Value v = pv->rhs;
    Value kShared = sharedHeads(k), vShared = sharedHeads(v);
    if (kShared != k && vShared != v &&
        typeOf(kShared).getDimSize(1) == typeOf(vShared).getDimSize(1)) {
      k = kShared;
      v = vShared;
    }

    ir::MaskKind kind = ir::MaskKind::none;
    if (mask && isCausalMask(mask, sq, skv)) {
      kind = ir::MaskKind::causal;
      mask = nullptr;
    }
    auto attention = ir::AttentionOp::create(
        rewriter, loc, root.getType(), q, k, v, mask, /*key_sizes=*/Value(),
        rewriter.getF64FloatAttr(scale), ir::MaskKindAttr::get(getContext(), kind),
        /*window=*/IntegerAttr());
    rewriter.replaceOp(root, attention.getResult());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GELU
//===----------------------------------------------------------------------===//

/// `x·0.5·(1 + erf(x/√2))` and `x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`,
/// the factors in any order and grouping.
struct RaiseGelu : OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MulFOp root, PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(root.getType()))
      return failure();
    SmallVector<Value> factors;
    double half = 1.0;
    collectFactors(root.getResult(), true, factors, half);
    if (factors.size() != 2 || !near(half, 0.5))
      return failure();
    for (int which = 0; which < 2; ++which) {
      Value x = factors[which], sum = factors[1 - which];
      double one = 0;
      Value inner = addOfSplat(sum, one);
      if (!inner || !near(one, 1.0) || !sum.hasOneUse() || !inner.hasOneUse())
        continue;
      std::optional<ir::Activation> kind;
      if (auto erf = inner.getDefiningOp<math::ErfOp>()) {
        if (matchesErfArgument(erf.getOperand(), x))
          kind = ir::Activation::gelu;
      } else if (auto tanh = inner.getDefiningOp<math::TanhOp>()) {
        if (matchesTanhArgument(tanh.getOperand(), x))
          kind = ir::Activation::gelu_tanh;
      }
      if (!kind || x.getType() != root.getType())
        continue;
      rewriter.replaceOpWithNewOp<ir::ActivationOp>(root, x,
                                                    ir::ActivationAttr::get(getContext(), *kind));
      return success();
    }
    return failure();
  }

  static bool matchesErfArgument(Value arg, Value x) {
    SmallVector<Value> f;
    double c = 1.0;
    collectFactors(arg, /*root=*/arg.hasOneUse(), f, c);
    return f.size() == 1 && f[0] == x && near(c, M_SQRT1_2);
  }

  static bool matchesTanhArgument(Value arg, Value x) {
    SmallVector<Value> f;
    double c = 1.0;
    collectFactors(arg, arg.hasOneUse(), f, c);
    if (f.size() != 1 || !near(c, std::sqrt(2.0 / M_PI), 1e-4))
      return false;
    auto add = f[0].getDefiningOp<arith::AddFOp>();
    if (!add)
      return false;
    Value cubic = otherOperand(add, x);
    if (!cubic)
      return false;
    SmallVector<Value> g;
    double k = 1.0;
    collectFactors(cubic, cubic.hasOneUse(), g, k);
    if (!near(k, 0.044715, 1e-4))
      return false;
    if (g.size() == 3)
      return llvm::all_of(g, [&](Value v) { return v == x; });
    // x³ as x²·x or pow(x, 3).
    if (g.size() == 2) {
      Value sq = g[0] == x ? g[1] : g[1] == x ? g[0] : nullptr;
      auto m = sq ? sq.getDefiningOp<arith::MulFOp>() : nullptr;
      return m && m.getLhs() == x && m.getRhs() == x;
    }
    if (g.size() == 1)
      if (auto pow = g[0].getDefiningOp<math::PowFOp>())
        return pow.getLhs() == x && splatOf(pow.getRhs()) == 3.0;
    return false;
  }
};

//===----------------------------------------------------------------------===//
// Layer norm and RMS norm
//===----------------------------------------------------------------------===//

/// mean(x) over the last dimension, spelled as a linalg.reduce of addf
/// divided by (or multiplied with the reciprocal of) the size: returns x.
Value meanOverLastDim(Value v) {
  v = stripUnitReshapes(v);
  SmallVector<Value> factors;
  double scale = 1.0;
  collectFactors(v, true, factors, scale);
  if (factors.size() != 1)
    return nullptr;
  auto reduce = factors[0].getDefiningOp<linalg::ReduceOp>();
  if (!reduce || reduce.getInputs().size() != 1)
    return nullptr;
  Value x = reduce.getInputs()[0];
  int64_t rank = typeOf(x).getRank(), channels = typeOf(x).getShape().back();
  if (reduce.getDimensions() != ArrayRef<int64_t>{rank - 1} || !near(scale, 1.0 / channels))
    return nullptr;
  Block &body = reduce.getRegion().front();
  auto add = dyn_cast<arith::AddFOp>(&body.front());
  if (!add || body.getOperations().size() != 2)
    return nullptr;
  if (!matchPattern(reduce.getInits()[0].getDefiningOp<linalg::FillOp>()
                        ? reduce.getInits()[0].getDefiningOp<linalg::FillOp>().getInputs()[0]
                        : Value(),
                    m_AnyZeroFloat()))
    return nullptr;
  return x;
}

/// x² as x·x or pow(x, 2): returns x.
Value squareOf(Value v) {
  if (auto m = v.getDefiningOp<arith::MulFOp>(); m && m.getLhs() == m.getRhs())
    return m.getLhs();
  if (auto p = v.getDefiningOp<math::PowFOp>(); p && splatOf(p.getRhs()) == 2.0)
    return p.getLhs();
  return nullptr;
}

/// 1/sqrt(v + eps), spelled as rsqrt, 1/sqrt or reciprocal(sqrt): returns v.
Value inverseRootOf(Value r, double &eps) {
  Value root;
  if (auto rs = r.getDefiningOp<math::RsqrtOp>()) {
    root = rs.getOperand();
  } else if (auto div = r.getDefiningOp<arith::DivFOp>(); div && splatOf(div.getLhs()) == 1.0) {
    auto sq = div.getRhs().getDefiningOp<math::SqrtOp>();
    if (!sq)
      return nullptr;
    root = sq.getOperand();
  } else {
    return nullptr;
  }
  return addOfSplat(root, eps);
}

/// The normalisation core `x·rsqrt(var + eps)` or `x / sqrt(var + eps)` of
/// both norms, the statistic broadcast over the last dimension.
struct NormCore {
  Value numerator, variance;
  double eps = 0;
};

std::optional<NormCore> matchNormCore(Operation *op) {
  NormCore core;
  auto perRow = [&](Value v) { return rowStatistic(v); };
  if (auto div = dyn_cast<arith::DivFOp>(op)) {
    auto sq = perRow(div.getRhs()).getDefiningOp<math::SqrtOp>();
    if (!sq)
      return std::nullopt;
    core.numerator = div.getLhs();
    core.variance = addOfSplat(stripUnitReshapes(sq.getOperand()), core.eps);
  } else if (auto mul = dyn_cast<arith::MulFOp>(op)) {
    for (int which = 0; which < 2 && !core.variance; ++which) {
      Value r = perRow(mul->getOperand(1 - which));
      core.variance = inverseRootOf(stripUnitReshapes(r), core.eps);
      core.numerator = mul->getOperand(which);
    }
  }
  if (!core.variance || core.eps < 0)
    return std::nullopt;
  core.variance = stripUnitReshapes(core.variance);
  return core;
}

/// (x − mean(x)) / sqrt(mean((x − mean(x))²) + eps) → icl.layer_norm, and
/// x / sqrt(mean(x²) + eps) → icl.rms_norm, over the last dimension.
template <typename OpTy>
struct RaiseNorm : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy root, PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(root.getType()))
      return failure();
    std::optional<NormCore> core = matchNormCore(root);
    if (!core)
      return failure();
    Value squared = meanOverLastDim(core->variance);
    Value centred = squared ? squareOf(squared) : nullptr;
    if (!centred || centred != core->numerator)
      return failure();
    Type type = root.getType();
    MLIRContext *ctx = rewriter.getContext();
    FloatAttr eps = FloatAttr::get(Float64Type::get(ctx), core->eps);
    // Layer norm when the numerator is x − mean(x).
    if (auto sub = centred.getDefiningOp<arith::SubFOp>()) {
      if (meanOverLastDim(rowStatistic(sub.getRhs())) == sub.getLhs() &&
          sub.getLhs().getType() == type) {
        rewriter.replaceOpWithNewOp<ir::LayerNormOp>(root, type, sub.getLhs(), Value(), Value(),
                                                     eps);
        return success();
      }
    }
    if (centred.getType() != type)
      return failure();
    rewriter.replaceOpWithNewOp<ir::RmsNormOp>(root, type, centred, Value(), eps);
    return success();
  }
};

/// norm(x)·γ and norm(x)·γ + β with γ, β broadcast over the rows: the
/// norm's own gamma and beta.
struct FoldNormAffine : OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MulFOp mul, PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(mul.getType()))
      return failure();
    for (int which = 0; which < 2; ++which) {
      Value n = mul->getOperand(which);
      if (!n.hasOneUse())
        continue;
      int64_t channels = typeOf(n).getShape().back();
      Value gamma = channelVector(mul->getOperand(1 - which), channels);
      if (!gamma)
        continue;
      if (auto ln = n.getDefiningOp<ir::LayerNormOp>(); ln && !ln.getGamma() && !ln.getBeta()) {
        rewriter.replaceOpWithNewOp<ir::LayerNormOp>(mul, mul.getType(), ln.getInput(), gamma,
                                                     Value(), ln.getEpsAttr());
        return success();
      }
      if (auto rms = n.getDefiningOp<ir::RmsNormOp>(); rms && !rms.getGamma()) {
        rewriter.replaceOpWithNewOp<ir::RmsNormOp>(mul, mul.getType(), rms.getInput(), gamma,
                                                   rms.getEpsAttr());
        return success();
      }
    }
    return failure();
  }
};

struct FoldNormBias : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::AddFOp add, PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(add.getType()))
      return failure();
    for (int which = 0; which < 2; ++which) {
      auto ln = add->getOperand(which).getDefiningOp<ir::LayerNormOp>();
      if (!ln || ln.getBeta() || !ln->hasOneUse())
        continue;
      Value beta = channelVector(add->getOperand(1 - which), typeOf(ln.getResult()).getShape().back());
      if (!beta)
        continue;
      rewriter.replaceOpWithNewOp<ir::LayerNormOp>(add, add.getType(), ln.getInput(),
                                                   ln.getGamma(), beta, ln.getEpsAttr());
      return success();
    }
    return failure();
  }
};

/// linear(x, w) + b with b broadcast over the rows (a MatMul by a weight
/// followed by Add of a bias): the linear's own bias.
struct FoldLinearBias : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::AddFOp add, PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(add.getType()))
      return failure();
    for (int which = 0; which < 2; ++which) {
      auto linear = add->getOperand(which).getDefiningOp<ir::LinearOp>();
      if (!linear || linear.getBias() || !linear->hasOneUse())
        continue;
      Value bias = channelVector(add->getOperand(1 - which),
                                 typeOf(linear.getResult()).getShape().back());
      if (!bias)
        continue;
      rewriter.replaceOpWithNewOp<ir::LinearOp>(add, add.getType(), linear.getInput(),
                                                linear.getWeight(), bias);
      return success();
    }
    return failure();
  }
};

/// selective_scan(...) · silu(z), the Mamba gate applied after the scan: the
/// scan's own z operand, so the gate runs inside the scan's loop.
struct FoldScanGate : OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MulFOp mul, PatternRewriter &rewriter) const override {
    for (int which = 0; which < 2; ++which) {
      auto scan = mul->getOperand(which).getDefiningOp<ir::SelectiveScanOp>();
      auto gate = mul->getOperand(1 - which).getDefiningOp<ir::ActivationOp>();
      if (!scan || !gate || scan.getZ() || scan.getFinalState() ||
          !scan.getResult().hasOneUse() || gate.getKind() != ir::Activation::silu ||
          gate.getInput().getType() != scan.getResult().getType())
        continue;
      auto fused = ir::SelectiveScanOp::create(
          rewriter, scan.getLoc(), scan.getU(), scan.getDelta(), scan.getA(), scan.getB(),
          scan.getC(), scan.getD(), gate.getInput(), scan.getDeltaBias(),
          scan.getInitialState(), scan.getDeltaSoftplusAttr(), scan.getReturnFinalStateAttr());
      rewriter.replaceOp(mul, fused.getResult());
      rewriter.eraseOp(scan);
      return success();
    }
    return failure();
  }
};

struct RaiseFusedOpsPass : public mlir::icl::impl::RaiseFusedOpsBase<RaiseFusedOpsPass> {
  using RaiseFusedOpsBase::RaiseFusedOpsBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    if (attention)
      patterns.add<RaiseAttention>(ctx);
    if (gelu)
      patterns.add<RaiseGelu>(ctx);
    if (norms)
      patterns.add<RaiseNorm<arith::DivFOp>, RaiseNorm<arith::MulFOp>, FoldNormAffine,
                   FoldNormBias>(ctx);
    if (linearBias)
      patterns.add<FoldLinearBias>(ctx);
    if (gates)
      patterns.add<FoldScanGate>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
