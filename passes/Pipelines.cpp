//===- Pipelines.cpp - The one compilation pipeline of icl ----------------===//

#include "passes/Pipelines.h"

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::icl;

namespace {

using detail::PassOptions;

/// The x86 knobs as pass-pipeline options, shared by --x86-options and the
/// registered --icl-x86-pipeline (which adds its phases).
template <typename Derived>
struct X86Knobs : PassPipelineOptions<Derived> {
  X86Options defaults;
  PassOptions::Option<bool> vectorize{
      *this, "vectorize", llvm::cl::desc("Tile and vectorize linalg ops (off: scalar loops)"),
      llvm::cl::init(defaults.vectorize)};
  PassOptions::Option<bool> fusion{
      *this, "fusion",
      llvm::cl::desc("Fuse elementwise ops and tile chains with reductions together "
                     "(icl-fuse-elementwise, icl-tile-and-fuse); off: every op on its own"),
      llvm::cl::init(defaults.fusion)};
  PassOptions::Option<int64_t> vectorWidth{
      *this, "vector-width", llvm::cl::desc("icl-tile-and-vectorize vector-width (0: host)"),
      llvm::cl::init(defaults.vectorWidth)};
  PassOptions::Option<int64_t> registerRows{
      *this, "register-rows", llvm::cl::desc("icl-tile-and-vectorize register-rows (0: host)"),
      llvm::cl::init(defaults.registerRows)};
  PassOptions::Option<int64_t> reductionTile{
      *this, "reduction-tile", llvm::cl::desc("icl-tile-and-vectorize reduction-tile"),
      llvm::cl::init(defaults.reductionTile)};
  PassOptions::Option<int64_t> threads{*this, "threads",
                                       llvm::cl::desc("icl-tile-and-vectorize threads (also: icl-tile-attention "
                                                      "splits the keys of ops with fewer query "
                                                      "blocks)"),
                                       llvm::cl::init(defaults.threads)};
  PassOptions::Option<int64_t> tileBytes{
      *this, "tile-bytes", llvm::cl::desc("icl-tile-and-fuse tile-bytes (0: host L2 / 8)"),
      llvm::cl::init(defaults.tileBytes)};
  PassOptions::Option<int64_t> maxRows{*this, "max-rows",
                                       llvm::cl::desc("icl-tile-and-fuse max-rows"),
                                       llvm::cl::init(defaults.maxRows)};
  PassOptions::Option<int64_t> attentionRows{
      *this, "attention-rows", llvm::cl::desc("icl-tile-attention rows (queries per block)"),
      llvm::cl::init(defaults.attentionRows)};
  PassOptions::Option<int64_t> attentionKeys{
      *this, "attention-keys",
      llvm::cl::desc("icl-tile-attention keys (keys per online-softmax step; 0: attention "
                     "decomposed whole)"),
      llvm::cl::init(defaults.attentionKeys)};
  PassOptions::Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("A transform-dialect file whose @__transform_main tiles and vectorizes "
                     "the decomposed module in place of icl-tile-and-fuse and "
                     "icl-tile-and-vectorize (for experiments)"),
      llvm::cl::init(defaults.schedule)};
  PassOptions::Option<int64_t> scanChunk{
      *this, "scan-chunk",
      llvm::cl::desc("icl-decompose chunk-size: steps per chunk of SSD and causal linear "
                     "attention whose chunk_size is 0 (1: step by step)"),
      llvm::cl::init(defaults.scanChunk)};

  X86Options get() const {
    return X86Options{vectorize, fusion,  vectorWidth,   registerRows,  reductionTile, threads,
                      tileBytes, maxRows, attentionRows, attentionKeys, schedule, scanChunk};
  }
};

