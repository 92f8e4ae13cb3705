//===- GemmKernels.h - icl's tensor-core GEMM kernels as IR -----*- C++ -*-===//
//
// The kernel icl-cuda-linear launches for icl.linear: out = act(x·wᵀ + b) + r
// for x [M, K], w [N, K] (PyTorch's layout), an optional bias b [N], an
// activation and an optional residual r [M, N], built as IR from a
// configuration: block tiles of BM x BN staged through a multi-stage ring of
// shared memory by cp.async, warp tiles multiplied by mma.sync m16n8k16 with
// f32 accumulators, the epilogue applied to the accumulators in registers.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_GEMMKERNELS_H
#define ICL_PASSES_CUDA_GEMMKERNELS_H

#include "passes/cuda/KernelSpec.h"

#include "dialects/icl/IR/IclOps.h"

namespace mlir::icl {

/// How f32 operands are multiplied on the tensor cores.
enum class F32Gemm {
  /// Each operand split into a tf32 high part and a tf32 rest, three mma
  /// per product (hi·hi + hi·lo + lo·hi): about f32's accuracy.
  Tf32x3,
  /// One tf32 mma per product (10-bit mantissas, as PyTorch's allow_tf32).
  Tf32,
};

/// A GEMM kernel of bf16, f16 or f32 operands and results with f32
/// accumulation.
struct GemmConfig {
  /// The defaults for `element`, a problem of M x N x K and a GPU of
  /// `multiprocessors` SMs: the largest block tile of those below that still
  /// gives every SM a block (128x128, 64x128, 64x64; else 64x64), BK of 64
  /// bytes (32 bf16/f16, 16 f32), four warps, four stages (fewer, down to
  /// two, when K has fewer steps).
  GemmConfig(Type element, int64_t m, int64_t n, int64_t k, int64_t multiprocessors);

  /// Element type of x, w, b, r and out: bf16, f16 or f32.
  Type element;
  /// For f32: how the tensor cores multiply.
  F32Gemm f32 = F32Gemm::Tf32x3;
  /// Block tile: rows of out (BM), columns of out (BN), and the depth of one
  /// stage (BK: a multiple of 16 elements of bf16/f16, of 8 of f32).
  int64_t blockM, blockN, blockK;
  /// Warps along M and N; a warp computes a (BM / warpsM) x (BN / warpsN)
  /// tile, each a multiple of 16.
  int64_t warpsM, warpsN;
  /// Tiles in flight in the shared-memory ring (2 or more).
  int64_t stages;
  /// The epilogue: bias, activation, residual.
  bool hasBias = false;
  Activation activation = Activation::none;
  bool hasResidual = false;
  /// Whether N is even, so that pairs of results are stored (and residuals
  /// loaded) 4 bytes at a time.
  bool evenN = true;

  int64_t threads() const { return 32 * warpsM * warpsN; }
  /// Bytes of an element.
  int64_t elementBytes() const;
  /// Elements of a 16-byte copy: K must be a multiple.
  int64_t chunkElements() const { return 16 / elementBytes(); }
  /// Bytes of a row of a tile in shared memory: BK elements and 16 bytes of
  /// padding.
  int64_t rowBytes() const { return blockK * elementBytes() + 16; }
  /// Bytes of dynamic shared memory: `stages` of (BM + BN) rows.
  int64_t sharedBytes() const;
  /// Why the configuration cannot be built, or an empty string.
  std::string invalid() const;
};

/// Adds @icl_gemm for `config` to `module`. Its arguments: x, w, [bias],
/// [residual], out (memref<?xT>, row-major and contiguous, bases 16-byte
/// aligned), then m, n, k (i32; K a multiple of chunkElements()). Its grid is
/// (ceil(N / BN), ceil(M / BM), 1); rowsPerBlock is BM. Fails with an error
/// at the module for a configuration it cannot lay out.
FailureOr<KernelLaunchSpec> buildGemm(gpu::GPUModuleOp module, const GemmConfig &config);

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_GEMMKERNELS_H
