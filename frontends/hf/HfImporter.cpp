//===- HfImporter.cpp - Hugging Face checkpoints as icl modules -----------===//

#include "frontends/hf/HfImporter.h"

#include "frontends/hf/Architectures.h"

#include "dialects/icl/IR/IclDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using llvm::Expected;
using llvm::StringRef;

namespace icl::hf {

namespace {

struct Architecture {
  StringRef modelType;
  Value (*emit)(ModelBuilder &, Value);
};

constexpr Architecture kArchitectures[] = {
    {"gpt2", emitGpt2},
    {"llama", emitLlama},
    {"mamba", emitMamba},
    {"mamba2", emitMamba2},
};

std::string supportedList() {
  std::string s;
  for (const Architecture &a : kArchitectures)
    s += (s.empty() ? "" : ", ") + a.modelType.str();
  return s;
}

std::string configPath(StringRef dir) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, "config.json");
  return p.str().str();
}

/// T when none is asked for: the model's context length, capped.
Expected<int64_t> defaultSeqLen(const Config &config) {
  for (StringRef key : {"n_positions", "max_position_embeddings"}) {
    if (!config.has(key))
      continue;
    Expected<int64_t> n = config.integer(key);
    if (!n)
      return n.takeError();
    if (*n < 1)
      return config.error("'" + key + "' must be positive, got " + llvm::Twine(*n));
    return std::min(*n, kDefaultSeqLen);
  }
  return kDefaultSeqLen;
}

} // namespace

bool isHuggingFaceDir(StringRef path) {
  return llvm::sys::fs::is_directory(path) && llvm::sys::fs::exists(configPath(path));
}

Expected<OwningOpRef<ModuleOp>> importHuggingFace(StringRef dir, MLIRContext &context,
                                                  const HfImportOptions &options) {
  Expected<Config> config = Config::load(configPath(dir));
  if (!config)
    return config.takeError();
  Expected<std::string> modelType = config->string("model_type", "");
  if (!modelType)
    return modelType.takeError();
  if (modelType->empty())
    return config->error("has no 'model_type': icl imports " + supportedList());
  const Architecture *arch = llvm::find_if(
      kArchitectures, [&](const Architecture &a) { return a.modelType == *modelType; });
  if (arch == std::end(kArchitectures))
    return config->error("model_type '" + *modelType + "' is not supported: icl imports " +
                         supportedList());

  int64_t batch = options.batch, seqLen = options.seqLen;
  if (!seqLen) {
    Expected<int64_t> t = defaultSeqLen(*config);
    if (!t)
      return t.takeError();
    seqLen = *t;
  }
  if (batch < 1 || seqLen < 1)
    return llvm::createStringError("the batch size and sequence length must be positive (got "
                                   "batch %lld, sequence length %lld)",
                                   static_cast<long long>(batch), static_cast<long long>(seqLen));

  Expected<Checkpoint> checkpoint = Checkpoint::open(dir);
  if (!checkpoint)
    return checkpoint.takeError();

  context.loadDialect<mlir::icl::IclDialect, func::FuncDialect, arith::ArithDialect,
                      math::MathDialect, tensor::TensorDialect, linalg::LinalgDialect>();
  Location loc = FileLineColLoc::get(&context, config->path(), 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  ImplicitLocOpBuilder b(loc, &context);
  if (!checkpoint->singleFile().empty())
    (*module)->setAttr(mlir::icl::IclDialect::kWeightsFileAttrName,
                       b.getStringAttr(checkpoint->singleFile()));
  b.setInsertionPointToEnd(module->getBody());
  auto idsType = RankedTensorType::get({batch, seqLen}, b.getI64Type());
  auto func = func::FuncOp::create(b, options.functionName, b.getFunctionType({idsType}, {}));
  b.setInsertionPointToEnd(func.addEntryBlock());

  ModelBuilder mb(b, *checkpoint, *config, *modelType);
  Value logits = arch->emit(mb, func.getArgument(0));
  if (llvm::Error err = mb.takeError())
    return std::move(err);
  func::ReturnOp::create(b, logits);
  func.setFunctionType(b.getFunctionType({idsType}, {logits.getType()}));

  std::string diagnostics;
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return success();
    });
    if (failed(verify(*module)))
      return llvm::createStringError("the module imported from %s does not verify (an importer "
                                     "bug; please report it):\n%s",
                                     dir.str().c_str(), diagnostics.c_str());
  }
  return module;
}

} // namespace icl::hf
