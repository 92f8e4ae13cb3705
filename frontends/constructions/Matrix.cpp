//===- Matrix.cpp - Small dense matrices in double ------------------------===//

#include "frontends/constructions/Matrix.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace icl::construct {

void Matrix::addIdentity(int64_t row, int64_t col, int64_t n, double scale) {
  for (int64_t i = 0; i < n; ++i)
    at(row + i, col + i) += scale;
}

Matrix matmul(const Matrix &a, const Matrix &b) {
  Matrix c(a.rows, b.cols);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t k = 0; k < a.cols; ++k) {
      double aik = a.at(i, k);
      for (int64_t j = 0; j < b.cols; ++j)
        c.at(i, j) += aik * b.at(k, j);
    }
  return c;
}

Matrix transpose(const Matrix &a) {
  Matrix t(a.cols, a.rows);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = 0; j < a.cols; ++j)
      t.at(j, i) = a.at(i, j);
  return t;
}

std::optional<Matrix> solve(Matrix a, Matrix b, double relativeTolerance, int64_t *pivotColumn) {
  int64_t n = a.rows;
  double largest = 0.0;
  for (double v : a.data)
    largest = std::max(largest, std::fabs(v));
  double tolerance = relativeTolerance * largest;
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::fabs(a.at(r, c)) > std::fabs(a.at(pivot, c)))
        pivot = r;
    if (!(std::fabs(a.at(pivot, c)) > tolerance)) {
      if (pivotColumn)
        *pivotColumn = c;
      return std::nullopt;
    }
    for (int64_t j = 0; j < n; ++j)
      std::swap(a.at(c, j), a.at(pivot, j));
    for (int64_t j = 0; j < b.cols; ++j)
      std::swap(b.at(c, j), b.at(pivot, j));
    for (int64_t r = c + 1; r < n; ++r) {
      double f = a.at(r, c) / a.at(c, c);
      for (int64_t j = c; j < n; ++j)
        a.at(r, j) -= f * a.at(c, j);
      for (int64_t j = 0; j < b.cols; ++j)
        b.at(r, j) -= f * b.at(c, j);
    }
  }
  for (int64_t c = n - 1; c >= 0; --c)
    for (int64_t j = 0; j < b.cols; ++j) {
      double s = b.at(c, j);
      for (int64_t k = c + 1; k < n; ++k)
        s -= a.at(c, k) * b.at(k, j);
      b.at(c, j) = s / a.at(c, c);
    }
  return b;
}

} // namespace icl::construct
