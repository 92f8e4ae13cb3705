//===- GemmKernels.cpp - icl's tensor-core GEMM kernels as IR -------------===//
//
// @icl_gemm computes out = act(x·wᵀ + bias) + residual for x [M, K] and
// w [N, K], one block tile of BM x BN results a block:
//
//   * the block's T = 32·warpsM·warpsN threads copy the x and w tiles of one
//     K step (BM x BK and BN x BK) into a ring of `stages` shared-memory
//     slots with 16-byte cp.async copies, `stages − 1` steps ahead of the
//     math; rows past M or N and columns past K are zero-filled (source size
//     0), so partial tiles need no other care. Rows are padded by 16 bytes,
//     which makes the ldmatrix reads of 8 rows conflict-free;
//   * step s: wait for its copies (cp.async.wait_group stages − 2), one
//     barrier (which also retires the slot step s − 1 read, so the copies of
//     step s + stages − 1 go there), then for each 32-byte slice of K (16
//     bf16/f16 or 8 f32): ldmatrix.x4 A fragments of the warp's m16 tiles and
//     B fragments of its pairs of n8 tiles (w's rows are the columns of wᵀ,
//     so neither is transposed), and per (m16, n8) tile one mma.sync
//     m16n8k16 (bf16/f16), or for f32 (whose 32-bit elements ldmatrix moves
//     as pairs of 16-bit halves, landing exactly where the tf32 fragments
//     want them) one m16n8k8 tf32 mma, or three with the operands split into
//     tf32 high and low parts (hi·hi + hi·lo + lo·hi from zero, added to the
//     accumulators with f32 adds: about f32 accuracy); f32 accumulators;
//   * epilogue, in registers: each lane holds rows g and g + 8 of columns
//     2t, 2t + 1 of every tile (g = lane / 4, t = lane % 4): it adds the
//     bias, applies the activation (the op's own scalar math, activate() of
//     LinalgBuilder.h), adds the residual, rounds once to the element type
//     and stores the pair, guarded by M and N.
//
// Launch contract: grid (ceil(N / BN), ceil(M / BM), 1), block (T, 1, 1),
// GemmConfig::sharedBytes() of dynamic shared memory; K a multiple of 16
// bytes, buffer bases 16-byte aligned.
//
//===----------------------------------------------------------------------===//

#include "passes/cuda/GemmKernels.h"
#include "passes/cuda/KernelBuilder.h"

#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::icl;

using arith::CmpIPredicate;

namespace {

/// Four f32 accumulators of a lane, or four 32-bit registers of an A operand.
using Quad = std::array<Value, 4>;

/// Values four at a time (the accumulators a loop carries), and back.
SmallVector<Quad> quads(ValueRange values) {
  SmallVector<Quad> result;
  for (size_t i = 0; i + 3 < values.size(); i += 4)
    result.push_back({values[i], values[i + 1], values[i + 2], values[i + 3]});
  return result;
}
SmallVector<Value> flatten(ArrayRef<Quad> quads) {
  SmallVector<Value> values;
  for (const Quad &quad : quads)
    values.append(quad.begin(), quad.end());
  return values;
}

class GemmBuilder {
public:
  GemmBuilder(const GemmConfig &config, KernelBuilder &kb, const NamedArguments &args)
      : config(config), kb(kb), args(args), threads(config.threads()),
        warpM(config.blockM / config.warpsM), warpN(config.blockN / config.warpsN),
        mTiles(warpM / 16), nTiles(warpN / 8), elementBytes(config.elementBytes()),
        rowBytes(config.rowBytes()), slotBytes((config.blockM + config.blockN) * rowBytes),
        chunksPerRow(config.blockK / config.chunkElements()), rowStep(threads / chunksPerRow) {}

  void build();

private:
  /// Issues the copies of K step `step` into ring slot `slot` (byte offset
  /// `slotOffset`).
  void loadStep(Value step, Value slotOffset);
  /// The accumulators after the 16-deep slices of the slot at `slotOffset`.
  SmallVector<Quad> multiplySlot(Value slotOffset, SmallVector<Quad> acc);
  /// out for the accumulators, through the epilogue.
  void epilogue(ArrayRef<Quad> acc);

