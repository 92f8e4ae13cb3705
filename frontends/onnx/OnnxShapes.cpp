//===- OnnxShapes.cpp - Shape rules of ONNX ops ---------------------------===//

#include "frontends/onnx/OnnxShapes.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace icl::onnximport {

const onnx::AttributeProto *Node::attr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Node::i(llvm::StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : fallback;
}

float Node::f(llvm::StringRef name, float fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : fallback;
}

std::string Node::s(llvm::StringRef name, llvm::StringRef fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : fallback.str();
}

std::vector<int64_t> Node::ints(llvm::StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
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
  if (a < 0 || a >= std::max<int64_t>(rank, 1))
    return node.error("axis " + llvm::Twine(axis) + " is out of range for rank " +
                      llvm::Twine(rank));
  return a;
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
  return out;
}

llvm::Expected<Shape> reshapeTarget(const Node &node, llvm::ArrayRef<int64_t> in,
                                    llvm::ArrayRef<int64_t> spec, bool allowZero) {
  Shape out;
  int64_t inferred = -1, known = 1;
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
      out.push_back(1);
      continue;
    }
    if (d < 0)
      return node.error("shape " + formatShape(spec) + " has a negative size");
    known *= d;
    out.push_back(d);
  }
  int64_t total = numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return node.error("cannot reshape " + formatShape(in) + " into " + formatShape(spec));
    out[inferred] = total / known;
  }
  if (numElements(out) != total)
    return node.error("cannot reshape " + formatShape(in) + " into " + formatShape(out));
  return out;
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

/// Split's part sizes along a dimension of `dim` elements.
static llvm::Expected<Shape> splitSizes(const Node &node, int64_t dim,
                                        llvm::ArrayRef<int64_t> given, int64_t parts) {
  if (!given.empty()) {
    int64_t sum = 0;
    for (int64_t s : given)
      sum += s;
    if (sum != dim)
      return node.error("split sizes " + formatShape(given) + " do not add up to " +
                        llvm::Twine(dim));
    return Shape(given.begin(), given.end());
  }
  if (parts <= 0)
    return node.error("cannot split into " + llvm::Twine(parts) + " parts");
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
