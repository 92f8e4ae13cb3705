// One gpu.module per model: kernels are renamed after their modules.
// RUN: icl-opt %s --icl-gpu-merge-modules | FileCheck %s

// CHECK: gpu.module @icl_kernels {
// CHECK-DAG: gpu.func @f_kernel(
// CHECK-DAG: gpu.func @f_kernel_0(
// CHECK-DAG: gpu.func @attn_partial(
// CHECK-DAG: gpu.func @attn_combine(
// CHECK-NOT: gpu.module
// CHECK: gpu.launch_func @icl_kernels::@f_kernel blocks
// CHECK: gpu.launch_func @icl_kernels::@f_kernel_0 blocks
// CHECK: gpu.launch_func @icl_kernels::@attn_partial blocks
// CHECK: gpu.launch_func @icl_kernels::@attn_combine blocks
module attributes {gpu.container_module} {
  gpu.module @f_kernel {
    gpu.func @f_kernel(%x: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%x: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @attn {
    gpu.func @icl_partial(%x: memref<4xf32>) kernel { gpu.return }
    gpu.func @icl_combine(%x: memref<4xf32>) kernel { gpu.return }
  }
  func.func @f(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @attn::@icl_partial blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @attn::@icl_combine blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
}
