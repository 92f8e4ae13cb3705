//===- AttentionKernels.h - icl's fused attention kernels -------*- C++ -*-===//
//
// The GPU kernels icl-cuda-attention launches for icl.attention, built as IR
// from a configuration: the fused prefill kernel (FlashAttention-2 style) and
// the split-KV decode kernels. Each builder adds its gpu.func(s) to a
// gpu.module and returns how the host launches them; the host side reads
// everything about the launch (block size, shared memory, rows per block,
// argument order, the decode split rule) from there.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_ATTENTIONKERNELS_H
#define ICL_PASSES_CUDA_ATTENTIONKERNELS_H

#include "passes/cuda/KernelSpec.h"

namespace mlir::icl {

/// The fused prefill kernel @icl_flash_attention. Every field but the element
/// type and head dimension is a tuning knob; the defaults were the fastest of
/// the variants measured on an H200 (bench/gpu/test_flash_kernel.py).
struct FlashAttentionConfig {
  /// The defaults for `element` and `headDim`.
  FlashAttentionConfig(Type element, int64_t headDim)
      : element(element), headDim(headDim), queryInRegisters(headDim == 64),
        skipRescale(headDim == 64), lazyRescale(headDim == 128 ? 8 : 0) {}

  /// Element type of q, k, v and o: bf16 or f16.
  Type element;
  /// Head dimension D (= Dv), a multiple of 16.
  int64_t headDim;
  /// Warps per block.
  int64_t warps = 4;
  /// m16 tiles (16 query rows) per warp: a block computes 16 · mTiles · warps
  /// query rows, and every K/V fragment read from shared memory feeds mTiles
  /// mma.sync.
  int64_t mTiles = 2;
  /// Keys per K/V tile.
  int64_t keyTile = 64;
  /// Keep the Q fragments in registers for the whole key sweep instead of
  /// reloading them from shared memory for every K/V tile (the register
  /// budget allows it at D = 64).
  bool queryInRegisters;
  /// Skip the O rescale when no row max of the warp moved.
  bool skipRescale;
  /// Raise a row's running max only when a block max exceeds it by more than
  /// this many log2 units (0: always). Keeps P <= 2^lazyRescale and makes the
  /// skipped O rescale the common case; exact, since l uses the same max.
  int64_t lazyRescale;
  /// nvvm.minctasm of the kernel (0: none).
  int64_t minBlocksPerMultiprocessor = 0;
};

/// The split-KV decode kernels @icl_decode_partial and @icl_decode_combine.
struct DecodeAttentionConfig {
  DecodeAttentionConfig(Type element, int64_t headDim) : element(element), headDim(headDim) {}

  /// Query rows (group · Sq) per (batch, kv head) the kernels handle: one
  /// 16-row tensor-core tile.
  static constexpr int64_t maxRows = 16;

  /// Element type of q, k, v and o: bf16 or f16.
  Type element;
  /// Head dimension D (= Dv): 64 or 128.
  int64_t headDim;
  /// Keys a warp loads per step, 16 or 32 (one or two 16-key MMA tiles per
  /// online-softmax update). 16: 234 registers on sm_90, none spilled on
  /// sm_80/sm_90; 32 reached 255 registers (12 B spilled on sm_80) and
  /// measured the same speed on an H200.
  int64_t keysPerWarpStep = 16;
  /// nvvm.minctasm of the partial kernel (0: none; 3 with 16 keys per step
  /// caps it at 168 registers, which spills and is slower).
  int64_t minBlocksPerMultiprocessor = 0;
};

/// The launches of split-KV decode attention: the partial kernel over
/// grid (splits, Hkv, B), then the combine kernel over grid (Hq · Sq, B, 1).
/// Keys are split into chunks of whole key tiles: with `want` =
/// max(1, floor(residentBlocks · multiprocessors / (B · Hkv))),
/// chunk = max(minChunk, roundup(ceil(Skv / want), keyTile)) and
/// splits = ceil(Skv / chunk), one full wave of partial blocks. The partial
/// results pass through two f32 buffers the host allocates, o_part and
/// ml_part, of B · Hkv · splits · (group · Sq) rows.
struct DecodeAttentionKernels {
  KernelLaunchSpec partial;
  KernelLaunchSpec combine;
  /// f32 values of a row of o_part (its unnormalised output: D) and of
  /// ml_part (its running max and sum: 2).
  int64_t partialValuesPerRow = 0;
  int64_t partialStatesPerRow = 0;
  /// Keys of one block iteration of the partial kernel.
  int64_t keyTile = 0;
  /// The fewest keys of a split.
  int64_t minChunk = 0;
  /// Partial blocks resident per multiprocessor (its register use allows two).
  int64_t residentBlocks = 0;
};

/// Adds @icl_flash_attention for `config` to `module`. Fails with an error at
/// the module for a configuration the kernel cannot be laid out for.
FailureOr<KernelLaunchSpec> buildFlashAttention(gpu::GPUModuleOp module,
                                                const FlashAttentionConfig &config);

/// Adds @icl_decode_partial and @icl_decode_combine for `config` to `module`.
/// Fails with an error at the module for an unsupported configuration.
FailureOr<DecodeAttentionKernels> buildDecodeAttention(gpu::GPUModuleOp module,
                                                       const DecodeAttentionConfig &config);

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_ATTENTIONKERNELS_H
