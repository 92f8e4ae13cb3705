//===- Jit.cpp - Compile and run icl functions in-process -----------------===//

#include "lib/Driver/Jit.h"

#include "lib/Driver/Compile.h"

#include "dialects/icl/IR/IclOps.h"
#include "lib/Support/ElementType.h"
#include "runtime/icl_errors.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Target/TargetMachine.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

// runtime/icl_workspace.c, which compiled code allocates through.
extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace icl {

llvm::Expected<FunctionSignature> signatureOf(func::FuncOp func) {
  FunctionSignature sig;
  sig.name = func.getSymName().str();
  // The name becomes C symbols (icl_model_<name>, _mlir_ciface_<name>) and is
  // written into generated C glue: only a C identifier may pass.
  bool identifier = !sig.name.empty() && !llvm::isDigit(sig.name[0]) &&
                    llvm::all_of(sig.name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
  if (!identifier) {
    std::string escaped;
    llvm::raw_string_ostream os(escaped);
    llvm::printEscapedString(sig.name, os);
    return llvm::createStringError("function name '%s' is not a C identifier (letters, digits "
                                   "and '_', not starting with a digit): rename the function, "
                                   "whose name native code exports as C symbols",
                                   escaped.c_str());
  }
  auto convert = [&](Type type, const char *what,
                     unsigned i) -> llvm::Expected<TensorSignature> {
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::optional<DType> dtype =
        tensor ? dtypeForElementType(tensor.getElementType()) : std::nullopt;
    std::string typeStr;
    llvm::raw_string_ostream(typeStr) << type;
    if (!dtype)
      return llvm::createStringError("%s %u of '%s' has type %s; native code takes ranked tensors "
                                     "of f16, bf16, f32, f64 or integers",
                                     what, i, sig.name.c_str(), typeStr.c_str());
    if (!tensor.hasStaticShape())
      return llvm::createStringError("%s %u of '%s' has the dynamic type %s; native compilation "
                                     "needs static shapes (compile one module per shape, or use "
                                     "--reference)",
                                     what, i, sig.name.c_str(), typeStr.c_str());
    return TensorSignature{*dtype, std::vector<int64_t>(tensor.getShape())};
  };
  FunctionType type = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto s = convert(t, "argument", i);
    if (!s)
      return s.takeError();
    sig.args.push_back(std::move(*s));
  }
  for (auto [i, t] : llvm::enumerate(type.getResults())) {
    auto s = convert(t, "result", i);
    if (!s)
      return s.takeError();
    sig.results.push_back(std::move(*s));
  }
  for (BlockArgument arg : func.getArguments())
    for (Operation *user : arg.getUsers())
      if (auto emb = dyn_cast<mlir::icl::EmbeddingOp>(user); emb && emb.getIds() == arg)
        sig.idRanges.emplace_back(arg.getArgNumber(),
                                  cast<RankedTensorType>(emb.getTable().getType()).getDimSize(0));
  return sig;
}

llvm::Expected<std::vector<HostArray>> prepareInputs(const FunctionSignature &sig,
                                                     llvm::ArrayRef<HostArray> inputs) {
  if (inputs.size() != sig.args.size())
    return llvm::createStringError("function '%s' takes %zu inputs, got %zu", sig.name.c_str(),
                                   sig.args.size(), inputs.size());
  std::vector<HostArray> prepared;
  for (auto [i, input, arg] : llvm::enumerate(inputs, sig.args)) {
    if (input.shape != arg.shape)
      return llvm::createStringError("input %zu has shape %s but '%s' expects %s %s", i,
                                     formatShape(input.shape).c_str(), sig.name.c_str(),
                                     dtypeName(arg.dtype).str().c_str(),
                                     formatShape(arg.shape).c_str());
    if (isFloat(input.dtype) != isFloat(arg.dtype))
      return llvm::createStringError("input %zu has dtype %s but '%s' expects %s", i,
                                     dtypeName(input.dtype).str().c_str(), sig.name.c_str(),
                                     dtypeName(arg.dtype).str().c_str());
    if (input.dtype == arg.dtype)
      prepared.push_back(input);
    else if (isFloat(arg.dtype))
      prepared.push_back(HostArray::fromDouble(arg.dtype, arg.shape, input.toDouble()));
    else
      prepared.push_back(HostArray::fromInt64(arg.dtype, arg.shape, input.toInt64()));
  }
  return prepared;
}


llvm::Expected<std::unique_ptr<JitFunction>> JitFunction::compile(func::FuncOp func,
                                                                  llvm::StringRef weightsDir) {
  llvm::Expected<FunctionSignature> sig = signatureOf(func);
  if (!sig)
    return sig.takeError();

  MLIRContext *ctx = func.getContext();
  OwningOpRef<ModuleOp> module = cast<ModuleOp>(func->getParentOp()->clone());
  // Only the entry and what it calls are compiled.
  for (auto other : module->getOps<func::FuncOp>())
    if (other.getSymName() != sig->name)
      other.setPrivate();
  PipelineOptions pipeline;
  pipeline.weightsDir = weightsDir.str();
  if (llvm::Error err = runPhases(*module, pipeline))
    return llvm::createStringError("native compilation of '%s' failed: %s", sig->name.c_str(),
                                   llvm::toString(std::move(err)).c_str());

  registerLLVMTranslations(*ctx);
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  ExecutionEngineOptions engineOptions;
  // The options hold a function_ref: the transformer must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize = makeOptimizingTransformer(3, 0, tm->get());
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // Parallel loops call the OpenMP runtime.
  llvm::StringRef openmp[] = {ICL_OPENMP_LIBRARY};
  engineOptions.sharedLibPaths = openmp;
  auto engine = ExecutionEngine::create(*module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char *name, void *address) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_memref_to_llvm_alloc", reinterpret_cast<void *>(&_mlir_memref_to_llvm_alloc));
    add("_mlir_memref_to_llvm_free", reinterpret_cast<void *>(&_mlir_memref_to_llvm_free));
    add("icl_index_error", reinterpret_cast<void *>(&icl_index_error));
    add("icl_assertion_error", reinterpret_cast<void *>(&icl_assertion_error));
    return symbols;
  });
  return std::unique_ptr<JitFunction>(new JitFunction(std::move(*engine), std::move(*sig)));
}

