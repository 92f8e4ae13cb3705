//===- ConstructionsTest.cpp - In-context-learning constructions ----------===//
//
// The constructions of frontends/constructions, JIT-compiled for the host
// and run on seeded regression tasks: every step must equal the closed-form
// iterate computed in double (GD, PGD, ridge GD, Newton's M_k), looped
// models must equal stacked ones for every K, and the deliberately wrong
// construction (the query among the keys) must be caught.
//
//===----------------------------------------------------------------------===//

#include "frontends/constructions/ModelBuilder.h"
#include "frontends/constructions/Options.h"
#include "frontends/constructions/Plan.h"
#include "frontends/constructions/Regression.h"
#include "frontends/constructions/Verify.h"
#include "lib/Driver/Jit.h"
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/Npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <string>

using namespace llvm;
using namespace icl;
using namespace icl::construct;

namespace {

/// A construction's model compiled to native code.
struct Native {
  mlir::MLIRContext context;
  std::unique_ptr<JitFunction> function;

  Expected<std::vector<HostArray>> run(ArrayRef<HostArray> inputs) {
    return function->run(inputs);
  }
};

/// The message validate() gives, or "" when it accepts `o`.
std::string problem(const Options &o) {
  Error err = validate(o);
  return err ? toString(std::move(err)) : "";
}

/// Builds and JIT-compiles `options`; null (with a test failure) on error.
std::unique_ptr<Native> compile(const Options &options) {
  auto native = std::make_unique<Native>();
  if (std::string why = problem(options); !why.empty()) {
    ADD_FAILURE() << "invalid options: " << why;
    return nullptr;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(options, native->context);
  if (!module) {
    ADD_FAILURE() << "the built module does not verify";
    return nullptr;
  }
  Expected<mlir::func::FuncOp> func = findEntryFunction(*module, kindName(options.kind));
  if (!func) {
    ADD_FAILURE() << toString(func.takeError());
    return nullptr;
  }
  Expected<std::unique_ptr<JitFunction>> jit = JitFunction::compile(*func);
  if (!jit) {
    ADD_FAILURE() << toString(jit.takeError());
    return nullptr;
  }
  native->function = std::move(*jit);
  return native;
}

/// Runs verifyModel on `tasks` tasks; fails the test on an error.
std::optional<Verification> check(const Options &options, int64_t tasks = 16,
                                  double noise = 0.0) {
  // One batch of all tasks, as icl-construct verify runs them.
  Options batched = options;
  batched.batch = tasks;
  std::unique_ptr<Native> native = compile(batched);
  if (!native)
    return std::nullopt;
  VerifyOptions settings;
  settings.tasks = tasks;
  settings.seed = 3;
  settings.noise = noise;
  Expected<Verification> v = verifyModel(
      batched, settings, [&](ArrayRef<HostArray> inputs) { return native->run(inputs); });
  if (!v) {
    ADD_FAILURE() << toString(v.takeError());
    return std::nullopt;
  }
  return std::move(*v);
}

std::string describe(const Verification &v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printJson(v, os);
  return text;
}

/// Γ: a non-symmetric, well-conditioned d × d matrix.
std::vector<double> skewedPreconditioner(int64_t d) {
  std::vector<double> gamma(d * d);
  for (int64_t r = 0; r < d; ++r)
    for (int64_t c = 0; c < d; ++c)
      gamma[r * d + c] = r == c ? 1.0 + 0.25 * double(r) : 0.1 * double(r - 2 * c) / double(d);
  return gamma;
}

struct Case {
  Kind kind;
  int64_t dim, examples, outDim;
  double lr, lambda;
};

std::string name(const Case &c) {
  return (kindName(c.kind) + "_d" + std::to_string(c.dim) + "_n" + std::to_string(c.examples) +
          "_o" + std::to_string(c.outDim))
      .str();
}

void PrintTo(const Case &c, std::ostream *os) { *os << name(c); }

Options optionsOf(const Case &c) {
  Options o;
  o.kind = c.kind;
  o.dim = c.dim;
  o.examples = c.examples;
  o.outDim = c.outDim;
  o.lr = c.lr;
  o.lambda = c.lambda;
  if (c.kind == Kind::PGD)
    o.preconditioner = skewedPreconditioner(c.dim);
  return o;
}

/// `c` looped with per-step readouts: verify checks K = 0..steps, result 1
/// has `maxSteps` rows.
Options loopedOf(const Case &c, int64_t steps, int64_t maxSteps) {
  Options o = optionsOf(c);
  o.steps = steps;
  o.looped = true;
  o.readoutEveryLayer = true;
  o.maxSteps = maxSteps;
  return o;
}

class GradientDescentFamily : public ::testing::TestWithParam<Case> {};

} // namespace

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

TEST(ConstructionsTest, ModulesVerifyAndRecordTheirOptions) {
  for (Kind kind : {Kind::GD, Kind::PGD, Kind::Ridge, Kind::Newton})
    for (bool looped : {false, true})
      for (bool readout : {false, true}) {
        // No field at its default, so a field that is not recorded shows.
        Options o = optionsOf({kind, 3, 5, 2, 0.2, 0.5});
        o.steps = 4;
        o.batch = 7;
        o.looped = looped;
        o.readoutEveryLayer = readout;
        o.maxSteps = looped && readout ? 6 : 0;
        if (kind == Kind::Newton)
          o.alpha = 0.03;
        ASSERT_EQ(problem(o), "");
        mlir::MLIRContext context;
        mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(o, context);
        ASSERT_TRUE(module) << kindName(kind).str() << " looped " << looped << " readout " << readout;
        Expected<Options> back = construct::optionsOf(*module);
        ASSERT_TRUE(static_cast<bool>(back)) << toString(back.takeError());
        EXPECT_EQ(back->kind, kind);
        EXPECT_EQ(back->dim, 3);
        EXPECT_EQ(back->examples, 5);
        EXPECT_EQ(back->outDim, 2);
        EXPECT_EQ(back->steps, 4);
        EXPECT_EQ(back->batch, 7);
        EXPECT_EQ(back->looped, looped);
        EXPECT_EQ(back->readoutEveryLayer, readout);
        EXPECT_EQ(back->maxSteps, o.maxSteps);
        // lr where the construction takes it (not newton), λ for ridge only;
        // the others keep their defaults.
        EXPECT_EQ(back->lr, kind == Kind::Newton ? Options().lr : 0.2);
        EXPECT_EQ(back->lambda, kind == Kind::Ridge ? 0.5 : 0.0);
        EXPECT_EQ(back->preconditioner, o.preconditioner);
        EXPECT_EQ(back->alpha.has_value(), kind == Kind::Newton);
        EXPECT_DOUBLE_EQ(back->newtonAlpha(), o.newtonAlpha());
      }
}

TEST(ConstructionsTest, ParameterTableSaysWhichConstructionTakesWhat) {
  auto names = [](Kind kind) {
    std::string out;
    for (const ParameterInfo &p : parameterTable())
      if (takes(kind, p.id))
        out += (out.empty() ? "" : " ") + p.name.str();
    return out;
  };
  EXPECT_EQ(names(Kind::GD), "lr");
  EXPECT_EQ(names(Kind::PGD), "lr preconditioner");
  EXPECT_EQ(names(Kind::Ridge), "lr lambda");
  EXPECT_EQ(names(Kind::Newton), "alpha");
  Options o = optionsOf({Kind::Ridge, 2, 4, 1, 0.3, 0.7});
  std::vector<std::pair<const ParameterInfo *, double>> scalars = scalarParameters(o);
  ASSERT_EQ(scalars.size(), 2u);
  EXPECT_EQ(scalars[0].first->name, "lr");
  EXPECT_EQ(scalars[0].second, 0.3);
  EXPECT_EQ(scalars[1].first->name, "lambda");
  EXPECT_EQ(scalars[1].second, 0.7);
}

TEST(ConstructionsTest, EmitModuleReportsFailureAndWritesNothing) {
  Options o = optionsOf({Kind::GD, 2, 4, 1, 0.1, 0.0});
  o.steps = 1;
  std::string text;
  raw_string_ostream os(text);
  Error ok = emitModule(o, os);
  EXPECT_FALSE(static_cast<bool>(ok)) << toString(std::move(ok));
  EXPECT_NE(text.find("func.func @gd"), std::string::npos);
  o.dim = 0;
  text.clear();
  Error bad = emitModule(o, os);
  ASSERT_TRUE(static_cast<bool>(bad));
  EXPECT_NE(toString(std::move(bad)).find("--dim must be"), std::string::npos);
  EXPECT_EQ(text, "");
}

TEST(ConstructionsTest, PerStepZerosAreASplat) {
  Options o = loopedOf({Kind::GD, 2, 4, 1, 0.1, 0.0}, 3, 3);
  o.batch = 5;
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(o, context);
  ASSERT_TRUE(module);
  bool found = false;
  module->walk([&](mlir::arith::ConstantOp c) {
    auto type = dyn_cast<mlir::RankedTensorType>(c.getType());
    if (!type || type.getShape() != ArrayRef<int64_t>{5, 3, 1})
      return;
    found = true;
    auto dense = dyn_cast<mlir::DenseElementsAttr>(c.getValue());
    ASSERT_TRUE(dense) << "the per-step zeros are not a dense literal";
    EXPECT_TRUE(dense.isSplat());
  });
  EXPECT_TRUE(found);
}

TEST(ConstructionsTest, ReportCountsLayers) {
  Options o = optionsOf({Kind::Newton, 2, 8, 1, 0.1, 0.0});
  o.steps = 3;
  std::string text = report(o, planOf(o));
  EXPECT_NE(text.find("layer 0: read-in (x, y) -> stream: W_in [6, 3]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("layer 4: Newton step 3:"), std::string::npos) << text;
  EXPECT_NE(text.find("layer 5: readout"), std::string::npos) << text;
  EXPECT_NE(text.find("totals: 5 LSA layers"), std::string::npos) << text;
}

//===----------------------------------------------------------------------===//
// GD, PGD, ridge: every step equals the closed form, stacked and looped
//===----------------------------------------------------------------------===//

TEST_P(GradientDescentFamily, StackedStepsEqualTheClosedForm) {
  Options o = optionsOf(GetParam());
  o.steps = 6;
  o.readoutEveryLayer = true;
  std::optional<Verification> v = check(o);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->steps.size(), 6u);
  EXPECT_TRUE(v->ok) << describe(*v);
  // Without readouts, K = 0 (the prediction before any step) and K = 3.
  for (int64_t k : {0, 3}) {
    o.steps = k;
    o.readoutEveryLayer = false;
    std::optional<Verification> plain = check(o);
    ASSERT_TRUE(plain);
    ASSERT_EQ(plain->steps.size(), 1u);
    EXPECT_EQ(plain->steps[0].step, k);
    EXPECT_TRUE(plain->ok) << describe(*plain);
  }
}

TEST_P(GradientDescentFamily, LoopedEqualsStackedForEveryK) {
  Options stacked = optionsOf(GetParam());
  stacked.steps = 8;
  stacked.readoutEveryLayer = true;
  stacked.batch = 4;
  Options looped = stacked;
  looped.looped = true;
  looped.maxSteps = 8;
  std::unique_ptr<Native> a = compile(stacked), b = compile(looped);
  ASSERT_TRUE(a && b);
  Tasks tasks = drawTasks(stacked, 4, 11, 0.1);
  HostArray prompt = promptOf(tasks, 0, 4);
  Expected<std::vector<HostArray>> reference = a->run({prompt});
  ASSERT_TRUE(static_cast<bool>(reference)) << toString(reference.takeError());
  std::vector<double> rows = (*reference)[1].toDouble();
  std::vector<std::vector<double>> closed = closedFormPredictions(stacked, tasks, 8);
  int64_t o = stacked.outDim;
  for (int64_t k = 0; k <= 8; ++k) {
    Expected<std::vector<HostArray>> out = b->run({prompt, HostArray::fromInt64(DType::I64, {}, {k})});
    ASSERT_TRUE(static_cast<bool>(out)) << toString(out.takeError());
    std::vector<double> prediction = (*out)[0].toDouble(), perStep = (*out)[1].toDouble();
    for (int64_t t = 0; t < 4; ++t)
      for (int64_t i = 0; i < o; ++i) {
        double expected = closed[k][t * o + i];
        double tolerance = kRelativeBound * std::max(1.0, std::fabs(expected));
        EXPECT_NEAR(prediction[t * o + i], expected, tolerance) << "K = " << k;
        if (k > 0) {
          EXPECT_NEAR(prediction[t * o + i], rows[(t * 8 + k - 1) * o + i], tolerance)
              << "K = " << k << ": looped and stacked differ";
        }
        for (int64_t r = 0; r < 8; ++r) {
          double value = perStep[(t * 8 + r) * o + i];
          if (r < k)
            EXPECT_NEAR(value, closed[r + 1][t * o + i], tolerance) << "K = " << k << " row " << r;
          else
            EXPECT_EQ(value, 0.0) << "K = " << k << " row " << r << " must be zero";
        }
      }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GradientDescentFamily,
    ::testing::Values(Case{Kind::GD, 1, 6, 1, 0.3, 0.0}, Case{Kind::GD, 3, 16, 2, 0.2, 0.0},
                      Case{Kind::GD, 5, 3, 1, 0.15, 0.0}, Case{Kind::PGD, 3, 12, 1, 0.2, 0.0},
                      Case{Kind::PGD, 5, 20, 2, 0.1, 0.0}, Case{Kind::Ridge, 3, 10, 1, 0.2, 0.5},
                      Case{Kind::Ridge, 5, 4, 2, 0.1, 0.0}, Case{Kind::Ridge, 1, 7, 2, 0.25, 2.0}),
    [](const ::testing::TestParamInfo<Case> &info) { return name(info.param); });

TEST(ConstructionsTest, LoopedModelsRefuseStepCountsOutOfRange) {
  Options o = loopedOf({Kind::GD, 2, 4, 1, 0.1, 0.0}, 3, 3);
  std::unique_ptr<Native> native = compile(o);
  ASSERT_TRUE(native);
  HostArray prompt = promptOf(drawTasks(o, 1, 0, 0.0), 0, 1);
  auto runWith = [&](int64_t k) {
    return native->run({prompt, HostArray::fromInt64(DType::I64, {}, {k})});
  };
  for (auto [k, why] : {std::pair<int64_t, const char *>{-1, "must be at least 0"},
                        {4, "must be at most 3 (--max-steps)"}}) {
    Expected<std::vector<HostArray>> out = runWith(k);
    ASSERT_FALSE(static_cast<bool>(out)) << "K = " << k << " ran";
    std::string message = toString(out.takeError());
    EXPECT_NE(message.find(std::string("the step count K (argument 1) ") + why),
              std::string::npos)
        << message;
  }
  Expected<std::vector<HostArray>> last = runWith(3);
  EXPECT_TRUE(static_cast<bool>(last)) << toString(last.takeError());
}

TEST(ConstructionsTest, LoopedModelsStayInBoundsForHugeStepCounts) {
  // K ≫ M: the assertion reports K, and the loop stops at M rows whether or
  // not the failed assertion stops the call, so no row is written past
  // result 1 (before, K = 1000 wrote 998 rows of 64 prompts out of bounds).
  Options o = loopedOf({Kind::GD, 2, 4, 1, 0.1, 0.0}, 2, 2);
  o.batch = 64;
  std::unique_ptr<Native> native = compile(o);
  ASSERT_TRUE(native);
  HostArray prompt = promptOf(drawTasks(o, 64, 0, 0.0), 0, 64);
  for (int64_t k : {int64_t(1000), int64_t(2000000), std::numeric_limits<int64_t>::max()}) {
    Expected<std::vector<HostArray>> out =
        native->run({prompt, HostArray::fromInt64(DType::I64, {}, {k})});
    ASSERT_FALSE(static_cast<bool>(out)) << "K = " << k << " ran";
    std::string message = toString(out.takeError());
    EXPECT_NE(message.find("the step count K (argument 1) must be at most 2 (--max-steps)"),
              std::string::npos)
        << message;
  }
  // The model still works afterwards.
  Expected<std::vector<HostArray>> two =
      native->run({prompt, HostArray::fromInt64(DType::I64, {}, {2})});
  ASSERT_TRUE(static_cast<bool>(two)) << toString(two.takeError());
  std::vector<std::vector<double>> closed = closedFormPredictions(o, drawTasks(o, 64, 0, 0.0), 2);
  std::vector<double> prediction = (*two)[0].toDouble();
  for (int64_t t = 0; t < 64; ++t)
    EXPECT_NEAR(prediction[t], closed[2][t], kRelativeBound * std::max(1.0, std::fabs(closed[2][t])));

  // The bound alone keeps the model memory-safe: with its cf.asserts erased
  // (whatever an assertion lowering does), K ≫ M runs M steps.
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(o, context);
  ASSERT_TRUE(module);
  module->walk([](mlir::cf::AssertOp op) { op.erase(); });
  Expected<mlir::func::FuncOp> func = findEntryFunction(*module, "gd");
  ASSERT_TRUE(static_cast<bool>(func)) << toString(func.takeError());
  Expected<std::unique_ptr<JitFunction>> unchecked = JitFunction::compile(*func);
  ASSERT_TRUE(static_cast<bool>(unchecked)) << toString(unchecked.takeError());
  for (int64_t k : {int64_t(2000000), std::numeric_limits<int64_t>::max()}) {
    Expected<std::vector<HostArray>> out =
        (*unchecked)->run({prompt, HostArray::fromInt64(DType::I64, {}, {k})});
    ASSERT_TRUE(static_cast<bool>(out)) << toString(out.takeError());
    EXPECT_EQ((*out)[0].toDouble(), (*two)[0].toDouble()) << "K = " << k << " ran other than M steps";
    EXPECT_EQ((*out)[1].toDouble(), (*two)[1].toDouble()) << "K = " << k;
  }
  // A negative K runs no step: the prediction of W_0 = 0.
  Expected<std::vector<HostArray>> negative =
      (*unchecked)->run({prompt, HostArray::fromInt64(DType::I64, {}, {-5})});
  ASSERT_TRUE(static_cast<bool>(negative)) << toString(negative.takeError());
  for (double v : (*negative)[1].toDouble())
    EXPECT_EQ(v, 0.0);
}

TEST(ConstructionsTest, QueryAmongTheKeysBreaksGradientDescentFromTheSecondStep) {
  Options o = optionsOf({Kind::GD, 3, 8, 1, 0.3, 0.0});
  o.steps = 3;
  o.readoutEveryLayer = true;
  o.includeQueryInKeys = true;
  std::optional<Verification> v = check(o);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->steps.size(), 3u);
  // W_0 = 0: the query's own term is zero in the first step only.
  EXPECT_TRUE(v->steps[0].ok) << describe(*v);
  EXPECT_FALSE(v->steps[1].ok) << describe(*v);
  EXPECT_FALSE(v->steps[2].ok) << describe(*v);
  EXPECT_FALSE(v->ok);
  EXPECT_GT(v->steps[2].errClosedForm, 1e-3);
}

//===----------------------------------------------------------------------===//
// Newton
//===----------------------------------------------------------------------===//

TEST(ConstructionsTest, NewtonFollowsItsIteratesToLeastSquares) {
  Options o = optionsOf({Kind::Newton, 3, 24, 2, 0.0, 0.0});
  o.steps = 12;
  o.readoutEveryLayer = true;
  std::optional<Verification> v = check(o, 32, 0.1);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->steps.size(), 12u);
  EXPECT_TRUE(v->ok) << describe(*v);
  // The error to least squares is the sum of per-eigenvector errors that
  // each shrink as (1 − αλ²)^(2^k), so it need not fall at every early step;
  // once below a tenth of the first step's it is in the quadratic phase and
  // at least halves each step, until float32 rounding holds it.
  const double floor = 1e-4;
  double first = *v->steps.front().errLeastSquares;
  EXPECT_GT(first, 100 * floor) << describe(*v);
  bool quadratic = false;
  for (size_t k = 1; k < v->steps.size(); ++k) {
    ASSERT_TRUE(v->steps[k].errLeastSquares);
    double before = *v->steps[k - 1].errLeastSquares, now = *v->steps[k].errLeastSquares;
    quadratic = quadratic || before < 0.1 * first;
    if (quadratic && before > floor) {
      EXPECT_LT(now, 0.5 * before) << "step " << v->steps[k].step << ": " << describe(*v);
    }
  }
  EXPECT_TRUE(quadratic) << describe(*v);
  EXPECT_LT(*v->steps.back().errLeastSquares, floor) << describe(*v);
}

TEST(ConstructionsTest, NewtonLoopedEqualsItsClosedForm) {
  Options o = loopedOf({Kind::Newton, 2, 9, 1, 0.0, 0.0}, 6, 7);
  o.alpha = 0.05;
  std::optional<Verification> v = check(o, 8);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->runs, 7);
  EXPECT_TRUE(v->ok) << describe(*v);
  EXPECT_TRUE(v->zeroRowsOk);
}

