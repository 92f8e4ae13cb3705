//===- IclOps.cpp - Verifiers and shape inference of icl ops --------------===//
//
// Each op's verify() checks what ODS cannot express (ranks, matching sizes,
// attribute combinations) with one message per fact; inferReturnTypes()
// derives result types from operand types, leaving a size dynamic where the
// operands do not fix it.
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::icl;

static constexpr int64_t kDyn = ShapedType::kDynamic;

static RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Size `i` of `v` (negative `i` counts from the back).
static int64_t dimOf(Value v, int64_t i) {
  RankedTensorType t = tensorType(v);
  return t.getDimSize(i < 0 ? i + t.getRank() : i);
}

static std::string sizeStr(int64_t s) { return s == kDyn ? "?" : std::to_string(s); }

namespace {
/// Accumulates verifier checks; after the first failure the remaining checks
/// are skipped, so every op reports exactly one diagnostic.
class Checker {
public:
  explicit Checker(Operation *op) : op(op) {}

  bool failed() const { return hasFailed; }
  LogicalResult result() const { return failure(hasFailed); }

  /// `v` (if present) has rank `rank`.
  Checker &rank(Value v, StringRef name, int64_t rank) {
    if (!hasFailed && v && tensorType(v).getRank() != rank)
      fail() << "expects " << name << " of rank " << rank << ", got " << v.getType();
    return *this;
  }
  /// `v` has rank at least `rank`.
  Checker &minRank(Value v, StringRef name, int64_t rank) {
    if (!hasFailed && v && tensorType(v).getRank() < rank)
      fail() << "expects " << name << " of rank >= " << rank << ", got " << v.getType();
    return *this;
  }
  /// Two sizes agree unless one is dynamic.
  Checker &same(StringRef what, int64_t a, StringRef aName, int64_t b, StringRef bName) {
    if (!hasFailed && a != kDyn && b != kDyn && a != b)
      fail() << what << " of " << aName << " (" << a << ") does not match " << bName << " ("
             << b << ")";
    return *this;
  }
  /// Size `i` of optional operand `v` agrees with `expected`.
  Checker &dim(Value v, StringRef name, int64_t i, StringRef what, int64_t expected,
               StringRef expectedName) {
    if (v && !hasFailed)
      same(what, dimOf(v, i), name, expected, expectedName);
    return *this;
  }
  /// Float operands and results share one element type.
  Checker &sameElementType(ValueRange values) {
    Type elt;
    for (Value v : values) {
      if (hasFailed || !v || !isa<FloatType>(tensorType(v).getElementType()))
        continue;
      if (!elt)
        elt = tensorType(v).getElementType();
      else if (tensorType(v).getElementType() != elt)
        fail() << "expects all float operands and results to have element type " << elt
               << ", got " << v.getType();
    }
    return *this;
  }
  /// A free-form condition with its message.
  Checker &require(bool cond, const Twine &message) {
    if (!hasFailed && !cond)
      fail() << message;
    return *this;
  }

private:
  InFlightDiagnostic fail() {
    hasFailed = true;
    return op->emitOpError();
  }
  Operation *op;
  bool hasFailed = false;
};
} // namespace

static Type elementTypeOf(Value v) { return tensorType(v).getElementType(); }

static RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elt) {
  return RankedTensorType::get(shape, elt);
}

