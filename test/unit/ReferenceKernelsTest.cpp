//===- ReferenceKernelsTest.cpp - Tests of the reference kernels ----------===//
//
// Hand-computed cases for every kernel (the arithmetic is in the comments),
// plus the identities of design/OPS.md: algorithms that must agree (chunked
// and sequential SSD, the three linear attention algorithms, split-KV and
// one-pass attention) and structural facts of token merging.
//
//===----------------------------------------------------------------------===//

#include "lib/Reference/Kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <type_traits>

using namespace icl::ref;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Relative tolerance for results that differ only in the order of double
/// arithmetic (double) or also in one rounding to float (float).
template <typename T>
constexpr double kTol = std::is_same_v<T, float> ? 1e-5 : 1e-10;

template <typename T>
Tensor<T> tensor(std::vector<int64_t> shape, const std::vector<double> &values) {
  Tensor<T> result(std::move(shape));
  EXPECT_EQ(result.numel(), static_cast<int64_t>(values.size())) << "test data size";
  std::transform(values.begin(), values.end(), result.data.begin(),
                 [](double value) { return static_cast<T>(value); });
  return result;
}

template <typename T>
Tensor<T> randomTensor(std::vector<int64_t> shape, std::mt19937 &rng, double lo = -1,
                       double hi = 1) {
  Tensor<T> result(std::move(shape));
  std::uniform_real_distribution<double> dist(lo, hi);
  for (T &value : result.data)
    value = static_cast<T>(dist(rng));
  return result;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text;
  for (int64_t d : shape)
    text += std::to_string(d) + " ";
  return "[" + text + "]";
}

/// |actual − expected| <= tol · max(1, |expected|) element-wise; NaN fails.
template <typename T>
::testing::AssertionResult allClose(const Tensor<T> &actual, const Tensor<T> &expected,
                                    double tol) {
  if (actual.shape != expected.shape)
    return ::testing::AssertionFailure()
           << "shape " << shapeString(actual.shape) << " != " << shapeString(expected.shape);
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    bool bothInfinite = std::isinf(a) && a == e;
    if (!bothInfinite && !(std::abs(a - e) <= tol * std::max(1.0, std::abs(e))))
      return ::testing::AssertionFailure() << "element " << i << ": " << a << " vs " << e;
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
::testing::AssertionResult allClose(const Tensor<T> &actual, std::vector<int64_t> shape,
                                    const std::vector<double> &expected, double tol) {
  return allClose(actual, tensor<T>(std::move(shape), expected), tol);
}

/// Elements [begin, end) of dimension `dim`.
template <typename T>
Tensor<T> slice(const Tensor<T> &x, int64_t dim, int64_t begin, int64_t end) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i)
    outer *= x.shape[i];
  for (int64_t i = dim + 1; i < x.rank(); ++i)
    inner *= x.shape[i];
  std::vector<int64_t> shape = x.shape;
  shape[dim] = end - begin;
  Tensor<T> result(shape);
  for (int64_t o = 0; o < outer; ++o)
    std::copy_n(x.data.begin() + (o * x.shape[dim] + begin) * inner, (end - begin) * inner,
                result.data.begin() + o * (end - begin) * inner);
  return result;
}

/// Stacks equally shaped tensors along a new leading dimension.
template <typename T>
Tensor<T> stack(const std::vector<Tensor<T>> &parts) {
  std::vector<int64_t> shape = parts.front().shape;
  shape.insert(shape.begin(), static_cast<int64_t>(parts.size()));
  Tensor<T> result;
  result.shape = shape;
  for (const Tensor<T> &part : parts)
    result.data.insert(result.data.end(), part.data.begin(), part.data.end());
  return result;
}

/// Repeats each of the `heads` slices along `dim` to give out-head h the
/// slice h / (outHeads / heads): the GQA / group mapping spelled out.
template <typename T>
Tensor<T> repeatHeads(const Tensor<T> &x, int64_t dim, int64_t outHeads) {
  int64_t heads = x.shape[dim];
  std::vector<Tensor<T>> parts;
  for (int64_t h = 0; h < outHeads; ++h)
    parts.push_back(slice(x, dim, h / (outHeads / heads), h / (outHeads / heads) + 1));
  // Concatenate the size-1 slices along `dim`.
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i)
    outer *= x.shape[i];
  for (int64_t i = dim + 1; i < x.rank(); ++i)
    inner *= x.shape[i];
  std::vector<int64_t> shape = x.shape;
  shape[dim] = outHeads;
  Tensor<T> result(shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t h = 0; h < outHeads; ++h)
      std::copy_n(parts[h].data.begin() + o * inner, inner,
                  result.data.begin() + (o * outHeads + h) * inner);
  return result;
}

template <typename T>
class ReferenceKernels : public ::testing::Test {};
using ElementTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ReferenceKernels, ElementTypes);

//===--- Dense building blocks -------------------------------------------===//

TEST(ReferenceKernelsActivate, HandValues) {
  EXPECT_EQ(activate(Activation::None, -2.5), -2.5);
  EXPECT_EQ(activate(Activation::Relu, -1.0), 0.0);
  EXPECT_EQ(activate(Activation::Relu, 2.0), 2.0);
  // gelu(1) = Φ(1) = 0.8413447460685429.
  EXPECT_NEAR(activate(Activation::Gelu, 1.0), 0.8413447460685429, 1e-15);
  // 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768.
  EXPECT_NEAR(activate(Activation::GeluTanh, 1.0), 0.8411919906082768, 1e-15);
  // 1 / (1 + e^{-1}) = 0.7310585786300049.
  EXPECT_NEAR(activate(Activation::Silu, 1.0), 0.7310585786300049, 1e-15);
  EXPECT_NEAR(activate(Activation::Softplus, 0.0), std::log(2.0), 1e-15);
  EXPECT_EQ(activate(Activation::Softplus, 30.0), 30.0);
  EXPECT_EQ(activate(Activation::Softplus, 1000.0), 1000.0);
  // log1p(e^{−30}) = e^{−30} − e^{−60}/2 = 9.3576229688397368e-14, not 0.
  EXPECT_NEAR(activate(Activation::Softplus, -30.0), 9.3576229688397368e-14, 1e-28);
  EXPECT_EQ(activate(Activation::Sigmoid, 0.0), 0.5);
  EXPECT_NEAR(activate(Activation::EluPlusOne, -1.0), 0.36787944117144233, 1e-15);
  EXPECT_EQ(activate(Activation::EluPlusOne, 2.0), 3.0);
}

TYPED_TEST(ReferenceKernels, ActivationTensor) {
  using T = TypeParam;
  Tensor<T> out;
  ASSERT_TRUE(activation<T>(tensor<T>({2, 2}, {-1, 0, 1, 2}), Activation::Relu, out).ok());
  EXPECT_TRUE(allClose(out, {2, 2}, {0, 0, 1, 2}, 0));
}

TYPED_TEST(ReferenceKernels, Embedding) {
  using T = TypeParam;
  Tensor<T> table = tensor<T>({3, 2}, {0, 1, 10, 11, 20, 21});
  Tensor<T> out;
  ASSERT_TRUE(embedding<T>(table, Tensor<int64_t>({1, 3}, {2, 0, 2}), out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 2}, {20, 21, 0, 1, 20, 21}, 0));

  for (int64_t badId : {int64_t{3}, int64_t{-1}}) {
    Status status = embedding<T>(table, Tensor<int64_t>({1, 2}, {0, badId}), out);
    EXPECT_FALSE(status.ok()) << "id " << badId;
    EXPECT_NE(status.message.find("outside [0, 3)"), std::string::npos) << status.message;
  }
}

TYPED_TEST(ReferenceKernels, Linear) {
  using T = TypeParam;
  // x = [1, 2]; rows of w pick x0, x1 and x0 + x1; plus b = [0.5, 0, -1].
  Tensor<T> x = tensor<T>({1, 2}, {1, 2});
  Tensor<T> w = tensor<T>({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor<T> b = tensor<T>({3}, {0.5, 0, -1});
  Tensor<T> out;
  ASSERT_TRUE(linear<T>(x, w, &b, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3}, {1.5, 2, 2}, 0));
  ASSERT_TRUE(linear<T>(x, w, nullptr, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3}, {1, 2, 3}, 0));
  EXPECT_FALSE(linear<T>(x, tensor<T>({2, 3}, {1, 2, 3, 4, 5, 6}), nullptr, out).ok());
}

TYPED_TEST(ReferenceKernels, LayerNorm) {
  using T = TypeParam;
  // x = [1, 2, 3]: mean 2, variance 2/3, (x − 2)/√(2/3) = [−1.2247…, 0, 1.2247…];
  // then γ = [1, 2, 1], β = [0, 1, 0].
  Tensor<T> x = tensor<T>({1, 3}, {1, 2, 3});
  Tensor<T> gamma = tensor<T>({3}, {1, 2, 1}), beta = tensor<T>({3}, {0, 1, 0});
  Tensor<T> out;
  ASSERT_TRUE(layerNorm<T>(x, &gamma, &beta, 0.0, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3}, {-1.224744871391589, 1, 1.224744871391589}, kTol<T>));
  // Without γ, β: the plain standardisation, row by row ([4, 6, 5] is [1, 3, 2] + 3).
  ASSERT_TRUE(layerNorm<T>(tensor<T>({2, 3}, {1, 2, 3, 4, 6, 5}), nullptr, nullptr, 0.0, out).ok());
  EXPECT_TRUE(
      allClose(out, {2, 3},
               {-1.224744871391589, 0, 1.224744871391589, -1.224744871391589, 1.224744871391589, 0},
               kTol<T>));
  Tensor<T> badGamma = tensor<T>({2}, {1, 1});
  EXPECT_FALSE(layerNorm<T>(x, &badGamma, nullptr, 0.0, out).ok());
}