//===----------------------------------------------------------------------===//
// Bad parameters
//===----------------------------------------------------------------------===//

TEST(ConstructionsTest, BadParametersAreRefusedWithTheFlagToMend) {
  Options good = optionsOf({Kind::GD, 3, 8, 1, 0.1, 0.0});
  good.steps = 2;
  EXPECT_EQ(problem(good), "");
  auto with = [&](auto change) {
    Options o = good;
    change(o);
    return problem(o);
  };
  EXPECT_NE(with([](Options &o) { o.dim = 0; }).find("--dim must be"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.outDim = -1; }).find("--out-dim must be"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.examples = 0; }).find("--examples must be"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.steps = -1; }).find("--steps must be"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.steps = 5000; }).find("use --looped"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.lr = 0; }).find("--lr must be"), std::string::npos);
  EXPECT_NE(with([](Options &o) { o.lr = std::numeric_limits<double>::quiet_NaN(); })
                .find("--lr must be"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.kind = Kind::Ridge;
              o.lambda = -1;
            }).find("--lambda must be"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) { o.kind = Kind::PGD; }).find("--preconditioner"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.kind = Kind::Newton;
              o.alpha = std::numeric_limits<double>::infinity();
            }).find("--alpha must be"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.looped = true;
              o.readoutEveryLayer = true;
            }).find("needs --max-steps"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.looped = true;
              o.readoutEveryLayer = true;
              o.maxSteps = 1;
            }).find("--max-steps 1 is less than --steps 2"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) { o.maxSteps = 3; }).find("--max-steps applies only"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.steps = 0;
              o.readoutEveryLayer = true;
            }).find("no step to read out"),
            std::string::npos);
  EXPECT_NE(with([](Options &o) {
              o.batch = 1 << 20;
              o.examples = 1 << 12;
            }).find("more than 2^31"),
            std::string::npos);
}

