//===- icl-run.cpp - Run icl modules --------------------------------------===//
//
// Runs a function of an icl module on inputs from .npy files (or seeded
// random ones) and writes or summarises its results. `--reference` runs the
// reference evaluator, the oracle of every lowering; otherwise the function
// is compiled to native code (JIT) first.
//
//===----------------------------------------------------------------------===//

#include "lib/Driver/Compile.h"
#include "lib/Driver/Generate.h"
#include "lib/Driver/Jit.h"
#include "lib/Reference/Evaluator.h"
#include "lib/Support/ModuleLoader.h"
#include "lib/Support/Npy.h"
#include "runtime/icl_runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <cmath>

using namespace llvm;

static cl::OptionCategory category("icl-run options");

static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<module.mlir | library.so | hf-model-dir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> referenceModule(
    "reference-module",
    cl::desc("With a library: the module it was compiled from, for --check"),
    cl::value_desc("module.mlir"), cl::cat(category));
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
static cl::list<std::string> writeInputs(
    "write-inputs",
    cl::desc("Also write the inputs the function ran on (e.g. those of --random-inputs) to "
             ".npy files, repeated in argument order (bf16 arrays, here and in --output, "
             "are written as float32)"),
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
static cl::list<std::string> expected(
    "expect",
    cl::desc("Expected results (.npy, repeated in result order): print the max errors and exit 1 "
             "if any element is beyond --atol + --rtol·|expected|"),
    cl::value_desc("file.npy"), cl::cat(category));
static cl::opt<int64_t> batchSize(
    "batch", cl::desc("Hugging Face directory: batch size of the entry point (default: from "
                      "--input, else 1)"),
    cl::value_desc("B"), cl::cat(category));
static cl::opt<int64_t> seqLen(
    "seq-len", cl::desc("Hugging Face directory: sequence length of the entry point (default: "
                        "from --input, else the model's context length up to 128)"),
    cl::value_desc("T"), cl::cat(category));
static cl::opt<unsigned> greedy(
    "greedy", cl::init(0),
    cl::desc("Generate N tokens greedily after the prompt ids of --input ([1, T]) and print them"),
    cl::value_desc("N"), cl::cat(category));
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

/// Prints the max errors of `got` against `want` under `label` and returns
/// whether every element is within --atol + --rtol·|want|.
static bool compare(StringRef label, size_t index, const icl::HostArray &got,
                    const icl::HostArray &want) {
  if (got.shape != want.shape) {
    WithColor::error(errs(), "icl-run")
        << label << ": result " << index << " has shape " << icl::formatShape(got.shape)
        << " but the expected one has " << icl::formatShape(want.shape) << "\n";
    return false;
  }
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
  outs() << format("%s: result %zu: max abs error %.3g, max rel error %.3g, %zu of %zu "
                   "beyond atol %.3g + rtol %.3g\n",
                   label.str().c_str(), index, maxAbs, maxRel, bad, g.size(),
                   absTolerance.getValue(), relTolerance.getValue());
  return bad == 0;
}

/// Writes results to the --output files or summarises them on stdout.
/// Writes `array` as .npy; bf16, which numpy lacks, as float32 (exactly).
static Error writeArray(StringRef path, const icl::HostArray &array) {
  if (array.dtype != icl::DType::BF16)
    return icl::writeNpy(path, array);
  return icl::writeNpy(path, icl::HostArray::fromDouble(icl::DType::F32, array.shape,
                                                        array.toDouble()));
}

static int writeResults(ArrayRef<icl::HostArray> results) {
  if (!outputs.empty() && outputs.size() != results.size())
    return fail("the function has " + Twine(results.size()) + " results but " +
                Twine(outputs.size()) + " --output files were given");
  for (auto [i, array] : enumerate(results)) {
    if (outputs.empty()) {
      summarise(i, array);
      continue;
    }
    if (Error err = writeArray(outputs[i], array))
      return fail(toString(std::move(err)));
  }
  return 0;
}

/// With --expect: compares `results` with the given files.
static int compareExpected(ArrayRef<icl::HostArray> results) {
  if (expected.empty())
    return 0;
  if (expected.size() != results.size())
    return fail("the function has " + Twine(results.size()) + " results but " +
                Twine(expected.size()) + " --expect files were given");
  bool within = true;
  for (auto [i, path] : enumerate(expected)) {
    Expected<icl::HostArray> want = icl::readNpy(path);
    if (!want)
      return fail(toString(want.takeError()));
    within &= compare("expect", i, results[i], *want);
  }
  return within ? 0 : fail("the results differ from --expect beyond tolerance");
}

/// With --benchmark N: times N calls of `run` (after the caller's warm-up
/// run) and prints min/median/max.
static Error timeRuns(function_ref<Error()> run) {
  if (!benchmark)
    return Error::success();
  std::vector<double> ms;
  for (unsigned i = 0; i < benchmark; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (Error err = run())
      return err;
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(ms.begin(), ms.end());
  outs() << format("benchmark: %u runs, min %.3f ms, median %.3f ms, max %.3f ms\n",
                   benchmark.getValue(), ms.front(), ms[ms.size() / 2], ms.back());
  return Error::success();
}

/// Runs `function` of a compiled model library through the runtime C API.
static Expected<std::vector<icl::HostArray>> runLibrary(StringRef path, StringRef function,
                                                        std::vector<icl::HostArray> &args,
                                                        bool randomArgs) {
  icl_runtime *rt = nullptr;
  auto error = [&](const Twine &context) {
    std::string message = (context + icl_runtime_error(rt)).str();
    return createStringError(inconvertibleErrorCode(), message);
  };
  std::unique_ptr<icl_runtime, void (*)(icl_runtime *)> owner(nullptr, icl_runtime_destroy);
  int status = icl_runtime_create(device == Device::Cuda ? ICL_DEVICE_CUDA : ICL_DEVICE_CPU, &rt);
  owner.reset(rt);
  if (status)
    return error("");
  icl_module *module = nullptr;
  if (icl_module_load(rt, path.str().c_str(), &module))
    return error("");
  std::unique_ptr<icl_module, void (*)(icl_module *)> moduleOwner(module, icl_module_unload);
  std::string name = function.str();
  if (name.empty()) {
    if (icl_module_function_count(module) != 1)
      return createStringError(inconvertibleErrorCode(),
                               "the library has several functions: choose one with --function");
    name = icl_module_function_name(module, 0);
  }
  icl_function *fn = nullptr;
  if (icl_module_lookup(module, name.c_str(), &fn))
    return error("");
  if (randomArgs) {
    std::mt19937_64 rng(randomSeed);
    for (int i = 0; i < icl_function_arg_count(fn); ++i) {
      icl_tensor t = icl_function_arg(fn, i);
      std::vector<int64_t> shape(t.shape, t.shape + t.rank);
      int64_t limit = icl_function_arg_id_limit(fn, i);
      args.push_back(icl::randomArray(static_cast<icl::DType>(t.dtype), std::move(shape),
                                      limit > 0 ? limit : 16, rng));
    }
  }
  // Inputs of another integer (or float) width are converted, as the JIT
  // does: int32 token ids feed an int64 entry point.
  for (int i = 0; i < std::min<int>(icl_function_arg_count(fn), args.size()); ++i) {
    auto want = static_cast<icl::DType>(icl_function_arg(fn, i).dtype);
    icl::HostArray &a = args[i];
    if (a.dtype != want && icl::isFloat(a.dtype) == icl::isFloat(want))
      a = icl::isFloat(want) ? icl::HostArray::fromDouble(want, a.shape, a.toDouble())
                             : icl::HostArray::fromInt64(want, a.shape, a.toInt64());
  }
  std::vector<icl_tensor> in, out;
  for (icl::HostArray &a : args)
    in.push_back({static_cast<icl_dtype>(a.dtype), static_cast<int32_t>(a.shape.size()),
                  a.shape.data(), a.bytes.data()});
  std::vector<icl::HostArray> results;
  for (int i = 0; i < icl_function_result_count(fn); ++i) {
    icl_tensor t = icl_function_result(fn, i);
    icl::HostArray r{static_cast<icl::DType>(t.dtype), std::vector<int64_t>(t.shape, t.shape + t.rank),
                     {}};
    r.bytes.assign(r.numel() * icl::dtypeSize(r.dtype), 0);
    results.push_back(std::move(r));
  }
  for (icl::HostArray &r : results)
    out.push_back({static_cast<icl_dtype>(r.dtype), static_cast<int32_t>(r.shape.size()),
                   r.shape.data(), r.bytes.data()});
  auto invoke = [&]() {
    return icl_function_invoke(fn, in.data(), static_cast<int>(in.size()), out.data(),
                               static_cast<int>(out.size()));
  };
  if (invoke())
    return error("");
  if (Error err = timeRuns([&]() -> Error {
        return invoke() ? error("") : Error::success();
      }))
    return std::move(err);
  return results;
}

/// --greedy N: generates N tokens after the prompt in `args` and prints them
/// on one line.
static int generate(mlir::func::FuncOp func, ArrayRef<icl::HostArray> args, StringRef dir) {
  if (args.size() != 1 || args[0].shape.size() != 2 || args[0].shape[0] != 1)
    return fail("--greedy needs one --input of prompt ids of shape [1, T]");
  auto idsType = dyn_cast<mlir::RankedTensorType>(func.getFunctionType().getInput(0));
  if (func.getNumArguments() != 1 || !idsType || idsType.getRank() != 2 ||
      !idsType.hasStaticShape())
    return fail("--greedy needs a function taking ids of a static shape [1, T]");
  icl::ref::EvaluatorOptions options;
  options.weightsDir = dir.str();
  options.precision = precision;
  std::unique_ptr<icl::JitFunction> jit;
  if (!reference) {
    Expected<std::unique_ptr<icl::JitFunction>> compiled = icl::JitFunction::compile(func, dir);
    if (!compiled)
      return fail(toString(compiled.takeError()));
    jit = std::move(*compiled);
  }
  auto forward = [&](const icl::HostArray &ids) -> Expected<icl::HostArray> {
    Expected<std::vector<icl::HostArray>> results =
        jit ? jit->run({ids}) : icl::ref::evaluate(func, {ids}, options);
    if (!results)
      return results.takeError();
    return std::move(results->front());
  };
  Expected<std::vector<int64_t>> tokens =
      icl::greedyGenerate(forward, args[0].toInt64(), idsType.getDimSize(1), greedy);
  if (!tokens)
    return fail(toString(tokens.takeError()));
  for (auto [i, t] : enumerate(*tokens))
    outs() << (i ? " " : "") << t;
  outs() << "\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  icl::registerPassManagerCommandLineOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "icl-run: run a function of an icl module\n\n"
      "  icl-run model.mlir --random-inputs 0 --check       (native code, checked)\n"
      "  icl-run model.mlir --input ids.npy --benchmark 20\n"
      "  icl-run --reference model.mlir --random-inputs 0\n"
      "  icl-run --reference model.mlir --input x.npy --output y.npy\n"
      "  icl-run hf-model-dir --input ids.npy --output logits.npy   (config.json + safetensors)\n"
      "  icl-run hf-model-dir --input prompt.npy --greedy 20\n"
      "  icl-run model.mlir --device=cuda --random-inputs 0 --check   (compiled for the GPU)\n"
      "  icl-run libmodel.so --device=cuda --input x.npy --output y.npy\n");

  if (reference && (check || benchmark))
    return fail("--check and --benchmark apply to native code; drop --reference");
  if (!inputs.empty() && randomSeed.getNumOccurrences())
    return fail("give either --input files or --random-inputs, not both");

  std::string input = inputFile, checkModule = referenceModule;
  bool isLibrary = StringRef(input).ends_with(".so");
  bool isCheckpoint = icl::isCheckpoint(input);
  if (!isCheckpoint && (batchSize.getNumOccurrences() || seqLen.getNumOccurrences()))
    return fail("--batch and --seq-len set the shapes of a Hugging Face model directory; a "
                "module or library has its own");
  if (greedy && (isLibrary || check || benchmark || !outputs.empty() || !expected.empty()))
    return fail("--greedy runs a module or model directory and prints token ids; drop --check, "
                "--benchmark, --output and --expect, and give a module rather than a library");
  if (isLibrary && reference)
    return fail("--reference needs the module, not a library: give --reference-module and --check");
  if (isLibrary && check && checkModule.empty())
    return fail("--check on a library needs --reference-module=<the module it was compiled from>");

  // On the GPU a module runs as a CUDA model library compiled for it (into
  // a temporary directory), checked against the module.
  SmallString<128> cudaDir;
  auto removeCudaDir = llvm::make_scope_exit([&] {
    if (!cudaDir.empty())
      sys::fs::remove_directories(cudaDir);
  });
  if (device == Device::Cuda && !isLibrary && !reference) {
    if (greedy)
      return fail("--greedy runs on the CPU; drop --device=cuda");
    {
      // No GPU: say so before compiling.
      icl_runtime *probe = nullptr;
      int status = icl_runtime_create(ICL_DEVICE_CUDA, &probe);
      std::string message = icl_runtime_error(probe);
      icl_runtime_destroy(probe);
      if (status)
        return fail(message);
    }
    mlir::MLIRContext compileContext;
    icl::ImportShapes importShapes;
    if (batchSize.getNumOccurrences())
      importShapes.batch = batchSize;
    if (seqLen.getNumOccurrences())
      importShapes.seqLen = seqLen;
    mlir::OwningOpRef<mlir::ModuleOp> m = icl::loadModule(input, compileContext, importShapes);
    if (!m)
      return 1;
    // Only the function to run (the others may not compile natively).
    if (!functionName.empty()) {
      if (!m->lookupSymbol<mlir::func::FuncOp>(functionName))
        return fail("the module has no function '" + functionName + "'");
      for (auto f : llvm::make_early_inc_range(m->getOps<mlir::func::FuncOp>()))
        if (f.isPublic() && f.getName() != functionName)
          f.erase();
    }
    if (std::error_code ec = sys::fs::createUniqueDirectory("icl-run-cuda", cudaDir))
      return fail("cannot create a temporary directory: " + ec.message());
    icl::CompileOptions compile;
    compile.target = icl::Target::Cuda;
    compile.output = (cudaDir + "/libmodel.so").str();
    compile.sourceName = sys::path::filename(input).str();
    compile.weightsDir = weightsDir.getNumOccurrences() ? std::string(weightsDir)
                                                        : sys::path::parent_path(input).str();
    if (Error err = icl::compileModule(*m, compile))
      return fail(toString(std::move(err)));
    checkModule = input;
    input = compile.output;
    isLibrary = true;
  }

  std::vector<icl::HostArray> args;
  if (!randomSeed.getNumOccurrences()) {
    for (const std::string &path : inputs) {
      Expected<icl::HostArray> array = icl::readNpy(path);
      if (!array)
        return fail(toString(array.takeError()));
      args.push_back(std::move(*array));
    }
  }
  std::optional<std::vector<icl::HostArray>> libraryResults;
  if (isLibrary) {
    Expected<std::vector<icl::HostArray>> r =
        runLibrary(input, functionName, args, randomSeed.getNumOccurrences() > 0);
    if (!r)
      return fail(toString(r.takeError()));
    libraryResults = std::move(*r);
  }

  mlir::MLIRContext context;
  std::string modulePath = isLibrary ? checkModule : input;
  if (isLibrary && modulePath.empty())
    return writeResults(*libraryResults) ? 1 : compareExpected(*libraryResults);
  // A model directory takes its shapes from the flags, else from the ids
  // given (plus room for --greedy's tokens).
  icl::ImportShapes shapes;
  if (icl::isCheckpoint(modulePath)) {
    const icl::HostArray *ids = args.empty() ? nullptr : &args.front();
    if (ids && ids->shape.size() != 2)
      return fail("the input ids of a Hugging Face model have shape [B, T], got " +
                  icl::formatShape(ids->shape));
    if (batchSize.getNumOccurrences())
      shapes.batch = batchSize;
    else if (ids)
      shapes.batch = ids->shape[0];
    if (seqLen.getNumOccurrences())
      shapes.seqLen = seqLen;
    else if (ids)
      shapes.seqLen = ids->shape[1] + greedy;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = icl::loadModule(modulePath, context, shapes);
  if (!module)
    return 1;
  Expected<mlir::func::FuncOp> func = icl::findEntryFunction(*module, functionName);
  if (!func)
    return fail(toString(func.takeError()));

  if (greedy)
    return generate(*func, args, weightsDir.getNumOccurrences()
                                     ? std::string(weightsDir)
                                     : sys::path::parent_path(modulePath).str());

  if (randomSeed.getNumOccurrences() && !isLibrary) {
    Expected<std::vector<icl::HostArray>> random =
        icl::ref::randomInputs(*func, randomSeed, dynamicSize);
    if (!random)
      return fail(toString(random.takeError()));
    args = std::move(*random);
  }

  icl::ref::EvaluatorOptions options;
  options.weightsDir = weightsDir.getNumOccurrences()
                           ? std::string(weightsDir)
                           : sys::path::parent_path(modulePath).str();
  auto runReference = [&](icl::ref::Precision p) {
    options.precision = p;
    return icl::ref::evaluate(*func, args, options);
  };

  Expected<std::vector<icl::HostArray>> results = std::vector<icl::HostArray>{};
  if (isLibrary) {
    results = std::move(*libraryResults);
  } else if (reference) {
    results = runReference(precision);
  } else {
    Expected<std::unique_ptr<icl::JitFunction>> jit =
        icl::JitFunction::compile(*func, options.weightsDir);
    if (!jit)
      return fail(toString(jit.takeError()));
    results = (*jit)->run(args);
    if (results)
      if (Error err = timeRuns([&] { return (*jit)->run(args).takeError(); }))
        return fail(toString(std::move(err)));
  }
  if (!results)
    return fail(toString(results.takeError()));
  if (!writeInputs.empty()) {
    if (writeInputs.size() != args.size())
      return fail("the function has " + Twine(args.size()) + " arguments but " +
                  Twine(writeInputs.size()) + " --write-inputs files were given");
    for (auto [path, array] : zip(writeInputs, args))
      if (Error err = writeArray(path, array))
        return fail(toString(std::move(err)));
  }

  bool withinTolerance = true;
  if (check) {
    Expected<std::vector<icl::HostArray>> reference = runReference(icl::ref::Precision::F64);
    if (!reference)
      return fail("the reference evaluator failed: " + toString(reference.takeError()));
    for (auto [i, got, want] : enumerate(*results, *reference))
      withinTolerance &= compare("check", i, got, want);
  }
  if (int rc = writeResults(*results))
    return rc;
  if (!withinTolerance)
    return fail("the native results differ from the reference evaluator beyond tolerance");
  return compareExpected(*results);
}