TYPED_TEST(ReferenceKernels, RmsNorm) {
  using T = TypeParam;
  // x = [3, 4]: mean(x²) = 12.5, √12.5 = 3.5355339; x/3.5355339 = [0.8485…, 1.1313…],
  // times γ = [2, 1].
  Tensor<T> x = tensor<T>({2}, {3, 4});
  Tensor<T> gamma = tensor<T>({2}, {2, 1});
  Tensor<T> out;
  ASSERT_TRUE(rmsNorm<T>(x, &gamma, 0.0, out).ok());
  EXPECT_TRUE(allClose(out, {2}, {1.697056274847714, 1.131370849898476}, kTol<T>));
  // eps = 3.5: √(12.5 + 3.5) = 4.
  ASSERT_TRUE(rmsNorm<T>(x, nullptr, 3.5, out).ok());
  EXPECT_TRUE(allClose(out, {2}, {0.75, 1.0}, kTol<T>));
}

TYPED_TEST(ReferenceKernels, GatedRmsNorm) {
  using T = TypeParam;
  // z = 1 everywhere multiplies y by silu(1), which the RMS normalisation
  // divides out again: out = y / rms(y) per group.
  Tensor<T> y = tensor<T>({1, 4}, {1, 2, 3, 4});
  Tensor<T> z = tensor<T>({1, 4}, {1, 1, 1, 1});
  Tensor<T> out;
  // Groups of 2: rms([1,2]) = √2.5, rms([3,4]) = √12.5.
  ASSERT_TRUE(gatedRmsNorm<T>(y, z, nullptr, 0.0, 2, out).ok());
  EXPECT_TRUE(allClose(
      out, {1, 4}, {0.6324555320336759, 1.2649110640673518, 0.848528137423857, 1.131370849898476},
      kTol<T>));
  // γ indexes channels, not positions within a group: doubling channel 3.
  Tensor<T> gamma = tensor<T>({4}, {1, 1, 1, 2});
  ASSERT_TRUE(gatedRmsNorm<T>(y, z, &gamma, 0.0, 2, out).ok());
  EXPECT_TRUE(allClose(
      out, {1, 4}, {0.6324555320336759, 1.2649110640673518, 0.848528137423857, 2.262741699796952},
      kTol<T>));
  // One group: rms([1,2,3,4]) = √7.5.
  ASSERT_TRUE(gatedRmsNorm<T>(y, z, &gamma, 0.0, 0, out).ok());
  EXPECT_TRUE(allClose(
      out, {1, 4}, {0.3651483716701107, 0.7302967433402214, 1.0954451150103321, 2.9211869733608858},
      kTol<T>));
  // z = 0 gates everything off: 0 / √eps = 0.
  ASSERT_TRUE(gatedRmsNorm<T>(y, tensor<T>({1, 4}, {0, 0, 0, 0}), nullptr, 1e-5, 2, out).ok());
  EXPECT_TRUE(allClose(out, {1, 4}, {0, 0, 0, 0}, 0));
  EXPECT_FALSE(gatedRmsNorm<T>(y, z, nullptr, 0.0, 3, out).ok());
}

TYPED_TEST(ReferenceKernels, Softmax) {
  using T = TypeParam;
  const double ln2 = std::log(2.0), ln3 = std::log(3.0);
  Tensor<T> out;
  // softmax<T>([0, ln2, ln3]) = [1, 2, 3] / 6.
  ASSERT_TRUE(softmax<T>(tensor<T>({3}, {0, ln2, ln3}), -1, out).ok());
  EXPECT_TRUE(allClose(out, {3}, {1.0 / 6, 2.0 / 6, 3.0 / 6}, kTol<T>));
  // Along axis 0 of [[0, 0, ln3], [ln3, 0, 0]]: columns [1,3]/4, [1,1]/2, [3,1]/4.
  ASSERT_TRUE(softmax<T>(tensor<T>({2, 3}, {0, 0, ln3, ln3, 0, 0}), 0, out).ok());
  EXPECT_TRUE(allClose(out, {2, 3}, {0.25, 0.5, 0.75, 0.75, 0.5, 0.25}, kTol<T>));
  // Large logits do not overflow; an all −inf row gives zeros.
  ASSERT_TRUE(softmax<T>(tensor<T>({2, 2}, {1000, 1000, -kInf, -kInf}), 1, out).ok());
  EXPECT_TRUE(allClose(out, {2, 2}, {0.5, 0.5, 0, 0}, kTol<T>));
}

TYPED_TEST(ReferenceKernels, Rope) {
  using T = TypeParam;
  // x = [1, 2, 3, 4] at position 1, base 10000, rotary dim 4:
  // frequencies f0 = 1, f1 = 10000^{−1/2} = 0.01.
  Tensor<T> x = tensor<T>({1, 1, 1, 4}, {1, 2, 3, 4});
  Tensor<int64_t> pos({1}, {1});
  const double c1 = std::cos(1.0), s1 = std::sin(1.0);
  const double c2 = std::cos(0.01), s2 = std::sin(0.01);
  Tensor<T> out;
  // Half: pairs (x0, x2) at angle 1 and (x1, x3) at angle 0.01.
  ASSERT_TRUE(rope<T>(x, pos, 10000.0, 4, RopeStyle::Half, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 4},
                       {1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2},
                       kTol<T>));
  // Interleaved: pairs (x0, x1) at angle 1 and (x2, x3) at angle 0.01.
  ASSERT_TRUE(rope<T>(x, pos, 10000.0, 4, RopeStyle::Interleaved, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 4},
                       {1 * c1 - 2 * s1, 2 * c1 + 1 * s1, 3 * c2 - 4 * s2, 4 * c2 + 3 * s2},
                       kTol<T>));
  // Rotary dim 2 (f0 = 1 only): channels 2 and 3 pass through.
  ASSERT_TRUE(rope<T>(x, pos, 10000.0, 2, RopeStyle::Half, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 4}, {1 * c1 - 2 * s1, 2 * c1 + 1 * s1, 3, 4}, kTol<T>));
  // Per-batch positions [B, T]; position 0 is the identity.
  ASSERT_TRUE(rope<T>(x, Tensor<int64_t>({1, 1}, {0}), 10000.0, 4, RopeStyle::Half, out).ok());
  EXPECT_TRUE(allClose(out, x, 0));
  EXPECT_FALSE(rope<T>(x, pos, 10000.0, 3, RopeStyle::Half, out).ok());
  EXPECT_FALSE(rope<T>(x, Tensor<int64_t>({2}, {0, 1}), 10000.0, 4, RopeStyle::Half, out).ok());
}

TYPED_TEST(ReferenceKernels, CausalConv1d) {
  using T = TypeParam;
  // W = 2: y_t = w0·x_{t−1} + w1·x_t = x_{t−1} + 10·x_t, x_{−1} = 0.
  Tensor<T> x = tensor<T>({1, 1, 4}, {1, 2, 3, 4});
  Tensor<T> w = tensor<T>({1, 2}, {1, 10});
  Tensor<T> out;
  ASSERT_TRUE(causalConv1d<T>(x, w, nullptr, Activation::None, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 4}, {10, 21, 32, 43}, 0));
  // Bias −25 then ReLU.
  Tensor<T> bias = tensor<T>({1}, {-25});
  ASSERT_TRUE(causalConv1d<T>(x, w, &bias, Activation::Relu, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 4}, {0, 0, 7, 18}, 0));
}

//===--- Attention -------------------------------------------------------===//

TYPED_TEST(ReferenceKernels, AttentionTwoTokens) {
  using T = TypeParam;
  const double ln3 = std::log(3.0);
  AttentionOptions opts;
  opts.scale = 1;
  Tensor<T> out;
  // One query q = 1 against keys [0, ln3]: logits [0, ln3], weights [1/4, 3/4],
  // values [4, 8] -> 1 + 6 = 7.
  Tensor<T> q = tensor<T>({1, 1, 1, 1}, {1});
  Tensor<T> k = tensor<T>({1, 1, 2, 1}, {0, ln3});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {4, 8});
  ASSERT_TRUE(attention<T>(q, k, v, nullptr, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {7}, kTol<T>));

  // Default scale 1/√D with D = 4: q = 1s, k1 = (ln3/2)·1s gives logit
  // (1/2)·4·(ln3/2) = ln3 again.
  Tensor<T> q4 = tensor<T>({1, 1, 1, 4}, {1, 1, 1, 1});
  Tensor<T> k4 = tensor<T>({1, 1, 2, 4}, {0, 0, 0, 0, ln3 / 2, ln3 / 2, ln3 / 2, ln3 / 2});
  ASSERT_TRUE(attention<T>(q4, k4, v, nullptr, nullptr, AttentionOptions(), out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {7}, kTol<T>));

  // Key sizes [1, 3] on zero logits: weights [1/4, 3/4] -> 7.
  Tensor<T> zeroK = tensor<T>({1, 1, 2, 1}, {0, 0});
  Tensor<T> sizes = tensor<T>({1, 2}, {1, 3});
  ASSERT_TRUE(attention<T>(q, zeroK, v, nullptr, &sizes, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {7}, kTol<T>));

  // An additive mask [Skv] = [0, −inf] broadcasts to every row: only v0.
  Tensor<T> mask = tensor<T>({2}, {0, -kInf});
  ASSERT_TRUE(attention<T>(q, k, v, &mask, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {4}, kTol<T>));
}

TYPED_TEST(ReferenceKernels, AttentionMasks) {
  using T = TypeParam;
  const double ln3 = std::log(3.0);
  AttentionOptions opts;
  opts.scale = 1;
  Tensor<T> out;
  // Two queries [1, 1], keys [0, ln3], values [4, 8].
  Tensor<T> q = tensor<T>({1, 1, 2, 1}, {1, 1});
  Tensor<T> k = tensor<T>({1, 1, 2, 1}, {0, ln3});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {4, 8});
  // Causal: query 0 sees key 0 only (4); query 1 both (7).
  opts.maskKind = MaskKind::Causal;
  ASSERT_TRUE(attention<T>(q, k, v, nullptr, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {4, 7}, kTol<T>));
  // Sliding window 1: each query sees only its own key.
  opts.maskKind = MaskKind::SlidingWindow;
  opts.window = 1;
  ASSERT_TRUE(attention<T>(q, k, v, nullptr, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {4, 8}, kTol<T>));
  // Causal aligned to the end: one decode query sees the whole cache (7).
  opts.maskKind = MaskKind::Causal;
  ASSERT_TRUE(attention<T>(tensor<T>({1, 1, 1, 1}, {1}), k, v, nullptr, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {7}, kTol<T>));
  // Two queries, one key: query 0 sits before the cache start, sees nothing
  // and gives 0 (not NaN); query 1 sees key 0.
  ASSERT_TRUE(
      attention<T>(q, slice(k, 2, 0, 1), slice(v, 2, 0, 1), nullptr, nullptr, opts, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {0, 4}, 0));
}