/// Checks `values` are ranked with the given ranks before shape inference
/// indexes their dimensions.
static LogicalResult haveRanks(std::initializer_list<std::pair<Value, int64_t>> values) {
  for (auto [v, rank] : values)
    if (v && tensorType(v).getRank() != rank)
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

StringRef WeightOp::getWeightsFile() {
  if (std::optional<StringRef> file = getFile())
    return *file;
  for (Operation *p = getOperation()->getParentOp(); p; p = p->getParentOp())
    if (auto attr = p->getAttrOfType<StringAttr>(IclDialect::kWeightsFileAttrName))
      return attr.getValue();
  return {};
}

LogicalResult WeightOp::verify() {
  Checker c(*this);
  c.require(!getName().empty(), "expects a non-empty weight name");
  c.require(!getWeightsFile().empty(),
            "has no weights file: give it `from \"file.safetensors\"` or set the module "
            "attribute 'icl.weights_file'");
  return c.result();
}

//===----------------------------------------------------------------------===//
// Dense building blocks
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  return Checker(*this).rank(getTable(), "table", 2).result();
}

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (failed(haveRanks({{adaptor.getTable(), 2}})))
    return failure();
  SmallVector<int64_t> shape(tensorType(adaptor.getIds()).getShape());
  shape.push_back(dimOf(adaptor.getTable(), 1));
  types.push_back(tensorOf(shape, elementTypeOf(adaptor.getTable())));
  return success();
}

LogicalResult LinearOp::verify() {
  Checker c(*this);
  c.minRank(getInput(), "input", 1).rank(getWeight(), "weight", 2).rank(getBias(), "bias", 1);
  if (c.failed())
    return failure();
  c.same("input features", dimOf(getInput(), -1), "input", dimOf(getWeight(), 1), "weight")
      .dim(getBias(), "bias", 0, "size", dimOf(getWeight(), 0), "weight output features")
      .sameElementType({getInput(), getWeight(), getBias()});
  return c.result();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (tensorType(adaptor.getInput()).getRank() < 1 || failed(haveRanks({{adaptor.getWeight(), 2}})))
    return failure();
  SmallVector<int64_t> shape(tensorType(adaptor.getInput()).getShape());
  shape.back() = dimOf(adaptor.getWeight(), 0);
  types.push_back(tensorOf(shape, elementTypeOf(adaptor.getInput())));
  return success();
}

/// Norm ops: the result has the input's type.
template <typename Adaptor>
static LogicalResult inferSameAsInput(Adaptor adaptor, SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

/// Checks an optional per-channel parameter `p` of rank 1 and size C.
static Checker &checkChannelParam(Checker &c, Value input, Value p, StringRef name) {
  return c.rank(p, name, 1).dim(p, name, 0, "size", c.failed() ? 0 : dimOf(input, -1),
                                "the input's last dimension");
}

LogicalResult LayerNormOp::verify() {
  Checker c(*this);
  c.minRank(getInput(), "input", 1);
  checkChannelParam(c, getInput(), getGamma(), "gamma");
  checkChannelParam(c, getInput(), getBeta(), "beta");
  c.require(getEps().convertToDouble() >= 0, "expects eps >= 0")
      .sameElementType({getInput(), getGamma(), getBeta()});
  return c.result();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferSameAsInput(adaptor, types);
}

LogicalResult RmsNormOp::verify() {
  Checker c(*this);
  c.minRank(getInput(), "input", 1);
  checkChannelParam(c, getInput(), getGamma(), "gamma");
  c.require(getEps().convertToDouble() >= 0, "expects eps >= 0")
      .sameElementType({getInput(), getGamma()});
  return c.result();
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferSameAsInput(adaptor, types);
}

LogicalResult GatedRmsNormOp::verify() {
  Checker c(*this);
  c.minRank(getInput(), "input", 1)
      .require(getInput().getType() == getGate().getType(),
               "expects input and gate of the same type");
  checkChannelParam(c, getInput(), getGamma(), "gamma");
  int64_t channels = c.failed() ? 0 : dimOf(getInput(), -1);
  int64_t group = static_cast<int64_t>(getGroupSize());
  c.require(group >= 0, "expects group_size >= 0")
      .require(group == 0 || channels == kDyn || channels % group == 0,
               "expects group_size (" + Twine(group) + ") to divide the channel count (" +
                   sizeStr(channels) + ")")
      .require(getEps().convertToDouble() >= 0, "expects eps >= 0")
      .sameElementType({getInput(), getGate(), getGamma()});
  return c.result();
}

LogicalResult GatedRmsNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                               Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferSameAsInput(adaptor, types);
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = tensorType(getInput()).getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  return Checker(*this)
      .require(rank >= 1, "expects an input of rank >= 1")
      .require(axis >= -rank && axis < rank,
               "axis " + Twine(axis) + " is out of range for rank " + Twine(rank))
      .result();
}

