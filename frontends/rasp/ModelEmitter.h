//===- ModelEmitter.h - A compiled RASP transformer as icl MLIR --*- C++ -*-===//
//
// Builds a Transformer (Compiler.h) as an icl MLIR module (through
// GraphBuilder, the helper the Hugging Face frontend builds with) with one
// public function:
//
//   func.func @NAME(%ids: tensor<1xLxi64>) -> tensor<1xLxKxf32>
//
// L = maxLen + 1: position 0 holds the BOS id, then the input's token ids,
// then PAD ids up to L (one function serves every input length; the model
// is exact at the input's positions). The result holds, per position, the
// K logits over the output's values for a categorical output, or (K = 1)
// the output number. Weights are dense_resource constants owned by the
// module (exact f32 bytes); each layer is
// icl.linear projections, one multi-head icl.attention (heads split with
// tensor.expand_shape and linalg.transpose; an additive mask constant where
// heads need more than the causal mask), and a ReLU MLP (icl.linear,
// icl.activation, icl.linear), each added to the residual with arith.addf.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_MODELEMITTER_H
#define ICL_FRONTENDS_RASP_MODELEMITTER_H

#include "frontends/rasp/Compiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace icl::rasp {

/// `model` as a module whose function is named `functionName`, in `context`
/// (which gets the dialects it needs); null, with the verifier's diagnostics
/// reported, if the module does not verify (a compiler bug).
mlir::OwningOpRef<mlir::ModuleOp> buildModule(const Transformer &model,
                                              llvm::StringRef functionName,
                                              mlir::MLIRContext &context);

/// Writes that module, after comments saying what its ids, result and
/// residual dimensions mean.
void emitModule(const Transformer &model, llvm::StringRef functionName, llvm::raw_ostream &os);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_MODELEMITTER_H