TYPED_TEST(ReferenceKernels, AttentionFullyMaskedRowIsZero) {
  using T = TypeParam;
  std::mt19937 rng(1);
  Tensor<T> q = randomTensor<T>({1, 2, 3, 4}, rng), k = randomTensor<T>({1, 2, 5, 4}, rng);
  Tensor<T> v = randomTensor<T>({1, 2, 5, 3}, rng);
  // Mask [Sq, Skv] with row 1 all −inf; rows 0 and 2 open.
  Tensor<T> mask({3, 5}, T(0));
  for (int64_t j = 0; j < 5; ++j)
    mask.data[5 + j] = -std::numeric_limits<T>::infinity();
  Tensor<T> out;
  ASSERT_TRUE(attention<T>(q, k, v, &mask, nullptr, AttentionOptions(), out).ok());
  for (int64_t h = 0; h < 2; ++h) {
    for (int64_t d = 0; d < 3; ++d) {
      EXPECT_EQ(out.data[(h * 3 + 1) * 3 + d], T(0));
      EXPECT_NE(out.data[(h * 3 + 0) * 3 + d], T(0));
    }
  }
  // A key size of 0 masks its key too: all zero sizes give zeros.
  Tensor<T> zeroSizes({1, 5}, T(0));
  ASSERT_TRUE(attention<T>(q, k, v, nullptr, &zeroSizes, AttentionOptions(), out).ok());
  EXPECT_TRUE(allClose(out, Tensor<T>({1, 2, 3, 3}, T(0)), 0));
}

TYPED_TEST(ReferenceKernels, AttentionMaskBroadcasts) {
  using T = TypeParam;
  constexpr int64_t batch = 2, heads = 3, queries = 4, keys = 5;
  std::mt19937 rng(10);
  Tensor<T> q = randomTensor<T>({batch, heads, queries, 2}, rng);
  Tensor<T> k = randomTensor<T>({batch, heads, keys, 2}, rng);
  Tensor<T> v = randomTensor<T>({batch, heads, keys, 2}, rng);
  // Each mask against its explicit expansion to [B, Hq, Sq, Skv]; size-1
  // dimensions, missing leading dimensions and a full-rank mask.
  for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{
           {heads, 1, keys}, {batch, 1, queries, 1}, {1, heads, queries, keys}, {keys}}) {
    Tensor<T> mask = randomTensor<T>(shape, rng, -3, 0);
    shape.insert(shape.begin(), 4 - shape.size(), 1);
    Tensor<T> full({batch, heads, queries, keys});
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < queries; ++i)
          for (int64_t j = 0; j < keys; ++j) {
            int64_t at[] = {b, h, i, j}, flat = 0;
            for (int d = 0; d < 4; ++d)
              flat = flat * shape[d] + (shape[d] == 1 ? 0 : at[d]);
            full.data[((b * heads + h) * queries + i) * keys + j] = mask.data[flat];
          }
    Tensor<T> expected, out;
    ASSERT_TRUE(attention<T>(q, k, v, &full, nullptr, AttentionOptions(), expected).ok());
    ASSERT_TRUE(attention<T>(q, k, v, &mask, nullptr, AttentionOptions(), out).ok());
    EXPECT_TRUE(allClose(out, expected, kTol<T>)) << "mask " << shapeString(mask.shape);
  }
}

TYPED_TEST(ReferenceKernels, AttentionGqaMatchesRepeatedHeads) {
  using T = TypeParam;
  std::mt19937 rng(2);
  Tensor<T> q = randomTensor<T>({2, 4, 3, 5}, rng), k = randomTensor<T>({2, 2, 6, 5}, rng);
  Tensor<T> v = randomTensor<T>({2, 2, 6, 3}, rng);
  AttentionOptions opts;
  opts.maskKind = MaskKind::Causal;
  Tensor<T> gqa, mha;
  ASSERT_TRUE(attention<T>(q, k, v, nullptr, nullptr, opts, gqa).ok());
  // Query heads 0, 1 read kv head 0; heads 2, 3 read kv head 1.
  ASSERT_TRUE(
      attention<T>(q, repeatHeads(k, 1, 4), repeatHeads(v, 1, 4), nullptr, nullptr, opts, mha)
          .ok());
  EXPECT_TRUE(allClose(gqa, mha, kTol<T>));
  // MQA: one kv head for all four.
  Tensor<T> k1 = slice(k, 1, 0, 1), v1 = slice(v, 1, 0, 1);
  ASSERT_TRUE(attention<T>(q, k1, v1, nullptr, nullptr, opts, gqa).ok());
  ASSERT_TRUE(
      attention<T>(q, repeatHeads(k1, 1, 4), repeatHeads(v1, 1, 4), nullptr, nullptr, opts, mha)
          .ok());
  EXPECT_TRUE(allClose(gqa, mha, kTol<T>));
}

TYPED_TEST(ReferenceKernels, AttentionShapeErrors) {
  using T = TypeParam;
  Tensor<T> out;
  Tensor<T> q({1, 3, 2, 4}), k({1, 2, 5, 4}), v({1, 2, 5, 4});
  Status status = attention<T>(q, k, v, nullptr, nullptr, AttentionOptions(), out);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message.find("not a multiple"), std::string::npos) << status.message;
  Tensor<T> q2({1, 2, 2, 3});
  EXPECT_FALSE(attention<T>(q2, k, v, nullptr, nullptr, AttentionOptions(), out).ok());
  Tensor<T> q3({1, 2, 2, 4}), badMask({3, 5});
  EXPECT_TRUE(attention<T>(q3, k, v, nullptr, nullptr, AttentionOptions(), out).ok());
  EXPECT_FALSE(attention<T>(q3, k, v, &badMask, nullptr, AttentionOptions(), out).ok());
  Tensor<T> badSizes({1, 4});
  EXPECT_FALSE(attention<T>(q3, k, v, nullptr, &badSizes, AttentionOptions(), out).ok());
  Tensor<T> o, m, l;
  EXPECT_FALSE(
      attentionPartial<T>(q3, k, v, nullptr, nullptr, AttentionOptions(), 4, 8, o, m, l).ok());
}

TYPED_TEST(ReferenceKernels, AttentionCombineHand) {
  using T = TypeParam;
  const double ln2 = std::log(2.0);
  // Split 1: m = ln2, l = 1, o = 3 (mean value 3, mass e^{ln2}·1 = 2).
  // Split 2: m = 0, l = 2, o = 10 (mean value 5, mass 2).
  // m = ln2, l = 1 + ½·2 = 2, o = 3 + ½·10 = 8, out = 4 = (3 + 5)/2.
  // Row 2: both splits fully masked -> 0.
  Tensor<T> m = tensor<T>({2, 2}, {ln2, -kInf, 0, -kInf});
  Tensor<T> l = tensor<T>({2, 2}, {1, 0, 2, 0});
  Tensor<T> o = tensor<T>({2, 2, 1}, {3, 0, 10, 0});
  Tensor<T> out;
  ASSERT_TRUE(attentionCombine<T>(o, m, l, out).ok());
  EXPECT_TRUE(allClose(out, {2, 1}, {4, 0}, kTol<T>));
  EXPECT_FALSE(attentionCombine<T>(o, m, Tensor<T>({2, 3}), out).ok());
}

struct SplitCase {
  MaskKind kind;
  int64_t window;
  int64_t queries;
  bool extras; ///< With an additive mask and key sizes.
};

TYPED_TEST(ReferenceKernels, SplitKvCombineEqualsOnePass) {
  using T = TypeParam;
  constexpr int64_t batch = 2, qHeads = 4, kvHeads = 2, keys = 11, dim = 3, vdim = 2;
  const std::vector<SplitCase> cases = {
      {MaskKind::None, 0, 3, false},         {MaskKind::Causal, 0, 1, false}, // decode
      {MaskKind::Causal, 0, 4, true},        // [8, 11) hidden from query 0
      {MaskKind::SlidingWindow, 3, 4, true}, // [0, 3) hidden from every query
      {MaskKind::Causal, 0, 13, false},      // queries 0 and 1 see no key at all
  };
  const std::vector<std::vector<int64_t>> splits = {{0, 11},          {0, 5, 11},    {0, 1, 2, 11},
                                                    {0, 3, 7, 8, 11}, {0, 4, 4, 11}, {0, 10, 11}};
  std::mt19937 rng(3);
  for (const SplitCase &c : cases) {
    Tensor<T> q = randomTensor<T>({batch, qHeads, c.queries, dim}, rng, -2, 2);
    Tensor<T> k = randomTensor<T>({batch, kvHeads, keys, dim}, rng, -2, 2);
    Tensor<T> v = randomTensor<T>({batch, kvHeads, keys, vdim}, rng);
    Tensor<T> mask = randomTensor<T>({qHeads, c.queries, keys}, rng);
    Tensor<T> sizes = randomTensor<T>({batch, keys}, rng, 0.5, 3);
    AttentionOptions opts;
    opts.maskKind = c.kind;
    opts.window = c.window;
    Tensor<T> expected;
    ASSERT_TRUE(attention<T>(q, k, v, c.extras ? &mask : nullptr, c.extras ? &sizes : nullptr, opts,
                             expected)
                    .ok());
    for (const std::vector<int64_t> &split : splits) {
      std::vector<Tensor<T>> os, ms, ls;
      for (size_t i = 0; i + 1 < split.size(); ++i) {
        Tensor<T> maskChunk = slice(mask, 2, split[i], split[i + 1]);
        Tensor<T> sizesChunk = slice(sizes, 1, split[i], split[i + 1]);
        Tensor<T> o, m, l;
        ASSERT_TRUE(attentionPartial<T>(
                        q, slice(k, 2, split[i], split[i + 1]), slice(v, 2, split[i], split[i + 1]),
                        c.extras ? &maskChunk : nullptr, c.extras ? &sizesChunk : nullptr, opts,
                        split[i], keys, o, m, l)
                        .ok());
        os.push_back(o);
        ms.push_back(m);
        ls.push_back(l);
      }
      Tensor<T> combined;
      ASSERT_TRUE(attentionCombine<T>(stack(os), stack(ms), stack(ls), combined).ok());
      EXPECT_TRUE(allClose(combined, expected, kTol<T>))
          << "mask kind " << static_cast<int>(c.kind) << ", Sq " << c.queries << ", "
          << split.size() - 1 << " splits starting " << split[1];
    }
  }
}