TEST(ConstructionsTest, BadPreconditionersAreRefusedNamingTheFile) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("icl-constructions", dir));
  auto write = [&](StringRef name, const HostArray &array) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    EXPECT_FALSE(static_cast<bool>(writeNpy(path, array)));
    return std::string(path);
  };
  auto message = [](Expected<std::vector<double>> gamma) {
    return gamma ? std::string() : toString(gamma.takeError());
  };
  std::string good = write("good.npy", HostArray::fromDouble(DType::F64, {2, 2}, {2, 1, 0, 3}));
  Expected<std::vector<double>> read = readPreconditioner(good, 2);
  ASSERT_TRUE(static_cast<bool>(read)) << toString(read.takeError());
  EXPECT_EQ(*read, (std::vector<double>{2, 1, 0, 3}));

  EXPECT_NE(message(readPreconditioner((dir + "/missing.npy").str(), 2)).find("missing.npy"),
            std::string::npos);
  std::string shape = message(readPreconditioner(good, 3));
  EXPECT_NE(shape.find("has shape [2, 2], but --dim 3 needs [3, 3]"), std::string::npos) << shape;
  std::string ints =
      write("ints.npy", HostArray::fromInt64(DType::I32, {2, 2}, {1, 0, 0, 1}));
  EXPECT_NE(message(readPreconditioner(ints, 2)).find("holds i32"), std::string::npos);
  std::string nan = write("nan.npy", HostArray::fromDouble(DType::F32, {2, 2},
                                                           {1, 0, std::nan(""), 1}));
  std::string nanMessage = message(readPreconditioner(nan, 2));
  EXPECT_NE(nanMessage.find("holds nan at [1, 0]"), std::string::npos) << nanMessage;
  std::string singular =
      write("singular.npy", HostArray::fromDouble(DType::F32, {2, 2}, {1, 2, 2, 4}));
  std::string singularMessage = message(readPreconditioner(singular, 2));
  EXPECT_NE(singularMessage.find("singular.npy' is singular"), std::string::npos)
      << singularMessage;
  llvm::sys::fs::remove_directories(dir);
}

