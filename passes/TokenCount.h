//===- TokenCount.h - Propagate a changed token count -----------*- C++ -*-===//
//
// Token merging and pruning replace a [B, T, C] activation by a [B, T', C]
// one; every op downstream then needs new result types (and, for ops that
// carry a shape, new shape operands).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_TOKENCOUNT_H
#define ICL_PASSES_TOKENCOUNT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::icl::detail {

/// The residual add that closes the attention half of a transformer block:
/// `attentionResult` followed through single-use head merging (transpose,
/// reshape) and the output projection; null when the IR is not shaped so.
arith::AddFOp residualAfter(Value attentionResult);

/// Recomputes the types of the ops after `start` in its block that read, directly
/// or transitively, one of `changed` (values whose token count changed): icl
/// ops through their type inference, elementwise arith/math, tensor reshapes,
/// linalg.transpose and the enclosing function's results. Fails, with an
/// error at the op, on an op it cannot retype.
LogicalResult propagateTokenCount(RewriterBase &rewriter, Operation *start,
                                  llvm::DenseSet<Value> changed);

} // namespace mlir::icl::detail

#endif // ICL_PASSES_TOKENCOUNT_H
