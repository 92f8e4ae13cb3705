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
/// import time (the importer then emits IR for it).
llvm::Expected<bool> foldNode(const Node &node, llvm::ArrayRef<const HostArray *> inputs,
                              std::vector<HostArray> &outputs);

/// The integer contents of a constant (shapes, axes, indices).
std::vector<int64_t> toInts(const HostArray &array);

} // namespace icl::onnximport

#endif // ICL_FRONTENDS_ONNX_ONNXFOLD_H
