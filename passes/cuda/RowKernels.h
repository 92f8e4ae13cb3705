//===- RowKernels.h - icl's row kernels: norms, one block per row -*- C++ -*-===//
//
// The GPU kernels icl-cuda-rows launches for the ops that reduce along the
// last dimension and write a row of the same width (icl.rms_norm,
// icl.layer_norm and icl.softmax on the last axis), built as IR from a configuration: one block normalises
// one row, each thread keeping its slice of the row in registers between the
// reduction and the write, the row read from global memory once with 16-byte
// accesses where the width allows.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_ROWKERNELS_H
#define ICL_PASSES_CUDA_ROWKERNELS_H

#include "passes/cuda/KernelSpec.h"

namespace mlir::icl {

/// What a row kernel computes along a row.
enum class RowKind {
  /// x / sqrt(mean(x²) + eps) [· γ] (icl.rms_norm).
  RmsNorm,
  /// (x − mean) / sqrt(var + eps) [· γ] [+ β], biased variance (icl.layer_norm).
  LayerNorm,
  /// exp(x − max) / Σ exp(x − max), zeros for a row of −∞ (icl.softmax on
  /// the last axis).
  Softmax,
};

/// A kernel transforming every row of a [rows, width] tensor as `kind`
/// says. Statistics are accumulated in f32; the row is written in its own
/// element type.
struct RowNormConfig {
  /// The defaults for `element`, `width` and the op's form.
  RowNormConfig(Type element, int64_t width, RowKind kind, bool hasGamma = false,
                bool hasBeta = false);

  /// Element type of x, γ, β and the result: f32, bf16 or f16.
  Type element;
  /// Elements of a row (the normalised dimension).
  int64_t width;
  RowKind kind;
  bool hasGamma, hasBeta;
  /// Elements of one access: 16 bytes when the width is a multiple, else 1.
  int64_t vectorWidth;
  /// Threads of a block, a multiple of 32 up to 1024: by default about four
  /// accesses per thread.
  int64_t threads;
  /// The most row elements a thread may keep in registers.
  static constexpr int64_t maxValuesPerThread = 128;

  /// Accesses (of `vectorWidth` elements) per thread.
  int64_t accessesPerThread() const;
};

/// Adds @icl_row_norm (or @icl_row_softmax) for `config` to `module`. Its
/// arguments: x, [gamma], [beta], out (memref<?xT>, rows of `width`
/// elements) and, for norms, eps (f32); its grid is (rows, 1, 1),
/// rowsPerBlock 1. Fails with an error at the module
/// for a configuration it cannot lay out (another element type, a row
/// wider than the threads can keep in registers).
FailureOr<KernelLaunchSpec> buildRowNorm(gpu::GPUModuleOp module, const RowNormConfig &config);

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_ROWKERNELS_H