  const GemmConfig &config;
  KernelBuilder &kb;
  const NamedArguments &args;
  /// One product of an A fragment and a B fragment pair into `c`.
  Quad product(const Quad &a, ArrayRef<Value> b, const Quad &c);
  /// A fragment's registers as the tensor cores take them (f32: tf32 high
  /// parts, and in `low` the tf32 rests when they are used).
  SmallVector<Value> split(ArrayRef<Value> registers, SmallVector<Value> *low);

  const int64_t threads, warpM, warpN, mTiles, nTiles, elementBytes, rowBytes, slotBytes,
      chunksPerRow, rowStep;

  Value m, n, k, m0, n0, lane, warpRow, warpColumn;
  Value xg, wg, shared;
  /// This thread's copy chunk: its row in a tile, its column (elements),
  /// and its byte offset in a slot's x part.
  Value copyRow, copyColumn64, copyShared;
  /// ldmatrix lane offsets (bytes) in a slot: of the A and of the B pattern.
  Value aLane, bLane;
};

void GemmBuilder::build() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type i32 = b.getI32Type();
  Value tid = kb.indexCast(i32, gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  Value bx = kb.indexCast(i32, gpu::BlockIdOp::create(b, loc, gpu::Dimension::x));
  Value by = kb.indexCast(i32, gpu::BlockIdOp::create(b, loc, gpu::Dimension::y));
  m = args["m"];
  n = args["n"];
  k = args["k"];
  m0 = kb.mulc(by, config.blockM);
  n0 = kb.mulc(bx, config.blockN);
  lane = kb.andi(tid, kb.i32(31));
  Value warp = kb.shrui(tid, kb.i32(5));
  warpRow = kb.divui(warp, kb.i32(config.warpsN));
  warpColumn = kb.remui(warp, kb.i32(config.warpsN));
  shared = kb.dynamicShared();
  xg = kb.globalPointer(args["x"]);
  wg = kb.globalPointer(args["w"]);

  copyRow = kb.divui(tid, kb.i32(chunksPerRow));
  Value chunk = kb.remui(tid, kb.i32(chunksPerRow));
  copyColumn64 = kb.ext64(kb.mulc(chunk, config.chunkElements()));
  copyShared = kb.ext64(kb.add(kb.mulc(copyRow, rowBytes), kb.mulc(chunk, 16)));

  // A fragments: lane l addresses row l % 16, byte 16·(l / 16) of a 32-byte
  // slice of an m16 tile. B fragments (two n8 tiles): row (l & 7) + 8·(l /
  // 16), byte 16·((l / 8) & 1).
  Value l7 = kb.andi(lane, kb.i32(7));
  Value l8 = kb.andi(kb.shrui(lane, kb.i32(3)), kb.i32(1));
  Value l16 = kb.shrui(lane, kb.i32(4));
  Value aRow = kb.add(kb.mulc(warpRow, warpM), kb.andi(lane, kb.i32(15)));
  aLane = kb.ext64(kb.add(kb.mulc(aRow, rowBytes), kb.mulc(l16, 16)));
  Value bRow = kb.add(kb.mulc(warpColumn, warpN), kb.add(l7, kb.mulc(l16, 8)));
  bLane = kb.ext64(
      kb.add(kb.add(kb.mulc(bRow, rowBytes), kb.mulc(l8, 16)), kb.i32(config.blockM * rowBytes)));

  // Prologue: the first stages − 1 steps in flight (a commit each, empty
  // past the last step, so that the group count stays uniform).
  Value steps = kb.ceildivsi(k, kb.i32(config.blockK));
  for (int64_t s = 0; s + 1 < config.stages; ++s) {
    Value step = kb.i32(s);
    kb.ifThen(kb.cmpi(CmpIPredicate::slt, step, steps),
              [&] { loadStep(step, kb.i64(s * slotBytes)); });
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  }

  SmallVector<Value> initial(mTiles * nTiles * 4, kb.f32(0.0));
  Value upper = kb.indexCast(b.getIndexType(), steps);
  SmallVector<Value> results = kb.forLoop(
      kb.index(0), upper, kb.index(1), initial,
      [&](Value iv, ValueRange carried) -> SmallVector<Value> {
        Value step = kb.indexCast(i32, iv);
        NVVM::CpAsyncWaitGroupOp::create(b, loc, config.stages - 2);
        gpu::BarrierOp::create(b, loc);
        Value next = kb.addc(step, config.stages - 1);
        Value nextSlot = kb.remui(next, kb.i32(config.stages));
        kb.ifThen(kb.cmpi(CmpIPredicate::slt, next, steps),
                  [&] { loadStep(next, kb.mulc(kb.ext64(nextSlot), slotBytes)); });
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
        Value slot = kb.remui(step, kb.i32(config.stages));
        return flatten(multiplySlot(kb.mulc(kb.ext64(slot), slotBytes), quads(carried)));
      });
  NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
  SmallVector<Quad> acc = quads(results);
  epilogue(acc);
  gpu::ReturnOp::create(b, loc);
}

void GemmBuilder::loadStep(Value step, Value slotOffset) {
  Value k0 = kb.mulc(step, config.blockK);
  Value column = kb.add(kb.ext64(k0), copyColumn64);
  Value k64 = kb.ext64(k);
  Value inK = kb.cmpi(CmpIPredicate::slt, column, k64);
  Value slot = kb.gep(kb.gep(shared, slotOffset), copyShared);
  // x rows [m0, m0 + BM) at the slot's start, w rows [n0, n0 + BN) after.
  auto copy = [&](Value global, Value first, Value count, int64_t rows, int64_t sharedStart) {
    for (int64_t r = 0; r < rows; r += rowStep) {
      Value row = kb.add(first, kb.addc(copyRow, r));
      Value valid = kb.andi(inK, kb.cmpi(CmpIPredicate::slt, row, count));
      Value offset = kb.add(kb.mul(kb.ext64(row), k64), column);
      offset = kb.select(valid, offset, kb.i64(0));
      Value size = kb.select(valid, kb.i32(16), kb.i32(0));
      kb.cpAsync(kb.gepc(slot, sharedStart + r * rowBytes),
                 kb.gep(global, kb.mulc(offset, elementBytes)), size);
    }
  };
  copy(xg, m0, m, config.blockM, 0);
  copy(wg, n0, n, config.blockN, config.blockM * rowBytes);
}

SmallVector<Quad> GemmBuilder::multiplySlot(Value slotOffset, SmallVector<Quad> acc) {
  Value slot = kb.gep(shared, slotOffset);
  Value aBase = kb.gep(slot, aLane), bBase = kb.gep(slot, bLane);
  for (int64_t slice = 0; slice < config.blockK * elementBytes / 32; ++slice) {
    SmallVector<Quad> a;
    for (int64_t mt = 0; mt < mTiles; ++mt)
      a.push_back(kb.ldmatrix(kb.gepc(aBase, 16 * mt * rowBytes + 32 * slice),
                              /*transposed=*/false));
    for (int64_t pair = 0; pair < nTiles / 2; ++pair) {
      Quad r = kb.ldmatrix(kb.gepc(bBase, 16 * pair * rowBytes + 32 * slice),
                           /*transposed=*/false);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        Quad &left = acc[mt * nTiles + 2 * pair], &right = acc[mt * nTiles + 2 * pair + 1];
        left = product(a[mt], {r[0], r[1]}, left);
        right = product(a[mt], {r[2], r[3]}, right);
      }
    }
  }
  return acc;
}

