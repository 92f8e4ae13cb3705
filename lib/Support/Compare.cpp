//===- Compare.cpp - Comparing results with a reference -------------------===//

#include "lib/Support/Compare.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace icl {

double unitRoundoff(DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return std::ldexp(1.0, -8);
  case DType::F16:
    return std::ldexp(1.0, -11);
  case DType::F32:
    return std::ldexp(1.0, -24);
  case DType::F64:
    return std::ldexp(1.0, -53);
  default:
    return 0;
  }
}

double defaultRelTolerance(DType dtype) {
  if (!isFloat(dtype))
    return 0;
  // f64 results come from f64 arithmetic; every narrower float from f32.
  DType arithmetic = dtype == DType::F64 ? DType::F64 : DType::F32;
  return kStorageUlps * unitRoundoff(dtype) + kF32Ulps * unitRoundoff(arithmetic);
}

std::string Comparison::describe() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("max abs error %.3g, max rel error %.3g, %zu of %zu beyond ", maxAbsError,
                     maxRelError, beyond, elements);
  if (explicitBounds)
    os << llvm::format("atol %.3g + rtol %.3g", atol, rtol);
  else
    os << llvm::format("tol %.3g", tol);
  os << llvm::format(" (worst %.3g of the bound)", worstRatio);
  if (unexpectedNaN)
    os << ", NaN where the reference has none";
  return text;
}

Comparison compareArrays(const HostArray &got, const HostArray &want,
                         const Tolerance &tolerance) {
  Comparison c;
  std::vector<double> g = got.toDouble(), w = want.toDouble();
  c.elements = g.size();
  c.explicitBounds = tolerance.isExplicit();
  c.atol = tolerance.atol.value_or(0);
  c.rtol = tolerance.rtol.value_or(0);
  c.tol = tolerance.tol.value_or(defaultRelTolerance(got.dtype));

  // The result's scale: the root mean square of the finite reference values.
  double sumSquares = 0;
  size_t finite = 0;
  for (double x : w)
    if (std::isfinite(x)) {
      sumSquares += x * x;
      ++finite;
    }
  double rms = finite ? std::sqrt(sumSquares / finite) : 0;

  for (size_t k = 0; k < g.size(); ++k) {
    double err = std::fabs(g[k] - w[k]);
    bool within;
    if (std::isnan(w[k])) {
      within = std::isnan(g[k]);
      err = within ? 0 : INFINITY;
    } else if (std::isinf(w[k]) || std::isinf(g[k])) {
      within = g[k] == w[k];
      err = within ? 0 : INFINITY;
    } else if (std::isnan(g[k])) {
      within = false;
      err = INFINITY;
      c.unexpectedNaN = true;
    } else {
      double bound = c.explicitBounds ? c.atol + c.rtol * std::fabs(w[k])
                                      : c.tol * (std::fabs(w[k]) + rms);
      within = err <= bound;
      double ratio = bound > 0 ? err / bound : (err > 0 ? INFINITY : 0);
      c.worstRatio = std::max(c.worstRatio, ratio);
    }
    if (!within) {
      ++c.beyond;
      if (std::isinf(err))
        c.worstRatio = INFINITY;
    }
    c.maxAbsError = std::max(c.maxAbsError, err);
    c.maxRelError = std::max(c.maxRelError, err / std::max(std::fabs(w[k]), 1e-30));
  }
  return c;
}

} // namespace icl