//===----------------------------------------------------------------------===//
// The closed form itself, against numbers worked out by hand
//===----------------------------------------------------------------------===//

namespace {

/// One task with d = 1, N = 2: x = (1, 2), y = (2, 3), x_q = 3.
Tasks handTask() {
  Tasks t;
  t.count = 1;
  t.examples = 2;
  t.dim = 1;
  t.outDim = 1;
  t.x = {1, 2};
  t.y = {2, 3};
  t.query = {3};
  return t;
}

} // namespace

TEST(ConstructionsTest, GradientDescentClosedFormMatchesAHandComputation) {
  // w ← w − (η/N) Σ_j x_j (x_j w − y_j), η = 0.5, N = 2, w_0 = 0:
  //   w_1 = 0 − 0.25 · (1·(0 − 2) + 2·(0 − 3)) = 0.25 · 8 = 2,
  //   w_2 = 2 − 0.25 · (1·(2 − 2) + 2·(4 − 3)) = 2 − 0.5 = 1.5,
  // so the predictions w_k x_q are 0, 6, 4.5; least squares is
  // Σxy / Σx² = 8 / 5 = 1.6, predicting 4.8.
  Options o = optionsOf({Kind::GD, 1, 2, 1, 0.5, 0.0});
  o.steps = 2;
  Tasks tasks = handTask();
  std::vector<std::vector<double>> closed = closedFormPredictions(o, tasks, 2);
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_DOUBLE_EQ(closed[0][0], 0.0);
  EXPECT_DOUBLE_EQ(closed[1][0], 6.0);
  EXPECT_DOUBLE_EQ(closed[2][0], 4.5);
  std::optional<std::vector<double>> limit = limitPredictions(o, tasks);
  ASSERT_TRUE(limit);
  EXPECT_DOUBLE_EQ((*limit)[0], 4.8);

  // The model, on the prompt [[1, 2], [2, 3], [3, 0]], reads out the same.
  o.readoutEveryLayer = true;
  std::unique_ptr<Native> native = compile(o);
  ASSERT_TRUE(native);
  HostArray prompt = promptOf(tasks, 0, 1);
  EXPECT_EQ(prompt.toDouble(), (std::vector<double>{1, 2, 2, 3, 3, 0}));
  Expected<std::vector<HostArray>> out = native->run({prompt});
  ASSERT_TRUE(static_cast<bool>(out)) << toString(out.takeError());
  EXPECT_NEAR((*out)[0].toDouble()[0], 4.5, 1e-6);
  EXPECT_NEAR((*out)[1].toDouble()[0], 6.0, 1e-6);
  EXPECT_NEAR((*out)[1].toDouble()[1], 4.5, 1e-6);
}

