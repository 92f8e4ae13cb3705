//===- Jit.h - Compile and run icl functions in-process ---------*- C++ -*-===//
//
// Compiles one function of an icl module through the x86 pipeline to native
// code with MLIR's ExecutionEngine (LLVM ORC, -O3, tuned for the host CPU)
// and runs it on host arrays.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_DRIVER_JIT_H
#define ICL_LIB_DRIVER_JIT_H

#include "lib/Support/HostArray.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace icl {

struct TensorSignature {
  DType dtype;
  std::vector<int64_t> shape;
};

/// What a compiled function takes and returns; also carries the token-id
/// ranges of its arguments (for random inputs, and for the runtime to check
/// ids on the host before a CUDA call).
struct FunctionSignature {
  std::string name;
  std::vector<TensorSignature> args;
  std::vector<TensorSignature> results;
  /// (argument index, vocabulary size) for arguments used as embedding ids.
  std::vector<std::pair<unsigned, int64_t>> idRanges;
};

/// The signature of `func`, or an error naming what native compilation does
/// not support (dynamic shapes, non-tensor types).
llvm::Expected<FunctionSignature> signatureOf(mlir::func::FuncOp func);

/// Checks `inputs` against `sig` (count, shape) and converts each to the
/// argument's dtype. Token ids are checked by the compiled code
/// (icl-check-indices).
llvm::Expected<std::vector<HostArray>> prepareInputs(const FunctionSignature &sig,
                                                     llvm::ArrayRef<HostArray> inputs);

class JitFunction {
public:
  /// Compiles `func` (its module is cloned, not modified). External weights
  /// are read with relative paths resolved against `weightsDir`.
  static llvm::Expected<std::unique_ptr<JitFunction>> compile(mlir::func::FuncOp func,
                                                              llvm::StringRef weightsDir = "");

  const FunctionSignature &signature() const { return sig; }

  /// Runs the function; inputs are checked and converted first. An id out of
  /// range is reported after the call as a "run-time error: ..." error.
  llvm::Expected<std::vector<HostArray>> run(llvm::ArrayRef<HostArray> inputs);

private:
  JitFunction(std::unique_ptr<mlir::ExecutionEngine> engine, FunctionSignature sig)
      : engine(std::move(engine)), sig(std::move(sig)) {}

  std::unique_ptr<mlir::ExecutionEngine> engine;
  FunctionSignature sig;
};

} // namespace icl

#endif // ICL_LIB_DRIVER_JIT_H
