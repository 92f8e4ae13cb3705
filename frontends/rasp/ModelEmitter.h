//===- ModelEmitter.h - A compiled RASP transformer as icl MLIR --*- C++ -*-===//
//
// Writes a Transformer (Compiler.h) as the text of an icl MLIR module with
// one public function:
//
//   func.func @NAME(%ids: tensor<1xLxi64>) -> tensor<1xLxKxf32>
//
// L = maxLen + 1: position 0 holds the BOS id, then the input's token ids,
// then PAD ids up to L (one function serves every input length; the model
// is exact at the input's positions). The result holds, per position, the
// K logits over the output's values for a categorical output, or (K = 1)
// the output number. Weights are inline dense<> constants; each layer is
// icl.linear projections, one multi-head icl.attention (heads split with
// tensor.expand_shape and linalg.transpose; an additive mask constant where
// heads need more than the causal mask), and a ReLU MLP (icl.linear,
// icl.activation, icl.linear), each added to the residual with arith.addf.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_MODELEMITTER_H
#define ICL_FRONTENDS_RASP_MODELEMITTER_H

#include "frontends/rasp/Compiler.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace icl::rasp {

/// Writes `model` as a module whose function is named `functionName`.
void emitModule(const Transformer &model, llvm::StringRef functionName, llvm::raw_ostream &os);

/// The same, as a string.
std::string emitModule(const Transformer &model, llvm::StringRef functionName);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_MODELEMITTER_H