TYPED_TEST(ReferenceKernels, AttentionPartialHand) {
  using T = TypeParam;
  const double ln3 = std::log(3.0);
  AttentionOptions opts;
  opts.scale = 1;
  opts.maskKind = MaskKind::Causal;
  // Keys 2 and 3 of a 4-key cache, logits [0, ln3], values [4, 8]. Two
  // queries at positions 2 and 3: the first sees key 2 only (m = 0, l = 1,
  // o = 4), the second both (m = ln3, l = 1/3 + 1 = 4/3, o = 4/3 + 8 = 28/3).
  Tensor<T> q = tensor<T>({1, 1, 2, 1}, {1, 1});
  Tensor<T> k = tensor<T>({1, 1, 2, 1}, {0, ln3});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {4, 8});
  Tensor<T> o, m, l;
  ASSERT_TRUE(attentionPartial<T>(q, k, v, nullptr, nullptr, opts, 2, 4, o, m, l).ok());
  EXPECT_TRUE(allClose(m, {1, 1, 2}, {0, ln3}, kTol<T>));
  EXPECT_TRUE(allClose(l, {1, 1, 2}, {1, 4.0 / 3}, kTol<T>));
  EXPECT_TRUE(allClose(o, {1, 1, 2, 1}, {4, 28.0 / 3}, kTol<T>));
  // Key ln3 alone as position 5 of a 6-key cache: the query at position 4
  // sees nothing (m = −inf, l = 0, o = 0), the one at 5 sees it (m = ln3,
  // l = 1, o = 8).
  ASSERT_TRUE(attentionPartial<T>(q, slice(k, 2, 1, 2), slice(v, 2, 1, 2), nullptr, nullptr, opts,
                                  5, 6, o, m, l)
                  .ok());
  EXPECT_TRUE(allClose(m, {1, 1, 2}, {-kInf, ln3}, kTol<T>));
  EXPECT_TRUE(allClose(l, {1, 1, 2}, {0, 1}, kTol<T>));
  EXPECT_TRUE(allClose(o, {1, 1, 2, 1}, {0, 8}, kTol<T>));
}

//===--- Linear attention ------------------------------------------------===//

const LinearAttentionAlgorithm kAlgorithms[] = {LinearAttentionAlgorithm::Recurrent,
                                                LinearAttentionAlgorithm::Parallel,
                                                LinearAttentionAlgorithm::Chunked};

TYPED_TEST(ReferenceKernels, LinearAttentionHand) {
  using T = TypeParam;
  // T = 2, K = V = 1: q = [1, 2], k = [1, 3], v = [5, 7].
  Tensor<T> q = tensor<T>({1, 1, 2, 1}, {1, 2});
  Tensor<T> k = tensor<T>({1, 1, 2, 1}, {1, 3});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {5, 7});
  Tensor<T> halfDecay = tensor<T>({1, 1, 2}, {std::log(0.5), std::log(0.5)});
  Tensor<T> initial = tensor<T>({1, 1, 1, 1}, {2});
  for (LinearAttentionAlgorithm algorithm : kAlgorithms) {
    SCOPED_TRACE(static_cast<int>(algorithm));
    LinearAttentionOptions opts;
    opts.algorithm = algorithm;
    opts.chunkSize = 1;
    Tensor<T> out, state;
    // No decay: S1 = 5, o1 = 5; S2 = 5 + 21 = 26, o2 = 2·26 = 52.
    ASSERT_TRUE(linearAttention<T>(q, k, v, nullptr, nullptr, opts, out, &state).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {5, 52}, kTol<T>));
    EXPECT_TRUE(allClose(state, {1, 1, 1, 1}, {26}, kTol<T>));
    // α = 1/2: S1 = 5, o1 = 5; S2 = 2.5 + 21 = 23.5, o2 = 47.
    ASSERT_TRUE(linearAttention<T>(q, k, v, &halfDecay, nullptr, opts, out, &state).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {5, 47}, kTol<T>));
    EXPECT_TRUE(allClose(state, {1, 1, 1, 1}, {23.5}, kTol<T>));
    // Per-channel decay of the same value (K = 1) is the same.
    Tensor<T> channelDecay = halfDecay;
    channelDecay.shape.push_back(1);
    ASSERT_TRUE(linearAttention<T>(q, k, v, &channelDecay, nullptr, opts, out, nullptr).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {5, 47}, kTol<T>));
    // Initial state S0 = 2: S1 = 1 + 5 = 6, o1 = 6; S2 = 3 + 21 = 24, o2 = 48.
    ASSERT_TRUE(linearAttention<T>(q, k, v, &halfDecay, &initial, opts, out, &state).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {6, 48}, kTol<T>));
    EXPECT_TRUE(allClose(state, {1, 1, 1, 1}, {24}, kTol<T>));
    // Normalised, eps = 0: z1 = 1, o1 = 5/1; z2 = 0.5 + 3 = 3.5, o2 = 47/(2·3.5).
    opts.normalize = true;
    opts.eps = 0;
    ASSERT_TRUE(linearAttention<T>(q, k, v, &halfDecay, nullptr, opts, out, nullptr).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {5, 47.0 / 7}, kTol<T>));
  }
}

TYPED_TEST(ReferenceKernels, LinearAttentionPerChannelDecayHand) {
  using T = TypeParam;
  // K = 2, V = 1: k1 = [1, 1], v1 = 4; k2 = 0; q = [1, 2] both steps.
  // S1 = [4, 4], o1 = 4 + 8 = 12. Per-channel α2 = [1/2, 1/4]: S2 = [2, 1],
  // o2 = 2 + 2 = 4. Scalar α2 = 1/2: S2 = [2, 2], o2 = 6.
  Tensor<T> q = tensor<T>({1, 1, 2, 2}, {1, 2, 1, 2});
  Tensor<T> k = tensor<T>({1, 1, 2, 2}, {1, 1, 0, 0});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {4, 0});
  Tensor<T> channelDecay = tensor<T>({1, 1, 2, 2}, {0, 0, std::log(0.5), std::log(0.25)});
  Tensor<T> scalarDecay = tensor<T>({1, 1, 2}, {0, std::log(0.5)});
  for (LinearAttentionAlgorithm algorithm : kAlgorithms) {
    LinearAttentionOptions opts;
    opts.algorithm = algorithm;
    opts.chunkSize = 1;
    Tensor<T> out, state;
    ASSERT_TRUE(linearAttention<T>(q, k, v, &channelDecay, nullptr, opts, out, &state).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {12, 4}, kTol<T>));
    EXPECT_TRUE(allClose(state, {1, 1, 2, 1}, {2, 1}, kTol<T>));
    ASSERT_TRUE(linearAttention<T>(q, k, v, &scalarDecay, nullptr, opts, out, &state).ok());
    EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {12, 6}, kTol<T>));
  }
}

TYPED_TEST(ReferenceKernels, LinearAttentionMatchesQuadraticForm) {
  using T = TypeParam;
  constexpr int64_t heads = 2, steps = 6, keyDim = 3, valueDim = 2;
  std::mt19937 rng(11);
  Tensor<T> q = randomTensor<T>({1, heads, steps, keyDim}, rng);
  Tensor<T> k = randomTensor<T>({1, heads, steps, keyDim}, rng);
  Tensor<T> v = randomTensor<T>({1, heads, steps, valueDim}, rng);
  Tensor<T> initial = randomTensor<T>({1, heads, keyDim, valueDim}, rng);
  Tensor<T> scalarDecay = randomTensor<T>({1, heads, steps}, rng, -1, 0);
  Tensor<T> channelDecay = randomTensor<T>({1, heads, steps, keyDim}, rng, -1, 0);
  auto phi = [](double x) { return x > 0 ? x + 1 : std::exp(x); };
  for (const Tensor<T> *decay : {&scalarDecay, &channelDecay}) {
    LinearAttentionOptions opts;
    opts.featureMap = FeatureMap::EluPlusOne;
    opts.scale = 0.5;
    opts.normalize = true;
    auto g = [&](int64_t h, int64_t t, int64_t c) -> double {
      return decay->rank() == 3 ? decay->data[h * steps + t]
                                : decay->data[(h * steps + t) * keyDim + c];
    };
    // o_i = (Σ_c φ(q_i)_c·(Σ_{j≤i} e^{Σ_{s=j+1..i} g_s,c}·φ(k_j)_c·v_j
    //                      + e^{Σ_{s≤i} g_s,c}·S0[c,:]))
    //       / (Σ_c φ(q_i)_c·Σ_{j≤i} e^{Σ_{s=j+1..i} g_s,c}·φ(k_j)_c + eps).
    Tensor<T> expected({1, heads, steps, valueDim});
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t i = 0; i < steps; ++i) {
        std::vector<double> num(valueDim, 0.0);
        double den = 0;
        for (int64_t c = 0; c < keyDim; ++c) {
          double qc = phi(opts.scale * q.data[(h * steps + i) * keyDim + c]);
          for (int64_t j = 0; j <= i; ++j) {
            double decaySum = 0;
            for (int64_t s = j + 1; s <= i; ++s)
              decaySum += g(h, s, c);
            double w = qc * std::exp(decaySum) * phi(k.data[(h * steps + j) * keyDim + c]);
            den += w;
            for (int64_t e = 0; e < valueDim; ++e)
              num[e] += w * v.data[(h * steps + j) * valueDim + e];
          }
          double fromStart = 0;
          for (int64_t s = 0; s <= i; ++s)
            fromStart += g(h, s, c);
          for (int64_t e = 0; e < valueDim; ++e)
            num[e] += qc * std::exp(fromStart) * initial.data[(h * keyDim + c) * valueDim + e];
        }
        for (int64_t e = 0; e < valueDim; ++e)
          expected.data[(h * steps + i) * valueDim + e] = static_cast<T>(num[e] / (den + opts.eps));
      }
    }
    for (LinearAttentionAlgorithm algorithm : kAlgorithms) {
      opts.algorithm = algorithm;
      opts.chunkSize = 4;
      Tensor<T> out;
      ASSERT_TRUE(linearAttention<T>(q, k, v, decay, &initial, opts, out, nullptr).ok());
      EXPECT_TRUE(allClose(out, expected, kTol<T>))
          << "decay rank " << decay->rank() << ", algorithm " << static_cast<int>(algorithm);
    }
  }
}