TEST(ConstructionsTest, GradientDescentWithASmallStepApproachesLeastSquares) {
  // The GD error contracts by max |1 − ηλ(S)| a step, S = XᵀX/N: with
  // η = 0.05 and 2000 steps the closed form (in double) must reach least
  // squares, and the looped model (float32) after 400 steps of η = 0.2 too.
  Options o = optionsOf({Kind::GD, 2, 32, 1, 0.05, 0.0});
  o.steps = 2000;
  Tasks tasks = drawTasks(o, 8, 5, 0.1);
  std::vector<std::vector<double>> closed = closedFormPredictions(o, tasks, o.steps);
  std::optional<std::vector<double>> limit = limitPredictions(o, tasks);
  ASSERT_TRUE(limit);
  double first = 0, last = 0;
  for (int64_t t = 0; t < 8; ++t) {
    first = std::max(first, std::fabs(closed[1][t] - (*limit)[t]));
    last = std::max(last, std::fabs(closed[o.steps][t] - (*limit)[t]));
  }
  EXPECT_GT(first, 0.1);
  EXPECT_LT(last, 1e-9);

  Options looped = o;
  looped.lr = 0.2;
  looped.looped = true;
  looped.steps = 0;
  looped.batch = 8;
  std::unique_ptr<Native> native = compile(looped);
  ASSERT_TRUE(native);
  Expected<std::vector<HostArray>> out =
      native->run({promptOf(tasks, 0, 8), HostArray::fromInt64(DType::I64, {}, {400})});
  ASSERT_TRUE(static_cast<bool>(out)) << toString(out.takeError());
  std::vector<double> prediction = (*out)[0].toDouble();
  for (int64_t t = 0; t < 8; ++t)
    EXPECT_NEAR(prediction[t], (*limit)[t], 1e-4 * std::max(1.0, std::fabs((*limit)[t])));
}

