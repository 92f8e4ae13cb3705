//===- Passes.h - icl passes and pipelines ---------------------*- C++ -*-===//

#ifndef ICL_PASSES_PASSES_H
#define ICL_PASSES_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
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

/// Registers every icl pass and named pipeline with the global registry (for
/// icl-opt and the other tools).
void registerIclPassesAndPipelines();

} // namespace mlir::icl

#endif // ICL_PASSES_PASSES_H
