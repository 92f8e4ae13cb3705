//===- ScanKernels.cpp - icl's selective-scan kernel ----------------------===//
//
// @icl_selective_scan, for a block of T threads: thread c of the grid
// (c < batch·channels) takes batch b = c / D and channel d = c mod D of group
// g = d / (D/G); its state h[0..N) lives in registers (the loop over n is
// unrolled), with A[d, :], δ_bias[d] and D[d] read once. For t = 0..L−1:
//   Δ = δ[b,d,t] (+ δ_bias[d]), softplus'd if asked;
//   h[n] = exp(Δ·A[d,n])·h[n] + Δ·u[b,d,t]·B[b,g,n,t];  y = Σ_n h[n]·C[b,g,n,t]
//   (+ D[d]·u[b,d,t]) (· silu(z[b,d,t])), stored narrowed to y[b,d,t].
// Then h is stored as the final state [b, d, :] if asked. Arithmetic is f32.
// The threads of a group read the same B and C elements (one transaction),
// and a warp's u, δ, z and y accesses are L elements apart: each touches
// one cache line per thread, which its next steps reuse from L1.
//
//===----------------------------------------------------------------------===//

#include "passes/cuda/ScanKernels.h"
#include "passes/cuda/KernelBuilder.h"

#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::icl;

FailureOr<KernelLaunchSpec> mlir::icl::buildSelectiveScan(gpu::GPUModuleOp module,
                                                          const SelectiveScanConfig &c) {
  Type element = c.element;
  if (!(element.isF32() || element.isBF16() || element.isF16()) || c.batch < 1 ||
      c.channels < 1 || c.state < 1 || c.state > SelectiveScanConfig::maxState ||
      c.length < 1 || c.groups < 1 || c.channels % c.groups || c.threads % 32 ||
      c.threads < 32 || c.threads > 1024)
    return module.emitError() << "no selective-scan kernel for " << element << " with "
                              << c.channels << " channels, state " << c.state << ", "
                              << c.groups << " groups";
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto elements = MemRefType::get({ShapedType::kDynamic}, element);
  SmallVector<KernelArgument> arguments = {
      {"u", elements}, {"delta", elements}, {"A", elements}, {"B", elements}, {"C", elements}};
  if (c.hasD)
    arguments.push_back({"D", elements});
  if (c.hasZ)
    arguments.push_back({"z", elements});
  if (c.hasDeltaBias)
    arguments.push_back({"delta_bias", elements});
  if (c.hasInitialState)
    arguments.push_back({"initial_state", elements});
  arguments.push_back({"out", elements});
  if (c.hasFinalState)
    arguments.push_back({"final_state", elements});
  KernelLaunchSpec spec = createKernel(b, module, "icl_selective_scan", arguments, {}, c.threads);
  spec.rowsPerBlock = c.threads;
  KernelBuilder kb(b, module.getLoc(), spec.func.front(), element);
  NamedArguments args(spec.func, spec.arguments);
  Location loc = kb.loc;
  Type f32 = b.getF32Type();
  auto load = [&](StringRef name, Value at) -> Value {
    Value x = memref::LoadOp::create(b, loc, args[name], at);
    return x.getType() == f32 ? x : arith::ExtFOp::create(b, loc, f32, x).getResult();
  };
  auto store = [&](Value x, StringRef name, Value at) {
    if (element != f32)
      x = arith::TruncFOp::create(b, loc, element, x);
    memref::StoreOp::create(b, loc, x, args[name], at);
  };

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value channel = kb.add(kb.mul(block, kb.index(c.threads)), tid); // b·D + d
  Value inRange = kb.cmpi(arith::CmpIPredicate::ult, channel, kb.index(c.batch * c.channels));
  kb.ifThen(inRange, [&] {
    Value bi = kb.divui(channel, kb.index(c.channels));
    Value d = kb.remui(channel, kb.index(c.channels));
    Value g = kb.divui(d, kb.index(c.channels / c.groups));
    Value rowBase = kb.mul(channel, kb.index(c.length));                     // [b, d, 0]
    Value bcBase = kb.mul(kb.add(kb.mul(bi, kb.index(c.groups)), g),
                          kb.index(c.state * c.length));                     // [b, g, 0, 0]
    Value stateBase = kb.mul(channel, kb.index(c.state));                    // [b, d, 0]
    SmallVector<Value> a, h;
    for (int64_t n = 0; n < c.state; ++n) {
      a.push_back(load("A", kb.add(kb.mul(d, kb.index(c.state)), kb.index(n))));
      h.push_back(c.hasInitialState ? load("initial_state", kb.add(stateBase, kb.index(n)))
                                    : kb.f32(0.0));
    }
    Value bias = c.hasDeltaBias ? load("delta_bias", d) : Value();
    Value skip = c.hasD ? load("D", d) : Value();
    SmallVector<Value> last = kb.forLoop(
        kb.index(0), kb.index(c.length), kb.index(1), h,
        [&](Value t, ValueRange carried) -> SmallVector<Value> {
          Value at = kb.add(rowBase, t);
          Value u = load("u", at);
          Value delta = load("delta", at);
          if (bias)
            delta = kb.addf(delta, bias);
          if (c.softplus)
            delta = detail::activate(b, loc, Activation::softplus, delta);
          Value du = kb.mulf(delta, u);
          Value y = kb.f32(0.0);
          SmallVector<Value> next;
          for (int64_t n = 0; n < c.state; ++n) {
            Value bc = kb.add(kb.add(bcBase, kb.index(n * c.length)), t);
            Value decay = math::ExpOp::create(b, loc, kb.mulf(delta, a[n]));
            Value hn = kb.fma(decay, carried[n], kb.mulf(du, load("B", bc)));
            next.push_back(hn);
            y = kb.fma(hn, load("C", bc), y);
          }
          if (skip)
            y = kb.fma(skip, u, y);
          if (c.hasZ)
            y = kb.mulf(y, detail::activate(b, loc, Activation::silu, load("z", at)));
          store(y, "out", at);
          return next;
        });
    if (c.hasFinalState)
      for (int64_t n = 0; n < c.state; ++n)
        store(last[n], "final_state", kb.add(stateBase, kb.index(n)));
  });
  gpu::ReturnOp::create(b, loc);
  return spec;
}
