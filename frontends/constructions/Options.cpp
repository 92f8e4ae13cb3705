//===- Options.cpp - What an in-context-learning construction builds ------===//

#include "frontends/constructions/Options.h"

#include "frontends/constructions/Matrix.h"
#include "lib/Support/Npy.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>

using namespace llvm;

namespace icl::construct {

StringRef kindName(Kind kind) {
  switch (kind) {
  case Kind::GD:
    return "gd";
  case Kind::PGD:
    return "pgd";
  case Kind::Ridge:
    return "ridge";
  case Kind::Newton:
    return "newton";
  }
  llvm_unreachable("unknown construction");
}

std::optional<Kind> parseKind(StringRef name) {
  return StringSwitch<std::optional<Kind>>(name)
      .Case("gd", Kind::GD)
      .Case("pgd", Kind::PGD)
      .Case("ridge", Kind::Ridge)
      .Case("newton", Kind::Newton)
      .Default(std::nullopt);
}

int64_t Options::width() const {
  switch (kind) {
  case Kind::GD:
  case Kind::PGD:
    return dim + outDim;
  case Kind::Ridge:
    return dim + 2 * outDim;
  case Kind::Newton:
    return 2 * dim + 2 * outDim;
  }
  llvm_unreachable("unknown construction");
}

ArrayRef<ParameterInfo> parameterTable() {
  static const ParameterInfo table[] = {
      {Parameter::LR, "lr", "eta", "gd, pgd and ridge"},
      {Parameter::Lambda, "lambda", "lambda", "ridge"},
      {Parameter::Preconditioner, "preconditioner", "Gamma", "pgd"},
      {Parameter::Alpha, "alpha", "alpha", "newton"},
  };
  return table;
}

bool takes(Kind kind, Parameter parameter) {
  switch (parameter) {
  case Parameter::LR:
    return kind != Kind::Newton;
  case Parameter::Lambda:
    return kind == Kind::Ridge;
  case Parameter::Preconditioner:
    return kind == Kind::PGD;
  case Parameter::Alpha:
    return kind == Kind::Newton;
  }
  llvm_unreachable("unknown parameter");
}

std::vector<std::pair<const ParameterInfo *, double>> scalarParameters(const Options &o) {
  std::vector<std::pair<const ParameterInfo *, double>> out;
  for (const ParameterInfo &p : parameterTable()) {
    if (!takes(o.kind, p.id))
      continue;
    switch (p.id) {
    case Parameter::LR:
      out.emplace_back(&p, o.lr);
      break;
    case Parameter::Lambda:
      out.emplace_back(&p, o.lambda);
      break;
    case Parameter::Alpha:
      out.emplace_back(&p, o.newtonAlpha());
      break;
    case Parameter::Preconditioner:
      break; // a matrix, not a scalar
    }
  }
  return out;
}

void setScalarParameter(Options &o, Parameter parameter, double value) {
  switch (parameter) {
  case Parameter::LR:
    o.lr = value;
    return;
  case Parameter::Lambda:
    o.lambda = value;
    return;
  case Parameter::Alpha:
    o.alpha = value;
    return;
  case Parameter::Preconditioner:
    break;
  }
  llvm_unreachable("Gamma is not a scalar parameter");
}

double Options::newtonAlpha() const { return alpha ? *alpha : defaultAlpha(dim, examples); }

double defaultAlpha(int64_t dim, int64_t examples) {
  double n = double(examples);
  double edge = 1.0 + std::sqrt(double(dim) / n) + std::sqrt(2.0 * std::log(1e4) / n);
  return 1.0 / std::pow(edge, 4);
}

std::string formatNumber(double x) {
  for (int digits = 1; digits < 17; ++digits) {
    std::string text = formatv("{0}", format("%.*g", digits, x)).str();
    if (std::strtod(text.c_str(), nullptr) == x)
      return text;
  }
  return formatv("{0}", format("%.17g", x)).str();
}

namespace {

Error fail(const Twine &message) { return createStringError(message); }

bool finite(double v) { return std::isfinite(v); }

} // namespace

Error validate(const Options &o, StringRef batchFlag) {
  if (o.dim < 1 || o.dim > kMaxDim)
    return fail(formatv("--dim must be 1..{0} (the size of x), got {1}", kMaxDim, o.dim));
  if (o.outDim < 1 || o.outDim > kMaxDim)
    return fail(formatv("--out-dim must be 1..{0} (the size of y), got {1}", kMaxDim, o.outDim));
  if (o.examples < 1 || o.examples > kMaxExamples)
    return fail(formatv("--examples must be 1..{0} (the context examples N before the "
                        "query), got {1}",
                        kMaxExamples, o.examples));
  if (o.steps < 0)
    return fail(formatv("--steps must be at least 0 (the optimiser's steps K), got {0}", o.steps));
  if (!o.looped && o.steps > kMaxStackedSteps)
    return fail(formatv("--steps {0} would stack {0} layers, more than {1}: use --looped, "
                        "which takes K at run time",
                        o.steps, kMaxStackedSteps));
  if (o.batch < 1)
    return fail(formatv("{0} must be at least 1 (prompts per call), got {1}", batchFlag, o.batch));
  if (double(o.batch) * double(o.tokens()) * double(o.width()) > double(kMaxPromptElements))
    return fail(formatv("the stream of {0} {1} prompts of {2} tokens of width {3} would "
                        "hold more than 2^31 numbers: use a smaller {0} or --examples",
                        batchFlag, o.batch, o.tokens(), o.width()));
  if (takes(o.kind, Parameter::LR) && (!finite(o.lr) || o.lr <= 0))
    return fail(formatv("--lr must be a finite number above 0 (the step size eta), got {0}",
                        formatNumber(o.lr)));
  if (takes(o.kind, Parameter::Lambda) && (!finite(o.lambda) || o.lambda < 0))
    return fail(formatv("--lambda must be a finite number of at least 0 (the ridge penalty lambda), "
                        "got {0}",
                        formatNumber(o.lambda)));
  if (takes(o.kind, Parameter::Preconditioner) &&
      int64_t(o.preconditioner.size()) != o.dim * o.dim)
    return fail(formatv("pgd needs --preconditioner FILE.npy: Gamma, a {0}x{0} float32 or float64 "
                        "array",
                        o.dim));
  if (takes(o.kind, Parameter::Alpha) && o.alpha && (!finite(*o.alpha) || *o.alpha <= 0))
    return fail(formatv("--alpha must be a finite number above 0 (M_0 = alpha*S; the iteration "
                        "converges for alpha*lambda_max(S)^2 < 2), got {0}",
                        formatNumber(*o.alpha)));
  if (o.readoutEveryLayer && !o.looped && o.steps == 0)
    return fail("--readout-every-layer with --steps 0 has no step to read out: use --steps 1 or "
                "more");
  if (o.maxSteps != 0 && !(o.looped && o.readoutEveryLayer))
    return fail("--max-steps applies only to --looped --readout-every-layer (the rows of the "
                "per-step result): drop it");
  if (o.looped && o.readoutEveryLayer) {
    if (o.maxSteps < 1)
      return fail("--looped --readout-every-layer needs --max-steps M (M >= 1): the per-step "
                  "result has M rows whatever K the call runs");
    if (o.maxSteps < o.steps)
      return fail(formatv("--max-steps {0} is less than --steps {1}: the per-step result needs "
                          "a row for each of the K steps",
                          o.maxSteps, o.steps));
  }
  if (o.readoutEveryLayer &&
      double(o.batch) * double(o.readoutRows()) * double(o.outDim) > double(kMaxPromptElements))
    return fail(formatv("{0} {1} makes the per-step result [{2}, {1}, {3}] hold more than 2^31 "
                        "numbers: use a smaller {0} or {4}",
                        o.looped ? "--max-steps" : "--steps", o.readoutRows(), o.batch,
                        o.outDim, batchFlag));
  return Error::success();
}

Error checkPreconditioner(ArrayRef<double> gamma, int64_t dim, StringRef name) {
  for (int64_t i = 0; i < dim * dim; ++i)
    if (!finite(gamma[i]))
      return fail(formatv("the preconditioner '{0}' holds {1} at [{2}, {3}]: every entry of Gamma "
                          "must be a finite number",
                          name, formatNumber(gamma[i]), i / dim, i % dim));
  Matrix a(dim, dim);
  a.data.assign(gamma.begin(), gamma.end());
  int64_t column = 0;
  if (!solve(a, Matrix(dim, 0), double(dim) * FLT_EPSILON, &column))
    return fail(formatv("the preconditioner '{0}' is singular to float32 precision (no pivot "
                        "in column {1}): PGD with it cannot reach the least-squares solution; "
                        "use an invertible Gamma (the identity gives plain gd)",
                        name, column));
  return Error::success();
}

Expected<std::vector<double>> readPreconditioner(StringRef path, int64_t dim) {
  Expected<HostArray> array = readNpy(path);
  if (!array)
    return fail(formatv("cannot use the preconditioner: {0}; pass a {1}x{1} float32 or "
                        "float64 .npy file",
                        toString(array.takeError()), dim));
  if (array->dtype != DType::F32 && array->dtype != DType::F64)
    return fail(formatv("the preconditioner '{0}' holds {1}: write Gamma as float32 or float64",
                        path, dtypeName(array->dtype)));
  if (array->shape != std::vector<int64_t>{dim, dim})
    return fail(formatv("the preconditioner '{0}' has shape {1}, but --dim {2} needs [{2}, {2}]",
                        path, formatShape(array->shape), dim));
  std::vector<double> gamma = array->toDouble();
  if (Error err = checkPreconditioner(gamma, dim, path))
    return std::move(err);
  return gamma;
}

} // namespace icl::construct