template <typename Derived>
struct CudaKnobs : PassPipelineOptions<Derived> {
  CudaOptions defaults;
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture the PTX targets (sm_90, sm_80, ...)"),
      llvm::cl::init(defaults.chip)};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("PTX ISA version of the output"),
                                            llvm::cl::init(defaults.features)};
  PassOptions::Option<int64_t> optLevel{*this, "opt-level",
                                        llvm::cl::desc("NVPTX optimisation level (0-3)"),
                                        llvm::cl::init(defaults.optLevel)};
  PassOptions::Option<bool> fusion{
      *this, "fusion",
      llvm::cl::desc("Fuse elementwise ops (icl-fuse-elementwise) into fewer kernels"),
      llvm::cl::init(defaults.fusion)};
  PassOptions::Option<bool> fusedAttention{
      *this, "fused-attention",
      llvm::cl::desc("Run bf16/f16 attention with head dims 64 and 128 as icl's fused kernels "
                     "(icl-cuda-attention); off: decomposed like every other op"),
      llvm::cl::init(defaults.fusedAttention)};
  PassOptions::Option<bool> fusedRows{
      *this, "fused-rows",
      llvm::cl::desc("Run RMS/layer norms and last-axis softmax over static rows as icl's row "
                     "kernels, one block per row (icl-cuda-rows); off: decomposed like every "
                     "other op"),
      llvm::cl::init(defaults.fusedRows)};
  PassOptions::Option<bool> fusedLinear{
      *this, "fused-linear",
      llvm::cl::desc("Run linears as icl's tensor-core GEMM kernels, bias, activation "
                     "and residual add fused (icl-cuda-linear); off: decomposed like every "
                     "other op"),
      llvm::cl::init(defaults.fusedLinear)};
  PassOptions::Option<std::string> f32Gemm{
      *this, "f32-gemm",
      llvm::cl::desc("f32 linears in the GEMM kernels: tf32x3 (each operand split into two "
                     "tf32 parts, three products: about f32's accuracy), tf32 (one product of "
                     "10-bit mantissas, as PyTorch's allow_tf32) or off (decomposed)"),
      llvm::cl::init(defaults.f32Gemm)};
  PassOptions::Option<std::string> gemmTile{
      *this, "gemm-tile",
      llvm::cl::desc("GEMM block tile BMxBNxBKxSTAGES or BMxBNxBKxSTAGESxWARPS_MxWARPS_N "
                     "(default: derived from the shape and the SM count)"),
      llvm::cl::init(defaults.gemmTile)};
  PassOptions::Option<int64_t> blockSize{
      *this, "block-size", llvm::cl::desc("Threads per block of generated kernels"),
      llvm::cl::init(defaults.blockSize)};
  PassOptions::Option<int64_t> multiprocessors{
      *this, "multiprocessors",
      llvm::cl::desc("Streaming multiprocessors of the target GPU, for splitting decode "
                     "attention (132: H100/H200 SXM)"),
      llvm::cl::init(defaults.multiprocessors)};
  PassOptions::Option<int64_t> scanChunk{
      *this, "scan-chunk",
      llvm::cl::desc("icl-decompose chunk-size: steps per chunk of SSD and causal linear "
                     "attention whose chunk_size is 0 (1: step by step)"),
      llvm::cl::init(defaults.scanChunk)};

  PassOptions::Option<bool> fusedScans{
      *this, "fused-scans",
      llvm::cl::desc("Selective scans as one kernel launch each (icl-cuda-scans); false: "
                     "decomposed, a host loop over the steps"),
      llvm::cl::init(defaults.fusedScans)};

  CudaOptions get() const {
    return CudaOptions{chip,      features,    optLevel, fusion,          fusedAttention,
                       fusedRows, fusedLinear, f32Gemm,  gemmTile,        blockSize,
                       multiprocessors, scanChunk, fusedScans};
  }
};

struct X86TextOptions : X86Knobs<X86TextOptions> {};
struct CudaTextOptions : CudaKnobs<CudaTextOptions> {};

auto phaseValues() {
  return llvm::cl::values(
      clEnumValN(Phase::Input, "input", "as loaded"),
      clEnumValN(Phase::Inlined, "inlined", "weights inlined, unused functions dropped"),
      clEnumValN(Phase::Decomposed, "decomposed", "icl ops as linalg"),
      clEnumValN(Phase::LLVM, "llvm-dialect", "the LLVM dialect"));
}

