//===- AttentionKernels.cpp - icl's fused attention kernels as IR ---------===//
//
// Both kernels are written out op by op: every loop over register fragments
// (mma.sync, ldmatrix, the online softmax of each accumulator) is unrolled
// here, in C++, so the IR holds no loops but the one over K/V tiles. Only the
// code of the configured head dimension and element type is built.
//
// They are lowered by icl's CUDA pipeline (CudaPipeline.cpp): gpu/arith/scf/
// memref/vector/math.fma plus nvvm.{mma.sync, ldmatrix, cp.async.*,
// vote.sync}, and llvm.call_intrinsic of llvm.nvvm.ex2.approx.ftz.f /
// llvm.nvvm.lg2.approx.f; no libdevice, no inline PTX. (arith.maxnumf is
// avoided: convert-gpu-to-nvvm turns it into __nv_fmaxf; llvm.intr.maxnum is
// used instead.)
//
//===----------------------------------------------------------------------===//

#include "passes/cuda/AttentionKernels.h"

#include "passes/cuda/KernelBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::icl;

using arith::CmpFPredicate;
using arith::CmpIPredicate;

namespace {

/// The arguments of a partial or whole attention: q, k, v, its `outputs`,
/// mask, key sizes and the scalars describing them.
SmallVector<KernelArgument> attentionArguments(MLIRContext *ctx, Type element,
                                         ArrayRef<KernelArgument> outputs) {
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  auto elements = MemRefType::get({ShapedType::kDynamic}, element);
  auto floats = MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));
  SmallVector<KernelArgument> arguments = {{"q", elements}, {"k", elements}, {"v", elements}};
  arguments.append(outputs.begin(), outputs.end());
  arguments.append({{"mask", floats},
                    {"key_sizes", floats},
                    {"hq", i32},
                    {"group", i32},
                    {"sq", i32},
                    {"skv", i32},
                    {"scale_log2", Float32Type::get(ctx)},
                    {"mask_kind", i32},
                    {"window", i32},
                    {"has_mask", i32},
                    {"mask_sb", i64},
                    {"mask_sh", i64},
                    {"mask_si", i64},
                    {"mask_sj", i64},
                    {"has_key_sizes", i32}});
  return arguments;
}

/// Four f32 accumulators of a lane, or four 32-bit registers of an A operand.
using Quad = std::array<Value, 4>;

//===----------------------------------------------------------------------===//
// Prefill: @icl_flash_attention
//===----------------------------------------------------------------------===//
//
// icl fused prefill attention (FlashAttention-2 style) for NVIDIA sm_80+ (tuned
// for sm_90).
//
// Math: o[b,h,i,:] = softmax_j(s[i,j]) . v[b,h/group,j,:] with
//   s[i,j] = scale*q.k (as scale_log2 = scale*log2(e) in the exp2 domain)
//            + mask[b,h,i,j] (if has_mask) + log(key_sizes[b,j]) (if has_key_sizes),
//   mask_kind 0: none; 1: causal aligned to the end (key j visible iff
//   j <= i + Skv - Sq); 2: sliding window (causal and i + Skv - Sq - j < window;
//   window >= 1, values above 2^30 act as 2^30). A fully masked row yields
//   zeros. f32 accumulation, online softmax with ex2.approx; P is rounded to
//   the element type for the P.V product (as in FlashAttention-2).
//
// Scheme (the default configuration; FlashAttentionConfig names the knobs):
//   * one CTA = BM = 128 query rows of one (batch, head), 4 warps, one warp =
//     32 query rows (two m16 tiles, so every K/V fragment read from shared
//     memory feeds two mma); query blocks are taken heaviest first (reverse
//     order) for causal load balance;
//   * Q tile: cp.async -> shared; D = 64 keeps the Q fragments in registers
//     for the whole KV sweep, D = 128 re-reads them with ldmatrix per KV tile
//     (register budget);
//   * K/V tiles of BN = 64 keys: cp.async 16-byte copies into a double buffer
//     (tile j+1 is in flight while tile j is consumed), rows padded to D+8
//     elements (conflict-free ldmatrix);
//   * S = Q K^T with mma.sync m16n8k16 (f32 accumulators), online softmax in
//     the exp2 domain (ex2.approx), row max/sum over the 4 lanes of a quad via
//     shuffles; the O rescale is skipped when no row max of the warp moved
//     (vote.any); for D = 128 the running max is only raised when a block max
//     exceeds it by more than 8 (log2 units), which keeps P <= 256 and makes
//     the skip the common case (exact: l uses the same max);
//   * P (the S accumulators, packed to bf16/f16 pairs) is reused directly as
//     the A operand of P V; V fragments via ldmatrix.trans;
//   * causal / sliding-window: key blocks outside the visible band are skipped
//     through the loop bounds; elementwise masking only on blocks that
//     straddle a boundary; additive mask / key sizes / non-positive scale go
//     through a separate (uniform-branch) bias path.
//
// Launch contract (KernelLaunchSpec):
//   BM = 16 * mTiles * warps query rows per CTA (128), NTHREADS = 32 * warps
//   (128), BN = keyTile keys per KV tile (64).
//   grid = (ceil(Sq / BM), Hq, B), block = (NTHREADS, 1, 1) exactly (the
//   kernel carries known_block_size, which becomes .maxntid).
//   dynamic shared memory bytes = (BM + 4*BN) * (D + 8) * 2:
//       D = 64: 55296 bytes, D = 128: 104448 bytes
//       (> 48 KiB: set CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES before
//       launching).
//   layout: Q tile [BM][D+8] | K buffers 2 x [BN][D+8] | V buffers 2 x [BN][D+8].
//   q, o: [B,Hq,Sq,D], k, v: [B,Hkv,Skv,D] contiguous, Hkv = Hq / group;
//   element (b,h,i,d) of q at ((b*Hq + h)*Sq + i)*D + d. The memrefs' base
//   (aligned pointer + offset) must be 16-byte aligned (offset a multiple of 8
//   elements). mask: f32 with element strides mask_sb/sh/si/sj (0 =
//   broadcast); key_sizes: [B,Skv] f32 contiguous. A dummy memref (size >= 1)
//   is passed when has_mask / has_key_sizes is 0; it is never read.
//   scale_log2 > 0 takes the fast path; <= 0 is handled through the bias path.
//   Any Sq, Skv >= 1; Hq, B <= 65535 (grid y/z limits).

class FlashAttentionBuilder {
public:
  FlashAttentionBuilder(const FlashAttentionConfig &config, KernelBuilder &kb,
                        const NamedArguments &args)
      : config(config), kb(kb), args(args), d(config.headDim), bn(config.keyTile),
        mt(config.mTiles), threads(32 * config.warps), bm(16 * config.mTiles * config.warps),
        paddedRow(d + 8), rowBytes(paddedRow * 2), tileBytes(bn * rowBytes),
        keyOffset(bm * rowBytes), valueOffset(bm * rowBytes + 2 * tileBytes), chunksPerRow(d / 8),
        rowStep(threads / chunksPerRow), kSteps(d / 16), outTiles(d / 8), scoreTiles(bn / 8),
        accumulators(outTiles * 4), scores(scoreTiles * 4) {}

  void build();

private:
  std::pair<Value, Value> chunkOffset(Value first, int64_t it, Value count, Value base);
  void loadQueryTile();
  void loadKeyValueTile(Value block, Value buffer, Value zero);
  void prepareFragments();
  void prepareRows();
  SmallVector<Value> iteration(Value iv, ValueRange carried);
  /// One block's online softmax, for every m-tile: P packed to element pairs
  /// (per n-tile, rows g and g + 8), the factors of the O of each row half,
  /// and, row half by row half, the new running max and sum and (lazy rescale
  /// only) whether the max was raised.
  struct Softmax {
    SmallVector<SmallVector<std::array<Value, 2>>> p;
    SmallVector<std::array<Value, 2>> alphas;
    SmallVector<Value> newMax, newSum, raised;
  };
  Softmax onlineSoftmax(ArrayRef<Value> x, Value scale, ValueRange carried);
  SmallVector<Value> biased(ArrayRef<Value> flat, Value k0);
  SmallVector<Value> masked(ArrayRef<Value> x, Value k0);
  void epilogue(ArrayRef<Value> results);
  Quad queryFragment(int64_t tile, int64_t kStep, Value base);
  void multiplyTilePair(ArrayRef<Quad> a, Value pointer, bool transposed,
                        SmallVector<SmallVector<Quad>> &acc, int64_t tile);
  static SmallVector<Value> flatten(ArrayRef<SmallVector<Quad>> tiles);
  Value pack(Value low, Value high);

  const FlashAttentionConfig &config;
  KernelBuilder &kb;
  const NamedArguments &args;
  // The layout: D, BN keys per tile, MT m16 tiles per warp, the threads and
  // BM query rows of a block; shared rows of D + 8 elements (paddedRow, in
  // bytes rowBytes), one K or V buffer (tileBytes) and where the K and V
  // buffers start; 16-byte chunks per row and the rows one pass of all
  // threads copies (rowStep); k-steps of Q K^T, n-tiles of O and of S; values
  // per lane of the O and of the S of an m-tile.
  const int64_t d, bn, mt, threads, bm, paddedRow, rowBytes, tileBytes, keyOffset, valueOffset,
      chunksPerRow, rowStep, kSteps, outTiles, scoreTiles, accumulators, scores;

  Value smem, tid, hh, bb, warp, lane, g, t, q0, skv64, off, qbase, kvbase, qg, kg, vg, og;
  Value ldRow, ldCol64, shLd, threadGlobal, causal, window, kbLo, kbHi, wcl, zeroSlot, wrow;
  Value qaPointer, keyLanePointer, valueLanePointer, t2, lim0, hasMask, hasKeySizes, useBias;
  Value skvm1, ksrow, bdiag, bwin, bbnd, ninf, zf;
  /// Q fragments (mt, k-step) when they stay in registers.
  SmallVector<SmallVector<Quad>> queryFragments;
  /// Per m-tile and row half: the query row, its distance to the diagonal
  /// (i + Skv - Sq - 2t) and its mask row offset.
  SmallVector<std::array<Value, 2>> rows, diagonal, maskRows;
};