SmallVector<Value> GemmBuilder::split(ArrayRef<Value> registers, SmallVector<Value> *low) {
  Type f32 = kb.b.getF32Type();
  SmallVector<Value> high;
  for (Value r : registers) {
    Value x = kb.bitcast(f32, r);
    Value hi = kb.tf32(x);
    high.push_back(hi);
    if (low)
      low->push_back(kb.tf32(kb.subf(x, kb.bitcast(f32, hi))));
  }
  return high;
}

Quad GemmBuilder::product(const Quad &a, ArrayRef<Value> b, const Quad &c) {
  if (!config.element.isF32())
    return kb.mma(a, b, c);
  bool three = config.f32 == F32Gemm::Tf32x3;
  SmallVector<Value> aLow, bLow;
  SmallVector<Value> aHigh = split(a, three ? &aLow : nullptr);
  SmallVector<Value> bHigh = split(b, three ? &bLow : nullptr);
  if (!three)
    return kb.mmaTf32(aHigh, bHigh, c);
  // The tensor cores round their sums toward zero: accumulated across K in
  // them, that bias alone costs more than the split gains. So each slice's
  // products start from zero, and the running sum is kept with f32 adds
  // (round to nearest), the small products added to the large one first.
  Value zero = kb.f32(0.0);
  Quad none = {zero, zero, zero, zero};
  Quad small = kb.mmaTf32(aLow, bHigh, none);
  small = kb.mmaTf32(aHigh, bLow, small);
  Quad large = kb.mmaTf32(aHigh, bHigh, none);
  Quad d;
  for (int64_t i = 0; i < 4; ++i)
    d[i] = kb.addf(c[i], kb.addf(large[i], small[i]));
  return d;
}

