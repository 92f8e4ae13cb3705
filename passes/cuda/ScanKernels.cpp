//===- ScanKernels.cpp - icl's selective-scan kernel ----------------------===//
//
// @icl_selective_scan, for a block of T threads: thread c of the grid
// (c < batch·channels) takes batch b = c / D and channel d = c mod D of group
// g = d / (D/G); its state h[0..N) lives in registers (the loop over n is
// unrolled), with A[d, :]·log2 e, δ_bias[d] and D[d] read once. For t = 0..L−1:
//   Δ = δ[b,d,t] (+ δ_bias[d]), softplus'd if asked (on the SFUs, as silu);
//   h[n] = 2^(Δ·A[d,n]·log2 e)·h[n] + Δ·u[b,d,t]·B[b,g,n,t];  y = Σ_n h[n]·C[b,g,n,t]
//   (+ D[d]·u[b,d,t]) (· silu(z[b,d,t])), rounded once to y[b,d,t].
// Then h is stored as the final state [b, d, :] if asked. Arithmetic is f32.
// The sequence goes by tiles of `tile` steps: the block copies the u, δ and z
// of its T rows for the tile into shared memory (a warp reading consecutive
// steps of a row: coalesced), each thread runs the tile's steps from there
// and writes y over u, and the block copies the tile's y out the same way.
// Rows are padded in shared memory so that the threads' reads of one step
// fall in different banks. Where the block's rows share a batch and group
// (the block size divides the channels of a group: 128, 64 or 32 threads),
// the block stages the tile's B and C too, as [step, n] in f32, which every
// thread then reads at the same address (a broadcast); otherwise the threads
// of a group read the same B and C elements from global memory.
//===----------------------------------------------------------------------===//

#include "passes/cuda/ScanKernels.h"
#include "passes/cuda/KernelBuilder.h"


