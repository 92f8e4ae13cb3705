//===- OnnxImporter.cpp - ONNX models to icl modules ----------------------===//
//
// Walks the graph in order (ONNX graphs are topologically sorted). Every
// value is either an import-time constant (initializers, Constant nodes and
// whatever OnnxFold.cpp evaluates from them) or an SSA value of the function
// being built; constants become `arith.constant` only where an emitted op
// reads them. Broadcasting is made explicit (linalg.broadcast, splat
// constants), so elementwise arith ops always see equal shapes.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"

#include "frontends/onnx/OnnxFold.h"
#include "frontends/onnx/OnnxShapes.h"
#include "frontends/onnx/OnnxTensor.h"

#include "dialects/icl/IR/IclDialect.h"
#include "dialects/icl/IR/IclOps.h"
#include "lib/Support/ElementType.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace mlir;
using namespace ::icl::onnximport;
namespace ir = mlir::icl;
using llvm::Error;
using llvm::Expected;

namespace icl {

namespace {

/// An op the importer converts and the inputs it takes: at least
/// `minInputs`, each given (a non-empty name), and at most `maxInputs`.
struct OpSignature {
  llvm::StringLiteral name;
  unsigned minInputs, maxInputs;
};

/// maxInputs of a variadic op.
constexpr unsigned kAny = ~0u;

constexpr OpSignature kOps[] = {
    {"Abs", 1, 1}, {"Add", 2, 2}, {"And", 2, 2}, {"Cast", 1, 1}, {"Ceil", 1, 1},
    {"Concat", 1, kAny}, {"Constant", 0, 0}, {"ConstantOfShape", 1, 1}, {"Div", 2, 2},
    {"Dropout", 1, 3}, {"Equal", 2, 2}, {"Erf", 1, 1}, {"Exp", 1, 1}, {"Expand", 2, 2},
    {"Flatten", 1, 1}, {"Floor", 1, 1}, {"Gather", 2, 2}, {"Gemm", 2, 3}, {"Greater", 2, 2},
    {"GreaterOrEqual", 2, 2}, {"Identity", 1, 1}, {"LayerNormalization", 2, 3},
    {"Less", 2, 2}, {"LessOrEqual", 2, 2}, {"Log", 1, 1}, {"LogSoftmax", 1, 1},
    {"MatMul", 2, 2}, {"Max", 1, kAny}, {"Min", 1, kAny}, {"Mod", 2, 2}, {"Mul", 2, 2},
    {"Neg", 1, 1}, {"Not", 1, 1}, {"Or", 2, 2}, {"Pow", 2, 2}, {"Range", 3, 3},
    {"Reciprocal", 1, 1}, {"ReduceMax", 1, 2}, {"ReduceMean", 1, 2}, {"ReduceMin", 1, 2},
    {"ReduceSum", 1, 2}, {"Relu", 1, 1}, {"Reshape", 2, 2}, {"Shape", 1, 1},
    {"Sigmoid", 1, 1}, {"Size", 1, 1}, {"Slice", 1, 5}, {"Softmax", 1, 1}, {"Split", 1, 2},
    {"Sqrt", 1, 1}, {"Squeeze", 1, 2}, {"Sub", 2, 2}, {"Tanh", 1, 1}, {"Transpose", 1, 1},
    {"Trilu", 1, 2}, {"Unsqueeze", 1, 2}, {"Where", 3, 3}, {"Xor", 2, 2}};

const OpSignature *findOp(llvm::StringRef type) {
  for (const OpSignature &op : kOps)
    if (op.name == type)
      return &op;
  return nullptr;
}

/// Refuses a node whose inputs do not fit its op's signature: too few or
/// too many, or a required one given as an empty name.
llvm::Error checkInputs(const Node &node, const OpSignature &op) {
  unsigned given = node.numInputs();
  if (given < op.minInputs || given > op.maxInputs) {
    std::string takes = std::to_string(op.minInputs);
    if (op.maxInputs == kAny)
      takes = "at least " + takes;
    else if (op.maxInputs != op.minInputs)
      takes += " to " + std::to_string(op.maxInputs);
    unsigned last = op.maxInputs == kAny ? op.minInputs : op.maxInputs;
    return node.error("takes " + takes + (last == 1 ? " input" : " inputs") + ", but " +
                      llvm::Twine(given) + (given == 1 ? " is" : " are") + " given");
  }
  for (unsigned i = 0; i < op.minInputs; ++i)
    if (!node.hasInput(i))
      return node.error("input " + llvm::Twine(i) + " is required, but its name is empty");
  return llvm::Error::success();
}

} // namespace

llvm::ArrayRef<llvm::StringRef> supportedOnnxOps() {
  static const std::vector<llvm::StringRef> names = [] {
    std::vector<llvm::StringRef> v;
    for (const OpSignature &op : kOps)
      v.push_back(op.name);
    return v;
  }();
  return names;
}

namespace {

Type elementTypeOf(MLIRContext *ctx, DType dtype) {
  Builder b(ctx);
  switch (dtype) {
  case DType::F16: return b.getF16Type();
  case DType::BF16: return b.getBF16Type();
  case DType::F32: return b.getF32Type();
  case DType::F64: return b.getF64Type();
  case DType::I8: case DType::U8: return b.getIntegerType(8);
  case DType::I16: return b.getIntegerType(16);
  case DType::I32: return b.getIntegerType(32);
  case DType::I64: return b.getIntegerType(64);
  case DType::Bool: return b.getI1Type();
  }
  llvm_unreachable("unknown dtype");
}

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Shape shapeOf(Value v) { return Shape(typeOf(v).getShape()); }

/// One graph being imported into one function.
class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const OnnxImportOptions &options, StringRef path)
      : ctx(ctx), options(options), b(&ctx), path(path.str()),
        modelDir(llvm::sys::path::parent_path(path).str()),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {}

  Expected<OwningOpRef<ModuleOp>> run(const onnx::ModelProto &model);

private:
  struct Entry {
    std::optional<HostArray> constant;
    Value value;
  };

  MLIRContext &ctx;
  const OnnxImportOptions &options;
  OpBuilder b;
  std::string path, modelDir;
  Location fileLoc;
  Location loc = fileLoc;
  llvm::StringMap<Entry> env;
  int64_t opset = 1;

