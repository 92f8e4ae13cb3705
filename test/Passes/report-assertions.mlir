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