void FlashAttentionBuilder::build() {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  Type i32 = b.getI32Type();
  Value tidX = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bidX = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value bidY = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value bidZ = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  smem = kb.dynamicShared();

  Value hq = args["hq"], group = args["group"], sq = args["sq"], skv = args["skv"];
  tid = kb.indexCast(i32, tidX);
  Value bx = kb.indexCast(i32, bidX);
  hh = kb.indexCast(i32, bidY);
  bb = kb.indexCast(i32, bidZ);
  warp = kb.shrui(tid, kb.i32(5));
  lane = kb.andi(tid, kb.i32(31));
  g = kb.shrui(lane, kb.i32(2));
  t = kb.andi(lane, kb.i32(3));
  // Heaviest query blocks first (with a causal mask the last blocks see the
  // most keys).
  Value queryBlocks = kb.divui(kb.addc(sq, bm - 1), kb.i32(bm));
  Value qb = kb.sub(kb.addc(queryBlocks, -1), bx);
  q0 = kb.mulc(qb, bm);
  Value hkv = kb.divui(hq, group);
  Value hk = kb.divui(hh, group);
  off = kb.sub(skv, sq);

  // Element offsets of the (b, h) slices.
  Value qhead = kb.ext64(kb.add(kb.mul(bb, hq), hh));
  Value sq64 = kb.ext64(sq);
  skv64 = kb.ext64(skv);
  qbase = kb.mulc(kb.mul(qhead, sq64), d);
  Value kvhead = kb.ext64(kb.add(kb.mul(bb, hkv), hk));
  kvbase = kb.mulc(kb.mul(kvhead, skv64), d);

  qg = kb.globalPointer(args["q"]);
  kg = kb.globalPointer(args["k"]);
  vg = kb.globalPointer(args["v"]);
  og = kb.globalPointer(args["o"]);

  // Global -> shared copy mapping (16-byte chunks).
  ldRow = kb.divui(tid, kb.i32(chunksPerRow));
  Value ldCol = kb.mulc(kb.remui(tid, kb.i32(chunksPerRow)), 8);
  ldCol64 = kb.ext64(ldCol);
  Value ldShared = kb.ext64(kb.add(kb.mulc(ldRow, paddedRow), ldCol));
  ldShared = kb.mulc(ldShared, 2); // byte offset inside a tile
  shLd = kb.gep(smem, ldShared);

  loadQueryTile();

  // Per-thread byte offset of its first chunk inside a global K/V tile.
  threadGlobal = kb.mulc(kb.add(kb.mul(kb.ext64(ldRow), kb.i64(d)), ldCol64), 2);

  // The range of K/V blocks.
  Value maskKind = args["mask_kind"];
  causal = kb.cmpi(CmpIPredicate::ne, maskKind, kb.i32(0));
  window = kb.cmpi(CmpIPredicate::eq, maskKind, kb.i32(2));
  Value allBlocks = kb.divsi(kb.addc(skv, bn - 1), kb.i32(bn));
  // Causal: the last visible key of the block's last row is q0 + BM - 1 + off.
  Value kvEnd = kb.minsi(skv, kb.addc(kb.add(q0, off), bm));
  kvEnd = kb.maxsi(kvEnd, kb.i32(0));
  Value causalBlocks = kb.divsi(kb.addc(kvEnd, bn - 1), kb.i32(bn));
  kbHi = kb.select(causal, causalBlocks, allBlocks);
  wcl = kb.minsi(args["window"], kb.i32(1 << 30));
  // Window: the first visible key of the block's first row is q0 + off - w + 1.
  Value loKey = kb.addc(kb.sub(kb.add(q0, off), wcl), 1);
  loKey = kb.maxsi(loKey, kb.i32(0));
  Value windowLo = kb.divsi(loKey, kb.i32(bn));
  kbLo = kb.select(window, windowLo, kb.i32(0));

  Value have = kb.cmpi(CmpIPredicate::slt, kbLo, kbHi);
  kb.ifThen(have, [&] { loadKeyValueTile(kbLo, kb.i64(0), nullptr); });
  NVVM::CpAsyncCommitGroupOp::create(b, loc);

  prepareFragments();
  prepareRows();

  // The main loop over K/V blocks: O accumulators of every m-tile, then the
  // running max and sum of its two row halves.
  Value lo = kb.indexCast(b.getIndexType(), kbLo);
  Value hi = kb.indexCast(b.getIndexType(), kbHi);
  SmallVector<Value> initial(mt * accumulators, zf);
  for (int64_t m = 0; m < mt; ++m)
    initial.append({ninf, ninf, zf, zf});
  SmallVector<Value> results =
      kb.forLoop(lo, hi, kb.index(1), initial,
                 [&](Value iv, ValueRange carried) { return iteration(iv, carried); });
  epilogue(results);
  gpu::ReturnOp::create(b, loc);
}

/// Whether the row of this thread's 16-byte chunk in copy pass `it` of a tile
/// from row `first` on is below `count`, and the element offset of the chunk
/// in the slice at `base` (of its first chunk when the row is not).
std::pair<Value, Value> FlashAttentionBuilder::chunkOffset(Value first, int64_t it, Value count,
                                                           Value base) {
  Value row = kb.addc(ldRow, it * rowStep);
  Value index = kb.add(first, row);
  Value valid = kb.cmpi(CmpIPredicate::slt, index, count);
  Value offset = kb.add(kb.mul(kb.ext64(index), kb.i64(d)), ldCol64);
  offset = kb.add(base, offset);
  return {valid, kb.select(valid, offset, base)};
}

void FlashAttentionBuilder::loadQueryTile() {
  Value sq = args["sq"];
  for (int64_t it = 0; it < bm / rowStep; ++it) {
    auto [valid, so] = chunkOffset(q0, it, sq, qbase);
    Value src = kb.gep(qg, kb.mulc(so, 2));
    Value dst = kb.gepc(shLd, it * rowStep * rowBytes);
    Value size = kb.select(valid, kb.i32(16), kb.i32(0));
    kb.cpAsync(dst, src, size);
  }
  NVVM::CpAsyncCommitGroupOp::create(kb.b, kb.loc);
}

/// Issues the cp.async copies of K/V block `block` into the buffer at byte
/// offset `buffer`. `zero`: an i32 0 that LLVM cannot see through (keeps the
/// rarely used partial-tile addressing from becoming a set of strength-reduced
/// induction variables), or null.
void FlashAttentionBuilder::loadKeyValueTile(Value block, Value buffer, Value zero) {
  Value skv = args["skv"];
  Value k0 = kb.mulc(block, bn);
  Value sharedK = kb.gep(kb.gepc(shLd, keyOffset), buffer);
  Value sharedV = kb.gep(kb.gepc(shLd, valueOffset), buffer);
  Value full = kb.cmpi(CmpIPredicate::sle, kb.addc(k0, bn), skv);
  kb.ifThen(
      full,
      [&] {
        // The whole tile in range: one base pointer per tensor, constant
        // offsets per pass.
        Value tile = kb.mulc(kb.add(kvbase, kb.mul(kb.ext64(k0), kb.i64(d))), 2);
        Value kt = kb.gep(kb.gep(kg, tile), threadGlobal);
        Value vt = kb.gep(kb.gep(vg, tile), threadGlobal);
        for (int64_t it = 0; it < bn / rowStep; ++it) {
          Value dstK = kb.gepc(sharedK, it * rowStep * rowBytes);
          Value srcK = kb.gepc(kt, it * rowStep * d * 2);
          kb.cpAsync(dstK, srcK);
          Value dstV = kb.gepc(sharedV, it * rowStep * rowBytes);
          Value srcV = kb.gepc(vt, it * rowStep * d * 2);
          kb.cpAsync(dstV, srcV);
        }
      },
      [&] {
        // The last, partial tile: rows past Skv are zero-filled (source size
        // 0, address clamped).
        Value k0z = zero ? kb.add(k0, zero) : k0;
        for (int64_t it = 0; it < bn / rowStep; ++it) {
          auto [valid, so] = chunkOffset(k0z, it, skv, kvbase);
          Value soBytes = kb.mulc(so, 2);
          Value size = kb.select(valid, kb.i32(16), kb.i32(0));
          Value dstK = kb.gepc(sharedK, it * rowStep * rowBytes);
          kb.cpAsync(dstK, kb.gep(kg, soBytes), size);
          Value dstV = kb.gepc(sharedV, it * rowStep * rowBytes);
          kb.cpAsync(dstV, kb.gep(vg, soBytes), size);
        }
      });
}

Quad FlashAttentionBuilder::queryFragment(int64_t tile, int64_t kStep, Value base) {
  return kb.ldmatrix(kb.gepc(base, (16 * tile * paddedRow + 16 * kStep) * 2),
                     /*transposed=*/false);
}

/// acc[m][tile] and acc[m][tile + 1] += a[m] · the two 16x8 B tiles ldmatrix
/// loads from `pointer`, for every m-tile m (one B fragment feeds them all).
void FlashAttentionBuilder::multiplyTilePair(ArrayRef<Quad> a, Value pointer, bool transposed,
                                             SmallVector<SmallVector<Quad>> &acc, int64_t tile) {
  Quad r = kb.ldmatrix(pointer, transposed);
  for (int64_t m = 0; m < mt; ++m) {
    acc[m][tile] = kb.mma(a[m], {r[0], r[1]}, acc[m][tile]);
    acc[m][tile + 1] = kb.mma(a[m], {r[2], r[3]}, acc[m][tile + 1]);
  }
}

/// The values of m-tile by m-tile, n-tile by n-tile accumulators.
SmallVector<Value> FlashAttentionBuilder::flatten(ArrayRef<SmallVector<Quad>> tiles) {
  SmallVector<Value> values;
  for (ArrayRef<Quad> row : tiles)
    for (const Quad &quad : row)
      values.append(quad.begin(), quad.end());
  return values;
}