  Error importNode(const Node &node);
  /// Defines output `i` of `node` as `e` (nothing when the node leaves it
  /// unnamed): each name once in the graph, each shape within the tensor limit.
  Error define(const Node &node, unsigned i, Entry e);
  /// The tensor a Constant node holds.
  Expected<HostArray> constantValue(const Node &node) const;
  Expected<SmallVector<Value>> emit(const Node &node);

  // Values of the graph.
  bool known(StringRef name) const { return env.count(name); }
  const HostArray *constant(const Node &node, unsigned i) const;
  Expected<Value> input(const Node &node, unsigned i);
  Expected<const HostArray *> constantInput(const Node &node, unsigned i, StringRef what);
  /// The shape of input `i`, given and defined, without materializing it.
  Shape inputShape(const Node &node, unsigned i) const;
  Value materialize(const HostArray &array, StringRef name);

  // Emission helpers.
  Type f(Value v) { return typeOf(v).getElementType(); }
  Value splat(ArrayRef<int64_t> shape, Type elt, double value);
  Value empty(ArrayRef<int64_t> shape, Type elt) {
    return tensor::EmptyOp::create(b, loc, shape, elt);
  }
  Value filled(ArrayRef<int64_t> shape, Type elt, double value);
  Value reshape(Value v, ArrayRef<int64_t> shape);
  /// `v` broadcast to `shape`, which it must broadcast to (see broadcastTo).
  Value broadcast(Value v, ArrayRef<int64_t> shape);
  /// `v` broadcast to `shape`; an error when it does not broadcast to it.
  Expected<Value> broadcastTo(const Node &node, Value v, ArrayRef<int64_t> shape);
  Value transpose(Value v, ArrayRef<int64_t> perm);
  Value slice(Value v, const Window &w);
  Expected<Value> binary(const Node &node, StringRef type, Value x, Value y);
  Expected<Value> matmul(const Node &node, Value x, Value y);
  Expected<Value> reduce(const Node &node, Value x, std::vector<int64_t> axes, bool keepDims);
  Expected<Value> castTo(const Node &node, Value x, DType to);
};

const HostArray *GraphImporter::constant(const Node &node, unsigned i) const {
  if (!node.hasInput(i))
    return nullptr;
  auto it = env.find(node.proto.input(i));
  return it == env.end() || !it->second.constant ? nullptr : &*it->second.constant;
}

Expected<const HostArray *> GraphImporter::constantInput(const Node &node, unsigned i,
                                                         StringRef what) {
  if (!node.hasInput(i))
    return node.error("input " + llvm::Twine(i) + " (" + what + ") is missing");
  if (const HostArray *c = constant(node, i))
    return c;
  return node.error("needs " + what + " (input " + llvm::Twine(i) +
                    ") to be known at import time: icl compiles static shapes. Export the "
                    "model with static shapes (no dynamic_axes), or fix the symbolic input "
                    "dimensions with OnnxImportOptions::dimValues");
}

Expected<Value> GraphImporter::input(const Node &node, unsigned i) {
  if (!node.hasInput(i))
    return node.error("input " + llvm::Twine(i) + " is missing");
  auto it = env.find(node.proto.input(i));
  if (it == env.end())
    return node.error("reads '" + node.proto.input(i) + "', which no earlier node defines");
  Entry &e = it->second;
  if (!e.value) {
    OpBuilder::InsertionGuard guard(b);
    e.value = materialize(*e.constant, node.proto.input(i));
  }
  return e.value;
}

Shape GraphImporter::inputShape(const Node &node, unsigned i) const {
  const Entry &e = env.find(node.proto.input(i))->second;
  return e.constant ? e.constant->shape : shapeOf(e.value);
}

Value GraphImporter::materialize(const HostArray &array, StringRef name) {
  Type elt = elementTypeOf(&ctx, array.dtype);
  auto type = RankedTensorType::get(array.shape, elt);
  int64_t eltBytes = dtypeSize(array.dtype);
  bool isSplat = true;
  for (int64_t n = 1; n < array.numel() && isSplat; ++n)
    isSplat = std::memcmp(array.bytes.data(), array.bytes.data() + n * eltBytes, eltBytes) == 0;
  ElementsAttr attr;
  if (array.dtype == DType::Bool) {
    std::vector<int64_t> v = array.toInt64();
    SmallVector<bool> bits(v.begin(), v.end());
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (isSplat || array.numel() <= 16) {
    ArrayRef<char> raw(reinterpret_cast<const char *>(array.bytes.data()),
                       isSplat ? eltBytes : array.bytes.size());
    attr = DenseElementsAttr::getFromRawBuffer(type, raw);
  } else {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(array.bytes.data()), array.bytes.size()),
        alignof(double));
    std::string resourceName = name.str();
    llvm::replace(resourceName, ':', '_');
    llvm::replace(resourceName, '/', '_');
    attr = DenseResourceElementsAttr::get(type, resourceName, std::move(blob));
  }
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

Value GraphImporter::splat(ArrayRef<int64_t> shape, Type elt, double value) {
  auto type = RankedTensorType::get(shape, elt);
  Attribute scalar = isa<FloatType>(elt) ? Attribute(b.getFloatAttr(elt, value))
                                         : Attribute(b.getIntegerAttr(elt, (int64_t)value));
  return arith::ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, scalar));
}

Value GraphImporter::filled(ArrayRef<int64_t> shape, Type elt, double value) {
  Value scalar = isa<FloatType>(elt)
                     ? arith::ConstantOp::create(b, loc, elt, b.getFloatAttr(elt, value))
                     : arith::ConstantOp::create(b, loc, elt, b.getIntegerAttr(elt, (int64_t)value));
  return linalg::FillOp::create(b, loc, scalar, empty(shape, elt)).getResult(0);
}

