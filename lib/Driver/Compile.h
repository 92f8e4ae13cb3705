//===- Compile.h - Ahead-of-time compilation of icl modules ------*- C++ -*-===//
//
// icl module -> (phases) -> LLVM IR -> object -> shared model library + C
// header. The phases are the points --compile-to and --dump-phases name.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_DRIVER_COMPILE_H
#define ICL_LIB_DRIVER_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>

#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace icl {

/// The compiler's version, recorded in every model library.
extern const char *const kCompilerVersion;

enum class Emit { Mlir, Llvm, Obj, Lib, Ptx };

/// What the code runs on: the host's x86-64 CPU, or NVIDIA GPUs (host code
/// for x86-64 that launches PTX kernels through runtime/icl_cuda.c).
enum class Target { X86, Cuda };

/// Phases in order; --compile-to stops after one and writes its IR.
/// input: as parsed; inlined: external weights inlined, unused functions
/// dropped; decomposed: icl ops as linalg/scf/tensor; llvm-dialect: the x86
/// pipeline's output.
extern const char *const kPhases[4];

struct CompileOptions {
  Emit emit = Emit::Lib;
  std::string output;
  /// Stop after this phase and write its MLIR (empty: run to the end).
  std::string compileTo;
  /// Write every phase's IR into this directory as NN-phase.mlir.
  std::string dumpPhasesDir;
  /// Directory for relative weights-file paths.
  std::string weightsDir;
  /// C header written next to a library (default: output with .h).
  std::string headerPath;
  /// Name of the source file, recorded in the generated header.
  std::string sourceName;
  Target target = Target::X86;
  /// Options of the x86 pipeline, textual ("fusion=false tile-bytes=65536").
  std::string x86Options;
  /// Options of the CUDA pipeline, textual ("chip=sm_80 block-size=128").
  std::string cudaOptions;
  /// icl passes run before decomposition, textual ("icl-token-merge{r=16}").
  std::string passes;
};

/// Registers MLIR's pass-manager command-line options
/// (--mlir-pass-pipeline-crash-reproducer, --mlir-print-ir-after-all,
/// --mlir-timing, ...) and makes every phase honour them. For tools; call
/// before parsing the command line.
void registerPassManagerCommandLineOptions();

/// Lowers `module` in place through the phases up to and including
/// `stopAfter` (empty: all), calling `onPhase` after each. Every public
/// function gets a C interface (`_mlir_ciface_<name>`).
/// `pipelineOptions` are options of the target's pipeline in their textual
/// form ("fusion=false vector-width=16", as for `icl-opt
/// --icl-x86-pipeline=...` or `--icl-cuda-pipeline=...`);
/// `passes` is a textual pass pipeline run on the icl module before
/// decomposition ("icl-token-merge{r=16}", "func.func(icl-raise-fused-ops)").
llvm::Error runPhases(mlir::ModuleOp module, llvm::StringRef weightsDir,
                      llvm::StringRef stopAfter = "",
                      llvm::function_ref<llvm::Error(llvm::StringRef, mlir::ModuleOp)> onPhase = {},
                      llvm::StringRef pipelineOptions = "", llvm::StringRef passes = "",
                      Target target = Target::X86);

/// A TargetMachine for this host's CPU and features (PIC, -O3 code generation).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine();

/// Registers the translations from the LLVM-dialect output of the phases
/// (builtin, llvm, omp) to LLVM IR.
void registerLLVMTranslations(mlir::MLIRContext &context);

/// Compiles every public function of `module` (which is modified) and
/// writes what `options` asks for.
llvm::Error compileModule(mlir::ModuleOp module, const CompileOptions &options);

} // namespace icl

#endif // ICL_LIB_DRIVER_COMPILE_H