void FlashAttentionBuilder::prepareFragments() {
  OpBuilder &b = kb.b;
  // Each thread keeps an i32 zero in the padding columns of the Q tile (never
  // written by the copies; row tid/4, pad word tid%4). Loading it after each
  // barrier gives an opaque loop-variant zero: the Q fragment addresses and the
  // partial-tile addressing depend on it, so LLVM neither hoists per-fragment
  // addresses into registers of their own nor turns the partial-tile address
  // arithmetic into induction variables.
  Value slotRow = kb.mulc(kb.shrui(tid, kb.i32(2)), paddedRow);
  Value slotColumn = kb.addc(kb.mulc(kb.andi(tid, kb.i32(3)), 2), d);
  Value slot = kb.ext64(kb.add(slotRow, slotColumn));
  zeroSlot = kb.gep(smem, kb.mulc(slot, 2));
  kb.store(kb.i32(0), zeroSlot, 4);

  // Q fragments.
  NVVM::CpAsyncWaitGroupOp::create(b, kb.loc, 1);
  gpu::BarrierOp::create(b, kb.loc);
  Value l7 = kb.andi(lane, kb.i32(7));
  Value l8 = kb.andi(kb.shrui(lane, kb.i32(3)), kb.i32(1));
  Value l16 = kb.shrui(lane, kb.i32(4));
  // A-operand / transposed-B pattern: row = (l&7) + 8*((l>>3)&1), col = 8*(l>>4).
  Value ar = kb.add(l7, kb.mulc(l8, 8));
  Value ac = kb.mulc(l16, 8);
  Value aLane = kb.add(kb.mulc(ar, paddedRow), ac);
  // Non-transposed B pattern (K): row = (l&7) + 8*(l>>4), col = 8*((l>>3)&1).
  Value br = kb.add(l7, kb.mulc(l16, 8));
  Value bc = kb.mulc(l8, 8);
  Value bLane = kb.add(kb.mulc(br, paddedRow), bc);
  wrow = kb.mulc(warp, 16 * mt);
  Value qa = kb.mulc(kb.ext64(kb.add(kb.mulc(wrow, paddedRow), aLane)), 2);
  qaPointer = kb.gep(smem, qa);
  if (config.queryInRegisters)
    for (int64_t m = 0; m < mt; ++m) {
      queryFragments.emplace_back();
      for (int64_t kd = 0; kd < kSteps; ++kd)
        queryFragments.back().push_back(queryFragment(m, kd, qaPointer));
    }
  keyLanePointer = kb.gepc(kb.gep(smem, kb.mulc(kb.ext64(bLane), 2)), keyOffset);
  valueLanePointer = kb.gepc(kb.gep(smem, kb.mulc(kb.ext64(aLane), 2)), valueOffset);
}

void FlashAttentionBuilder::prepareRows() {
  Value sq = args["sq"], skv = args["skv"];
  // Rows of this thread: q0 + wrow + 16 m + g + 8 r.
  for (int64_t m = 0; m < mt; ++m) {
    Value i0 = kb.add(q0, kb.add(kb.addc(wrow, 16 * m), g));
    rows.push_back({i0, kb.addc(i0, 8)});
  }
  t2 = kb.mulc(t, 2);
  // Masking: key column c = 8n + e inside the block (key = k0 + 2t + c) is on
  // or below the diagonal iff c <= diagonal - k0.
  for (int64_t m = 0; m < mt; ++m) {
    Value first = kb.sub(kb.add(rows[m][0], off), t2);
    diagonal.push_back({first, kb.sub(kb.add(rows[m][1], off), t2)});
  }
  lim0 = kb.sub(skv, t2); // c < lim0 - k0
  hasMask = kb.cmpi(CmpIPredicate::ne, args["has_mask"], kb.i32(0));
  hasKeySizes = kb.cmpi(CmpIPredicate::ne, args["has_key_sizes"], kb.i32(0));
  Value nonPositive = kb.cmpf(CmpFPredicate::OLE, args["scale_log2"], kb.f32(0.0));
  useBias = kb.ori(hasMask, hasKeySizes);
  useBias = kb.ori(useBias, nonPositive);
  Value sqm1 = kb.addc(sq, -1);
  skvm1 = kb.addc(skv, -1);
  Value batchOffset = kb.mul(kb.ext64(bb), args["mask_sb"]);
  Value headOffset = kb.mul(kb.ext64(hh), args["mask_sh"]);
  Value mbh = kb.add(batchOffset, headOffset);
  for (int64_t m = 0; m < mt; ++m) {
    std::array<Value, 2> offsets;
    for (int64_t r = 0; r < 2; ++r) {
      Value ic = kb.minsi(rows[m][r], sqm1);
      offsets[r] = kb.add(mbh, kb.mul(kb.ext64(ic), args["mask_si"]));
    }
    maskRows.push_back(offsets);
  }
  ksrow = kb.mul(kb.ext64(bb), skv64);
  // Blocks that straddle the diagonal (k0 > q0 + off - BN + 1), the window's
  // lower edge (k0 < q0 + BM + off - w) or Skv (k0 > Skv - BN).
  bdiag = kb.addc(kb.add(q0, off), -(bn - 1));
  bwin = kb.sub(kb.addc(kb.add(q0, off), bm), wcl);
  bbnd = kb.addc(skv, -bn);
  ninf = kb.f32(-INFINITY);
  zf = kb.f32(0.0);
}

SmallVector<Value> FlashAttentionBuilder::iteration(Value iv, ValueRange carried) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  // O[m][n]: the accumulators of n-tile n of m-tile m; then per m-tile the
  // running max and sum of its two row halves.
  auto accumulator = [&](ValueRange values, int64_t m, int64_t n) {
    Quad quad;
    llvm::copy(values.slice(m * accumulators + 4 * n, 4), quad.begin());
    return quad;
  };
  SmallVector<SmallVector<Quad>> o(mt);
  for (int64_t m = 0; m < mt; ++m)
    for (int64_t n = 0; n < outTiles; ++n)
      o[m].push_back(accumulator(carried, m, n));

  Value block = kb.indexCast(b.getI32Type(), iv);
  Value k0 = kb.mulc(block, bn);
  Value relative = kb.sub(block, kbLo);
  Value parity = kb.andi(relative, kb.i32(1));
  Value buffer = kb.mulc(kb.ext64(parity), tileBytes);
  Value nextBuffer = kb.mulc(kb.ext64(kb.xori(parity, kb.i32(1))), tileBytes);
  NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
  gpu::BarrierOp::create(b, loc);
  Value zero32 = kb.load(b.getI32Type(), zeroSlot, 4);
  Value next = kb.addc(block, 1);
  Value more = kb.cmpi(CmpIPredicate::slt, next, kbHi);
  kb.ifThen(more, [&] {
    loadKeyValueTile(next, nextBuffer, zero32);
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  });

  // S = Q K^T (each K fragment feeds all MT m-tiles of the warp).
  Value keyPointer = kb.gep(keyLanePointer, buffer);
  Value qaLoop;
  if (!config.queryInRegisters)
    qaLoop = kb.gep(qaPointer, kb.ext64(zero32));
  SmallVector<SmallVector<Quad>> s(mt, SmallVector<Quad>(scoreTiles, Quad{zf, zf, zf, zf}));
  for (int64_t kd = 0; kd < kSteps; ++kd) {
    SmallVector<Quad> qk;
    for (int64_t m = 0; m < mt; ++m)
      qk.push_back(config.queryInRegisters ? queryFragments[m][kd] : queryFragment(m, kd, qaLoop));
    for (int64_t np = 0; np < scoreTiles / 2; ++np)
      multiplyTilePair(qk, kb.gepc(keyPointer, (16 * np * paddedRow + 16 * kd) * 2),
                       /*transposed=*/false, s, 2 * np);
  }
  SmallVector<Value> flat = flatten(s);

  SmallVector<Value> withScale = biased(flat, k0);
  Value scale = withScale.pop_back_val();
  SmallVector<Value> x = masked(withScale, k0);

  Softmax softmax = onlineSoftmax(x, scale, carried);
  bool lazy = config.lazyRescale > 0;
  auto rescale = [&] {
    SmallVector<Value> values;
    for (int64_t m = 0; m < mt; ++m)
      for (int64_t n = 0; n < outTiles; ++n)
        for (int64_t i = 0; i < 4; ++i)
          values.push_back(kb.mulf(o[m][n][i], softmax.alphas[m][i / 2]));
    return values;
  };
  SmallVector<Value> rescaled;
  if (config.skipRescale || lazy) {
    // Skip the O rescale when no row of the warp moved its max (alpha == 1
    // everywhere).
    Value moved;
    for (int64_t m = 0; m < mt; ++m)
      for (int64_t r = 0; r < 2; ++r) {
        Value rowMoved = lazy ? softmax.raised[2 * m + r]
                              : kb.cmpf(CmpFPredicate::UNE, softmax.alphas[m][r], kb.f32(1.0));
        moved = moved ? kb.ori(moved, rowMoved) : rowMoved;
      }
    Value any =
        NVVM::VoteSyncOp::create(b, loc, b.getI1Type(), kb.i32(-1), moved, NVVM::VoteSyncKind::any);
    rescaled = kb.ifElse(any, rescale,
                         [&] { return llvm::to_vector(carried.take_front(mt * accumulators)); });
  } else {
    rescaled = rescale();
  }
  for (int64_t m = 0; m < mt; ++m)
    for (int64_t n = 0; n < outTiles; ++n)
      o[m][n] = accumulator(rescaled, m, n);

  // O += P V (each V fragment feeds all MT m-tiles).
  Value valuePointer = kb.gep(valueLanePointer, buffer);
  for (int64_t kk = 0; kk < bn / 16; ++kk) {
    SmallVector<Quad> a;
    for (ArrayRef<std::array<Value, 2>> p : softmax.p)
      a.push_back({p[2 * kk][0], p[2 * kk][1], p[2 * kk + 1][0], p[2 * kk + 1][1]});
    for (int64_t dp = 0; dp < outTiles / 2; ++dp)
      multiplyTilePair(a, kb.gepc(valuePointer, (16 * kk * paddedRow + 16 * dp) * 2),
                       /*transposed=*/true, o, 2 * dp);
  }
  SmallVector<Value> yielded = flatten(o);
  for (int64_t m = 0; m < mt; ++m)
    yielded.append({softmax.newMax[2 * m], softmax.newMax[2 * m + 1], softmax.newSum[2 * m],
                    softmax.newSum[2 * m + 1]});
  return yielded;
}

