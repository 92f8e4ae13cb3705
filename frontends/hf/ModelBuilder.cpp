//===- ModelBuilder.cpp - Building icl modules from checkpoints -----------===//

#include "frontends/hf/ModelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

#include <numeric>

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

std::optional<ir::Activation> activationNamed(StringRef name) {
  return llvm::StringSwitch<std::optional<ir::Activation>>(name)
      .Case("gelu", ir::Activation::gelu)
      .Cases({"gelu_new", "gelu_pytorch_tanh", "gelu_fast"}, ir::Activation::gelu_tanh)
      .Case("relu", ir::Activation::relu)
      .Cases({"silu", "swish"}, ir::Activation::silu)
      .Case("sigmoid", ir::Activation::sigmoid)
      .Default(std::nullopt);
}

namespace {

RankedTensorType f32(OpBuilder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

} // namespace

void ModelBuilder::at(StringRef name) { b.setLoc(NameLoc::get(b.getStringAttr(name))); }

Value ModelBuilder::weight(StringRef name, ArrayRef<int64_t> shape) {
  auto placeholder = [&] { return tensor::EmptyOp::create(b, shape, b.getF32Type()).getResult(); };
  const Checkpoint::Tensor *t = checkpoint.lookup(name);
  if (!t) {
    fail(llvm::createStringError("%s has no tensor '%s', which a %s checkpoint with this "
                                 "config.json needs",
                                 checkpoint.dir().str().c_str(), name.str().c_str(),
                                 modelType.c_str()));
    return placeholder();
  }
  if (!isFloat(t->dtype)) {
    fail(llvm::createStringError("tensor '%s' in %s has dtype %s; weights must be f32, f16 or "
                                 "bf16 (or f64)",
                                 name.str().c_str(), t->file.c_str(),
                                 dtypeName(t->dtype).str().c_str()));
    return placeholder();
  }
  if (ArrayRef<int64_t>(t->shape) != shape) {
    fail(llvm::createStringError("tensor '%s' in %s has shape %s, but %s implies %s for a %s "
                                 "model: the config and the weights disagree",
                                 name.str().c_str(), t->file.c_str(),
                                 formatShape(t->shape).c_str(), config.path().str().c_str(),
                                 formatShape(shape).c_str(), modelType.c_str()));
    return placeholder();
  }
  StringAttr file = checkpoint.singleFile().empty() ? b.getStringAttr(t->file) : StringAttr();
  return ir::WeightOp::create(b, f32(b, shape), b.getStringAttr(name), file).getResult();
}

Value ModelBuilder::transpose(Value x, ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(shapeOf(x)[p]);
  Value init = tensor::EmptyOp::create(b, shape, b.getF32Type());
  return linalg::TransposeOp::create(b, b.getLoc(), x, init, permutation).getResult()[0];
}

Value ModelBuilder::slice(Value x, int64_t dim, int64_t offset, int64_t size) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<OpFoldResult> offsets(in.size(), b.getIndexAttr(0)), sizes;
  SmallVector<OpFoldResult> strides(in.size(), b.getIndexAttr(1));
  SmallVector<int64_t> shape(in);
  shape[dim] = size;
  for (int64_t s : shape)
    sizes.push_back(b.getIndexAttr(s));
  offsets[dim] = b.getIndexAttr(offset);
  return tensor::ExtractSliceOp::create(b, f32(b, shape), x, offsets, sizes, strides);
}

Value ModelBuilder::splitLast(Value x, ArrayRef<int64_t> sizes) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> shape(in.drop_back());
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i + 1 < static_cast<int64_t>(in.size()); ++i)
    groups.push_back({i});
  ReassociationIndices last;
  for (int64_t s : sizes) {
    last.push_back(shape.size());
    shape.push_back(s);
  }
  groups.push_back(last);
  return tensor::ExpandShapeOp::create(b, f32(b, shape), x, groups);
}

Value ModelBuilder::mergeLast(Value x) { return mergeDims(x, shapeOf(x).size() - 2); }

