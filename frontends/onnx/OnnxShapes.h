//===- OnnxShapes.h - Shape rules of ONNX ops ---------------------*- C++ -*-===//
//
// The shape arithmetic of ONNX ops, shared by import-time evaluation of
// constant subgraphs (OnnxFold.cpp) and IR emission (OnnxImporter.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_ONNX_ONNXSHAPES_H
#define ICL_FRONTENDS_ONNX_ONNXSHAPES_H

#include "lib/Support/HostArray.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace icl::onnximport {

using Shape = std::vector<int64_t>;

/// The most bytes one tensor of an imported model may take: 2^48 (256 TiB),
/// the module limit kMaxTensorBytes of lib/Reference/Evaluator.h, which
/// icl-compile and icl-run check again on the imported module. Frontends may
/// not include lib/Reference (docs/architecture.md), so the importer keeps
/// its own copy: it needs the bound earlier, before it multiplies sizes read
/// from the model.
inline constexpr int64_t kMaxImportedTensorBytes = int64_t(1) << 48;

/// Attribute access and error messages for one node.
class Node {
public:
  Node(const onnx::NodeProto &proto, int64_t opset) : proto(proto), opset(opset) {}

  const onnx::NodeProto &proto;
  int64_t opset;

  llvm::StringRef type() const { return proto.op_type(); }
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const { return attr(name) != nullptr; }
  /// Typed attributes; `fallback` when absent. checkAttributes has refused
  /// an attribute of another type.
  int64_t i(llvm::StringRef name, int64_t fallback) const;
  float f(llvm::StringRef name, float fallback) const;
  std::vector<int64_t> ints(llvm::StringRef name) const;
  /// Refuses an attribute that the importer reads as one type (an INT `axis`,
  /// the INTS `perm`, ...) but that the model gives as another, which the
  /// accessors above would silently read as 0 or empty.
  llvm::Error checkAttributes() const;
  /// Number of inputs given (trailing empty names are absent inputs).
  unsigned numInputs() const;
  bool hasInput(unsigned i) const { return i < numInputs() && !proto.input(i).empty(); }

  /// "ONNX node 'name' (Type, opset N): message".
  llvm::Error error(const llvm::Twine &message) const;
};

/// Why no tensor of `shape` with `eltBytes`-byte elements can be built: a
/// negative dimension, or more than `maxBytes` bytes (computed without
/// overflow); "" when one can. Every shape read from a model or computed from
/// its numbers passes here before anything is allocated or multiplied.
std::string shapeProblem(llvm::ArrayRef<int64_t> shape, int64_t eltBytes,
                         int64_t maxBytes = kMaxImportedTensorBytes);
/// shapeProblem as an error of `node`.
llvm::Error checkShape(const Node &node, llvm::ArrayRef<int64_t> shape, int64_t eltBytes,
                       int64_t maxBytes = kMaxImportedTensorBytes);

/// Wraps a possibly negative axis into [0, rank); error when out of range (a
/// rank-0 tensor has no axis).
llvm::Expected<int64_t> normalizeAxis(const Node &node, int64_t axis, int64_t rank);

/// Numpy (multidirectional) broadcasting of two shapes (one of them may be a
/// target shape read from the model, such as Expand's).
llvm::Expected<Shape> broadcastShapes(const Node &node, llvm::ArrayRef<int64_t> a,
                                      llvm::ArrayRef<int64_t> b);

/// Reshape's target: 0 copies the input dim (unless allowzero), -1 is inferred.
llvm::Expected<Shape> reshapeTarget(const Node &node, llvm::ArrayRef<int64_t> in,
                                    llvm::ArrayRef<int64_t> spec, bool allowZero);

/// Concat's result: `shapes` of one rank, equal but along `axis`.
llvm::Expected<Shape> concatShape(const Node &node, llvm::ArrayRef<Shape> shapes, int64_t axis);

/// Transpose's permutation of a rank-`rank` input: the `perm` attribute,
/// which must order every dimension once, or the reversal.
llvm::Expected<std::vector<int64_t>> transposePerm(const Node &node, int64_t rank);

/// Squeeze / Unsqueeze with their axes (empty squeeze axes: every 1).
llvm::Expected<Shape> squeezeShape(const Node &node, llvm::ArrayRef<int64_t> in,
                                   llvm::ArrayRef<int64_t> axes);
llvm::Expected<Shape> unsqueezeShape(const Node &node, llvm::ArrayRef<int64_t> in,
                                     llvm::ArrayRef<int64_t> axes);

/// A static strided window: element j of dim d reads offset[d] + j*step[d].
struct Window {
  Shape offsets, sizes, steps;
};

/// Slice's window (opset 10+ semantics, steps may be negative).
llvm::Expected<Window> sliceWindow(const Node &node, llvm::ArrayRef<int64_t> in,
                                   llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> ends,
                                   llvm::ArrayRef<int64_t> axes, llvm::ArrayRef<int64_t> steps);

/// Split's windows of `in` along `axis`: the given part sizes, or `parts`
/// equal parts (the last one shorter); one per output of the node.
llvm::Expected<std::vector<Window>> splitWindows(const Node &node, llvm::ArrayRef<int64_t> in,
                                                 int64_t axis, llvm::ArrayRef<int64_t> given,
                                                 int64_t parts);

/// The element count of a shape that checkShape has passed (no overflow).
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace icl::onnximport

#endif // ICL_FRONTENDS_ONNX_ONNXSHAPES_H