Value GraphImporter::reshape(Value v, ArrayRef<int64_t> shape) {
  RankedTensorType from = typeOf(v);
  if (from.getShape() == shape)
    return v;
  auto to = RankedTensorType::get(shape, from.getElementType());
  if (from.getRank() > to.getRank())
    if (auto re = getReassociationIndicesForReshape(from, to))
      return tensor::CollapseShapeOp::create(b, loc, to, v, *re);
  if (from.getRank() < to.getRank())
    if (auto re = getReassociationIndicesForReshape(to, from))
      return tensor::ExpandShapeOp::create(b, loc, to, v, *re);
  // Any other reshape goes through the flat row-major order.
  int64_t n = numElements(shape);
  auto flatType = RankedTensorType::get({n}, from.getElementType());
  auto all = [](int64_t rank) {
    ReassociationIndices group;
    for (int64_t d = 0; d < rank; ++d)
      group.push_back(d);
    return SmallVector<ReassociationIndices>{group};
  };
  Value flat = from.getRank() == 1 ? v
               : from.getRank() == 0
                   ? tensor::ExpandShapeOp::create(b, loc, flatType, v,
                                                   SmallVector<ReassociationIndices>{})
                         .getResult()
                   : tensor::CollapseShapeOp::create(b, loc, flatType, v, all(from.getRank()))
                         .getResult();
  if (to.getRank() == 1)
    return flat;
  if (to.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, to, flat, SmallVector<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(b, loc, to, flat, all(to.getRank()));
}

Value GraphImporter::broadcast(Value v, ArrayRef<int64_t> shape) {
  Shape from = shapeOf(v);
  if (llvm::ArrayRef<int64_t>(from) == shape)
    return v;
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && attr.isSplat())
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(RankedTensorType::get(shape, attr.getElementType()),
                                       attr.getSplatValue<Attribute>()));
  // Input dims of size 1 that grow are dropped; the remaining dims map onto
  // the trailing dims of `shape`, the others are added by linalg.broadcast.
  size_t offset = shape.size() - from.size();
  Shape kept;
  SmallVector<int64_t> added;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d >= offset && from[d - offset] == shape[d])
      kept.push_back(shape[d]);
    else
      added.push_back(d);
  }
  Value core = reshape(v, kept);
  return linalg::BroadcastOp::create(b, loc, core, empty(shape, f(v)), added)->getResult(0);
}

Expected<Value> GraphImporter::broadcastTo(const Node &node, Value v, ArrayRef<int64_t> shape) {
  Expected<Shape> s = broadcastShapes(node, shapeOf(v), shape);
  if (!s)
    return s.takeError();
  if (ArrayRef<int64_t>(*s) != shape)
    return node.error("cannot broadcast " + formatShape(shapeOf(v)) + " to " +
                      formatShape(shape));
  return broadcast(v, shape);
}

Value GraphImporter::transpose(Value v, ArrayRef<int64_t> perm) {
  Shape from = shapeOf(v), to;
  for (int64_t p : perm)
    to.push_back(from[p]);
  return linalg::TransposeOp::create(b, loc, v, empty(to, f(v)), perm)->getResult(0);
}

Value GraphImporter::slice(Value v, const Window &w) {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (size_t d = 0; d < w.sizes.size(); ++d) {
    offsets.push_back(b.getIndexAttr(w.offsets[d]));
    sizes.push_back(b.getIndexAttr(w.sizes[d]));
    strides.push_back(b.getIndexAttr(w.steps[d]));
  }
  return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
}

