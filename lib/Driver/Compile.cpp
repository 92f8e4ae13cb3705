//===- Compile.cpp - Ahead-of-time compilation of icl modules -------------===//

#include "lib/Driver/Compile.h"

#include "lib/Driver/Jit.h"
#include "lib/Reference/Evaluator.h"
#include "lib/Support/Files.h"
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/Timing.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

namespace icl {

const char *const kCompilerVersion = "icl 0.1.0 (MLIR/LLVM " LLVM_VERSION_STRING ")";

namespace {
bool passManagerCLOptionsRegistered = false;
} // namespace

void registerPassManagerCommandLineOptions() {
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  passManagerCLOptionsRegistered = true;
}

namespace {

/// Collects diagnostics so a failed pass pipeline becomes one llvm::Error.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          llvm::raw_string_ostream os(messages);
          if (!messages.empty())
            os << "\n";
          os << diag.getLocation() << ": " << diag;
          for (Diagnostic &note : diag.getNotes())
            os << "\n  note: " << note;
          return success();
        }) {}
  std::string messages;

private:
  ScopedDiagnosticHandler handler;
};

/// Writes `path` through `write` (writeFile: checked, removed on failure).
llvm::Error writeText(StringRef path, llvm::function_ref<void(llvm::raw_ostream &)> write) {
  return writeFile(path, [&](llvm::raw_pwrite_stream &os) {
    write(os);
    return llvm::Error::success();
  });
}

} // namespace

llvm::Error runPhases(ModuleOp module, const PipelineOptions &options,
                      std::optional<Phase> stopAfter,
                      llvm::function_ref<llvm::Error(Phase, ModuleOp)> onPhase) {
  if (llvm::Error err = mlir::icl::checkUserPasses(options.userPasses))
    return err;
  // Recursive calls would keep inlining and lowering from terminating.
  if (llvm::Error err = ref::checkCallGraph(module))
    return err;
  // Sizes beyond what int64 element counts and byte offsets hold.
  if (llvm::Error err = ref::checkShapes(module))
    return err;
  MLIRContext *ctx = module.getContext();
  // Bufferization and lowering interfaces of the upstream dialects.
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR.
  registerAllGPUToLLVMIRTranslations(registry);
  mlir::icl::registerGpuExtensions(registry);
  // A schedule file is parsed with the transform ops of every dialect.
  if (options.target == Target::X86 && !options.x86.schedule.empty())
    registry.insert<transform::TransformDialect>();
  ctx->appendDialectRegistry(registry);
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), UnitAttr::get(ctx));

  // One pass manager per phase, so that each phase's IR can be seen.
  Phase previous = Phase::Input;
  for (Phase phase : mlir::icl::kAllPhases) {
    if (phase != Phase::Input) {
      DiagnosticCollector diagnostics(ctx);
      PassManager pm(ctx);
      if (passManagerCLOptionsRegistered) {
        if (failed(applyPassManagerCLOptions(pm)))
          return llvm::createStringError("invalid pass manager options");
        applyDefaultTimingPassManagerCLOptions(pm);
      }
      mlir::icl::buildPipeline(pm, options, previous, phase);
      if (failed(pm.run(module)))
        return llvm::createStringError("compilation failed in phase '%s':\n%s",
                                       mlir::icl::phaseName(phase).str().c_str(),
                                       diagnostics.messages.c_str());
    }
    if (onPhase)
      if (llvm::Error err = onPhase(phase, module))
        return err;
    if (stopAfter == phase)
      break;
    previous = phase;
  }
  return llvm::Error::success();
}

