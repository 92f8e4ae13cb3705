//===- Options.h - What an in-context-learning construction builds -*- C++ -*-===//
//
// The parameters of the constructions of docs/constructions.md: transformers
// of linear self-attention layers that run an optimiser on the in-context
// regression task written in their prompt (gradient descent, preconditioned
// gradient descent, ridge-regularised gradient descent, Newton's iteration).
// The field names follow icl-construct's flags; so do the messages of
// validate(), which name the flag to change.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_OPTIONS_H
#define ICL_FRONTENDS_CONSTRUCTIONS_OPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace icl::construct {

/// The optimiser a construction runs.
enum class Kind { GD, PGD, Ridge, Newton };

/// "gd", "pgd", "ridge", "newton".
llvm::StringRef kindName(Kind kind);

/// Inverse of kindName.
std::optional<Kind> parseKind(llvm::StringRef name);

/// The largest sizes a construction is built with: beyond them the weights
/// or the prompt would not fit a process (and hostile flags must not make
/// the builder allocate terabytes).
constexpr int64_t kMaxDim = 1024;
constexpr int64_t kMaxExamples = 1 << 20;
constexpr int64_t kMaxStackedSteps = 4096;
constexpr int64_t kMaxPromptElements = int64_t(1) << 31;

struct Options {
  Kind kind = Kind::GD;
  /// d: the size of x.
  int64_t dim = 0;
  /// o: the size of y.
  int64_t outDim = 1;
  /// N: context examples in the prompt (the query comes after them).
  int64_t examples = 0;
  /// K: steps of the optimiser (stacked: layers; looped: the steps verify
  /// checks, the model taking K at run time).
  int64_t steps = 0;
  /// B: prompts per call.
  int64_t batch = 1;
  /// η (gd, pgd, ridge).
  double lr = 0.1;
  /// λ (ridge).
  double lambda = 0.0;
  /// Γ (pgd), row-major dim × dim.
  std::vector<double> preconditioner;
  /// α (newton): M_0 = αS. defaultAlpha(dim, examples) when unset.
  std::optional<double> alpha;
  /// One block with tied weights looped K times, K being argument 1.
  bool looped = false;
  /// M (looped with readouts): rows of the per-step result.
  int64_t maxSteps = 0;
  /// A second result holding the prediction after every step.
  bool readoutEveryLayer = false;
  /// Deliberately wrong: keys and values over all N + 1 tokens, the query
  /// included (for tests that must see the construction fail).
  bool includeQueryInKeys = false;

  /// The stream's width C.
  int64_t width() const;
  /// N + 1.
  int64_t tokens() const { return examples + 1; }
  /// α as given, or its default.
  double newtonAlpha() const;
  /// Rows of the per-step result: K stacked, M looped.
  int64_t readoutRows() const { return looped ? maxSteps : steps; }
};

/// `x` in the fewest significant digits that read back as the same double
/// (0.1, not 0.10000000000000001), as reports and JSON print parameters.
std::string formatNumber(double x);

/// The parameters only some constructions take.
enum class Parameter { LR, Lambda, Preconditioner, Alpha };

struct ParameterInfo {
  Parameter id;
  /// The flag without "--", also the key icl.construction and verify's JSON
  /// use ("lr").
  llvm::StringLiteral name;
  /// Its name in reports ("eta").
  llvm::StringLiteral symbol;
  /// The constructions that take it, for messages ("gd, pgd and ridge").
  llvm::StringLiteral takenBy;
};

/// Every such parameter, in the order flags are checked and printed: lr
/// (gd, pgd, ridge), lambda (ridge), preconditioner (pgd), alpha (newton).
llvm::ArrayRef<ParameterInfo> parameterTable();

/// Whether a construction of `kind` takes `parameter`.
bool takes(Kind kind, Parameter parameter);

/// The scalar parameters (all but Γ) `o`'s construction takes, in table
/// order, with their values (α: newtonAlpha()).
std::vector<std::pair<const ParameterInfo *, double>> scalarParameters(const Options &o);

/// Sets the scalar `parameter` of `o` to `value`.
void setScalarParameter(Options &o, Parameter parameter, double value);

/// Checks every parameter; the error says which flag is wrong and how to
/// mend it. `batchFlag` is the flag that set the batch B ("--batch", or
/// "--tasks" where verify builds one batch of all tasks).
llvm::Error validate(const Options &options, llvm::StringRef batchFlag = "--batch");

/// The default α of Newton's iteration for standard Gaussian x and N
/// examples: 1 / (1 + √(d/N) + √(2 ln(10⁴)/N))⁴. By the Davidson–Szarek bound
/// λ_max(XᵀX/N) stays below the square of that sum but with probability
/// 10⁻⁴, so α·λ_max² ≤ 1, half the limit 2 past which the iteration
/// diverges.
double defaultAlpha(int64_t dim, int64_t examples);

/// Checks a preconditioner Γ (row-major `dim` × `dim`): finite entries, not
/// singular to float32 precision (Gaussian elimination with partial
/// pivoting, a pivot below dim·ε_f32 times the largest entry counting as
/// zero). `name` (a file) starts every message.
llvm::Error checkPreconditioner(llvm::ArrayRef<double> gamma, int64_t dim,
                                llvm::StringRef name);

/// Γ from the .npy file at `path` (float32 or float64, shape [dim, dim]),
/// checked by checkPreconditioner.
llvm::Expected<std::vector<double>> readPreconditioner(llvm::StringRef path, int64_t dim);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_OPTIONS_H
