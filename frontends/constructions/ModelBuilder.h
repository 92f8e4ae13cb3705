//===- ModelBuilder.h - A construction as an icl module -----------*- C++ -*-===//
//
// Builds a construction's Plan as an icl module with one public function,
// named after the construction (@gd, @pgd, @ridge, @newton):
//
//   (%prompt: tensor<B x (N+1) x (d+o) x f32> [, %k: tensor<i64>])
//       -> (tensor<B x o x f32> [, tensor<B x R x o x f32>])
//
// The prompt holds N context tokens (x_j, y_j), then the query (x_q, 0).
// Result 0 is the prediction for x_q; with readoutEveryLayer, result 1 holds
// the prediction after each step (R = K stacked; R = M looped, rows from K
// on zero). A looped model takes K as argument 1 and runs one block in an
// scf.for after cf.assert checks 0 <= K (<= M with readouts); the loop runs
// max(K, 0) times, min(max(K, 0), M) with readouts, so its row writes stay
// in bounds even where a failed assertion does not stop the call.
//
// Each block is icl.linear projections (x·Wᵀ), one icl.linear_attention
// (causal = false, identity feature map, one head: [B, 1, T, ·]) whose keys
// and values are the N context tokens (tensor.extract_slice), and the
// residual adds. Weights are f32 constants, shared by the steps (tied).
// Every op's location names its layer and role ("GD step 3 attention").
// The module attribute icl.construction records the options, so that a
// written file can be verified.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_MODELBUILDER_H
#define ICL_FRONTENDS_CONSTRUCTIONS_MODELBUILDER_H

#include "frontends/constructions/Options.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace icl::construct {

/// The module attribute that records a construction's options.
constexpr llvm::StringLiteral kConstructionAttr = "icl.construction";

/// `options` (validated) as a module in `context`, which gets the dialects
/// it needs; null, with the verifier's diagnostics reported, if the module
/// does not verify (a bug of this builder).
mlir::OwningOpRef<mlir::ModuleOp> buildModule(const Options &options, mlir::MLIRContext &context);

/// Writes that module after comments saying what its arguments, results and
/// stream hold. An error, with nothing written, when `options` are invalid
/// or the module does not verify.
llvm::Error emitModule(const Options &options, llvm::raw_ostream &os);

/// The options a module built by buildModule records, validated; an error
/// when the module has no (or a malformed) icl.construction attribute.
llvm::Expected<Options> optionsOf(mlir::ModuleOp module);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_MODELBUILDER_H