namespace {

/// runtime/icl_library.h, embedded so generated glue needs no source tree.
const char *const kLibraryHeader =
#include "lib/Driver/IclLibraryHeader.inc"
    ;

/// runtime/icl_workspace.c: the allocator compiled code calls.
const char *const kWorkspaceAllocator =
#include "lib/Driver/IclWorkspace.inc"
    ;

/// runtime/icl_errors.h and .c: where compiled code reports ids out of range
/// and failed assertions (every library carries them).
const char *const kRunTimeErrors =
#include "lib/Driver/IclErrorsHeader.inc"
#include "lib/Driver/IclErrors.inc"
    ;

/// runtime/icl_cuda.c: the GPU runtime ABI compiled host code calls.
const char *const kCudaRuntime =
#include "lib/Driver/IclCuda.inc"
    ;

/// The C name of a dtype for the generated header.
const char *cType(DType dtype) {
  switch (dtype) {
  case DType::F32: return "float";
  case DType::F64: return "double";
  case DType::I8: return "int8_t";
  case DType::I16: return "int16_t";
  case DType::I32: return "int32_t";
  case DType::I64: return "int64_t";
  case DType::F16:
  case DType::BF16: return "uint16_t";
  case DType::U8:
  case DType::Bool: return "uint8_t";
  }
  return "void";
}

int runtimeDType(DType dtype) { return static_cast<int>(dtype); }

std::string shapeComment(const TensorSignature &t) {
  std::string s;
  for (int64_t d : t.shape)
    s += "[" + std::to_string(d) + "]";
  return s;
}

/// Writes the header declaring typed entry points and the glue C source
/// that describes the library to the runtime.
void writeGlue(llvm::raw_ostream &header, llvm::raw_ostream &glue,
               ArrayRef<FunctionSignature> sigs, StringRef headerName, StringRef source,
               bool cuda) {
  std::string guard = "ICL_MODEL_" + llvm::sys::path::stem(headerName).upper() + "_H";
  for (char &c : guard)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  header << "/* Generated by " << kCompilerVersion << " from " << source
         << ". Do not edit. */\n#ifndef " << guard << "\n#define " << guard
         << "\n\n#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
         << (cuda ? "/* Each entry point takes row-major arrays of the shapes shown, in CUDA\n"
                    " * device memory, and queues its kernels on the current CUDA stream (the\n"
                    " * legacy default stream unless icl_library_get_info()->set_stream chose\n"
                    " * another); the results are ready when that stream is. It returns 0, or 2\n"
                    " * when a CUDA error is pending (icl_library_get_info()->last_error() says\n"
                    " * which), or 1 for a run-time error: an assertion of the model failed (a\n"
                    " * looped model's step count below 0, say) or an id the model computed\n"
                    " * was outside its table. Token-id arguments are not checked here (they\n"
                    " * are in device memory and are clamped); icl_function_invoke of the\n"
                    " * runtime checks them. Link with -l<library>. */\n"
                  : "/* Each entry point takes row-major arrays of the shapes shown and writes its\n"
                    " * results. It returns 0, or 1 when a token id was outside the vocabulary\n"
                    " * (or a token_unmerge index outside the merged tokens, or an assertion of\n"
                    " * the model failed): the results are not\n"
                    " * valid then, and icl_library_get_info()->last_error() says which id.\n"
                    " * Link with -l<library> (and -lm). */\n");
  glue << "/* Generated by " << kCompilerVersion << ". */\n#include <stdint.h>\n#include <stddef.h>\n"
       << kLibraryHeader << "\n" << kRunTimeErrors << "\n";
  if (cuda)
    glue << "#define ICL_CUDA_EMBEDDED 1\n"
         << kCudaRuntime
         << "\n/* Host code's buffers are device memory from the pool. */\n"
            "ICL_CUDA_API void *_mlir_memref_to_llvm_alloc(size_t size) { return "
            "icl_cuda_alloc(size); }\n"
            "ICL_CUDA_API void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t "
            "size) { (void)alignment; return icl_cuda_alloc(size); }\n"
            "ICL_CUDA_API void _mlir_memref_to_llvm_free(void *ptr) { icl_cuda_free(ptr); }\n"
            "\n/* A CUDA error, else a run-time error of host code (an id out of range, a\n"
            " * failed assertion) marked as such for the runtime. A CUDA error comes\n"
            " * first: after one, host reads of device values give zeros, which the\n"
            " * checks may take for errors of their own. */\n"
            "static const char *icl_library_error(void) {\n"
            "  static _Thread_local char message[1100];\n"
            "  const char *run_time = icl_run_time_error();\n"
            "  if (icl_cuda_error()[0] || !run_time[0])\n    return icl_cuda_error();\n"
            "  snprintf(message, sizeof message, \"run-time error: %s\", run_time);\n"
            "  return message;\n}\n"
            "static void icl_library_clear_error(void) {\n"
            "  icl_run_time_error_clear();\n  icl_cuda_clear_error();\n}\n";
  else
    glue << kWorkspaceAllocator << "\n";
  for (const FunctionSignature &sig : sigs) {
    auto params = [&](bool names) {
      std::string p;
      for (auto [i, a] : llvm::enumerate(sig.args))
        p += llvm::formatv("{0}const {1} *arg{2}{3}", i ? ", " : "", cType(a.dtype), i,
                           names ? " /* " + shapeComment(a) + " */" : "")
                 .str();
      for (auto [i, r] : llvm::enumerate(sig.results))
        p += llvm::formatv("{0}{1} *result{2}{3}", sig.args.empty() && i == 0 ? "" : ", ",
                           cType(r.dtype), i, names ? " /* " + shapeComment(r) + " */" : "")
                 .str();
      return p.empty() ? std::string("void") : p;
    };
    header << "int icl_model_" << sig.name << "(" << params(true) << ");\n";

    // Descriptor structs, the MLIR C-interface function, the packed and typed wrappers.
    size_t n = sig.args.size() + sig.results.size();
    std::vector<const TensorSignature *> all;
    for (auto &a : sig.args)
      all.push_back(&a);
    for (auto &r : sig.results)
      all.push_back(&r);
    glue << "extern void _mlir_ciface_" << sig.name << "(";
    for (size_t i = 0; i < n; ++i)
      glue << (i ? ", " : "") << "void *";
    glue << ");\n\nstatic void packed_" << sig.name << "(void **args) {\n  _mlir_ciface_"
         << sig.name << "(";
    for (size_t i = 0; i < n; ++i)
      glue << (i ? ", " : "") << "*(void **)args[" << i << "]";
    glue << ");\n}\n\n";
    for (auto [i, t] : llvm::enumerate(all)) {
      glue << "static const int64_t " << sig.name << "_shape" << i << "[] = {";
      for (auto [k, d] : llvm::enumerate(t->shape))
        glue << (k ? ", " : "") << d;
      glue << (t->shape.empty() ? "0" : "") << "};\n";
    }
    auto limitOf = [&](size_t argIndex) -> int64_t {
      for (auto [index, vocab] : sig.idRanges)
        if (index == argIndex)
          return vocab;
      return -1;
    };
    auto table = [&](const char *what, size_t first, size_t count) {
      glue << "static const icl_library_tensor " << sig.name << "_" << what << "[] = {\n";
      for (size_t i = first; i < first + count; ++i)
        glue << llvm::formatv("  {{{0}, {1}, {2}_shape{3}, {4}},\n", runtimeDType(all[i]->dtype),
                              all[i]->shape.size(), sig.name, i,
                              first == 0 ? limitOf(i) : -1);
      if (count == 0)
        glue << "  {0, 0, NULL, -1},\n";
      glue << "};\n";
    };
    table("args", 0, sig.args.size());
    table("results", sig.args.size(), sig.results.size());

    // Typed entry: descriptors over the caller's arrays.
    glue << "\nint icl_model_" << sig.name << "(" << params(false) << ") {\n";
    glue << "  icl_run_time_error_clear();\n";
    for (auto [i, t] : llvm::enumerate(all)) {
      size_t rank = t->shape.size();
      std::string ptr = i < sig.args.size() ? llvm::formatv("(void *)arg{0}", i).str()
                                            : llvm::formatv("(void *)result{0}", i - sig.args.size()).str();
      glue << "  struct { void *alloc, *aligned; int64_t offset";
      if (rank)
        glue << ", sizes[" << rank << "], strides[" << rank << "]";
      glue << "; } d" << i << " = {" << ptr << ", " << ptr << ", 0";
      if (rank) {
        glue << ", {";
        for (size_t k = 0; k < rank; ++k)
          glue << (k ? ", " : "") << t->shape[k];
        glue << "}, {";
        int64_t stride = 1;
        std::vector<int64_t> strides(rank);
        for (size_t k = rank; k-- > 0;) {
          strides[k] = stride;
          stride *= t->shape[k];
        }
        for (size_t k = 0; k < rank; ++k)
          glue << (k ? ", " : "") << strides[k];
        glue << "}";
      }
      glue << "};\n";
    }
    glue << "  _mlir_ciface_" << sig.name << "(";
    for (size_t i = 0; i < n; ++i)
      glue << (i ? ", " : "") << "&d" << i;
    glue << (cuda ? ");\n  return icl_cuda_error()[0] ? 2 : icl_run_time_error()[0] ? 1 : 0;\n}\n\n"
                  : ");\n  return icl_run_time_error()[0] ? 1 : 0;\n}\n\n");
  }
  glue << "static const icl_library_function functions[] = {\n";
  for (const FunctionSignature &sig : sigs)
    glue << llvm::formatv("  {{\"{0}\", packed_{0}, {1}, {2}, {0}_args, {0}_results},\n", sig.name,
                          sig.args.size(), sig.results.size());
  glue << "};\n\nstatic const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION, \""
       << kCompilerVersion << "\", " << sigs.size() << ", functions, "
       << (cuda ? "1, icl_library_error, icl_library_clear_error, icl_cuda_set_stream"
                : "0, icl_run_time_error, icl_run_time_error_clear, NULL")
       << "};\n\n"
       << "__attribute__((visibility(\"default\"))) const icl_library_info *"
          "icl_library_get_info(void) { return &info; }\n";
  header << "\n/* The library's description for the icl runtime (runtime/icl_runtime.h). */\n"
         << "const struct icl_library_info *icl_library_get_info(void);\n\n"
         << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}


/// Runs `program args...`; the error shows the command to reproduce it.
llvm::Error runTool(StringRef program, ArrayRef<std::string> args) {
  auto path = llvm::sys::findProgramByName(program);
  if (!path)
    return llvm::createStringError("cannot find '%s' to link the model library; install a C "
                                   "compiler (apt-get install gcc)",
                                   program.str().c_str());
  std::vector<StringRef> argv = {*path};
  std::string command = *path;
  for (const std::string &a : args) {
    argv.push_back(a);
    command += " " + a;
  }
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*path, argv, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return llvm::createStringError("linking the model library failed (exit %d%s%s); to "
                                   "reproduce, run:\n  %s",
                                   rc, message.empty() ? "" : ": ", message.c_str(),
                                   command.c_str());
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return builder->createTargetMachine();
}

void registerLLVMTranslations(MLIRContext &context) {
  registerBuiltinDialectTranslation(context);
  registerLLVMDialectTranslation(context);
  registerOpenMPDialectTranslation(context);
}

/// The signatures of the public functions with bodies of `module`.
static llvm::Error collectSignatures(ModuleOp module, std::vector<FunctionSignature> &sigs) {
  sigs.clear();
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    llvm::Expected<FunctionSignature> sig = signatureOf(func);
    if (!sig)
      return sig.takeError();
    sigs.push_back(std::move(*sig));
  }
  return llvm::Error::success();
}