//===----------------------------------------------------------------------===//
// verify's settings
//===----------------------------------------------------------------------===//

TEST(ConstructionsTest, VerifySettingsAreChecked) {
  auto message = [](auto change) {
    VerifyOptions settings;
    change(settings);
    Error err = checkSettings(settings);
    return err ? toString(std::move(err)) : std::string();
  };
  EXPECT_EQ(message([](VerifyOptions &) {}), "");
  EXPECT_EQ(message([](VerifyOptions &s) { s.tasks = 0; }), "--tasks must be at least 1, got 0");
  for (double bad : {-0.5, std::nan(""), std::numeric_limits<double>::infinity()})
    EXPECT_NE(message([&](VerifyOptions &s) { s.noise = bad; }).find("--noise must be a finite number of at least 0"),
              std::string::npos)
        << bad;
  for (double bad : {0.0, -1e-5, std::nan(""), std::numeric_limits<double>::infinity()})
    EXPECT_NE(message([&](VerifyOptions &s) { s.bound = bad; }).find("--bound must be a finite number above 0"),
              std::string::npos)
        << bad;
}

TEST(ConstructionsTest, VerifyRefusesTaskCountsThatDoNotFit) {
  Options o = optionsOf({Kind::GD, 3, 8, 1, 0.1, 0.0});
  o.steps = 1;
  o.batch = 4;
  VerifyOptions settings;
  settings.tasks = 100000000000; // 1e11 tasks would be 1e11·N·d doubles
  int calls = 0;
  Expected<Verification> v = verifyModel(o, settings, [&](ArrayRef<HostArray>) {
    ++calls;
    return Expected<std::vector<HostArray>>(std::vector<HostArray>{});
  });
  ASSERT_FALSE(static_cast<bool>(v));
  std::string message = toString(v.takeError());
  EXPECT_NE(message.find("--tasks 100000000000: 100000000000 prompts of 9 tokens of width 4 would hold "
                         "more than 2^31 numbers: use fewer --tasks"),
            std::string::npos)
      << message;
  EXPECT_EQ(calls, 0);
  settings.tasks = std::numeric_limits<int64_t>::max();
  // T near 2^63 must not overflow as it is rounded up to the batch.
  Error huge = checkTaskCount(o, settings);
  EXPECT_TRUE(static_cast<bool>(huge));
  consumeError(std::move(huge));
  // Where verify builds the model, B = T: validate names --tasks, not --batch.
  o.batch = int64_t(1) << 30;
  std::string stream = toString(validate(o, "--tasks"));
  EXPECT_NE(stream.find("the stream of --tasks 1073741824 prompts"), std::string::npos) << stream;
  EXPECT_NE(stream.find("use a smaller --tasks or --examples"), std::string::npos) << stream;
  EXPECT_EQ(stream.find("--batch"), std::string::npos) << stream;
}

