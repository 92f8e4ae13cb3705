//===- Pipelines.h - The one compilation pipeline of icl --------*- C++ -*-===//
//
// Every tool compiles through buildPipeline: icl-opt registers it as
// --icl-x86-pipeline / --icl-cuda-pipeline, icl-compile steps through its
// phases (--compile-to, --dump-phases), the JIT runs it whole. The phases
// name the IR that holds after each step; the options are typed structs, one
// per target, parsed from their textual form only at the command line.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_PIPELINES_H
#define ICL_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::icl {

/// The points a compilation passes through, in order.
enum class Phase {
  /// As loaded: icl ops on tensors (ONNX imports already raised).
  Input,
  /// Unused functions dropped, external weights inlined as dense resources,
  /// the user's icl passes (token reduction, ...) applied.
  Inlined,
  /// icl ops as linalg/tensor/scf (on the GPU, fused attention as launches
  /// of icl's kernels).
  Decomposed,
  /// The LLVM dialect (host code; on the GPU with PTX in a gpu.binary).
  LLVM,
};

/// "input", "inlined", "decomposed", "llvm-dialect".
llvm::StringRef phaseName(Phase phase);
/// The phase of that name, or an error listing them.
llvm::Expected<Phase> parsePhase(llvm::StringRef name);
inline constexpr Phase kAllPhases[] = {Phase::Input, Phase::Inlined, Phase::Decomposed,
                                       Phase::LLVM};

/// What the code runs on: the host's x86-64 CPU, or NVIDIA GPUs (host code
/// for x86-64 that launches PTX kernels through runtime/icl_cuda.c).
enum class Target { X86, Cuda };

/// The x86 lowering's knobs (docs/passes.md, icl-opt --help).
struct X86Options {
  /// Tile and vectorize linalg ops (off: scalar loops).
  bool vectorize = true;
  /// icl-fuse-elementwise and icl-tile-and-fuse (off: every op on its own).
  bool fusion = true;
  /// icl-tile-and-vectorize's tiles; 0: derived from the host. `threads`
  /// also splits the keys of attention with fewer query blocks than threads
  /// (icl-tile-attention).
  int64_t vectorWidth = 0, registerRows = 0, reductionTile = 1, threads = 2;
  /// icl-tile-and-fuse's block bytes (0: host L2 / 8) and rows.
  int64_t tileBytes = 0, maxRows = 64;
  /// icl-tile-attention's query block and keys per online-softmax step (0:
  /// attention decomposed whole).
  int64_t attentionRows = 64, attentionKeys = 256;
  /// A transform-dialect schedule in place of icl's tiling (empty: none).
  std::string schedule;
  /// icl-decompose chunk-size for SSD and causal linear attention that leave
  /// it to the implementation: 1, step by step, the faster form on the CPU
  /// today (docs/benchmarks.md).
  int64_t scanChunk = 1;
};

/// The CUDA lowering's knobs.
struct CudaOptions {
  /// The GPU architecture and PTX ISA of the output.
  std::string chip = "sm_90", features = "+ptx80";
  /// NVPTX optimisation level (0-3).
  int64_t optLevel = 3;
  /// icl-fuse-elementwise into fewer kernels.
  bool fusion = true;
  /// bf16/f16 attention with head dims 64/128 as icl's fused kernels.
  bool fusedAttention = true;
  /// RMS/layer norms and last-axis softmax of static rows as icl's row kernels.
  bool fusedRows = true;
  /// Linears as icl's tensor-core GEMM kernels with fused epilogues.
  bool fusedLinear = true;
  /// f32 linears in those kernels: tf32x3, tf32 or off (icl-cuda-linear's f32).
  std::string f32Gemm = "tf32x3";
  /// The GEMM block tile, BMxBNxBKxSTAGES[xWARPS_MxWARPS_N] (empty: derived
  /// from the shape and `multiprocessors`).
  std::string gemmTile;
  /// Threads per block of generated kernels.
  int64_t blockSize = 256;
  /// Multiprocessors of the target GPU, for splitting decode attention.
  int64_t multiprocessors = 132;
  /// icl-decompose chunk-size for SSD and causal linear attention that leave
  /// it to the implementation (one host loop step per chunk, not per token).
  int64_t scanChunk = 64;
  /// Selective scans as one kernel launch each (icl-cuda-scans).
  bool fusedScans = true;
};

struct PipelineOptions {
  Target target = Target::X86;
  /// Directory relative weights files are read from (icl-inline-weights).
  std::string weightsDir;
  /// A textual pass pipeline of icl passes run in the inlined phase
  /// ("icl-token-merge{r=16}"); checked by checkUserPasses.
  std::string userPasses;
  X86Options x86;
  CudaOptions cuda;
};

/// Whether `mode` is one of f32-gemm's (icl-cuda-linear's f32) values:
/// tf32x3, tf32 or off.
bool isF32GemmMode(llvm::StringRef mode);

/// The fields of a GEMM tile "BMxBNxBKxSTAGES[xWARPS_MxWARPS_N]" (the CUDA
/// pipeline's gemm-tile, icl-cuda-linear's tile), or an error saying the form.
llvm::Expected<llvm::SmallVector<int64_t>> parseGemmTile(llvm::StringRef text);

/// The options' textual form, as `icl-opt --icl-x86-pipeline="..."` and
/// `icl-compile --x86-options="..."` take it ("fusion=false vector-width=16").
llvm::Expected<X86Options> parseX86Options(llvm::StringRef text);
llvm::Expected<CudaOptions> parseCudaOptions(llvm::StringRef text);

/// An error naming what is wrong with a textual pipeline of user passes.
llvm::Error checkUserPasses(llvm::StringRef passes);

/// Adds to `pm` (on builtin.module) the passes that take a module from the
/// IR of phase `from` to the IR of phase `to` (from < to).
void buildPipeline(OpPassManager &pm, const PipelineOptions &options, Phase from, Phase to);

/// Registers --icl-x86-pipeline and --icl-cuda-pipeline (buildPipeline from
/// and to the phases their options name, input to llvm-dialect by default).
void registerIclPipelines();

} // namespace mlir::icl

#endif // ICL_PASSES_PIPELINES_H