LogicalResult RopeOp::verify() {
  Checker c(*this);
  c.rank(getInput(), "input", 4);
  int64_t posRank = tensorType(getPositions()).getRank();
  c.require(posRank == 1 || posRank == 2, "expects positions of shape [T] or [B, T]");
  if (c.failed())
    return failure();
  c.same("sequence length", dimOf(getPositions(), -1), "positions", dimOf(getInput(), 2), "input");
  if (posRank == 2)
    c.same("batch size", dimOf(getPositions(), 0), "positions", dimOf(getInput(), 0), "input");
  int64_t headDim = dimOf(getInput(), 3);
  if (std::optional<uint64_t> attr = getRotaryDim()) {
    int64_t rd = static_cast<int64_t>(*attr);
    c.require(rd > 0 && rd % 2 == 0, "expects an even, positive rotary_dim")
        .require(headDim == kDyn || rd <= headDim,
                 "rotary_dim (" + Twine(rd) + ") exceeds the head dim (" + Twine(headDim) + ")");
  }
  else
    c.require(headDim == kDyn || headDim % 2 == 0,
              "expects an even head dim when rotary_dim is not given");
  double base = getBase().convertToDouble();
  c.require(base > 0 && std::isfinite(base), "expects a finite base > 0");
  return c.result();
}

LogicalResult RopeOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferSameAsInput(adaptor, types);
}

LogicalResult CausalConv1dOp::verify() {
  Checker c(*this);
  c.rank(getInput(), "input", 3).rank(getWeight(), "weight", 2).rank(getBias(), "bias", 1);
  if (c.failed())
    return failure();
  c.same("channel count", dimOf(getWeight(), 0), "weight", dimOf(getInput(), 1), "input")
      .dim(getBias(), "bias", 0, "size", dimOf(getInput(), 1), "the input's channel count")
      .sameElementType({getInput(), getWeight(), getBias()});
  return c.result();
}

LogicalResult CausalConv1dOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                               Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferSameAsInput(adaptor, types);
}

//===----------------------------------------------------------------------===//
// Attention family
//===----------------------------------------------------------------------===//

/// Whether a mask of shape `mask` broadcasts (numpy rules) to `full`.
static bool broadcastsTo(ArrayRef<int64_t> mask, ArrayRef<int64_t> full) {
  if (mask.size() > full.size())
    return false;
  size_t offset = full.size() - mask.size();
  for (auto [i, m] : llvm::enumerate(mask)) {
    int64_t f = full[offset + i];
    if (m != 1 && m != kDyn && f != kDyn && m != f)
      return false;
  }
  return true;
}

/// Shared checks of icl.attention and icl.attention_partial.
template <typename OpTy>
static LogicalResult verifyAttention(OpTy op, Checker &c) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  c.rank(q, "query", 4).rank(k, "key", 4).rank(v, "value", 4).rank(op.getKeySizes(), "key_sizes", 2);
  if (c.failed())
    return failure();
  int64_t hq = dimOf(q, 1), hkv = dimOf(k, 1);
  c.same("batch size", dimOf(k, 0), "key", dimOf(q, 0), "query")
      .same("batch size", dimOf(v, 0), "value", dimOf(q, 0), "query")
      .same("head count", dimOf(v, 1), "value", hkv, "key")
      .same("sequence length", dimOf(v, 2), "value", dimOf(k, 2), "key")
      .same("head dim", dimOf(k, 3), "key", dimOf(q, 3), "query")
      .require(hq == kDyn || hkv == kDyn || (hkv > 0 && hq % hkv == 0),
               "query heads (" + sizeStr(hq) + ") must be a multiple of key/value heads (" +
                   sizeStr(hkv) + ")")
      .dim(op.getKeySizes(), "key_sizes", 0, "batch size", dimOf(q, 0), "query")
      .dim(op.getKeySizes(), "key_sizes", 1, "length", dimOf(k, 2), "the key sequence")
      .sameElementType({q, k, v, op.getMask(), op.getKeySizes()});
  if (Value mask = op.getMask()) {
    int64_t full[] = {dimOf(q, 0), hq, dimOf(q, 2), dimOf(k, 2)};
    c.require(broadcastsTo(tensorType(mask).getShape(), full),
              "mask of type " + llvm::formatv("{0}", mask.getType()).str() +
                  " does not broadcast to [batch, query heads, query length, key length]");
  }
  bool sliding = op.getMaskKind() == MaskKind::sliding_window;
  std::optional<int64_t> window;
  if (op.getWindow())
    window = static_cast<int64_t>(*op.getWindow());
  c.require(sliding == window.has_value(),
            "expects a 'window' attribute exactly when mask_kind is sliding_window")
      .require(!window || *window >= 1, "expects window >= 1");
  if (std::optional<APFloat> scale = op.getScale())
    c.require(std::isfinite(scale->convertToDouble()), "expects a finite scale");
  return c.result();
}