Expected<Value> GraphImporter::binary(const Node &node, StringRef type, Value x, Value y) {
  Expected<Shape> shape = broadcastShapes(node, shapeOf(x), shapeOf(y));
  if (!shape)
    return shape.takeError();
  Type elt = f(x);
  if (elt != f(y))
    return node.error("operands have different element types");
  bool isF = isa<FloatType>(elt);
  // x^2 and x^0.5 are common in decomposed norms and GELU.
  DenseElementsAttr exponent;
  if (type == "Pow" && isF && matchPattern(y, m_Constant(&exponent)) && exponent.isSplat()) {
    double e = exponent.getSplatValue<APFloat>().convertToDouble();
    if (e == 1.0)
      return broadcast(x, *shape);
    if (e == 2.0 || e == 0.5) {
      Value xb = broadcast(x, *shape);
      if (e == 0.5)
        return math::SqrtOp::create(b, loc, xb).getResult();
      return arith::MulFOp::create(b, loc, xb, xb).getResult();
    }
  }
  x = broadcast(x, *shape);
  y = broadcast(y, *shape);
  auto cmp = [&](arith::CmpFPredicate pf, arith::CmpIPredicate pi) -> Value {
    if (isF)
      return arith::CmpFOp::create(b, loc, pf, x, y);
    return arith::CmpIOp::create(b, loc, pi, x, y);
  };
  if (type == "Add")
    return isF ? arith::AddFOp::create(b, loc, x, y).getResult()
               : arith::AddIOp::create(b, loc, x, y).getResult();
  if (type == "Sub")
    return isF ? arith::SubFOp::create(b, loc, x, y).getResult()
               : arith::SubIOp::create(b, loc, x, y).getResult();
  if (type == "Mul")
    return isF ? arith::MulFOp::create(b, loc, x, y).getResult()
               : arith::MulIOp::create(b, loc, x, y).getResult();
  if (type == "Div")
    return isF ? arith::DivFOp::create(b, loc, x, y).getResult()
               : arith::DivSIOp::create(b, loc, x, y).getResult();
  if (type == "Max")
    return isF ? arith::MaximumFOp::create(b, loc, x, y).getResult()
               : arith::MaxSIOp::create(b, loc, x, y).getResult();
  if (type == "Min")
    return isF ? arith::MinimumFOp::create(b, loc, x, y).getResult()
               : arith::MinSIOp::create(b, loc, x, y).getResult();
  if (type == "Pow" && isF)
    return math::PowFOp::create(b, loc, x, y).getResult();
  if (type == "Equal")
    return cmp(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
  if (type == "Less")
    return cmp(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
  if (type == "LessOrEqual")
    return cmp(arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle);
  if (type == "Greater")
    return cmp(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
  if (type == "GreaterOrEqual")
    return cmp(arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge);
  if (elt.isInteger(1)) {
    if (type == "And")
      return arith::AndIOp::create(b, loc, x, y).getResult();
    if (type == "Or")
      return arith::OrIOp::create(b, loc, x, y).getResult();
    if (type == "Xor")
      return arith::XOrIOp::create(b, loc, x, y).getResult();
  }
  return node.error("is not supported on " + llvm::Twine(isF ? "floats" : "integers") +
                    " at run time");
}

Expected<Value> GraphImporter::matmul(const Node &node, Value x, Value y) {
  Shape xs = shapeOf(x), ys = shapeOf(y);
  Type elt = f(x);
  if (!isa<FloatType>(elt))
    return node.error("integer matrix products are not supported");
  if (xs.empty() || ys.empty())
    return node.error("cannot multiply " + formatShape(xs) + " by " + formatShape(ys) +
                      ": MatMul takes operands of rank >= 1");
  bool vecX = xs.size() == 1, vecY = ys.size() == 1;
  if (vecX)
    x = reshape(x, {1, xs[0]});
  if (vecY)
    y = reshape(y, {ys[0], 1});
  xs = shapeOf(x);
  ys = shapeOf(y);
  int64_t M = xs[xs.size() - 2], K = xs.back(), N = ys.back();
  if (ys[ys.size() - 2] != K)
    return node.error("cannot multiply " + formatShape(xs) + " by " + formatShape(ys));
  Expected<Shape> batch =
      broadcastShapes(node, ArrayRef<int64_t>(xs).drop_back(2), ArrayRef<int64_t>(ys).drop_back(2));
  if (!batch)
    return batch.takeError();
  auto with = [](Shape s, std::initializer_list<int64_t> tail) {
    s.insert(s.end(), tail);
    return s;
  };
  x = broadcast(x, with(*batch, {M, K}));
  y = broadcast(y, with(*batch, {K, N}));
  Value result;
  if (batch->empty()) {
    result = linalg::MatmulOp::create(b, loc, ValueRange{x, y},
                                      ValueRange{filled({M, N}, elt, 0.0)})
                 ->getResult(0);
  } else {
    int64_t P = numElements(*batch);
    Value x3 = reshape(x, {P, M, K}), y3 = reshape(y, {P, K, N});
    Value r = linalg::BatchMatmulOp::create(b, loc, ValueRange{x3, y3},
                                            ValueRange{filled({P, M, N}, elt, 0.0)})
                  ->getResult(0);
    result = reshape(r, with(*batch, {M, N}));
  }
  Shape out = shapeOf(result);
  if (vecY)
    out.pop_back();
  if (vecX)
    out.erase(out.end() - (vecY ? 1 : 2));
  return reshape(result, out);
}

Expected<Value> GraphImporter::reduce(const Node &node, Value x, std::vector<int64_t> axes,
                                      bool keepDims) {
  Shape in = shapeOf(x);
  Type elt = f(x);
  if (!isa<FloatType>(elt))
    return node.error("reductions of integers are not supported");
  if (axes.empty())
    for (size_t d = 0; d < in.size(); ++d)
      axes.push_back(d);
  for (int64_t &a : axes) {
    Expected<int64_t> d = normalizeAxis(node, a, in.size());
    if (!d)
      return d.takeError();
    a = *d;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  Shape reduced, kept = in;
  int64_t count = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (llvm::is_contained(axes, static_cast<int64_t>(d))) {
      kept[d] = 1;
      count *= in[d];
    } else {
      reduced.push_back(in[d]);
    }
  }
  StringRef type = node.type();
  double init = type == "ReduceMax"   ? -INFINITY
                : type == "ReduceMin" ? INFINITY
                                      : 0.0;
  Value acc = filled(reduced, elt, init);
  Value r = linalg::ReduceOp::create(
                b, loc, ValueRange{x}, ValueRange{acc}, axes,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value v;
                  if (type == "ReduceMax")
                    v = arith::MaximumFOp::create(nb, nl, args[0], args[1]);
                  else if (type == "ReduceMin")
                    v = arith::MinimumFOp::create(nb, nl, args[0], args[1]);
                  else
                    v = arith::AddFOp::create(nb, nl, args[0], args[1]);
                  linalg::YieldOp::create(nb, nl, v);
                })
                ->getResult(0);
  if (type == "ReduceMean")
    r = arith::DivFOp::create(b, loc, r, splat(reduced, elt, static_cast<double>(count)));
  return keepDims ? reshape(r, kept) : r;
}

Expected<Value> GraphImporter::castTo(const Node &node, Value x, DType to) {
  Type from = f(x), target = elementTypeOf(&ctx, to);
  if (from == target)
    return x;
  auto type = RankedTensorType::get(typeOf(x).getShape(), target);
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(target);
  if (fromF && toF) {
    if (toF.getWidth() > fromF.getWidth())
      return arith::ExtFOp::create(b, loc, type, x).getResult();
    return arith::TruncFOp::create(b, loc, type, x).getResult();
  }
  if (!fromF && toF)
    return from.isInteger(1) ? arith::UIToFPOp::create(b, loc, type, x).getResult()
                             : arith::SIToFPOp::create(b, loc, type, x).getResult();
  if (fromF && !toF) {
    if (target.isInteger(1))
      return node.error("casts from float to bool at run time, which is not supported");
    return arith::FPToSIOp::create(b, loc, type, x).getResult();
  }
  unsigned wf = from.getIntOrFloatBitWidth(), wt = target.getIntOrFloatBitWidth();
  if (wt > wf)
    return from.isInteger(1) ? arith::ExtUIOp::create(b, loc, type, x).getResult()
                             : arith::ExtSIOp::create(b, loc, type, x).getResult();
  return arith::TruncIOp::create(b, loc, type, x).getResult();
}

/// A 2-D constant transposed (weights of MatMul and Gemm for icl.linear).
HostArray transposed2d(const HostArray &w) {
  int64_t rows = w.shape[0], cols = w.shape[1], elt = dtypeSize(w.dtype);
  HostArray t{w.dtype, {cols, rows}, std::vector<uint8_t>(w.bytes.size())};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      std::memcpy(t.bytes.data() + (j * rows + i) * elt, w.bytes.data() + (i * cols + j) * elt,
                  elt);
  return t;
}

Expected<SmallVector<Value>> GraphImporter::emit(const Node &node) {
  StringRef type = node.type();
  auto one = [](Expected<Value> v) -> Expected<SmallVector<Value>> {
    if (!v)
      return v.takeError();
    return SmallVector<Value>{*v};
  };
  auto in = [&](unsigned i) { return input(node, i); };
  Expected<Value> x0 = in(0);
  if (!x0)
    return x0.takeError();
  Value x = *x0;
  Shape xs = shapeOf(x);
  Type elt = f(x);
  bool isF = isa<FloatType>(elt);

  if (type == "Identity")
    return SmallVector<Value>{x};
  if (type == "Dropout") // inference: the identity, and a mask that keeps everything
    return SmallVector<Value>{x, splat(xs, b.getI1Type(), 1)};
  if (type == "Add" || type == "Sub" || type == "Mul" || type == "Div" || type == "Pow" ||
      type == "Max" || type == "Min" || type == "Equal" || type == "Less" ||
      type == "LessOrEqual" || type == "Greater" || type == "GreaterOrEqual" || type == "And" ||
      type == "Or" || type == "Xor") {
    // Max and Min are variadic.
    Value acc = x;
    for (unsigned i = 1; i < node.numInputs(); ++i) {
      Expected<Value> y = in(i);
      if (!y)
        return y.takeError();
      Expected<Value> r = binary(node, type, acc, *y);
      if (!r)
        return r.takeError();
      acc = *r;
    }
    return SmallVector<Value>{acc};
  }
  if (isF) {
    if (type == "Neg")
      return one(arith::NegFOp::create(b, loc, x).getResult());
    if (type == "Sqrt")
      return one(math::SqrtOp::create(b, loc, x).getResult());
    if (type == "Exp")
      return one(math::ExpOp::create(b, loc, x).getResult());
    if (type == "Log")
      return one(math::LogOp::create(b, loc, x).getResult());
    if (type == "Tanh")
      return one(math::TanhOp::create(b, loc, x).getResult());
    if (type == "Erf")
      return one(math::ErfOp::create(b, loc, x).getResult());
    if (type == "Abs")
      return one(math::AbsFOp::create(b, loc, x).getResult());
    if (type == "Floor")
      return one(math::FloorOp::create(b, loc, x).getResult());
    if (type == "Ceil")
      return one(math::CeilOp::create(b, loc, x).getResult());
    if (type == "Reciprocal")
      return one(arith::DivFOp::create(b, loc, splat(xs, elt, 1.0), x).getResult());
    if (type == "Relu" || type == "Sigmoid")
      return one(ir::ActivationOp::create(
                     b, loc, x,
                     ir::ActivationAttr::get(&ctx, type == "Relu" ? ir::Activation::relu
                                                                  : ir::Activation::sigmoid))
                     .getResult());
  }
  if (type == "Not" && elt.isInteger(1))
    return one(arith::XOrIOp::create(b, loc, x, splat(xs, elt, 1)).getResult());

  if (type == "Softmax" || type == "LogSoftmax") {
    int64_t rank = xs.size();
    Expected<int64_t> axis = normalizeAxis(node, node.i("axis", node.opset >= 13 ? -1 : 1), rank);
    if (!axis)
      return axis.takeError();
    // Before opset 13 the input is viewed as 2-D at `axis`.
    Value in = x;
    int64_t along = *axis;
    if (node.opset < 13 && *axis != rank - 1) {
      in = reshape(x, {numElements(ArrayRef<int64_t>(xs).take_front(*axis)),
                       numElements(ArrayRef<int64_t>(xs).drop_front(*axis))});
      along = 1;
    }
    Value s = ir::SoftmaxOp::create(b, loc, in, b.getI64IntegerAttr(along));
    if (type == "LogSoftmax")
      s = math::LogOp::create(b, loc, s);
    return one(reshape(s, xs));
  }
  if (type == "LayerNormalization") {
    for (int i = 1; i < node.proto.output_size(); ++i)
      if (!node.proto.output(i).empty())
        return node.error("its Mean and InvStdDev outputs are not supported; export for "
                          "inference (only the normalised output)");
    Expected<int64_t> axis = normalizeAxis(node, node.i("axis", -1), xs.size());
    if (!axis)
      return axis.takeError();
    int64_t C = numElements(ArrayRef<int64_t>(xs).drop_front(*axis));
    Shape flat(xs.begin(), xs.begin() + *axis);
    flat.push_back(C);
    Expected<Value> scale = in(1);
    if (!scale)
      return scale.takeError();
    Value beta;
    if (node.hasInput(2)) {
      Expected<Value> bv = in(2);
      if (!bv)
        return bv.takeError();
      Expected<Value> bb = broadcastTo(node, *bv, ArrayRef<int64_t>(xs).drop_front(*axis));
      if (!bb)
        return bb.takeError();
      beta = reshape(*bb, {C});
    }
    Expected<Value> gamma = broadcastTo(node, *scale, ArrayRef<int64_t>(xs).drop_front(*axis));
    if (!gamma)
      return gamma.takeError();
    Value y = ir::LayerNormOp::create(b, loc, reshape(x, flat), reshape(*gamma, {C}), beta,
                                      b.getF64FloatAttr(node.f("epsilon", 1e-5f)));
    return one(reshape(y, xs));
  }
  if (type == "MatMul") {
    const HostArray *w = constant(node, 1);
    if (w && w->shape.size() == 2 && xs.size() >= 2 && w->shape[0] == xs.back() && isF) {
      // A weight: icl.linear takes it as [N, K], transposed here once.
      Value weight = materialize(transposed2d(*w), node.proto.input(1) + ".T");
      return one(ir::LinearOp::create(b, loc, x, weight, Value()).getResult());
    }
    Expected<Value> y = in(1);
    if (!y)
      return y.takeError();
    return one(matmul(node, x, *y));
  }
  if (type == "Gemm") {
    if (!isF)
      return node.error("integer Gemm is not supported");
    bool transA = node.i("transA", 0), transB = node.i("transB", 0);
    Shape bs = inputShape(node, 1);
    if (xs.size() != 2 || bs.size() != 2 || xs[transA ? 0 : 1] != bs[transB ? 1 : 0])
      return node.error("cannot multiply A " + formatShape(xs) + (transA ? " transposed" : "") +
                        " by B " + formatShape(bs) + (transB ? " transposed" : "") +
                        ": Gemm takes 2-D operands whose inner dimensions agree");
    if (transA)
      x = transpose(x, {1, 0});
    // icl.linear wants B as [N, K]: as given with transB, transposed otherwise.
    Value weight;
    if (const HostArray *w = constant(node, 1); w && !transB) {
      weight = materialize(transposed2d(*w), node.proto.input(1) + ".T");
    } else {
      Expected<Value> w1 = in(1);
      if (!w1)
        return w1.takeError();
      weight = transB ? *w1 : transpose(*w1, {1, 0});
    }
    float alpha = node.f("alpha", 1.0f), beta = node.f("beta", 1.0f);
    Value bias;
    Value c;
    if (node.hasInput(2)) {
      Expected<Value> cv = in(2);
      if (!cv)
        return cv.takeError();
      c = *cv;
      int64_t N = shapeOf(weight)[0];
      if (alpha == 1.0f && beta == 1.0f && shapeOf(c).size() <= 1) {
        Expected<Value> cb = broadcastTo(node, c, {N});
        if (!cb)
          return cb.takeError();
        bias = *cb;
        c = Value();
      }
    }
    Value y = ir::LinearOp::create(b, loc, x, weight, bias);
    if (alpha != 1.0f)
      y = arith::MulFOp::create(b, loc, y, splat(shapeOf(y), elt, alpha));
    if (c) {
      Expected<Value> cb = broadcastTo(node, c, shapeOf(y));
      if (!cb)
        return cb.takeError();
      Value scaled = beta == 1.0f
                         ? *cb
                         : arith::MulFOp::create(b, loc, *cb, splat(shapeOf(y), elt, beta));
      return one(binary(node, "Add", y, scaled));
    }
    return one(y);
  }
  if (type == "Transpose") {
    Expected<std::vector<int64_t>> perm = transposePerm(node, xs.size());
    if (!perm)
      return perm.takeError();
    return one(transpose(x, *perm));
  }
  if (type == "Reshape") {
    Expected<const HostArray *> spec = constantInput(node, 1, "the target shape");
    if (!spec)
      return spec.takeError();
    Expected<Shape> s = reshapeTarget(node, xs, toInts(**spec), node.i("allowzero", 0));
    if (!s)
      return s.takeError();
    return one(reshape(x, *s));
  }
  if (type == "Flatten") {
    // Flatten's axis ranges over [-r, r].
    int64_t a = node.i("axis", 1);
    Expected<int64_t> axis = normalizeAxis(node, a < 0 ? a + (int64_t)xs.size() : a, xs.size() + 1);
    if (!axis)
      return axis.takeError();
    return one(reshape(x, {numElements(ArrayRef<int64_t>(xs).take_front(*axis)),
                           numElements(ArrayRef<int64_t>(xs).drop_front(*axis))}));
  }
  if (type == "Squeeze" || type == "Unsqueeze") {
    if (node.hasInput(1) && !constant(node, 1))
      return constantInput(node, 1, "the axes").takeError();
    std::vector<int64_t> axes = axesOf(node, constant(node, 1));
    Expected<Shape> s = type == "Squeeze" ? squeezeShape(node, xs, axes)
                                          : unsqueezeShape(node, xs, axes);
    if (!s)
      return s.takeError();
    return one(reshape(x, *s));
  }
  if (type == "Expand") {
    Expected<const HostArray *> spec = constantInput(node, 1, "the target shape");
    if (!spec)
      return spec.takeError();
    Expected<Shape> s = broadcastShapes(node, xs, toInts(**spec));
    if (!s)
      return s.takeError();
    return one(broadcast(x, *s));
  }
  if (type == "Concat") {
    Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), xs.size());
    if (!axis)
      return axis.takeError();
    SmallVector<Value> parts;
    std::vector<Shape> shapes;
    for (unsigned i = 0; i < node.numInputs(); ++i) {
      Expected<Value> p = in(i);
      if (!p)
        return p.takeError();
      shapes.push_back(shapeOf(*p));
      if (shapes.back()[*axis] > 0)
        parts.push_back(*p);
    }
    if (Expected<Shape> s = concatShape(node, shapes, *axis); !s)
      return s.takeError();
    if (parts.empty()) // every input is empty along the axis, as the result is
      return SmallVector<Value>{x};
    if (parts.size() == 1)
      return parts;
    return one(tensor::ConcatOp::create(b, loc, *axis, parts).getResult());
  }
  if (type == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (node.opset < 10) {
      starts = node.ints("starts");
      ends = node.ints("ends");
      axes = node.ints("axes");
    } else {
      std::vector<int64_t> *bounds[] = {&starts, &ends, &axes, &steps};
      for (unsigned i = 1; i <= 4; ++i) {
        if (i > 2 && !node.hasInput(i))
          continue; // axes and steps are optional
        Expected<const HostArray *> c = constantInput(node, i, "the slice bounds");
        if (!c)
          return c.takeError();
        *bounds[i - 1] = toInts(**c);
      }
    }
    Expected<Window> w = sliceWindow(node, xs, starts, ends, axes, steps);
    if (!w)
      return w.takeError();
    for (int64_t step : w->steps)
      if (step < 0)
        return node.error("negative slice steps are not supported at run time");
    return one(slice(x, *w));
  }
  if (type == "Split") {
    Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), xs.size());
    if (!axis)
      return axis.takeError();
    if (node.hasInput(1) && !constant(node, 1))
      return constantInput(node, 1, "the split sizes").takeError();
    std::vector<int64_t> given = node.has("split")     ? node.ints("split")
                                 : constant(node, 1) ? toInts(*constant(node, 1))
                                                     : std::vector<int64_t>{};
    Expected<std::vector<Window>> windows =
        splitWindows(node, xs, *axis, given, node.i("num_outputs", node.proto.output_size()));
    if (!windows)
      return windows.takeError();
    SmallVector<Value> parts;
    for (const Window &w : *windows)
      parts.push_back(slice(x, w));
    return parts;
  }
  if (type == "Gather") {
    Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), xs.size());
    if (!axis)
      return axis.takeError();
    if (const HostArray *indices = constant(node, 1)) {
      // Constant indices into a run-time tensor: one slice per index.
      std::vector<int64_t> idx = toInts(*indices);
      SmallVector<Value> parts;
      for (int64_t i : idx) {
        if (i < -xs[*axis] || i >= xs[*axis])
          return node.error("index " + llvm::Twine(i) + " is out of range");
        Window w{Shape(xs.size(), 0), xs, Shape(xs.size(), 1)};
        w.offsets[*axis] = i < 0 ? i + xs[*axis] : i;
        w.sizes[*axis] = 1;
        parts.push_back(slice(x, w));
      }
      Shape out(xs.begin(), xs.begin() + *axis);
      out.insert(out.end(), indices->shape.begin(), indices->shape.end());
      out.insert(out.end(), xs.begin() + *axis + 1, xs.end());
      if (parts.empty()) // no index: a result without elements
        return one(empty(out, elt));
      Value joined = parts.size() == 1
                         ? parts[0]
                         : tensor::ConcatOp::create(b, loc, *axis, parts).getResult();
      return one(reshape(joined, out));
    }
    Expected<Value> ids = in(1);
    if (!ids)
      return ids.takeError();
    if (*axis != 0 || xs.size() != 2 || !isF || !constant(node, 0))
      return node.error("gathers with run-time indices only from a constant 2-D float table "
                        "along axis 0 (an embedding); this gather reads a " +
                        formatShape(xs) + " tensor along axis " + llvm::Twine(*axis));
    Shape idShape = shapeOf(*ids);
    Value ids2 = reshape(*ids, {idShape.size() == 2 ? idShape[0] : 1,
                                idShape.size() == 2 ? idShape[1] : numElements(idShape)});
    Value e = ir::EmbeddingOp::create(b, loc, x, ids2);
    Shape out = idShape;
    out.push_back(xs[1]);
    return one(reshape(e, out));
  }
  if (type == "Cast") {
    std::optional<DType> to = dtypeFromOnnx(node.i("to", 0));
    if (!to)
      return node.error("casts to ONNX type " + llvm::Twine(node.i("to", 0)) +
                        ", which icl does not support");
    return one(castTo(node, x, *to));
  }
  if (type == "Where") {
    Expected<Value> y = in(1), z = in(2);
    if (!y)
      return y.takeError();
    if (!z)
      return z.takeError();
    Expected<Shape> s = broadcastShapes(node, xs, shapeOf(*y));
    if (!s)
      return s.takeError();
    Expected<Shape> s2 = broadcastShapes(node, *s, shapeOf(*z));
    if (!s2)
      return s2.takeError();
    return one(arith::SelectOp::create(b, loc, broadcast(x, *s2), broadcast(*y, *s2),
                                       broadcast(*z, *s2))
                   .getResult());
  }
  if (type == "ReduceMean" || type == "ReduceSum" || type == "ReduceMax" || type == "ReduceMin") {
    if (node.hasInput(1) && !constant(node, 1))
      return constantInput(node, 1, "the axes").takeError();
    std::vector<int64_t> axes = axesOf(node, constant(node, 1));
    if (axes.empty() && node.i("noop_with_empty_axes", 0))
      return SmallVector<Value>{x};
    return one(reduce(node, x, axes, node.i("keepdims", 1)));
  }
  return node.error("is not supported by icl's ONNX importer on these inputs" +
                    llvm::Twine(llvm::is_contained(supportedOnnxOps(), type)
                                    ? " (its run-time form needs float inputs or import-time "
                                      "constants)"
                                    : ""));
}

