// Host code reads single device elements it branches on through the runtime
// (icl_cuda_read_scalar); element loops and host memory are left alone.
// RUN: icl-opt %s --icl-gpu-host-reads | FileCheck %s

// CHECK-DAG: func.func private @icl_cuda_read_scalar(i64, i32) -> i64
// CHECK-LABEL: func.func @count
// CHECK-NOT: memref.load
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]] = memref.extract_strided_metadata %arg0
// CHECK: %[[POINTER:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK: %[[BYTES:.*]] = arith.muli %[[OFFSET]], %c8
// CHECK: %[[ADDRESS:.*]] = arith.addi %[[POINTER]], %[[BYTES]]
// CHECK: %[[A64:.*]] = arith.index_castui %[[ADDRESS]] : index to i64
// CHECK: %[[BITS:.*]] = call @icl_cuda_read_scalar(%[[A64]], %c8_i32)
// CHECK: return %[[BITS]] : i64
func.func @count(%k: memref<i64>) -> i64 {
  %v = memref.load %k[] : memref<i64>
  return %v : i64
}

// Element [1, 2] of a 3x4 f16 buffer: position offset + 1·4 + 2·1, 2 bytes,
// the low 16 bits reinterpreted.
// CHECK-LABEL: func.func @element
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %arg0
// CHECK: arith.muli %c1, %[[STRIDES]]#0
// CHECK: arith.muli %c2, %[[STRIDES]]#1
// CHECK: %[[BITS:.*]] = call @icl_cuda_read_scalar(%{{.*}}, %c2_i32)
// CHECK: %[[LOW:.*]] = arith.trunci %[[BITS]] : i64 to i16
// CHECK: %[[VALUE:.*]] = arith.bitcast %[[LOW]] : i16 to f16
// CHECK: return %[[VALUE]] : f16
func.func @element(%a: memref<3x4xf16>) -> f16 {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %v = memref.load %a[%c1, %c2] : memref<3x4xf16>
  return %v : f16
}

// Indices host code computes without a loop variable (the bad id
// icl-check-indices reports) are one element too.
// CHECK-LABEL: func.func @computed
// CHECK: scf.if
// CHECK: arith.remui
// CHECK: call @icl_cuda_read_scalar
// CHECK-NOT: memref.load
func.func @computed(%ids: memref<2x5xi64>, %position: index, %found: i1) -> i64 {
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0 : i64
  %r = scf.if %found -> (i64) {
    %col = arith.remui %position, %c5 : index
    %row = arith.divui %position, %c5 : index
    %id = memref.load %ids[%row, %col] : memref<2x5xi64>
    scf.yield %id : i64
  } else {
    scf.yield %zero : i64
  }
  return %r : i64
}

// A load indexed by a loop variable is an element loop: left for
// icl-gpu-host-memory to report. Stack memory is host memory.
// CHECK-LABEL: func.func @loop
// CHECK: memref.load %arg0[%{{.*}}] : memref<4xf32>
// CHECK: memref.load %{{.*}}[%c0] : memref<2xi1>
// CHECK-NOT: icl_cuda_read_scalar
func.func @loop(%a: memref<4xf32>) -> (f32, i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %a[%i] : memref<4xf32>
    %y = arith.addf %acc, %x : f32
    scf.yield %y : f32
  }
  %flags = memref.alloca() : memref<2xi1>
  %f = memref.load %flags[%c0] : memref<2xi1>
  return %s, %f : f32, i1
}
