//===- OnnxFold.cpp - Import-time evaluation of constant ONNX nodes -------===//

#include "frontends/onnx/OnnxFold.h"
#include "frontends/onnx/OnnxTensor.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

namespace icl::onnximport {

namespace {

/// Arithmetic on constants goes through doubles; larger tensors are left to
/// the emitted IR.
constexpr int64_t kMaxFoldedElements = 1 << 22;

/// Host memory one folded result may take, unless an input of the node is
/// larger (a Transpose of a large weight): folding allocates it.
constexpr int64_t kMaxFoldedBytes = int64_t(1) << 28;

/// Ops that have no emitted form: a result over the budget is an error, not
/// left to the emitted IR.
constexpr llvm::StringLiteral kFoldOnly[] = {"ConstantOfShape", "Range", "Trilu"};

/// One node being evaluated: its inputs, checked where they are read, and the
/// host memory its results may take.
class Folder {
public:
  Folder(const Node &node, llvm::ArrayRef<const HostArray *> ins) : node(node), ins(ins) {
    for (const HostArray *in : ins)
      if (in)
        budget = std::max<int64_t>(budget, in->bytes.size());
  }

  const Node &node;
  /// Set when a result would take more than the budget.
  bool overBudget = false;

  /// Input `i`; an error when the node does not give it.
  llvm::Expected<const HostArray *> input(unsigned i) const {
    if (i < ins.size() && ins[i])
      return ins[i];
    return node.error("input " + llvm::Twine(i) + " is missing");
  }
  /// Inputs 0 to n-1, each of which the node must give.
  llvm::Expected<std::vector<const HostArray *>> inputs(unsigned n) const {
    std::vector<const HostArray *> given;
    for (unsigned i = 0; i < n; ++i) {
      llvm::Expected<const HostArray *> in = input(i);
      if (!in)
        return in.takeError();
      given.push_back(*in);
    }
    return given;
  }
  /// Input `i`, or nullptr when the node does not give it (an optional input).
  const HostArray *optional(unsigned i) const { return i < ins.size() ? ins[i] : nullptr; }
  unsigned numInputs() const { return ins.size(); }

  /// Input `i`, which must hold one element (a scalar).
  llvm::Expected<const HostArray *> scalar(unsigned i) const {
    llvm::Expected<const HostArray *> in = input(i);
    if (in && (*in)->numel() != 1)
      return node.error("input " + llvm::Twine(i) + " has shape " + formatShape((*in)->shape) +
                        "; it must hold one element");
    return in;
  }

  /// The element count of a result of `shape` held as `dtype` on the host,
  /// checked before anything is allocated: the shape as checkShape does, the
  /// bytes against the budget.
  llvm::Expected<int64_t> reserve(DType dtype, llvm::ArrayRef<int64_t> shape) {
    if (llvm::Error err = checkShape(node, shape, dtypeSize(dtype)))
      return std::move(err);
    int64_t n = numElements(shape);
    if (n * dtypeSize(dtype) > budget) {
      overBudget = true;
      return node.error("would compute a constant of shape " + formatShape(shape) +
                        " at import time, more than the importer allows for one (" +
                        llvm::Twine(kMaxFoldedBytes >> 20) +
                        " MiB, or the size of the node's largest input)");
    }
    return n;
  }

