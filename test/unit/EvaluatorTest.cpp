//===- EvaluatorTest.cpp - The reference evaluator on whole modules -------===//
//
// Checks the evaluator end to end on IR: the gradient-descent construction
// of OPS.md, identities that hold across op boundaries (split-KV, SSD chunk
// sizes), f32 against f64, and the run-time errors a user can hit.
//
//===----------------------------------------------------------------------===//

#include "lib/Reference/Evaluator.h"
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/SafeTensors.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

using namespace icl;

namespace {

/// An MLIR dense literal for a row-major matrix.
std::string denseLiteral(const std::vector<double> &values, int64_t rows, int64_t cols) {
  std::ostringstream os;
  os.precision(17);
  os << "dense<[";
  for (int64_t r = 0; r < rows; ++r) {
    os << (r ? ", [" : "[");
    for (int64_t c = 0; c < cols; ++c)
      os << (c ? ", " : "") << std::scientific << values[r * cols + c];
    os << "]";
  }
  os << "]>";
  return os.str();
}

struct Parsed {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

std::unique_ptr<Parsed> parse(const std::string &ir) {
  auto parsed = std::make_unique<Parsed>();
  parsed->module = parseModule(ir, "test.mlir", parsed->context);
  return parsed;
}

llvm::Expected<std::vector<HostArray>> run(Parsed &p, llvm::ArrayRef<HostArray> inputs,
                                           ref::Precision precision = ref::Precision::F64) {
  llvm::Expected<mlir::func::FuncOp> func = findEntryFunction(*p.module, "");
  if (!func)
    return func.takeError();
  ref::EvaluatorOptions options;
  options.precision = precision;
  return ref::evaluate(*func, inputs, options);
}

double maxAbsDiff(const HostArray &a, const HostArray &b) {
  std::vector<double> x = a.toDouble(), y = b.toDouble();
  EXPECT_EQ(a.shape, b.shape);
  double m = 0;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i)
    m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

/// max |a - b| / max(1, max |a|).
double maxRelDiff(const HostArray &a, const HostArray &b) {
  std::vector<double> x = a.toDouble();
  double scale = 1.0;
  for (double v : x)
    scale = std::max(scale, std::fabs(v));
  return maxAbsDiff(a, b) / scale;
}

//===----------------------------------------------------------------------===//
// In-context linear regression: K linear self-attention layers = K steps of GD
//===----------------------------------------------------------------------===//

/// IR of `layers` stacked GD layers over tokens [1, n+1, d+1] (x then y; the
/// last token is the query with y = 0). Keys and values come from the n
/// context tokens only, queries from every token.
std::string gradientDescentModel(int64_t d, int64_t n, int64_t layers, double eta) {
  int64_t c = d + 1, t = n + 1;
  std::vector<double> wq(c * c, 0.0), wv(c * c, 0.0), p(c * c, 0.0);
  for (int64_t i = 0; i < d; ++i)
    wq[i * c + i] = 1.0;              // W_K = W_Q = [[I, 0], [0, 0]]
  wv[d * c + d] = -1.0;               // W_V = [[0, 0], [W0 = 0, -I]]
  p[d * c + d] = eta / double(n);     // P = [[0, 0], [0, eta/N]]
  std::string tok = llvm::formatv("tensor<1x{0}x{1}xf64>", t, c).str();
  std::string ctx = llvm::formatv("tensor<1x{0}x{1}xf64>", n, c).str();
  std::string tok4 = llvm::formatv("tensor<1x1x{0}x{1}xf64>", t, c).str();
  std::string ctx4 = llvm::formatv("tensor<1x1x{0}x{1}xf64>", n, c).str();
  std::string mat = llvm::formatv("tensor<{0}x{0}xf64>", c).str();
  std::ostringstream ir;
  ir << "func.func @gd(%e0: " << tok << ") -> " << tok << " {\n";
  ir << "  %wq = arith.constant " << denseLiteral(wq, c, c) << " : " << mat << "\n";
  ir << "  %wv = arith.constant " << denseLiteral(wv, c, c) << " : " << mat << "\n";
  ir << "  %p = arith.constant " << denseLiteral(p, c, c) << " : " << mat << "\n";
  for (int64_t l = 0; l < layers; ++l) {
    std::string e = "%e" + std::to_string(l), s = std::to_string(l);
    ir << "  %q" << s << " = icl.linear " << e << ", %wq : (" << tok << ", " << mat << ") -> "
       << tok << "\n";
    ir << "  %c" << s << " = tensor.extract_slice " << e << "[0, 0, 0] [1, " << n << ", " << c
       << "] [1, 1, 1] : " << tok << " to " << ctx << "\n";
    ir << "  %k" << s << " = icl.linear %c" << s << ", %wq : (" << ctx << ", " << mat << ") -> "
       << ctx << "\n";
    ir << "  %v" << s << " = icl.linear %c" << s << ", %wv : (" << ctx << ", " << mat << ") -> "
       << ctx << "\n";
    for (auto [name, len, type, type4] : {std::tuple{"q", t, tok, tok4},
                                          std::tuple{"k", n, ctx, ctx4},
                                          std::tuple{"v", n, ctx, ctx4}})
      ir << "  %" << name << "4_" << s << " = tensor.expand_shape %" << name << s
         << " [[0, 1], [2], [3]] output_shape [1, 1, " << len << ", " << c << "] : " << type
         << " into " << type4 << "\n";
    ir << "  %o" << s << " = icl.linear_attention %q4_" << s << ", %k4_" << s << ", %v4_" << s
       << " {causal = false} : (" << tok4 << ", " << ctx4 << ", " << ctx4 << ") -> " << tok4
       << "\n";
    ir << "  %o3_" << s << " = tensor.collapse_shape %o" << s << " [[0, 1], [2], [3]] : " << tok4
       << " into " << tok << "\n";
    ir << "  %u" << s << " = icl.linear %o3_" << s << ", %p : (" << tok << ", " << mat << ") -> "
       << tok << "\n";
    ir << "  %e" << l + 1 << " = arith.addf " << e << ", %u" << s << " : " << tok << "\n";
  }
  ir << "  return %e" << layers << " : " << tok << "\n}\n";
  return ir.str();
}

TEST(EvaluatorTest, StackedLinearAttentionIsGradientDescent) {
  const int64_t d = 3, n = 12;
  const double eta = 0.3;
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d), y(n), xq(d), wTrue(d);
  for (double &v : wTrue) v = normal(rng);
  for (double &v : x) v = normal(rng);
  for (double &v : xq) v = normal(rng);
  for (int64_t j = 0; j < n; ++j) {
    y[j] = 0;
    for (int64_t i = 0; i < d; ++i)
      y[j] += x[j * d + i] * wTrue[i];
  }
  std::vector<double> tokens;
  for (int64_t j = 0; j < n; ++j) {
    tokens.insert(tokens.end(), x.begin() + j * d, x.begin() + (j + 1) * d);
    tokens.push_back(y[j]);
  }
  tokens.insert(tokens.end(), xq.begin(), xq.end());
  tokens.push_back(0.0);
  HostArray input = HostArray::fromDouble(DType::F64, {1, n + 1, d + 1}, tokens);