Error GraphImporter::define(const Node &node, unsigned i, Entry e) {
  if (i >= static_cast<unsigned>(node.proto.output_size()) || node.proto.output(i).empty())
    return Error::success();
  const std::string &name = node.proto.output(i);
  if (known(name))
    return node.error("output '" + name + "' is already defined: an ONNX graph names each value "
                      "once");
  DType dtype = e.constant ? e.constant->dtype
                           : dtypeForElementType(f(e.value)).value_or(DType::I64);
  if (Error err = checkShape(node, e.constant ? e.constant->shape : shapeOf(e.value),
                             dtypeSize(dtype)))
    return err;
  env[name] = std::move(e);
  return Error::success();
}

Expected<HostArray> GraphImporter::constantValue(const Node &node) const {
  if (const onnx::AttributeProto *a = node.attr("value")) {
    Expected<HostArray> t = tensorFromProto(a->t(), modelDir);
    if (!t)
      return node.error(llvm::toString(t.takeError()));
    return t;
  }
  if (node.has("value_float"))
    return HostArray::fromDouble(DType::F32, {}, {node.f("value_float", 0)});
  if (node.has("value_int"))
    return HostArray::fromInt64(DType::I64, {}, {node.i("value_int", 0)});
  if (const onnx::AttributeProto *a = node.attr("value_floats")) {
    std::vector<double> v(a->floats().begin(), a->floats().end());
    return HostArray::fromDouble(DType::F32, {(int64_t)v.size()}, v);
  }
  if (node.has("value_ints")) {
    std::vector<int64_t> v = node.ints("value_ints");
    return HostArray::fromInt64(DType::I64, {(int64_t)v.size()}, v);
  }
  return node.error("has no supported value attribute (value, value_float(s), value_int(s))");
}

