//===- OnnxFold.h - Import-time evaluation of constant ONNX nodes -*- C++ -*-===//
//
// PyTorch exports compute shapes, masks and position ids with small
// subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Range,
// ConstantOfShape, Trilu, Where ...). When every input of such a node is a
// constant, the importer evaluates it on the host, so the emitted IR only
// has static shapes and the real computation.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_ONNX_ONNXFOLD_H
#define ICL_FRONTENDS_ONNX_ONNXFOLD_H

#include "frontends/onnx/OnnxShapes.h"

namespace icl::onnximport {

/// Evaluates `node` on `inputs` (nullptr for an absent optional input).
/// Returns false, leaving `outputs` empty, when the op is not evaluated at
/// import time (the importer then emits IR for it), also when a result would
/// take more host memory than folding allows and the op has an emitted form.
/// Every input is checked where it is read (a missing one is an error), and
/// every result shape before it is allocated.
llvm::Expected<bool> foldNode(const Node &node, llvm::ArrayRef<const HostArray *> inputs,
                              std::vector<HostArray> &outputs);

/// The integer contents of a constant (shapes, axes, indices).
std::vector<int64_t> toInts(const HostArray &array);

/// Axes from the `axes` attribute (older opsets) or the constant `input`
/// (nullptr when absent): empty when neither gives them.
std::vector<int64_t> axesOf(const Node &node, const HostArray *input);

} // namespace icl::onnximport

#endif // ICL_FRONTENDS_ONNX_ONNXFOLD_H
