// icl-cuda-rows: RMS and layer norms and last-axis softmax of static rows
// become launches of @icl_row_norm / @icl_row_softmax built for their form,
// element type and width, one block per row, the block size and argument
// order read from the kernel's launch spec. Numerics are checked on the GPU
// by test/e2e/norms.mlir (widths 1 to 1000, f32/bf16/f16, with and without
// γ/β) and test/e2e/softmax.mlir (rows of −∞, bf16 rows of 2000), the PTX by
// test/e2e/cuda-ptx.test.
//
// RUN: icl-opt %s --icl-cuda-rows | FileCheck %s

// 32 rows of 4096 bf16: 512 accesses of 16 bytes, 4 per thread of 128;
// γ is an argument, β is not.
// CHECK-LABEL: func.func @rms_bf16(
// CHECK:         %[[ROWS:.*]] = arith.constant 32 : index
// CHECK:         %[[THREADS:.*]] = arith.constant 128 : index
// CHECK:         gpu.launch_func @icl_rms_norm_bf16_w4096_g::@icl_row_norm blocks in (%[[ROWS]], %{{.*}}, %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) {{.*}} args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : f32)
// CHECK:         bufferization.to_tensor
func.func @rms_bf16(%x: tensor<2x16x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<2x16x4096xbf16> {
  %y = icl.rms_norm %x gamma(%g) {eps = 1.0e-05 : f64} : (tensor<2x16x4096xbf16>, tensor<4096xbf16>) -> tensor<2x16x4096xbf16>
  return %y : tensor<2x16x4096xbf16>
}

// A second op of the same instance reuses its kernel; a layer norm of 129
// f32 (no multiple of 4: one element an access) gets its own, of 64 threads
// with 3 accesses each, the last one past the row for most threads.
// CHECK-LABEL: func.func @shared_and_odd(
// CHECK:         gpu.launch_func @icl_rms_norm_bf16_w4096_g::@icl_row_norm
// CHECK:         gpu.launch_func @icl_layer_norm_f32_w129_g_b::@icl_row_norm
func.func @shared_and_odd(%x: tensor<3x4096xbf16>, %g: tensor<4096xbf16>, %z: tensor<5x129xf32>, %g2: tensor<129xf32>, %b2: tensor<129xf32>) -> (tensor<3x4096xbf16>, tensor<5x129xf32>) {
  %y = icl.rms_norm %x gamma(%g) {eps = 1.0e-05 : f64} : (tensor<3x4096xbf16>, tensor<4096xbf16>) -> tensor<3x4096xbf16>
  %w = icl.layer_norm %z gamma(%g2) beta(%b2) : (tensor<5x129xf32>, tensor<129xf32>, tensor<129xf32>) -> tensor<5x129xf32>
  return %y, %w : tensor<3x4096xbf16>, tensor<5x129xf32>
}

// Softmax along the last axis (-1 or rank - 1) is a row kernel with no eps;
// along another axis it is left to icl-decompose.
// CHECK-LABEL: func.func @softmax(
// CHECK:         gpu.launch_func @icl_softmax_f32_w33::@icl_row_softmax {{.*}} args(%{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>)
// CHECK:         gpu.launch_func @icl_softmax_f32_w33::@icl_row_softmax
// CHECK:         icl.softmax {{.*}}axis = 0
func.func @softmax(%x: tensor<7x33xf32>, %y: tensor<3x33xf32>, %z: tensor<37x6xf32>) -> (tensor<7x33xf32>, tensor<3x33xf32>, tensor<37x6xf32>) {
  %0 = icl.softmax %x : tensor<7x33xf32>
  %1 = icl.softmax %y {axis = 1 : i64} : tensor<3x33xf32>
  %2 = icl.softmax %z {axis = 0 : i64} : tensor<37x6xf32>
  return %0, %1, %2 : tensor<7x33xf32>, tensor<3x33xf32>, tensor<37x6xf32>
}

// Left to icl-decompose: dynamic rows, no rows, f64, and rows wider than
// 1024 threads keep in registers (more than 128 values each).
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT:     gpu.launch_func
// CHECK:         icl.rms_norm
// CHECK:         icl.rms_norm
// CHECK:         icl.layer_norm
// CHECK:         icl.rms_norm
// CHECK-NOT:     gpu.launch_func
// CHECK:         return
func.func @left_alone(%a: tensor<?x64xf32>, %b: tensor<0x64xf32>, %c: tensor<2x64xf64>, %d: tensor<2x262144xbf16>)
    -> (tensor<?x64xf32>, tensor<0x64xf32>, tensor<2x64xf64>, tensor<2x262144xbf16>) {
  %0 = icl.rms_norm %a : (tensor<?x64xf32>) -> tensor<?x64xf32>
  %1 = icl.rms_norm %b : (tensor<0x64xf32>) -> tensor<0x64xf32>
  %2 = icl.layer_norm %c : (tensor<2x64xf64>) -> tensor<2x64xf64>
  %3 = icl.rms_norm %d : (tensor<2x262144xbf16>) -> tensor<2x262144xbf16>
  return %0, %1, %2, %3 : tensor<?x64xf32>, tensor<0x64xf32>, tensor<2x64xf64>, tensor<2x262144xbf16>
}

// The kernel: known block size, one f32 per warp of workgroup memory,
// 16-byte loads, the square root rounded to nearest.
// CHECK:       gpu.module @icl_rms_norm_bf16_w4096_g attributes {icl.kernel = "icl_rms_norm_bf16_w4096_g"}
// CHECK:         gpu.func @icl_row_norm({{.*}}) workgroup(%{{.*}} : memref<4xf32, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK:           vector.load {{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// CHECK:           gpu.shuffle xor
// CHECK:           gpu.barrier
// CHECK:           llvm.call_intrinsic "llvm.nvvm.sqrt.rn.f"
// CHECK:           vector.store {{.*}} : memref<?xbf16>, vector<8xbf16>
// CHECK:       gpu.module @icl_layer_norm_f32_w129_g_b
// CHECK:         known_block_size = array<i32: 64, 1, 1>
