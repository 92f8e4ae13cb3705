//===- icl-run.cpp - Run icl modules --------------------------------------===//
//
// Runs a function of an icl module on inputs from .npy files (or seeded
// random ones) and writes or summarises its results. `--reference` runs the
// reference evaluator, the oracle of every lowering; otherwise the function
// is compiled to native code (JIT) first.
//
//===----------------------------------------------------------------------===//

#include "lib/Driver/Jit.h"
#include "lib/Reference/Evaluator.h"
#include "lib/Support/ModuleLoader.h"
#include "lib/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace llvm;

static cl::OptionCategory category("icl-run options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<module.mlir>"), cl::Required,
                                      cl::cat(category));
static cl::opt<bool> reference("reference",
                               cl::desc("Run with the reference evaluator (naive, exact)"),
                               cl::cat(category));
static cl::opt<std::string> functionName(
    "function", cl::desc("Function to run (default: the module's single public function)"),
    cl::value_desc("name"), cl::cat(category));
static cl::list<std::string> inputs("input",
                                    cl::desc("Input .npy file, repeated in argument order"),
                                    cl::value_desc("file.npy"), cl::cat(category));
static cl::opt<uint64_t> randomSeed(
    "random-inputs",
    cl::desc("Generate seeded random inputs instead of --input (floats in [-1, 1), "
             "token ids within the vocabulary)"),
    cl::value_desc("seed"), cl::cat(category));
static cl::opt<int64_t> dynamicSize(
    "dynamic-size", cl::init(7),
    cl::desc("Size given to dynamic dimensions of random inputs (default 7)"), cl::cat(category));
static cl::list<std::string> outputs("output",
                                     cl::desc("Output .npy file, repeated in result order "
                                              "(otherwise a summary goes to stdout)"),
                                     cl::value_desc("file.npy"), cl::cat(category));
static cl::opt<icl::ref::Precision> precision(
    "precision", cl::desc("Storage precision of the reference evaluator"),
    cl::values(clEnumValN(icl::ref::Precision::F64, "f64", "float64 (default)"),
               clEnumValN(icl::ref::Precision::F32, "f32", "float32")),
    cl::init(icl::ref::Precision::F64), cl::cat(category));
static cl::opt<bool> check(
    "check", cl::desc("Also run the reference evaluator (float64) on the same inputs, print the "
                      "max errors, and exit 1 if any element is beyond --atol + --rtol·|ref|"),
    cl::cat(category));
static cl::opt<double> absTolerance("atol", cl::init(1e-4), cl::desc("Absolute tolerance of --check"),
                            cl::cat(category));
static cl::opt<double> relTolerance("rtol", cl::init(1e-3), cl::desc("Relative tolerance of --check"),
                            cl::cat(category));
static cl::opt<unsigned> benchmark(
    "benchmark", cl::init(0),
    cl::desc("Time N runs after one warm-up run and print min/median/max wall time"),
    cl::value_desc("N"), cl::cat(category));
enum class Device { Cpu, Cuda };
static cl::opt<Device> device("device", cl::desc("Where native code runs"),
                              cl::values(clEnumValN(Device::Cpu, "cpu", "the host CPU (default)"),
                                         clEnumValN(Device::Cuda, "cuda", "an NVIDIA GPU")),
                              cl::init(Device::Cpu), cl::cat(category));
static cl::opt<std::string> weightsDir(
    "weights-dir",
    cl::desc("Directory for relative weights-file paths (default: the module's directory)"),
    cl::value_desc("dir"), cl::cat(category));

static int fail(const Twine &message) {
  WithColor::error(errs(), "icl-run") << message << "\n";
  return 1;
}

