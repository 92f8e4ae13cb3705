// Known failures of native code generation, found by the e2e tests. Each RUN
// line pins today's failure (`not`), so this file passes while the bug is
// there and FAILS once it is fixed: then move the function to an op file
// with an ordinary `--check` RUN line.
//
// A function returning the same computed tensor twice crashes native
// compilation: SIGSEGV in mlir::BaseMemRefType::hasRank() called from
// bufferization::promoteBufferResultsToOutParams (the
// buffer-results-to-out-params pass with hoist-static-allocs, in the x86
// pipeline). Returning the same block argument twice works; the reference
// evaluator runs both functions fine.
// RUN: not --crash icl-run %s --function same_result_twice --random-inputs 1 --check 2>&1 | FileCheck %s --check-prefix=same_result_twice
// RUN: not --crash icl-run %s --function same_icl_result_twice --random-inputs 1 --check 2>&1 | FileCheck %s --check-prefix=same_icl_result_twice

func.func @same_result_twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0, %0 : tensor<4xf32>, tensor<4xf32>
}
// same_result_twice: Stack dump:

func.func @same_icl_result_twice(%x: tensor<3x40xf32>) -> (tensor<3x40xf32>, tensor<3x40xf32>) {
  %0 = icl.activation %x {kind = #icl.activation<silu>} : tensor<3x40xf32>
  return %0, %0 : tensor<3x40xf32>, tensor<3x40xf32>
}
// same_icl_result_twice: Stack dump:
