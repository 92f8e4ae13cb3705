//===- OnnxFold.cpp - Import-time evaluation of constant ONNX nodes -------===//

#include "frontends/onnx/OnnxFold.h"
#include "frontends/onnx/OnnxTensor.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <cstring>
#include <functional>

namespace icl::onnximport {

namespace {

/// Arithmetic on constants goes through doubles; larger tensors are left to
/// the emitted IR.
constexpr int64_t kMaxFoldedElements = 1 << 22;

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
HostArray moveElements(const HostArray &in, Shape shape,
                       const std::function<int64_t(const Shape &)> &source) {
  int64_t elt = dtypeSize(in.dtype);
  HostArray out{in.dtype, shape, std::vector<uint8_t>(numElements(shape) * elt)};
  int64_t n = 0;
  forEach(shape, [&](const Shape &index) {
    std::memcpy(out.bytes.data() + (n++) * elt, in.bytes.data() + source(index) * elt, elt);
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

/// Elementwise map over broadcast inputs, computed in double.
llvm::Expected<HostArray> mapElements(const Node &node, llvm::ArrayRef<const HostArray *> ins,
                                      DType resultType,
                                      const std::function<double(llvm::ArrayRef<double>)> &fn) {
  Shape shape = ins[0]->shape;
  for (const HostArray *in : ins.drop_front()) {
    llvm::Expected<Shape> s = broadcastShapes(node, shape, in->shape);
    if (!s)
      return s.takeError();
    shape = *s;
  }
  std::vector<std::vector<double>> values;
  for (const HostArray *in : ins)
    values.push_back(in->toDouble());
  std::vector<double> out;
  out.reserve(numElements(shape));
  std::vector<double> args(ins.size());
  forEach(shape, [&](const Shape &index) {
    for (size_t k = 0; k < ins.size(); ++k)
      args[k] = values[k][broadcastIndex(ins[k]->shape, index)];
    out.push_back(fn(args));
  });
  return HostArray::fromDouble(resultType, shape, out);
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

/// Axes from the attribute (older opsets) or from input `index`.
std::vector<int64_t> axesOf(const Node &node, llvm::ArrayRef<const HostArray *> ins,
                            unsigned index) {
  if (node.has("axes"))
    return node.ints("axes");
  if (index < ins.size() && ins[index])
    return toInts(*ins[index]);
  return {};
}

llvm::Expected<HostArray> gather(const Node &node, const HostArray &data,
                                 const HostArray &indices) {
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
  return moveElements(data, shape, [&](const Shape &o) {
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

HostArray window(const HostArray &in, const Window &w) {
  std::vector<int64_t> strides = rowMajorStrides(in.shape);
  return moveElements(in, w.sizes, [&](const Shape &o) {
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat += (w.offsets[d] + o[d] * w.steps[d]) * strides[d];
    return flat;
  });
}

llvm::Expected<HostArray> concat(const Node &node, llvm::ArrayRef<const HostArray *> ins) {
  llvm::Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), ins[0]->shape.size());
  if (!axis)
    return axis.takeError();
  Shape shape = ins[0]->shape;
  shape[*axis] = 0;
  std::vector<int64_t> starts;
  for (const HostArray *in : ins) {
    if (in->shape.size() != shape.size())
      return node.error("inputs differ in rank");
    starts.push_back(shape[*axis]);
    shape[*axis] += in->shape[*axis];
  }
  int64_t elt = dtypeSize(ins[0]->dtype);
  HostArray out{ins[0]->dtype, shape, std::vector<uint8_t>(numElements(shape) * elt)};
  int64_t n = 0;
  forEach(shape, [&](const Shape &o) {
    size_t k = std::upper_bound(starts.begin(), starts.end(), o[*axis]) - starts.begin() - 1;
    const HostArray &in = *ins[k];
    int64_t flat = 0;
    for (size_t d = 0; d < o.size(); ++d)
      flat = flat * in.shape[d] + (d == static_cast<size_t>(*axis) ? o[d] - starts[k] : o[d]);
    std::memcpy(out.bytes.data() + (n++) * elt, in.bytes.data() + flat * elt, elt);
  });
  return out;
}

} // namespace

std::vector<int64_t> toInts(const HostArray &array) { return array.toInt64(); }

llvm::Expected<bool> foldNode(const Node &node, llvm::ArrayRef<const HostArray *> ins,
                              std::vector<HostArray> &outputs) {
  llvm::StringRef type = node.type();
  for (const HostArray *in : ins)
    if (in && in->numel() > kMaxFoldedElements && type != "Identity" && type != "Reshape" &&
        type != "Flatten" && type != "Squeeze" && type != "Unsqueeze" && type != "Transpose" &&
        type != "Dropout")
      return false;
  auto result = [&](llvm::Expected<HostArray> a) -> llvm::Expected<bool> {
    if (!a)
      return a.takeError();
    outputs.push_back(std::move(*a));
    return true;
  };
  auto shapeResult = [&](llvm::Expected<Shape> s) -> llvm::Expected<bool> {
    if (!s)
      return s.takeError();
    return result(withShape(*ins[0], *s));
  };
  if (ins.empty() || !ins[0])
    return false;
  const HostArray &x = *ins[0];

  if (type == "Identity")
    return result(x);
  if (type == "Dropout") {
    outputs.push_back(x);
    outputs.push_back(HostArray::fromInt64(DType::Bool, x.shape,
                                           std::vector<int64_t>(x.numel(), 1)));
    return true;
  }
  if (type == "Reshape")
    return shapeResult(reshapeTarget(node, x.shape, toInts(*ins[1]), node.i("allowzero", 0)));
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
    return shapeResult(squeezeShape(node, x.shape, axesOf(node, ins, 1)));
  if (type == "Unsqueeze")
    return shapeResult(unsqueezeShape(node, x.shape, axesOf(node, ins, 1)));
  if (type == "Transpose") {
    std::vector<int64_t> perm = node.ints("perm");
    if (perm.empty())
      for (int64_t d = x.shape.size() - 1; d >= 0; --d)
        perm.push_back(d);
    Shape shape;
    for (int64_t p : perm)
      shape.push_back(x.shape[p]);
    std::vector<int64_t> strides = rowMajorStrides(x.shape);
    return result(moveElements(x, shape, [&](const Shape &o) {
      int64_t flat = 0;
      for (size_t d = 0; d < o.size(); ++d)
        flat += o[d] * strides[perm[d]];
      return flat;
    }));
  }
  if (type == "Expand") {
    llvm::Expected<Shape> s = broadcastShapes(node, x.shape, toInts(*ins[1]));
    if (!s)
      return s.takeError();
    return result(
        moveElements(x, *s, [&](const Shape &o) { return broadcastIndex(x.shape, o); }));
  }
  if (type == "Concat")
    return result(concat(node, ins));
  if (type == "Gather")
    return result(gather(node, x, *ins[1]));
  if (type == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (node.opset < 10) {
      starts = node.ints("starts");
      ends = node.ints("ends");
      axes = node.ints("axes");
    } else {
      starts = toInts(*ins[1]);
      ends = toInts(*ins[2]);
      if (ins.size() > 3 && ins[3])
        axes = toInts(*ins[3]);
      if (ins.size() > 4 && ins[4])
        steps = toInts(*ins[4]);
    }
    llvm::Expected<Window> w = sliceWindow(node, x.shape, starts, ends, axes, steps);
    if (!w)
      return w.takeError();
    return result(window(x, *w));
  }
  if (type == "Split") {
    llvm::Expected<int64_t> axis = normalizeAxis(node, node.i("axis", 0), x.shape.size());
    if (!axis)
      return axis.takeError();
    std::vector<int64_t> given = node.has("split") ? node.ints("split")
                                 : (ins.size() > 1 && ins[1]) ? toInts(*ins[1])
                                                              : std::vector<int64_t>{};
    llvm::Expected<std::vector<Window>> windows = splitWindows(
        node, x.shape, *axis, given, node.i("num_outputs", node.proto.output_size()));
    if (!windows)
      return windows.takeError();
    for (const Window &w : *windows)
      outputs.push_back(window(x, w));
    return true;
  }
  if (type == "ConstantOfShape") {
    HostArray value = HostArray::fromDouble(DType::F32, {}, {0.0});
    if (const onnx::AttributeProto *a = node.attr("value")) {
      llvm::Expected<HostArray> v = tensorFromProto(a->t(), "");
      if (!v)
        return v.takeError();
      value = *v;
    }
    Shape shape = toInts(x);
    return result(moveElements(value, shape, [](const Shape &) { return 0; }));
  }
  if (type == "Range") {
    double start = x.toDouble()[0], limit = ins[1]->toDouble()[0], delta = ins[2]->toDouble()[0];
    if (delta == 0)
      return node.error("delta is 0");
    int64_t n = std::max<int64_t>(std::ceil((limit - start) / delta), 0);
    std::vector<double> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back(start + i * delta);
    return result(HostArray::fromDouble(x.dtype, {n}, v));
  }
  if (type == "Trilu") {
    int64_t k = ins.size() > 1 && ins[1] ? toInts(*ins[1])[0] : 0;
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
  if (type == "Where") {
    if (!ins[1] || !ins[2])
      return false;
    return result(mapElements(node, {ins[0], ins[1], ins[2]}, ins[1]->dtype,
                              [](llvm::ArrayRef<double> a) { return a[0] != 0 ? a[1] : a[2]; }));
  }
  if (std::optional<double (*)(double)> fn = unaryFold(type)) {
    DType out = type == "Not" ? DType::Bool : x.dtype;
    return result(mapElements(node, {&x}, out,
                              [fn](llvm::ArrayRef<double> a) { return (**fn)(a[0]); }));
  }
  if (ins.size() < 2 || !ins[1])
    return false;
  if (type == "Mod" && node.i("fmod", 0))
    return result(mapElements(node, {ins[0], ins[1]}, x.dtype, [](llvm::ArrayRef<double> a) {
      return std::fmod(a[0], a[1]);
    }));
  if (std::optional<std::function<double(double, double)>> fn =
          binaryFold(type, isIntegral(x.dtype))) {
    if (isIntegral(x.dtype) && type != "Pow" && type != "Div") {
      // Exact for every int64 (doubles are not beyond 2^53).
      llvm::Expected<Shape> s = broadcastShapes(node, x.shape, ins[1]->shape);
      if (!s)
        return s.takeError();
      std::vector<int64_t> a = x.toInt64(), b = ins[1]->toInt64(), out;
      forEach(*s, [&](const Shape &o) {
        int64_t u = a[broadcastIndex(x.shape, o)], v = b[broadcastIndex(ins[1]->shape, o)];
        out.push_back(type == "Add" ? u + v : type == "Sub" ? u - v : type == "Mul" ? u * v
                      : type == "Max" ? std::max(u, v) : type == "Min" ? std::min(u, v)
                      : static_cast<int64_t>((*fn)(u, v)));
      });
      return result(HostArray::fromInt64(x.dtype, *s, out));
    }
    return result(mapElements(node, {ins[0], ins[1]}, x.dtype,
                              [fn](llvm::ArrayRef<double> a) { return (*fn)(a[0], a[1]); }));
  }
  if (std::optional<std::function<double(double, double)>> fn = compareFold(type))
    return result(mapElements(node, {ins[0], ins[1]}, DType::Bool,
                              [fn](llvm::ArrayRef<double> a) { return (*fn)(a[0], a[1]); }));
  return false;
}

} // namespace icl::onnximport