// Online softmax (exp2 domain); P is packed to element pairs right away (the
// A operand of P V). m is the running max the exponentials are taken against.
// With lazyRescale = TH > 0 it is only moved when the block max exceeds it by
// more than TH (log2 units), so P <= 2^TH and the O rescale is skipped
// (warp-uniform vote) for nearly every block; the result is exact because l is
// accumulated against the same m.
FlashAttentionBuilder::Softmax FlashAttentionBuilder::onlineSoftmax(ArrayRef<Value> x, Value scale,
                                                                    ValueRange carried) {
  int64_t threshold = config.lazyRescale;
  int64_t base = mt * accumulators;
  auto runningMax = [&](int64_t m, int64_t r) { return carried[base + 4 * m + r]; };
  auto runningSum = [&](int64_t m, int64_t r) { return carried[base + 4 * m + 2 + r]; };
  Softmax softmax;
  for (int64_t m = 0; m < mt; ++m) {
    ArrayRef<Value> xt = x.slice(m * scores, scores);
    std::array<Value, 2> alpha, negatedMax;
    for (int64_t r = 0; r < 2; ++r) {
      SmallVector<Value> values;
      for (int64_t n = 0; n < scoreTiles; ++n)
        for (int64_t e = 0; e < 2; ++e)
          values.push_back(xt[4 * n + 2 * r + e]);
      // A pairwise tree of maxima.
      while (values.size() > 1) {
        SmallVector<Value> reduced;
        for (size_t i = 0; i + 1 < values.size(); i += 2)
          reduced.push_back(kb.fmax(values[i], values[i + 1]));
        if (values.size() % 2)
          reduced.push_back(values.back());
        values = std::move(reduced);
      }
      Value mx = values.front();
      mx = kb.fmax(mx, kb.shuffleXor(mx, 1));
      mx = kb.fmax(mx, kb.shuffleXor(mx, 2));
      Value scaledMax = kb.mulf(mx, scale);
      Value mn = kb.fmax(runningMax(m, r), scaledMax);
      if (threshold) {
        Value raised = kb.addf(runningMax(m, r), kb.f32(threshold));
        softmax.raised.push_back(kb.cmpf(CmpFPredicate::OGT, mn, raised));
        mn = kb.select(softmax.raised.back(), mn, runningMax(m, r));
      }
      Value isInf = kb.cmpf(CmpFPredicate::OEQ, mn, ninf);
      Value mu = kb.select(isInf, zf, mn);
      alpha[r] = kb.ex2(kb.subf(runningMax(m, r), mu));
      if (threshold)
        alpha[r] = kb.select(softmax.raised.back(), alpha[r], kb.f32(1.0));
      negatedMax[r] = kb.negf(mu);
      softmax.newMax.push_back(mn);
    }
    softmax.alphas.push_back(alpha);
    std::array<Value, 2> rowSums;
    softmax.p.emplace_back();
    for (int64_t n = 0; n < scoreTiles; ++n) {
      Quad p;
      for (int64_t i = 0; i < 4; ++i)
        p[i] = kb.ex2(kb.fma(xt[4 * n + i], scale, negatedMax[i / 2]));
      for (int64_t r = 0; r < 2; ++r) {
        Value part = kb.addf(p[2 * r], p[2 * r + 1]);
        rowSums[r] = rowSums[r] ? kb.addf(rowSums[r], part) : part;
      }
      Value rowG = pack(p[0], p[1]);
      Value rowG8 = pack(p[2], p[3]);
      softmax.p.back().push_back({rowG, rowG8});
    }
    for (int64_t r = 0; r < 2; ++r)
      softmax.newSum.push_back(kb.fma(runningSum(m, r), alpha[r], rowSums[r]));
  }
  return softmax;
}

/// The bias path (a mask tensor, key sizes, or a non-positive scale): scale·s
/// plus the bias, and the scale left to apply (1); otherwise the scores and
/// scale_log2.
SmallVector<Value> FlashAttentionBuilder::biased(ArrayRef<Value> flat, Value k0) {
  Value scaleLog2 = args["scale_log2"];
  // The key of column 8n + e of this lane, clamped to the last key.
  auto key = [&](int64_t n, int64_t e) {
    return kb.minsi(kb.add(k0, kb.addc(t2, 8 * n + e)), skvm1);
  };
  return kb.ifElse(
      useBias,
      [&] {
        SmallVector<Value> xs =
            llvm::map_to_vector(flat, [&](Value v) { return kb.mulf(v, scaleLog2); });
        SmallVector<Value> withMask = kb.ifElse(
            hasMask,
            [&] {
              SmallVector<Value> values;
              for (int64_t m = 0; m < mt; ++m)
                for (int64_t n = 0; n < scoreTiles; ++n)
                  for (int64_t i = 0; i < 4; ++i) {
                    Value j = key(n, i % 2);
                    Value index = kb.add(maskRows[m][i / 2], kb.mul(kb.ext64(j), args["mask_sj"]));
                    index = kb.indexCast(kb.b.getIndexType(), index);
                    Value bias = memref::LoadOp::create(kb.b, kb.loc, args["mask"], index);
                    values.push_back(kb.fma(bias, kb.f32(M_LOG2E), xs[values.size()]));
                  }
              return values;
            },
            [&] { return xs; });
        SmallVector<Value> withSizes = kb.ifElse(
            hasKeySizes,
            [&] {
              SmallVector<Value> logSizes;
              for (int64_t n = 0; n < scoreTiles; ++n)
                for (int64_t e = 0; e < 2; ++e) {
                  Value index = kb.add(ksrow, kb.ext64(key(n, e)));
                  index = kb.indexCast(kb.b.getIndexType(), index);
                  Value size = memref::LoadOp::create(kb.b, kb.loc, args["key_sizes"], index);
                  logSizes.push_back(kb.lg2(size));
                }
              SmallVector<Value> values;
              for (int64_t m = 0; m < mt; ++m)
                for (int64_t n = 0; n < scoreTiles; ++n)
                  for (int64_t i = 0; i < 4; ++i)
                    values.push_back(
                        kb.addf(withMask[m * scores + 4 * n + i], logSizes[2 * n + i % 2]));
              return values;
            },
            [&] { return withMask; });
        withSizes.push_back(kb.f32(1.0));
        return withSizes;
      },
      [&] {
        SmallVector<Value> values(flat);
        values.push_back(scaleLog2);
        return values;
      });
}

/// Elementwise masking, on blocks that straddle a boundary only.
SmallVector<Value> FlashAttentionBuilder::masked(ArrayRef<Value> x, Value k0) {
  Value straddles = kb.cmpi(CmpIPredicate::sgt, k0, bbnd);
  Value pastDiagonal = kb.cmpi(CmpIPredicate::sgt, k0, bdiag);
  Value straddlesDiagonal = kb.andi(causal, pastDiagonal);
  Value beforeWindow = kb.cmpi(CmpIPredicate::slt, k0, bwin);
  Value straddlesWindow = kb.andi(window, beforeWindow);
  straddles = kb.ori(straddles, straddlesDiagonal);
  straddles = kb.ori(straddles, straddlesWindow);
  return kb.ifElse(
      straddles,
      [&] {
        Value lastColumn = kb.addc(kb.sub(lim0, k0), -1); // the last in-range column
        SmallVector<Value> values;
        for (int64_t m = 0; m < mt; ++m) {
          // Column c is visible iff c <= hi (in range and, if causal, on or
          // below the diagonal) and c > lo (window).
          std::array<Value, 2> hi, lo;
          for (int64_t r = 0; r < 2; ++r) {
            Value db = kb.sub(diagonal[m][r], k0);
            hi[r] = kb.select(causal, kb.minsi(db, lastColumn), lastColumn);
            lo[r] = kb.select(window, kb.sub(db, wcl), kb.i32(-1));
          }
          for (int64_t n = 0; n < scoreTiles; ++n)
            for (int64_t i = 0; i < 4; ++i) {
              Value column = kb.i32(8 * n + i % 2);
              Value belowHi = kb.cmpi(CmpIPredicate::sle, column, hi[i / 2]);
              Value aboveLo = kb.cmpi(CmpIPredicate::sgt, column, lo[i / 2]);
              Value visible = kb.andi(belowHi, aboveLo);
              values.push_back(kb.select(visible, x[m * scores + 4 * n + i], ninf));
            }
        }
        return values;
      },
      [&] { return SmallVector<Value>(x); });
}

/// Normalises O, stages it through shared memory (the Q region) and stores
/// it with coalesced 16-byte stores.
void FlashAttentionBuilder::epilogue(ArrayRef<Value> results) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
  gpu::BarrierOp::create(b, loc);
  int64_t base = mt * accumulators;
  for (int64_t m = 0; m < mt; ++m) {
    std::array<Value, 2> inverse;
    for (int64_t r = 0; r < 2; ++r) {
      Value l = results[base + 4 * m + 2 + r];
      Value sum = kb.addf(l, kb.shuffleXor(l, 1));
      sum = kb.addf(sum, kb.shuffleXor(sum, 2));
      Value positive = kb.cmpf(CmpFPredicate::OGT, sum, zf);
      Value reciprocal = kb.divf(kb.f32(1.0), sum);
      inverse[r] = kb.select(positive, reciprocal, zf);
    }
    Value st = kb.ext64(kb.add(kb.mulc(kb.add(kb.addc(wrow, 16 * m), g), paddedRow), t2));
    Value stPointer = kb.gep(smem, kb.mulc(st, 2));
    for (int64_t n = 0; n < outTiles; ++n)
      for (int64_t r = 0; r < 2; ++r) {
        Value low = kb.mulf(results[m * accumulators + 4 * n + 2 * r], inverse[r]);
        Value high = kb.mulf(results[m * accumulators + 4 * n + 2 * r + 1], inverse[r]);
        Value packed = pack(low, high);
        kb.store(packed, kb.gepc(stPointer, (8 * r * paddedRow + 8 * n) * 2), 4);
      }
  }
  gpu::BarrierOp::create(b, loc);
  Value sq = args["sq"];
  for (int64_t it = 0; it < bm / rowStep; ++it) {
    Value row = kb.addc(ldRow, it * rowStep);
    Value gi = kb.add(q0, row);
    Value valid = kb.cmpi(CmpIPredicate::slt, gi, sq);
    kb.ifThen(valid, [&] {
      Value chunk =
          kb.load(VectorType::get({4}, b.getI32Type()), kb.gepc(shLd, it * rowStep * rowBytes), 16);
      Value so = kb.add(qbase, kb.add(kb.mul(kb.ext64(gi), kb.i64(d)), ldCol64));
      Value dst = kb.gep(og, kb.mulc(so, 2));
      kb.store(chunk, dst, 16);
    });
  }
}