namespace {
/// A strided memref descriptor {allocated, aligned, offset, sizes[R],
/// strides[R]} for a contiguous array, laid out as MLIR's C interface expects.
std::vector<int64_t> descriptorFor(void *data, const std::vector<int64_t> &shape) {
  std::vector<int64_t> desc = {reinterpret_cast<int64_t>(data), reinterpret_cast<int64_t>(data), 0};
  desc.insert(desc.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  desc.insert(desc.end(), strides.begin(), strides.end());
  return desc;
}
} // namespace

llvm::Expected<std::vector<HostArray>> JitFunction::run(llvm::ArrayRef<HostArray> inputs) {
  llvm::Expected<std::vector<HostArray>> args = prepareInputs(sig, inputs);
  if (!args)
    return args.takeError();
  std::vector<HostArray> results;
  for (const TensorSignature &r : sig.results) {
    HostArray out{r.dtype, r.shape, {}};
    out.bytes.assign(static_cast<size_t>(out.numel() * dtypeSize(r.dtype)), 0);
    results.push_back(std::move(out));
  }
  // The C interface takes a pointer to each descriptor; invokePacked takes a
  // pointer to each of those pointers.
  std::vector<std::vector<int64_t>> descriptors;
  for (HostArray &a : *args)
    descriptors.push_back(descriptorFor(a.bytes.data(), a.shape));
  for (HostArray &r : results)
    descriptors.push_back(descriptorFor(r.bytes.data(), r.shape));
  std::vector<void *> descriptorPtrs;
  for (auto &d : descriptors)
    descriptorPtrs.push_back(d.data());
  std::vector<void *> packed;
  for (void *&p : descriptorPtrs)
    packed.push_back(&p);
  icl_run_time_error_clear();
  if (llvm::Error err = engine->invokePacked("_mlir_ciface_" + sig.name, packed))
    return std::move(err);
  if (const char *message = icl_run_time_error(); *message) {
    llvm::Error err = llvm::createStringError("run-time error: %s", message);
    icl_run_time_error_clear();
    return std::move(err);
  }
  return results;
}

} // namespace icl