/// One line per result: shape, dtype and a few statistics.
static void summarise(unsigned index, const icl::HostArray &array) {
  std::vector<double> v = array.toDouble();
  outs() << "result " << index << ": " << icl::dtypeName(array.dtype)
         << icl::formatShape(array.shape);
  if (!v.empty()) {
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
      sum += x;
    outs() << format(" min %.6g max %.6g mean %.6g", *lo, *hi, sum / v.size());
    outs() << " values [";
    for (size_t i = 0; i < std::min<size_t>(v.size(), 8); ++i)
      outs() << (i ? ", " : "") << format("%.6g", v[i]);
    outs() << (v.size() > 8 ? ", ...]" : "]");
  }
  outs() << "\n";
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "icl-run: run a function of an icl module\n\n"
      "  icl-run model.mlir --random-inputs 0 --check       (native code, checked)\n"
      "  icl-run model.mlir --input ids.npy --benchmark 20\n"
      "  icl-run --reference model.mlir --random-inputs 0\n"
      "  icl-run --reference model.mlir --input x.npy --output y.npy\n");

  if (device == Device::Cuda && !reference)
    return fail("the CUDA backend is not in this build yet; run on the CPU (--device=cpu) or "
                "with --reference");
  if (reference && (check || benchmark))
    return fail("--check and --benchmark apply to native code; drop --reference");
  if (!inputs.empty() && randomSeed.getNumOccurrences())
    return fail("give either --input files or --random-inputs, not both");

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = icl::loadModule(inputFile, context);
  if (!module)
    return 1;
  Expected<mlir::func::FuncOp> func = icl::findEntryFunction(*module, functionName);
  if (!func)
    return fail(toString(func.takeError()));

  std::vector<icl::HostArray> args;
  if (randomSeed.getNumOccurrences()) {
    Expected<std::vector<icl::HostArray>> random =
        icl::ref::randomInputs(*func, randomSeed, dynamicSize);
    if (!random)
      return fail(toString(random.takeError()));
    args = std::move(*random);
  } else {
    for (const std::string &path : inputs) {
      Expected<icl::HostArray> array = icl::readNpy(path);
      if (!array)
        return fail(toString(array.takeError()));
      args.push_back(std::move(*array));
    }
  }

  icl::ref::EvaluatorOptions options;
  options.weightsDir = weightsDir.getNumOccurrences()
                           ? std::string(weightsDir)
                           : sys::path::parent_path(inputFile).str();
  auto runReference = [&](icl::ref::Precision p) {
    options.precision = p;
    return icl::ref::evaluate(*func, args, options);
  };

  Expected<std::vector<icl::HostArray>> results = std::vector<icl::HostArray>{};
  if (reference) {
    results = runReference(precision);
  } else {
    Expected<std::unique_ptr<icl::JitFunction>> jit =
        icl::JitFunction::compile(*func, options.weightsDir);
    if (!jit)
      return fail(toString(jit.takeError()));
    results = (*jit)->run(args);
    if (results && benchmark) {
      std::vector<double> ms;
      for (unsigned i = 0; i < benchmark; ++i) {
        auto start = std::chrono::steady_clock::now();
        if (Error err = (*jit)->run(args).takeError())
          return fail(toString(std::move(err)));
        ms.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count());
      }
      std::sort(ms.begin(), ms.end());
      outs() << format("benchmark: %u runs, min %.3f ms, median %.3f ms, max %.3f ms\n",
                       benchmark.getValue(), ms.front(), ms[ms.size() / 2], ms.back());
    }
  }
  if (!results)
    return fail(toString(results.takeError()));

  bool withinTolerance = true;
  if (check) {
    Expected<std::vector<icl::HostArray>> expected = runReference(icl::ref::Precision::F64);
    if (!expected)
      return fail("the reference evaluator failed: " + toString(expected.takeError()));
    for (auto [i, got, want] : enumerate(*results, *expected)) {
      std::vector<double> g = got.toDouble(), w = want.toDouble();
      double maxAbs = 0, maxRel = 0;
      size_t bad = 0;
      for (size_t k = 0; k < g.size(); ++k) {
        double err = std::fabs(g[k] - w[k]);
        if (!(err <= absTolerance + relTolerance * std::fabs(w[k])))
          ++bad;
        maxAbs = std::max(maxAbs, std::isnan(err) ? INFINITY : err);
        maxRel = std::max(maxRel, err / std::max(std::fabs(w[k]), 1e-30));
      }
      outs() << format("check: result %zu: max abs error %.3g, max rel error %.3g, %zu of %zu "
                       "beyond atol %.3g + rtol %.3g\n",
                       i, maxAbs, maxRel, bad, g.size(), absTolerance.getValue(), relTolerance.getValue());
      withinTolerance &= bad == 0;
    }
  }

  if (!outputs.empty() && outputs.size() != results->size())
    return fail("the function has " + Twine(results->size()) + " results but " +
                Twine(outputs.size()) + " --output files were given");
  for (auto [i, array] : enumerate(*results)) {
    if (outputs.empty()) {
      summarise(i, array);
      continue;
    }
    if (Error err = icl::writeNpy(outputs[i], array))
      return fail(toString(std::move(err)));
  }
  if (!withinTolerance)
    return fail("the native results differ from the reference evaluator beyond tolerance");
  return 0;
}