/// Two f32 as one i32 holding the pair (low, high) in the element type.
Value FlashAttentionBuilder::pack(Value low, Value high) {
  OpBuilder &b = kb.b;
  Location loc = kb.loc;
  auto floats = VectorType::get({2}, b.getF32Type());
  Value undef = LLVM::UndefOp::create(b, loc, floats);
  Value first = LLVM::InsertElementOp::create(b, loc, floats, undef, low, kb.i32(0));
  Value both = LLVM::InsertElementOp::create(b, loc, floats, first, high, kb.i32(1));
  Value narrow = LLVM::FPTruncOp::create(b, loc, VectorType::get({2}, config.element), both);
  return LLVM::BitcastOp::create(b, loc, b.getI32Type(), narrow);
}

//===----------------------------------------------------------------------===//
// Decode: @icl_decode_partial and @icl_decode_combine
//===----------------------------------------------------------------------===//
//
// Split-KV decode attention (flash-decoding).
//
// Math (OPS.md "Attention family"): q [B,Hq,Sq,D], k/v [B,Hkv,Skv,D]
// contiguous, group = Hq/Hkv, query head h reads kv head h/group. Logits, in
// the log2 domain:
//   s2 = scale_log2 * q.k + log2(e) * mask[b,h,i,j] + log2(key_sizes[b,j])
// causal (mask_kind 1): key j visible to query i iff j <= i + Skv - Sq; window
// (mask_kind 2): causal and i + Skv - Sq - j < window. A fully masked row gives
// o = 0.
//
// Per (b, kv head hk) the R = group*Sq query rows (R <= 16) are one 16-row MMA
// tile: row r <-> query head h = hk*group + r/Sq, query i = r%Sq (so the rows
// are the contiguous q[b, hk*group .. hk*group+group-1, :, :]); rows r >= R
// are zero padding. The code is written for D = 128; at D = 64 the second half
// of the head dimension (d >= 64) is left out.
//
// ---- kernel 1: @icl_decode_partial ----
//   grid = (splits, Hkv, B), block = (128, 1, 1), dynamic shared memory = 0
//   (static workgroup memory: 4*16*D*4 + 512 bytes = 33280 B for D = 128,
//   16896 B for D = 64).
//   Split s covers keys [s*chunk, min((s+1)*chunk, Skv)); any chunk >= 1 and
//   any splits with splits*chunk >= Skv are correct (an empty split writes
//   m = -inf, l = 0, o = 0).
//   Writes o_part [B, Hkv, splits, R, D] f32 (unnormalised) and ml_part
//   [B, Hkv, splits, R, 2] f32 (m in the log2 domain, l = sum of 2^(s2 - m)).
//   mask / key_sizes: dummy memrefs (size >= 1) when has_mask / has_key_sizes
//   = 0; not read then. mask element (b,h,i,j) is mask[b*mask_sb + h*mask_sh +
//   i*mask_si + j*mask_sj] (stride 0 = broadcast); key_sizes is [B, Skv]
//   contiguous.
//   Inside a block: warp w of 4 takes the 16 (keysPerWarpStep) keys at
//   split_start + it*TILE + w*16 in iteration it, TILE = 64 (16-byte coalesced
//   loads; q.k^T and p.v on tensor cores, mma.m16n8k16, f32 accumulate; online
//   softmax with ex2.approx); the four warp states merge through shared memory.
//
// ---- kernel 2: @icl_decode_combine ----
//   grid = (Hq*Sq, B, 1), block = (256, 1, 1), dynamic shared memory = 0
//   (static workgroup memory 4224 B). One block per output row (b, h, i);
//   writes o[b,h,i,:].
//
// ---- choosing chunk / splits (host side, DecodeAttentionKernels) ----
//   TILE = 64 keys (one block iteration), numSMs = 132 on H200. Kernel 1 uses
//   ~234 registers at 128 threads, so 2 blocks are resident per SM; the rule
//   makes one full wave:
//   want   = max(1, floor(2*numSMs / (B*Hkv)))
//   chunk  = max(512, roundup(ceil(Skv / want), TILE))
//   splits = ceil(Skv / chunk)
//   e.g. B=1, Hkv=32, Skv=65536: want 8, chunk 8192, splits 8 (256 blocks);
//   B=1, Hkv=8: chunk 2048, splits 32. (Measured on H200 at Hkv=32: 12 splits,
//   1.45 waves, is 13% slower than 8 or 16.)

/// Warps of a partial block.
constexpr int64_t kDecodeWarps = 4;
/// Threads of a combine block.
constexpr int64_t kCombineThreads = 256;

/// The vector helpers both decode kernels share.
class DecodeBuilder {
public:
  DecodeBuilder(const DecodeAttentionConfig &config, KernelBuilder &kb, const NamedArguments &args)
      : config(config), kb(kb), args(args), d(config.headDim) {}

protected:
  /// vector<size x element>.
  VectorType vectorOf(int64_t size, Type element) { return VectorType::get({size}, element); }
  /// An i32 argument as index.
  Value indexArgument(StringRef name) { return kb.indexCast(kb.b.getIndexType(), args[name]); }
  /// m == -inf ? 0 : m (the exponent base of a row that saw no unmasked key yet).
  Value guardMax(Value m) {
    Value isInf = kb.cmpf(CmpFPredicate::OEQ, m, kb.f32(-INFINITY));
    return kb.select(isInf, kb.f32(0.0), m);
  }
  Value broadcast(Value x) {
    return vector::BroadcastOp::create(kb.b, kb.loc, vectorOf(4, kb.b.getF32Type()), x);
  }

  const DecodeAttentionConfig &config;
  KernelBuilder &kb;
  const NamedArguments &args;
  const int64_t d;
};

class DecodePartialBuilder : DecodeBuilder {
public:
  using DecodeBuilder::DecodeBuilder;
  void build(Value sharedO, Value sharedML);

private:
  /// One row of this lane's A fragments (row g or g + 8): whether it is a query
  /// row, its last visible key, its mask row offset and its q offset.
  struct Row {
    Value valid, lim, mrow, qaddr;
  };
  /// Where an s2 value of this lane comes from: key step u, key tile t (8
  /// keys), key e of the lane's pair, row (g or g + 8).
  struct ScoreIndex {
    int64_t u, t, e, row;
  };

  Value load8(Value memref, Value address);
  SmallVector<Value> loadQuery(ArrayRef<int64_t> chunks);
  SmallVector<Value> words(Value eight);
  Value packFloats(Value low, Value high);
  Value packPair(Value first, Value second, int64_t position);
  SmallVector<Value> loadKeysValues(int64_t half);
  SmallVector<Value> iteration(Value it, ValueRange carried);
  SmallVector<Value> maskedScores(ArrayRef<Value> s2);
  void merge(Value sharedO, Value sharedML, ArrayRef<Value> results);

  int64_t steps() const { return config.keysPerWarpStep / 16; }
  int64_t tile() const { return kDecodeWarps * config.keysPerWarpStep; }

  VectorType eights;
  Value tid, split, hk, batch, w, g, c, groupIndex, sqIndex, skvIndex, rowCount, ks, ke, keM1;
  Value kvbase, skvSq, hasMask, hasKeySizes, kind0, kind1, kind2, windowIndex, noFeatures;
  Value maskSj, ksbase, zero8, ninf, fz, log2e, cD, bhk, splitsIndex;
  SmallVector<Value> chunkColumns;
  std::array<Row, 2> rows;
  /// Q words: [row][chunk j] -> the 4 i32 words of chunk 4j + c.
  std::array<SmallVector<SmallVector<Value>>, 2> queryWords;
  /// The s2 values of this lane in a fixed order: (u, t, e, row).
  SmallVector<ScoreIndex> order;
  // Per iteration: the first key of each step; K rows (u, t) and V rows
  // (u, q) as element offsets; K (u, t, j) and V (u, half, q) chunks.
  SmallVector<Value> keyBase;
  DenseMap<std::pair<int64_t, int64_t>, Value> keyRows, valueRows;
  DenseMap<std::tuple<int64_t, int64_t, int64_t>, Value> keys, values;
};

Value DecodePartialBuilder::load8(Value memref, Value address) {
  return vector::LoadOp::create(kb.b, kb.loc, eights, memref, address, /*nontemporal=*/false,
                                llvm::Align(16));
}

/// The Q chunks `chunks` of both rows, zero for padding rows.
SmallVector<Value> DecodePartialBuilder::loadQuery(ArrayRef<int64_t> chunks) {
  SmallVector<Value> out;
  for (const Row &row : rows)
    for (int64_t j : chunks) {
      Value address = kb.add(row.qaddr, kb.mul(chunkColumns[j], kb.index(8)));
      Value v = load8(args["q"], address);
      out.push_back(kb.select(row.valid, v, zero8));
    }
  return out;
}

/// The four i32 words of eight elements.
SmallVector<Value> DecodePartialBuilder::words(Value eight) {
  Value w = vector::BitCastOp::create(kb.b, kb.loc, vectorOf(4, kb.b.getI32Type()), eight);
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(vector::ExtractOp::create(kb.b, kb.loc, w, i));
  return out;
}

/// Two f32 as one i32 holding the pair (low, high) in the element type.
Value DecodePartialBuilder::packFloats(Value low, Value high) {
  Value pair = vector::FromElementsOp::create(kb.b, kb.loc, vectorOf(2, kb.b.getF32Type()),
                                              ValueRange{low, high});
  Value narrow = arith::TruncFOp::create(kb.b, kb.loc, vectorOf(2, config.element), pair);
  Value word = vector::BitCastOp::create(kb.b, kb.loc, vectorOf(1, kb.b.getI32Type()), narrow);
  return vector::ExtractOp::create(kb.b, kb.loc, word, 0);
}

/// Element `position` of `first` and of `second` as one i32.
Value DecodePartialBuilder::packPair(Value first, Value second, int64_t position) {
  Value pair = vector::ShuffleOp::create(kb.b, kb.loc, first, second,
                                         ArrayRef<int64_t>{position, 8 + position});
  Value word = vector::BitCastOp::create(kb.b, kb.loc, vectorOf(1, kb.b.getI32Type()), pair);
  return vector::ExtractOp::create(kb.b, kb.loc, word, 0);
}

