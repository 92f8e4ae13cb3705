//===- RowKernels.cpp - icl's row kernels: norms, one block per row -------===//
//
// @icl_row_norm, for one row per block of T threads and accesses of V
// elements (16 bytes, or 1 element when the width is no multiple of V):
//
//   access a of thread t covers elements [(t + a·T)·V, +V) of the row, for
//   a < A = ceil(width / V / T); accesses past the row (the last thread's,
//   when T·A·V > width) read the row's first V elements and count as zeros.
//   1. every thread loads its A accesses into registers, widened to f32;
//   2. block sum (warp xor-shuffles, then one f32 per warp through shared
//      memory, read back by every thread): mean = Σx / width (layer norm);
//   3. block sum of (x − mean)² (layer norm) or x² (RMS): the variance or
//      mean square; inv = 1 / sqrt(· + eps) (sqrt.rn, div.rn);
//   4. y = (x − mean)·inv [·γ] [+β], narrowed and stored, V at a time.
//
// @icl_row_softmax has the same layout: block max M, then e = exp(x − M)
// (0 past the row, and everywhere when M = −∞), block sum S, y = e / S.
//
//===----------------------------------------------------------------------===//

#include "passes/cuda/RowKernels.h"
#include "passes/cuda/KernelBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::icl;

namespace {

int64_t bytesOf(Type element) { return element.getIntOrFloatBitWidth() / 8; }

class RowNormBuilder {
public:
  RowNormBuilder(const RowNormConfig &config, KernelBuilder &kb, const NamedArguments &args,
                 Value shared)
      : config(config), kb(kb), args(args), shared(shared) {}

  void build();

private:
  /// The f32 values of access `a` of this thread (zeros past the row).
  SmallVector<Value> load(Value memref, Value start, Value valid);
  /// Σ `x` over the block, in every thread.
  Value blockSum(Value x) {
    return blockReduce(x, [&](Value a, Value b) { return kb.addf(a, b); });
  }
  /// `x` combined over the block by `combine`, in every thread.
  Value blockReduce(Value x, function_ref<Value(Value, Value)> combine);
  void buildNorm();
  void buildSoftmax();
  /// Stores row values `y` (f32) of access `a`, narrowed, when it lies in
  /// the row.
  void store(int64_t a, ArrayRef<Value> y);

  SmallVector<Value> starts, valid;
  Value base;

  const RowNormConfig &config;
  KernelBuilder &kb;
  const NamedArguments &args;
  /// One f32 per warp.
  Value shared;
  Value tid;
};

SmallVector<Value> RowNormBuilder::load(Value memref, Value start, Value valid) {
  OpBuilder &b = kb.b;
  Type f32 = b.getF32Type();
  int64_t v = config.vectorWidth;
  SmallVector<Value> values;
  if (v == 1) {
    Value x = memref::LoadOp::create(b, kb.loc, memref, start);
    values.push_back(x.getType() == f32 ? x : arith::ExtFOp::create(b, kb.loc, f32, x));
  } else {
    auto type = VectorType::get({v}, config.element);
    Value vec = vector::LoadOp::create(b, kb.loc, type, memref, ValueRange{start},
                                       /*nontemporal=*/false, llvm::Align(16));
    for (int64_t i = 0; i < v; ++i) {
      Value x = vector::ExtractOp::create(b, kb.loc, vec, i);
      values.push_back(x.getType() == f32 ? x : arith::ExtFOp::create(b, kb.loc, f32, x));
    }
  }
  if (valid)
    for (Value &x : values)
      x = kb.select(valid, x, kb.f32(0.0));
  return values;
}

Value RowNormBuilder::blockReduce(Value x, function_ref<Value(Value, Value)> combine) {
  for (int64_t mask = 16; mask >= 1; mask /= 2)
    x = combine(x, kb.shuffleXor(x, mask));
  int64_t warps = config.threads / 32;
  if (warps == 1)
    return x;
  OpBuilder &b = kb.b;
  Value lane = kb.remui(tid, kb.index(32)), warp = kb.divui(tid, kb.index(32));
  kb.ifThen(kb.cmpi(arith::CmpIPredicate::eq, lane, kb.index(0)),
            [&] { memref::StoreOp::create(b, kb.loc, x, shared, warp); });
  gpu::BarrierOp::create(b, kb.loc);
  Value total = memref::LoadOp::create(b, kb.loc, shared, kb.index(0));
  for (int64_t w = 1; w < warps; ++w)
    total = combine(total, memref::LoadOp::create(b, kb.loc, shared, kb.index(w)));
  // The buffer is written again by the next sum.
  gpu::BarrierOp::create(b, kb.loc);
  return total;
}

void RowNormBuilder::build() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  int64_t width = config.width, v = config.vectorWidth, threads = config.threads;
  int64_t accesses = config.accessesPerThread(), chunks = width / v;
  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value row = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  base = kb.mul(row, kb.index(width));