TEST(ConstructionsTest, TasksDrawnInBatchesAreTheTasksDrawnAtOnce) {
  Options o = optionsOf({Kind::GD, 3, 5, 2, 0.1, 0.0});
  Tasks all = drawTasks(o, 7, 9, 0.3);
  TaskStream stream(o, 9, 0.3);
  Tasks a = stream.next(3), b = stream.next(4);
  std::vector<double> x = a.x, y = a.y, q = a.query;
  x.insert(x.end(), b.x.begin(), b.x.end());
  y.insert(y.end(), b.y.begin(), b.y.end());
  q.insert(q.end(), b.query.begin(), b.query.end());
  EXPECT_EQ(x, all.x);
  EXPECT_EQ(y, all.y);
  EXPECT_EQ(q, all.query);
}

TEST(ConstructionsTest, VerifyUsesItsBoundAndPrintsItsSettings) {
  Options o = optionsOf({Kind::GD, 3, 8, 1, 0.3, 0.0});
  o.steps = 2;
  o.readoutEveryLayer = true;
  o.batch = 4;
  std::unique_ptr<Native> native = compile(o);
  ASSERT_TRUE(native);
  auto run = [&](double bound, uint64_t seed) {
    VerifyOptions settings;
    settings.tasks = 8;
    settings.bound = bound;
    settings.seed = seed;
    Expected<Verification> v =
        verifyModel(o, settings, [&](ArrayRef<HostArray> inputs) { return native->run(inputs); });
    EXPECT_TRUE(static_cast<bool>(v)) << toString(v.takeError());
    return std::move(*v);
  };
  Verification loose = run(1e-5, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(loose.ok) << describe(loose);
  EXPECT_EQ(loose.runs, 2);
  std::string json = describe(loose);
  EXPECT_NE(json.find("\"seed\":18446744073709551615,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"bound\":1e-05,"), std::string::npos) << json;
  // A bound below float32 rounding fails the same, correct model.
  Verification strict = run(1e-12, 0);
  EXPECT_FALSE(strict.ok) << describe(strict);
  EXPECT_NE(describe(strict).find("\"bound\":1e-12,"), std::string::npos);
}