TYPED_TEST(ReferenceKernels, LinearAttentionFeatureMapsAndNonCausal) {
  using T = TypeParam;
  Tensor<T> q = tensor<T>({1, 1, 2, 1}, {1, 2});
  Tensor<T> k = tensor<T>({1, 1, 2, 1}, {1, 3});
  Tensor<T> v = tensor<T>({1, 1, 2, 1}, {5, 7});
  Tensor<T> out;
  LinearAttentionOptions opts;
  // Non-causal: o_i = q_i·(1·5 + 3·7) = [26, 52].
  opts.causal = false;
  ASSERT_TRUE(linearAttention<T>(q, k, v, nullptr, nullptr, opts, out, nullptr).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {26, 52}, kTol<T>));
  // Fewer queries than keys is fine when non-causal: q = [3] -> 78.
  ASSERT_TRUE(
      linearAttention<T>(tensor<T>({1, 1, 1, 1}, {3}), k, v, nullptr, nullptr, opts, out, nullptr)
          .ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1, 1}, {78}, kTol<T>));
  // Normalised non-causal: 26·q / (q·(1 + 3)) = 6.5 for every query.
  opts.normalize = true;
  opts.eps = 0;
  ASSERT_TRUE(linearAttention<T>(q, k, v, nullptr, nullptr, opts, out, nullptr).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {6.5, 6.5}, kTol<T>));

  // elu+1 with scale 2 on q = [−0.5, 1] and k = [0, −1]: φ(q) = [e^{−1}, 3],
  // φ(k) = [1, e^{−1}]; causal: o1 = e^{−1}·5, o2 = 3·(5 + 7e^{−1}).
  const double inv = std::exp(-1.0);
  opts = LinearAttentionOptions();
  opts.featureMap = FeatureMap::EluPlusOne;
  opts.scale = 2;
  Tensor<T> qe = tensor<T>({1, 1, 2, 1}, {-0.5, 1});
  Tensor<T> ke = tensor<T>({1, 1, 2, 1}, {0, -1});
  ASSERT_TRUE(linearAttention<T>(qe, ke, v, nullptr, nullptr, opts, out, nullptr).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {inv * 5, 3 * (5 + 7 * inv)}, kTol<T>));
  // ReLU: φ(q) = [0, 2], φ(k) = [0, 0] -> zeros.
  opts.featureMap = FeatureMap::Relu;
  ASSERT_TRUE(linearAttention<T>(qe, ke, v, nullptr, nullptr, opts, out, nullptr).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 2, 1}, {0, 0}, 0));
}

TYPED_TEST(ReferenceKernels, LinearAttentionErrors) {
  using T = TypeParam;
  Tensor<T> q({1, 2, 3, 4}), k({1, 2, 5, 4}), v({1, 2, 5, 2}), out;
  Tensor<T> decay({1, 2, 5}), initial({1, 2, 4, 2});
  LinearAttentionOptions opts;
  // Causal with Tq != T.
  EXPECT_FALSE(linearAttention<T>(q, k, v, nullptr, nullptr, opts, out, nullptr).ok());
  opts.causal = false;
  EXPECT_TRUE(linearAttention<T>(q, k, v, nullptr, nullptr, opts, out, nullptr).ok());
  EXPECT_FALSE(linearAttention<T>(q, k, v, &decay, nullptr, opts, out, nullptr).ok());
  EXPECT_FALSE(linearAttention<T>(q, k, v, nullptr, &initial, opts, out, nullptr).ok());
  opts.causal = true;
  Tensor<T> q5({1, 2, 5, 4}), badDecay({1, 2, 5, 3});
  EXPECT_TRUE(linearAttention<T>(q5, k, v, &decay, &initial, opts, out, nullptr).ok());
  EXPECT_FALSE(linearAttention<T>(q5, k, v, &badDecay, nullptr, opts, out, nullptr).ok());
  opts.algorithm = LinearAttentionAlgorithm::Chunked;
  opts.chunkSize = 0;
  EXPECT_FALSE(linearAttention<T>(q5, k, v, nullptr, nullptr, opts, out, nullptr).ok());
}

TYPED_TEST(ReferenceKernels, LinearAttentionAlgorithmsAgree) {
  using T = TypeParam;
  constexpr int64_t batch = 2, heads = 2, steps = 23, keyDim = 3, valueDim = 4;
  std::mt19937 rng(4);
  Tensor<T> q = randomTensor<T>({batch, heads, steps, keyDim}, rng);
  Tensor<T> k = randomTensor<T>({batch, heads, steps, keyDim}, rng);
  Tensor<T> v = randomTensor<T>({batch, heads, steps, valueDim}, rng);
  Tensor<T> initial = randomTensor<T>({batch, heads, keyDim, valueDim}, rng);
  // Log decays in [−1, −0.01): α between 0.37 and 0.99.
  Tensor<T> scalarDecay = randomTensor<T>({batch, heads, steps}, rng, -1, -0.01);
  Tensor<T> channelDecay = randomTensor<T>({batch, heads, steps, keyDim}, rng, -1, -0.01);
  const Tensor<T> *decays[] = {nullptr, &scalarDecay, &channelDecay};
  for (const Tensor<T> *decay : decays) {
    for (bool normalize : {false, true}) {
      for (const Tensor<T> *init : std::vector<const Tensor<T> *>{nullptr, &initial}) {
        SCOPED_TRACE(::testing::Message()
                     << "decay rank " << (decay ? decay->rank() : 0) << ", normalize " << normalize
                     << ", initial state " << (init != nullptr));
        LinearAttentionOptions opts;
        opts.normalize = normalize;
        // Positive features keep the normaliser away from zero.
        opts.featureMap = normalize ? FeatureMap::EluPlusOne : FeatureMap::Identity;
        opts.scale = 0.7;
        Tensor<T> expected, expectedState;
        ASSERT_TRUE(linearAttention<T>(q, k, v, decay, init, opts, expected, &expectedState).ok());
        opts.algorithm = LinearAttentionAlgorithm::Parallel;
        Tensor<T> out, state;
        ASSERT_TRUE(linearAttention<T>(q, k, v, decay, init, opts, out, &state).ok());
        EXPECT_TRUE(allClose(out, expected, kTol<T>)) << "parallel";
        EXPECT_TRUE(allClose(state, expectedState, kTol<T>)) << "parallel";
        opts.algorithm = LinearAttentionAlgorithm::Chunked;
        for (int64_t chunk : {1, 5, 16}) {
          opts.chunkSize = chunk;
          ASSERT_TRUE(linearAttention<T>(q, k, v, decay, init, opts, out, &state).ok());
          EXPECT_TRUE(allClose(out, expected, kTol<T>)) << "chunk " << chunk;
          EXPECT_TRUE(allClose(state, expectedState, kTol<T>)) << "chunk " << chunk;
        }
      }
    }
  }
}

//===--- State-space models ----------------------------------------------===//

TYPED_TEST(ReferenceKernels, SelectiveScanHand) {
  using T = TypeParam;
  // D = N = G = 1, L = 2: u = [1, 2], Δ = [0.5, 1], A = −1, B = [2, 3], C = [1, 2].
  // h1 = 0.5·1·2 = 1, y1 = 1; h2 = e^{−1}·1 + 1·2·3 = 6.3678794, y2 = 2·h2.
  // Dskip = 0.5 adds [0.5, 1].
  Tensor<T> u = tensor<T>({1, 1, 2}, {1, 2});
  Tensor<T> delta = tensor<T>({1, 1, 2}, {0.5, 1});
  Tensor<T> A = tensor<T>({1, 1}, {-1});
  Tensor<T> Bm = tensor<T>({1, 1, 1, 2}, {2, 3});
  Tensor<T> C = tensor<T>({1, 1, 1, 2}, {1, 2});
  Tensor<T> Dskip = tensor<T>({1}, {0.5});
  const double h2 = std::exp(-1.0) + 6;
  Tensor<T> y, state;
  ASSERT_TRUE(
      selectiveScan<T>(u, delta, A, Bm, C, &Dskip, nullptr, nullptr, nullptr, false, y, &state)
          .ok());
  EXPECT_TRUE(allClose(y, {1, 1, 2}, {1.5, 2 * h2 + 1}, kTol<T>));
  EXPECT_TRUE(allClose(state, {1, 1, 1}, {h2}, kTol<T>));
  // Softplus with a bias: δ = [0, 0], bias ln(e^{0.5} − 1) makes Δ = 0.5 both steps:
  // h1 = 1, h2 = e^{−0.5} + 0.5·2·3; z = [0, 0] then gates y to silu(0) = 0.
  Tensor<T> zeros = tensor<T>({1, 1, 2}, {0, 0});
  Tensor<T> bias = tensor<T>({1}, {std::log(std::exp(0.5) - 1)});
  ASSERT_TRUE(
      selectiveScan<T>(u, zeros, A, Bm, C, nullptr, nullptr, &bias, nullptr, true, y, &state).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 2}, {1, 2 * (std::exp(-0.5) + 3)}, kTol<T>));
  ASSERT_TRUE(
      selectiveScan<T>(u, zeros, A, Bm, C, nullptr, &zeros, &bias, nullptr, true, y, nullptr).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 2}, {0, 0}, 0));
  // Three channels cannot share two groups.
  Tensor<T> u3({1, 3, 2}), A3({3, 1}), B2({1, 2, 1, 2});
  EXPECT_FALSE(
      selectiveScan<T>(u3, u3, A3, B2, B2, nullptr, nullptr, nullptr, nullptr, false, y, nullptr)
          .ok());
}