LogicalResult AttentionOp::verify() {
  Checker c(*this);
  return verifyAttention(*this, c);
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value q = adaptor.getQuery(), v = adaptor.getValue();
  if (failed(haveRanks({{q, 4}, {v, 4}})))
    return failure();
  types.push_back(
      tensorOf({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2), dimOf(v, 3)}, elementTypeOf(q)));
  return success();
}

LogicalResult AttentionPartialOp::verify() {
  Checker c(*this);
  if (failed(verifyAttention(*this, c)))
    return failure();
  int64_t skv = dimOf(getKey(), 2);
  int64_t offset = static_cast<int64_t>(getKvOffset());
  int64_t length = static_cast<int64_t>(getKvLength());
  c.require(getPositions().empty() || getPositions().size() == 2,
            "expects positions(offset, length): two index values")
      .require(getPositions().empty() || (offset == 0 && length == 0),
               "expects either positions(...) or the kv_offset and kv_length attributes, not both")
      .require(getState().empty() || getState().size() == 3,
               "expects state(o, m, l): three tensors");
  if (getState().size() == 3) {
    Value q = getQuery(), o = getState()[0], m = getState()[1], l = getState()[2];
    c.rank(o, "state output", 4).rank(m, "state max", 3).rank(l, "state sum", 3);
    if (c.failed())
      return failure();
    for (int64_t d = 0; d < 3; ++d) {
      const char *what[] = {"batch size", "head count", "query length"};
      c.same(what[d], dimOf(o, d), "state output", dimOf(q, d), "query")
          .same(what[d], dimOf(m, d), "state max", dimOf(q, d), "query")
          .same(what[d], dimOf(l, d), "state sum", dimOf(q, d), "query");
    }
    c.same("value width", dimOf(o, 3), "state output", dimOf(getValue(), 3), "value")
        .sameElementType({o, m, l});
  }
  c.require(offset >= 0 && length >= 0, "expects kv_offset >= 0 and kv_length >= 0")
      .require(length != 0 || offset == 0, "expects kv_length when kv_offset is set")
      .require(length == 0 || skv == kDyn || offset + skv <= length,
               "keys [" + Twine(offset) + ", " + Twine(offset) + " + " + sizeStr(skv) +
                   ") extend past kv_length (" + Twine(length) + ")");
  return c.result();
}

LogicalResult AttentionPartialOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                   Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value q = adaptor.getQuery(), v = adaptor.getValue();
  if (failed(haveRanks({{q, 4}, {v, 4}})))
    return failure();
  // Continuing a state gives results of the state's types.
  if (adaptor.getState().size() == 3) {
    llvm::append_range(types, adaptor.getState().getTypes());
    return success();
  }
  Type elt = elementTypeOf(q);
  types.push_back(tensorOf({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2), dimOf(v, 3)}, elt));
  types.push_back(tensorOf({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2)}, elt));
  types.push_back(types.back());
  return success();
}

