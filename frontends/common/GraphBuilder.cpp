//===- GraphBuilder.cpp - Building icl model functions --------------------===//

#include "frontends/common/GraphBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"

#include <numeric>

using namespace mlir;
namespace ir = mlir::icl;

namespace icl {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

namespace {

RankedTensorType f32(OpBuilder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

} // namespace

Value GraphBuilder::constant(StringRef name, ArrayRef<int64_t> shape, ArrayRef<float> data) {
  auto type = f32(b, shape);
  // A splat stays a dense<...> literal; other weights are module-owned
  // resources holding their bytes (exact, and compact when printed).
  if (!data.empty() && llvm::all_equal(data))
    return arith::ConstantOp::create(b, type, DenseElementsAttr::get(type, data.front()));
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(float));
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(float));
  return arith::ConstantOp::create(b, type,
                                   DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

Value GraphBuilder::embedding(Value table, Value ids) { return ir::EmbeddingOp::create(b, table, ids); }

Value GraphBuilder::maskedAttention(Value q, Value k, Value v, Value mask) {
  return ir::AttentionOp::create(b, q, k, v, mask, /*key_sizes=*/Value(), /*scale=*/FloatAttr(),
                                 ir::MaskKindAttr::get(b.getContext(), ir::MaskKind::none),
                                 /*window=*/IntegerAttr());
}

void GraphBuilder::at(StringRef name) { b.setLoc(NameLoc::get(b.getStringAttr(name))); }

Value GraphBuilder::transpose(Value x, ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(shapeOf(x)[p]);
  Value init = tensor::EmptyOp::create(b, shape, b.getF32Type());
  return linalg::TransposeOp::create(b, b.getLoc(), x, init, permutation).getResult()[0];
}

Value GraphBuilder::slice(Value x, int64_t dim, int64_t offset, int64_t size) {
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

Value GraphBuilder::splitLast(Value x, ArrayRef<int64_t> sizes) {
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

Value GraphBuilder::mergeLast(Value x) { return mergeDims(x, shapeOf(x).size() - 2); }

Value GraphBuilder::mergeDims(Value x, int64_t dim) {
  int64_t rank = shapeOf(x).size();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == dim + 1)
      continue;
    groups.push_back(i == dim ? ReassociationIndices{i, i + 1} : ReassociationIndices{i});
  }
  return tensor::CollapseShapeOp::create(b, x, groups);
}

Value GraphBuilder::insertUnitDim(Value x, int64_t dim) {
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

Value GraphBuilder::toHeads(Value x, int64_t heads) {
  int64_t width = shapeOf(x).back();
  return transpose(splitLast(x, {heads, width / heads}), {0, 2, 1, 3});
}

Value GraphBuilder::fromHeads(Value x) { return mergeLast(transpose(x, {0, 2, 1, 3})); }

Value GraphBuilder::broadcast(Value x, ArrayRef<int64_t> shape, ArrayRef<int64_t> added) {
  Value init = tensor::EmptyOp::create(b, shape, b.getF32Type());
  return linalg::BroadcastOp::create(b, b.getLoc(), x, init, added).getResult()[0];
}

Value GraphBuilder::add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }

Value GraphBuilder::mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }

Value GraphBuilder::linear(Value x, Value w, Value bias) {
  return ir::LinearOp::create(b, x, w, bias);
}

Value GraphBuilder::activation(Value x, ir::Activation kind) {
  return ir::ActivationOp::create(b, x, ir::ActivationAttr::get(b.getContext(), kind));
}

Value GraphBuilder::layerNorm(Value x, Value gamma, Value beta, double eps) {
  return ir::LayerNormOp::create(b, x, gamma, beta, b.getF64FloatAttr(eps));
}

Value GraphBuilder::rmsNorm(Value x, Value gamma, double eps) {
  return ir::RmsNormOp::create(b, x, gamma, b.getF64FloatAttr(eps));
}

Value GraphBuilder::causalAttention(Value q, Value k, Value v) {
  return ir::AttentionOp::create(b, q, k, v, /*mask=*/Value(), /*key_sizes=*/Value(),
                                 /*scale=*/FloatAttr(),
                                 ir::MaskKindAttr::get(b.getContext(), ir::MaskKind::causal),
                                 /*window=*/IntegerAttr());
}

Value GraphBuilder::negExp(Value x) {
  return arith::NegFOp::create(b, math::ExpOp::create(b, x));
}

Value GraphBuilder::positions(int64_t n) {
  std::vector<int64_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  auto type = RankedTensorType::get({n}, b.getI64Type());
  return arith::ConstantOp::create(b, type, DenseElementsAttr::get(type, ArrayRef(values)));
}

} // namespace icl