TYPED_TEST(ReferenceKernels, SelectiveScanMatchesUnrolledFormula) {
  using T = TypeParam;
  constexpr int64_t batch = 2, channels = 4, stateDim = 3, length = 7, groups = 2;
  std::mt19937 rng(5);
  Tensor<T> u = randomTensor<T>({batch, channels, length}, rng);
  Tensor<T> delta = randomTensor<T>({batch, channels, length}, rng, -2, 1);
  Tensor<T> A = randomTensor<T>({channels, stateDim}, rng, -2, -0.1);
  Tensor<T> Bm = randomTensor<T>({batch, groups, stateDim, length}, rng);
  Tensor<T> C = randomTensor<T>({batch, groups, stateDim, length}, rng);
  Tensor<T> Dskip = randomTensor<T>({channels}, rng);
  Tensor<T> z = randomTensor<T>({batch, channels, length}, rng, -2, 2);
  Tensor<T> bias = randomTensor<T>({channels}, rng);
  Tensor<T> initial = randomTensor<T>({batch, channels, stateDim}, rng);
  Tensor<T> y, state;
  ASSERT_TRUE(
      selectiveScan<T>(u, delta, A, Bm, C, &Dskip, &z, &bias, &initial, true, y, &state).ok());

  // y_t = silu(z_t)·(Σ_n C_t[n]·(Σ_{s≤t} e^{Σ_{r=s+1..t} Δ_r A}·Δ_s u_s B_s[n]
  //                             + e^{Σ_{r≤t} Δ_r A}·h0[n]) + D·u_t), steps from 0,
  // channel d reading group d / (D/G).
  Tensor<T> expectedY({batch, channels, length}), expectedState({batch, channels, stateDim});
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t d = 0; d < channels; ++d) {
      int64_t g = d / (channels / groups);
      auto at = [&](const Tensor<T> &t, int64_t i) -> double {
        return t.data[(b * channels + d) * length + i];
      };
      auto bc = [&](const Tensor<T> &t, int64_t n, int64_t i) -> double {
        return t.data[((b * groups + g) * stateDim + n) * length + i];
      };
      std::vector<double> dt(length);
      for (int64_t t = 0; t < length; ++t)
        dt[t] = std::log1p(std::exp(at(delta, t) + bias.data[d]));
      for (int64_t t = 0; t < length; ++t) {
        double out = 0;
        for (int64_t n = 0; n < stateDim; ++n) {
          double a = A.data[d * stateDim + n];
          double exponent = 0;
          for (int64_t r = 0; r <= t; ++r)
            exponent += dt[r] * a;
          double h = std::exp(exponent) * initial.data[(b * channels + d) * stateDim + n];
          for (int64_t s = 0; s <= t; ++s) {
            double decay = 0;
            for (int64_t r = s + 1; r <= t; ++r)
              decay += dt[r] * a;
            h += std::exp(decay) * dt[s] * at(u, s) * bc(Bm, n, s);
          }
          out += h * bc(C, n, t);
          if (t == length - 1)
            expectedState.data[(b * channels + d) * stateDim + n] = static_cast<T>(h);
        }
        double gate = at(z, t) / (1 + std::exp(-at(z, t)));
        expectedY.data[(b * channels + d) * length + t] =
            static_cast<T>((out + Dskip.data[d] * at(u, t)) * gate);
      }
    }
  }
  EXPECT_TRUE(allClose(y, expectedY, kTol<T>));
  EXPECT_TRUE(allClose(state, expectedState, kTol<T>));
}

TYPED_TEST(ReferenceKernels, SsdHand) {
  using T = TypeParam;
  // The selective scan hand case in SSD layout: x = [1, 2], dt = [0.5, 1], A = −1,
  // B = [2, 3], C = [1, 2], D = 0.5 -> y = [1.5, 2·(e^{−1} + 6) + 1].
  Tensor<T> x = tensor<T>({1, 2, 1, 1}, {1, 2});
  Tensor<T> dt = tensor<T>({1, 2, 1}, {0.5, 1});
  Tensor<T> A = tensor<T>({1}, {-1});
  Tensor<T> Bm = tensor<T>({1, 2, 1, 1}, {2, 3});
  Tensor<T> C = tensor<T>({1, 2, 1, 1}, {1, 2});
  Tensor<T> D = tensor<T>({1}, {0.5});
  const double h2 = std::exp(-1.0) + 6;
  for (int64_t chunk : {0, 1, 2, 5}) {
    SsdOptions opts;
    opts.chunkSize = chunk;
    Tensor<T> y, state;
    ASSERT_TRUE(ssd<T>(x, dt, A, Bm, C, &D, nullptr, nullptr, opts, y, &state).ok());
    EXPECT_TRUE(allClose(y, {1, 2, 1, 1}, {1.5, 2 * h2 + 1}, kTol<T>)) << "chunk " << chunk;
    EXPECT_TRUE(allClose(state, {1, 1, 1, 1}, {h2}, kTol<T>)) << "chunk " << chunk;
  }
  // dt clamp after softplus: dt = 0 -> Δ = ln2, clamped to 0.5; one step with
  // x = 1, B = 2, C = 1 gives y = Δ·2.
  Tensor<T> x1 = tensor<T>({1, 1, 1, 1}, {1}), dt0 = tensor<T>({1, 1, 1}, {0});
  Tensor<T> b1 = tensor<T>({1, 1, 1, 1}, {2}), c1 = tensor<T>({1, 1, 1, 1}, {1});
  SsdOptions opts;
  opts.dtSoftplus = true;
  Tensor<T> y;
  ASSERT_TRUE(ssd<T>(x1, dt0, A, b1, c1, nullptr, nullptr, nullptr, opts, y, nullptr).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 1, 1}, {2 * std::log(2.0)}, kTol<T>));
  opts.dtMax = 0.5;
  ASSERT_TRUE(ssd<T>(x1, dt0, A, b1, c1, nullptr, nullptr, nullptr, opts, y, nullptr).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 1, 1}, {1.0}, kTol<T>));
  // Without softplus or clamp a negative Δ = −0.25 passes through: y = −0.5.
  Tensor<T> dtNeg = tensor<T>({1, 1, 1}, {-0.25});
  ASSERT_TRUE(
      ssd<T>(x1, dtNeg, A, b1, c1, nullptr, nullptr, nullptr, SsdOptions(), y, nullptr).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 1, 1}, {-0.5}, kTol<T>));
  // dt bias 0.25 and dtMin = 0.5 lift it to 0.5: y = 1.
  Tensor<T> dtBias = tensor<T>({1}, {0.25});
  opts = SsdOptions();
  opts.dtMin = 0.5;
  ASSERT_TRUE(ssd<T>(x1, dtNeg, A, b1, c1, nullptr, &dtBias, nullptr, opts, y, nullptr).ok());
  EXPECT_TRUE(allClose(y, {1, 1, 1, 1}, {1.0}, kTol<T>));
}

TYPED_TEST(ReferenceKernels, SsdMatchesQuadraticForm) {
  using T = TypeParam;
  constexpr int64_t length = 7, heads = 2, headDim = 3, stateDim = 2;
  std::mt19937 rng(12);
  Tensor<T> x = randomTensor<T>({1, length, heads, headDim}, rng);
  Tensor<T> dt = randomTensor<T>({1, length, heads}, rng, 0.05, 1);
  Tensor<T> A = randomTensor<T>({heads}, rng, -2, -0.1);
  Tensor<T> Bm = randomTensor<T>({1, length, 1, stateDim}, rng);
  Tensor<T> C = randomTensor<T>({1, length, 1, stateDim}, rng);
  Tensor<T> D = randomTensor<T>({heads}, rng);
  Tensor<T> initial = randomTensor<T>({1, heads, headDim, stateDim}, rng);
  // y_i = Σ_{j≤i} (C_i·B_j)·e^{Σ_{k=j+1..i} Δ_k A}·Δ_j·x_j
  //       + e^{Σ_{k≤i} Δ_k A}·h0·C_i + D·x_i;
  // h_T[p,n] = Σ_j e^{Σ_{k>j} Δ_k A}·Δ_j·x_j[p]·B_j[n] + e^{Σ_k Δ_k A}·h0[p,n].
  Tensor<T> expected({1, length, heads, headDim}), expectedState({1, heads, headDim, stateDim});
  auto cb = [&](const Tensor<T> &t, int64_t i, int64_t n) -> double {
    return t.data[i * stateDim + n];
  };
  for (int64_t h = 0; h < heads; ++h) {
    auto delta = [&](int64_t t) -> double { return dt.data[t * heads + h]; };
    auto decay = [&](int64_t from, int64_t to) { // e^{Σ_{k=from..to} Δ_k A}
      double sum = 0;
      for (int64_t kk = from; kk <= to; ++kk)
        sum += delta(kk) * A.data[h];
      return std::exp(sum);
    };
    for (int64_t p = 0; p < headDim; ++p) {
      auto xAt = [&](int64_t t) -> double { return x.data[(t * heads + h) * headDim + p]; };
      auto h0 = [&](int64_t n) -> double { return initial.data[(h * headDim + p) * stateDim + n]; };
      for (int64_t i = 0; i < length; ++i) {
        double y = D.data[h] * xAt(i);
        for (int64_t j = 0; j <= i; ++j) {
          double cdotb = 0;
          for (int64_t n = 0; n < stateDim; ++n)
            cdotb += cb(C, i, n) * cb(Bm, j, n);
          y += cdotb * decay(j + 1, i) * delta(j) * xAt(j);
        }
        for (int64_t n = 0; n < stateDim; ++n)
          y += decay(0, i) * h0(n) * cb(C, i, n);
        expected.data[(i * heads + h) * headDim + p] = static_cast<T>(y);
      }
      for (int64_t n = 0; n < stateDim; ++n) {
        double state = decay(0, length - 1) * h0(n);
        for (int64_t j = 0; j < length; ++j)
          state += decay(j + 1, length - 1) * delta(j) * xAt(j) * cb(Bm, j, n);
        expectedState.data[(h * headDim + p) * stateDim + n] = static_cast<T>(state);
      }
    }
  }
  for (int64_t chunk : {0, 3}) {
    SsdOptions opts;
    opts.chunkSize = chunk;
    Tensor<T> y, state;
    ASSERT_TRUE(ssd<T>(x, dt, A, Bm, C, &D, nullptr, &initial, opts, y, &state).ok());
    EXPECT_TRUE(allClose(y, expected, kTol<T>)) << "chunk " << chunk;
    EXPECT_TRUE(allClose(state, expectedState, kTol<T>)) << "chunk " << chunk;
  }
}