/// A target's knobs plus what the registered pipelines add: the phases they
/// run between and where weights are read from.
template <typename Derived, template <typename> class Knobs>
struct WithPhases : Knobs<Derived> {
  PassOptions::Option<Phase> from{*this, "from",
                                  llvm::cl::desc("The phase whose IR the input is"),
                                  llvm::cl::init(Phase::Input), phaseValues()};
  PassOptions::Option<Phase> to{*this, "to", llvm::cl::desc("The phase to stop after"),
                                llvm::cl::init(Phase::LLVM), phaseValues()};
  PassOptions::Option<std::string> weightsDir{
      *this, "weights-dir", llvm::cl::desc("Directory of relative weights files")};

  PipelineOptions pipeline(Target target) const {
    PipelineOptions p;
    p.target = target;
    p.weightsDir = weightsDir;
    return p;
  }
};

struct X86PipelineOptions : WithPhases<X86PipelineOptions, X86Knobs> {};
struct CudaPipelineOptions : WithPhases<CudaPipelineOptions, CudaKnobs> {};

/// Knob values no pass could honour, named with their range.
llvm::Error checkKnobs(const X86Options &o) {
  auto range = [](llvm::StringRef name, int64_t v, int64_t lo, int64_t hi) -> llvm::Error {
    if (v >= lo && v <= hi)
      return llvm::Error::success();
    return llvm::createStringError("x86 pipeline option %s=%lld is out of range %lld..%lld",
                                   name.str().c_str(), (long long)v, (long long)lo,
                                   (long long)hi);
  };
  if (o.vectorWidth != 0 && (o.vectorWidth < 0 || o.vectorWidth > 64 ||
                             !llvm::isPowerOf2_64(o.vectorWidth)))
    return llvm::createStringError("x86 pipeline option vector-width=%lld must be 0 (the host's) "
                                   "or a power of two up to 64",
                                   (long long)o.vectorWidth);
  if (llvm::Error e = range("register-rows", o.registerRows, 0, 64))
    return e;
  if (llvm::Error e = range("reduction-tile", o.reductionTile, 1, 4096))
    return e;
  if (llvm::Error e = range("threads", o.threads, 1, 1024))
    return e;
  if (llvm::Error e = range("tile-bytes", o.tileBytes, 0, int64_t(1) << 40))
    return e;
  if (llvm::Error e = range("attention-rows", o.attentionRows, 1, int64_t(1) << 20))
    return e;
  if (llvm::Error e = range("attention-keys", o.attentionKeys, 0, int64_t(1) << 20))
    return e;
  if (llvm::Error e = range("scan-chunk", o.scanChunk, 1, int64_t(1) << 20))
    return e;
  return range("max-rows", o.maxRows, 1, int64_t(1) << 20);
}

llvm::Error checkKnobs(const CudaOptions &o) {
  if (o.optLevel < 0 || o.optLevel > 3)
    return llvm::createStringError("CUDA pipeline option opt-level=%lld must be 0..3",
                                   (long long)o.optLevel);
  // block-size is checked where kernels are generated (GpuMapLoops).
  if (o.multiprocessors < 1 || o.multiprocessors > 1024)
    return llvm::createStringError("CUDA pipeline option multiprocessors=%lld must be 1..1024",
                                   (long long)o.multiprocessors);
  if (o.scanChunk < 1 || o.scanChunk > (int64_t(1) << 20))
    return llvm::createStringError("CUDA pipeline option scan-chunk=%lld must be 1..1048576",
                                   (long long)o.scanChunk);
  if (!isF32GemmMode(o.f32Gemm))
    return llvm::createStringError("CUDA pipeline option f32-gemm=%s must be tf32x3, tf32 or off",
                                   o.f32Gemm.c_str());
  if (!o.gemmTile.empty())
    if (auto tile = parseGemmTile(o.gemmTile); !tile)
      return llvm::createStringError("CUDA pipeline option gemm-tile: " +
                                     llvm::toString(tile.takeError()));
  // sm_<number>, with an `a` or `f` suffix for arch-specific features (a
  // name NVPTX does not know would abort code generation).
  llvm::StringRef number = llvm::StringRef(o.chip);
  bool isChip = number.consume_front("sm_");
  if (number.ends_with("a") || number.ends_with("f"))
    number = number.drop_back();
  unsigned version = 0;
  if (!isChip || number.getAsInteger(10, version) || version < 20 || version > 200)
    return llvm::createStringError("CUDA pipeline option chip=%s must name an architecture "
                                   "such as sm_90, sm_90a or sm_80 (options are separated by "
                                   "spaces)",
                                   o.chip.c_str());
  return llvm::Error::success();
}