Error GraphImporter::importNode(const Node &node) {
  StringRef type = node.type();
  if (!node.proto.domain().empty() && node.proto.domain() != "ai.onnx")
    return node.error("is in domain '" + node.proto.domain() +
                      "', which icl does not import (only the default ONNX domain)");
  const OpSignature *op = findOp(type);
  if (!op) {
    std::string list;
    for (StringRef op : supportedOnnxOps())
      list += (list.empty() ? "" : ", ") + op.str();
    return node.error("this op is not supported by icl's ONNX importer. Supported ops: " + list +
                      ". Re-export the model so the op is decomposed into these (e.g. a "
                      "different opset or torch.onnx.export(..., operator_export_type=ONNX)), "
                      "or file an issue naming the op");
  }
  if (Error err = checkInputs(node, *op))
    return err;
  if (Error err = node.checkAttributes())
    return err;
  loc = NameLoc::get(b.getStringAttr(node.proto.name().empty() ? type.str() : node.proto.name()),
                     fileLoc);
  for (unsigned i = 0; i < node.numInputs(); ++i)
    if (node.hasInput(i) && !known(node.proto.input(i)))
      return node.error("reads '" + node.proto.input(i) + "', which no earlier node defines");

  // Ops whose result depends only on attributes or static types.
  if (type == "Constant") {
    Expected<HostArray> value = constantValue(node);
    if (!value)
      return value.takeError();
    return define(node, 0, {std::move(*value), Value()});
  }
  if (type == "Shape" || type == "Size") {
    Shape s = inputShape(node, 0);
    if (type == "Size")
      return define(node, 0, {HostArray::fromInt64(DType::I64, {}, {numElements(s)}), Value()});
    int64_t rank = s.size();
    int64_t start = node.i("start", 0), end = node.i("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    Shape part(s.begin() + start, s.begin() + std::max(start, end));
    return define(node, 0,
                  {HostArray::fromInt64(DType::I64, {(int64_t)part.size()}, part), Value()});
  }

  if (type == "Dropout")
    if (const HostArray *training = constant(node, 2);
        training && llvm::any_of(training->toInt64(), [](int64_t v) { return v != 0; }))
      return node.error("runs in training mode (random dropout); export the model in eval() "
                        "mode");
  // Exponents of another type (Pow alone allows them) take the base's type.
  if (type == "Pow" && node.hasInput(1)) {
    Entry &base = env[node.proto.input(0)], &exponent = env[node.proto.input(1)];
    DType baseType = base.constant ? base.constant->dtype : DType::F32;
    if (exponent.constant && (!base.constant || baseType != exponent.constant->dtype)) {
      Type elt = base.constant ? elementTypeOf(&ctx, baseType) : f(base.value);
      std::optional<DType> want = dtypeForElementType(elt);
      if (want && *want != exponent.constant->dtype) {
        std::string name = node.proto.input(1) + ".as_base";
        env[name] = {HostArray::fromDouble(*want, exponent.constant->shape,
                                           exponent.constant->toDouble()),
                     Value()};
        onnx::NodeProto retyped = node.proto;
        retyped.set_input(1, name);
        return importNode(Node(retyped, node.opset));
      }
    }
  }

  // All inputs known at import time: evaluate on the host.
  SmallVector<const HostArray *> consts;
  bool allConstant = true;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    const HostArray *c = constant(node, i);
    allConstant &= c != nullptr || !node.hasInput(i);
    consts.push_back(c);
  }
  if (allConstant && node.numInputs() > 0) {
    std::vector<HostArray> outputs;
    Expected<bool> folded = foldNode(node, consts, outputs);
    if (!folded)
      return folded.takeError();
    if (*folded) {
      for (auto [i, out] : llvm::enumerate(outputs))
        if (Error err = define(node, i, {std::move(out), Value()}))
          return err;
      return Error::success();
    }
  }

  Expected<SmallVector<Value>> results = emit(node);
  if (!results)
    return results.takeError();
  for (auto [i, v] : llvm::enumerate(*results))
    if (Error err = define(node, i, {std::nullopt, v}))
      return err;
  return Error::success();
}

