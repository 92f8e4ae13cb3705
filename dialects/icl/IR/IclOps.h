//===- IclOps.h - Operations of the icl dialect -----------------*- C++ -*-===//

#ifndef ICL_DIALECTS_ICL_IR_ICLOPS_H
#define ICL_DIALECTS_ICL_IR_ICLOPS_H

#include "dialects/icl/IR/IclDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/icl/IR/IclEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/icl/IR/IclAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/icl/IR/IclOps.h.inc"

namespace mlir::icl {
/// Attaches TilingInterface and ReifyRankedShapedTypeOpInterface to the ops
/// that tile over their parallel loops (IclTiling.cpp); the dialect does it
/// when it loads.
void attachTilingInterfaces(MLIRContext *ctx);

/// `op` (an icl.attention or icl.attention_partial) as linalg/scf with an
/// online softmax over blocks of `keyTile` keys: an scf.for carries each
/// row's running maximum, sum of exponentials and unnormalised output across
/// the blocks (the keys that remain after the last whole block are one more
/// step), so no logits wider than `keyTile` keys exist. Returns the values
/// that replace the op's results: what its decomposeOperation computes, up
/// to rounding.
FailureOr<SmallVector<Value>> decomposeAttentionOnline(OpBuilder &b, Operation *op,
                                                       int64_t keyTile);

/// Steps per chunk of the chunked recurrences (icl.ssd, causal
/// icl.linear_attention) whose chunk_size is 0; icl-decompose's chunk-size
/// sets it for a run.
inline constexpr int64_t kDefaultScanChunk = 64;
} // namespace mlir::icl

#endif // ICL_DIALECTS_ICL_IR_ICLOPS_H
