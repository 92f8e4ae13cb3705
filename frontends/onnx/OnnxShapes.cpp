//===- OnnxShapes.cpp - Shape rules of ONNX ops ---------------------------===//

#include "frontends/onnx/OnnxShapes.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace icl::onnximport {

namespace {

using AttrType = onnx::AttributeProto::AttributeType;

/// The type of every attribute the importer reads.
constexpr std::pair<llvm::StringLiteral, AttrType> kAttributeTypes[] = {
    {"allowzero", onnx::AttributeProto::INT},
    {"alpha", onnx::AttributeProto::FLOAT},
    {"axes", onnx::AttributeProto::INTS},
    {"axis", onnx::AttributeProto::INT},
    {"beta", onnx::AttributeProto::FLOAT},
    {"end", onnx::AttributeProto::INT},
    {"ends", onnx::AttributeProto::INTS},
    {"epsilon", onnx::AttributeProto::FLOAT},
    {"fmod", onnx::AttributeProto::INT},
    {"keepdims", onnx::AttributeProto::INT},
    {"noop_with_empty_axes", onnx::AttributeProto::INT},
    {"num_outputs", onnx::AttributeProto::INT},
    {"perm", onnx::AttributeProto::INTS},
    {"split", onnx::AttributeProto::INTS},
    {"start", onnx::AttributeProto::INT},
    {"starts", onnx::AttributeProto::INTS},
    {"to", onnx::AttributeProto::INT},
    {"transA", onnx::AttributeProto::INT},
    {"transB", onnx::AttributeProto::INT},
    {"upper", onnx::AttributeProto::INT},
    {"value", onnx::AttributeProto::TENSOR},
    {"value_float", onnx::AttributeProto::FLOAT},
    {"value_floats", onnx::AttributeProto::FLOATS},
    {"value_int", onnx::AttributeProto::INT},
    {"value_ints", onnx::AttributeProto::INTS},
};

/// "256 MiB", "256 TiB": a power-of-two byte count as people write it.
std::string formatBytes(int64_t bytes) {
  static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t unit = 0;
  while (bytes >= 1024 && bytes % 1024 == 0 && unit + 1 < std::size(units)) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + " " + units[unit];
}

} // namespace

const onnx::AttributeProto *Node::attr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// `name` if the node gives it with type `type` (checkAttributes refuses any
/// other), else nullptr.
static const onnx::AttributeProto *typedAttr(const Node &node, llvm::StringRef name,
                                             AttrType type) {
  const onnx::AttributeProto *a = node.attr(name);
  return a && a->type() == type ? a : nullptr;
}

int64_t Node::i(llvm::StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *a = typedAttr(*this, name, onnx::AttributeProto::INT);
  return a ? a->i() : fallback;
}

float Node::f(llvm::StringRef name, float fallback) const {
  const onnx::AttributeProto *a = typedAttr(*this, name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : fallback;
}

std::vector<int64_t> Node::ints(llvm::StringRef name) const {
  const onnx::AttributeProto *a = typedAttr(*this, name, onnx::AttributeProto::INTS);
  if (!a)
    return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

llvm::Error Node::checkAttributes() const {
  for (const onnx::AttributeProto &a : proto.attribute())
    for (const auto &[name, type] : kAttributeTypes)
      if (a.name() == name && a.type() != type)
        return error("attribute '" + a.name() + "' is " +
                     (a.type() == onnx::AttributeProto::UNDEFINED
                          ? "of no type"
                          : "a " + onnx::AttributeProto::AttributeType_Name(a.type())) +
                     ", but it must be " + (type == onnx::AttributeProto::INT ? "an " : "a ") +
                     onnx::AttributeProto::AttributeType_Name(type));
  return llvm::Error::success();
}

unsigned Node::numInputs() const {
  unsigned n = proto.input_size();
  while (n > 0 && proto.input(n - 1).empty())
    --n;
  return n;
}

llvm::Error Node::error(const llvm::Twine &message) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "ONNX node '" +
                                     proto.name() + "' (" + proto.op_type() + ", opset " +
                                     llvm::Twine(opset) + "): " + message);
}

llvm::Expected<int64_t> normalizeAxis(const Node &node, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    return node.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                      llvm::Twine(rank));
  return a;
}

