//===- ScanKernels.h - icl's selective-scan kernel, built as IR -*- C++ -*-===//
//
// @icl_selective_scan (ScanKernels.cpp) runs a whole icl.selective_scan in one
// launch: one thread per (batch, channel), its N-element state in registers,
// stepping through the sequence by tiles staged in shared memory.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_SCANKERNELS_H
#define ICL_PASSES_CUDA_SCANKERNELS_H

#include "passes/cuda/KernelSpec.h"

namespace mlir::icl {

struct SelectiveScanConfig {
  /// Element type of every operand and result: f32, bf16 or f16 (the
  /// arithmetic is f32).
  Type element;
  /// u, δ, z, y: [batch, channels, length]; A: [channels, state];
  /// B, C: [batch, groups, state, length].
  int64_t batch = 0, channels = 0, state = 0, length = 0, groups = 1;
  bool hasD = false, hasZ = false, hasDeltaBias = false, softplus = false;
  bool hasInitialState = false, hasFinalState = false;
  /// Threads of a block (one channel each).
  int64_t threads = 128;
  /// The largest state a thread keeps in registers.
  static constexpr int64_t maxState = 64;
  /// Steps of a tile staged through shared memory: 64 bytes of a row.
  int64_t tile() const { return element.getIntOrFloatBitWidth() == 32 ? 16 : 32; }
  /// Elements between rows of a staged tile: a row plus 4 bytes, so that one
  /// step of consecutive rows falls in consecutive banks.
  int64_t tileStride() const { return tile() + 32 / element.getIntOrFloatBitWidth(); }
  /// Whether every block's rows share one batch and group, so that the block
  /// stages the tile's B and C (a block never straddles a group).
  bool stagesBC() const { return (channels / groups) % threads == 0; }
  /// The block size: 128 threads, or 64 or 32 where that lets the block
  /// stage B and C.
  static int64_t threadsFor(int64_t channelsPerGroup) {
    for (int64_t t : {128, 64, 32})
      if (channelsPerGroup % t == 0)
        return t;
    return 128;
  }
};

/// Adds @icl_selective_scan for `config` to `module`. Arguments by name: u,
/// delta, A, B, C, [D], [z], [delta_bias], [initial_state], out,
/// [final_state], each a flat memref<?xT>; the grid is
/// ceil(batch·channels / threads) blocks.
FailureOr<KernelLaunchSpec> buildSelectiveScan(gpu::GPUModuleOp module,
                                               const SelectiveScanConfig &config);

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_SCANKERNELS_H