Expected<OwningOpRef<ModuleOp>> GraphImporter::run(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  if (opset > 17)
    llvm::errs() << "icl: warning: " << path << " uses opset " << opset
                 << "; the importer implements opsets up to 17\n";
  const onnx::GraphProto &graph = model.graph();
  // An empty or truncated file parses as a model with no graph.
  if (!model.has_graph() || graph.output_size() == 0)
    return llvm::createStringError("no graph with outputs: it is empty, truncated or not an ONNX "
                                   "model");

  for (const onnx::TensorProto &t : graph.initializer()) {
    if (known(t.name()))
      return llvm::createStringError("initializer '%s' is given twice", t.name().c_str());
    Expected<HostArray> a = tensorFromProto(t, modelDir);
    if (!a)
      return a.takeError();
    env[t.name()] = {std::move(*a), Value()};
  }
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  llvm::StringSet<> inputNames;
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (!inputNames.insert(in.name()).second)
      return llvm::createStringError("graph input '%s' is listed twice", in.name().c_str());
    if (known(in.name()))
      continue; // an initializer listed as an input (IR version < 4)
    if (auto it = options.constantInputs.find(in.name()); it != options.constantInputs.end()) {
      env[in.name()] = {it->second, Value()};
      continue;
    }
    const onnx::TypeProto_Tensor &tt = in.type().tensor_type();
    std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
    if (!in.type().has_tensor_type() || !dtype)
      return llvm::createStringError("graph input '%s' is not a tensor of a supported type",
                                     in.name().c_str());
    if (!tt.has_shape())
      return llvm::createStringError("graph input '%s' has no shape; icl compiles static shapes: "
                                     "re-export the model with the input's shape",
                                     in.name().c_str());
    Shape shape;
    for (const onnx::TensorShapeProto_Dimension &d : tt.shape().dim()) {
      if (d.has_dim_value()) {
        shape.push_back(d.dim_value());
        continue;
      }
      auto it = options.dimValues.find(d.dim_param());
      if (it == options.dimValues.end())
        return llvm::createStringError(
            "dimension '%s' of graph input '%s' is symbolic; icl compiles static shapes: "
            "re-export the model with static shapes (torch.onnx.export without dynamic_axes), "
            "or give the dimension a value through the importer's API "
            "(OnnxImportOptions::dimValues[\"%s\"])",
            d.dim_param().c_str(), in.name().c_str(), d.dim_param().c_str());
      shape.push_back(it->second);
    }
    if (std::string problem = shapeProblem(shape, dtypeSize(*dtype)); !problem.empty())
      return llvm::createStringError("graph input '%s': %s", in.name().c_str(), problem.c_str());
    argTypes.push_back(RankedTensorType::get(shape, elementTypeOf(&ctx, *dtype)));
    argNames.push_back(in.name());
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, fileLoc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames))
    env[name] = {std::nullopt, entry->getArgument(i)};

  for (const onnx::NodeProto &proto : graph.node())
    if (Error err = importNode(Node(proto, opset)))
      return std::move(err);

  SmallVector<Value> results;
  llvm::StringSet<> outputNames;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    if (!outputNames.insert(out.name()).second)
      return llvm::createStringError("graph output '%s' is listed twice", out.name().c_str());
    auto it = env.find(out.name());
    if (it == env.end())
      return llvm::createStringError("graph output '%s' is never defined", out.name().c_str());
    if (!it->second.value)
      it->second.value = materialize(*it->second.constant, out.name());
    results.push_back(it->second.value);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));

  if (failed(verify(*module)))
    return llvm::createStringError("the imported module does not verify (the diagnostics above "
                                   "name the node): the model is ill-typed in a way the importer "
                                   "does not check, or the importer has a bug");
  return module;
}

} // namespace

Expected<OwningOpRef<ModuleOp>> importOnnx(StringRef path, MLIRContext &context,
                                           const OnnxImportOptions &options) {
  context.loadDialect<ir::IclDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                      tensor::TensorDialect, linalg::LinalgDialect>();
  onnx::ModelProto model;
  if (llvm::Error err = parseProtoFile(path, model, "model (ModelProto)"))
    return std::move(err);
  GraphImporter importer(context, options, path);
  Expected<OwningOpRef<ModuleOp>> module = importer.run(model);
  if (!module)
    return llvm::createStringError(path + ": " + llvm::toString(module.takeError()));
  return module;
}

} // namespace icl