std::string shapeProblem(llvm::ArrayRef<int64_t> shape, int64_t eltBytes, int64_t maxBytes) {
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return "shape " + formatShape(shape) + " has a negative dimension";
  std::optional<int64_t> n = checkedNumel(shape);
  if (!n || *n > maxBytes / eltBytes)
    return "a tensor of shape " + formatShape(shape) + " would be larger than " +
           formatBytes(maxBytes) + ", the most icl allows for one tensor";
  return "";
}

llvm::Error checkShape(const Node &node, llvm::ArrayRef<int64_t> shape, int64_t eltBytes,
                       int64_t maxBytes) {
  std::string problem = shapeProblem(shape, eltBytes, maxBytes);
  return problem.empty() ? llvm::Error::success() : node.error(problem);
}

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

llvm::Expected<Shape> broadcastShapes(const Node &node, llvm::ArrayRef<int64_t> a,
                                      llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return node.error("shapes " + formatShape(a) + " and " + formatShape(b) +
                        " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  if (llvm::Error err = checkShape(node, out, 1))
    return std::move(err);
  return out;
}

llvm::Expected<Shape> reshapeTarget(const Node &node, llvm::ArrayRef<int64_t> in,
                                    llvm::ArrayRef<int64_t> spec, bool allowZero) {
  Shape out;
  int64_t inferred = -1;
  for (auto [i, entry] : llvm::enumerate(spec)) {
    int64_t d = entry;
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return node.error("shape entry 0 at position " + llvm::Twine(i) +
                          " has no input dimension to copy");
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return node.error("shape " + formatShape(spec) + " has more than one -1");
      inferred = static_cast<int64_t>(i);
      d = 1;
    }
    out.push_back(d);
  }
  if (llvm::Error err = checkShape(node, out, 1))
    return std::move(err);
  int64_t known = numElements(out), total = numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return node.error("cannot reshape " + formatShape(in) + " into " + formatShape(spec));
    out[inferred] = total / known;
  }
  if (numElements(out) != total)
    return node.error("cannot reshape " + formatShape(in) + " into " + formatShape(out));
  return out;
}

llvm::Expected<Shape> concatShape(const Node &node, llvm::ArrayRef<Shape> shapes, int64_t axis) {
  Shape out = shapes.front();
  for (auto [i, shape] : llvm::enumerate(shapes.drop_front())) {
    bool same = shape.size() == out.size();
    for (size_t d = 0; same && d < shape.size(); ++d)
      same = d == static_cast<size_t>(axis) || shape[d] == out[d];
    if (!same)
      return node.error("input " + llvm::Twine(i + 1) + " has shape " + formatShape(shape) +
                        ", which differs from input 0's " + formatShape(shapes.front()) +
                        " outside axis " + llvm::Twine(axis));
    // Both sizes passed checkShape, so the sum cannot overflow.
    out[axis] += shape[axis];
    if (llvm::Error err = checkShape(node, out, 1))
      return std::move(err);
  }
  return out;
}

llvm::Expected<std::vector<int64_t>> transposePerm(const Node &node, int64_t rank) {
  std::vector<int64_t> perm = node.ints("perm");
  if (perm.empty()) {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
    return perm;
  }
  std::vector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    valid = valid && p >= 0 && p < rank && !seen[p];
    if (valid)
      seen[p] = true;
  }
  if (!valid)
    return node.error("perm " + formatShape(perm) + " is not a permutation of the " +
                      llvm::Twine(rank) + " dimensions of its input");
  return perm;
}

llvm::Expected<Shape> squeezeShape(const Node &node, llvm::ArrayRef<int64_t> in,
                                   llvm::ArrayRef<int64_t> axes) {
  std::vector<bool> drop(in.size(), false);
  if (axes.empty())
    for (size_t d = 0; d < in.size(); ++d)
      drop[d] = in[d] == 1;
  for (int64_t a : axes) {
    llvm::Expected<int64_t> d = normalizeAxis(node, a, in.size());
    if (!d)
      return d.takeError();
    if (in[*d] != 1)
      return node.error("cannot squeeze axis " + llvm::Twine(a) + " of size " +
                        llvm::Twine(in[*d]));
    drop[*d] = true;
  }
  Shape out;
  for (size_t d = 0; d < in.size(); ++d)
    if (!drop[d])
      out.push_back(in[d]);
  return out;
}

