// Host uses of constant array globals (weights) read device-resident copies.
// RUN: icl-opt %s --icl-gpu-resident-globals | FileCheck %s

// CHECK: llvm.func @icl_cuda_resident(!llvm.ptr, i64) -> !llvm.ptr
// CHECK-LABEL: llvm.func @f
// CHECK: %[[HOST:.*]] = llvm.mlir.addressof @w : !llvm.ptr
// CHECK: %[[BYTES:.*]] = llvm.mlir.constant(24 : i64) : i64
// CHECK: %[[DEV:.*]] = llvm.call @icl_cuda_resident(%[[HOST]], %[[BYTES]])
// CHECK: llvm.getelementptr %[[DEV]]
// CHECK: %[[MSG:.*]] = llvm.mlir.addressof @message
// An array only host calls read (the shape in an icl_index_error report)
// stays in host memory.
// CHECK: %[[SHAPE:.*]] = llvm.mlir.addressof @shape
// CHECK-NOT: icl_cuda_resident
// CHECK: llvm.call @report(%[[SHAPE]])
// CHECK: llvm.return
module {
  llvm.mlir.global private constant @w(dense<1.0> : tensor<2x3xf32>) : !llvm.array<2 x array<3 x f32>>
  llvm.mlir.global private constant @message("hello\00") : !llvm.array<6 x i8>
  llvm.mlir.global private constant @shape(dense<[2, 5]> : tensor<2xi64>) : !llvm.array<2 x i64>
  llvm.func @report(!llvm.ptr)
  llvm.func @f() -> !llvm.ptr {
    %0 = llvm.mlir.addressof @w : !llvm.ptr
    %1 = llvm.getelementptr %0[0, 0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<2 x array<3 x f32>>
    %2 = llvm.mlir.addressof @message : !llvm.ptr
    %3 = llvm.mlir.addressof @shape : !llvm.ptr
    llvm.call @report(%3) : (!llvm.ptr) -> ()
    llvm.return %1 : !llvm.ptr
  }
}