Value ModelBuilder::mergeDims(Value x, int64_t dim) {
  int64_t rank = shapeOf(x).size();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == dim + 1)
      continue;
    groups.push_back(i == dim ? ReassociationIndices{i, i + 1} : ReassociationIndices{i});
  }
  return tensor::CollapseShapeOp::create(b, x, groups);
}

Value ModelBuilder::insertUnitDim(Value x, int64_t dim) {
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> shape(in);
  shape.insert(shape.begin() + dim, 1);
  // The unit dimension joins its neighbour's group (the next one, or the
  // previous one at the end).
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, out = 0; i < static_cast<int64_t>(in.size()); ++i) {
    ReassociationIndices g;
    if (i == dim)
      g.push_back(out++);
    g.push_back(out++);
    if (i + 1 == static_cast<int64_t>(in.size()) && dim == i + 1)
      g.push_back(out++);
    groups.push_back(g);
  }
  return tensor::ExpandShapeOp::create(b, f32(b, shape), x, groups);
}

Value ModelBuilder::toHeads(Value x, int64_t heads) {
  int64_t width = shapeOf(x).back();
  return transpose(splitLast(x, {heads, width / heads}), {0, 2, 1, 3});
}

Value ModelBuilder::fromHeads(Value x) { return mergeLast(transpose(x, {0, 2, 1, 3})); }

Value ModelBuilder::broadcast(Value x, ArrayRef<int64_t> shape, ArrayRef<int64_t> added) {
  Value init = tensor::EmptyOp::create(b, shape, b.getF32Type());
  return linalg::BroadcastOp::create(b, b.getLoc(), x, init, added).getResult()[0];
}

Value ModelBuilder::add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }

Value ModelBuilder::mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }

Value ModelBuilder::linear(Value x, Value w, Value bias) {
  return ir::LinearOp::create(b, x, w, bias);
}

Value ModelBuilder::linearLayer(Value x, StringRef layer, int64_t n, int64_t k, bool bias) {
  Value w = weight((layer + ".weight").str(), {n, k});
  return linear(x, w, bias ? weight((layer + ".bias").str(), {n}) : Value());
}

Value ModelBuilder::lmHead(Value x, Value embedding, bool tied) {
  at("lm_head");
  Value head = tied && !hasTensor("lm_head.weight")
                   ? embedding
                   : weight("lm_head.weight", shapeOf(embedding));
  return linear(x, head);
}

Value ModelBuilder::activation(Value x, ir::Activation kind) {
  return ir::ActivationOp::create(b, x, ir::ActivationAttr::get(b.getContext(), kind));
}

Value ModelBuilder::layerNorm(Value x, Value gamma, Value beta, double eps) {
  return ir::LayerNormOp::create(b, x, gamma, beta, b.getF64FloatAttr(eps));
}

Value ModelBuilder::rmsNorm(Value x, Value gamma, double eps) {
  return ir::RmsNormOp::create(b, x, gamma, b.getF64FloatAttr(eps));
}

Value ModelBuilder::causalAttention(Value q, Value k, Value v) {
  return ir::AttentionOp::create(b, q, k, v, /*mask=*/Value(), /*key_sizes=*/Value(),
                                 /*scale=*/FloatAttr(),
                                 ir::MaskKindAttr::get(b.getContext(), ir::MaskKind::causal),
                                 /*window=*/IntegerAttr());
}

Value ModelBuilder::negExp(Value x) {
  return arith::NegFOp::create(b, math::ExpOp::create(b, x));
}

Value ModelBuilder::positions(int64_t n) {
  std::vector<int64_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  auto type = RankedTensorType::get({n}, b.getI64Type());
  return arith::ConstantOp::create(b, type, DenseElementsAttr::get(type, ArrayRef(values)));
}

Value ModelBuilder::fail(llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  if (firstError.empty())
    firstError = std::move(message);
  return Value();
}

llvm::Error ModelBuilder::takeError() {
  if (firstError.empty())
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 std::exchange(firstError, std::string()));
}

} // namespace icl::hf
