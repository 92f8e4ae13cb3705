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
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/Files.h"
#include "lib/Support/Npy.h"
#include "tools/icl-run/LibraryRun.h"
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
                                    cl::desc("Input .npy file, or a literal DTYPE=V[,V...] (i64=5: a "
                                             "scalar, such as a looped model's step count), "
                                             "repeated in argument order"),
                                    cl::value_desc("file.npy|DTYPE=V"), cl::cat(category));
static cl::opt<uint64_t> randomSeed(
    "random-inputs",
    cl::desc("Generate seeded random inputs instead of --input (floats in [-1, 1), "
             "token ids within the vocabulary, scalar step counts in 0..3)"),
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
                      "errors, and exit 1 if any element is beyond the bound (--tolerance)"),
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
             "if any element is beyond the bound (--tolerance)"),
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

/// The library-running settings of the command line.
static icl::tool::RunSettings settings() {
  icl::tool::RunSettings s;
  s.tolerance = icl::tool::toleranceFromFlags();
  s.benchmark = benchmark;
  s.cuda = device == Device::Cuda;
  if (randomSeed.getNumOccurrences())
    s.randomSeed = randomSeed;
  s.outputs.assign(outputs.begin(), outputs.end());
  s.expected.assign(expected.begin(), expected.end());
  return s;
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

/// Everything main does but the final check of standard output.
static int run(int argc, char **argv) {
  icl::registerPassManagerCommandLineOptions();
  cl::HideUnrelatedOptions({&category, &icl::tool::toleranceCategory});
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

  std::vector<icl::HostArray> args;
  if (!randomSeed.getNumOccurrences()) {
    for (const std::string &path : inputs) {
      Expected<icl::HostArray> array = icl::readInput(path);
      if (!array)
        return fail(toString(array.takeError()));
      args.push_back(std::move(*array));
    }
  }

  // On the GPU a module runs as a CUDA model library compiled for it (into
  // a temporary directory), checked against the module.
  SmallString<128> cudaDir;
  llvm::scope_exit removeCudaDir([&] {
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
    // A model directory: shapes from the flags, else from the ids given.
    icl::ImportShapes importShapes;
    const icl::HostArray *ids = args.size() == 1 && args[0].shape.size() == 2 ? &args[0] : nullptr;
    if (batchSize.getNumOccurrences())
      importShapes.batch = batchSize;
    else if (isCheckpoint && ids)
      importShapes.batch = ids->shape[0];
    if (seqLen.getNumOccurrences())
      importShapes.seqLen = seqLen;
    else if (isCheckpoint && ids)
      importShapes.seqLen = ids->shape[1];
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
    compile.pipeline.target = icl::Target::Cuda;
    compile.output = (cudaDir + "/libmodel.so").str();
    compile.sourceName = sys::path::filename(input).str();
    compile.pipeline.weightsDir = weightsDir.getNumOccurrences()
                                      ? std::string(weightsDir)
                                      : sys::path::parent_path(input).str();
    if (Error err = icl::compileModule(*m, compile))
      return fail(toString(std::move(err)));
    checkModule = input;
    input = compile.output;
    isLibrary = true;
  }

  std::optional<std::vector<icl::HostArray>> libraryResults;
  if (isLibrary) {
    Expected<std::vector<icl::HostArray>> r =
        icl::tool::runLibrary(settings(), input, functionName, args);
    if (!r)
      return fail(toString(r.takeError()));
    libraryResults = std::move(*r);
  }

  mlir::MLIRContext context;
  std::string modulePath = isLibrary ? checkModule : input;
  if (isLibrary && modulePath.empty())
    return icl::tool::writeResults(settings(), *libraryResults)
               ? 1
               : icl::tool::compareExpected(settings(), *libraryResults);
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
      if (Error err = icl::tool::timeRuns(settings(), [&] { return (*jit)->run(args).takeError(); }))
        return fail(toString(std::move(err)));
  }
  if (!results)
    return fail(toString(results.takeError()));
  if (!writeInputs.empty()) {
    if (writeInputs.size() != args.size())
      return fail("the function has " + Twine(args.size()) + " arguments but " +
                  Twine(writeInputs.size()) + " --write-inputs files were given");
    for (auto [path, array] : zip(writeInputs, args))
      if (Error err = icl::tool::writeArray(path, array))
        return fail(toString(std::move(err)));
  }

  bool withinTolerance = true;
  if (check) {
    Expected<std::vector<icl::HostArray>> reference = runReference(icl::ref::Precision::F64);
    if (!reference)
      return fail("the reference evaluator failed: " + toString(reference.takeError()));
    for (auto [i, got, want] : enumerate(*results, *reference))
      withinTolerance &= icl::tool::compare(settings(), "check", i, got, want);
  }
  if (int rc = icl::tool::writeResults(settings(), *results))
    return rc;
  if (!withinTolerance)
    return fail("the native results differ from the reference evaluator beyond tolerance");
  return icl::tool::compareExpected(settings(), *results);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  int rc = run(argc, argv);
  if (Error err = icl::flushStandardOutput())
    return fail(toString(std::move(err)));
  return rc;
}
