//===- Passes.h - icl passes and pipelines ---------------------*- C++ -*-===//

#ifndef ICL_PASSES_PASSES_H
#define ICL_PASSES_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::icl {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Options of the x86-64 pipeline (also its icl-opt pipeline options).
struct X86PipelineOptions : public PassPipelineOptions<X86PipelineOptions> {
  PassOptions::Option<bool> vectorize{
      *this, "vectorize", llvm::cl::desc("Tile and vectorize linalg ops (off: scalar loops)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> decompose{
      *this, "decompose", llvm::cl::desc("Decompose icl ops first (off for IR already decomposed)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fusion{
      *this, "fusion",
      llvm::cl::desc("Fuse elementwise ops and tile chains with reductions together "
                     "(icl-fuse-elementwise, icl-tile-and-fuse); off: every op on its own"),
      llvm::cl::init(true)};
  // Tiling control; 0 means the pass's default, derived from the host.
  PassOptions::Option<int64_t> vectorWidth{
      *this, "vector-width", llvm::cl::desc("icl-tile-and-vectorize vector-width (0: host)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> registerRows{
      *this, "register-rows", llvm::cl::desc("icl-tile-and-vectorize register-rows (0: host)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> reductionTile{
      *this, "reduction-tile", llvm::cl::desc("icl-tile-and-vectorize reduction-tile"),
      llvm::cl::init(1)};
  PassOptions::Option<int64_t> threads{
      *this, "threads", llvm::cl::desc("icl-tile-and-vectorize threads"), llvm::cl::init(2)};
  PassOptions::Option<int64_t> tileBytes{
      *this, "tile-bytes", llvm::cl::desc("icl-tile-and-fuse tile-bytes (0: host L2 / 8)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> maxRows{
      *this, "max-rows", llvm::cl::desc("icl-tile-and-fuse max-rows"), llvm::cl::init(64)};
  PassOptions::Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("A transform-dialect file whose @__transform_main tiles and vectorizes "
                     "the decomposed module in place of icl-tile-and-fuse and "
                     "icl-tile-and-vectorize (for experiments)"),
      llvm::cl::init("")};
};

/// icl (or decomposed linalg on tensors) -> the LLVM dialect for x86-64:
/// decomposition, elementwise fusion, one-shot bufferization with results as
/// out-parameters, loops, and conversion of every dialect to LLVM.
void buildX86Pipeline(OpPassManager &pm, const X86PipelineOptions &options);

/// Options of the NVIDIA pipeline (also its icl-opt pipeline options).
struct CudaPipelineOptions : public PassPipelineOptions<CudaPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture the PTX targets (sm_90, sm_80, ...)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX ISA version of the output"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<int64_t> optLevel{
      *this, "opt-level", llvm::cl::desc("NVPTX optimisation level (0-3)"), llvm::cl::init(3)};
  PassOptions::Option<bool> decompose{
      *this, "decompose", llvm::cl::desc("Decompose icl ops first (off for IR already decomposed)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fusion{
      *this, "fusion", llvm::cl::desc("Fuse elementwise ops (icl-fuse-elementwise) into fewer kernels"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fusedAttention{
      *this, "fused-attention",
      llvm::cl::desc("Run bf16/f16 attention with head dims 64 and 128 as icl's fused kernels "
                     "(icl-cuda-attention); off: decomposed like every other op"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size", llvm::cl::desc("Threads per block of generated kernels"),
      llvm::cl::init(256)};
  PassOptions::Option<int64_t> multiprocessors{
      *this, "multiprocessors",
      llvm::cl::desc("Streaming multiprocessors of the target GPU, for splitting decode "
                     "attention (132: H100/H200 SXM)"),
      llvm::cl::init(132)};
};

/// icl -> the LLVM dialect with kernels serialized to PTX (gpu.binary) for
/// NVIDIA GPUs: fused attention kernels, decomposition, bufferization, every
/// other op a kernel of blocks × threads, host code calling the GPU runtime
/// ABI (runtime/icl_cuda.c).
void buildCudaPipeline(OpPassManager &pm, const CudaPipelineOptions &options);

/// Interfaces icl's GPU lowering needs of upstream ops (the memory effects of
/// gpu.launch_func, for buffer deallocation). Tools add them to the registry
/// of every context that runs icl-cuda-pipeline.
void registerGpuExtensions(DialectRegistry &registry);

/// A directory laid out like a CUDA toolkit whose libdevice is empty, for
/// gpu-module-to-binary: icl kernels never call libdevice, so compiling a
/// model needs no CUDA installation. Created once per process.
std::string nvvmToolkitStub();

/// Shared by the pipelines: constant transposes folded, elementwise ops as
/// linalg, and (with `fusion`) icl-fuse-elementwise.
void addLinalgPreparationPasses(OpPassManager &pm, bool fusion);

/// Shared by the pipelines: one-shot bufferization across function
/// boundaries with identity layouts, results as out-parameters, buffer
/// deallocation.
void addBufferizationPasses(OpPassManager &pm);

/// Registers every icl pass and named pipeline with the global registry (for
/// icl-opt and the other tools).
void registerIclPassesAndPipelines();

} // namespace mlir::icl

#endif // ICL_PASSES_PASSES_H