TYPED_TEST(ReferenceKernels, SsdChunkedMatchesSequential) {
  using T = TypeParam;
  constexpr int64_t batch = 2, length = 37, heads = 4, headDim = 3, groups = 2, stateDim = 5;
  std::mt19937 rng(6);
  Tensor<T> x = randomTensor<T>({batch, length, heads, headDim}, rng);
  Tensor<T> dt = randomTensor<T>({batch, length, heads}, rng, -3, 1);
  Tensor<T> A = randomTensor<T>({heads}, rng, -2, -0.1);
  Tensor<T> Bm = randomTensor<T>({batch, length, groups, stateDim}, rng);
  Tensor<T> C = randomTensor<T>({batch, length, groups, stateDim}, rng);
  Tensor<T> D = randomTensor<T>({heads}, rng);
  Tensor<T> dtBias = randomTensor<T>({heads}, rng);
  Tensor<T> initial = randomTensor<T>({batch, heads, headDim, stateDim}, rng);
  for (const Tensor<T> *init : std::vector<const Tensor<T> *>{nullptr, &initial}) {
    SsdOptions opts;
    opts.dtSoftplus = true;
    opts.dtMax = 1.5;
    Tensor<T> expected, expectedState;
    ASSERT_TRUE(ssd<T>(x, dt, A, Bm, C, &D, &dtBias, init, opts, expected, &expectedState).ok());
    for (int64_t chunk : {1, 3, 4, 16, 64}) {
      opts.chunkSize = chunk;
      Tensor<T> y, state;
      ASSERT_TRUE(ssd<T>(x, dt, A, Bm, C, &D, &dtBias, init, opts, y, &state).ok());
      EXPECT_TRUE(allClose(y, expected, kTol<T>))
          << "chunk " << chunk << ", initial state " << (init != nullptr);
      EXPECT_TRUE(allClose(state, expectedState, kTol<T>))
          << "chunk " << chunk << ", initial state " << (init != nullptr);
    }
  }
}

TYPED_TEST(ReferenceKernels, SsdGroupsServeConsecutiveHeads) {
  using T = TypeParam;
  constexpr int64_t batch = 1, length = 9, heads = 4, headDim = 2, groups = 2, stateDim = 3;
  std::mt19937 rng(7);
  Tensor<T> x = randomTensor<T>({batch, length, heads, headDim}, rng);
  Tensor<T> dt = randomTensor<T>({batch, length, heads}, rng, 0.1, 1);
  Tensor<T> A = randomTensor<T>({heads}, rng, -2, -0.1);
  Tensor<T> Bm = randomTensor<T>({batch, length, groups, stateDim}, rng);
  Tensor<T> C = randomTensor<T>({batch, length, groups, stateDim}, rng);
  // Heads 0, 1 use group 0 and heads 2, 3 group 1: the same as one group per
  // head after repeating the groups that way.
  for (int64_t chunk : {0, 4}) {
    SsdOptions opts;
    opts.chunkSize = chunk;
    Tensor<T> grouped, perHead;
    ASSERT_TRUE(ssd<T>(x, dt, A, Bm, C, nullptr, nullptr, nullptr, opts, grouped, nullptr).ok());
    ASSERT_TRUE(ssd<T>(x, dt, A, repeatHeads(Bm, 2, heads), repeatHeads(C, 2, heads), nullptr,
                       nullptr, nullptr, opts, perHead, nullptr)
                    .ok());
    EXPECT_TRUE(allClose(grouped, perHead, kTol<T>)) << "chunk " << chunk;
  }
  Tensor<T> y;
  Tensor<T> B3({batch, length, 3, stateDim});
  EXPECT_FALSE(ssd<T>(x, dt, A, B3, B3, nullptr, nullptr, nullptr, SsdOptions(), y, nullptr).ok());
}

//===--- Token reduction -------------------------------------------------===//

TYPED_TEST(ReferenceKernels, TokenMergeHand) {
  using T = TypeParam;
  // Tokens 0..3 with x = [1, 2, 3, 4] and metric rows [1,0], [1,0], [0,1], [1,1].
  // A = {0, 2}, B = {1, 3}. Cosines: a0·b1 = 1, a0·b3 = 1/√2; a2·b1 = 0,
  // a2·b3 = 1/√2. Best: a0 -> b1 (1), a2 -> b3 (0.707).
  Tensor<T> x = tensor<T>({1, 4, 1}, {1, 2, 3, 4});
  Tensor<T> metric = tensor<T>({1, 4, 2}, {1, 0, 1, 0, 0, 1, 1, 1});
  Tensor<T> outX, outSizes;
  Tensor<int64_t> index;
  // r = 1: a0 merges into b1. Output [x2, mean(x0, x1), x3].
  ASSERT_TRUE(tokenMerge<T>(x, metric, nullptr, 1, false, outX, outSizes, index).ok());
  EXPECT_TRUE(allClose(outX, {1, 3, 1}, {3, 1.5, 4}, kTol<T>));
  EXPECT_TRUE(allClose(outSizes, {1, 3}, {1, 2, 1}, 0));
  EXPECT_EQ(index.data, (std::vector<int64_t>{1, 1, 0, 2}));
  // Sizes [3, 1, 1, 1]: merged value (3·1 + 1·2)/4 = 1.25, size 4.
  Tensor<T> sizes = tensor<T>({1, 4}, {3, 1, 1, 1});
  ASSERT_TRUE(tokenMerge<T>(x, metric, &sizes, 1, false, outX, outSizes, index).ok());
  EXPECT_TRUE(allClose(outX, {1, 3, 1}, {3, 1.25, 4}, kTol<T>));
  EXPECT_TRUE(allClose(outSizes, {1, 3}, {1, 4, 1}, 0));
  // r = 5 clamps to T/2 = 2: a0 -> b1, a2 -> b3: [1.5, 3.5].
  ASSERT_TRUE(tokenMerge<T>(x, metric, nullptr, 5, false, outX, outSizes, index).ok());
  EXPECT_TRUE(allClose(outX, {1, 2, 1}, {1.5, 3.5}, kTol<T>));
  EXPECT_TRUE(allClose(outSizes, {1, 2}, {2, 2}, 0));
  EXPECT_EQ(index.data, (std::vector<int64_t>{0, 0, 1, 1}));
  // Protecting token 0: r clamps to (4 − 1)/2 = 1 and a2 merges into b3:
  // [x0, x1, mean(x2, x3)].
  ASSERT_TRUE(tokenMerge<T>(x, metric, nullptr, 5, true, outX, outSizes, index).ok());
  EXPECT_TRUE(allClose(outX, {1, 3, 1}, {1, 2, 3.5}, kTol<T>));
  EXPECT_TRUE(allClose(outSizes, {1, 3}, {1, 1, 2}, 0));
  EXPECT_EQ(index.data, (std::vector<int64_t>{0, 1, 2, 2}));
}

TYPED_TEST(ReferenceKernels, TokenMergeTies) {
  using T = TypeParam;
  // Six tokens with identical metrics: every score is 1. Argmax ties pick the
  // lowest B token (1); ranking ties pick the lowest A positions (0, 2) for
  // r = 2. Output: [x4, mean(x0, x1, x2), x3, x5].
  Tensor<T> x = tensor<T>({1, 6, 1}, {0, 1, 2, 3, 4, 5});
  Tensor<T> metric({1, 6, 2}, T(1));
  Tensor<T> outX, outSizes;
  Tensor<int64_t> index;
  ASSERT_TRUE(tokenMerge<T>(x, metric, nullptr, 2, false, outX, outSizes, index).ok());
  EXPECT_TRUE(allClose(outX, {1, 4, 1}, {4, 1, 3, 5}, kTol<T>));
  EXPECT_TRUE(allClose(outSizes, {1, 4}, {1, 3, 1, 1}, 0));
  EXPECT_EQ(index.data, (std::vector<int64_t>{1, 1, 1, 2, 0, 3}));
}