llvm::Expected<Shape> unsqueezeShape(const Node &node, llvm::ArrayRef<int64_t> in,
                                     llvm::ArrayRef<int64_t> axes) {
  int64_t rank = in.size() + axes.size();
  std::vector<bool> added(rank, false);
  for (int64_t a : axes) {
    llvm::Expected<int64_t> d = normalizeAxis(node, a, rank);
    if (!d)
      return d.takeError();
    if (added[*d])
      return node.error("axis " + llvm::Twine(a) + " is repeated");
    added[*d] = true;
  }
  Shape out;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d)
    out.push_back(added[d] ? 1 : in[next++]);
  return out;
}

llvm::Expected<Window> sliceWindow(const Node &node, llvm::ArrayRef<int64_t> in,
                                   llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
                                   llvm::ArrayRef<int64_t> axes, llvm::ArrayRef<int64_t> steps) {
  Window w;
  w.offsets.assign(in.size(), 0);
  w.sizes.assign(in.begin(), in.end());
  w.steps.assign(in.size(), 1);
  if (starts.size() != ends.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()))
    return node.error("starts, ends, axes and steps differ in length");
  for (size_t i = 0; i < starts.size(); ++i) {
    llvm::Expected<int64_t> d =
        normalizeAxis(node, axes.empty() ? static_cast<int64_t>(i) : axes[i], in.size());
    if (!d)
      return d.takeError();
    int64_t dim = in[*d], step = steps.empty() ? 1 : steps[i];
    if (step == 0)
      return node.error("a slice step is 0");
    // A step longer than the dimension takes one element, as one of the
    // dimension's length does; clamping keeps the arithmetic below in range.
    step = std::clamp<int64_t>(step, -std::max<int64_t>(dim, 1), std::max<int64_t>(dim, 1));
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += dim;
      return std::clamp(v, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = clampIndex(starts[i], 0, dim);
      end = clampIndex(ends[i], 0, dim);
    } else {
      start = clampIndex(starts[i], -1, dim - 1);
      end = clampIndex(ends[i], -1, dim - 1);
    }
    int64_t size = step > 0 ? (end - start + step - 1) / step : (start - end - step - 1) / -step;
    w.offsets[*d] = start;
    w.sizes[*d] = std::max<int64_t>(size, 0);
    w.steps[*d] = step;
  }
  return w;
}

/// A Split into `parts` parts that does not give one per output.
static llvm::Error partsMismatch(const Node &node, int64_t parts) {
  return node.error("splits into " + llvm::Twine(parts) + " parts but has " +
                    llvm::Twine(node.proto.output_size()) + " outputs");
}

/// Split's part sizes along a dimension of `dim` elements.
static llvm::Expected<Shape> splitSizes(const Node &node, int64_t dim,
                                        llvm::ArrayRef<int64_t> given, int64_t parts) {
  if (!given.empty()) {
    // Summed without overflow: a negative size or one beyond what is left
    // stops the sum.
    int64_t left = dim;
    for (int64_t s : given)
      left = s >= 0 && s <= left ? left - s : -1;
    if (left != 0)
      return node.error("split sizes " + formatShape(given) + " do not add up to " +
                        llvm::Twine(dim));
    return Shape(given.begin(), given.end());
  }
  if (parts <= 0 || parts != node.proto.output_size())
    return partsMismatch(node, parts);
  int64_t chunk = (dim + parts - 1) / parts;
  Shape sizes;
  for (int64_t left = dim; left > 0 || static_cast<int64_t>(sizes.size()) < parts; left -= chunk)
    sizes.push_back(std::clamp<int64_t>(left, 0, chunk));
  return sizes;
}

llvm::Expected<std::vector<Window>> splitWindows(const Node &node, llvm::ArrayRef<int64_t> in,
                                                 int64_t axis, llvm::ArrayRef<int64_t> given,
                                                 int64_t parts) {
  llvm::Expected<Shape> sizes = splitSizes(node, in[axis], given, parts);
  if (!sizes)
    return sizes.takeError();
  if (static_cast<int64_t>(sizes->size()) != node.proto.output_size())
    return partsMismatch(node, sizes->size());
  std::vector<Window> windows;
  int64_t start = 0;
  for (int64_t size : *sizes) {
    Window w{Shape(in.size(), 0), Shape(in.begin(), in.end()), Shape(in.size(), 1)};
    w.offsets[axis] = start;
    w.sizes[axis] = size;
    windows.push_back(std::move(w));
    start += size;
  }
  return windows;
}

} // namespace icl::onnximport
