//===- Evaluator.h - The reference evaluator of icl modules ------*- C++ -*-===//
//
// Executes a function of an icl module naively on the host: icl ops through
// the kernels of Kernels.h, and the upstream func/arith/math/tensor/linalg
// ops that icl models use. It is the oracle every lowering is tested against.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_REFERENCE_EVALUATOR_H
#define ICL_LIB_REFERENCE_EVALUATOR_H

#include "lib/Support/HostArray.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace icl::ref {

enum class Precision { F32, F64 };

struct EvaluatorOptions {
  /// Storage type of every float tensor during evaluation (sums are
  /// accumulated in double either way).
  Precision precision = Precision::F64;
  /// Directory against which relative weights-file paths are resolved
  /// (usually the directory of the module file).
  std::string weightsDir;
};

/// The longest chain of nested calls a module may have, in functions.
constexpr int64_t kMaxCallDepth = 256;

/// Checks the calls between the functions of `module` (func.call, and any
/// other reference to a function by its symbol): no function may call itself,
/// directly or through others, and no chain of calls may nest more than
/// kMaxCallDepth functions. Recursion would overflow the evaluator's stack
/// and keep native compilation from terminating, so both refuse it first; the
/// error names the call that closes the cycle.
llvm::Error checkCallGraph(mlir::ModuleOp module);

/// The most bytes one tensor or memref of a module may hold (2^48, 256 TiB:
/// more than any machine icl targets, and far from overflowing the int64
/// element counts and byte offsets of the evaluator, the runtime and the
/// generated code).
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << 48;

/// Checks every ranked tensor and memref type in `module` (values, function
/// signatures): its static sizes may not hold more than kMaxTensorBytes
/// (dynamic sizes count as 1). The error names the first such value's
/// location and type.
llvm::Error checkShapes(mlir::ModuleOp module);

/// Runs `func` on `inputs` (one per argument, in order; shapes must match the
/// argument types, dynamic sizes taking the input's size), after
/// checkCallGraph on its module. Float results are returned in the element
/// type the function declares, integer results as i64. Errors name the op
/// location and what went wrong.
llvm::Expected<std::vector<HostArray>> evaluate(mlir::func::FuncOp func,
                                                llvm::ArrayRef<HostArray> inputs,
                                                const EvaluatorOptions &options = {});

/// Seeded random inputs for `func`'s arguments: floats uniform in [-1, 1);
/// integers uniform in [0, bound) where bound is the vocabulary size for
/// embedding ids, the merged token count for unmerge indices, 4 for scalars
/// (rank-0 step or loop counts), else 16.
/// Dynamic sizes take `dynamicSize`.
llvm::Expected<std::vector<HostArray>> randomInputs(mlir::func::FuncOp func, uint64_t seed,
                                                    int64_t dynamicSize = 7);

} // namespace icl::ref

#endif // ICL_LIB_REFERENCE_EVALUATOR_H
