//===- ModelBuilder.cpp - A construction as an icl module -----------------===//

#include "frontends/constructions/ModelBuilder.h"

#include "frontends/common/GraphBuilder.h"
#include "frontends/constructions/Plan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using mlir::Value;
namespace ir = mlir::icl;

namespace icl::construct {

namespace {

/// An AttentionLayer's weights as constants.
struct LayerWeights {
  Value query, key, value, output, perToken;
};

class Emitter {
public:
  Emitter(const Options &options, const Plan &plan, mlir::ImplicitLocOpBuilder &b)
      : o(options), plan(plan), g(b) {}

  void build();

private:
  Value weight(const Twine &name, const Matrix &m) {
    std::vector<float> data(m.data.begin(), m.data.end());
    return g.constant(name.str(), {m.rows, m.cols}, data);
  }
  LayerWeights weights(const AttentionLayer &layer);
  /// e + (LSA(e)) Pᵀ + e Dᵀ; ops located at "`where` <role>".
  Value block(Value e, const LayerWeights &w, const Twine &where);
  /// The query's prediction [B, 1, o] from the stream `e` (through the
  /// readout head where there is one).
  Value predict(Value e, const Twine &where);
  /// `rows` with `prediction` [B, 1, o] written at row `row`.
  Value storeRow(Value rows, Value prediction, mlir::OpFoldResult row);
  /// The loop's trip count from the step count K (argument `k`), which
  /// cf.assert checks: max(K, 0), and min(that, M) with readouts.
  Value stepCount(Value k);

  const Options &o;
  const Plan &plan;
  GraphBuilder g;
  LayerWeights init, step, head;
};

LayerWeights Emitter::weights(const AttentionLayer &layer) {
  LayerWeights w;
  w.query = weight(layer.name + ".wq", layer.query);
  w.key = weight(layer.name + ".wk", layer.key);
  w.value = weight(layer.name + ".wv", layer.value);
  w.output = weight(layer.name + ".p", layer.output);
  if (layer.perToken)
    w.perToken = weight(layer.name + ".d", *layer.perToken);
  return w;
}

Value Emitter::block(Value e, const LayerWeights &w, const Twine &where) {
  std::string at = where.str();
  // Keys and values from the N context tokens (all N + 1 when the query is
  // deliberately included).
  g.at(at + " keys and values");
  Value context = o.includeQueryInKeys ? e : g.slice(e, 1, 0, o.examples);
  Value k = g.insertUnitDim(g.linear(context, w.key), 1);
  Value v = g.insertUnitDim(g.linear(context, w.value), 1);
  g.at(at + " queries");
  Value q = g.insertUnitDim(g.linear(e, w.query), 1);
  g.at(at + " attention");
  mlir::ImplicitLocOpBuilder &b = g.b;
  Value a = ir::LinearAttentionOp::create(
                b, q, k, v, /*log_decay=*/Value(), /*initial_state=*/Value(),
                ir::FeatureMapAttr::get(b.getContext(), ir::FeatureMap::identity),
                b.getF64FloatAttr(1.0), /*normalize=*/nullptr, b.getF64FloatAttr(1e-6),
                b.getBoolAttr(false))
                .getResult();
  g.at(at + " output");
  Value next = g.add(e, g.linear(g.mergeDims(a, 0), w.output));
  if (w.perToken) {
    g.at(at + " per-token term");
    next = g.add(next, g.linear(e, w.perToken));
  }
  return next;
}

Value Emitter::predict(Value e, const Twine &where) {
  if (plan.readout)
    e = block(e, head, where);
  g.at((where + " prediction").str());
  Value p = g.slice(g.slice(e, 1, o.examples, 1), 2, plan.predictionSlot, o.outDim);
  return plan.negatePrediction ? Value(mlir::arith::NegFOp::create(g.b, p)) : p;
}

Value Emitter::storeRow(Value rows, Value prediction, mlir::OpFoldResult row) {
  mlir::ImplicitLocOpBuilder &b = g.b;
  SmallVector<mlir::OpFoldResult> offsets{b.getIndexAttr(0), row, b.getIndexAttr(0)};
  SmallVector<mlir::OpFoldResult> sizes{b.getIndexAttr(o.batch), b.getIndexAttr(1),
                                        b.getIndexAttr(o.outDim)};
  SmallVector<mlir::OpFoldResult> strides(3, b.getIndexAttr(1));
  return mlir::tensor::InsertSliceOp::create(b, prediction, rows, offsets, sizes, strides);
}

Value Emitter::stepCount(Value k) {
  mlir::ImplicitLocOpBuilder &b = g.b;
  g.at("step count K");
  Value count = mlir::tensor::ExtractOp::create(b, k, mlir::ValueRange{});
  auto constant = [&](int64_t value) {
    return mlir::arith::ConstantIntOp::create(b, b.getI64Type(), value);
  };
  auto check = [&](mlir::arith::CmpIPredicate predicate, Value limit, StringRef message) {
    Value holds = mlir::arith::CmpIOp::create(b, predicate, count, limit);
    mlir::cf::AssertOp::create(b, holds, message);
  };
  Value zero = constant(0);
  check(mlir::arith::CmpIPredicate::sge, zero,
        "the step count K (argument 1) must be at least 0");
  // The loop runs max(K, 0) steps, and at most M with readouts: the
  // assertions report a bad K, and the bound keeps the row writes inside
  // result 1 whether or not a failed assertion stops the call.
  Value bound = mlir::arith::MaxSIOp::create(b, count, zero);
  if (o.readoutEveryLayer) {
    Value rows = constant(o.maxSteps);
    check(mlir::arith::CmpIPredicate::sle, rows,
          formatv("the step count K (argument 1) must be at most {0} (--max-steps): result 1 "
                  "has a row per step",
                  o.maxSteps)
              .str());
    bound = mlir::arith::MinSIOp::create(b, bound, rows);
  }
  return mlir::arith::IndexCastOp::create(b, b.getIndexType(), bound);
}

void Emitter::build() {
  mlir::ImplicitLocOpBuilder &b = g.b;
  auto f32 = [&](ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, b.getF32Type());
  };
  SmallVector<mlir::Type> args{f32({o.batch, o.tokens(), o.dim + o.outDim})};
  if (o.looped)
    args.push_back(mlir::RankedTensorType::get({}, b.getI64Type()));
  SmallVector<mlir::Type> results{f32({o.batch, o.outDim})};
  if (o.readoutEveryLayer)
    results.push_back(f32({o.batch, o.readoutRows(), o.outDim}));
  g.at(kindName(o.kind));
  auto func = mlir::func::FuncOp::create(b, kindName(o.kind), b.getFunctionType(args, results));
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(func.addEntryBlock());

