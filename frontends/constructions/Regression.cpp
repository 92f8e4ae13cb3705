//===- Regression.cpp - In-context regression tasks and their answers -----===//

#include "frontends/constructions/Regression.h"

#include "frontends/constructions/Matrix.h"

#include <cmath>

namespace icl::construct {

namespace {

/// One task's X [N, d], Y [N, o] and x_q [1, d].
struct Task {
  Matrix x, y, query;
};

Task taskOf(const Tasks &tasks, int64_t t) {
  int64_t n = tasks.examples, d = tasks.dim, o = tasks.outDim;
  Task task{Matrix(n, d), Matrix(n, o), Matrix(1, d)};
  std::copy_n(tasks.x.begin() + t * n * d, n * d, task.x.data.begin());
  std::copy_n(tasks.y.begin() + t * n * o, n * o, task.y.data.begin());
  std::copy_n(tasks.query.begin() + t * d, d, task.query.data.begin());
  return task;
}

/// S = XᵀX/N and Xᵀy/N, the normal equations' two sides.
std::pair<Matrix, Matrix> normalEquations(const Task &task) {
  Matrix xT = transpose(task.x);
  Matrix s = matmul(xT, task.x), b = matmul(xT, task.y);
  double n = double(task.x.rows);
  for (Matrix *m : {&s, &b})
    for (double &v : m->data)
      v /= n;
  return {std::move(s), std::move(b)};
}

/// Writes x_qᵀ W (W: [d, o]) as task t's predictions.
void storePrediction(const Task &task, const Matrix &w, int64_t t, std::vector<double> &out) {
  Matrix p = matmul(task.query, w);
  std::copy(p.data.begin(), p.data.end(), out.begin() + t * w.cols);
}

} // namespace

TaskStream::TaskStream(const Options &options, uint64_t seed, double noise)
    : examples(options.examples), dim(options.dim), outDim(options.outDim), noise(noise),
      rng(seed) {}

// Box–Muller over a generator whose output the C++ standard fixes
// (std::normal_distribution's is not).
double TaskStream::normal() {
  if (spare) {
    double z = *spare;
    spare.reset();
    return z;
  }
  // Uniform in (0, 1]: 53 random bits, shifted off zero.
  double u1 = (double(rng() >> 11) + 1.0) * 0x1p-53;
  double u2 = double(rng() >> 11) * 0x1p-53;
  double r = std::sqrt(-2.0 * std::log(u1)), angle = 2.0 * M_PI * u2;
  spare = r * std::sin(angle);
  return r * std::cos(angle);
}

Tasks TaskStream::next(int64_t count) {
  Tasks tasks;
  tasks.count = count;
  tasks.examples = examples;
  tasks.dim = dim;
  tasks.outDim = outDim;
  int64_t n = examples, d = dim, o = outDim;
  tasks.x.resize(count * n * d);
  tasks.y.resize(count * n * o);
  tasks.query.resize(count * d);
  for (int64_t t = 0; t < count; ++t) {
    Matrix w(d, o);
    for (double &v : w.data)
      v = normal();
    Matrix x(n, d);
    for (double &v : x.data)
      v = normal();
    Matrix y = matmul(x, w);
    for (double &v : y.data)
      v += noise * normal();
    for (int64_t i = 0; i < d; ++i)
      tasks.query[t * d + i] = normal();
    std::copy(x.data.begin(), x.data.end(), tasks.x.begin() + t * n * d);
    std::copy(y.data.begin(), y.data.end(), tasks.y.begin() + t * n * o);
  }
  return tasks;
}

Tasks drawTasks(const Options &options, int64_t count, uint64_t seed, double noise) {
  return TaskStream(options, seed, noise).next(count);
}

HostArray promptOf(const Tasks &tasks, int64_t first, int64_t batch) {
  int64_t n = tasks.examples, d = tasks.dim, o = tasks.outDim, c = d + o;
  std::vector<double> values(batch * (n + 1) * c, 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t t = first + b;
    double *prompt = values.data() + b * (n + 1) * c;
    for (int64_t j = 0; j < n; ++j) {
      std::copy_n(tasks.x.begin() + (t * n + j) * d, d, prompt + j * c);
      std::copy_n(tasks.y.begin() + (t * n + j) * o, o, prompt + j * c + d);
    }
    std::copy_n(tasks.query.begin() + t * d, d, prompt + n * c);
  }
  return HostArray::fromDouble(DType::F32, {batch, n + 1, c}, values);
}

std::vector<std::vector<double>> closedFormPredictions(const Options &options,
                                                       const Tasks &tasks, int64_t steps) {
  int64_t d = tasks.dim, o = tasks.outDim;
  double n = double(tasks.examples);
  std::vector<std::vector<double>> out(steps + 1, std::vector<double>(tasks.count * o));
  Matrix gamma(d, d);
  if (options.kind == Kind::PGD)
    gamma.data = options.preconditioner;
  double shrink = options.kind == Kind::Ridge ? 1.0 - options.lr * options.lambda : 1.0;
  for (int64_t t = 0; t < tasks.count; ++t) {
    Task task = taskOf(tasks, t);
    if (options.kind == Kind::Newton) {
      // M_0 = αS, M_{k+1} = 2M_k − M_k S M_k; prediction x_qᵀ M_k Xᵀy/N.
      auto [s, b] = normalEquations(task);
      Matrix m = s;
      for (double &v : m.data)
        v *= options.newtonAlpha();
      for (int64_t k = 0; k <= steps; ++k) {
        storePrediction(task, matmul(m, b), t, out[k]);
        Matrix msm = matmul(matmul(m, s), m);
        for (size_t i = 0; i < m.data.size(); ++i)
          m.data[i] = 2.0 * m.data[i] - msm.data[i];
      }
      continue;
    }
    // w ← (1 − ηλ) w − (η/N) Γ Xᵀ(Xw − y) from w = 0 (Γ = I but for pgd,
    // λ = 0 but for ridge).
    Matrix w(d, o);
    for (int64_t k = 0; k <= steps; ++k) {
      storePrediction(task, w, t, out[k]);
      Matrix residual = matmul(task.x, w);
      for (size_t i = 0; i < residual.data.size(); ++i)
        residual.data[i] -= task.y.data[i];
      Matrix grad = matmul(transpose(task.x), residual);
      if (options.kind == Kind::PGD)
        grad = matmul(gamma, grad);
      for (size_t i = 0; i < w.data.size(); ++i)
        w.data[i] = shrink * w.data[i] - options.lr / n * grad.data[i];
    }
  }
  return out;
}

std::optional<std::vector<double>> limitPredictions(const Options &options, const Tasks &tasks) {
  bool ridge = options.kind == Kind::Ridge && options.lambda > 0;
  if (!ridge && tasks.examples < tasks.dim)
    return std::nullopt;
  int64_t d = tasks.dim, o = tasks.outDim;
  std::vector<double> out(tasks.count * o);
  for (int64_t t = 0; t < tasks.count; ++t) {
    Task task = taskOf(tasks, t);
    // (XᵀX/N + λI) w = Xᵀy/N; λ = 0 gives least squares.
    auto [a, b] = normalEquations(task);
    if (ridge)
      a.addIdentity(0, 0, d, options.lambda);
    std::optional<Matrix> w = solve(a, b, 1e-12);
    if (!w)
      return std::nullopt;
    storePrediction(task, *w, t, out);
  }
  return out;
}

} // namespace icl::construct
