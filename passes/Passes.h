//===- Passes.h - icl passes and pipelines ---------------------*- C++ -*-===//

#ifndef ICL_PASSES_PASSES_H
#define ICL_PASSES_PASSES_H

#include "passes/Pipelines.h"

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

/// The x86 lowering from the decomposed phase to the LLVM dialect (the last
/// step of buildPipeline, passes/Pipelines.h).
void addX86Lowering(OpPassManager &pm, const X86Options &options);

/// The CUDA lowering from the decomposed phase to the LLVM dialect: host code
/// calling MLIR's GPU runtime ABI (runtime/icl_cuda.c), kernels as PTX.
void addCudaLowering(OpPassManager &pm, const CudaOptions &options);

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