  g.at("weights");
  Value readIn = plan.readIn ? weight("read_in", *plan.readIn) : Value();
  if (plan.init)
    init = weights(*plan.init);
  step = weights(plan.step);
  if (plan.readout)
    head = weights(*plan.readout);
  Value rows;
  if (o.readoutEveryLayer) {
    // A splat: B·R·o zeros are never materialised here.
    auto type = mlir::RankedTensorType::get({o.batch, o.readoutRows(), o.outDim}, b.getF32Type());
    rows = mlir::arith::ConstantOp::create(
        b, type, mlir::DenseElementsAttr::get(type, 0.0f));
  }

  Value e = func.getArgument(0);
  if (readIn) {
    g.at("read-in");
    e = g.linear(e, readIn);
  }
  if (plan.init)
    e = block(e, init, plan.init->what);
  if (!o.looped) {
    for (int64_t s = 1; s <= o.steps; ++s) {
      std::string where = plan.step.what + " " + std::to_string(s);
      e = block(e, step, where);
      if (rows)
        rows = storeRow(rows, predict(e, where + " readout"), b.getIndexAttr(s - 1));
    }
  } else {
    Value count = stepCount(func.getArgument(1));
    Value zero = mlir::arith::ConstantIndexOp::create(b, 0);
    Value one = mlir::arith::ConstantIndexOp::create(b, 1);
    SmallVector<Value> carried{e};
    if (rows)
      carried.push_back(rows);
    std::string where = plan.step.what + " (loop body)";
    auto loop = mlir::scf::ForOp::create(
        b, zero, count, one, carried,
        [&](mlir::OpBuilder &nested, mlir::Location, Value index, mlir::ValueRange state) {
          mlir::OpBuilder::InsertionGuard inner(b);
          b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
          SmallVector<Value> next{block(state[0], step, where)};
          if (rows)
            next.push_back(storeRow(state[1], predict(next[0], where + " readout"), index));
          g.at(where);
          mlir::scf::YieldOp::create(b, next);
        });
    e = loop.getResult(0);
    if (rows)
      rows = loop.getResult(1);
  }
  Value prediction = g.mergeDims(predict(e, plan.readout ? "readout" : "result"), 0);
  SmallVector<Value> returned{prediction};
  if (rows)
    returned.push_back(rows);
  g.at("result");
  mlir::func::ReturnOp::create(b, returned);
}

/// The options as the module attribute icl.construction.
mlir::DictionaryAttr recordOptions(const Options &o, mlir::MLIRContext &context) {
  mlir::Builder b(&context);
  SmallVector<mlir::NamedAttribute> entries;
  auto add = [&](StringRef name, mlir::Attribute value) {
    entries.push_back(b.getNamedAttr(name, value));
  };
  add("kind", b.getStringAttr(kindName(o.kind)));
  add("dim", b.getI64IntegerAttr(o.dim));
  add("out_dim", b.getI64IntegerAttr(o.outDim));
  add("examples", b.getI64IntegerAttr(o.examples));
  add("steps", b.getI64IntegerAttr(o.steps));
  add("batch", b.getI64IntegerAttr(o.batch));
  for (auto [parameter, value] : scalarParameters(o))
    add(parameter->name, b.getF64FloatAttr(value));
  if (takes(o.kind, Parameter::Preconditioner))
    add("preconditioner", b.getDenseF64ArrayAttr(o.preconditioner));
  add("looped", b.getBoolAttr(o.looped));
  if (o.maxSteps)
    add("max_steps", b.getI64IntegerAttr(o.maxSteps));
  add("readout_every_layer", b.getBoolAttr(o.readoutEveryLayer));
  add("include_query_in_keys", b.getBoolAttr(o.includeQueryInKeys));
  return b.getDictionaryAttr(entries);
}

/// What the module holds, as comments for its reader.
void writeHeader(const Options &o, const Plan &plan, raw_ostream &os) {
  static const char *titles[] = {"gradient descent", "preconditioned gradient descent",
                                 "ridge-regularised gradient descent",
                                 "Newton's iteration (Newton-Schulz) for least squares"};
  os << "// In-context linear regression by " << titles[int(o.kind)] << " (icl-construct "
     << kindName(o.kind) << "): d = " << o.dim << ", o = " << o.outDim << ", N = " << o.examples
     << ", " << (o.looped ? "looped" : std::to_string(o.steps) + " steps stacked") << ".\n";
  os << "// Argument 0: the prompt [" << o.batch << ", N+1, d+o]: N tokens (x_j, y_j), then "
                                                  "the query (x_q, 0).\n";
  if (o.looped)
    os << "// Argument 1: K, the steps to run, as tensor<i64> (0 <= K"
       << (o.readoutEveryLayer ? " <= " + std::to_string(o.maxSteps) : std::string()) << ").\n";
  os << "// Result 0: the prediction for x_q, [" << o.batch << ", " << o.outDim << "].";
  if (o.readoutEveryLayer)
    os << " Result 1: the prediction after each step, [" << o.batch << ", " << o.readoutRows()
       << ", " << o.outDim << "]" << (o.looped ? ", zero from row K on" : "") << ".";
  os << "\n// Stream (C = " << plan.width() << "):";
  int64_t offset = 0;
  for (const auto &[name, size] : plan.slots) {
    os << " " << name << " [" << offset << ", " << offset + size << ")";
    offset += size;
  }
  os << ".\n";
}

/// The plain values of the attributes icl.construction holds.
StringRef valueOf(mlir::StringAttr a) { return a.getValue(); }
int64_t valueOf(mlir::IntegerAttr a) { return a.getInt(); }
bool valueOf(mlir::BoolAttr a) { return a.getValue(); }
double valueOf(mlir::FloatAttr a) { return a.getValueAsDouble(); }
std::vector<double> valueOf(mlir::DenseF64ArrayAttr a) { return a.asArrayRef().vec(); }

/// Reads the entry `name` of `dict`, an AttrT, into `field`.
template <typename AttrT, typename T>
Error read(mlir::DictionaryAttr dict, StringRef name, T &field) {
  auto value = dyn_cast_or_null<AttrT>(dict.get(name));
  if (!value)
    return createStringError(formatv("the module's {0} attribute lacks a valid {1} entry: it was "
                                     "not written by icl-construct, or was edited",
                                     kConstructionAttr, name));
  field = valueOf(value);
  return Error::success();
}

} // namespace

