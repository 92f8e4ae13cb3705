//===- LibraryRun.h - Running model libraries from the tools ----*- C++ -*-===//
//
// Shared by icl-run and icl-run-lib (which needs no MLIR): run a function of a
// model library through the runtime, compare, write .npy, time.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_TOOLS_ICL_RUN_LIBRARYRUN_H
#define ICL_TOOLS_ICL_RUN_LIBRARYRUN_H

#include "lib/Support/Compare.h"
#include "lib/Support/HostArray.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace icl::tool {

/// The options of the comparison (--tolerance, --atol, --rtol), shared by
/// icl-run and icl-run-lib.
extern llvm::cl::OptionCategory toleranceCategory;

/// The bound the command line asks for.
Tolerance toleranceFromFlags();

struct RunSettings {
  /// The tool's name, in messages.
  std::string tool = "icl-run";
  /// The bound of compare (lib/Support/Compare.h).
  Tolerance tolerance;
  /// Timed runs after the first (0: none).
  unsigned benchmark = 0;
  /// Run CUDA libraries (ICL_DEVICE_CUDA) rather than CPU ones.
  bool cuda = false;
  /// Seed of random inputs runLibrary generates from the signature.
  std::optional<uint64_t> randomSeed;
  /// .npy files results are written to (empty: summaries on stdout), and
  /// expected results compareExpected reads.
  std::vector<std::string> outputs, expected;
};

/// Prints `message` as the tool's error; returns 1.
int failWith(const RunSettings &s, const llvm::Twine &message);

/// One line per result: shape, dtype and a few statistics.
void summarise(unsigned index, const HostArray &array);

/// Prints the errors of `got` against `want` under `label` and returns
/// whether every element is within the settings' tolerance.
bool compare(const RunSettings &s, llvm::StringRef label, size_t index, const HostArray &got,
             const HostArray &want);

/// Writes `array` as .npy; bf16, which numpy lacks, as float32 (exactly).
llvm::Error writeArray(llvm::StringRef path, const HostArray &array);

/// Writes results to the output files or summarises them on stdout.
int writeResults(const RunSettings &s, llvm::ArrayRef<HostArray> results);

/// With expected files: compares `results` with them.
int compareExpected(const RunSettings &s, llvm::ArrayRef<HostArray> results);

/// With benchmark N: times N calls of `run` (after the caller's warm-up run)
/// and prints min/median/max.
llvm::Error timeRuns(const RunSettings &s, llvm::function_ref<llvm::Error()> run);

/// Runs `function` (empty: the library's only one) of a model library through
/// the runtime C API on `args` (filled with random inputs when s.randomSeed is
/// set), converting inputs of another width of the same kind, then times it.
llvm::Expected<std::vector<HostArray>> runLibrary(const RunSettings &s, llvm::StringRef path,
                                                  llvm::StringRef function,
                                                  std::vector<HostArray> &args);

} // namespace icl::tool

#endif // ICL_TOOLS_ICL_RUN_LIBRARYRUN_H