  // Where each access starts, and whether it lies in the row.
  for (int64_t a = 0; a < accesses; ++a) {
    Value chunk = kb.add(tid, kb.index(a * threads));
    Value inRow;
    if ((a + 1) * threads > chunks) {
      inRow = kb.cmpi(arith::CmpIPredicate::ult, chunk, kb.index(chunks));
      chunk = kb.select(inRow, chunk, kb.index(0));
    }
    starts.push_back(kb.mul(chunk, kb.index(v)));
    valid.push_back(inRow);
  }
  if (config.kind == RowKind::Softmax)
    buildSoftmax();
  else
    buildNorm();
  gpu::ReturnOp::create(b, loc);
}

void RowNormBuilder::store(int64_t a, ArrayRef<Value> y) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  int64_t v = config.vectorWidth;
  auto write = [&] {
    SmallVector<Value> narrow;
    for (Value e : y)
      narrow.push_back(config.element.isF32()
                           ? e
                           : Value(arith::TruncFOp::create(b, loc, config.element, e)));
    Value at = kb.add(base, starts[a]);
    if (v == 1) {
      memref::StoreOp::create(b, loc, narrow[0], args["out"], at);
      return;
    }
    Value vec = vector::FromElementsOp::create(b, loc, VectorType::get({v}, config.element), narrow);
    vector::StoreOp::create(b, loc, vec, args["out"], at, /*nontemporal=*/false, llvm::Align(16));
  };
  if (valid[a])
    kb.ifThen(valid[a], write);
  else
    write();
}

void RowNormBuilder::buildSoftmax() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  int64_t accesses = config.accessesPerThread();
  double ninf = -std::numeric_limits<double>::infinity();
  SmallVector<SmallVector<Value>> x;
  for (int64_t a = 0; a < accesses; ++a) {
    x.push_back(load(args["x"], kb.add(base, starts[a]), nullptr));
    if (valid[a])
      for (Value &value : x[a])
        value = kb.select(valid[a], value, kb.f32(ninf));
  }
  auto maximum = [&](Value p, Value q) -> Value { return arith::MaximumFOp::create(b, loc, p, q); };
  Value top = kb.f32(ninf);
  for (ArrayRef<Value> values : x)
    for (Value value : values)
      top = maximum(top, value);
  top = blockReduce(top, maximum);
  // exp(−∞ − −∞) would be NaN: a row of −∞ gives zeros (and so does every
  // value past the row, whose −∞ gives exp = 0).
  Value allMasked = kb.cmpf(arith::CmpFPredicate::OEQ, top, kb.f32(ninf));
  Value sum = kb.f32(0.0);
  for (SmallVector<Value> &values : x)
    for (Value &value : values) {
      value = kb.select(allMasked, kb.f32(0.0),
                        math::ExpOp::create(b, loc, kb.subf(value, top)).getResult());
      sum = kb.addf(sum, value);
    }
  sum = blockSum(sum);
  Value isZero = kb.cmpf(arith::CmpFPredicate::OEQ, sum, kb.f32(0.0));
  Value inv = kb.select(isZero, kb.f32(0.0), kb.divf(kb.f32(1.0), sum));
  for (int64_t a = 0; a < accesses; ++a) {
    SmallVector<Value> y;
    for (Value value : x[a])
      y.push_back(kb.mulf(value, inv));
    store(a, y);
  }
}

