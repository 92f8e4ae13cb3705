//===- Compare.h - Comparing results with a reference -----------*- C++ -*-===//
//
// The error model of `icl-run --check` / `--expect`: how far a computed array
// may lie from its float64 reference. Bounds derive from the result's dtype
// (docs/testing.md explains the model and how to state a bound in a test).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_COMPARE_H
#define ICL_LIB_SUPPORT_COMPARE_H

#include "lib/Support/HostArray.h"

#include <optional>

namespace icl {

/// Unit roundoff of a storage type (half the distance from 1 to the next
/// value): 2^-8 for bf16, 2^-11 for f16, 2^-24 for f32, 2^-53 for f64; 0 for
/// integers and bool, which compare exactly.
double unitRoundoff(DType dtype);

/// How close `got` must be to `want`. Either the derived bound (the default)
///   |got − want| ≤ tol · (|want| + rms(want))
/// — relative where |want| is not tiny, absolute at the scale of the whole
/// result elsewhere — or, when `atol`/`rtol` are set, the plain
///   |got − want| ≤ atol + rtol · |want|.
struct Tolerance {
  /// The derived bound's tol; std::nullopt: defaultRelTolerance(dtype).
  std::optional<double> tol;
  /// Explicit absolute/relative tolerances (either set selects them; the
  /// other is then 0).
  std::optional<double> atol, rtol;

  bool isExplicit() const { return atol || rtol; }
};

/// The default tol of a result of `dtype`: a correctly rounded result of
/// f32 arithmetic, `kStorageUlps` unit roundoffs of the storage type plus
/// `kF32Ulps` of the f32 arithmetic behind it (icl accumulates in f32 or
/// wider whatever the storage type); 0 for integers.
double defaultRelTolerance(DType dtype);
inline constexpr double kStorageUlps = 2, kF32Ulps = 64;

/// What a comparison found.
struct Comparison {
  size_t elements = 0, beyond = 0;
  double maxAbsError = 0, maxRelError = 0;
  /// max |got − want| / bound over the elements (≤ 1: within); infinite
  /// where the bound is 0 and the values differ.
  double worstRatio = 0;
  /// The bound used, for messages: tol, or atol and rtol.
  double tol = 0, atol = 0, rtol = 0;
  bool explicitBounds = false;
  /// A result has a NaN where the reference has none.
  bool unexpectedNaN = false;

  bool within() const { return beyond == 0; }
  /// "max abs error 1e-07, max rel error 2e-06, 0 of 231 beyond tol 3.9e-06
  /// (worst 0.05 of the bound)".
  std::string describe() const;
};

/// Compares `got` with `want` element by element (same shape required: the
/// caller reports a mismatch). Infinities must match exactly; a NaN counts
/// as beyond unless the reference has a NaN there too.
Comparison compareArrays(const HostArray &got, const HostArray &want,
                         const Tolerance &tolerance);

} // namespace icl

#endif // ICL_LIB_SUPPORT_COMPARE_H