/// For the registered pipelines, whose builders cannot return an error.
template <typename Knobs>
Knobs checkedOrExit(Knobs knobs) {
  if (llvm::Error e = checkKnobs(knobs))
    llvm::report_fatal_error(llvm::Twine(llvm::toString(std::move(e))), /*gen_crash_diag=*/false);
  return knobs;
}

template <typename Options>
llvm::Expected<decltype(std::declval<Options>().get())> parseKnobs(llvm::StringRef text,
                                                                   llvm::StringRef what,
                                                                   llvm::StringRef pipeline) {
  std::unique_ptr<Options> options = Options::createFromString(text);
  if (!options)
    return llvm::createStringError("invalid %s pipeline options '%s' (see the --%s options "
                                   "in icl-opt --help)",
                                   what.str().c_str(), text.str().c_str(),
                                   pipeline.str().c_str());
  if (llvm::Error e = checkKnobs(options->get()))
    return std::move(e);
  return options->get();
}

} // namespace

bool mlir::icl::isF32GemmMode(llvm::StringRef mode) {
  return mode == "tf32x3" || mode == "tf32" || mode == "off";
}

llvm::Expected<llvm::SmallVector<int64_t>> mlir::icl::parseGemmTile(llvm::StringRef text) {
  llvm::SmallVector<int64_t> fields;
  SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t value = 0;
    if (part.getAsInteger(10, value) || value < 1 || value > 4096)
      break;
    fields.push_back(value);
  }
  if (text.empty() || fields.size() != parts.size() || (fields.size() != 4 && fields.size() != 6))
    return llvm::createStringError(
        "GEMM tile '%s' must be BMxBNxBKxSTAGES or BMxBNxBKxSTAGESxWARPS_MxWARPS_N "
        "(e.g. 128x128x32x4)",
        text.str().c_str());
  return fields;
}

llvm::StringRef mlir::icl::phaseName(Phase phase) {
  switch (phase) {
  case Phase::Input:
    return "input";
  case Phase::Inlined:
    return "inlined";
  case Phase::Decomposed:
    return "decomposed";
  case Phase::LLVM:
    return "llvm-dialect";
  }
  llvm_unreachable("unknown phase");
}

llvm::Expected<Phase> mlir::icl::parsePhase(llvm::StringRef name) {
  for (Phase phase : kAllPhases)
    if (phaseName(phase) == name)
      return phase;
  return llvm::createStringError("unknown phase '%s' (phases: input, inlined, decomposed, "
                                 "llvm-dialect)",
                                 name.str().c_str());
}

llvm::Expected<X86Options> mlir::icl::parseX86Options(llvm::StringRef text) {
  return parseKnobs<X86TextOptions>(text, "x86", "icl-x86-pipeline");
}

llvm::Expected<CudaOptions> mlir::icl::parseCudaOptions(llvm::StringRef text) {
  return parseKnobs<CudaTextOptions>(text, "CUDA", "icl-cuda-pipeline");
}

llvm::Error mlir::icl::checkUserPasses(llvm::StringRef passes) {
  if (passes.empty())
    return llvm::Error::success();
  std::string message;
  llvm::raw_string_ostream os(message);
  OpPassManager check(ModuleOp::getOperationName());
  if (failed(parsePassPipeline(passes, check, os)))
    return llvm::createStringError("invalid passes '%s': %s(icl-opt --help lists the passes "
                                   "and their options)",
                                   passes.str().c_str(), message.c_str());
  return llvm::Error::success();
}

