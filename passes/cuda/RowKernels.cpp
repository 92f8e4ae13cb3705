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
  Value blockSum(Value x);

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

Value RowNormBuilder::blockSum(Value x) {
  for (int64_t mask = 16; mask >= 1; mask /= 2)
    x = kb.addf(x, kb.shuffleXor(x, mask));
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
    total = kb.addf(total, memref::LoadOp::create(b, kb.loc, shared, kb.index(w)));
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
  Value base = kb.mul(row, kb.index(width));

  // Where each access starts, and whether it lies in the row.
  SmallVector<Value> starts, valid;
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
  if (config.center) {
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

  auto vectorType = VectorType::get({v}, config.element);
  for (int64_t a = 0; a < accesses; ++a) {
    auto store = [&] {
      SmallVector<Value> gamma, beta;
      if (config.hasGamma)
        gamma = load(args["gamma"], starts[a], nullptr);
      if (config.hasBeta)
        beta = load(args["beta"], starts[a], nullptr);
      SmallVector<Value> y;
      for (int64_t i = 0; i < v; ++i) {
        Value e = kb.mulf(x[a][i], inv);
        if (config.hasGamma)
          e = kb.mulf(e, gamma[i]);
        if (config.hasBeta)
          e = kb.addf(e, beta[i]);
        y.push_back(config.element.isF32()
                        ? e
                        : Value(arith::TruncFOp::create(b, loc, config.element, e)));
      }
      Value at = kb.add(base, starts[a]);
      if (v == 1) {
        memref::StoreOp::create(b, loc, y[0], args["out"], at);
        return;
      }
      Value vec = vector::FromElementsOp::create(b, loc, vectorType, y);
      vector::StoreOp::create(b, loc, vec, args["out"], at, /*nontemporal=*/false,
                              llvm::Align(16));
    };
    if (valid[a])
      kb.ifThen(valid[a], store);
    else
      store();
  }
  gpu::ReturnOp::create(b, loc);
}

} // namespace

RowNormConfig::RowNormConfig(Type element, int64_t width, bool center, bool hasGamma,
                             bool hasBeta)
    : element(element), width(width), center(center), hasGamma(hasGamma), hasBeta(hasBeta) {
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
    return module.emitError() << "no row norm kernel for " << element << " rows of "
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
  arguments.append({{"out", elements}, {"eps", b.getF32Type()}});
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto perWarp = MemRefType::get({config.threads / 32}, b.getF32Type(),
                                 MemRefLayoutAttrInterface(), workgroup);
  KernelLaunchSpec spec = createKernel(b, module, "icl_row_norm", arguments, {perWarp},
                                       config.threads);
  spec.rowsPerBlock = 1;
  KernelBuilder kb(b, module.getLoc(), spec.func.front(), element);
  NamedArguments args(spec.func, spec.arguments);
  RowNormBuilder(config, kb, args, spec.func.getWorkgroupAttributions()[0]).build();
  return spec;
}
