// The host-only arrays of lowered deallocations move to the host stack; the
// private helper they are passed to is marked as taking host buffers.
// RUN: icl-opt %s --icl-gpu-host-scratch | FileCheck %s

// CHECK-LABEL: func.func private @dealloc_helper
// CHECK-SAME: icl.host_buffers
func.func private @dealloc_helper(%ptrs: memref<?xindex>, %flags: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %true = arith.constant true
  memref.store %true, %flags[%c0] : memref<?xi1>
  return
}

// CHECK-LABEL: func.func @loop
// CHECK-NEXT: %[[PTRS:.*]] = memref.alloca() : memref<2xindex>
// CHECK-NEXT: %[[FLAGS:.*]] = memref.alloca() : memref<2xi1>
// CHECK: scf.for
// CHECK-NOT: memref.alloc()
// CHECK: memref.store %{{.*}}, %[[PTRS]][%c0] : memref<2xindex>
// CHECK: call @dealloc_helper
// CHECK: memref.load %[[FLAGS]][%c0] : memref<2xi1>
// CHECK-NOT: memref.dealloc %[[PTRS]]
// CHECK-NOT: memref.dealloc %[[FLAGS]]
// A buffer a kernel writes stays device memory.
// CHECK: memref.alloc() : memref<8xf32>
func.func @loop(%n: index, %buffer: memref<8xf32>) -> i1 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %false = arith.constant false
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %false) -> (i1) {
    %ptrs = memref.alloc() : memref<2xindex>
    %flags = memref.alloc() : memref<2xi1>
    %p = memref.extract_aligned_pointer_as_index %buffer : memref<8xf32> -> index
    memref.store %p, %ptrs[%c0] : memref<2xindex>
    %pc = memref.cast %ptrs : memref<2xindex> to memref<?xindex>
    %fc = memref.cast %flags : memref<2xi1> to memref<?xi1>
    func.call @dealloc_helper(%pc, %fc) : (memref<?xindex>, memref<?xi1>) -> ()
    %f = memref.load %flags[%c0] : memref<2xi1>
    memref.dealloc %ptrs : memref<2xindex>
    memref.dealloc %flags : memref<2xi1>
    scf.yield %f : i1
  }
  %device = memref.alloc() : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %one = arith.constant 1.0 : f32
    memref.store %one, %device[%c0] : memref<8xf32>
    gpu.terminator
  }
  return %r : i1
}
