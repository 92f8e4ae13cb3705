//===- icl-compile.cpp - Ahead-of-time compiler of icl modules ------------===//

#include "lib/Driver/Compile.h"
#include "passes/Passes.h"
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/Files.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory category("icl-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir | hf-model-dir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"), cl::value_desc("file"),
                                       cl::Required, cl::cat(category));
static cl::opt<icl::Target> target(
    "target", cl::desc("Code generation target"),
    cl::values(clEnumValN(icl::Target::X86, "x86", "x86-64, tuned for this host (default)"),
               clEnumValN(icl::Target::Cuda, "cuda",
                          "NVIDIA GPUs: PTX kernels (sm_90 by default) JIT-loaded by the "
                          "driver, launched by x86-64 host code")),
    cl::init(icl::Target::X86), cl::cat(category));
static cl::opt<icl::Emit> emit(
    "emit", cl::desc("What to write"),
    cl::values(clEnumValN(icl::Emit::Lib, "lib", "a shared model library and its C header (default)"),
               clEnumValN(icl::Emit::Obj, "obj", "an object file"),
               clEnumValN(icl::Emit::Llvm, "llvm", "optimised LLVM IR"),
               clEnumValN(icl::Emit::Mlir, "mlir", "the LLVM-dialect MLIR"),
               clEnumValN(icl::Emit::Ptx, "ptx", "the PTX of the kernels (--target=cuda)")),
    cl::init(icl::Emit::Lib), cl::cat(category));
static cl::opt<std::string> compileTo(
    "compile-to",
    cl::desc("Stop after a phase and write its MLIR: input, inlined, decomposed, llvm-dialect"),
    cl::value_desc("phase"), cl::cat(category));
static cl::opt<std::string> dumpPhases("dump-phases",
                                       cl::desc("Write every phase's IR into this directory"),
                                       cl::value_desc("dir"), cl::cat(category));
static cl::opt<std::string> header("header",
                                   cl::desc("Where to write the C header (default: output with .h)"),
                                   cl::value_desc("file.h"), cl::cat(category));
static cl::opt<int64_t> batchSize(
    "batch", cl::init(1),
    cl::desc("Hugging Face directory: batch size of the entry point (default 1)"),
    cl::value_desc("B"), cl::cat(category));
static cl::opt<int64_t> seqLen(
    "seq-len",
    cl::desc("Hugging Face directory: sequence length of the entry point (default: the "
             "model's context length, at most 128)"),
    cl::value_desc("T"), cl::cat(category));
static cl::opt<std::string> weightsDir(
    "weights-dir",
    cl::desc("Directory for relative weights-file paths (default: the module's directory)"),
    cl::value_desc("dir"), cl::cat(category));

static cl::opt<std::string> x86Options(
    "x86-options",
    cl::desc("Options of the x86 pipeline, as for icl-opt --icl-x86-pipeline=\"...\": "
             "fusion=false, vector-width=N, register-rows=N, reduction-tile=N, threads=N, "
             "tile-bytes=N, max-rows=N (defaults derive from the host)"),
    cl::value_desc("options"), cl::cat(category));

static cl::opt<std::string> cudaOptions(
    "cuda-options",
    cl::desc("Options of the CUDA pipeline, as for icl-opt --icl-cuda-pipeline=\"...\": "
             "chip=sm_90|sm_80|..., features=+ptx80, opt-level=N, block-size=N, "
             "fusion=false, fused-attention=false, fused-rows=false, multiprocessors=N"),
    cl::value_desc("options"), cl::cat(category));