mlir::OwningOpRef<mlir::ModuleOp> buildModule(const Options &options, mlir::MLIRContext &context) {
  context.loadDialect<ir::IclDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                      mlir::tensor::TensorDialect, mlir::linalg::LinalgDialect,
                      mlir::scf::SCFDialect, mlir::cf::ControlFlowDialect>();
  Plan plan = planOf(options);
  auto loc = mlir::NameLoc::get(
      mlir::StringAttr::get(&context, "icl-construct " + kindName(options.kind)));
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(loc);
  (*module)->setAttr(kConstructionAttr, recordOptions(options, context));
  mlir::ImplicitLocOpBuilder b(loc, &context);
  b.setInsertionPointToEnd(module->getBody());
  Emitter(options, plan, b).build();
  if (failed(mlir::verify(*module)))
    return nullptr; // a bug of this builder; the verifier reported it
  return module;
}

Error emitModule(const Options &options, raw_ostream &os) {
  if (Error err = validate(options))
    return err;
  mlir::MLIRContext context;
  // Built before anything is written, so a failure leaves `os` untouched.
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(options, context);
  if (!module)
    return createStringError("the built module does not verify (a bug of icl-construct)");
  writeHeader(options, planOf(options), os);
  // With the locations, which name each op's layer and role.
  module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  os << "\n";
  return Error::success();
}

