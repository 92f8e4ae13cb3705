//===- CompareTest.cpp - The error model of --check and --expect ----------===//
//
// The derived bound must pass correctly rounded results and fail the kinds of
// wrong kernel a test suite exists to catch: a tanh GELU for an erf one, an
// epsilon off by 10×, all-zero or uniform outputs.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/Compare.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace icl;

namespace {

HostArray fromValues(DType dtype, const std::vector<double> &values) {
  return HostArray::fromDouble(dtype, {static_cast<int64_t>(values.size())}, values);
}

std::vector<double> uniform(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<double> v(n);
  for (double &x : v)
    x = dist(rng);
  return v;
}

/// Compares `got` (rounded to `dtype`) with the float64 `want` under the
/// default bound.
Comparison check(DType dtype, const std::vector<double> &got, const std::vector<double> &want) {
  return compareArrays(fromValues(dtype, got), fromValues(DType::F64, want), Tolerance{});
}

TEST(CompareTest, UnitRoundoffs) {
  EXPECT_EQ(unitRoundoff(DType::BF16), 1.0 / 256);
  EXPECT_EQ(unitRoundoff(DType::F16), 1.0 / 2048);
  EXPECT_EQ(unitRoundoff(DType::F32), std::ldexp(1.0, -24));
  EXPECT_EQ(unitRoundoff(DType::I64), 0);
  EXPECT_NEAR(defaultRelTolerance(DType::F32), 66 * std::ldexp(1.0, -24), 1e-15);
}

TEST(CompareTest, CorrectlyRoundedResultsPass) {
  std::vector<double> want = uniform(4096, 1);
  for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
    Comparison c = check(dtype, want, want);
    EXPECT_TRUE(c.within()) << dtypeName(dtype).str() << ": " << c.describe();
    EXPECT_LE(c.worstRatio, 0.5) << dtypeName(dtype).str();
  }
}

TEST(CompareTest, TanhGeluFailsAnErfGeluInF32) {
  std::vector<double> x = uniform(231, 2), erf(x.size()), tanh(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    erf[i] = 0.5 * x[i] * (1 + std::erf(x[i] / std::sqrt(2.0)));
    tanh[i] = 0.5 * x[i] *
              (1 + std::tanh(std::sqrt(2 / M_PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
  }
  EXPECT_TRUE(check(DType::F32, erf, erf).within());
  EXPECT_FALSE(check(DType::F32, tanh, erf).within());
}

TEST(CompareTest, NormEpsilonOffByTenFails) {
  // rms_norm over 64 channels with eps 1e-5 against eps 1e-4 and eps 0.
  std::vector<double> x = uniform(64 * 16, 3);
  auto norm = [&](double eps) {
    std::vector<double> y(x.size());
    for (size_t r = 0; r < 16; ++r) {
      double ms = 0;
      for (size_t c = 0; c < 64; ++c)
        ms += x[r * 64 + c] * x[r * 64 + c] / 64;
      for (size_t c = 0; c < 64; ++c)
        y[r * 64 + c] = x[r * 64 + c] / std::sqrt(ms + eps);
    }
    return y;
  };
  std::vector<double> want = norm(1e-5);
  EXPECT_TRUE(check(DType::F32, want, want).within());
  EXPECT_FALSE(check(DType::F32, norm(1e-4), want).within());
  EXPECT_FALSE(check(DType::F32, norm(0), want).within());
}

TEST(CompareTest, ZeroSoftmaxFailsInBF16) {
  // A softmax over 1000 columns: outputs near 1e-3, all far below the old
  // absolute tolerance of 2e-2.
  std::vector<double> x = uniform(1000, 4), p(x.size());
  double sum = 0;
  for (double v : x)
    sum += std::exp(v);
  for (size_t i = 0; i < x.size(); ++i)
    p[i] = std::exp(x[i]) / sum;
  EXPECT_TRUE(check(DType::BF16, p, p).within());
  Comparison zeros = check(DType::BF16, std::vector<double>(p.size(), 0.0), p);
  EXPECT_EQ(zeros.beyond, p.size());
  Comparison uniformRows = check(DType::BF16, std::vector<double>(p.size(), 1e-3), p);
  EXPECT_FALSE(uniformRows.within());
}

TEST(CompareTest, NaNAndInfinities) {
  std::vector<double> want = {1, INFINITY, -INFINITY, 0.5};
  EXPECT_TRUE(check(DType::F32, want, want).within());
  Comparison nan = check(DType::F32, {1, INFINITY, -INFINITY, NAN}, want);
  EXPECT_EQ(nan.beyond, 1u);
  EXPECT_TRUE(nan.unexpectedNaN);
  EXPECT_EQ(check(DType::F32, {1, -INFINITY, -INFINITY, 0.5}, want).beyond, 1u);
  EXPECT_EQ(check(DType::F32, {1, 3e38, -INFINITY, 0.5}, want).beyond, 1u);
}

TEST(CompareTest, IntegersCompareExactly) {
  HostArray want = HostArray::fromInt64(DType::I64, {3}, {1, 2, 3});
  EXPECT_TRUE(compareArrays(want, want, Tolerance{}).within());
  HostArray got = HostArray::fromInt64(DType::I64, {3}, {1, 2, 4});
  EXPECT_EQ(compareArrays(got, want, Tolerance{}).beyond, 1u);
}

TEST(CompareTest, ExplicitBounds) {
  Tolerance t;
  t.atol = 0.1;
  EXPECT_TRUE(compareArrays(fromValues(DType::F32, {1.05}), fromValues(DType::F64, {1}), t).within());
  t.atol = 0.01;
  EXPECT_FALSE(compareArrays(fromValues(DType::F32, {1.05}), fromValues(DType::F64, {1}), t).within());
  t.rtol = 0.1;
  EXPECT_TRUE(compareArrays(fromValues(DType::F32, {1.05}), fromValues(DType::F64, {1}), t).within());
  Tolerance loose;
  loose.tol = 0.1;
  EXPECT_TRUE(check(DType::F32, {1.05}, {1}).beyond == 1);
  EXPECT_TRUE(compareArrays(fromValues(DType::F32, {1.05}), fromValues(DType::F64, {1}), loose).within());
}

} // namespace
