//===- icl-run-lib.cpp - Run model libraries with the runtime alone -------===//
//
// icl-run for machines without LLVM or MLIR (a GPU server): it runs compiled
// model libraries (CPU or CUDA) through the runtime C API, reads and writes
// .npy, compares with expected results and times. It links the runtime and
// LLVM's Support library statically, nothing of the compiler.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/Files.h"
#include "lib/Support/Npy.h"
#include "tools/icl-run/LibraryRun.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace llvm;

static cl::OptionCategory category("icl-run-lib options");
static cl::opt<std::string> library(cl::Positional, cl::desc("<library.so>"), cl::Required,
                                    cl::cat(category));
static cl::opt<std::string> function("function",
                                     cl::desc("Function to run (default: the library's only one)"),
                                     cl::cat(category));
enum class Device { Cpu, Cuda };
static cl::opt<Device> device("device", cl::desc("Where the library runs"),
                              cl::values(clEnumValN(Device::Cpu, "cpu", "the host CPU (default)"),
                                         clEnumValN(Device::Cuda, "cuda", "an NVIDIA GPU")),
                              cl::init(Device::Cpu), cl::cat(category));
static cl::list<std::string> inputs("input", cl::desc("Input .npy file, or a literal DTYPE=V[,V...] (i64=5: a "
                                             "scalar, such as a looped model's step count), "
                                             "repeated in argument order"),
                                    cl::value_desc("file.npy|DTYPE=V"), cl::cat(category));
static cl::opt<uint64_t> randomSeed(
    "random-inputs", cl::desc("Generate seeded random inputs instead of --input"),
    cl::value_desc("seed"), cl::cat(category));
static cl::list<std::string> outputs(
    "output", cl::desc("Output .npy file, repeated in result order (otherwise a summary)"),
    cl::value_desc("file.npy"), cl::cat(category));
static cl::list<std::string> expected(
    "expect",
    cl::desc("Expected results (.npy, repeated in result order): print the max errors and exit 1 "
             "if any element is beyond the bound (--tolerance)"),
    cl::value_desc("file.npy"), cl::cat(category));
static cl::opt<unsigned> benchmark(
    "benchmark", cl::desc("Time N runs after one warm-up run and print min/median/max wall time"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));

/// Everything main does but the final check of standard output, with the
/// settings the command line gives written to `s`.
static int run(int argc, char **argv, icl::tool::RunSettings &s) {
  cl::HideUnrelatedOptions({&category, &icl::tool::toleranceCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "icl-run-lib: run a compiled model library with the icl runtime alone (no LLVM or MLIR\n"
      "needed: for deployment machines such as GPU servers)\n\n"
      "  icl-run-lib libmodel.so --input ids.npy --output logits.npy\n"
      "  icl-run-lib libmodel.so --device=cuda --input x.npy --expect y.npy --benchmark 20\n"
      "Checking against the reference evaluator needs the compiler: icl-run --check.\n");
  s.tolerance = icl::tool::toleranceFromFlags();
  s.benchmark = benchmark;
  s.cuda = device == Device::Cuda;
  if (randomSeed.getNumOccurrences())
    s.randomSeed = randomSeed;
  s.outputs.assign(outputs.begin(), outputs.end());
  s.expected.assign(expected.begin(), expected.end());
  if (!inputs.empty() && s.randomSeed)
    return icl::tool::failWith(s, "give either --input files or --random-inputs, not both");

  std::vector<icl::HostArray> args;
  for (const std::string &path : inputs) {
    Expected<icl::HostArray> array = icl::readInput(path);
    if (!array)
      return icl::tool::failWith(s, toString(array.takeError()));
    args.push_back(std::move(*array));
  }
  Expected<std::vector<icl::HostArray>> results =
      icl::tool::runLibrary(s, library, function, args);
  if (!results)
    return icl::tool::failWith(s, toString(results.takeError()));
  if (int rc = icl::tool::writeResults(s, *results))
    return rc;
  return icl::tool::compareExpected(s, *results);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  icl::tool::RunSettings s;
  s.tool = "icl-run-lib";
  int rc = run(argc, argv, s);
  if (Error err = icl::flushStandardOutput())
    return icl::tool::failWith(s, toString(std::move(err)));
  return rc;
}