Expected<Options> optionsOf(mlir::ModuleOp module) {
  auto dict = dyn_cast_or_null<mlir::DictionaryAttr>(module->getAttr(kConstructionAttr));
  if (!dict)
    return createStringError(formatv("the module has no {0} attribute: only models written by "
                                     "icl-construct can be verified",
                                     kConstructionAttr));
  // The first entry that is missing or malformed is reported.
  Error problem = Error::success();
  auto take = [&](Error err) {
    if (!problem)
      problem = std::move(err);
    else
      consumeError(std::move(err));
  };
  Options o;
  StringRef kindText;
  take(read<mlir::StringAttr>(dict, "kind", kindText));
  std::optional<Kind> kind = parseKind(kindText);
  if (!problem && !kind)
    take(createStringError(formatv("the module's {0} attribute names an unknown construction "
                                   "'{1}' (gd, pgd, ridge or newton)",
                                   kConstructionAttr, kindText)));
  o.kind = kind.value_or(Kind::GD);
  for (auto [name, field] : {std::pair<StringRef, int64_t *>{"dim", &o.dim},
                             {"out_dim", &o.outDim},
                             {"examples", &o.examples},
                             {"steps", &o.steps},
                             {"batch", &o.batch}})
    take(read<mlir::IntegerAttr>(dict, name, *field));
  for (auto [name, field] : {std::pair<StringRef, bool *>{"looped", &o.looped},
                             {"readout_every_layer", &o.readoutEveryLayer},
                             {"include_query_in_keys", &o.includeQueryInKeys}})
    take(read<mlir::BoolAttr>(dict, name, *field));
  if (o.looped && o.readoutEveryLayer)
    take(read<mlir::IntegerAttr>(dict, "max_steps", o.maxSteps));
  for (const ParameterInfo &parameter : parameterTable()) {
    if (!takes(o.kind, parameter.id))
      continue;
    if (parameter.id == Parameter::Preconditioner) {
      take(read<mlir::DenseF64ArrayAttr>(dict, parameter.name, o.preconditioner));
      continue;
    }
    double value = 0;
    take(read<mlir::FloatAttr>(dict, parameter.name, value));
    setScalarParameter(o, parameter.id, value);
  }
  if (problem)
    return std::move(problem);
  if (Error err = validate(o))
    return createStringError(formatv("the module's {0} attribute does not describe a valid "
                                     "construction: {1}",
                                     kConstructionAttr, toString(std::move(err))));
  return o;
}

} // namespace icl::construct
