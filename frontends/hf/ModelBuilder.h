//===- ModelBuilder.h - Building icl modules from checkpoints ----*- C++ -*-===//
//
// What every architecture emitter shares on top of GraphBuilder (icl ops
// with inferred result types, the reshapes between [B, T, H·D] and
// [B, H, T, D]): weights checked against the checkpoint's headers.
// Everything computes in f32; weights stored as f16/bf16 are converted when
// they are loaded.
//
// A bad weight records the first error and yields a placeholder of the
// expected shape, so the op being built stays valid; emitters stop at the
// end of the layer (their loops test failed()), and the importer checks
// takeError() once the function is built (the module is then discarded).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_MODELBUILDER_H
#define ICL_FRONTENDS_HF_MODELBUILDER_H

#include "frontends/common/GraphBuilder.h"
#include "frontends/hf/Checkpoint.h"
#include "frontends/hf/Config.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"

#include <string>

namespace icl::hf {

/// GraphBuilder's ops, plus weights read from a checkpoint.
class ModelBuilder : public GraphBuilder {
public:
  ModelBuilder(mlir::ImplicitLocOpBuilder &b, const Checkpoint &checkpoint,
               const Config &config, llvm::StringRef modelType)
      : GraphBuilder(b), checkpoint(checkpoint), config(config), modelType(modelType.str()) {}

  bool hasTensor(llvm::StringRef name) const { return checkpoint.lookup(name); }

  /// The checkpoint tensor `name` as f32 of `shape`: it must exist, hold
  /// floats and have exactly that shape.
  mlir::Value weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape);

  /// The checkpoint's nn.Linear `layer` applied to x: `layer.weight` [n, k]
  /// and, with `bias`, `layer.bias` [n].
  mlir::Value linearLayer(mlir::Value x, llvm::StringRef layer, int64_t n, int64_t k, bool bias);
  /// The logits x·headᵀ: `lm_head.weight` [V, C], or `embedding` when the
  /// embeddings are tied and the checkpoint has no lm_head.
  mlir::Value lmHead(mlir::Value x, mlir::Value embedding, bool tied);

  /// Records `err` as the first error (later ones are dropped) and returns
  /// a null value, so an emitter can `return mb.fail(...)`.
  mlir::Value fail(llvm::Error err);
  /// Records an error about the config: "<config.json>: message".
  mlir::Value failConfig(const llvm::Twine &message) { return fail(config.error(message)); }
  llvm::Error takeError();
  /// True once an error is recorded: the emitter should stop building.
  bool failed() const { return !firstError.empty(); }

  const Config &cfg() const { return config; }

private:
  const Checkpoint &checkpoint;
  const Config &config;
  std::string modelType;
  std::string firstError;
};

/// The icl activation of a Hugging Face activation name (`hidden_act`,
/// `activation_function`), or std::nullopt for one icl does not have.
std::optional<mlir::icl::Activation> activationNamed(llvm::StringRef name);

/// The names activationNamed accepts, for messages.
constexpr const char *kActivationNames =
    "gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, sigmoid";

using ::icl::shapeOf;

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_MODELBUILDER_H
