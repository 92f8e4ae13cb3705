// Math in kernels needs no libdevice: approximations, expansions, and LLVM
// intrinsics NVPTX lowers natively; half precision is computed in f32.
// RUN: icl-opt %s --pass-pipeline="builtin.module(gpu.module(icl-gpu-prepare-kernels))" | FileCheck %s

// CHECK-LABEL: gpu.func @k
// CHECK-NOT: math.
// CHECK-NOT: arith.maxnumf
// CHECK-NOT: arith.maximumf
// CHECK-DAG: llvm.call_intrinsic "llvm.sqrt.f32"
// CHECK-DAG: llvm.call_intrinsic "llvm.maxnum.f32"
// CHECK-DAG: llvm.call_intrinsic "llvm.maximum.f32"
// CHECK-DAG: llvm.call_intrinsic "llvm.fma.f32"
// CHECK-DAG: arith.truncf %{{.*}} : f32 to bf16
// CHECK: gpu.return
gpu.module @m {
  gpu.func @k(%x: memref<4xf32>, %y: memref<4xbf16>) kernel {
    %c0 = arith.constant 0 : index
    %a = memref.load %x[%c0] : memref<4xf32>
    %e = math.exp %a : f32
    %t = math.tanh %e : f32
    %s = math.sqrt %t : f32
    %m = arith.maxnumf %s, %a : f32
    %r = math.rsqrt %m : f32
    %p = math.powf %r, %a : f32
    memref.store %p, %x[%c0] : memref<4xf32>
    %c1 = arith.constant 1 : index
    %b = memref.load %y[%c0] : memref<4xbf16>
    %b1 = memref.load %y[%c1] : memref<4xbf16>
    %bm = arith.maximumf %b, %b1 : bf16
    %be = math.erf %bm : bf16
    memref.store %be, %y[%c0] : memref<4xbf16>
    gpu.return
  }
}