void GemmBuilder::epilogue(ArrayRef<Quad> acc) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type element = config.element, f32 = b.getF32Type();
  auto pairType = VectorType::get({2}, element);
  Value g = kb.shrui(lane, kb.i32(2)), t = kb.andi(lane, kb.i32(3));
  Value rowBase = kb.add(m0, kb.add(kb.mulc(warpRow, warpM), g));
  Value columnBase = kb.add(n0, kb.add(kb.mulc(warpColumn, warpN), kb.mulc(t, 2)));
  Value outg = kb.globalPointer(args["out"]);
  Value bias = config.hasBias ? kb.globalPointer(args["bias"]) : Value();
  Value residual = config.hasResidual ? kb.globalPointer(args["residual"]) : Value();
  Value n64 = kb.ext64(n);
  bool wide = element.isF32();
  auto widen = [&](Value x) -> Value {
    return wide ? x : Value(arith::ExtFOp::create(b, loc, f32, x));
  };
  auto narrow = [&](Value x) -> Value {
    return wide ? x : Value(arith::TruncFOp::create(b, loc, element, x));
  };
  int64_t bytes = elementBytes;
  // Two adjacent elements at element offset `at` of `base`, or the first
  // only when `second` is false (an odd N's last column).
  auto loadPair = [&](Value base, Value at, Value second) -> std::array<Value, 2> {
    Value pointer = kb.gep(base, kb.mulc(at, bytes));
    if (config.evenN) {
      Value pair = kb.load(pairType, pointer, 2 * bytes);
      return {widen(vector::ExtractOp::create(b, loc, pair, 0)),
              widen(vector::ExtractOp::create(b, loc, pair, 1))};
    }
    Value first = widen(kb.load(element, pointer, bytes));
    SmallVector<Value> other = kb.ifElse(
        second,
        [&] { return SmallVector<Value>{widen(kb.load(element, kb.gepc(pointer, bytes), bytes))}; },
        [&] { return SmallVector<Value>{kb.f32(0.0)}; });
    return {first, other[0]};
  };

  for (int64_t nt = 0; nt < nTiles; ++nt) {
    Value column = kb.addc(columnBase, 8 * nt);
    Value inN = kb.cmpi(CmpIPredicate::slt, column, n);
    Value second = kb.cmpi(CmpIPredicate::slt, kb.addc(column, 1), n);
    Value column64 = kb.ext64(column);
    kb.ifThen(inN, [&] {
      std::array<Value, 2> biasPair = {kb.f32(0.0), kb.f32(0.0)};
      if (bias)
        biasPair = loadPair(bias, column64, second);
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t half = 0; half < 2; ++half) {
          Value row = kb.addc(rowBase, 16 * mt + 8 * half);
          kb.ifThen(kb.cmpi(CmpIPredicate::slt, row, m), [&] {
            Value at = kb.add(kb.mul(kb.ext64(row), n64), column64);
            const Quad &quad = acc[mt * nTiles + nt];
            std::array<Value, 2> y = {quad[2 * half], quad[2 * half + 1]};
            std::array<Value, 2> r;
            if (residual)
              r = loadPair(residual, at, second);
            for (int64_t i = 0; i < 2; ++i) {
              y[i] = kb.addf(y[i], biasPair[i]);
              y[i] = icl::detail::activate(b, loc, config.activation, y[i]);
              if (residual)
                y[i] = kb.addf(y[i], r[i]);
            }
            Value pointer = kb.gep(outg, kb.mulc(at, bytes));
            if (config.evenN) {
              Value pair =
                  vector::FromElementsOp::create(b, loc, pairType, {narrow(y[0]), narrow(y[1])});
              kb.store(pair, pointer, 2 * bytes);
              return;
            }
            kb.store(narrow(y[0]), pointer, bytes);
            kb.ifThen(second, [&] { kb.store(narrow(y[1]), kb.gepc(pointer, bytes), bytes); });
          });
        }
    });
  }
}

} // namespace

