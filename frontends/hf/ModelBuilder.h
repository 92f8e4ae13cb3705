//===- ModelBuilder.h - Building icl modules from checkpoints ----*- C++ -*-===//
//
// The tensor plumbing every architecture emitter shares: weights checked
// against the checkpoint's headers, icl ops with inferred result types, and
// the reshapes between [B, T, H·D] and [B, H, T, D]. Everything computes in
// f32; weights stored as f16/bf16 are converted when they are loaded.
//
// Errors do not stop the emitter: a bad weight records the first error and
// yields a placeholder of the expected shape, and the importer checks
// takeError() once the function is built (the module is then discarded).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_MODELBUILDER_H
#define ICL_FRONTENDS_HF_MODELBUILDER_H

#include "frontends/hf/Checkpoint.h"
#include "frontends/hf/Config.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"

#include <string>

namespace icl::hf {

class ModelBuilder {
public:
  ModelBuilder(mlir::ImplicitLocOpBuilder &b, const Checkpoint &checkpoint,
               const Config &config, llvm::StringRef modelType)
      : b(b), checkpoint(checkpoint), config(config), modelType(modelType.str()) {}

  mlir::ImplicitLocOpBuilder &b;

  /// Ops built next get the location `name` (the Hugging Face module path,
  /// e.g. "h.3.attn"), so diagnostics and dumps point at the layer.
  void at(llvm::StringRef name);

  bool hasTensor(llvm::StringRef name) const { return checkpoint.lookup(name); }

  /// The checkpoint tensor `name` as f32 of `shape`: it must exist, hold
  /// floats and have exactly that shape.
  mlir::Value weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape);

  // Layout.
  mlir::Value transpose(mlir::Value x, llvm::ArrayRef<int64_t> permutation);
  /// x[..., offset:offset+size, ...] along `dim`.
  mlir::Value slice(mlir::Value x, int64_t dim, int64_t offset, int64_t size);
  /// Splits the last dimension into `sizes`.
  mlir::Value splitLast(mlir::Value x, llvm::ArrayRef<int64_t> sizes);
  /// Merges the last two dimensions.
  mlir::Value mergeLast(mlir::Value x);
  /// Inserts a dimension of size 1 before dimension `dim`.
  mlir::Value insertUnitDim(mlir::Value x, int64_t dim);
  /// Merges dimensions `dim` and `dim + 1`.
  mlir::Value mergeDims(mlir::Value x, int64_t dim);
  /// [B, T, H·D] -> [B, H, T, D].
  mlir::Value toHeads(mlir::Value x, int64_t heads);
  /// [B, H, T, D] -> [B, T, H·D].
  mlir::Value fromHeads(mlir::Value x);
  /// `x` broadcast to `shape`, `added` naming the new dimensions.
  mlir::Value broadcast(mlir::Value x, llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<int64_t> added);

  // Arithmetic.
  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value mul(mlir::Value a, mlir::Value b);
  mlir::Value linear(mlir::Value x, mlir::Value w, mlir::Value bias = {});
  /// The checkpoint's nn.Linear `layer` applied to x: `layer.weight` [n, k]
  /// and, with `bias`, `layer.bias` [n].
  mlir::Value linearLayer(mlir::Value x, llvm::StringRef layer, int64_t n, int64_t k, bool bias);
  /// The logits x·headᵀ: `lm_head.weight` [V, C], or `embedding` when the
  /// embeddings are tied and the checkpoint has no lm_head.
  mlir::Value lmHead(mlir::Value x, mlir::Value embedding, bool tied);
  mlir::Value activation(mlir::Value x, mlir::icl::Activation kind);
  mlir::Value layerNorm(mlir::Value x, mlir::Value gamma, mlir::Value beta, double eps);
  mlir::Value rmsNorm(mlir::Value x, mlir::Value gamma, double eps);
  mlir::Value causalAttention(mlir::Value q, mlir::Value k, mlir::Value v);
  /// -exp(x): Mamba's A from the stored A_log.
  mlir::Value negExp(mlir::Value x);
  /// The constant positions 0..n-1 (i64).
  mlir::Value positions(int64_t n);

  /// Records `err` as the first error (later ones are dropped) and returns
  /// a null value, so an emitter can `return mb.fail(...)`.
  mlir::Value fail(llvm::Error err);
  /// Records an error about the config: "<config.json>: message".
  mlir::Value failConfig(const llvm::Twine &message) { return fail(config.error(message)); }
  llvm::Error takeError();

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

/// The shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_MODELBUILDER_H
