// Host code on the GPU target may only orchestrate kernels.
// RUN: icl-opt %s --icl-gpu-host-memory -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @views
// CHECK: memref.alloc
// CHECK: memref.subview
func.func @views() -> memref<2x4xf32, strided<[8, 1]>> {
  %a = memref.alloc() : memref<4x8xf32>
  %v = memref.subview %a[0, 0] [2, 4] [1, 1] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 1]>>
  return %v : memref<2x4xf32, strided<[8, 1]>>
}

// -----

func.func @load(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' would access device memory from the host: icl cannot run this computation on the GPU yet (compile with --target=x86)}}
  %x = memref.load %a[%c0] : memref<4xf32>
  return %x : f32
}

// -----

// Host memory (the stack) may be read and written.
// CHECK-LABEL: func.func @stack
// CHECK: memref.store
func.func @stack() -> i1 {
  %c0 = arith.constant 0 : index
  %true = arith.constant true
  %flags = memref.alloca() : memref<2xi1>
  memref.store %true, %flags[%c0] : memref<2xi1>
  %f = memref.load %flags[%c0] : memref<2xi1>
  return %f : i1
}