GemmConfig::GemmConfig(Type element, int64_t m, int64_t n, int64_t k, int64_t multiprocessors)
    : element(element), blockK(64 / elementBytes()), warpsM(2), warpsN(2), stages(4),
      evenN(n % 2 == 0) {
  // No more slots than K has steps (the ring is filled once): less shared
  // memory, more resident blocks.
  stages = std::clamp<int64_t>(llvm::divideCeil(k, blockK), 2, stages);
  static constexpr std::array<std::array<int64_t, 2>, 3> tiles = {
      {{128, 128}, {64, 128}, {64, 64}}};
  blockM = tiles.back()[0];
  blockN = tiles.back()[1];
  for (auto [bm, bn] : tiles)
    if (static_cast<int64_t>(llvm::divideCeil(m, bm) * llvm::divideCeil(n, bn)) >= multiprocessors) {
      blockM = bm;
      blockN = bn;
      break;
    }
}

int64_t GemmConfig::elementBytes() const { return element.getIntOrFloatBitWidth() / 8; }

int64_t GemmConfig::sharedBytes() const { return stages * (blockM + blockN) * rowBytes(); }

std::string GemmConfig::invalid() const {
  if (!(element.isBF16() || element.isF16() || element.isF32()))
    return "operands must be bf16, f16 or f32";
  if (blockK * elementBytes() % 32)
    return "BK must be a multiple of 32 bytes (16 bf16/f16, 8 f32)";
  if (warpsM < 1 || warpsN < 1 || threads() > 1024)
    return "1 to 32 warps";
  if (blockM % (16 * warpsM) || blockN % (16 * warpsN))
    return "a warp tile must be a multiple of 16 in both dimensions";
  int64_t chunks = blockK / chunkElements();
  if (threads() % chunks || blockM % (threads() / chunks) || blockN % (threads() / chunks))
    return "the threads must copy whole rows of the x and w tiles";
  if (stages < 2)
    return "at least 2 stages";
  if (sharedBytes() > 227 * 1024)
    return "more than 227 KiB of shared memory";
  return "";
}

FailureOr<KernelLaunchSpec> mlir::icl::buildGemm(gpu::GPUModuleOp module,
                                                 const GemmConfig &config) {
  if (std::string why = config.invalid(); !why.empty())
    return module.emitError() << "no GEMM kernel for " << config.element << " tiles of "
                              << config.blockM << "x" << config.blockN << "x" << config.blockK
                              << " on " << config.warpsM << "x" << config.warpsN << " warps, "
                              << config.stages << " stages: " << why;
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto elements = MemRefType::get({ShapedType::kDynamic}, config.element);
  SmallVector<KernelArgument> arguments = {{"x", elements}, {"w", elements}};
  if (config.hasBias)
    arguments.push_back({"bias", elements});
  if (config.hasResidual)
    arguments.push_back({"residual", elements});
  Type i32 = b.getI32Type();
  arguments.append({{"out", elements}, {"m", i32}, {"n", i32}, {"k", i32}});
  KernelLaunchSpec spec = createKernel(b, module, "icl_gemm", arguments, {}, config.threads());
  spec.rowsPerBlock = config.blockM;
  spec.sharedBytes = config.sharedBytes();
  KernelBuilder kb(b, module.getLoc(), spec.func.front(), config.element);
  NamedArguments args(spec.func, spec.arguments);
  GemmBuilder(config, kb, args).build();
  return spec;
}