static cl::opt<std::string> passes(
    "passes",
    cl::desc("icl passes to run on the model before it is compiled, as a pass pipeline on "
             "the module: \"icl-token-merge{r=16 unmerge=true}\", "
             "\"func.func(icl-raise-fused-ops),icl-token-prune{layers=2 keep-ratio=0.5}\" "
             "(function passes go inside func.func(...); icl-opt --help lists them)"),
    cl::value_desc("pipeline"), cl::cat(category));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // MLIR's pass-manager flags (--mlir-pass-pipeline-crash-reproducer,
  // --mlir-print-ir-after-all, --mlir-timing) work here as in icl-opt.
  icl::registerPassManagerCommandLineOptions();
  // --passes names icl's passes.
  mlir::icl::registerIclPassesAndPipelines();
  mlir::registerMLIRContextCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "icl-compile: compile an icl module ahead of time\n\n"
      "  icl-compile model.mlir -o libmodel.so         (writes libmodel.so and libmodel.h)\n"
      "  icl-compile model.mlir --compile-to=decomposed -o model.decomposed.mlir\n"
      "  icl-compile model.mlir -o libmodel.so --dump-phases=phases/\n"
      "  icl-compile hf-model-dir --seq-len 64 -o libmodel.so   (config.json + safetensors)\n"
      "  icl-compile model.mlir --target=cuda -o libmodel.so    (PTX + host code; run with\n"
      "                                                          icl-run --device=cuda)\n"
      "  icl-compile model.mlir --target=cuda --emit=ptx -o model.ptx\n"
      "MLIR's --mlir-pass-pipeline-crash-reproducer=FILE, --mlir-print-ir-after-all and\n"
      "--mlir-timing also apply.\n");
  auto fail = [](const Twine &message) {
    WithColor::error(errs(), "icl-compile") << message << "\n";
    return 1;
  };
  if (cudaOptions.getNumOccurrences() && target != icl::Target::Cuda)
    return fail("--cuda-options needs --target=cuda");
  if (x86Options.getNumOccurrences() && target != icl::Target::X86)
    return fail("--x86-options applies to --target=x86; give --cuda-options for the GPU");
  // Every option is checked before the (possibly slow) model import.
  icl::CompileOptions options;
  if (compileTo.getNumOccurrences()) {
    Expected<icl::Phase> phase = mlir::icl::parsePhase(compileTo);
    if (!phase)
      return fail(toString(phase.takeError()));
    options.compileTo = *phase;
  }
  options.pipeline.target = target;
  if (target == icl::Target::Cuda) {
    Expected<mlir::icl::CudaOptions> cuda = mlir::icl::parseCudaOptions(cudaOptions);
    if (!cuda)
      return fail(toString(cuda.takeError()));
    options.pipeline.cuda = *cuda;
  } else {
    Expected<mlir::icl::X86Options> x86 = mlir::icl::parseX86Options(x86Options);
    if (!x86)
      return fail(toString(x86.takeError()));
    // MLIR's transform interpreter reads the schedule by itself.
    if (!x86->schedule.empty())
      if (Error err = icl::checkRegularFile(x86->schedule))
        return fail(toString(std::move(err)));
    options.pipeline.x86 = *x86;
  }
  if (Error err = mlir::icl::checkUserPasses(passes))
    return fail(toString(std::move(err)));
  options.pipeline.userPasses = passes;
  StringRef input = StringRef(inputFile).rtrim('/');
  if (sys::fs::equivalent(input, outputFile))
    return fail("the output " + outputFile + " is the input: give another -o");
  if (!icl::isCheckpoint(input) && (batchSize.getNumOccurrences() || seqLen.getNumOccurrences()))
    return fail("--batch and --seq-len set the shapes of a Hugging Face model directory; a "
                "module has its own");
  mlir::MLIRContext context;
  icl::ImportShapes shapes;
  shapes.batch = batchSize;
  shapes.seqLen = seqLen;
  mlir::OwningOpRef<mlir::ModuleOp> module = icl::loadModule(input, context, shapes);
  if (!module)
    return 1;
  options.emit = emit;
  options.output = outputFile;
  options.dumpPhasesDir = dumpPhases;
  options.headerPath = header;
  options.sourceName = sys::path::filename(input).str();
  options.pipeline.weightsDir = weightsDir.getNumOccurrences()
                                    ? std::string(weightsDir)
                                    : sys::path::parent_path(input).str();
  if (Error err = icl::compileModule(*module, options))
    return fail(toString(std::move(err)));
  return 0;
}
