//===- Evaluator.cpp - The reference evaluator of icl modules -------------===//
//
// A tree-walking interpreter over one function: every SSA value holds a host
// tensor, every op is one call into Kernels.h (icl ops) or a few loops here
// (upstream ops). Simplicity beats speed: this is the oracle.
//
//===----------------------------------------------------------------------===//

#include "lib/Reference/Evaluator.h"

#include "dialects/icl/IR/IclOps.h"
#include "lib/Reference/Kernels.h"
#include "lib/Support/ElementType.h"
#include "lib/Support/SafeTensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <type_traits>

using namespace mlir;
namespace ir = mlir::icl;
using llvm::Error;
using llvm::Expected;

namespace icl::ref {

namespace {

/// Formats a location as `file:line:col` when it has one, else as the name
/// a frontend gave it ("step count K").
std::string locationString(Location loc) {
  if (auto fileLoc = loc->findInstanceOf<FileLineColLoc>())
    return llvm::formatv("{0}:{1}:{2}", fileLoc.getFilename().getValue(), fileLoc.getLine(),
                         fileLoc.getColumn())
        .str();
  if (auto name = loc->findInstanceOf<NameLoc>())
    return "\"" + name.getName().str() + "\"";
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

Error opError(Operation *op, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: '%s' %s",
                                 locationString(op->getLoc()).c_str(),
                                 op->getName().getStringRef().str().c_str(),
                                 message.str().c_str());
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn(index)` for every multi-index of `shape` in row-major order.
template <typename Fn>
void forEachIndex(const std::vector<int64_t> &shape, Fn fn) {
  int64_t numel = Tensor<int64_t>::numelOf(shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t n = 0; n < numel; ++n) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// A runtime value: a float tensor or an integer tensor (i1 included).
template <typename T>
struct RtValue {
  bool isInt = false;
  Tensor<T> f;
  Tensor<int64_t> i;

  const std::vector<int64_t> &shape() const { return isInt ? i.shape : f.shape; }
  static RtValue ofFloat(Tensor<T> t) { return {false, std::move(t), {}}; }
  static RtValue ofInt(Tensor<int64_t> t) { return {true, {}, std::move(t)}; }
  /// Zeros of `shape`, integers when `isInt`.
  static RtValue zeros(bool isInt, std::vector<int64_t> shape) {
    return isInt ? ofInt(Tensor<int64_t>(std::move(shape)))
                 : ofFloat(Tensor<T>(std::move(shape)));
  }

  /// The tensor of type `TensorT` (Tensor<T> or Tensor<int64_t>), so that
  /// data movement can be written once for both kinds.
  template <typename TensorT> TensorT &as() {
    if constexpr (std::is_same_v<TensorT, Tensor<int64_t>>)
      return i;
    else
      return f;
  }
  template <typename TensorT> const TensorT &as() const {
    return const_cast<RtValue *>(this)->template as<TensorT>();
  }
  /// Calls `fn` with the tensor this value holds.
  template <typename Fn> void visit(Fn fn) {
    if (isInt)
      fn(i);
    else
      fn(f);
  }
};

/// Data movement of any element type: a value of `in`'s kind and of `shape`
/// whose element at each multi-index `idx` is element `sourceOf(idx)` (a
/// row-major position) of `in`. Transposes, broadcasts and slices are this.
template <typename T, typename Fn>
RtValue<T> gather(const RtValue<T> &in, const std::vector<int64_t> &shape, Fn sourceOf) {
  RtValue<T> out = RtValue<T>::zeros(in.isInt, shape);
  out.visit([&](auto &dst) {
    const auto &src = in.template as<std::decay_t<decltype(dst)>>();
    int64_t n = 0;
    forEachIndex(shape, [&](const std::vector<int64_t> &idx) {
      dst.data[n++] = src.data[sourceOf(idx)];
    });
  });
  return out;
}

Activation toRef(ir::Activation a) {
  switch (a) {
  case ir::Activation::none: return Activation::None;
  case ir::Activation::relu: return Activation::Relu;
  case ir::Activation::gelu: return Activation::Gelu;
  case ir::Activation::gelu_tanh: return Activation::GeluTanh;
  case ir::Activation::silu: return Activation::Silu;
  case ir::Activation::softplus: return Activation::Softplus;
  case ir::Activation::sigmoid: return Activation::Sigmoid;
  case ir::Activation::elu_plus_one: return Activation::EluPlusOne;
  }
  llvm_unreachable("unknown activation");
}

MaskKind toRef(ir::MaskKind m) {
  switch (m) {
  case ir::MaskKind::none: return MaskKind::None;
  case ir::MaskKind::causal: return MaskKind::Causal;
  case ir::MaskKind::sliding_window: return MaskKind::SlidingWindow;
  }
  llvm_unreachable("unknown mask kind");
}

FeatureMap toRef(ir::FeatureMap f) {
  switch (f) {
  case ir::FeatureMap::identity: return FeatureMap::Identity;
  case ir::FeatureMap::elu_plus_one: return FeatureMap::EluPlusOne;
  case ir::FeatureMap::relu: return FeatureMap::Relu;
  }
  llvm_unreachable("unknown feature map");
}

template <typename AttentionLikeOp>
AttentionOptions attentionOptions(AttentionLikeOp op) {
  AttentionOptions opts;
  if (std::optional<APFloat> scale = op.getScale())
    opts.scale = scale->convertToDouble();
  opts.maskKind = toRef(op.getMaskKind());
  opts.window = op.getWindow().value_or(0);
  return opts;
}

template <typename T>
class Interpreter {
public:
  Interpreter(ModuleOp module, const EvaluatorOptions &options)
      : symbols(module), options(options) {}

  Expected<std::vector<RtValue<T>>> call(func::FuncOp func, std::vector<RtValue<T>> args);

private:
  using Env = llvm::DenseMap<Value, RtValue<T>>;

  /// Runs the ops of `block` (its arguments bound in `env`) and returns the
  /// values of its terminator's operands.
  Expected<std::vector<RtValue<T>>> runBlock(Block &block, Env &env);
  Error exec(Operation *op, Env &env);
  Error execIcl(Operation *op, Env &env);
  /// scf.for, scf.while, scf.if and cf.assert.
  Error execControl(Operation *op, Env &env);
  /// Integer and index arithmetic, casts between integers and floats, and
  /// element reads and writes of tensors; nullopt for other ops.
  std::optional<Error> execScalar(Operation *op, Env &env);
  Error execUpstream(Operation *op, Env &env);
  Expected<RtValue<T>> constant(Operation *op, Attribute attr, RankedTensorType type);
  Expected<RtValue<T>> weight(ir::WeightOp op);

  SymbolTable symbols;
  const EvaluatorOptions &options;
  std::map<std::string, std::unique_ptr<SafeTensorsFile>> files;
};

template <typename T>
Expected<std::vector<RtValue<T>>> Interpreter<T>::call(func::FuncOp func,
                                                       std::vector<RtValue<T>> args) {
  if (func.isExternal())
    return llvm::createStringError("function '%s' has no body",
                                   func.getSymName().str().c_str());
  Env env;
  Block &entry = func.getBody().front();
  for (auto [arg, value] : llvm::zip_equal(entry.getArguments(), args))
    env[arg] = std::move(value);
  return runBlock(entry, env);
}

template <typename T>
Expected<std::vector<RtValue<T>>> Interpreter<T>::runBlock(Block &block, Env &env) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      std::vector<RtValue<T>> results;
      for (Value v : op.getOperands())
        results.push_back(env.lookup(v));
      return results;
    }
    if (Error err = exec(&op, env))
      return std::move(err);
  }
  return opError(block.getParentOp(), "has a block without a terminator");
}

template <typename T>
Error Interpreter<T>::exec(Operation *op, Env &env) {
  if (isa<ir::IclDialect>(op->getDialect()))
    return execIcl(op, env);
  if (isa<scf::SCFDialect, cf::ControlFlowDialect>(op->getDialect()))
    return execControl(op, env);
  if (std::optional<Error> err = execScalar(op, env))
    return std::move(*err);
  return execUpstream(op, env);
}

template <typename T>
Expected<RtValue<T>> Interpreter<T>::weight(ir::WeightOp op) {
  SmallString<256> path(op.getWeightsFile());
  if (!llvm::sys::path::is_absolute(path) && !options.weightsDir.empty()) {
    SmallString<256> full(options.weightsDir);
    llvm::sys::path::append(full, path);
    path = full;
  }
  std::unique_ptr<SafeTensorsFile> &file = files[std::string(path)];
  if (!file) {
    Expected<std::unique_ptr<SafeTensorsFile>> opened = SafeTensorsFile::open(path);
    if (!opened)
      return opError(op, "cannot load its weights: " + llvm::toString(opened.takeError()));
    file = std::move(*opened);
  }
  Expected<HostArray> array = file->read(op.getName());
  if (!array)
    return opError(op, llvm::toString(array.takeError()));
  auto type = cast<RankedTensorType>(op.getType());
  if (llvm::ArrayRef<int64_t>(array->shape) != type.getShape())
    return opError(op, "weight '" + op.getName() + "' in " + path + " has shape " +
                           formatShape(array->shape) + " but the op expects " +
                           formatShape(type.getShape()));
  if (!isFloat(array->dtype))
    return opError(op, "weight '" + op.getName() + "' in " + path + " has dtype " +
                           dtypeName(array->dtype) + ", expected a floating-point type");
  std::vector<double> values = array->toDouble();
  return RtValue<T>::ofFloat(Tensor<T>(array->shape, std::vector<T>(values.begin(), values.end())));
}

template <typename T>
Expected<RtValue<T>> Interpreter<T>::constant(Operation *op, Attribute attr,
                                              RankedTensorType type) {
  std::vector<int64_t> shape(type.getShape());
  bool isInt = !isa<FloatType>(type.getElementType());
  std::vector<double> values;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return opError(op, "refers to a dense resource with no data");
    std::optional<DType> dtype = dtypeForElementType(type.getElementType());
    if (!dtype)
      return opError(op, "has an element type the evaluator does not support");
    ArrayRef<char> data = blob->getData();
    HostArray array{*dtype, shape, std::vector<uint8_t>(data.begin(), data.end())};
    if (Error err = array.verify())
      return opError(op, "dense resource does not match its type: " +
                             llvm::toString(std::move(err)));
    if (isInt)
      return RtValue<T>::ofInt(Tensor<int64_t>(shape, array.toInt64()));
    values = array.toDouble();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isInt) {
      std::vector<int64_t> ints;
      for (const APInt &v : dense.getValues<APInt>())
        ints.push_back(type.getElementType().isInteger(1) ? v.getZExtValue() : v.getSExtValue());
      return RtValue<T>::ofInt(Tensor<int64_t>(shape, std::move(ints)));
    }
    for (const APFloat &v : dense.getValues<APFloat>()) {
      APFloat wide = v;
      bool lost;
      wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(wide.convertToDouble());
    }
  } else {
    return opError(op, "has a constant kind the evaluator does not support");
  }
  return RtValue<T>::ofFloat(Tensor<T>(shape, std::vector<T>(values.begin(), values.end())));
}

template <typename T>
Error Interpreter<T>::execIcl(Operation *op, Env &env) {
  auto F = [&](Value v) -> const Tensor<T> & { return env[v].f; };
  auto optF = [&](Value v) -> const Tensor<T> * { return v ? &env[v].f : nullptr; };
  auto I = [&](Value v) -> const Tensor<int64_t> & { return env[v].i; };
  auto setF = [&](Value v, Tensor<T> t) { env[v] = RtValue<T>::ofFloat(std::move(t)); };
  auto check = [&](Status s) -> Error {
    return s.ok() ? Error::success() : opError(op, "failed at run time: " + s.message);
  };
  // Ops with a main result and an optional final-state result.
  auto withState = [&](Value result, Value finalState, auto kernel) -> Error {
    Tensor<T> out, state;
    if (Error err = check(kernel(out, finalState ? &state : nullptr)))
      return err;
    setF(result, std::move(out));
    if (finalState)
      setF(finalState, std::move(state));
    return Error::success();
  };
  auto single = [&](auto kernel) -> Error {
    Tensor<T> out;
    if (Error err = check(kernel(out)))
      return err;
    setF(op->getResult(0), std::move(out));
    return Error::success();
  };

  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](ir::WeightOp w) -> Error {
        Expected<RtValue<T>> value = weight(w);
        if (!value)
          return value.takeError();
        env[w.getResult()] = std::move(*value);
        return Error::success();
      })
      .Case([&](ir::EmbeddingOp e) {
        // The kernel takes [B, T] ids; any id shape flattens to [1, N].
        Tensor<int64_t> ids = I(e.getIds());
        std::vector<int64_t> idShape = ids.shape;
        ids.shape = {1, ids.numel()};
        return single([&](Tensor<T> &out) {
          Status s = embedding(F(e.getTable()), ids, out);
          idShape.push_back(F(e.getTable()).dim(1));
          out.shape = idShape;
          return s;
        });
      })
      .Case([&](ir::LinearOp l) {
        return single([&](Tensor<T> &out) {
          return linear(F(l.getInput()), F(l.getWeight()), optF(l.getBias()), out);
        });
      })
      .Case([&](ir::LayerNormOp l) {
        return single([&](Tensor<T> &out) {
          return layerNorm(F(l.getInput()), optF(l.getGamma()), optF(l.getBeta()),
                           l.getEps().convertToDouble(), out);
        });
      })
      .Case([&](ir::RmsNormOp r) {
        return single([&](Tensor<T> &out) {
          return rmsNorm(F(r.getInput()), optF(r.getGamma()), r.getEps().convertToDouble(), out);
        });
      })
      .Case([&](ir::GatedRmsNormOp g) {
        return single([&](Tensor<T> &out) {
          return gatedRmsNorm(F(g.getInput()), F(g.getGate()), optF(g.getGamma()),
                              g.getEps().convertToDouble(), g.getGroupSize(), out);
        });
      })
      .Case([&](ir::ActivationOp a) {
        return single(
            [&](Tensor<T> &out) { return activation(F(a.getInput()), toRef(a.getKind()), out); });
      })
      .Case([&](ir::SoftmaxOp s) {
        return single([&](Tensor<T> &out) { return softmax(F(s.getInput()), s.getAxis(), out); });
      })
      .Case([&](ir::RopeOp r) {
        return single([&](Tensor<T> &out) {
          int64_t rotary = r.getRotaryDim().value_or(F(r.getInput()).dim(3));
          RopeStyle style =
              r.getStyle() == ir::RopeStyle::half ? RopeStyle::Half : RopeStyle::Interleaved;
          return rope(F(r.getInput()), I(r.getPositions()), r.getBase().convertToDouble(), rotary,
                      style, out);
        });
      })
      .Case([&](ir::CausalConv1dOp c) {
        return single([&](Tensor<T> &out) {
          return causalConv1d(F(c.getInput()), F(c.getWeight()), optF(c.getBias()),
                              toRef(c.getActivation()), out);
        });
      })
      .Case([&](ir::AttentionOp a) {
        return single([&](Tensor<T> &out) {
          return attention(F(a.getQuery()), F(a.getKey()), F(a.getValue()), optF(a.getMask()),
                           optF(a.getKeySizes()), attentionOptions(a), out);
        });
      })
      .Case([&](ir::AttentionPartialOp a) -> Error {
        // Positions given as values are scalars (rank-0 integer tensors).
        auto position = [&](OpFoldResult p) -> std::optional<int64_t> {
          if (std::optional<int64_t> c = getConstantIntValue(p))
            return c;
          const Tensor<int64_t> &v = I(cast<Value>(p));
          return v.data.size() == 1 ? std::optional<int64_t>(v.data[0]) : std::nullopt;
        };
        std::optional<int64_t> offset = position(a.getMixedKvOffset());
        std::optional<int64_t> length = position(a.getMixedKvLength());
        if (!offset || !length)
          return opError(a, "positions(...) must be scalars");
        Tensor<T> o, m, l;
        if (Error err = check(attentionPartial(F(a.getQuery()), F(a.getKey()), F(a.getValue()),
                                               optF(a.getMask()), optF(a.getKeySizes()),
                                               attentionOptions(a), *offset, *length, o, m, l)))
          return err;
        if (a.getState().size() == 3)
          if (Error err = check(continueAttentionState(F(a.getState()[0]), F(a.getState()[1]),
                                                       F(a.getState()[2]), o, m, l)))
            return err;
        setF(a.getOutput(), std::move(o));
        setF(a.getMax(), std::move(m));
        setF(a.getSum(), std::move(l));
        return Error::success();
      })
      .Case([&](ir::AttentionCombineOp c) {
        return single([&](Tensor<T> &out) {
          return attentionCombine(F(c.getOutput()), F(c.getMax()), F(c.getSum()), out);
        });
      })
      .Case([&](ir::LinearAttentionOp a) -> Error {
        LinearAttentionOptions opts;
        opts.featureMap = toRef(a.getFeatureMap());
        opts.scale = a.getScale().convertToDouble();
        opts.normalize = a.getNormalize();
        opts.eps = a.getEps().convertToDouble();
        opts.causal = a.getCausal();
        return withState(a.getResult(), a.getFinalState(), [&](Tensor<T> &out, Tensor<T> *state) {
          return linearAttention(F(a.getQuery()), F(a.getKey()), F(a.getValue()),
                                 optF(a.getLogDecay()), optF(a.getInitialState()), opts, out,
                                 state);
        });
      })
      .Case([&](ir::SelectiveScanOp s) -> Error {
        return withState(s.getResult(), s.getFinalState(), [&](Tensor<T> &y, Tensor<T> *state) {
          return selectiveScan(F(s.getU()), F(s.getDelta()), F(s.getA()), F(s.getB()), F(s.getC()),
                               optF(s.getD()), optF(s.getZ()), optF(s.getDeltaBias()),
                               optF(s.getInitialState()), s.getDeltaSoftplus(), y, state);
        });
      })
      .Case([&](ir::SsdOp s) -> Error {
        SsdOptions opts;
        opts.dtSoftplus = s.getDtSoftplus();
        if (s.getDtMin())
          opts.dtMin = s.getDtMin()->convertToDouble();
        if (s.getDtMax())
          opts.dtMax = s.getDtMax()->convertToDouble();
        opts.chunkSize = s.getChunkSize();
        return withState(s.getResult(), s.getFinalState(), [&](Tensor<T> &y, Tensor<T> *state) {
          return ssd(F(s.getX()), F(s.getDt()), F(s.getA()), F(s.getB()), F(s.getC()),
                     optF(s.getD()), optF(s.getDtBias()), optF(s.getInitialState()), opts, y,
                     state);
        });
      })
      .Case([&](ir::TokenMergeOp m) -> Error {
        Tensor<T> x, sizes;
        Tensor<int64_t> index;
        if (Error err = check(tokenMerge(F(m.getInput()), F(m.getMetric()), optF(m.getSizes()),
                                         m.getR(), m.getProtectFirst(), x, sizes, index)))
          return err;
        setF(m.getResult(), std::move(x));
        setF(m.getResultSizes(), std::move(sizes));
        env[m.getIndex()] = RtValue<T>::ofInt(std::move(index));
        return Error::success();
      })
      .Case([&](ir::TokenUnmergeOp u) {
        return single(
            [&](Tensor<T> &out) { return tokenUnmerge(F(u.getInput()), I(u.getIndex()), out); });
      })
      .Case([&](ir::TokenPruneOp p) {
        std::optional<double> ratio;
        if (p.getKeepRatio())
          ratio = p.getKeepRatio()->convertToDouble();
        int64_t keep = ir::TokenPruneOp::keptTokens(p.getKeep(), ratio, F(p.getInput()).dim(1));
        return single([&](Tensor<T> &out) {
          return tokenPrune(F(p.getInput()), F(p.getScores()), keep, p.getProtectFirst(),
                            p.getFuse(), out);
        });
      })
      .Case([&](ir::TokenPoolOp p) {
        PoolKind kind = p.getKind() == ir::PoolKind::mean ? PoolKind::Mean : PoolKind::Max;
        return single(
            [&](Tensor<T> &out) { return tokenPool(F(p.getInput()), p.getSegment(), kind, out); });
      })
      .Case([&](ir::TokenUnpoolOp p) {
        return single([&](Tensor<T> &out) {
          return tokenUnpool(F(p.getInput()), p.getSegment(), p.getLength(), out);
        });
      })
      .Default([&](Operation *) {
        return opError(op, "is not supported by the reference evaluator");
      });
}

/// Bit width of an integer or index element type (64 for index).
unsigned intWidth(Type type) {
  return isa<IndexType>(type) ? 64 : cast<IntegerType>(type).getWidth();
}

/// `v` as a value of an integer type of `width` bits: i1 holds 0 or 1, wider
/// types their two's-complement value sign-extended to 64 bits (as the
/// evaluator stores every integer).
int64_t wrapTo(int64_t v, unsigned width) {
  if (width == 1)
    return v & 1;
  if (width >= 64)
    return v;
  uint64_t mask = (uint64_t(1) << width) - 1, bits = uint64_t(v) & mask;
  return bits >> (width - 1) ? int64_t(bits | ~mask) : int64_t(bits);
}

/// The signed value of `v` (stored as wrapTo stores it) of a `width`-bit
/// type: i1's true is -1, as MLIR reads it signed.
int64_t signedOf(int64_t v, unsigned width) { return width == 1 ? -(v & 1) : v; }

/// `v` of a `width`-bit type read as unsigned.
uint64_t asUnsigned(int64_t v, unsigned width) {
  return width >= 64 ? uint64_t(v) : uint64_t(v) & ((uint64_t(1) << width) - 1);
}

/// Whether a / b has a result in int64 (b nonzero, no overflow).
bool quotientDefined(int64_t a, int64_t b) {
  return b != 0 && !(b == -1 && a == std::numeric_limits<int64_t>::min());
}

/// The evaluator's integer maps: the result, or nullopt where the op has no
/// defined result (division by zero, a signed quotient that overflows).
using IntFn = std::optional<int64_t> (*)(int64_t, int64_t, unsigned);

std::optional<IntFn> intBinaryFn(Operation *op) {
  using R = std::optional<int64_t>;
  return llvm::TypeSwitch<Operation *, std::optional<IntFn>>(op)
      .Case([](arith::AddIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R { return int64_t(uint64_t(a) + uint64_t(b)); };
      })
      .Case([](arith::SubIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R { return int64_t(uint64_t(a) - uint64_t(b)); };
      })
      .Case([](arith::MulIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R { return int64_t(uint64_t(a) * uint64_t(b)); };
      })
      .Case([](arith::AndIOp) -> IntFn { return [](int64_t a, int64_t b, unsigned) -> R { return a & b; }; })
      .Case([](arith::OrIOp) -> IntFn { return [](int64_t a, int64_t b, unsigned) -> R { return a | b; }; })
      .Case([](arith::XOrIOp) -> IntFn { return [](int64_t a, int64_t b, unsigned) -> R { return a ^ b; }; })
      .Case([](arith::MaxSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R { return std::max(a, b); };
      })
      .Case([](arith::MinSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R { return std::min(a, b); };
      })
      .Case([](arith::MaxUIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned w) -> R {
          return asUnsigned(a, w) >= asUnsigned(b, w) ? a : b;
        };
      })
      .Case([](arith::MinUIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned w) -> R {
          return asUnsigned(a, w) <= asUnsigned(b, w) ? a : b;
        };
      })
      .Case([](arith::DivSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R {
          if (!quotientDefined(a, b))
            return std::nullopt;
          return a / b;
        };
      })
      .Case([](arith::RemSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R {
          if (!quotientDefined(a, b))
            return std::nullopt;
          return a % b;
        };
      })
      .Case([](arith::FloorDivSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R {
          if (!quotientDefined(a, b))
            return std::nullopt;
          int64_t q = a / b;
          return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
        };
      })
      .Case([](arith::CeilDivSIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned) -> R {
          if (!quotientDefined(a, b))
            return std::nullopt;
          int64_t q = a / b;
          return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
        };
      })
      .Case([](arith::DivUIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned w) -> R {
          if (asUnsigned(b, w) == 0)
            return std::nullopt;
          return int64_t(asUnsigned(a, w) / asUnsigned(b, w));
        };
      })
      .Case([](arith::RemUIOp) -> IntFn {
        return [](int64_t a, int64_t b, unsigned w) -> R {
          if (asUnsigned(b, w) == 0)
            return std::nullopt;
          return int64_t(asUnsigned(a, w) % asUnsigned(b, w));
        };
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// The value of a rank-0 (scalar) runtime value as an integer.
template <typename T>
int64_t scalarOf(const RtValue<T> &v) {
  return v.isInt ? v.i.data.at(0) : static_cast<int64_t>(v.f.data.at(0));
}

template <typename T>
RtValue<T> intScalar(int64_t v) {
  return RtValue<T>::ofInt(Tensor<int64_t>({}, std::vector<int64_t>{v}));
}

template <typename T>
Error Interpreter<T>::execControl(Operation *op, Env &env) {
  auto values = [&](ValueRange range) {
    std::vector<RtValue<T>> out;
    for (Value v : range)
      out.push_back(env.lookup(v));
    return out;
  };
  auto bind = [&](ValueRange targets, std::vector<RtValue<T>> from) {
    for (auto [target, value] : llvm::zip_equal(targets, from))
      env[target] = std::move(value);
  };
  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](scf::ForOp loop) -> Error {
        int64_t lb = scalarOf(env.lookup(loop.getLowerBound()));
        int64_t ub = scalarOf(env.lookup(loop.getUpperBound()));
        int64_t step = scalarOf(env.lookup(loop.getStep()));
        unsigned width = intWidth(loop.getInductionVar().getType());
        if (step == 0 || (step < 0 && !loop.getUnsignedCmp()))
          return opError(op, "has step " + llvm::Twine(step) +
                                 " at run time: a loop's step must be positive");
        auto below = [&](int64_t iv) {
          return loop.getUnsignedCmp() ? asUnsigned(iv, width) < asUnsigned(ub, width) : iv < ub;
        };
        std::vector<RtValue<T>> carried = values(loop.getInitArgs());
        for (int64_t iv = lb; below(iv);) {
          env[loop.getInductionVar()] = intScalar<T>(iv);
          bind(loop.getRegionIterArgs(), std::move(carried));
          Expected<std::vector<RtValue<T>>> next = runBlock(*loop.getBody(), env);
          if (!next)
            return next.takeError();
          carried = std::move(*next);
          // The next induction value, unless it would leave the type's range.
          int64_t following = wrapTo(int64_t(uint64_t(iv) + uint64_t(step)), width);
          if (loop.getUnsignedCmp() ? asUnsigned(following, width) <= asUnsigned(iv, width)
                                    : following <= iv)
            break;
          iv = following;
        }
        bind(loop.getResults(), std::move(carried));
        return Error::success();
      })
      .Case([&](scf::WhileOp loop) -> Error {
        std::vector<RtValue<T>> carried = values(loop.getInits());
        while (true) {
          bind(loop.getBeforeArguments(), std::move(carried));
          Expected<std::vector<RtValue<T>>> before = runBlock(loop.getBefore().front(), env);
          if (!before)
            return before.takeError();
          bool proceed = scalarOf((*before)[0]) != 0;
          std::vector<RtValue<T>> forwarded(std::make_move_iterator(before->begin() + 1),
                                            std::make_move_iterator(before->end()));
          if (!proceed) {
            bind(loop.getResults(), std::move(forwarded));
            return Error::success();
          }
          bind(loop.getAfterArguments(), std::move(forwarded));
          Expected<std::vector<RtValue<T>>> after = runBlock(loop.getAfter().front(), env);
          if (!after)
            return after.takeError();
          carried = std::move(*after);
        }
      })
      .Case([&](scf::IfOp branch) -> Error {
        bool taken = scalarOf(env.lookup(branch.getCondition())) != 0;
        Region &region = taken ? branch.getThenRegion() : branch.getElseRegion();
        if (region.empty())
          return Error::success();
        Expected<std::vector<RtValue<T>>> results = runBlock(region.front(), env);
        if (!results)
          return results.takeError();
        bind(branch.getResults(), std::move(*results));
        return Error::success();
      })
      .Case([&](cf::AssertOp check) -> Error {
        if (scalarOf(env.lookup(check.getArg())) != 0)
          return Error::success();
        return opError(op, "failed at run time: " + check.getMsg());
      })
      .Default([&](Operation *) {
        return opError(op, "is not supported by the reference evaluator (of the scf and cf "
                           "dialects it runs scf.for, scf.while, scf.if and cf.assert)");
      });
}

template <typename T>
std::optional<Error> Interpreter<T>::execScalar(Operation *op, Env &env) {
  auto setResult = [&](RtValue<T> value) -> std::optional<Error> {
    env[op->getResult(0)] = std::move(value);
    return Error::success();
  };
  // The indices of an element access, checked against `shape`.
  auto position = [&](ValueRange indices,
                      const std::vector<int64_t> &shape) -> Expected<int64_t> {
    int64_t flat = 0;
    for (auto [d, index] : llvm::enumerate(indices)) {
      int64_t i = scalarOf(env.lookup(index));
      if (i < 0 || i >= shape[d])
        return opError(op, "reads or writes index " + llvm::Twine(i) + " of dimension " +
                               llvm::Twine(d) + " of a tensor of shape " + formatShape(shape));
      flat = flat * shape[d] + i;
    }
    return flat;
  };

  if (std::optional<IntFn> fn = intBinaryFn(op)) {
    const RtValue<T> a = env.lookup(op->getOperand(0)), b = env.lookup(op->getOperand(1));
    if (!a.isInt || !b.isInt || a.i.shape != b.i.shape)
      return opError(op, "needs integer operands of one shape in the reference evaluator");
    unsigned width = intWidth(getElementTypeOrSelf(op->getResult(0).getType()));
    Tensor<int64_t> out(a.i.shape);
    for (int64_t n = 0; n < out.numel(); ++n) {
      // Signed operands; the unsigned maps reread them (asUnsigned).
      std::optional<int64_t> v =
          (*fn)(signedOf(a.i.data[n], width), signedOf(b.i.data[n], width), width);
      if (!v)
        return opError(op, "divides " + llvm::Twine(a.i.data[n]) + " by " +
                               llvm::Twine(b.i.data[n]) + " at run time, which has no result");
      out.data[n] = wrapTo(*v, width);
    }
    return setResult(RtValue<T>::ofInt(std::move(out)));
  }

  return llvm::TypeSwitch<Operation *, std::optional<Error>>(op)
      .Case([&](arith::CmpIOp c) -> std::optional<Error> {
        const RtValue<T> a = env.lookup(c.getLhs()), b = env.lookup(c.getRhs());
        if (!a.isInt || !b.isInt || a.i.shape != b.i.shape)
          return opError(op, "needs integer operands of one shape in the reference evaluator");
        unsigned width = intWidth(getElementTypeOrSelf(c.getLhs().getType()));
        Tensor<int64_t> out(a.i.shape);
        for (int64_t n = 0; n < out.numel(); ++n)
          out.data[n] = arith::applyCmpPredicate(c.getPredicate(),
                                                 APInt(width, asUnsigned(a.i.data[n], width)),
                                                 APInt(width, asUnsigned(b.i.data[n], width)));
        return setResult(RtValue<T>::ofInt(std::move(out)));
      })
      .template Case<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(
          [&](auto cast) -> std::optional<Error> {
            RtValue<T> v = env.lookup(cast.getIn());
            unsigned from = intWidth(getElementTypeOrSelf(cast.getIn().getType()));
            unsigned width = intWidth(getElementTypeOrSelf(cast.getType()));
            for (int64_t &x : v.i.data)
              x = wrapTo(signedOf(x, from), width);
            return setResult(std::move(v));
          })
      .template Case<arith::IndexCastUIOp, arith::ExtUIOp>([&](auto cast) -> std::optional<Error> {
        RtValue<T> v = env.lookup(cast.getIn());
        unsigned from = intWidth(getElementTypeOrSelf(cast.getIn().getType()));
        unsigned width = intWidth(getElementTypeOrSelf(cast.getType()));
        for (int64_t &x : v.i.data)
          x = wrapTo(int64_t(asUnsigned(x, from)), width);
        return setResult(std::move(v));
      })
      .template Case<arith::SIToFPOp, arith::UIToFPOp>([&](auto cast) -> std::optional<Error> {
        const RtValue<T> v = env.lookup(cast.getIn());
        unsigned from = intWidth(getElementTypeOrSelf(cast.getIn().getType()));
        bool isUnsigned = isa<arith::UIToFPOp>(op);
        Tensor<T> out(v.i.shape);
        for (int64_t n = 0; n < out.numel(); ++n)
          out.data[n] = isUnsigned ? static_cast<T>(asUnsigned(v.i.data[n], from))
                                   : static_cast<T>(signedOf(v.i.data[n], from));
        return setResult(RtValue<T>::ofFloat(std::move(out)));
      })
      .template Case<arith::FPToSIOp, arith::FPToUIOp>([&](auto cast) -> std::optional<Error> {
        const RtValue<T> v = env.lookup(cast.getIn());
        unsigned width = intWidth(getElementTypeOrSelf(cast.getType()));
        Tensor<int64_t> out(v.f.shape);
        for (int64_t n = 0; n < out.numel(); ++n) {
          double x = std::trunc(static_cast<double>(v.f.data[n]));
          if (!(x >= -0x1p63 && x < 0x1p63))
            return opError(op, "converts " + llvm::formatv("{0}", static_cast<double>(v.f.data[n])).str() +
                                   " at run time, which no integer holds");
          out.data[n] = wrapTo(static_cast<int64_t>(x), width);
        }
        return setResult(RtValue<T>::ofInt(std::move(out)));
      })
      .Case([&](tensor::ExtractOp e) -> std::optional<Error> {
        const RtValue<T> &in = env[e.getTensor()];
        Expected<int64_t> at = position(e.getIndices(), in.shape());
        if (!at)
          return at.takeError();
        return setResult(in.isInt ? intScalar<T>(in.i.data[*at])
                                  : RtValue<T>::ofFloat(Tensor<T>({}, std::vector<T>{in.f.data[*at]})));
      })
      .Case([&](tensor::InsertOp e) -> std::optional<Error> {
        RtValue<T> out = env.lookup(e.getDest());
        Expected<int64_t> at = position(e.getIndices(), out.shape());
        if (!at)
          return at.takeError();
        const RtValue<T> &scalar = env[e.getScalar()];
        if (out.isInt)
          out.i.data[*at] = scalar.i.data.at(0);
        else
          out.f.data[*at] = scalar.f.data.at(0);
        return setResult(std::move(out));
      })
      .Case([&](tensor::FromElementsOp f) -> std::optional<Error> {
        std::vector<int64_t> shape(f.getType().getShape());
        bool isInt = !isa<FloatType>(f.getType().getElementType());
        RtValue<T> out = RtValue<T>::zeros(isInt, shape);
        for (auto [n, element] : llvm::enumerate(f.getElements())) {
          const RtValue<T> &scalar = env[element];
          if (isInt)
            out.i.data[n] = scalar.i.data.at(0);
          else
            out.f.data[n] = scalar.f.data.at(0);
        }
        return setResult(std::move(out));
      })
      .Case([&](tensor::DimOp d) -> std::optional<Error> {
        const std::vector<int64_t> &shape = env[d.getSource()].shape();
        int64_t dim = scalarOf(env.lookup(d.getIndex()));
        if (dim < 0 || dim >= static_cast<int64_t>(shape.size()))
          return opError(op, "asks for dimension " + llvm::Twine(dim) + " of a tensor of rank " +
                                 llvm::Twine(shape.size()));
        return setResult(intScalar<T>(shape[dim]));
      })
      .Default([](Operation *) -> std::optional<Error> { return std::nullopt; });
}

/// Elementwise float maps of the arith and math dialects.
std::optional<double (*)(double)> unaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<double (*)(double)>>(op)
      .Case([](arith::NegFOp) { return [](double x) { return -x; }; })
      .Case([](math::ExpOp) { return [](double x) { return std::exp(x); }; })
      .Case([](math::LogOp) { return [](double x) { return std::log(x); }; })
      .Case([](math::TanhOp) { return [](double x) { return std::tanh(x); }; })
      .Case([](math::SqrtOp) { return [](double x) { return std::sqrt(x); }; })
      .Case([](math::RsqrtOp) { return [](double x) { return 1.0 / std::sqrt(x); }; })
      .Case([](math::ErfOp) { return [](double x) { return std::erf(x); }; })
      .Case([](math::AbsFOp) { return [](double x) { return std::fabs(x); }; })
      .Case([](math::FloorOp) { return [](double x) { return std::floor(x); }; })
      .Case([](math::CeilOp) { return [](double x) { return std::ceil(x); }; })
      .Case<arith::ExtFOp, arith::TruncFOp>([](auto) { return [](double x) { return x; }; })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<double (*)(double, double)> binaryFn(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<double (*)(double, double)>>(op)
      .Case([](arith::AddFOp) { return [](double a, double b) { return a + b; }; })
      .Case([](arith::SubFOp) { return [](double a, double b) { return a - b; }; })
      .Case([](arith::MulFOp) { return [](double a, double b) { return a * b; }; })
      .Case([](arith::DivFOp) { return [](double a, double b) { return a / b; }; })
      .Case<arith::MaximumFOp, arith::MaxNumFOp>(
          [](auto) { return [](double a, double b) { return std::fmax(a, b); }; })
      .Case<arith::MinimumFOp, arith::MinNumFOp>(
          [](auto) { return [](double a, double b) { return std::fmin(a, b); }; })
      .Case([](math::PowFOp) { return [](double a, double b) { return std::pow(a, b); }; })
      .Default([](Operation *) { return std::nullopt; });
}

/// A slice of a tensor: per dimension its offset, size and stride.
struct SliceBox {
  std::vector<int64_t> offsets, sizes, strides;

  /// The row-major position in the sliced tensor (of `strides` per
  /// dimension) of the slice's element `idx`.
  int64_t position(const std::vector<int64_t> &idx, const std::vector<int64_t> &tensorStrides) const {
    int64_t at = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      at += (offsets[d] + idx[d] * strides[d]) * tensorStrides[d];
    return at;
  }

  /// The sizes without the `dropped` dimensions (of a rank-reducing slice).
  std::vector<int64_t> reducedShape(const llvm::SmallBitVector &dropped) const {
    std::vector<int64_t> shape;
    for (auto [d, size] : llvm::enumerate(sizes))
      if (!dropped.test(d))
        shape.push_back(size);
    return shape;
  }
};

/// Static shape of a result, or std::nullopt when it has dynamic sizes.
std::optional<std::vector<int64_t>> staticShape(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return std::vector<int64_t>(type.getShape());
}

template <typename T>
Error Interpreter<T>::execUpstream(Operation *op, Env &env) {
  auto R = [&](Value v) -> RtValue<T> & { return env[v]; };
  auto setResult = [&](RtValue<T> value) {
    env[op->getResult(0)] = std::move(value);
    return Error::success();
  };
  auto unsupportedDynamic = [&]() {
    return opError(op, "with dynamic sizes is not supported by the reference evaluator");
  };

  if (std::optional<double (*)(double)> fn = unaryFn(op)) {
    const RtValue<T> &in = R(op->getOperand(0));
    if (in.isInt)
      return opError(op, "on integers is not supported by the reference evaluator");
    Tensor<T> out(in.f.shape);
    for (int64_t n = 0; n < out.numel(); ++n)
      out.data[n] = static_cast<T>((*fn)(in.f.data[n]));
    return setResult(RtValue<T>::ofFloat(std::move(out)));
  }
  if (std::optional<double (*)(double, double)> fn = binaryFn(op)) {
    const RtValue<T> &a = R(op->getOperand(0)), &b = R(op->getOperand(1));
    if (a.f.shape != b.f.shape)
      return opError(op, "got operands of shapes " + formatShape(a.f.shape) + " and " +
                             formatShape(b.f.shape) + " at run time");
    Tensor<T> out(a.f.shape);
    for (int64_t n = 0; n < out.numel(); ++n)
      out.data[n] = static_cast<T>((*fn)(a.f.data[n], b.f.data[n]));
    return setResult(RtValue<T>::ofFloat(std::move(out)));
  }

  // Reinterprets the row-major data of operand `in` with the result's shape.
  auto reshape = [&](Value in) -> Error {
    RtValue<T> value = R(in);
    std::optional<std::vector<int64_t>> shape = staticShape(op->getResult(0));
    if (!shape)
      return unsupportedDynamic();
    (value.isInt ? value.i.shape : value.f.shape) = *shape;
    return setResult(std::move(value));
  };

  // The offsets, sizes and strides of a slice (values read from `env`),
  // checked against the shape of the tensor it is a slice of.
  auto sliceBox = [&](OffsetSizeAndStrideOpInterface slice,
                      const std::vector<int64_t> &shape) -> Expected<SliceBox> {
    SliceBox box;
    auto ints = [&](ArrayRef<OpFoldResult> mixed) {
      std::vector<int64_t> out;
      for (OpFoldResult r : mixed)
        out.push_back(isa<Attribute>(r) ? cast<IntegerAttr>(cast<Attribute>(r)).getInt()
                                        : scalarOf(R(cast<Value>(r))));
      return out;
    };
    box.offsets = ints(slice.getMixedOffsets());
    box.sizes = ints(slice.getMixedSizes());
    box.strides = ints(slice.getMixedStrides());
    if (box.sizes.size() != shape.size())
      return opError(op, "slices " + llvm::Twine(box.sizes.size()) + " dimensions of a tensor of shape " +
                             formatShape(shape));
    for (size_t d = 0; d < shape.size(); ++d)
      if (box.offsets[d] < 0 || box.sizes[d] < 0 || box.strides[d] < 0 ||
          (box.sizes[d] > 0 && box.offsets[d] + (box.sizes[d] - 1) * box.strides[d] >= shape[d]))
        return opError(op, "slice (offsets " + formatShape(box.offsets) + ", sizes " +
                               formatShape(box.sizes) + ", strides " + formatShape(box.strides) +
                               ") exceeds its tensor of shape " + formatShape(shape));
    return box;
  };

  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](arith::ConstantOp c) -> Error {
        auto type = dyn_cast<RankedTensorType>(c.getType());
        Attribute value = c.getValue();
        if (!type) {
          // A scalar constant is a rank-0 tensor here.
          type = RankedTensorType::get({}, c.getType());
          if (auto f = dyn_cast<FloatAttr>(value))
            value = DenseElementsAttr::get(type, f.getValue());
          else if (auto i = dyn_cast<IntegerAttr>(value))
            value = DenseElementsAttr::get(type, i.getValue());
        }
        Expected<RtValue<T>> result = constant(op, value, type);
        if (!result)
          return result.takeError();
        return setResult(std::move(*result));
      })
      .Case([&](func::CallOp c) -> Error {
        auto callee = symbols.lookup<func::FuncOp>(c.getCallee());
        if (!callee)
          return opError(op, "calls unknown function '" + c.getCallee() + "'");
        std::vector<RtValue<T>> args;
        for (Value v : c.getOperands())
          args.push_back(R(v));
        Expected<std::vector<RtValue<T>>> results = call(callee, std::move(args));
        if (!results)
          return results.takeError();
        for (auto [res, value] : llvm::zip_equal(c.getResults(), *results))
          env[res] = std::move(value);
        return Error::success();
      })
      .Case([&](tensor::EmptyOp e) -> Error {
        std::optional<std::vector<int64_t>> shape = staticShape(e.getResult());
        if (!shape)
          return unsupportedDynamic();
        if (isa<FloatType>(e.getType().getElementType()))
          return setResult(RtValue<T>::ofFloat(Tensor<T>(*shape)));
        return setResult(RtValue<T>::ofInt(Tensor<int64_t>(*shape)));
      })
      .template Case<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(
          [&](auto r) { return reshape(r->getOperand(0)); })
      .Case([&](tensor::ExtractSliceOp s) -> Error {
        const RtValue<T> &in = R(s.getSource());
        Expected<SliceBox> box = sliceBox(s, in.shape());
        if (!box)
          return box.takeError();
        std::vector<int64_t> srcStrides = stridesOf(in.shape());
        RtValue<T> out = gather(in, box->sizes, [&](const std::vector<int64_t> &idx) {
          return box->position(idx, srcStrides);
        });
        // A rank-reducing slice drops unit dimensions.
        (out.isInt ? out.i.shape : out.f.shape) = box->reducedShape(s.getDroppedDims());
        return setResult(std::move(out));
      })
      .Case([&](tensor::InsertSliceOp s) -> Error {
        RtValue<T> out = R(s.getDest());
        Expected<SliceBox> box = sliceBox(s, out.shape());
        if (!box)
          return box.takeError();
        const RtValue<T> &source = R(s.getSource());
        if (source.isInt != out.isInt ||
            Tensor<int64_t>::numelOf(source.shape()) != Tensor<int64_t>::numelOf(box->sizes))
          return opError(op, "inserts a tensor of shape " + formatShape(source.shape()) +
                                 " into a slice of sizes " + formatShape(box->sizes));
        // Row-major over the slice is row-major over the source (a
        // rank-reduced source only lacks unit dimensions).
        std::vector<int64_t> dstStrides = stridesOf(out.shape());
        out.visit([&](auto &dst) {
          const auto &src = source.template as<std::decay_t<decltype(dst)>>();
          int64_t n = 0;
          forEachIndex(box->sizes, [&](const std::vector<int64_t> &idx) {
            dst.data[box->position(idx, dstStrides)] = src.data[n++];
          });
        });
        return setResult(std::move(out));
      })
      .Case([&](tensor::ConcatOp c) -> Error {
        std::optional<std::vector<int64_t>> shape = staticShape(c.getResult());
        if (!shape)
          return unsupportedDynamic();
        int64_t dim = c.getDim();
        // Copy row-major blocks: each input contributes `inner` elements per
        // outer index.
        int64_t outer = 1;
        for (int64_t d = 0; d < dim; ++d)
          outer *= (*shape)[d];
        RtValue<T> out = RtValue<T>::zeros(R(c.getInputs()[0]).isInt, *shape);
        out.visit([&](auto &dst) {
          using TensorT = std::decay_t<decltype(dst)>;
          int64_t pos = 0;
          for (int64_t o = 0; o < outer; ++o)
            for (Value in : c.getInputs()) {
              const TensorT &t = R(in).template as<TensorT>();
              int64_t inner = t.numel() / std::max<int64_t>(outer, 1);
              std::copy_n(t.data.begin() + o * inner, inner, dst.data.begin() + pos);
              pos += inner;
            }
        });
        return setResult(std::move(out));
      })
      .Case([&](linalg::TransposeOp t) -> Error {
        const RtValue<T> &in = R(t.getInput());
        ArrayRef<int64_t> perm = t.getPermutation();
        std::vector<int64_t> shape;
        for (int64_t p : perm)
          shape.push_back(in.shape()[p]);
        std::vector<int64_t> inStrides = stridesOf(in.shape());
        return setResult(gather(in, shape, [&](const std::vector<int64_t> &idx) {
          int64_t src = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            src += idx[d] * inStrides[perm[d]];
          return src;
        }));
      })
      .Case([&](linalg::FillOp f) -> Error {
        const RtValue<T> &value = R(f.getInputs()[0]);
        const RtValue<T> &init = R(f.getOutputs()[0]);
        if (value.isInt != init.isInt)
          return opError(op, "between integers and floats is not supported by the reference "
                             "evaluator");
        RtValue<T> out = RtValue<T>::zeros(init.isInt, init.shape());
        out.visit([&](auto &dst) {
          const auto &scalar = value.template as<std::decay_t<decltype(dst)>>();
          if (!scalar.data.empty())
            std::fill(dst.data.begin(), dst.data.end(), scalar.data[0]);
        });
        return setResult(std::move(out));
      })
      .Case([&](linalg::BroadcastOp b) -> Error {
        const RtValue<T> &in = R(b.getInput());
        ArrayRef<int64_t> added = b.getDimensions();
        std::vector<int64_t> inStrides = stridesOf(in.shape());
        return setResult(gather(in, R(b.getInit()).shape(), [&](const std::vector<int64_t> &idx) {
          int64_t src = 0, k = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            if (!llvm::is_contained(added, static_cast<int64_t>(d)))
              src += idx[d] * inStrides[k++];
          return src;
        }));
      })
      .Case([&](arith::CmpFOp c) -> Error {
        const RtValue<T> &a = R(c.getLhs()), &b = R(c.getRhs());
        if (a.isInt || b.isInt || a.f.shape != b.f.shape)
          return opError(op, "needs float operands of one shape in the reference evaluator");
        Tensor<int64_t> out(a.f.shape);
        for (int64_t n = 0; n < out.numel(); ++n)
          out.data[n] = arith::applyCmpPredicate(c.getPredicate(),
                                                 APFloat(static_cast<double>(a.f.data[n])),
                                                 APFloat(static_cast<double>(b.f.data[n])));
        return setResult(RtValue<T>::ofInt(std::move(out)));
      })
      .Case([&](arith::SelectOp sel) -> Error {
        const RtValue<T> &cond = R(sel.getCondition());
        RtValue<T> out = R(sel.getFalseValue());
        const RtValue<T> &yes = R(sel.getTrueValue());
        if (!cond.isInt || yes.isInt != out.isInt ||
            (cond.shape() != out.shape() && !cond.shape().empty()))
          return opError(op, "needs a scalar condition or one shaped like its values in the "
                             "reference evaluator");
        if (cond.shape().empty() && !isa<ShapedType>(sel.getCondition().getType()))
          return setResult(cond.i.data[0] ? yes : std::move(out));
        for (int64_t n = 0; n < static_cast<int64_t>(cond.i.data.size()); ++n)
          if (cond.i.data[n]) {
            if (out.isInt)
              out.i.data[n] = yes.i.data[n];
            else
              out.f.data[n] = yes.f.data[n];
          }
        return setResult(std::move(out));
      })
      .Case([&](linalg::ReduceOp r) -> Error {
        // Bodies of one float combiner (sum, max, min, product), as frontends
        // emit for reductions.
        Block &body = r.getRegion().front();
        Operation *combiner = &body.front();
        std::optional<double (*)(double, double)> fn = binaryFn(combiner);
        if (r.getInputs().size() != 1 || body.getOperations().size() != 2 || !fn ||
            combiner->getOperand(0) != body.getArgument(0) ||
            combiner->getOperand(1) != body.getArgument(1))
          return opError(op, "with a body other than one float combiner of its two arguments is "
                             "not supported by the reference evaluator");
        const Tensor<T> &in = R(r.getInputs()[0]).f;
        Tensor<T> out = R(r.getInits()[0]).f;
        ArrayRef<int64_t> reduced = r.getDimensions();
        std::vector<int64_t> outStrides = stridesOf(out.shape);
        int64_t n = 0;
        forEachIndex(in.shape, [&](const std::vector<int64_t> &idx) {
          int64_t dst = 0, k = 0;
          for (size_t d = 0; d < idx.size(); ++d)
            if (!llvm::is_contained(reduced, static_cast<int64_t>(d)))
              dst += idx[d] * outStrides[k++];
          out.data[dst] = static_cast<T>((*fn)(in.data[n++], out.data[dst]));
        });
        env[r->getResult(0)] = RtValue<T>::ofFloat(std::move(out));
        return Error::success();
      })
      .template Case<linalg::MatmulOp, linalg::BatchMatmulOp>([&](auto m) -> Error {
        if (!m.hasPureTensorSemantics() || !m.isDefaultIndexingMaps(m.getIndexingMaps()))
          return opError(op, "with transposed or broadcast operands is not supported by the "
                             "reference evaluator");
        if (R(m.getInputs()[0]).isInt || R(m.getInputs()[1]).isInt || R(m.getOutputs()[0]).isInt)
          return opError(op, "on integers is not supported by the reference evaluator");
        const Tensor<T> &a = R(m.getInputs()[0]).f, &b = R(m.getInputs()[1]).f;
        Tensor<T> out = R(m.getOutputs()[0]).f;
        bool batched = a.rank() == 3;
        int64_t batch = batched ? a.dim(0) : 1, M = a.dim(-2), K = a.dim(-1), N = b.dim(-1);
        if (b.dim(-2) != K || out.dim(-2) != M || out.dim(-1) != N ||
            (batched && (b.dim(0) != batch || out.dim(0) != batch)))
          return opError(op, "got mismatched shapes " + formatShape(a.shape) + " x " +
                                 formatShape(b.shape) + " -> " + formatShape(out.shape) +
                                 " at run time");
        // linalg.matmul accumulates into its init: C += A·B.
        for (int64_t p = 0; p < batch; ++p)
          for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) {
              double acc = out.data[(p * M + i) * N + j];
              for (int64_t k = 0; k < K; ++k)
                acc += static_cast<double>(a.data[(p * M + i) * K + k]) *
                       static_cast<double>(b.data[(p * K + k) * N + j]);
              out.data[(p * M + i) * N + j] = static_cast<T>(acc);
            }
        env[m->getResult(0)] = RtValue<T>::ofFloat(std::move(out));
        return Error::success();
      })
      .Default([&](Operation *) {
        return opError(op, "is not supported by the reference evaluator (it runs icl ops and "
                           "func/arith/math/tensor/linalg ops used by icl models)");
      });
}

template <typename T>
Expected<std::vector<HostArray>> evaluateAs(func::FuncOp func, ArrayRef<HostArray> inputs,
                                            const EvaluatorOptions &options) {
  FunctionType type = func.getFunctionType();
  if (inputs.size() != type.getNumInputs())
    return llvm::createStringError("function '%s' takes %u inputs, got %zu",
                                   func.getSymName().str().c_str(), type.getNumInputs(),
                                   inputs.size());
  std::vector<RtValue<T>> args;
  for (auto [i, argType, input] : llvm::enumerate(type.getInputs(), inputs)) {
    auto tensorType = dyn_cast<RankedTensorType>(argType);
    if (!tensorType)
      return llvm::createStringError("argument %zu of '%s' is not a ranked tensor", i,
                                     func.getSymName().str().c_str());
    bool shapeOk = tensorType.getRank() == static_cast<int64_t>(input.shape.size());
    for (int64_t d = 0; shapeOk && d < tensorType.getRank(); ++d)
      shapeOk = tensorType.isDynamicDim(d) || tensorType.getDimSize(d) == input.shape[d];
    std::string typeStr;
    llvm::raw_string_ostream(typeStr) << argType;
    if (!shapeOk)
      return llvm::createStringError("input %zu has shape %s but argument %zu of '%s' is %s", i,
                                     formatShape(input.shape).c_str(), i,
                                     func.getSymName().str().c_str(), typeStr.c_str());
    bool wantFloat = isa<FloatType>(tensorType.getElementType());
    if (wantFloat != isFloat(input.dtype))
      return llvm::createStringError("input %zu has dtype %s but argument %zu of '%s' is %s", i,
                                     dtypeName(input.dtype).str().c_str(), i,
                                     func.getSymName().str().c_str(), typeStr.c_str());
    if (wantFloat) {
      std::vector<double> values = input.toDouble();
      args.push_back(
          RtValue<T>::ofFloat(Tensor<T>(input.shape, std::vector<T>(values.begin(), values.end()))));
    } else {
      args.push_back(RtValue<T>::ofInt(Tensor<int64_t>(input.shape, input.toInt64())));
    }
  }

  auto module = func->getParentOfType<ModuleOp>();
  if (Error err = checkCallGraph(module))
    return std::move(err);
  if (Error err = checkShapes(module))
    return std::move(err);
  Interpreter<T> interpreter(module, options);
  Expected<std::vector<RtValue<T>>> results = interpreter.call(func, std::move(args));
  if (!results)
    return results.takeError();

  std::vector<HostArray> outputs;
  for (auto [value, resultType] : llvm::zip_equal(*results, type.getResults())) {
    Type elt = cast<ShapedType>(resultType).getElementType();
    DType dtype = dtypeForElementType(elt).value_or(value.isInt ? DType::I64 : DType::F64);
    if (value.isInt) {
      outputs.push_back(HostArray::fromInt64(dtype, value.i.shape, value.i.data));
    } else {
      std::vector<double> values(value.f.data.begin(), value.f.data.end());
      outputs.push_back(HostArray::fromDouble(dtype, value.f.shape, values));
    }
  }
  return outputs;
}

/// Upper bound of random integers fed to `arg`, from how it is used: a
/// scalar (rank 0) is a step or loop count, drawn from 0..3.
int64_t intBound(BlockArgument arg) {
  if (auto type = dyn_cast<RankedTensorType>(arg.getType()); type && type.getRank() == 0)
    return 4;
  for (Operation *user : arg.getUsers()) {
    if (auto e = dyn_cast<ir::EmbeddingOp>(user); e && e.getIds() == arg) {
      int64_t vocab = cast<RankedTensorType>(e.getTable().getType()).getDimSize(0);
      if (vocab != ShapedType::kDynamic)
        return vocab;
    }
    if (auto u = dyn_cast<ir::TokenUnmergeOp>(user); u && u.getIndex() == arg) {
      int64_t merged = cast<RankedTensorType>(u.getInput().getType()).getDimSize(1);
      if (merged != ShapedType::kDynamic)
        return merged;
    }
  }
  return 16;
}

} // namespace

namespace {

/// The bytes a value of `type` holds at least, or nullopt beyond
/// kMaxTensorBytes (or when the element type has no size).
std::optional<int64_t> boundedBytes(ShapedType type) {
  Type elt = type.getElementType();
  int64_t bytes = isa<IndexType>(elt) ? 8
                  : elt.isIntOrFloat()  ? std::max<int64_t>(1, elt.getIntOrFloatBitWidth() / 8)
                                        : 1;
  for (int64_t d : type.getShape()) {
    if (ShapedType::isDynamic(d))
      continue;
    if (d != 0 && bytes > kMaxTensorBytes / d)
      return std::nullopt;
    bytes *= d;
  }
  return bytes <= kMaxTensorBytes ? std::optional<int64_t>(bytes) : std::nullopt;
}

} // namespace

Error checkShapes(ModuleOp module) {
  auto tooLarge = [](Operation *at, Type type) -> Error {
    return opError(at, "uses " + llvm::formatv("{0}", type).str() +
                           ", more than icl handles in one tensor (" +
                           std::to_string(kMaxTensorBytes >> 40) +
                           " TiB): split the work into smaller tensors");
  };
  auto check = [&](Operation *at, Type type) -> std::optional<Error> {
    if (auto shaped = dyn_cast<ShapedType>(type); shaped && shaped.hasRank() &&
                                                  isa<RankedTensorType, MemRefType>(shaped))
      if (!boundedBytes(shaped))
        return tooLarge(at, type);
    return std::nullopt;
  };
  std::optional<Error> error;
  module.walk([&](Operation *op) {
    if (auto func = dyn_cast<func::FuncOp>(op))
      for (Type type : llvm::concat<const Type>(func.getArgumentTypes(), func.getResultTypes()))
        if ((error = check(op, type)))
          return WalkResult::interrupt();
    for (Type type : op->getResultTypes())
      if ((error = check(op, type)))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return error ? std::move(*error) : Error::success();
}

Error checkCallGraph(ModuleOp module) {
  // The functions each function refers to, with the op that refers to them.
  using Edge = std::pair<Operation *, Operation *>;
  SymbolTable symbols(module);
  SmallVector<Operation *> funcs;
  llvm::DenseMap<Operation *, SmallVector<Edge>> callees;
  for (func::FuncOp f : module.getOps<func::FuncOp>()) {
    funcs.push_back(f);
    SmallVector<Edge> &edges = callees[f];
    if (std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(&f.getBody()))
      for (const SymbolTable::SymbolUse &use : *uses)
        if (auto callee = symbols.lookup<func::FuncOp>(use.getSymbolRef().getRootReference()))
          edges.push_back({callee, use.getUser()});
  }
  auto name = [](Operation *f) { return cast<func::FuncOp>(f).getSymName(); };

  // Depth-first, with an explicit stack: a long chain of calls must not
  // overflow this one either. `depth` is the longest chain a finished
  // function starts, in functions.
  enum class State { New, Active, Done };
  llvm::DenseMap<Operation *, State> state;
  llvm::DenseMap<Operation *, int64_t> depth;
  for (Operation *root : funcs) {
    if (state.lookup(root) != State::New)
      continue;
    // (function, index of its next callee) for each active function.
    SmallVector<std::pair<Operation *, size_t>> stack = {{root, 0}};
    state[root] = State::Active;
    while (!stack.empty()) {
      auto &[f, next] = stack.back();
      ArrayRef<Edge> edges = callees.at(f);
      if (next < edges.size()) {
        auto [callee, user] = edges[next++];
        State s = state.lookup(callee);
        if (s == State::Active) {
          SmallVector<StringRef> cycle;
          auto from = llvm::find_if(stack, [&](auto &frame) { return frame.first == callee; });
          for (auto &frame : llvm::make_range(from, stack.end()))
            cycle.push_back(name(frame.first));
          cycle.push_back(name(callee));
          return opError(user, "makes '" + name(callee) + "' recursive (" +
                                   llvm::join(cycle, " -> ") +
                                   "): icl evaluates and compiles only functions that do not "
                                   "call themselves, directly or through others");
        }
        if (s == State::New) {
          state[callee] = State::Active;
          stack.push_back({callee, 0});
        }
        continue;
      }
      int64_t longest = 1;
      for (const Edge &edge : edges)
        longest = std::max(longest, depth.lookup(edge.first) + 1);
      if (longest > kMaxCallDepth)
        return opError(f, "'" + name(f) + "' starts a chain of calls " + llvm::Twine(longest) +
                              " functions deep; icl accepts at most " +
                              llvm::Twine(kMaxCallDepth));
      depth[f] = longest;
      state[f] = State::Done;
      stack.pop_back();
    }
  }
  return Error::success();
}

Expected<std::vector<HostArray>> evaluate(func::FuncOp func, ArrayRef<HostArray> inputs,
                                          const EvaluatorOptions &options) {
  if (options.precision == Precision::F32)
    return evaluateAs<float>(func, inputs, options);
  return evaluateAs<double>(func, inputs, options);
}

Expected<std::vector<HostArray>> randomInputs(func::FuncOp func, uint64_t seed,
                                              int64_t dynamicSize) {
  if (Error err = checkShapes(func->getParentOfType<ModuleOp>()))
    return std::move(err);
  std::mt19937_64 rng(seed);
  std::vector<HostArray> inputs;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    std::optional<DType> dtype = type ? dtypeForElementType(type.getElementType()) : std::nullopt;
    if (!dtype)
      return llvm::createStringError("cannot make random values for argument %u of type %s",
                                     arg.getArgNumber(),
                                     llvm::formatv("{0}", arg.getType()).str().c_str());
    std::vector<int64_t> shape;
    for (int64_t d : type.getShape())
      shape.push_back(d == ShapedType::kDynamic ? dynamicSize : d);
    inputs.push_back(randomArray(*dtype, std::move(shape), intBound(arg), rng));
  }
  return inputs;
}

} // namespace icl::ref
