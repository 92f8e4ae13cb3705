//===- GraphBuilder.h - Building icl model functions -------------*- C++ -*-===//
//
// The vocabulary frontends build model functions in (the Hugging Face
// architectures through hf::ModelBuilder, compiled RASP transformers): icl
// ops with inferred result types, f32 constants as module-owned resources,
// and the reshapes between [B, T, H·D] and [B, H, T, D]. Shapes are static.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_COMMON_GRAPHBUILDER_H
#define ICL_FRONTENDS_COMMON_GRAPHBUILDER_H

#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"

namespace icl {

class GraphBuilder {
public:
  explicit GraphBuilder(mlir::ImplicitLocOpBuilder &b) : b(b) {}

  mlir::ImplicitLocOpBuilder &b;

  /// Ops built next get the location `name` (e.g. the Hugging Face module
  /// path "h.3.attn", or "layer 2 attention"), so diagnostics and dumps
  /// point at the layer.
  void at(llvm::StringRef name);

  /// An f32 constant of `shape` from row-major `data`: a dense_resource
  /// named `name` (a splat: a dense literal).
  mlir::Value constant(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> data);

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
  mlir::Value activation(mlir::Value x, mlir::icl::Activation kind);
  mlir::Value layerNorm(mlir::Value x, mlir::Value gamma, mlir::Value beta, double eps);
  mlir::Value rmsNorm(mlir::Value x, mlir::Value gamma, double eps);
  mlir::Value causalAttention(mlir::Value q, mlir::Value k, mlir::Value v);
  /// -exp(x): Mamba's A from the stored A_log.
  mlir::Value negExp(mlir::Value x);
  /// The constant positions 0..n-1 (i64).
  mlir::Value positions(int64_t n);
  mlir::Value embedding(mlir::Value table, mlir::Value ids);
  /// Attention with an additive `mask` [1, H, T, S] and no positional mask.
  mlir::Value maskedAttention(mlir::Value q, mlir::Value k, mlir::Value v, mlir::Value mask);
};

/// The shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);

} // namespace icl

#endif // ICL_FRONTENDS_COMMON_GRAPHBUILDER_H