void RowNormBuilder::buildNorm() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  int64_t width = config.width, v = config.vectorWidth;
  int64_t accesses = config.accessesPerThread();
  SmallVector<SmallVector<Value>> x;
  for (int64_t a = 0; a < accesses; ++a)
    x.push_back(load(args["x"], kb.add(base, starts[a]), valid[a]));

  auto sumOf = [&](function_ref<Value(Value)> term) {
    Value sum = kb.f32(0.0);
    for (int64_t a = 0; a < accesses; ++a)
      for (Value value : x[a])
        sum = kb.addf(sum, term(value));
    return sum;
  };
  Value invWidth = kb.f32(1.0 / static_cast<double>(width));
  Value mean;
  if (config.kind == RowKind::LayerNorm) {
    mean = kb.mulf(blockSum(sumOf([](Value e) { return e; })), invWidth);
    // Centred values; accesses past the row stay zero.
    for (int64_t a = 0; a < accesses; ++a)
      for (Value &value : x[a]) {
        value = kb.subf(value, mean);
        if (valid[a])
          value = kb.select(valid[a], value, kb.f32(0.0));
      }
  }
  Value meanSquare = kb.mulf(blockSum(sumOf([&](Value e) { return kb.mulf(e, e); })), invWidth);
  Value root = kb.sqrt(kb.addf(meanSquare, args["eps"]));
  Value inv = kb.divf(kb.f32(1.0), root);

  for (int64_t a = 0; a < accesses; ++a) {
    // (An access past the row reads γ's and β's first elements, unused.)
    SmallVector<Value> gamma, beta, y;
    if (config.hasGamma)
      gamma = load(args["gamma"], starts[a], nullptr);
    if (config.hasBeta)
      beta = load(args["beta"], starts[a], nullptr);
    for (int64_t i = 0; i < v; ++i) {
      Value e = kb.mulf(x[a][i], inv);
      if (config.hasGamma)
        e = kb.mulf(e, gamma[i]);
      if (config.hasBeta)
        e = kb.addf(e, beta[i]);
      y.push_back(e);
    }
    store(a, y);
  }
}

} // namespace

RowNormConfig::RowNormConfig(Type element, int64_t width, RowKind kind, bool hasGamma,
                             bool hasBeta)
    : element(element), width(width), kind(kind), hasGamma(hasGamma), hasBeta(hasBeta) {
  int64_t v = element.isIntOrFloat() && element.getIntOrFloatBitWidth() >= 8
                  ? 16 / bytesOf(element)
                  : 1;
  vectorWidth = width > 0 && width % v == 0 ? v : 1;
  int64_t chunks = width > 0 ? width / vectorWidth : 0;
  threads = std::clamp<int64_t>(llvm::alignTo(llvm::divideCeil(chunks, 4), 32), 32, 1024);
}

int64_t RowNormConfig::accessesPerThread() const {
  return llvm::divideCeil(width / vectorWidth, threads);
}

FailureOr<KernelLaunchSpec> mlir::icl::buildRowNorm(gpu::GPUModuleOp module,
                                                    const RowNormConfig &config) {
  Type element = config.element;
  if (!(element.isF32() || element.isBF16() || element.isF16()) || config.width < 1 ||
      config.threads % 32 || config.threads < 32 || config.threads > 1024 ||
      config.vectorWidth < 1 || config.width % config.vectorWidth ||
      config.accessesPerThread() * config.vectorWidth > RowNormConfig::maxValuesPerThread)
    return module.emitError() << "no row kernel for " << element << " rows of "
                              << config.width << " elements on " << config.threads
                              << " threads";
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto elements = MemRefType::get({ShapedType::kDynamic}, element);
  SmallVector<KernelArgument> arguments = {{"x", elements}};
  if (config.hasGamma)
    arguments.push_back({"gamma", elements});
  if (config.hasBeta)
    arguments.push_back({"beta", elements});
  arguments.push_back({"out", elements});
  if (config.kind != RowKind::Softmax)
    arguments.push_back({"eps", b.getF32Type()});
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto perWarp = MemRefType::get({config.threads / 32}, b.getF32Type(),
                                 MemRefLayoutAttrInterface(), workgroup);
  KernelLaunchSpec spec =
      createKernel(b, module, config.kind == RowKind::Softmax ? "icl_row_softmax" : "icl_row_norm",
                   arguments, {perWarp}, config.threads);
  spec.rowsPerBlock = 1;
  KernelBuilder kb(b, module.getLoc(), spec.func.front(), element);
  NamedArguments args(spec.func, spec.arguments);
  RowNormBuilder(config, kb, args, spec.func.getWorkgroupAttributions()[0]).build();
  return spec;
}