llvm::Error compileModule(ModuleOp module, const CompileOptions &options) {
  std::vector<FunctionSignature> sigs;
  if (llvm::Error err = collectSignatures(module, sigs))
    return err;
  if (sigs.empty() && !options.compileTo)
    return llvm::createStringError("the module has no public function with a body to compile");

  auto onPhase = [&](Phase phase, ModuleOp m) -> llvm::Error {
    // --passes may change the entry points' types (token reduction shortens
    // the sequence): the library describes them as they are after it.
    if (phase == Phase::Inlined)
      if (llvm::Error err = collectSignatures(m, sigs))
        return err;
    if (options.dumpPhasesDir.empty())
      return llvm::Error::success();
    if (std::error_code ec = llvm::sys::fs::create_directories(options.dumpPhasesDir))
      return llvm::createStringError(ec, "cannot create %s", options.dumpPhasesDir.c_str());
    SmallString<256> path(options.dumpPhasesDir);
    llvm::sys::path::append(path, llvm::formatv("{0:2}-{1}.mlir", static_cast<int>(phase),
                                                mlir::icl::phaseName(phase))
                                      .str());
    for (char &c : path)
      if (c == ' ')
        c = '0';
    return writeText(path, [&](llvm::raw_ostream &os) { m.print(os); });
  };
  std::optional<Phase> stopAfter = options.compileTo;
  if (!stopAfter && options.emit == Emit::Mlir)
    stopAfter = Phase::LLVM;
  bool cudaTarget = options.pipeline.target == Target::Cuda;
  if (options.emit == Emit::Ptx && !cudaTarget)
    return llvm::createStringError("--emit=ptx needs --target=cuda");
  if (llvm::Error err = runPhases(module, options.pipeline, stopAfter, onPhase))
    return err;
  if (stopAfter)
    return writeText(options.output, [&](llvm::raw_ostream &os) { module.print(os); });
  if (options.emit == Emit::Ptx) {
    // One gpu.binary (icl-gpu-merge-modules) holding the PTX text.
    std::string ptx;
    module.walk([&](gpu::BinaryOp binary) {
      for (Attribute object : binary.getObjects())
        ptx += cast<gpu::ObjectAttr>(object).getObject().getValue().str();
    });
    if (ptx.empty())
      return llvm::createStringError("the module has no GPU kernels to write as PTX");
    return writeText(options.output, [&](llvm::raw_ostream &os) { os << ptx; });
  }

  registerLLVMTranslations(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  llvmModule->setDataLayout((*tm)->createDataLayout());
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  if (llvm::Error err = makeOptimizingTransformer(3, 0, tm->get())(llvmModule.get()))
    return err;
  if (options.emit == Emit::Llvm)
    return writeText(options.output, [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });

  std::string objectPath = options.emit == Emit::Obj ? options.output : options.output + ".o";
  llvm::Error emitted = writeFile(objectPath, [&](llvm::raw_pwrite_stream &os) -> llvm::Error {
    llvm::legacy::PassManager codegen;
    if ((*tm)->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
      return llvm::createStringError("the target cannot emit object files");
    codegen.run(*llvmModule);
    return llvm::Error::success();
  });
  if (emitted)
    return emitted;
  if (options.emit == Emit::Obj)
    return llvm::Error::success();

  std::string headerPath = options.headerPath;
  if (headerPath.empty()) {
    SmallString<256> h(options.output);
    llvm::sys::path::replace_extension(h, ".h");
    headerPath = std::string(h);
  }
  std::string gluePath = options.output + ".glue.c";
  std::string headerText, glueText;
  llvm::raw_string_ostream headerOs(headerText), glueOs(glueText);
  bool cuda = options.pipeline.target == Target::Cuda;
  writeGlue(headerOs, glueOs, sigs, llvm::sys::path::filename(headerPath), options.sourceName,
            cuda);
  if (llvm::Error err = writeText(headerPath, [&](llvm::raw_ostream &os) { os << headerText; }))
    return err;
  if (llvm::Error err = writeText(gluePath, [&](llvm::raw_ostream &os) { os << glueText; }))
    return err;
  // Parallel loops need the OpenMP runtime (Debian's libomp5); CUDA
  // libraries load the driver with dlopen.
  std::vector<std::string> linkArgs = {"-shared", "-fPIC", "-O2", gluePath, objectPath, "-o",
                                       options.output};
  if (cuda)
    linkArgs.insert(linkArgs.end(), {"-ldl", "-lpthread", "-lm"});
  else
    linkArgs.insert(linkArgs.end(), {ICL_OPENMP_LIBRARY, "-lm"});
  llvm::Error linked = runTool("cc", linkArgs);
  llvm::sys::fs::remove(gluePath);
  llvm::sys::fs::remove(objectPath);
  return linked;
}

} // namespace icl