  std::vector<double> w(d, 0.0);
  for (int64_t layers = 1; layers <= 4; ++layers) {
    // One more closed-form step: w <- w - (eta/N) Xᵀ(Xw - y).
    std::vector<double> grad(d, 0.0);
    for (int64_t j = 0; j < n; ++j) {
      double r = -y[j];
      for (int64_t i = 0; i < d; ++i)
        r += x[j * d + i] * w[i];
      for (int64_t i = 0; i < d; ++i)
        grad[i] += x[j * d + i] * r;
    }
    for (int64_t i = 0; i < d; ++i)
      w[i] -= eta / double(n) * grad[i];
    double expected = 0;
    for (int64_t i = 0; i < d; ++i)
      expected += xq[i] * w[i];

    auto p = parse(gradientDescentModel(d, n, layers, eta));
    ASSERT_TRUE(p->module) << "the GD model did not parse";
    auto out = run(*p, {input});
    ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
    double prediction = -(*out)[0].toDouble()[n * (d + 1) + d];
    EXPECT_NEAR(prediction, expected, 1e-5 * std::max(1.0, std::fabs(expected)))
        << layers << " layers";
  }
}

//===----------------------------------------------------------------------===//
// Identities across ops
//===----------------------------------------------------------------------===//

TEST(EvaluatorTest, SplitKvPartialsCombineToAttention) {
  // 2 queries over 11 keys, causal and aligned to the end, split 4 + 7.
  const char *ir = R"mlir(
func.func @f(%q: tensor<1x4x2x8xf64>, %k: tensor<1x2x11x8xf64>, %v: tensor<1x2x11x5xf64>)
    -> (tensor<1x4x2x5xf64>, tensor<1x4x2x5xf64>) {
  %full = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>}
      : (tensor<1x4x2x8xf64>, tensor<1x2x11x8xf64>, tensor<1x2x11x5xf64>) -> tensor<1x4x2x5xf64>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x11x8xf64> to tensor<1x2x4x8xf64>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1] : tensor<1x2x11x5xf64> to tensor<1x2x4x5xf64>
  %k1 = tensor.extract_slice %k[0, 0, 4, 0] [1, 2, 7, 8] [1, 1, 1, 1] : tensor<1x2x11x8xf64> to tensor<1x2x7x8xf64>
  %v1 = tensor.extract_slice %v[0, 0, 4, 0] [1, 2, 7, 5] [1, 1, 1, 1] : tensor<1x2x11x5xf64> to tensor<1x2x7x5xf64>
  %o0, %m0, %l0 = icl.attention_partial %q, %k0, %v0 {mask_kind = #icl.mask<causal>, kv_length = 11 : i64}
      : (tensor<1x4x2x8xf64>, tensor<1x2x4x8xf64>, tensor<1x2x4x5xf64>)
      -> (tensor<1x4x2x5xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64>)
  %o1, %m1, %l1 = icl.attention_partial %q, %k1, %v1 {mask_kind = #icl.mask<causal>, kv_offset = 4 : i64, kv_length = 11 : i64}
      : (tensor<1x4x2x8xf64>, tensor<1x2x7x8xf64>, tensor<1x2x7x5xf64>)
      -> (tensor<1x4x2x5xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64>)
  %eo0 = tensor.expand_shape %o0 [[0, 1], [2], [3], [4]] output_shape [1, 1, 4, 2, 5] : tensor<1x4x2x5xf64> into tensor<1x1x4x2x5xf64>
  %eo1 = tensor.expand_shape %o1 [[0, 1], [2], [3], [4]] output_shape [1, 1, 4, 2, 5] : tensor<1x4x2x5xf64> into tensor<1x1x4x2x5xf64>
  %em0 = tensor.expand_shape %m0 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %em1 = tensor.expand_shape %m1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %el0 = tensor.expand_shape %l0 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %el1 = tensor.expand_shape %l1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %os = tensor.concat dim(0) %eo0, %eo1 : (tensor<1x1x4x2x5xf64>, tensor<1x1x4x2x5xf64>) -> tensor<2x1x4x2x5xf64>
  %ms = tensor.concat dim(0) %em0, %em1 : (tensor<1x1x4x2xf64>, tensor<1x1x4x2xf64>) -> tensor<2x1x4x2xf64>
  %ls = tensor.concat dim(0) %el0, %el1 : (tensor<1x1x4x2xf64>, tensor<1x1x4x2xf64>) -> tensor<2x1x4x2xf64>
  %combined = icl.attention_combine %os, %ms, %ls
      : (tensor<2x1x4x2x5xf64>, tensor<2x1x4x2xf64>, tensor<2x1x4x2xf64>) -> tensor<1x4x2x5xf64>
  return %full, %combined : tensor<1x4x2x5xf64>, tensor<1x4x2x5xf64>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto inputs = ref::randomInputs(*findEntryFunction(*p->module, ""), 3);
  ASSERT_TRUE(static_cast<bool>(inputs));
  auto out = run(*p, *inputs);
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  EXPECT_LT(maxAbsDiff((*out)[0], (*out)[1]), 1e-12);
}

TEST(EvaluatorTest, SplitKvStateContinuesToAttention) {
  // The same split, the second part continuing the first's state with its
  // positions given as index constants: one combine of the single state.
  const char *ir = R"mlir(
func.func @f(%q: tensor<1x4x2x8xf64>, %k: tensor<1x2x11x8xf64>, %v: tensor<1x2x11x5xf64>)
    -> (tensor<1x4x2x5xf64>, tensor<1x4x2x5xf64>) {
  %full = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>}
      : (tensor<1x4x2x8xf64>, tensor<1x2x11x8xf64>, tensor<1x2x11x5xf64>) -> tensor<1x4x2x5xf64>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x11x8xf64> to tensor<1x2x4x8xf64>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1] : tensor<1x2x11x5xf64> to tensor<1x2x4x5xf64>
  %k1 = tensor.extract_slice %k[0, 0, 4, 0] [1, 2, 7, 8] [1, 1, 1, 1] : tensor<1x2x11x8xf64> to tensor<1x2x7x8xf64>
  %v1 = tensor.extract_slice %v[0, 0, 4, 0] [1, 2, 7, 5] [1, 1, 1, 1] : tensor<1x2x11x5xf64> to tensor<1x2x7x5xf64>
  %c4 = arith.constant 4 : index
  %c11 = arith.constant 11 : index
  %o0, %m0, %l0 = icl.attention_partial %q, %k0, %v0 {mask_kind = #icl.mask<causal>, kv_length = 11 : i64}
      : (tensor<1x4x2x8xf64>, tensor<1x2x4x8xf64>, tensor<1x2x4x5xf64>)
      -> (tensor<1x4x2x5xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64>)
  %o1, %m1, %l1 = icl.attention_partial %q, %k1, %v1 positions(%c4, %c11) state(%o0, %m0, %l0) {mask_kind = #icl.mask<causal>}
      : (tensor<1x4x2x8xf64>, tensor<1x2x7x8xf64>, tensor<1x2x7x5xf64>, index, index,
         tensor<1x4x2x5xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64>)
      -> (tensor<1x4x2x5xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64>)
  %eo = tensor.expand_shape %o1 [[0, 1], [2], [3], [4]] output_shape [1, 1, 4, 2, 5] : tensor<1x4x2x5xf64> into tensor<1x1x4x2x5xf64>
  %em = tensor.expand_shape %m1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %el = tensor.expand_shape %l1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 2] : tensor<1x4x2xf64> into tensor<1x1x4x2xf64>
  %combined = icl.attention_combine %eo, %em, %el
      : (tensor<1x1x4x2x5xf64>, tensor<1x1x4x2xf64>, tensor<1x1x4x2xf64>) -> tensor<1x4x2x5xf64>
  return %full, %combined : tensor<1x4x2x5xf64>, tensor<1x4x2x5xf64>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto inputs = ref::randomInputs(*findEntryFunction(*p->module, ""), 3);
  ASSERT_TRUE(static_cast<bool>(inputs));
  auto out = run(*p, *inputs);
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  EXPECT_LT(maxAbsDiff((*out)[0], (*out)[1]), 1e-12);
}

std::string ssdModel(int64_t chunk) {
  return llvm::formatv(R"mlir(
func.func @f(%x: tensor<2x37x4x3xf64>, %dt: tensor<2x37x4xf64>, %a: tensor<4xf64>,
             %b: tensor<2x37x2x5xf64>, %c: tensor<2x37x2x5xf64>, %d: tensor<4xf64>) -> tensor<2x37x4x3xf64> {
  %y = icl.ssd %x, %dt, %a, %b, %c D(%d) {dt_softplus, chunk_size = {0} : i64}
      : (tensor<2x37x4x3xf64>, tensor<2x37x4xf64>, tensor<4xf64>, tensor<2x37x2x5xf64>,
         tensor<2x37x2x5xf64>, tensor<4xf64>) -> tensor<2x37x4x3xf64>
  return %y : tensor<2x37x4x3xf64>
}
)mlir", chunk).str();
}

TEST(EvaluatorTest, SsdIndependentOfChunkSizeAttribute) {
  auto sequential = parse(ssdModel(0));
  ASSERT_TRUE(sequential->module);
  auto inputs = ref::randomInputs(*findEntryFunction(*sequential->module, ""), 11);
  ASSERT_TRUE(static_cast<bool>(inputs));
  auto expected = run(*sequential, *inputs);
  ASSERT_TRUE(static_cast<bool>(expected)) << llvm::toString(expected.takeError());
  for (int64_t chunk : {1, 4, 8, 16, 64}) {
    auto chunked = parse(ssdModel(chunk));
    ASSERT_TRUE(chunked->module);
    auto got = run(*chunked, *inputs);
    ASSERT_TRUE(static_cast<bool>(got)) << llvm::toString(got.takeError());
    // A is random in [-1, 1), so some states grow over the 37 steps: compare
    // relative to the largest output.
    EXPECT_LT(maxRelDiff((*expected)[0], (*got)[0]), 1e-12) << "chunk " << chunk;
  }
}

TEST(EvaluatorTest, Float32AgreesWithFloat64) {
  const char *ir = R"mlir(
func.func @f(%x: tensor<2x9x24xf32>, %w: tensor<24x24xf32>, %g: tensor<24xf32>) -> tensor<2x9x24xf32> {
  %n = icl.layer_norm %x gamma(%g) : (tensor<2x9x24xf32>, tensor<24xf32>) -> tensor<2x9x24xf32>
  %h = icl.linear %n, %w : (tensor<2x9x24xf32>, tensor<24x24xf32>) -> tensor<2x9x24xf32>
  %a = icl.activation %h {kind = #icl.activation<gelu>} : tensor<2x9x24xf32>
  %s = icl.softmax %a : tensor<2x9x24xf32>
  return %s : tensor<2x9x24xf32>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto inputs = ref::randomInputs(*findEntryFunction(*p->module, ""), 5);
  ASSERT_TRUE(static_cast<bool>(inputs));
  auto f64 = run(*p, *inputs, ref::Precision::F64);
  auto f32 = run(*p, *inputs, ref::Precision::F32);
  ASSERT_TRUE(static_cast<bool>(f64) && static_cast<bool>(f32));
  double diff = maxAbsDiff((*f64)[0], (*f32)[0]);
  EXPECT_LT(diff, 1e-5);
  // f32 mode really computes in f32: both round to the f32 result type, so
  // only f32 arithmetic on the way makes them differ.
  EXPECT_GT(diff, 0.0);
}

//===----------------------------------------------------------------------===//
// Errors at run time
//===----------------------------------------------------------------------===//

TEST(EvaluatorTest, OutOfRangeTokenIdIsAnError) {
  const char *ir = R"mlir(
func.func @f(%t: tensor<4x3xf32>, %ids: tensor<1x2xi64>) -> tensor<1x2x3xf32> {
  %e = icl.embedding %t, %ids : (tensor<4x3xf32>, tensor<1x2xi64>) -> tensor<1x2x3xf32>
  return %e : tensor<1x2x3xf32>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  HostArray table = HostArray::fromDouble(DType::F32, {4, 3}, std::vector<double>(12, 1.0));
  HostArray ids = HostArray::fromInt64(DType::I64, {1, 2}, {1, 4});
  auto out = run(*p, {table, ids});
  ASSERT_FALSE(static_cast<bool>(out));
  std::string message = llvm::toString(out.takeError());
  EXPECT_NE(message.find("test.mlir:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("icl.embedding"), std::string::npos) << message;
  EXPECT_NE(message.find("4"), std::string::npos) << message;
}

// Scalar integer arithmetic as MLIR defines it (looped models compute step
// counts with it): floor/ceil division of negatives, narrow types wrapping,
// unsigned comparisons, and a division by zero as an error.
TEST(EvaluatorTest, IntegerScalarsFollowArithSemantics) {
  const char *ir = R"mlir(
func.func @f(%a: tensor<i64>, %b: tensor<i64>) -> tensor<8xi64> {
  %x = tensor.extract %a[] : tensor<i64>
  %y = tensor.extract %b[] : tensor<i64>
  %fl = arith.floordivsi %x, %y : i64
  %ce = arith.ceildivsi %x, %y : i64
  %rm = arith.remsi %x, %y : i64
  %n8 = arith.trunci %x : i64 to i8
  %c100 = arith.constant 100 : i8
  %s8 = arith.addi %n8, %c100 : i8
  %w = arith.extsi %s8 : i8 to i64
  %lt = arith.cmpi ult, %x, %y : i64
  %ltw = arith.extui %lt : i1 to i64
  %sel = arith.select %lt, %x, %y : i64
  %ge = arith.cmpi sge, %x, %y : i64
  %ges = arith.extsi %ge : i1 to i64
  %gef = arith.sitofp %ge : i1 to f32
  %gefi = arith.fptosi %gef : f32 to i64
  %r = tensor.from_elements %fl, %ce, %rm, %w, %ltw, %sel, %ges, %gefi : tensor<8xi64>
  return %r : tensor<8xi64>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto scalar = [](int64_t v) { return HostArray::fromInt64(DType::I64, {}, {v}); };
  auto out = run(*p, {scalar(-7), scalar(2)});
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  // -7 floordiv 2 = -4, ceildiv = -3, rem = -1; i8(-7) + 100 = 93; -7 as
  // unsigned is not below 2; the select takes 2; -7 >= 2 is false.
  EXPECT_EQ((*out)[0].toInt64(), (std::vector<int64_t>{-4, -3, -1, 93, 0, 2, 0, 0}));
  out = run(*p, {scalar(60), scalar(7)});
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  // i8(60) + 100 = 160 wraps to -96; true as a signed i1 is -1.
  EXPECT_EQ((*out)[0].toInt64(), (std::vector<int64_t>{8, 9, 4, -96, 0, 7, -1, -1}));
  auto zero = run(*p, {scalar(5), scalar(0)});
  ASSERT_FALSE(static_cast<bool>(zero));
  EXPECT_NE(llvm::toString(zero.takeError()).find("divides 5 by 0"), std::string::npos);
}

// An scf.for whose bound is an argument runs that many steps; a negative
// bound runs none (scf semantics), and a loop with step 0 is an error.
TEST(EvaluatorTest, ForLoopRunsItsTripCount) {
  const char *ir = R"mlir(
func.func @f(%x: tensor<3xf64>, %k: tensor<i64>, %s: tensor<i64>) -> tensor<3xf64> {
  %c0 = arith.constant 0 : index
  %kk = tensor.extract %k[] : tensor<i64>
  %n = arith.index_cast %kk : i64 to index
  %ss = tensor.extract %s[] : tensor<i64>
  %step = arith.index_cast %ss : i64 to index
  %two = arith.constant dense<2.0> : tensor<3xf64>
  %r = scf.for %i = %c0 to %n step %step iter_args(%e = %x) -> (tensor<3xf64>) {
    %d = arith.mulf %e, %two : tensor<3xf64>
    scf.yield %d : tensor<3xf64>
  }
  return %r : tensor<3xf64>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto scalar = [](int64_t v) { return HostArray::fromInt64(DType::I64, {}, {v}); };
  HostArray x = HostArray::fromDouble(DType::F64, {3}, {1.0, -0.5, 3.0});
  for (auto [k, step, factor] : {std::tuple{5, 1, 32.0}, std::tuple{5, 2, 8.0},
                                 std::tuple{0, 1, 1.0}, std::tuple{-3, 1, 1.0}}) {
    auto out = run(*p, {x, scalar(k), scalar(step)});
    ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
    EXPECT_EQ((*out)[0].toDouble(), (std::vector<double>{factor, -0.5 * factor, 3.0 * factor}))
        << "k = " << k << ", step = " << step;
  }
  auto stuck = run(*p, {x, scalar(4), scalar(0)});
  ASSERT_FALSE(static_cast<bool>(stuck));
  EXPECT_NE(llvm::toString(stuck.takeError()).find("a loop's step must be positive"),
            std::string::npos);
}

TEST(EvaluatorTest, WrongInputShapeIsAnError) {
  const char *ir = R"mlir(
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
)mlir";
  auto p = parse(ir);
  ASSERT_TRUE(p->module);
  auto out = run(*p, {HostArray::fromDouble(DType::F32, {3, 2}, std::vector<double>(6, 0.0))});
  ASSERT_FALSE(static_cast<bool>(out));
  std::string message = llvm::toString(out.takeError());
  EXPECT_NE(message.find("[3, 2]"), std::string::npos) << message;
  EXPECT_NE(message.find("tensor<2x3xf32>"), std::string::npos) << message;
}

class WeightsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("icl-weights", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(llvm::StringRef name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  llvm::SmallString<128> dir;
};

TEST_F(WeightsTest, ReadsExternalWeightsAndReportsMismatches) {
  HostArray w = HostArray::fromDouble(DType::BF16, {2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_FALSE(static_cast<bool>(writeSafeTensors(path("w.safetensors"), {{"layer.w", w}})));
  auto module = [&](const char *name, const char *type) {
    return llvm::formatv(R"mlir(
module attributes {{icl.weights_file = "{0}"} {{
  func.func @f() -> {2} {{
    %w = icl.weight "{1}" : {2}
    return %w : {2}
  }
})mlir", path("w.safetensors"), name, type).str();
  };
  auto good = parse(module("layer.w", "tensor<2x3xf32>"));
  ASSERT_TRUE(good->module);
  auto out = run(*good, {});
  ASSERT_TRUE(static_cast<bool>(out)) << llvm::toString(out.takeError());
  EXPECT_EQ((*out)[0].toDouble(), (std::vector<double>{1, 2, 3, 4, 5, 6}));

  auto missing = parse(module("layer.b", "tensor<2x3xf32>"));
  auto err = run(*missing, {});
  ASSERT_FALSE(static_cast<bool>(err));
  std::string message = llvm::toString(err.takeError());
  EXPECT_NE(message.find("layer.b"), std::string::npos) << message;

  auto wrongShape = parse(module("layer.w", "tensor<3x2xf32>"));
  err = run(*wrongShape, {});
  ASSERT_FALSE(static_cast<bool>(err));
  message = llvm::toString(err.takeError());
  EXPECT_NE(message.find("[2, 3]"), std::string::npos) << message;
}

TEST_F(WeightsTest, TruncatedWeightsFileIsAnError) {
  HostArray w = HostArray::fromDouble(DType::F32, {4, 4}, std::vector<double>(16, 0.5));
  ASSERT_FALSE(static_cast<bool>(writeSafeTensors(path("w.safetensors"), {{"w", w}})));
  std::filesystem::path file = path("w.safetensors");
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 10);
  auto p = parse(llvm::formatv(R"mlir(
func.func @f() -> tensor<4x4xf32> {{
  %w = icl.weight "w" from "{0}" : tensor<4x4xf32>
  return %w : tensor<4x4xf32>
})mlir", path("w.safetensors")).str());
  ASSERT_TRUE(p->module);
  auto err = run(*p, {});
  ASSERT_FALSE(static_cast<bool>(err));
  std::string message = llvm::toString(err.takeError());
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

} // namespace
