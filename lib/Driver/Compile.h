//===- Compile.h - Ahead-of-time compilation of icl modules ------*- C++ -*-===//
//
// icl module -> (phases) -> LLVM IR -> object -> shared model library + C
// header. The phases are the points --compile-to and --dump-phases name.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_DRIVER_COMPILE_H
#define ICL_LIB_DRIVER_COMPILE_H

#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace icl {

/// The compiler's version, recorded in every model library.
extern const char *const kCompilerVersion;

enum class Emit { Mlir, Llvm, Obj, Lib, Ptx };

using mlir::icl::Phase;
using mlir::icl::PipelineOptions;
using mlir::icl::Target;

struct CompileOptions {
  Emit emit = Emit::Lib;
  std::string output;
  /// Stop after this phase and write its MLIR (none: run to the end).
  std::optional<Phase> compileTo;
  /// Write every phase's IR into this directory as NN-phase.mlir.
  std::string dumpPhasesDir;
  /// C header written next to a library (default: output with .h).
  std::string headerPath;
  /// Name of the source file, recorded in the generated header.
  std::string sourceName;
  /// The pipeline: target, its options, weights directory, user passes.
  PipelineOptions pipeline;
};

/// Registers MLIR's pass-manager command-line options
/// (--mlir-pass-pipeline-crash-reproducer, --mlir-print-ir-after-all,
/// --mlir-timing, ...) and makes every phase honour them. For tools; call
/// before parsing the command line.
void registerPassManagerCommandLineOptions();

/// Lowers `module` in place through the phases of the pipeline
/// (passes/Pipelines.h) up to and including `stopAfter` (none: all),
/// calling `onPhase` after each. Every public function gets a C interface
/// (`_mlir_ciface_<name>`).
llvm::Error runPhases(mlir::ModuleOp module, const PipelineOptions &options,
                      std::optional<Phase> stopAfter = std::nullopt,
                      llvm::function_ref<llvm::Error(Phase, mlir::ModuleOp)> onPhase = {});

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