OpFoldResult AttentionPartialOp::getMixedKvOffset() {
  if (getPositions().size() == 2)
    return getPositions()[0];
  return Builder(getContext()).getIndexAttr(static_cast<int64_t>(getKvOffset()));
}

OpFoldResult AttentionPartialOp::getMixedKvLength() {
  if (getPositions().size() == 2)
    return getPositions()[1];
  return Builder(getContext()).getIndexAttr(static_cast<int64_t>(getKvLength()));
}

LogicalResult AttentionCombineOp::verify() {
  Checker c(*this);
  c.minRank(getOutput(), "output", 2);
  if (c.failed())
    return failure();
  ArrayRef<int64_t> rows = tensorType(getOutput()).getShape().drop_back();
  for (auto [value, name] : {std::pair{getMax(), "max"}, std::pair{getSum(), "sum"}}) {
    c.rank(value, name, rows.size());
    for (auto [i, size] : llvm::enumerate(rows))
      if (!c.failed())
        c.same("size " + std::to_string(i), dimOf(value, i), name, size, "output");
  }
  c.sameElementType({getOutput(), getMax(), getSum()});
  return c.result();
}

LogicalResult AttentionCombineOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                   Adaptor adaptor, SmallVectorImpl<Type> &types) {
  RankedTensorType o = tensorType(adaptor.getOutput());
  if (o.getRank() < 2)
    return failure();
  types.push_back(tensorOf(o.getShape().drop_front(), o.getElementType()));
  return success();
}

LogicalResult LinearAttentionOp::verify() {
  Checker c(*this);
  Value q = getQuery(), k = getKey(), v = getValue(), g = getLogDecay();
  c.rank(q, "query", 4).rank(k, "key", 4).rank(v, "value", 4).rank(getInitialState(),
                                                                   "initial_state", 4);
  if (g)
    c.require(tensorType(g).getRank() == 3 || tensorType(g).getRank() == 4,
              "expects decay of shape [B, H, T] or [B, H, T, K]");
  if (c.failed())
    return failure();
  c.same("batch size", dimOf(k, 0), "key", dimOf(q, 0), "query")
      .same("batch size", dimOf(v, 0), "value", dimOf(q, 0), "query")
      .same("head count", dimOf(k, 1), "key", dimOf(q, 1), "query")
      .same("head count", dimOf(v, 1), "value", dimOf(q, 1), "query")
      .same("key dim", dimOf(k, 3), "key", dimOf(q, 3), "query")
      .same("sequence length", dimOf(v, 2), "value", dimOf(k, 2), "key");
  for (int64_t i = 0; g && i < tensorType(g).getRank(); ++i)
    c.same("size " + std::to_string(i), dimOf(g, i), "decay", dimOf(k, i), "key");
  if (Value s = getInitialState())
    c.same("batch size", dimOf(s, 0), "initial_state", dimOf(q, 0), "query")
        .same("head count", dimOf(s, 1), "initial_state", dimOf(q, 1), "query")
        .same("key dim", dimOf(s, 2), "initial_state", dimOf(k, 3), "key")
        .same("value dim", dimOf(s, 3), "initial_state", dimOf(v, 3), "value");
  if (getCausal())
    c.same("sequence length", dimOf(q, 2), "query", dimOf(k, 2), "key (causal)");
  else
    c.require(!g && !getInitialState() && !getReturnFinalState(),
              "non-causal linear attention takes no decay and no state");
  c.require(static_cast<int64_t>(getChunkSize()) >= 0, "expects chunk_size >= 0")
      .require(static_cast<bool>(getFinalState()) == getReturnFinalState(),
               "expects a final-state result exactly when 'return_final_state' is set")
      .sameElementType({q, k, v, g, getInitialState()});
  return c.result();
}