void DecodePartialBuilder::build(Value sharedO, Value sharedML) {
  OpBuilder &builder = kb.b;
  Location loc = kb.loc;
  Type index = builder.getIndexType();
  eights = vectorOf(8, config.element);
  // Prologue.
  tid = gpu::ThreadIdOp::create(builder, loc, gpu::Dimension::x);
  split = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::x);
  hk = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::y);
  batch = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::z);
  Value lane = kb.remui(tid, kb.index(32));
  w = kb.divui(tid, kb.index(32));
  g = kb.divui(lane, kb.index(4));
  c = kb.remui(lane, kb.index(4));
  Value hqIndex = indexArgument("hq");
  groupIndex = indexArgument("group");
  sqIndex = indexArgument("sq");
  skvIndex = indexArgument("skv");
  Value chunkIndex = indexArgument("chunk");
  splitsIndex = indexArgument("splits");
  rowCount = kb.mul(groupIndex, sqIndex);
  Value hkv = kb.divui(hqIndex, groupIndex);
  ks = kb.mul(split, chunkIndex);
  Value chunkEnd = kb.add(ks, chunkIndex);
  ke = kb.minsi(chunkEnd, skvIndex);
  keM1 = kb.sub(ke, kb.index(1));
  Value keyCount = kb.maxsi(kb.sub(ke, ks), kb.index(0));
  Value iterations = kb.ceildivsi(keyCount, kb.index(tile()));
  cD = kb.index(d);
  bhk = kb.add(kb.mul(batch, hkv), hk);
  kvbase = kb.mul(kb.mul(bhk, skvIndex), cD);
  Value batchHeads = kb.mul(batch, hqIndex);
  Value groupHeads = kb.mul(hk, groupIndex);
  Value qrow0 = kb.mul(kb.add(batchHeads, groupHeads), sqIndex);
  Value rowCountM1 = kb.sub(rowCount, kb.index(1));
  skvSq = kb.sub(skvIndex, sqIndex);
  hasMask = kb.cmpi(CmpIPredicate::ne, args["has_mask"], kb.i32(0));
  hasKeySizes = kb.cmpi(CmpIPredicate::ne, args["has_key_sizes"], kb.i32(0));
  kind0 = kb.cmpi(CmpIPredicate::eq, args["mask_kind"], kb.i32(0));
  kind1 = kb.cmpi(CmpIPredicate::eq, args["mask_kind"], kb.i32(1));
  kind2 = kb.cmpi(CmpIPredicate::eq, args["mask_kind"], kb.i32(2));
  windowIndex = indexArgument("window");
  noFeatures = kb.ori(hasMask, hasKeySizes);
  noFeatures = kb.xori(noFeatures, kb.boolean(true));
  Value maskSb = kb.indexCast(index, args["mask_sb"]);
  Value maskSh = kb.indexCast(index, args["mask_sh"]);
  Value maskSi = kb.indexCast(index, args["mask_si"]);
  maskSj = kb.indexCast(index, args["mask_sj"]);
  ksbase = kb.mul(batch, skvIndex);
  zero8 = kb.zeros(eights);
  ninf = kb.f32(-INFINITY);
  fz = kb.f32(0.0);
  log2e = kb.f32(1.44269504);
  for (int64_t j = 0; j < 4; ++j)
    chunkColumns.push_back(j ? kb.add(kb.index(4 * j), c) : c);

  // This lane's rows: g and g + 8.
  for (int64_t r = 0; r < 2; ++r) {
    Value row = r ? kb.add(g, kb.index(8)) : g;
    Value valid = kb.cmpi(CmpIPredicate::slt, row, rowCount);
    Value clamped = kb.minsi(row, rowCountM1);
    Value firstHead = kb.mul(hk, groupIndex);
    Value h = kb.add(firstHead, kb.divui(clamped, sqIndex));
    Value i = kb.remui(clamped, sqIndex);
    Value lim = kb.add(i, skvSq); // the last visible key (causal)
    Value batchOffset = kb.mul(batch, maskSb);
    Value headOffset = kb.mul(h, maskSh);
    Value batchHead = kb.add(batchOffset, headOffset);
    Value mrow = kb.add(batchHead, kb.mul(i, maskSi));
    Value qaddr = kb.mul(kb.add(qrow0, clamped), cD);
    rows[r] = {valid, lim, mrow, qaddr};
  }

  // Q fragments: queryWords[row][j] = 4 words of chunk 4j + c.
  SmallVector<Value> firstHalf = loadQuery({0, 1});
  SmallVector<Value> secondHalf;
  if (d == 128)
    secondHalf = loadQuery({2, 3});
  for (int64_t r = 0; r < 2; ++r)
    for (ArrayRef<Value> half : {ArrayRef<Value>(firstHalf), ArrayRef<Value>(secondHalf)})
      if (!half.empty())
        for (Value chunk : half.slice(2 * r, 2))
          queryWords[r].push_back(words(chunk));

  for (int64_t u = 0; u < steps(); ++u)
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t e = 0; e < 2; ++e)
        for (int64_t row = 0; row < 2; ++row)
          order.push_back({u, t, e, row});

  // The main loop: m and l of both rows, then O (D/8 n-tiles of 4).
  SmallVector<Value> initial = {ninf, ninf, fz, fz};
  initial.append(d / 8 * 4, fz);
  SmallVector<Value> results =
      kb.forLoop(kb.index(0), iterations, kb.index(1), initial,
                 [&](Value it, ValueRange carried) { return iteration(it, carried); });
  merge(sharedO, sharedML, results);
  gpu::ReturnOp::create(builder, loc);
}

SmallVector<Value> DecodePartialBuilder::loadKeysValues(int64_t half) {
  SmallVector<Value> out;
  for (int64_t u = 0; u < steps(); ++u) {
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t j : {2 * half, 2 * half + 1}) {
        Value address = kb.add(keyRows[{u, t}], kb.mul(chunkColumns[j], kb.index(8)));
        out.push_back(load8(args["k"], address));
      }
    Value column = kb.mul(half ? kb.add(g, kb.index(8)) : g, kb.index(8));
    for (int64_t q : {0, 1, 8, 9})
      out.push_back(load8(args["v"], kb.add(valueRows[{u, q}], column)));
  }
  return out;
}

SmallVector<Value> DecodePartialBuilder::iteration(Value it, ValueRange carried) {
  int64_t stepKeys = 16 * steps();
  Value stepStart = kb.add(ks, kb.mul(it, kb.index(tile())));
  Value kb0 = kb.add(stepStart, kb.mul(w, kb.index(stepKeys)));
  keyBase = {kb0};
  for (int64_t u = 1; u < steps(); ++u)
    keyBase.push_back(kb.add(kb0, kb.index(16 * u)));
  // Loads: K rows kb+8t+g (chunks 4j+c), V rows kb+2c+{0,1,8,9} (chunk 8hf+g).
  for (int64_t u = 0; u < steps(); ++u) {
    for (int64_t t = 0; t < 2; ++t) {
      Value r = kb.minsi(kb.add(keyBase[u], t ? kb.add(g, kb.index(8 * t)) : g), keM1);
      keyRows[{u, t}] = kb.mul(r, cD);
    }
    Value c2 = kb.mul(c, kb.index(2));
    for (int64_t q : {0, 1, 8, 9}) {
      Value r = kb.minsi(kb.add(keyBase[u], q ? kb.add(c2, kb.index(q)) : c2), keM1);
      valueRows[{u, q}] = kb.add(kb.mul(r, cD), kvbase);
    }
    for (int64_t t = 0; t < 2; ++t)
      keyRows[{u, t}] = kb.add(keyRows[{u, t}], kvbase);
  }
  int64_t halves = d / 64;
  for (int64_t half = 0; half < halves; ++half) {
    SmallVector<Value> loaded = loadKeysValues(half);
    auto next = loaded.begin();
    for (int64_t u = 0; u < steps(); ++u) {
      for (int64_t t = 0; t < 2; ++t)
        for (int64_t j : {2 * half, 2 * half + 1})
          keys[{u, t, j}] = *next++;
      for (int64_t q : {0, 1, 8, 9})
        values[{u, half, q}] = *next++;
    }
  }

  // S = Q K^T (per u, t: 4 values c0..c3).
  auto queryA = [&](int64_t s) -> SmallVector<Value> {
    int64_t j = s / 2, h = s % 2;
    return {queryWords[0][j][2 * h], queryWords[1][j][2 * h], queryWords[0][j][2 * h + 1],
            queryWords[1][j][2 * h + 1]};
  };
  DenseMap<std::pair<int64_t, int64_t>, Quad> scores;
  for (int64_t u = 0; u < steps(); ++u)
    for (int64_t t = 0; t < 2; ++t) {
      // Two accumulators (even / odd k-steps) halve the dependent MMA chain.
      std::array<Quad, 2> acc = {Quad{fz, fz, fz, fz}, Quad{fz, fz, fz, fz}};
      for (int64_t s = 0; s < d / 16; ++s) {
        int64_t j = s / 2, h = s % 2;
        SmallVector<Value> kw = words(keys[{u, t, j}]);
        acc[h] = kb.mma(queryA(s), {kw[2 * h], kw[2 * h + 1]}, acc[h]);
      }
      Quad sum;
      for (int64_t q = 0; q < 4; ++q)
        sum[q] = kb.addf(acc[0][q], acc[1][q]);
      scores[{u, t}] = sum;
    }
  SmallVector<Value> s2;
  for (const ScoreIndex &o : order)
    s2.push_back(kb.mulf(scores[{o.u, o.t}][o.e + 2 * o.row], args["scale_log2"]));

  // Masking (a warp-uniform branch; skipped for full tiles without mask
  // features).
  Value last = kb.add(kb0, kb.index(stepKeys - 1));
  Value full = kb.cmpi(CmpIPredicate::slt, last, ke);
  Value causalOk = kb.cmpi(CmpIPredicate::sle, last, skvSq);
  Value distance = kb.sub(kb.sub(skvIndex, kb.index(1)), kb0);
  Value windowOk = kb.cmpi(CmpIPredicate::slt, distance, windowIndex);
  windowOk = kb.ori(kind1, windowOk);
  causalOk = kb.andi(causalOk, windowOk);
  causalOk = kb.ori(kind0, causalOk);
  Value fast = kb.andi(kb.andi(noFeatures, full), causalOk);
  s2 = kb.ifElse(
      fast, [&] { return s2; }, [&] { return maskedScores(s2); });

  // Online softmax (log2 domain); row maxima over the 4 lanes of a quad.
  std::array<Value, 2> newMax, alpha, base;
  for (int64_t row = 0; row < 2; ++row) {
    Value mx;
    for (auto [n, o] : llvm::enumerate(order))
      if (o.row == row)
        mx = mx ? kb.fmax(mx, s2[n]) : s2[n];
    mx = kb.fmax(mx, kb.shuffleXor(mx, 1));
    mx = kb.fmax(mx, kb.shuffleXor(mx, 2));
    Value mn = kb.fmax(carried[row], mx);
    Value mu = guardMax(mn);
    alpha[row] = kb.ex2(kb.subf(carried[row], mu));
    newMax[row] = mn;
    base[row] = mu;
  }
  SmallVector<Value> p;
  for (auto [n, o] : llvm::enumerate(order))
    p.push_back(kb.ex2(kb.subf(s2[n], base[o.row])));
  std::array<Value, 2> newSum;
  for (int64_t row = 0; row < 2; ++row) {
    Value acc = kb.mulf(carried[2 + row], alpha[row]);
    for (auto [n, o] : llvm::enumerate(order))
      if (o.row == row)
        acc = kb.addf(acc, p[n]);
    newSum[row] = acc;
  }
  auto position = [&](int64_t u, int64_t t, int64_t e, int64_t row) {
    return ((u * 2 + t) * 2 + e) * 2 + row;
  };
  SmallVector<Quad> pa;
  for (int64_t u = 0; u < steps(); ++u) {
    Quad registers;
    for (int64_t i = 0; i < 4; ++i) {
      int64_t t = i / 2, row = i % 2;
      registers[i] = packFloats(p[position(u, t, 0, row)], p[position(u, t, 1, row)]);
    }
    pa.push_back(registers);
  }

  // O = alpha*O + P V.
  SmallVector<Value> yielded = {newMax[0], newMax[1], newSum[0], newSum[1]};
  for (int64_t half = 0; half < halves; ++half)
    for (int64_t e8 = 0; e8 < 8; ++e8) {
      ValueRange old = carried.slice(4 + 4 * (8 * half + e8), 4);
      Quad o = {kb.mulf(old[0], alpha[0]), kb.mulf(old[1], alpha[0]), kb.mulf(old[2], alpha[1]),
                kb.mulf(old[3], alpha[1])};
      for (int64_t u = 0; u < steps(); ++u) {
        Value low = packPair(values[{u, half, 0}], values[{u, half, 1}], e8);
        Value high = packPair(values[{u, half, 8}], values[{u, half, 9}], e8);
        o = kb.mma(pa[u], {low, high}, o);
      }
      yielded.append(o.begin(), o.end());
    }
  return yielded;
}