#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/MathExtras.h"

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
  // u, δ (and z) of a tile, y written over u: [threads, tileStride] each.
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto tileType = MemRefType::get({c.threads * c.tileStride()}, element,
                                  MemRefLayoutAttrInterface(), workgroup);
  SmallVector<Type> tiles(c.hasZ ? 3 : 2, tileType);
  // B and C of a tile, [tile, state] in f32, where the block stages them.
  const bool stageBC = c.stagesBC();
  if (stageBC)
    tiles.append(2, MemRefType::get({c.tile() * c.state}, b.getF32Type(),
                                    MemRefLayoutAttrInterface(), workgroup));
  KernelLaunchSpec spec =
      createKernel(b, module, "icl_selective_scan", arguments, tiles, c.threads);
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

  // The block's rows (b·D + d) are staged through shared memory a tile of
  // `tile` steps at a time, so that global reads and writes run along L.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value first = kb.mul(block, kb.index(c.threads));
  int64_t rows = c.batch * c.channels;
  // Clamped: threads past the last row compute on row rows-1 and store nothing.
  Value channel = kb.minsi(kb.add(first, tid), kb.index(rows - 1));
  Value bi = kb.divui(channel, kb.index(c.channels));
  Value d = kb.remui(channel, kb.index(c.channels));
  Value g = kb.divui(d, kb.index(c.channels / c.groups));
  Value bcBase = kb.mul(kb.add(kb.mul(bi, kb.index(c.groups)), g),
                        kb.index(c.state * c.length));                     // [b, g, 0, 0]
  Value stateBase = kb.mul(channel, kb.index(c.state));                    // [b, d, 0]
  Value valid = kb.cmpi(arith::CmpIPredicate::ult, kb.add(first, tid), kb.index(rows));
  // On the SFUs (ex2/lg2.approx, relative error about 2^-22): softplus(x) =
  // ln 2 · log2(1 + 2^(x·log2 e)), x itself above 20; silu(z) = z / (1 + 2^(−z·log2 e)).
  auto softplus = [&](Value x) {
    Value grown = kb.ex2(kb.mulf(x, kb.f32(llvm::numbers::log2e)));
    Value soft = kb.mulf(kb.lg2(kb.addf(kb.f32(1.0), grown)), kb.f32(llvm::numbers::ln2));
    return kb.select(kb.cmpf(arith::CmpFPredicate::OGT, x, kb.f32(20.0)), x, soft);
  };
  auto silu = [&](Value z) {
    return kb.divf(z, kb.addf(kb.f32(1.0), kb.ex2(kb.mulf(z, kb.f32(-llvm::numbers::log2e)))));
  };
  // exp(Δ·A) as 2^(Δ·A·log2 e).
  SmallVector<Value> a, h;
  for (int64_t n = 0; n < c.state; ++n) {
    a.push_back(kb.mulf(load("A", kb.add(kb.mul(d, kb.index(c.state)), kb.index(n))),
                        kb.f32(llvm::numbers::log2e)));
    h.push_back(c.hasInitialState ? load("initial_state", kb.add(stateBase, kb.index(n)))
                                  : kb.f32(0.0));
  }
  Value bias = c.hasDeltaBias ? load("delta_bias", d) : Value();
  Value skip = c.hasD ? load("D", d) : Value();

  const int64_t tile = c.tile(), stride = c.tileStride();
  auto staged = spec.func.getWorkgroupAttributions();
  Value su = staged[0], sdelta = staged[1], sz = c.hasZ ? Value(staged[2]) : Value();
  Value sB = stageBC ? Value(staged[staged.size() - 2]) : Value();
  Value sC = stageBC ? Value(staged.back()) : Value();
  // The B and C rows [b, g, :, :] of the block's first row (all its rows'
  // where it stages them).
  Value blockBC;
  if (stageBC) {
    Value bb = kb.divui(first, kb.index(c.channels));
    Value gb = kb.divui(kb.remui(first, kb.index(c.channels)), kb.index(c.channels / c.groups));
    blockBC = kb.mul(kb.add(kb.mul(bb, kb.index(c.groups)), gb), kb.index(c.state * c.length));
  }
  // Every (row, step) of the tile: thread i of the block takes elements
  // i, i + threads, ... in row-major order, a warp reading consecutive steps.
  auto forTile = [&](Value t0, function_ref<void(Value at, Value slot)> body) {
    for (int64_t k = 0; k < tile; ++k) {
      Value i = kb.add(kb.index(k * c.threads), tid);
      Value r = kb.divui(i, kb.index(tile)), t = kb.remui(i, kb.index(tile));
      Value row = kb.add(first, r), step = kb.add(t0, t);
      Value inside = kb.andi(kb.cmpi(arith::CmpIPredicate::ult, row, kb.index(rows)),
                             kb.cmpi(arith::CmpIPredicate::ult, step, kb.index(c.length)));
      kb.ifThen(inside, [&] {
        body(kb.add(kb.mul(row, kb.index(c.length)), step),
             kb.add(kb.mul(r, kb.index(stride)), t));
      });
    }
  };
  auto copy = [&](StringRef name, Value to, Value at, Value slot) {
    memref::StoreOp::create(b, loc, memref::LoadOp::create(b, loc, args[name], at), to, slot);
  };
  auto loadStaged = [&](Value buffer, Value slot) -> Value {
    Value x = memref::LoadOp::create(b, loc, buffer, slot);
    return x.getType() == f32 ? x : arith::ExtFOp::create(b, loc, f32, x).getResult();
  };
  SmallVector<Value> last = kb.forLoop(
      kb.index(0), kb.index(c.length), kb.index(tile), h,
      [&](Value t0, ValueRange carriedTile) -> SmallVector<Value> {
        forTile(t0, [&](Value at, Value slot) {
          copy("u", su, at, slot);
          copy("delta", sdelta, at, slot);
          if (sz)
            copy("z", sz, at, slot);
        });
        // B and C [n, t0 + t] (reads along t) to [t, n], in f32.
        for (int64_t k = 0; stageBC && k * c.threads < tile * c.state; ++k) {
          Value i = kb.add(kb.index(k * c.threads), tid);
          Value n = kb.divui(i, kb.index(tile)), t = kb.remui(i, kb.index(tile));
          Value step = kb.add(t0, t);
          Value inside = kb.andi(kb.cmpi(arith::CmpIPredicate::ult, i, kb.index(tile * c.state)),
                                 kb.cmpi(arith::CmpIPredicate::ult, step, kb.index(c.length)));
          kb.ifThen(inside, [&] {
            Value at = kb.add(kb.add(blockBC, kb.mul(n, kb.index(c.length))), step);
            Value slot = kb.add(kb.mul(t, kb.index(c.state)), n);
            memref::StoreOp::create(b, loc, load("B", at), sB, slot);
            memref::StoreOp::create(b, loc, load("C", at), sC, slot);
          });
        }
        gpu::BarrierOp::create(b, loc);
        Value steps = kb.minsi(kb.index(tile), kb.sub(kb.index(c.length), t0));
        Value mine = kb.mul(tid, kb.index(stride));
        SmallVector<Value> next = kb.forLoop(
            kb.index(0), steps, kb.index(1), carriedTile,
            [&](Value t, ValueRange carried) -> SmallVector<Value> {
              Value slot = kb.add(mine, t);
              Value u = loadStaged(su, slot);
              Value delta = loadStaged(sdelta, slot);
              if (bias)
                delta = kb.addf(delta, bias);
              if (c.softplus)
                delta = softplus(delta);
              Value du = kb.mulf(delta, u);
              Value y = kb.f32(0.0);
              Value at = stageBC ? Value() : kb.add(kb.add(bcBase, t0), t);
              SmallVector<Value> hs;
              Value stagedAt = stageBC ? kb.mul(t, kb.index(c.state)) : Value();
              for (int64_t n = 0; n < c.state; ++n) {
                Value bn, cn;
                if (stageBC) {
                  Value slot = kb.add(stagedAt, kb.index(n));
                  bn = memref::LoadOp::create(b, loc, sB, slot);
                  cn = memref::LoadOp::create(b, loc, sC, slot);
                } else {
                  Value bc = kb.add(at, kb.index(n * c.length));
                  bn = load("B", bc);
                  cn = load("C", bc);
                }
                Value decay = kb.ex2(kb.mulf(delta, a[n]));
                Value hn = kb.fma(decay, carried[n], kb.mulf(du, bn));
                hs.push_back(hn);
                y = kb.fma(hn, cn, y);
              }
              if (skip)
                y = kb.fma(skip, u, y);
              if (sz)
                y = kb.mulf(y, silu(loadStaged(sz, slot)));
              // y takes u's place, to be stored with the tile.
              if (element != f32)
                y = arith::TruncFOp::create(b, loc, element, y);
              memref::StoreOp::create(b, loc, y, su, slot);
              return hs;
            });
        gpu::BarrierOp::create(b, loc);
        forTile(t0, [&](Value at, Value slot) {
          memref::StoreOp::create(b, loc, memref::LoadOp::create(b, loc, su, slot), args["out"],
                                  at);
        });
        // The next tile's loads overwrite what these stores read.
        gpu::BarrierOp::create(b, loc);
        return next;
      });
  if (c.hasFinalState)
    kb.ifThen(valid, [&] {
      for (int64_t n = 0; n < c.state; ++n)
        store(last[n], "final_state", kb.add(stateBase, kb.index(n)));
    });
  gpu::ReturnOp::create(b, loc);
  return spec;
}