LogicalResult LinearAttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
  if (failed(haveRanks({{q, 4}, {k, 4}, {v, 4}})))
    return failure();
  Type elt = elementTypeOf(q);
  types.push_back(tensorOf({dimOf(q, 0), dimOf(q, 1), dimOf(q, 2), dimOf(v, 3)}, elt));
  if (adaptor.getReturnFinalState())
    types.push_back(tensorOf({dimOf(q, 0), dimOf(q, 1), dimOf(k, 3), dimOf(v, 3)}, elt));
  return success();
}

//===----------------------------------------------------------------------===//
// State-space family
//===----------------------------------------------------------------------===//

LogicalResult SelectiveScanOp::verify() {
  Checker c(*this);
  Value u = getU(), A = getA(), Bm = getB(), C = getC();
  c.rank(u, "u", 3).rank(getDelta(), "delta", 3).rank(A, "A", 2).rank(Bm, "B", 4).rank(C, "C", 4)
      .rank(getD(), "D", 1).rank(getZ(), "z", 3).rank(getDeltaBias(), "delta_bias", 1)
      .rank(getInitialState(), "initial_state", 3);
  if (c.failed())
    return failure();
  int64_t batch = dimOf(u, 0), channels = dimOf(u, 1), length = dimOf(u, 2);
  int64_t state = dimOf(A, 1), groups = dimOf(Bm, 1);
  c.require(getDelta().getType() == u.getType(), "expects delta of the same type as u")
      .require(!getZ() || getZ().getType() == u.getType(), "expects z of the same type as u")
      .same("channel count", dimOf(A, 0), "A", channels, "u")
      .require(Bm.getType() == C.getType(), "expects B and C of the same type")
      .same("batch size", dimOf(Bm, 0), "B", batch, "u")
      .same("state size", dimOf(Bm, 2), "B", state, "A")
      .same("length", dimOf(Bm, 3), "B", length, "u")
      .require(groups == kDyn || channels == kDyn || (groups > 0 && channels % groups == 0),
               "the group count of B (" + sizeStr(groups) + ") must divide the channel count (" +
                   sizeStr(channels) + ")")
      .dim(getD(), "D", 0, "size", channels, "the channel count")
      .dim(getDeltaBias(), "delta_bias", 0, "size", channels, "the channel count");
  if (Value s = getInitialState())
    c.same("batch size", dimOf(s, 0), "initial_state", batch, "u")
        .same("channel count", dimOf(s, 1), "initial_state", channels, "u")
        .same("state size", dimOf(s, 2), "initial_state", state, "A");
  c.require(static_cast<bool>(getFinalState()) == getReturnFinalState(),
            "expects a final-state result exactly when 'return_final_state' is set")
      .sameElementType({u, getDelta(), A, Bm, C, getD(), getZ(), getDeltaBias(),
                        getInitialState()});
  return c.result();
}

LogicalResult SelectiveScanOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                                Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value u = adaptor.getU(), A = adaptor.getA();
  if (failed(haveRanks({{u, 3}, {A, 2}})))
    return failure();
  types.push_back(u.getType());
  if (adaptor.getReturnFinalState())
    types.push_back(tensorOf({dimOf(u, 0), dimOf(u, 1), dimOf(A, 1)}, elementTypeOf(u)));
  return success();
}

