//===- Verify.h - A construction's model against its closed form --*- C++ -*-===//
//
// Runs a compiled construction on seeded regression tasks (the caller
// compiles and runs it: this layer does not JIT) and compares, step by step,
// its predictions with the closed-form iterate computed in double and with
// the iteration's limit (least squares).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_VERIFY_H
#define ICL_FRONTENDS_CONSTRUCTIONS_VERIFY_H

#include "frontends/constructions/Options.h"
#include "lib/Support/HostArray.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <vector>

namespace icl::construct {

/// The default pass bound: every prediction within kRelativeBound·max(1,
/// |closed form|) of the closed-form iterate (float32 arithmetic, double
/// oracle). It holds for the sizes docs/constructions.md states; float32
/// sums over large N·d, and Newton on ill-conditioned S, need a larger one.
constexpr double kRelativeBound = 1e-5;

struct VerifyOptions {
  /// Tasks to draw (rounded up to a multiple of the model's batch).
  int64_t tasks = 256;
  uint64_t seed = 0;
  /// Standard deviation of the noise added to y.
  double noise = 0.0;
  /// The relative bound a prediction must meet (--bound).
  double bound = kRelativeBound;
};

/// Checks the settings alone: --tasks at least 1, --noise finite and at
/// least 0, --bound finite and above 0. The error names the flag.
llvm::Error checkSettings(const VerifyOptions &settings);

/// Checks that the tasks, rounded up to a multiple of the model's batch,
/// fit: T·(N+1)·C at most 2^31 numbers, as validate() bounds the stream.
llvm::Error checkTaskCount(const Options &options, const VerifyOptions &settings);

/// The largest errors at one step, over every task and output.
struct StepCheck {
  int64_t step = 0;
  /// max |model − closed form| (NaN if the model gave a NaN).
  double errClosedForm = 0.0;
  /// max |model − limit|, where the limit is unique.
  std::optional<double> errLeastSquares;
  bool ok = true;
};

struct Verification {
  Options options;
  VerifyOptions settings;
  /// Tasks checked, and calls of the model.
  int64_t tasks = 0, runs = 0;
  /// The steps the model's outputs showed, in order.
  std::vector<StepCheck> steps;
  /// Looped models with readouts: every row from K on held zeros.
  bool zeroRowsOk = true;
  bool ok = true;
};

/// Calls the compiled model on its arguments (the prompt, and K when
/// looped) and returns its results.
using RunModel =
    llvm::function_ref<llvm::Expected<std::vector<HostArray>>(llvm::ArrayRef<HostArray>)>;

/// Checks the model built from `options` through `run`: stacked models once
/// per batch of tasks, looped ones for every K in 0..options.steps. Every
/// step the outputs show is compared (result 0 at K; result 1's rows at
/// 1..K). Tasks are drawn one batch at a time. An error when the settings
/// fail checkSettings or checkTaskCount, or the model's results do not have
/// the shapes `options` gives them.
llvm::Expected<Verification> verifyModel(const Options &options, const VerifyOptions &settings,
                                         RunModel run);

/// One JSON line: the construction, its parameters, the errors per step
/// and "ok".
void printJson(const Verification &v, llvm::raw_ostream &os);

/// The plot-ready table: construction,step,err_closed_form,err_least_squares
/// (empty where there is no unique least-squares solution).
void printCsv(const Verification &v, llvm::raw_ostream &os);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_VERIFY_H