TYPED_TEST(ReferenceKernels, TokenMergeIdentityForZeroR) {
  using T = TypeParam;
  std::mt19937 rng(8);
  Tensor<T> x = randomTensor<T>({2, 7, 3}, rng), metric = randomTensor<T>({2, 7, 4}, rng);
  Tensor<T> sizes = randomTensor<T>({2, 7}, rng, 0.3, 5);
  Tensor<T> outX, outSizes;
  Tensor<int64_t> index;
  std::vector<int64_t> identity = {0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(tokenMerge<T>(x, metric, nullptr, 0, false, outX, outSizes, index).ok());
  EXPECT_EQ(outX.shape, x.shape);
  EXPECT_EQ(outX.data, x.data);
  EXPECT_EQ(outSizes.data, std::vector<T>(14, T(1)));
  EXPECT_EQ(index.data, identity);
  ASSERT_TRUE(tokenMerge<T>(x, metric, &sizes, 0, true, outX, outSizes, index).ok());
  EXPECT_EQ(outX.data, x.data);
  EXPECT_EQ(outSizes.data, sizes.data);
  EXPECT_EQ(index.data, identity);
  // One token with protect_first: r clamps to 0.
  Tensor<T> x1 = slice(x, 1, 0, 1), m1 = slice(metric, 1, 0, 1);
  ASSERT_TRUE(tokenMerge<T>(x1, m1, nullptr, 3, true, outX, outSizes, index).ok());
  EXPECT_EQ(outX.data, x1.data);
  EXPECT_EQ(index.data, (std::vector<int64_t>{0, 0}));
}

TYPED_TEST(ReferenceKernels, TokenMergeStructure) {
  using T = TypeParam;
  constexpr int64_t batch = 2, tokens = 11, channels = 3, metricDim = 4;
  std::mt19937 rng(9);
  Tensor<T> x = randomTensor<T>({batch, tokens, channels}, rng);
  Tensor<T> metric = randomTensor<T>({batch, tokens, metricDim}, rng);
  Tensor<T> givenSizes = randomTensor<T>({batch, tokens}, rng, 1, 3);
  for (int64_t r : {1, 3, 5, 100}) {
    for (bool protect : {false, true}) {
      for (const Tensor<T> *sizes : std::vector<const Tensor<T> *>{nullptr, &givenSizes}) {
        SCOPED_TRACE(::testing::Message()
                     << "r " << r << ", protect " << protect << ", sizes " << (sizes != nullptr));
        Tensor<T> outX, outSizes;
        Tensor<int64_t> index;
        ASSERT_TRUE(tokenMerge<T>(x, metric, sizes, r, protect, outX, outSizes, index).ok());
        int64_t merges = std::min<int64_t>(r, (tokens - protect) / 2);
        int64_t numOut = tokens - merges, numB = tokens / 2;
        ASSERT_EQ(outX.shape, (std::vector<int64_t>{batch, numOut, channels}));
        ASSERT_EQ(outSizes.shape, (std::vector<int64_t>{batch, numOut}));
        ASSERT_EQ(index.shape, (std::vector<int64_t>{batch, tokens}));
        for (int64_t b = 0; b < batch; ++b) {
          auto sizeOf = [&](int64_t t) -> double {
            return sizes ? sizes->data[b * tokens + t] : 1.0;
          };
          const int64_t *idx = &index.data[b * tokens];
          // Sizes add up to Σ input sizes (T without sizes).
          double inTotal = 0, outTotal = 0;
          for (int64_t t = 0; t < tokens; ++t)
            inTotal += sizeOf(t);
          for (int64_t s = 0; s < numOut; ++s)
            outTotal += outSizes.data[b * numOut + s];
          EXPECT_NEAR(outTotal, inTotal, kTol<T> * inTotal);
          // B tokens fill the last slots in order; kept A tokens come first in
          // position order; the protected token stays first.
          int64_t lastKept = -1;
          for (int64_t t = 0; t < tokens; ++t) {
            if (t % 2 == 1) {
              EXPECT_EQ(idx[t], numOut - numB + t / 2);
            } else if (idx[t] < numOut - numB) {
              EXPECT_EQ(idx[t], lastKept + 1);
              lastKept = idx[t];
            }
          }
          EXPECT_EQ(lastKept, numOut - numB - 1);
          if (protect) {
            EXPECT_EQ(idx[0], 0);
          }
          // Every output token is the size-weighted mean of the inputs mapped to it.
          for (int64_t s = 0; s < numOut; ++s) {
            double total = 0;
            std::vector<double> mean(channels, 0.0);
            for (int64_t t = 0; t < tokens; ++t) {
              if (idx[t] != s)
                continue;
              total += sizeOf(t);
              for (int64_t c = 0; c < channels; ++c)
                mean[c] += sizeOf(t) * x.data[(b * tokens + t) * channels + c];
            }
            ASSERT_GT(total, 0) << "slot " << s << " has no source";
            EXPECT_NEAR(outSizes.data[b * numOut + s], total, kTol<T> * total);
            for (int64_t c = 0; c < channels; ++c)
              EXPECT_NEAR(outX.data[(b * numOut + s) * channels + c], mean[c] / total, kTol<T>);
          }
          // The merged A tokens are those with the highest best cosine.
          auto cosine = [&](int64_t i, int64_t j) {
            double dot = 0, ni = 0, nj = 0;
            for (int64_t c = 0; c < metricDim; ++c) {
              double mi = metric.data[(b * tokens + i) * metricDim + c];
              double mj = metric.data[(b * tokens + j) * metricDim + c];
              dot += mi * mj;
              ni += mi * mi;
              nj += mj * mj;
            }
            return dot / std::sqrt(ni * nj);
          };
          double lowestMerged = kInf, highestKept = -kInf;
          for (int64_t a = protect ? 2 : 0; a < tokens; a += 2) {
            double best = -kInf;
            for (int64_t bb = 1; bb < tokens; bb += 2)
              best = std::max(best, cosine(a, bb));
            if (idx[a] >= numOut - numB) {
              lowestMerged = std::min(lowestMerged, best);
              // It went to a B token with that best score.
              EXPECT_NEAR(cosine(a, 2 * (idx[a] - (numOut - numB)) + 1), best, 1e-12);
            } else {
              highestKept = std::max(highestKept, best);
            }
          }
          EXPECT_GE(lowestMerged, highestKept);
        }
        // Unmerging gives every input token its group's value.
        Tensor<T> back;
        ASSERT_TRUE(tokenUnmerge<T>(outX, index, back).ok());
        ASSERT_EQ(back.shape, x.shape);
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t t = 0; t < tokens; ++t)
            for (int64_t c = 0; c < channels; ++c)
              EXPECT_EQ(back.data[(b * tokens + t) * channels + c],
                        outX.data[(b * numOut + index.data[b * tokens + t]) * channels + c]);
      }
    }
  }
}

TYPED_TEST(ReferenceKernels, TokenUnmerge) {
  using T = TypeParam;
  Tensor<T> x = tensor<T>({1, 2, 1}, {10, 20});
  Tensor<T> out;
  ASSERT_TRUE(tokenUnmerge<T>(x, Tensor<int64_t>({1, 3}, {1, 0, 1}), out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 1}, {20, 10, 20}, 0));
  EXPECT_FALSE(tokenUnmerge<T>(x, Tensor<int64_t>({1, 3}, {1, 2, 0}), out).ok());
  EXPECT_FALSE(tokenUnmerge<T>(x, Tensor<int64_t>({1, 3}, {-1, 0, 0}), out).ok());
}

TYPED_TEST(ReferenceKernels, TokenPrune) {
  using T = TypeParam;
  Tensor<T> x = tensor<T>({1, 4, 1}, {10, 20, 30, 40});
  Tensor<T> scores = tensor<T>({1, 4}, {0.1, 0.5, 0.5, 0.2});
  Tensor<T> out;
  // Keep 2: positions 1 and 2 (score 0.5).
  ASSERT_TRUE(tokenPrune<T>(x, scores, 2, false, false, out).ok());
  EXPECT_TRUE(allClose(out, {1, 2, 1}, {20, 30}, 0));
  // Fused: 0.1·10 + 0.2·40 = 9 appended.
  ASSERT_TRUE(tokenPrune<T>(x, scores, 2, false, true, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 1}, {20, 30, 9}, kTol<T>));
  // Protected token 0 plus the best of the rest; the 0.5 tie goes to position 1.
  ASSERT_TRUE(tokenPrune<T>(x, scores, 2, true, false, out).ok());
  EXPECT_TRUE(allClose(out, {1, 2, 1}, {10, 20}, 0));
  // Keep 1 of a tie between 3 and 1 (scores reversed): position order kept.
  Tensor<T> tie = tensor<T>({1, 4}, {0.2, 0.7, 0.1, 0.7});
  ASSERT_TRUE(tokenPrune<T>(x, tie, 1, false, false, out).ok());
  EXPECT_TRUE(allClose(out, {1, 1, 1}, {20}, 0));
  ASSERT_TRUE(tokenPrune<T>(x, tie, 3, false, false, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 1}, {10, 20, 40}, 0));
  // Keep everything: nothing to fuse.
  ASSERT_TRUE(tokenPrune<T>(x, scores, 4, false, true, out).ok());
  EXPECT_TRUE(allClose(out, {1, 5, 1}, {10, 20, 30, 40, 0}, 0));
  EXPECT_FALSE(tokenPrune<T>(x, scores, 5, false, false, out).ok());
  EXPECT_FALSE(tokenPrune<T>(x, scores, 0, true, false, out).ok());
}

TYPED_TEST(ReferenceKernels, TokenPoolAndUnpool) {
  using T = TypeParam;
  Tensor<T> x = tensor<T>({1, 5, 1}, {1, 2, 3, 4, 5});
  Tensor<T> out;
  // Segments of 2: [1,2], [3,4], [5].
  ASSERT_TRUE(tokenPool<T>(x, 2, PoolKind::Mean, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 1}, {1.5, 3.5, 5}, 0));
  ASSERT_TRUE(tokenPool<T>(x, 2, PoolKind::Max, out).ok());
  EXPECT_TRUE(allClose(out, {1, 3, 1}, {2, 4, 5}, 0));
  Tensor<T> pooled = tensor<T>({1, 3, 1}, {1.5, 3.5, 5});
  ASSERT_TRUE(tokenUnpool<T>(pooled, 2, 5, out).ok());
  EXPECT_TRUE(allClose(out, {1, 5, 1}, {1.5, 1.5, 3.5, 3.5, 5}, 0));
  EXPECT_FALSE(tokenUnpool<T>(pooled, 2, 7, out).ok());
}

} // namespace