void mlir::icl::buildPipeline(OpPassManager &pm, const PipelineOptions &options, Phase from,
                              Phase to) {
  auto runs = [&](Phase phase) { return from < phase && phase <= to; };
  if (runs(Phase::Inlined)) {
    pm.addPass(createSymbolDCEPass());
    InlineWeightsOptions inlineOptions;
    inlineOptions.weightsDir = options.weightsDir;
    pm.addPass(createInlineWeights(inlineOptions));
    // checkUserPasses has reported what does not parse.
    if (!options.userPasses.empty())
      (void)parsePassPipeline(options.userPasses, pm);
  }
  if (runs(Phase::Decomposed)) {
    // On the GPU, attention the fused kernels take is not decomposed.
    if (options.target == Target::Cuda && options.cuda.fusedAttention) {
      CudaAttentionOptions attention;
      attention.multiprocessors = options.cuda.multiprocessors;
      pm.addPass(createCudaAttention(attention));
    }
    // Linears run as GEMM kernels, with their epilogues.
    if (options.target == Target::Cuda && options.cuda.fusedLinear) {
      CudaLinearOptions linear;
      linear.multiprocessors = options.cuda.multiprocessors;
      linear.tile = options.cuda.gemmTile;
      linear.f32 = options.cuda.f32Gemm;
      pm.addPass(createCudaLinear(linear));
    }
    // Norms run as row kernels.
    if (options.target == Target::Cuda && options.cuda.fusedRows)
      pm.addPass(createCudaRows());
    // Selective scans run as one kernel each.
    if (options.target == Target::Cuda && options.cuda.fusedScans)
      pm.addPass(createCudaScans());
    // Ids out of range are reported (decomposed, they clamp), arguments
    // too on the GPU: device pointers reach the function past the runtime's
    // host check (icl_function_invoke_device, a CUDA library's typed entry).
    pm.addPass(createCheckIndices());
    // A failed cf.assert is reported to the caller, on either target.
    pm.addPass(createReportAssertions());
    // On the CPU, long attention runs in query blocks with an online softmax
    // (with icl's tiling; a schedule does its own).
    if (options.target == Target::X86 && options.x86.vectorize && options.x86.fusion &&
        options.x86.schedule.empty()) {
      TileAttentionOptions attention;
      attention.rows = options.x86.attentionRows;
      attention.keys = options.x86.attentionKeys;
      attention.threads = options.x86.threads;
      pm.addNestedPass<func::FuncOp>(createTileAttention(attention));
    }
    DecomposeOptions decompose;
    decompose.chunkSize =
        options.target == Target::Cuda ? options.cuda.scanChunk : options.x86.scanChunk;
    pm.addNestedPass<func::FuncOp>(createDecompose(decompose));
  }
  if (runs(Phase::LLVM)) {
    if (options.target == Target::Cuda)
      addCudaLowering(pm, options.cuda);
    else
      addX86Lowering(pm, options.x86);
  }
}

void mlir::icl::registerIclPipelines() {
  PassPipelineRegistration<X86PipelineOptions>(
      "icl-x86-pipeline",
      "Compile icl for x86-64, from one phase to another (input to llvm-dialect: inline "
      "weights, decompose, fuse, tile and vectorize, bufferize, convert to LLVM)",
      [](OpPassManager &pm, const X86PipelineOptions &options) {
        PipelineOptions p = options.pipeline(Target::X86);
        p.x86 = checkedOrExit(options.get());
        buildPipeline(pm, p, options.from, options.to);
      });
  PassPipelineRegistration<CudaPipelineOptions>(
      "icl-cuda-pipeline",
      "Compile icl for NVIDIA GPUs, from one phase to another (input to llvm-dialect: inline "
      "weights, fused attention, decompose, bufferize, map loops to blocks and threads, NVVM, "
      "gpu-module-to-binary)",
      [](OpPassManager &pm, const CudaPipelineOptions &options) {
        PipelineOptions p = options.pipeline(Target::Cuda);
        p.cuda = checkedOrExit(options.get());
        buildPipeline(pm, p, options.from, options.to);
      });
}

void mlir::icl::registerIclPassesAndPipelines() {
  registerIclPasses();
  registerIclPipelines();
}
