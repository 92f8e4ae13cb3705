//===- Verify.cpp - A construction's model against its closed form --------===//

#include "frontends/constructions/Verify.h"

#include "frontends/constructions/Regression.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <map>

using namespace llvm;

namespace icl::construct {

namespace {

/// Gathers the errors of each step the model's outputs show.
class Checker {
public:
  Checker(const Options &options, const Tasks &tasks)
      : options(options), closedForm(closedFormPredictions(options, tasks, options.steps)),
        limit(limitPredictions(options, tasks)) {}

  /// The model's predictions `values` [batch, o] of tasks from `first` on
  /// after `step` steps.
  void observe(int64_t step, ArrayRef<double> values, int64_t first) {
    StepCheck &check = steps[step];
    check.step = step;
    int64_t offset = first * options.outDim;
    for (size_t i = 0; i < values.size(); ++i) {
      double expected = closedForm[step][offset + i];
      double err = std::fabs(values[i] - expected);
      if (!(err <= kRelativeBound * std::max(1.0, std::fabs(expected))))
        check.ok = false;
      check.errClosedForm = worst(check.errClosedForm, err);
      if (limit)
        check.errLeastSquares =
            worst(check.errLeastSquares.value_or(0.0), std::fabs(values[i] - (*limit)[offset + i]));
    }
  }

  std::vector<StepCheck> result() const {
    std::vector<StepCheck> out;
    for (const auto &entry : steps)
      out.push_back(entry.second);
    return out;
  }

private:
  /// The larger error, NaN winning.
  static double worst(double a, double b) { return std::isnan(b) || b > a ? b : a; }

  const Options &options;
  std::vector<std::vector<double>> closedForm;
  std::optional<std::vector<double>> limit;
  std::map<int64_t, StepCheck> steps;
};

Error checkShape(const HostArray &array, ArrayRef<int64_t> expected, StringRef what) {
  if (array.shape == std::vector<int64_t>(expected.begin(), expected.end()))
    return Error::success();
  return createStringError(formatv("the model's {0} has shape {1}, but its recorded options "
                                   "give it {2}",
                                   what, formatShape(array.shape), formatShape(expected)));
}

} // namespace

Expected<Verification> verifyModel(const Options &options, const VerifyOptions &settings,
                                   RunModel run) {
  Verification v;
  v.options = options;
  v.settings = settings;
  int64_t batch = options.batch;
  int64_t chunks = (std::max<int64_t>(settings.tasks, 1) + batch - 1) / batch;
  v.tasks = chunks * batch;
  Tasks tasks = drawTasks(options, v.tasks, settings.seed, settings.noise);
  Checker checker(options, tasks);
  int64_t o = options.outDim, rows = options.readoutRows();
  // One call: result 0 is step k; result 1's row r is step r + 1 below k,
  // zero from k on (stacked models have k = K = rows).
  auto call = [&](int64_t first, std::vector<HostArray> inputs, int64_t k) -> Error {
    Expected<std::vector<HostArray>> outputs = run(inputs);
    if (!outputs)
      return outputs.takeError();
    ++v.runs;
    size_t expected = options.readoutEveryLayer ? 2 : 1;
    if (outputs->size() != expected)
      return createStringError(formatv("the model returned {0} results, but its recorded "
                                       "options give it {1}",
                                       outputs->size(), expected));
    if (Error err = checkShape((*outputs)[0], {batch, o}, "result 0"))
      return err;
    checker.observe(k, (*outputs)[0].toDouble(), first);
    if (!options.readoutEveryLayer)
      return Error::success();
    if (Error err = checkShape((*outputs)[1], {batch, rows, o}, "result 1"))
      return err;
    std::vector<double> all = (*outputs)[1].toDouble();
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<double> row(batch * o);
      for (int64_t b = 0; b < batch; ++b)
        std::copy_n(all.begin() + (b * rows + r) * o, o, row.begin() + b * o);
      if (r < k)
        checker.observe(r + 1, row, first);
      else if (llvm::any_of(row, [](double x) { return x != 0.0; }))
        v.zeroRowsOk = false;
    }
    return Error::success();
  };
  for (int64_t c = 0; c < chunks; ++c) {
    HostArray prompt = promptOf(tasks, c * batch, batch);
    if (!options.looped) {
      if (Error err = call(c * batch, {prompt}, options.steps))
        return std::move(err);
      continue;
    }
    for (int64_t k = 0; k <= options.steps; ++k)
      if (Error err = call(c * batch, {prompt, HostArray::fromInt64(DType::I64, {}, {k})}, k))
        return std::move(err);
  }
  v.steps = checker.result();
  v.ok = v.zeroRowsOk && llvm::all_of(v.steps, [](const StepCheck &s) { return s.ok; });
  return v;
}

namespace {

/// A parameter, in the fewest digits that read back the same.
void parameter(json::OStream &j, StringRef name, double x) {
  j.attributeBegin(name);
  j.rawValue(formatNumber(x));
  j.attributeEnd();
}

/// An error in 4 significant digits, or null where JSON has no number (NaN,
/// infinity).
void error(json::OStream &j, StringRef name, std::optional<double> x) {
  j.attributeBegin(name);
  if (x && std::isfinite(*x))
    j.rawValue(formatv("{0}", format("%.4g", *x)).str());
  else
    j.value(nullptr);
  j.attributeEnd();
}

} // namespace

void printJson(const Verification &v, raw_ostream &os) {
  const Options &o = v.options;
  json::OStream j(os);
  j.object([&] {
    j.attribute("construction", kindName(o.kind));
    j.attribute("dim", o.dim);
    j.attribute("out_dim", o.outDim);
    j.attribute("examples", o.examples);
    j.attribute("steps", o.steps);
    if (o.kind != Kind::Newton)
      parameter(j, "lr", o.lr);
    if (o.kind == Kind::Ridge)
      parameter(j, "lambda", o.lambda);
    if (o.kind == Kind::Newton)
      parameter(j, "alpha", o.newtonAlpha());
    j.attribute("looped", o.looped);
    j.attribute("readout_every_layer", o.readoutEveryLayer);
    if (o.includeQueryInKeys)
      j.attribute("include_query_in_keys", true);
    j.attribute("tasks", v.tasks);
    j.attribute("seed", int64_t(v.settings.seed));
    parameter(j, "noise", v.settings.noise);
    j.attribute("runs", v.runs);
    parameter(j, "bound", kRelativeBound);
    double worst = 0.0;
    j.attributeArray("per_step", [&] {
      for (const StepCheck &s : v.steps) {
        worst = std::isnan(s.errClosedForm) ? s.errClosedForm : std::max(worst, s.errClosedForm);
        j.object([&] {
          j.attribute("step", s.step);
          error(j, "err_closed_form", s.errClosedForm);
          error(j, "err_least_squares", s.errLeastSquares);
          j.attribute("ok", s.ok);
        });
      }
    });
    error(j, "max_err_closed_form", worst);
    if (o.looped && o.readoutEveryLayer)
      j.attribute("zero_rows_ok", v.zeroRowsOk);
    j.attribute("ok", v.ok);
  });
  os << "\n";
}

void printCsv(const Verification &v, raw_ostream &os) {
  os << "construction,step,err_closed_form,err_least_squares\n";
  for (const StepCheck &s : v.steps) {
    os << kindName(v.options.kind) << "," << s.step << "," << formatv("{0:e3}", s.errClosedForm)
       << ",";
    if (s.errLeastSquares)
      os << formatv("{0:e3}", *s.errLeastSquares);
    os << "\n";
  }
}

} // namespace icl::construct