  /// A zeroed result array (see reserve).
  llvm::Expected<HostArray> allocate(DType dtype, Shape shape) {
    llvm::Expected<int64_t> n = reserve(dtype, shape);
    if (!n)
      return n.takeError();
    return HostArray{dtype, std::move(shape), std::vector<uint8_t>(*n * dtypeSize(dtype))};
  }

private:
  llvm::ArrayRef<const HostArray *> ins;
  int64_t budget = kMaxFoldedBytes;
};

std::vector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls fn(index) over `shape` in row-major order.
void forEach(llvm::ArrayRef<int64_t> shape, const std::function<void(const Shape &)> &fn) {
  int64_t n = numElements(shape);
  Shape index(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    fn(index);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// An array of shape `shape` whose element at `index` is element
/// `source(index)` (a flat index) of `in`: every data-movement op.
llvm::Expected<HostArray> moveElements(Folder &folder, const HostArray &in, Shape shape,
                                       const std::function<int64_t(const Shape &)> &source) {
  llvm::Expected<HostArray> out = folder.allocate(in.dtype, std::move(shape));
  if (!out)
    return out.takeError();
  int64_t elt = dtypeSize(in.dtype), n = 0;
  forEach(out->shape, [&](const Shape &index) {
    std::memcpy(out->bytes.data() + (n++) * elt, in.bytes.data() + source(index) * elt, elt);
  });
  return out;
}

/// Flat index into `shape` of `index` right-aligned and broadcast (dims of
/// size 1 read element 0).
int64_t broadcastIndex(llvm::ArrayRef<int64_t> shape, const Shape &index) {
  int64_t flat = 0, offset = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : index[offset + d]);
  return flat;
}

HostArray withShape(HostArray a, Shape shape) {
  a.shape = std::move(shape);
  return a;
}

bool isIntegral(DType t) { return !isFloat(t); }

/// The broadcast shape of `ins`, reserved for `dtype` (see Folder::reserve).
llvm::Expected<Shape> broadcastResult(Folder &folder, llvm::ArrayRef<const HostArray *> ins,
                                      DType dtype) {
  Shape shape = ins[0]->shape;
  for (const HostArray *in : ins.drop_front()) {
    llvm::Expected<Shape> s = broadcastShapes(folder.node, shape, in->shape);
    if (!s)
      return s.takeError();
    shape = *s;
  }
  if (llvm::Expected<int64_t> n = folder.reserve(dtype, shape); !n)
    return n.takeError();
  return shape;
}

/// Elementwise map over broadcast inputs, computed in double.
llvm::Expected<HostArray> mapElements(Folder &folder, llvm::ArrayRef<const HostArray *> ins,
                                      DType resultType,
                                      const std::function<double(llvm::ArrayRef<double>)> &fn) {
  llvm::Expected<Shape> shape = broadcastResult(folder, ins, DType::F64);
  if (!shape)
    return shape.takeError();
  std::vector<std::vector<double>> values;
  for (const HostArray *in : ins)
    values.push_back(in->toDouble());
  std::vector<double> out;
  out.reserve(numElements(*shape));
  std::vector<double> args(ins.size());
  forEach(*shape, [&](const Shape &index) {
    for (size_t k = 0; k < ins.size(); ++k)
      args[k] = values[k][broadcastIndex(ins[k]->shape, index)];
    out.push_back(fn(args));
  });
  return HostArray::fromDouble(resultType, *shape, out);
}

std::optional<double (*)(double)> unaryFold(llvm::StringRef type) {
  using F = double (*)(double);
  return llvm::StringSwitch<std::optional<F>>(type)
      .Case("Neg", [](double x) { return -x; })
      .Case("Abs", [](double x) { return std::fabs(x); })
      .Case("Sqrt", [](double x) { return std::sqrt(x); })
      .Case("Reciprocal", [](double x) { return 1.0 / x; })
      .Case("Exp", [](double x) { return std::exp(x); })
      .Case("Log", [](double x) { return std::log(x); })
      .Case("Floor", [](double x) { return std::floor(x); })
      .Case("Ceil", [](double x) { return std::ceil(x); })
      .Case("Erf", [](double x) { return std::erf(x); })
      .Case("Tanh", [](double x) { return std::tanh(x); })
      .Case("Sin", [](double x) { return std::sin(x); })
      .Case("Cos", [](double x) { return std::cos(x); })
      .Case("Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); })
      .Case("Relu", [](double x) { return x > 0 ? x : 0.0; })
      .Case("Not", [](double x) { return x == 0 ? 1.0 : 0.0; })
      .Default(std::nullopt);
}

/// Binary ops; `integral` selects truncating division.
std::optional<std::function<double(double, double)>> binaryFold(llvm::StringRef type,
                                                                bool integral) {
  using F = std::function<double(double, double)>;
  if (type == "Div")
    return F(integral ? [](double a, double b) { return b == 0 ? 0.0 : std::trunc(a / b); }
                      : [](double a, double b) { return a / b; });
  return llvm::StringSwitch<std::optional<F>>(type)
      .Case("Add", F([](double a, double b) { return a + b; }))
      .Case("Sub", F([](double a, double b) { return a - b; }))
      .Case("Mul", F([](double a, double b) { return a * b; }))
      .Case("Pow", F([](double a, double b) { return std::pow(a, b); }))
      .Case("Max", F([](double a, double b) { return std::fmax(a, b); }))
      .Case("Min", F([](double a, double b) { return std::fmin(a, b); }))
      .Case("Mod", F([](double a, double b) {
              double r = std::fmod(a, b);
              return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
            }))
      .Default(std::nullopt);
}

std::optional<std::function<double(double, double)>> compareFold(llvm::StringRef type) {
  using F = std::function<double(double, double)>;
  return llvm::StringSwitch<std::optional<F>>(type)
      .Case("Equal", F([](double a, double b) { return double(a == b); }))
      .Case("Less", F([](double a, double b) { return double(a < b); }))
      .Case("Greater", F([](double a, double b) { return double(a > b); }))
      .Case("LessOrEqual", F([](double a, double b) { return double(a <= b); }))
      .Case("GreaterOrEqual", F([](double a, double b) { return double(a >= b); }))
      .Case("And", F([](double a, double b) { return double(a != 0 && b != 0); }))
      .Case("Or", F([](double a, double b) { return double(a != 0 || b != 0); }))
      .Case("Xor", F([](double a, double b) { return double((a != 0) != (b != 0)); }))
      .Default(std::nullopt);
}

llvm::Expected<HostArray> gather(Folder &folder, const HostArray &data,
                                 const HostArray &indices) {
  const Node &node = folder.node;
  llvm::Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), data.shape.size());
  if (!axis)
    return axis.takeError();
  std::vector<int64_t> idx = toInts(indices);
  int64_t dim = data.shape[*axis];
  for (int64_t &i : idx) {
    if (i < -dim || i >= dim)
      return node.error("index " + llvm::Twine(i) + " is out of range for a dimension of " +
                        llvm::Twine(dim));
    if (i < 0)
      i += dim;
  }
  Shape shape(data.shape.begin(), data.shape.begin() + *axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + *axis + 1, data.shape.end());
  std::vector<int64_t> strides = rowMajorStrides(data.shape);
  int64_t ir = indices.shape.size();
  std::vector<int64_t> istrides = rowMajorStrides(indices.shape);
  return moveElements(folder, data, shape, [&](const Shape &o) {
    int64_t flat = 0, k = 0;
    for (int64_t d = 0; d < *axis; ++d)
      flat += o[k++] * strides[d];
    int64_t which = 0;
    for (int64_t d = 0; d < ir; ++d)
      which += o[k++] * istrides[d];
    flat += idx[which] * strides[*axis];
    for (size_t d = *axis + 1; d < data.shape.size(); ++d)
      flat += o[k++] * strides[d];
    return flat;
  });
}

llvm::Expected<HostArray> window(Folder &folder, const HostArray &in, const Window &w) {
  std::vector<int64_t> strides = rowMajorStrides(in.shape);
  return moveElements(folder, in, w.sizes, [&](const Shape &o) {
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat += (w.offsets[d] + o[d] * w.steps[d]) * strides[d];
    return flat;
  });
}

llvm::Expected<HostArray> concat(Folder &folder) {
  llvm::Expected<std::vector<const HostArray *>> ins = folder.inputs(folder.numInputs());
  if (!ins)
    return ins.takeError();
  std::vector<Shape> shapes;
  for (const HostArray *in : *ins)
    shapes.push_back(in->shape);
  llvm::Expected<int64_t> axis =
      normalizeAxis(folder.node, folder.node.i("axis", 0), shapes[0].size());
  if (!axis)
    return axis.takeError();
  llvm::Expected<Shape> shape = concatShape(folder.node, shapes, *axis);
  if (!shape)
    return shape.takeError();
  std::vector<int64_t> starts{0};
  for (const Shape &s : shapes)
    starts.push_back(starts.back() + s[*axis]);
  // Element `o` of the result is element `o - starts[k]` (along the axis) of
  // input k; the last input that starts at or before it (earlier ones may be
  // empty).
  auto source = [&](const Shape &o) {
    size_t k = std::upper_bound(starts.begin(), starts.end() - 1, o[*axis]) - starts.begin() - 1;
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat = flat * shapes[k][d] + (d == static_cast<size_t>(*axis) ? o[d] - starts[k] : o[d]);
    return std::make_pair(k, flat);
  };
  llvm::Expected<HostArray> out = folder.allocate((*ins)[0]->dtype, *shape);
  if (!out)
    return out.takeError();
  int64_t elt = dtypeSize(out->dtype), n = 0;
  forEach(out->shape, [&](const Shape &o) {
    auto [k, flat] = source(o);
    std::memcpy(out->bytes.data() + (n++) * elt, (*ins)[k]->bytes.data() + flat * elt, elt);
  });
  return out;
}

} // namespace

std::vector<int64_t> toInts(const HostArray &array) { return array.toInt64(); }

std::vector<int64_t> axesOf(const Node &node, const HostArray *input) {
  if (node.has("axes"))
    return node.ints("axes");
  if (input)
    return toInts(*input);
  return {};
}

/// Evaluates the node of `folder` (see foldNode).
static llvm::Expected<bool> evaluate(Folder &folder, std::vector<HostArray> &outputs) {
  const Node &node = folder.node;
  llvm::StringRef type = node.type();
  auto result = [&](llvm::Expected<HostArray> a) -> llvm::Expected<bool> {
    if (!a)
      return a.takeError();
    outputs.push_back(std::move(*a));
    return true;
  };
  auto shapeResult = [&](const HostArray &x, llvm::Expected<Shape> s) -> llvm::Expected<bool> {
    if (!s)
      return s.takeError();
    return result(withShape(x, *s));
  };
  llvm::Expected<const HostArray *> x0 = folder.input(0);
  if (!x0)
    return x0.takeError();
  const HostArray &x = **x0;

  if (type == "Identity")
    return result(x);
  if (type == "Dropout") {
    llvm::Expected<HostArray> mask = folder.allocate(DType::Bool, x.shape);
    if (!mask)
      return mask.takeError();
    std::fill(mask->bytes.begin(), mask->bytes.end(), 1);
    outputs.push_back(x);
    outputs.push_back(std::move(*mask));
    return true;
  }
  if (type == "Flatten") {
    int64_t a = node.i("axis", 1);
    llvm::Expected<int64_t> axis =
        normalizeAxis(node, a < 0 ? a + (int64_t)x.shape.size() : a, x.shape.size() + 1);
    if (!axis)
      return axis.takeError();
    Shape s{numElements(llvm::ArrayRef<int64_t>(x.shape).take_front(*axis)),
            numElements(llvm::ArrayRef<int64_t>(x.shape).drop_front(*axis))};
    return result(withShape(x, s));
  }
  if (type == "Squeeze")
    return shapeResult(x, squeezeShape(node, x.shape, axesOf(node, folder.optional(1))));
  if (type == "Unsqueeze")
    return shapeResult(x, unsqueezeShape(node, x.shape, axesOf(node, folder.optional(1))));
  if (type == "Transpose") {
    llvm::Expected<std::vector<int64_t>> perm = transposePerm(node, x.shape.size());
    if (!perm)
      return perm.takeError();
    Shape shape;
    for (int64_t p : *perm)
      shape.push_back(x.shape[p]);
    std::vector<int64_t> strides = rowMajorStrides(x.shape);
    return result(moveElements(folder, x, shape, [&](const Shape &o) {
      int64_t flat = 0;
      for (size_t d = 0; d < o.size(); ++d)
        flat += o[d] * strides[(*perm)[d]];
      return flat;
    }));
  }
  if (type == "Concat")
    return result(concat(folder));
  if (type == "Split") {
    llvm::Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), x.shape.size());
    if (!axis)
      return axis.takeError();
    std::vector<int64_t> given = node.has("split")       ? node.ints("split")
                                 : folder.optional(1) ? toInts(*folder.optional(1))
                                                      : std::vector<int64_t>{};
    llvm::Expected<std::vector<Window>> windows = splitWindows(
        node, x.shape, *axis, given, node.i("num_outputs", node.proto.output_size()));
    if (!windows)
      return windows.takeError();
    for (const Window &w : *windows) {
      llvm::Expected<HostArray> part = window(folder, x, w);
      if (!part)
        return part.takeError();
      outputs.push_back(std::move(*part));
    }
    return true;
  }
  if (type == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (node.opset < 10) {
      starts = node.ints("starts");
      ends = node.ints("ends");
      axes = node.ints("axes");
    } else {
      llvm::Expected<std::vector<const HostArray *>> bounds = folder.inputs(3);
      if (!bounds)
        return bounds.takeError();
      starts = toInts(*(*bounds)[1]);
      ends = toInts(*(*bounds)[2]);
      if (const HostArray *a = folder.optional(3))
        axes = toInts(*a);
      if (const HostArray *s = folder.optional(4))
        steps = toInts(*s);
    }
    llvm::Expected<Window> w = sliceWindow(node, x.shape, starts, ends, axes, steps);
    if (!w)
      return w.takeError();
    return result(window(folder, x, *w));
  }
  if (type == "ConstantOfShape") {
    HostArray value = HostArray::fromDouble(DType::F32, {}, {0.0});
    if (const onnx::AttributeProto *a = node.attr("value")) {
      if (a->t().data_location() == onnx::TensorProto::EXTERNAL)
        return node.error("its value is stored as external data; it must be in the model");
      llvm::Expected<HostArray> v = tensorFromProto(a->t(), "");
      if (!v)
        return v.takeError();
      if (v->numel() != 1)
        return node.error("its value has shape " + formatShape(v->shape) +
                          "; it must hold one element");
      value = *v;
    }
    return result(moveElements(folder, value, toInts(x), [](const Shape &) { return 0; }));
  }
  if (type == "Trilu") {
    int64_t k = 0;
    if (folder.optional(1)) {
      llvm::Expected<const HostArray *> kIn = folder.scalar(1);
      if (!kIn)
        return kIn.takeError();
      k = toInts(**kIn)[0];
    }
    bool upper = node.i("upper", 1);
    if (x.shape.size() < 2)
      return node.error("needs an input of rank >= 2");
    int64_t cols = x.shape.back(), rows = x.shape[x.shape.size() - 2];
    std::vector<double> v = x.toDouble();
    for (int64_t n = 0; n < static_cast<int64_t>(v.size()); ++n) {
      int64_t j = n % cols, i = (n / cols) % rows;
      bool keep = upper ? j - i >= k : j - i <= k;
      if (!keep)
        v[n] = 0;
    }
    return result(HostArray::fromDouble(x.dtype, x.shape, v));
  }
  if (type == "Cast") {
    std::optional<DType> to = dtypeFromOnnx(node.i("to", 0));
    if (!to)
      return node.error("casts to ONNX type " + llvm::Twine(node.i("to", 0)) +
                        ", which icl does not support");
    if (isIntegral(x.dtype) && isIntegral(*to))
      return result(HostArray::fromInt64(*to, x.shape, x.toInt64()));
    return result(HostArray::fromDouble(*to, x.shape, x.toDouble()));
  }
  if (std::optional<double (*)(double)> fn = unaryFold(type)) {
    DType out = type == "Not" ? DType::Bool : x.dtype;
    return result(mapElements(folder, {&x}, out,
                              [fn](llvm::ArrayRef<double> a) { return (**fn)(a[0]); }));
  }
  if (type == "Range") {
    std::vector<double> bounds;
    for (unsigned i = 0; i < 3; ++i) {
      llvm::Expected<const HostArray *> in = folder.scalar(i);
      if (!in)
        return in.takeError();
      bounds.push_back((*in)->toDouble()[0]);
    }
    double start = bounds[0], limit = bounds[1], delta = bounds[2];
    if (delta == 0)
      return node.error("delta is 0");
    double count = std::max(std::ceil((limit - start) / delta), 0.0);
    if (!std::isfinite(count))
      return node.error("start, limit and delta give no finite number of elements");
    if (count > double(kMaxImportedTensorBytes)) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", count);
      return node.error("start, limit and delta give " + llvm::Twine(text) +
                        " elements, more than icl allows in one tensor");
    }
    int64_t n = static_cast<int64_t>(count);
    if (llvm::Expected<int64_t> reserved = folder.reserve(DType::F64, {n}); !reserved)
      return reserved.takeError();
    std::vector<double> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back(start + i * delta);
    return result(HostArray::fromDouble(x.dtype, {n}, v));
  }

  if (type == "Where") {
    llvm::Expected<std::vector<const HostArray *>> ins = folder.inputs(3);
    if (!ins)
      return ins.takeError();
    return result(mapElements(folder, *ins, (*ins)[1]->dtype,
                              [](llvm::ArrayRef<double> a) { return a[0] != 0 ? a[1] : a[2]; }));
  }

  // Ops of two inputs. Max and Min of one or more than two are left to the
  // emitted IR, which takes them pairwise.
  const HostArray *y = folder.optional(1);
  if (!y || folder.numInputs() > 2)
    return false;
  if (type == "Reshape")
    return shapeResult(x, reshapeTarget(node, x.shape, toInts(*y), node.i("allowzero", 0)));
  if (type == "Expand") {
    llvm::Expected<Shape> s = broadcastShapes(node, x.shape, toInts(*y));
    if (!s)
      return s.takeError();
    return result(
        moveElements(folder, x, *s, [&](const Shape &o) { return broadcastIndex(x.shape, o); }));
  }
  if (type == "Gather")
    return result(gather(folder, x, *y));
  if (type == "Mod" && node.i("fmod", 0))
    return result(mapElements(folder, {&x, y}, x.dtype, [](llvm::ArrayRef<double> a) {
      return std::fmod(a[0], a[1]);
    }));
  if (std::optional<std::function<double(double, double)>> fn =
          binaryFold(type, isIntegral(x.dtype))) {
    if (isIntegral(x.dtype) && type != "Pow" && type != "Div") {
      // Exact for every int64 (doubles are not beyond 2^53).
      llvm::Expected<Shape> s = broadcastResult(folder, {&x, y}, DType::I64);
      if (!s)
        return s.takeError();
      std::vector<int64_t> a = x.toInt64(), b = y->toInt64(), out;
      std::optional<std::pair<int64_t, int64_t>> overflow;
      forEach(*s, [&](const Shape &o) {
        int64_t u = a[broadcastIndex(x.shape, o)], v = b[broadcastIndex(y->shape, o)], w = 0;
        bool over = type == "Add"   ? __builtin_add_overflow(u, v, &w)
                    : type == "Sub" ? __builtin_sub_overflow(u, v, &w)
                    : type == "Mul" ? __builtin_mul_overflow(u, v, &w)
                                    : false;
        if (over && !overflow)
          overflow = {u, v};
        out.push_back(type == "Add" || type == "Sub" || type == "Mul" ? w
                      : type == "Max" ? std::max(u, v) : type == "Min" ? std::min(u, v)
                      : static_cast<int64_t>((*fn)(u, v)));
      });
      if (overflow)
        return node.error("its integer inputs " + llvm::Twine(overflow->first) + " and " +
                          llvm::Twine(overflow->second) +
                          " give a result outside int64: the model computes a size or index "
                          "that no tensor can have");
      return result(HostArray::fromInt64(x.dtype, *s, out));
    }
    return result(mapElements(folder, {&x, y}, x.dtype,
                              [fn](llvm::ArrayRef<double> a) { return (*fn)(a[0], a[1]); }));
  }
  if (std::optional<std::function<double(double, double)>> fn = compareFold(type))
    return result(mapElements(folder, {&x, y}, DType::Bool,
                              [fn](llvm::ArrayRef<double> a) { return (*fn)(a[0], a[1]); }));
  return false;
}

llvm::Expected<bool> foldNode(const Node &node, llvm::ArrayRef<const HostArray *> ins,
                              std::vector<HostArray> &outputs) {
  llvm::StringRef type = node.type();
  for (const HostArray *in : ins)
    if (in && in->numel() > kMaxFoldedElements && type != "Identity" && type != "Reshape" &&
        type != "Flatten" && type != "Squeeze" && type != "Unsqueeze" && type != "Transpose" &&
        type != "Dropout")
      return false;
  if (ins.empty() || !ins[0])
    return false;
  Folder folder(node, ins);
  llvm::Expected<bool> folded = evaluate(folder, outputs);
  if (folded || !folder.overBudget || llvm::is_contained(kFoldOnly, type))
    return folded;
  // Too large to hold on the host: the emitted IR computes it.
  llvm::consumeError(folded.takeError());
  outputs.clear();
  return false;
}

} // namespace icl::onnximport
