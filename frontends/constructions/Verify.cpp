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

/// Gathers the errors of each step the model's outputs show, one batch of
/// tasks at a time.
class Checker {
public:
  Checker(const Options &options, double bound) : options(options), bound(bound) {}

  /// The next batch of tasks, whose predictions observe() gets.
  void load(const Tasks &tasks) {
    closedForm = closedFormPredictions(options, tasks, options.steps);
    limit = limitPredictions(options, tasks);
    if (!limit)
      limitUnique = false;
  }

  /// The model's predictions `values` [batch, o] of the loaded tasks after
  /// `step` steps.
  void observe(int64_t step, ArrayRef<double> values) {
    StepCheck &check = steps[step];
    check.step = step;
    for (size_t i = 0; i < values.size(); ++i) {
      double expected = closedForm[step][i];
      double err = std::fabs(values[i] - expected);
      if (!(err <= bound * std::max(1.0, std::fabs(expected))))
        check.ok = false;
      check.errClosedForm = worst(check.errClosedForm, err);
      if (limit)
        check.errLeastSquares =
            worst(check.errLeastSquares.value_or(0.0), std::fabs(values[i] - (*limit)[i]));
    }
  }

  std::vector<StepCheck> result() const {
    std::vector<StepCheck> out;
    for (const auto &entry : steps) {
      out.push_back(entry.second);
      // The limit is reported only where every task has a unique one.
      if (!limitUnique)
        out.back().errLeastSquares.reset();
    }
    return out;
  }

private:
  /// The larger error, NaN winning.
  static double worst(double a, double b) { return std::isnan(b) || b > a ? b : a; }

  const Options &options;
  double bound;
  std::vector<std::vector<double>> closedForm;
  std::optional<std::vector<double>> limit;
  bool limitUnique = true;
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

Error checkSettings(const VerifyOptions &settings) {
  if (settings.tasks < 1)
    return createStringError(formatv("--tasks must be at least 1, got {0}", settings.tasks));
  if (!std::isfinite(settings.noise) || settings.noise < 0)
    return createStringError(formatv("--noise must be a finite number of at least 0 (the "
                                     "standard deviation of the noise on y), got {0}",
                                     formatNumber(settings.noise)));
  if (!std::isfinite(settings.bound) || settings.bound <= 0)
    return createStringError(formatv("--bound must be a finite number above 0 (a prediction "
                                     "passes within bound*max(1, |closed form|)), got {0}",
                                     formatNumber(settings.bound)));
  return Error::success();
}

Error checkTaskCount(const Options &options, const VerifyOptions &settings) {
  // In double: T near 2^63 must not overflow while being rounded up.
  double batch = double(options.batch);
  double rounded = std::ceil(double(settings.tasks) / batch) * batch;
  if (rounded * double(options.tokens()) * double(options.width()) > double(kMaxPromptElements))
    return createStringError(formatv("--tasks {0}: {1} prompts of {2} tokens of width {3} "
                                     "would hold more than 2^31 numbers: use fewer --tasks",
                                     settings.tasks, format("%.0f", rounded), options.tokens(),
                                     options.width()));
  return Error::success();
}

Expected<Verification> verifyModel(const Options &options, const VerifyOptions &settings,
                                   RunModel run) {
  if (Error err = checkSettings(settings))
    return std::move(err);
  if (Error err = checkTaskCount(options, settings))
    return std::move(err);
  Verification v;
  v.options = options;
  v.settings = settings;
  int64_t batch = options.batch;
  int64_t chunks = (settings.tasks + batch - 1) / batch;
  v.tasks = chunks * batch;
  TaskStream stream(options, settings.seed, settings.noise);
  Checker checker(options, settings.bound);
  int64_t o = options.outDim, rows = options.readoutRows();
  // One call: result 0 is step k; result 1's row r is step r + 1 below k,
  // zero from k on (stacked models have k = K = rows).
  auto call = [&](std::vector<HostArray> inputs, int64_t k) -> Error {
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
    checker.observe(k, (*outputs)[0].toDouble());
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
        checker.observe(r + 1, row);
      else if (llvm::any_of(row, [](double x) { return x != 0.0; }))
        v.zeroRowsOk = false;
    }
    return Error::success();
  };
  for (int64_t c = 0; c < chunks; ++c) {
    Tasks tasks = stream.next(batch);
    checker.load(tasks);
    HostArray prompt = promptOf(tasks, 0, batch);
    if (!options.looped) {
      if (Error err = call({prompt}, options.steps))
        return std::move(err);
      continue;
    }
    for (int64_t k = 0; k <= options.steps; ++k)
      if (Error err = call({prompt, HostArray::fromInt64(DType::I64, {}, {k})}, k))
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
    for (auto [p, value] : scalarParameters(o))
      parameter(j, p->name, value);
    j.attribute("looped", o.looped);
    j.attribute("readout_every_layer", o.readoutEveryLayer);
    if (o.includeQueryInKeys)
      j.attribute("include_query_in_keys", true);
    j.attribute("tasks", v.tasks);
    j.attribute("seed", v.settings.seed); // unsigned: seeds from 2^63 on print as given
    parameter(j, "noise", v.settings.noise);
    j.attribute("runs", v.runs);
    parameter(j, "bound", v.settings.bound);
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