LogicalResult SsdOp::verify() {
  Checker c(*this);
  Value x = getX(), dt = getDt(), Bm = getB(), C = getC();
  c.rank(x, "x", 4).rank(dt, "dt", 3).rank(getA(), "A", 1).rank(Bm, "B", 4).rank(C, "C", 4)
      .rank(getD(), "D", 1).rank(getDtBias(), "dt_bias", 1)
      .rank(getInitialState(), "initial_state", 4);
  if (c.failed())
    return failure();
  int64_t batch = dimOf(x, 0), length = dimOf(x, 1), heads = dimOf(x, 2);
  int64_t groups = dimOf(Bm, 2);
  c.same("batch size", dimOf(dt, 0), "dt", batch, "x")
      .same("length", dimOf(dt, 1), "dt", length, "x")
      .same("head count", dimOf(dt, 2), "dt", heads, "x")
      .same("size", dimOf(getA(), 0), "A", heads, "the head count")
      .require(Bm.getType() == C.getType(), "expects B and C of the same type")
      .same("batch size", dimOf(Bm, 0), "B", batch, "x")
      .same("length", dimOf(Bm, 1), "B", length, "x")
      .require(groups == kDyn || heads == kDyn || (groups > 0 && heads % groups == 0),
               "the group count of B (" + sizeStr(groups) + ") must divide the head count (" +
                   sizeStr(heads) + ")")
      .dim(getD(), "D", 0, "size", heads, "the head count")
      .dim(getDtBias(), "dt_bias", 0, "size", heads, "the head count");
  if (Value s = getInitialState())
    c.same("batch size", dimOf(s, 0), "initial_state", batch, "x")
        .same("head count", dimOf(s, 1), "initial_state", heads, "x")
        .same("head dim", dimOf(s, 2), "initial_state", dimOf(x, 3), "x")
        .same("state size", dimOf(s, 3), "initial_state", dimOf(Bm, 3), "B");
  double lo = getDtMin() ? getDtMin()->convertToDouble() : -INFINITY;
  double hi = getDtMax() ? getDtMax()->convertToDouble() : INFINITY;
  c.require(lo <= hi, "expects dt_min <= dt_max")
      .require(static_cast<int64_t>(getChunkSize()) >= 0, "expects chunk_size >= 0")
      .require(static_cast<bool>(getFinalState()) == getReturnFinalState(),
               "expects a final-state result exactly when 'return_final_state' is set")
      .sameElementType({x, dt, getA(), Bm, C, getD(), getDtBias(), getInitialState()});
  return c.result();
}

LogicalResult SsdOp::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  Value x = adaptor.getX(), Bm = adaptor.getB();
  if (failed(haveRanks({{x, 4}, {Bm, 4}})))
    return failure();
  types.push_back(x.getType());
  if (adaptor.getReturnFinalState())
    types.push_back(tensorOf({dimOf(x, 0), dimOf(x, 2), dimOf(x, 3), dimOf(Bm, 3)},
                             elementTypeOf(x)));
  return success();
}

//===----------------------------------------------------------------------===//
// Token reduction family
//===----------------------------------------------------------------------===//

LogicalResult TokenMergeOp::verify() {
  Checker c(*this);
  Value x = getInput(), metric = getMetric();
  c.rank(x, "input", 3).rank(metric, "metric", 3).rank(getSizes(), "sizes", 2);
  if (c.failed())
    return failure();
  c.same("batch size", dimOf(metric, 0), "metric", dimOf(x, 0), "input")
      .same("token count", dimOf(metric, 1), "metric", dimOf(x, 1), "input")
      .dim(getSizes(), "sizes", 0, "batch size", dimOf(x, 0), "input")
      .dim(getSizes(), "sizes", 1, "token count", dimOf(x, 1), "input")
      .sameElementType({x, metric, getSizes(), getResult(), getResultSizes()});
  return c.result();
}

