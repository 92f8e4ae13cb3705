// A failed cf.assert calls the runtime's icl_assertion_error with its
// message and location instead of aborting the process.
// RUN: icl-opt %s --icl-report-assertions | FileCheck %s

// CHECK-DAG: llvm.mlir.global private constant @icl_assert0_where("cf.assert at {{.*}}report-assertions.mlir:[[@LINE+12]]:3\00")
// CHECK-DAG: llvm.mlir.global private constant @icl_assert0_message("the step count must be at least 0\00")
// CHECK-DAG: func.func private @icl_assertion_error(!llvm.ptr, !llvm.ptr)
// CHECK-LABEL: func.func @count
// CHECK-NOT: cf.assert
// CHECK: %[[OK:.*]] = arith.cmpi sge
// CHECK: %[[FAILED:.*]] = arith.xori %[[OK]], %true
// CHECK: scf.if %[[FAILED]] {
// CHECK: call @icl_assertion_error(%{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
func.func @count(%k: i64) -> i64 {
  %zero = arith.constant 0 : i64
  %ok = arith.cmpi sge, %k, %zero : i64
  cf.assert %ok, "the step count must be at least 0"
  return %k : i64
}

// What follows the assertion in its block runs only when it holds; a failed
// one reports and gives the block's terminator zeros.
// CHECK-LABEL: func.func @guarded
// CHECK: %[[OK:.*]] = arith.cmpi sle
// CHECK: %[[R:.*]] = scf.if %[[OK]] -> (tensor<2x3xf32>) {
// CHECK:   scf.for
// CHECK:   scf.yield %{{.*}} : tensor<2x3xf32>
// CHECK: } else {
// CHECK:   call @icl_assertion_error
// CHECK:   %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK:   scf.yield %[[ZERO]] : tensor<2x3xf32>
// CHECK: }
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @guarded(%x: tensor<2x3xf32>, %n: index) -> tensor<2x3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %ok = arith.cmpi sle, %n, %c4 : index
  cf.assert %ok, "at most 4 steps"
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%e = %x) -> (tensor<2x3xf32>) {
    %d = arith.addf %e, %e : tensor<2x3xf32>
    scf.yield %d : tensor<2x3xf32>
  }
  return %r : tensor<2x3xf32>
}