/// s2 with the mask tensor, key sizes, causal / window visibility and the
/// split's end applied.
SmallVector<Value> DecodePartialBuilder::maskedScores(ArrayRef<Value> s2) {
  SmallVector<Value> keyIndices, clamped;
  for (const ScoreIndex &o : order) {
    Value column = kb.add(kb.mul(c, kb.index(2)), kb.index(8 * o.t + o.e));
    keyIndices.push_back(kb.add(keyBase[o.u], column));
  }
  for (Value j : keyIndices)
    clamped.push_back(kb.minsi(j, keM1));
  SmallVector<Value> scores(s2);
  scores = kb.ifElse(
      hasMask,
      [&] {
        SmallVector<Value> out;
        for (auto [n, o] : llvm::enumerate(order)) {
          Value address = kb.add(rows[o.row].mrow, kb.mul(clamped[n], maskSj));
          Value bias = memref::LoadOp::create(kb.b, kb.loc, args["mask"], address);
          out.push_back(kb.fma(bias, log2e, scores[n]));
        }
        return out;
      },
      [&] { return scores; });
  scores = kb.ifElse(
      hasKeySizes,
      [&] {
        SmallVector<Value> out;
        for (size_t n = 0; n < order.size(); ++n) {
          Value size =
              memref::LoadOp::create(kb.b, kb.loc, args["key_sizes"], kb.add(ksbase, clamped[n]));
          out.push_back(kb.addf(scores[n], kb.lg2(size)));
        }
        return out;
      },
      [&] { return scores; });
  SmallVector<Value> out;
  for (auto [n, o] : llvm::enumerate(order)) {
    Value j = keyIndices[n];
    Value lim = rows[o.row].lim;
    Value inSplit = kb.cmpi(CmpIPredicate::slt, j, ke);
    Value causal = kb.ori(kind0, kb.cmpi(CmpIPredicate::sle, j, lim));
    Value notWindow = kb.xori(kind2, kb.boolean(true));
    Value inWindow = kb.cmpi(CmpIPredicate::slt, kb.sub(lim, j), windowIndex);
    Value window = kb.ori(notWindow, inWindow);
    Value visible = kb.andi(inSplit, kb.andi(causal, window));
    out.push_back(kb.select(visible, scores[n], ninf));
  }
  return out;
}

/// The warp states to shared memory, merged by the block into o_part and
/// ml_part.
void DecodePartialBuilder::merge(Value sharedO, Value sharedML, ArrayRef<Value> results) {
  OpBuilder &builder = kb.b;
  Location loc = kb.loc;
  std::array<Value, 2> rowMax = {results[0], results[1]}, rowSum;
  for (int64_t row = 0; row < 2; ++row) {
    Value x = results[2 + row];
    x = kb.addf(x, kb.shuffleXor(x, 1));
    x = kb.addf(x, kb.shuffleXor(x, 2));
    rowSum[row] = x;
  }
  ArrayRef<Value> o = results.drop_front(4);
  Value firstLane = kb.cmpi(CmpIPredicate::eq, c, kb.index(0));
  kb.ifThen(firstLane, [&] {
    for (int64_t row = 0; row < 2; ++row) {
      Value r = row ? kb.add(g, kb.index(8)) : g;
      memref::StoreOp::create(builder, loc, rowMax[row], sharedML, ValueRange{w, r, kb.index(0)});
      memref::StoreOp::create(builder, loc, rowSum[row], sharedML, ValueRange{w, r, kb.index(1)});
    }
  });
  for (int64_t half = 0; half < d / 64; ++half)
    for (int64_t row = 0; row < 2; ++row) {
      Value r = row ? kb.add(g, kb.index(8)) : g;
      for (int64_t k = 0; k < 2; ++k) {
        SmallVector<Value> elements;
        for (int64_t e8 = 0; e8 < 8; ++e8)
          elements.push_back(o[(8 * half + e8) * 4 + 2 * row + k]);
        Value v = vector::FromElementsOp::create(builder, loc, vectorOf(8, builder.getF32Type()),
                                                 elements);
        Value d0 = kb.add(kb.mul(c, kb.index(16)), kb.index(64 * half + 8 * k));
        vector::StoreOp::create(builder, loc, v, sharedO, ValueRange{w, r, d0});
      }
    }
  gpu::BarrierOp::create(builder, loc);

  // Merge the 4 warps.
  Value rowsPerPass = kb.divui(kb.index(32 * kDecodeWarps), cD);
  Value r0 = kb.divui(tid, cD);
  Value column = kb.remui(tid, cD);
  Value obase = kb.mul(kb.add(kb.mul(bhk, splitsIndex), split), rowCount);
  kb.forLoop(kb.index(0), kb.index(DecodeAttentionConfig::maxRows), rowsPerPass, {},
             [&](Value rr, ValueRange) {
               Value r = kb.add(rr, r0);
               Value inRange = kb.cmpi(CmpIPredicate::slt, r, rowCount);
               kb.ifThen(inRange, [&] {
                 auto loadAll = [&](Value memref, Value last) {
                   SmallVector<Value> loaded;
                   for (int64_t k = 0; k < kDecodeWarps; ++k)
                     loaded.push_back(memref::LoadOp::create(builder, loc, memref,
                                                             ValueRange{kb.index(k), r, last}));
                   return loaded;
                 };
                 SmallVector<Value> ms = loadAll(sharedML, kb.index(0));
                 SmallVector<Value> ls = loadAll(sharedML, kb.index(1));
                 SmallVector<Value> os = loadAll(sharedO, column);
                 Value m = ms[0];
                 for (Value x : ArrayRef<Value>(ms).drop_front())
                   m = kb.fmax(m, x);
                 Value mu = guardMax(m);
                 Value l = fz, acc = fz;
                 for (int64_t k = 0; k < kDecodeWarps; ++k) {
                   Value weight = kb.ex2(kb.subf(ms[k], mu));
                   l = kb.fma(weight, ls[k], l);
                   acc = kb.fma(weight, os[k], acc);
                 }
                 Value row = kb.add(obase, r);
                 memref::StoreOp::create(builder, loc, acc, args["o_part"],
                                         kb.add(kb.mul(row, cD), column));
                 Value firstColumn = kb.cmpi(CmpIPredicate::eq, column, kb.index(0));
                 kb.ifThen(firstColumn, [&] {
                   Value a = kb.mul(row, kb.index(2));
                   memref::StoreOp::create(builder, loc, m, args["ml_part"], a);
                   memref::StoreOp::create(builder, loc, l, args["ml_part"],
                                           kb.add(a, kb.index(1)));
                 });
               });
               return SmallVector<Value>();
             });
}

class DecodeCombineBuilder : DecodeBuilder {
public:
  using DecodeBuilder::DecodeBuilder;
  void build(Value sharedO, Value sharedML);
};

void DecodeCombineBuilder::build(Value sharedO, Value sharedML) {
  OpBuilder &builder = kb.b;
  Location loc = kb.loc;
  VectorType quad = vectorOf(4, builder.getF32Type());
  Value tid = gpu::ThreadIdOp::create(builder, loc, gpu::Dimension::x);
  Value n = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::x);
  Value batch = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::y);
  Value cD = kb.index(d);
  // D/4 threads (4 values each) per split slot, and the slots of one pass.
  Value quarters = kb.divui(cD, kb.index(4));
  Value slots = kb.divui(kb.index(kCombineThreads), quarters);
  Value dq = kb.remui(tid, quarters);
  Value sl = kb.divui(tid, quarters);
  Value hqIndex = indexArgument("hq");
  Value groupIndex = indexArgument("group");
  Value sqIndex = indexArgument("sq");
  Value splitsIndex = indexArgument("splits");
  Value rowCount = kb.mul(groupIndex, sqIndex);
  Value hkv = kb.divui(hqIndex, groupIndex);
  Value hk = kb.divui(n, rowCount);
  Value r = kb.sub(n, kb.mul(hk, rowCount));
  Value bhk = kb.add(kb.mul(batch, hkv), hk);
  Value lastSplit = kb.sub(splitsIndex, kb.index(1));
  Value ninf = kb.f32(-INFINITY);
  Value fz = kb.f32(0.0);
  Value d4 = kb.mul(dq, kb.index(4));
  constexpr int64_t unroll = 4;
  Value step = kb.mul(slots, kb.index(unroll));
  Value zero4 = kb.zeros(quad);
  SmallVector<Value> partial =
      kb.forLoop(sl, splitsIndex, step, {ninf, fz, zero4}, [&](Value s0, ValueRange carried) {
        Value am = carried[0], al = carried[1], ao = carried[2];
        SmallVector<Value> ms, ls, os;
        for (int64_t k = 0; k < unroll; ++k) {
          Value s = k ? kb.add(s0, kb.mul(slots, kb.index(k))) : s0;
          Value valid = kb.cmpi(CmpIPredicate::slt, s, splitsIndex);
          Value clamped = kb.minsi(s, lastSplit);
          Value row = kb.add(kb.mul(kb.add(kb.mul(bhk, splitsIndex), clamped), rowCount), r);
          Value a = kb.mul(row, kb.index(2));
          Value mv = memref::LoadOp::create(builder, loc, args["ml_part"], a);
          ms.push_back(kb.select(valid, mv, ninf));
          ls.push_back(
              memref::LoadOp::create(builder, loc, args["ml_part"], kb.add(a, kb.index(1))));
          os.push_back(vector::LoadOp::create(builder, loc, quad, args["o_part"],
                                              kb.add(kb.mul(row, cD), d4),
                                              /*nontemporal=*/false, llvm::Align(16)));
        }
        Value m = am;
        for (Value x : ms)
          m = kb.fmax(m, x);
        Value mu = guardMax(m);
        Value a0 = kb.ex2(kb.subf(am, mu));
        Value l = kb.mulf(al, a0);
        Value o = kb.mulf(ao, broadcast(a0));
        for (int64_t k = 0; k < unroll; ++k) {
          // A padded slot has weight 0.
          Value weight = kb.ex2(kb.subf(ms[k], mu));
          l = kb.fma(weight, ls[k], l);
          o = kb.fma(broadcast(weight), os[k], o);
        }
        return SmallVector<Value>{m, l, o};
      });
  vector::StoreOp::create(builder, loc, partial[2], sharedO, kb.add(kb.mul(sl, cD), d4));
  Value firstQuarter = kb.cmpi(CmpIPredicate::eq, dq, kb.index(0));
  kb.ifThen(firstQuarter, [&] {
    memref::StoreOp::create(builder, loc, partial[0], sharedML, kb.mul(sl, kb.index(2)));
    memref::StoreOp::create(builder, loc, partial[1], sharedML,
                            kb.add(kb.mul(sl, kb.index(2)), kb.index(1)));
  });
  gpu::BarrierOp::create(builder, loc);

  Value firstSlot = kb.cmpi(CmpIPredicate::eq, sl, kb.index(0));
  kb.ifThen(firstSlot, [&] {
    SmallVector<Value> final = kb.forLoop(
        kb.index(0), slots, kb.index(1), {ninf, fz, zero4}, [&](Value k, ValueRange carried) {
          Value fm = carried[0], fl = carried[1], fo = carried[2];
          Value mk = memref::LoadOp::create(builder, loc, sharedML, kb.mul(k, kb.index(2)));
          Value lk = memref::LoadOp::create(builder, loc, sharedML,
                                            kb.add(kb.mul(k, kb.index(2)), kb.index(1)));
          Value ok = vector::LoadOp::create(builder, loc, quad, sharedO, kb.add(kb.mul(k, cD), d4));
          Value m = kb.fmax(fm, mk);
          Value mu = guardMax(m);
          Value aOld = kb.ex2(kb.subf(fm, mu));
          Value aNew = kb.ex2(kb.subf(mk, mu));
          Value l = kb.fma(aNew, lk, kb.mulf(fl, aOld));
          Value vOld = broadcast(aOld);
          Value vNew = broadcast(aNew);
          Value o = kb.fma(vNew, ok, kb.mulf(fo, vOld));
          return SmallVector<Value>{m, l, o};
        });
    Value sum = final[1];
    Value positive = kb.cmpf(CmpFPredicate::OGT, sum, fz);
    Value inverse = kb.divf(kb.f32(1.0), sum);
    inverse = kb.select(positive, inverse, fz);
    Value out = kb.mulf(final[2], broadcast(inverse));
    Value narrow = arith::TruncFOp::create(builder, loc, vectorOf(4, config.element), out);
    Value address = kb.add(kb.mul(kb.add(kb.mul(kb.mul(batch, hqIndex), sqIndex), n), cD), d4);
    vector::StoreOp::create(builder, loc, narrow, args["o"], address, /*nontemporal=*/false,
                            llvm::Align(8));
  });
  gpu::ReturnOp::create(builder, loc);
}

} // namespace

FailureOr<KernelLaunchSpec> mlir::icl::buildFlashAttention(gpu::GPUModuleOp module,
                                                           const FlashAttentionConfig &config) {
  int64_t d = config.headDim, threads = 32 * config.warps;
  int64_t rows = 16 * config.mTiles * config.warps;
  // One pass of all threads copies whole rows of 16-byte chunks, a whole
  // number of times per Q tile and per K/V tile; fragments pair up n-tiles.
  int64_t rowStep = d % 16 == 0 && d > 0 && threads % (d / 8) == 0 ? threads / (d / 8) : 0;
  if (!(config.element.isBF16() || config.element.isF16()) || config.warps < 1 ||
      config.mTiles < 1 || rowStep == 0 || rows % rowStep || config.keyTile % 16 ||
      config.keyTile < 16 || config.keyTile % rowStep || threads / 4 > rows ||
      config.lazyRescale < 0 || config.minBlocksPerMultiprocessor < 0)
    return module.emitError() << "no flash attention kernel for " << config.element << ", D=" << d
                              << ", " << config.warps << " warps of " << config.mTiles
                              << " m-tiles, " << config.keyTile << "-key tiles";
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  SmallVector<NamedAttribute> attributes;
  if (config.minBlocksPerMultiprocessor)
    attributes.push_back(
        b.getNamedAttr("nvvm.minctasm", b.getI32IntegerAttr(config.minBlocksPerMultiprocessor)));
  auto output = MemRefType::get({ShapedType::kDynamic}, config.element);
  KernelLaunchSpec spec = createKernel(b, module, "icl_flash_attention",
                                       attentionArguments(ctx, config.element, {{"o", output}}), {},
                                       threads, attributes);
  spec.rowsPerBlock = rows;
  // The Q tile and double-buffered K and V tiles, rows padded by 8 elements.
  spec.sharedBytes = (rows + 4 * config.keyTile) * (d + 8) * 2;
  KernelBuilder kb(b, module.getLoc(), spec.func.front(), config.element);
  NamedArguments args(spec.func, spec.arguments);
  FlashAttentionBuilder(config, kb, args).build();
  return spec;
}

FailureOr<DecodeAttentionKernels>
mlir::icl::buildDecodeAttention(gpu::GPUModuleOp module, const DecodeAttentionConfig &config) {
  if (!(config.element.isBF16() || config.element.isF16()) ||
      (config.headDim != 64 && config.headDim != 128) ||
      (config.keysPerWarpStep != 16 && config.keysPerWarpStep != 32) ||
      config.minBlocksPerMultiprocessor < 0)
    return module.emitError() << "no decode attention kernels for " << config.element
                              << ", D=" << config.headDim << ", " << config.keysPerWarpStep
                              << " keys per warp step";
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  Location loc = module.getLoc();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto shared = [&](ArrayRef<int64_t> shape) {
    return MemRefType::get(shape, f32, MemRefLayoutAttrInterface(), workgroup);
  };
  auto maxThreads = [&](int64_t threads) {
    return b.getNamedAttr("nvvm.maxntid",
                          b.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
  };
  DecodeAttentionKernels kernels;
  kernels.keyTile = kDecodeWarps * config.keysPerWarpStep;
  kernels.minChunk = 512;
  kernels.residentBlocks = 2;
  kernels.partialValuesPerRow = config.headDim;
  kernels.partialStatesPerRow = 2;

  int64_t threads = 32 * kDecodeWarps, rows = DecodeAttentionConfig::maxRows;
  SmallVector<NamedAttribute> attributes = {maxThreads(threads)};
  if (config.minBlocksPerMultiprocessor)
    attributes.push_back(
        b.getNamedAttr("nvvm.minctasm", b.getI32IntegerAttr(config.minBlocksPerMultiprocessor)));
  auto floats = MemRefType::get({ShapedType::kDynamic}, f32);
  SmallVector<KernelArgument> arguments =
      attentionArguments(ctx, config.element, {{"o_part", floats}, {"ml_part", floats}});
  arguments.append({{"chunk", i32}, {"splits", i32}});
  // Each warp's O and (m, l) for the block's merge.
  kernels.partial =
      createKernel(b, module, "icl_decode_partial", arguments,
                   {shared({kDecodeWarps, rows, config.headDim}), shared({kDecodeWarps, rows, 2})},
                   threads, attributes);
  kernels.partial.rowsPerBlock = rows;
  {
    KernelBuilder kb(b, loc, kernels.partial.func.front(), config.element);
    NamedArguments args(kernels.partial.func, kernels.partial.arguments);
    ArrayRef<BlockArgument> buffers = kernels.partial.func.getWorkgroupAttributions();
    DecodePartialBuilder(config, kb, args).build(buffers[0], buffers[1]);
  }

  SmallVector<KernelArgument> combineArguments = {
      {"o_part", floats},
      {"ml_part", floats},
      {"o", MemRefType::get({ShapedType::kDynamic}, config.element)},
      {"hq", i32},
      {"group", i32},
      {"sq", i32},
      {"splits", i32}};
  // A 4-float slot per thread; (m, l) per split slot, as many as D = 64 has.
  kernels.combine =
      createKernel(b, module, "icl_decode_combine", combineArguments,
                   {shared({4 * kCombineThreads}), shared({2 * kCombineThreads / (64 / 4)})},
                   kCombineThreads, {maxThreads(kCombineThreads)});
  kernels.combine.rowsPerBlock = 1;
  {
    KernelBuilder kb(b, loc, kernels.combine.func.front(), config.element);
    NamedArguments args(kernels.combine.func, kernels.combine.arguments);
    ArrayRef<BlockArgument> buffers = kernels.combine.func.getWorkgroupAttributions();
    DecodeCombineBuilder(config, kb, args).build(buffers[0], buffers[1]);
  }
  return kernels;
}