LogicalResult TokenMergeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                             Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value x = adaptor.getInput();
  if (failed(haveRanks({{x, 3}})))
    return failure();
  int64_t batch = dimOf(x, 0), tokens = dimOf(x, 1);
  int64_t kept = kDyn;
  if (tokens != kDyn) {
    int64_t protectedTokens = adaptor.getProtectFirst() && tokens > 0 ? 1 : 0;
    kept = tokens - std::min<int64_t>(adaptor.getR(), (tokens - protectedTokens) / 2);
  }
  Type elt = elementTypeOf(x);
  types.push_back(tensorOf({batch, kept, dimOf(x, 2)}, elt));
  types.push_back(tensorOf({batch, kept}, elt));
  types.push_back(tensorOf({batch, tokens}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TokenUnmergeOp::verify() {
  Checker c(*this);
  c.rank(getInput(), "input", 3).rank(getIndex(), "index", 2);
  if (c.failed())
    return failure();
  return c.same("batch size", dimOf(getIndex(), 0), "index", dimOf(getInput(), 0), "input")
      .result();
}

LogicalResult TokenUnmergeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                               Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value x = adaptor.getInput(), index = adaptor.getIndex();
  if (failed(haveRanks({{x, 3}, {index, 2}})))
    return failure();
  types.push_back(tensorOf({dimOf(x, 0), dimOf(index, 1), dimOf(x, 2)}, elementTypeOf(x)));
  return success();
}

int64_t TokenPruneOp::keptTokens(std::optional<int64_t> keep, std::optional<double> keepRatio,
                                 int64_t length) {
  if (keep)
    return *keep;
  int64_t k = static_cast<int64_t>(std::ceil(*keepRatio * static_cast<double>(length)));
  return std::clamp<int64_t>(k, 1, std::max<int64_t>(length, 1));
}

LogicalResult TokenPruneOp::verify() {
  Checker c(*this);
  Value x = getInput(), scores = getScores();
  c.rank(x, "input", 3).rank(scores, "scores", 2);
  if (c.failed())
    return failure();
  int64_t tokens = dimOf(x, 1);
  std::optional<double> ratio;
  if (getKeepRatio())
    ratio = getKeepRatio()->convertToDouble();
  c.same("batch size", dimOf(scores, 0), "scores", dimOf(x, 0), "input")
      .same("token count", dimOf(scores, 1), "scores", tokens, "input")
      .require(getKeep().has_value() != ratio.has_value(),
               "expects exactly one of 'keep' and 'keep_ratio'")
      .require(!ratio || (*ratio > 0 && *ratio <= 1), "expects keep_ratio in (0, 1]")
      .require(!getKeep() || tokens == kDyn || static_cast<int64_t>(*getKeep()) <= tokens,
               "keeps " + Twine(getKeep().value_or(0)) + " tokens of only " + sizeStr(tokens))
      .sameElementType({x, scores});
  return c.result();
}

LogicalResult TokenPruneOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                             Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value x = adaptor.getInput();
  if (failed(haveRanks({{x, 3}})))
    return failure();
  std::optional<int64_t> keep = adaptor.getKeep();
  std::optional<double> ratio;
  if (adaptor.getKeepRatio())
    ratio = adaptor.getKeepRatio()->convertToDouble();
  if (!keep && !ratio)
    return failure();
  int64_t tokens = dimOf(x, 1);
  int64_t kept = (keep || tokens != kDyn) ? keptTokens(keep, ratio, tokens) : kDyn;
  if (kept != kDyn && adaptor.getFuse())
    ++kept;
  types.push_back(tensorOf({dimOf(x, 0), kept, dimOf(x, 2)}, elementTypeOf(x)));
  return success();
}

LogicalResult TokenPoolOp::verify() {
  return Checker(*this).rank(getInput(), "input", 3).result();
}

LogicalResult TokenPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value x = adaptor.getInput();
  if (failed(haveRanks({{x, 3}})))
    return failure();
  int64_t tokens = dimOf(x, 1), segment = adaptor.getSegment();
  int64_t pooled = tokens == kDyn ? kDyn : (tokens + segment - 1) / segment;
  types.push_back(tensorOf({dimOf(x, 0), pooled, dimOf(x, 2)}, elementTypeOf(x)));
  return success();
}

LogicalResult TokenUnpoolOp::verify() {
  Checker c(*this);
  c.rank(getInput(), "input", 3);
  if (c.failed())
    return failure();
  int64_t segment = getSegment(), length = getLength();
  return c
      .same("segment count", dimOf(getInput(), 1), "input", (length + segment - 1) / segment,
            "ceil(length / segment)")
      .result();
}

LogicalResult TokenUnpoolOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                              Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value x = adaptor.getInput();
  if (failed(haveRanks({{x, 3}})))
    return failure();
  types.push_back(
      tensorOf({dimOf(x, 0), static_cast<int64_t>(adaptor.getLength()), dimOf(x, 2)},
               elementTypeOf(x)));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/icl/IR/IclOps.cpp.inc"
