//===- Regression.h - In-context regression tasks and their answers -*- C++ -*-===//
//
// Seeded linear-regression tasks (X, w*, x_q standard Gaussian,
// y = X w* + σ·noise), the prompts that carry them, and in double precision
// what a construction must predict: the closed-form iterate after each step
// (GD, PGD, ridge GD, Newton's M_k) and the iteration's limit (the
// least-squares solution, ridge-penalised for ridge).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_REGRESSION_H
#define ICL_FRONTENDS_CONSTRUCTIONS_REGRESSION_H

#include "frontends/constructions/Options.h"
#include "lib/Support/HostArray.h"

#include <optional>
#include <random>
#include <vector>

namespace icl::construct {

struct Tasks {
  int64_t count = 0, examples = 0, dim = 0, outDim = 0;
  /// [count, N, d], [count, N, o], [count, d], row-major.
  std::vector<double> x, y, query;
};

/// Tasks of `options`' sizes drawn in turn from `seed` (the same on every
/// platform: Box–Muller over std::mt19937_64), with noise of standard
/// deviation `noise` added to y: next(a) then next(b) gives the a + b tasks
/// drawTasks(a + b) gives, so a caller can hold one batch at a time.
class TaskStream {
public:
  TaskStream(const Options &options, uint64_t seed, double noise);
  /// The next `count` tasks.
  Tasks next(int64_t count);

private:
  /// A standard normal number.
  double normal();

  int64_t examples, dim, outDim;
  double noise;
  std::mt19937_64 rng;
  std::optional<double> spare;
};

/// The first `count` tasks of TaskStream(options, seed, noise).
Tasks drawTasks(const Options &options, int64_t count, uint64_t seed, double noise);

/// The prompts of tasks [first, first + batch) as f32 [batch, N+1, d+o].
HostArray promptOf(const Tasks &tasks, int64_t first, int64_t batch);

/// The closed-form predictions after 0..steps steps: [steps + 1][count·o].
std::vector<std::vector<double>> closedFormPredictions(const Options &options,
                                                       const Tasks &tasks, int64_t steps);

/// The predictions of the iteration's limit, [count·o]: the least-squares
/// solution (ridge: the ridge solution). nullopt where it is not unique
/// (N < d without a ridge penalty, or XᵀX singular).
std::optional<std::vector<double>> limitPredictions(const Options &options, const Tasks &tasks);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_REGRESSION_H
