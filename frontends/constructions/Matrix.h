//===- Matrix.h - Small dense matrices in double ------------------*- C++ -*-===//
//
// The constructions' weights and the closed-form iterates they are checked
// against: row-major double matrices with the few operations those need.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_MATRIX_H
#define ICL_FRONTENDS_CONSTRUCTIONS_MATRIX_H

#include <cstdint>
#include <optional>
#include <vector>

namespace icl::construct {

struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(int64_t rows, int64_t cols) : rows(rows), cols(cols), data(rows * cols, 0.0) {}

  double &at(int64_t r, int64_t c) { return data[r * cols + c]; }
  double at(int64_t r, int64_t c) const { return data[r * cols + c]; }

  /// Adds `scale`·I to the block starting at (row, col) of size n × n.
  void addIdentity(int64_t row, int64_t col, int64_t n, double scale);
};

/// a · b.
Matrix matmul(const Matrix &a, const Matrix &b);
/// aᵀ.
Matrix transpose(const Matrix &a);

/// Solves a · x = b (a square) by Gaussian elimination with partial
/// pivoting; nullopt when a pivot is at most `relativeTolerance` times the
/// largest entry of `a` (singular to that precision). `pivotColumn`, when
/// given, receives the column whose pivot failed.
std::optional<Matrix> solve(Matrix a, Matrix b, double relativeTolerance,
                            int64_t *pivotColumn = nullptr);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_MATRIX_H
