// icl-cuda-scans: static selective scans become one launch of
// @icl_selective_scan built for their shapes and operands, one thread per
// (batch, channel), the block size and argument order read from the
// kernel's launch spec. Numerics are checked on the GPU by
// test/e2e/scans.mlir (groups, D, z, Δ bias, initial and final states) and
// the bf16 G6 of bench/gpu, the PTX by test/e2e/cuda-ptx.test.
//
// RUN: icl-opt %s --icl-cuda-scans | FileCheck %s

// B2 D6 N4 L9 in 3 groups with every optional operand: 12 channels, one
// block of 128 threads; both results are new buffers.
// CHECK-LABEL: func.func @all_operands(
// CHECK:         %[[THREADS:.*]] = arith.constant 128 : index
// CHECK:         gpu.launch_func @icl_selective_scan_f32_b2_d6_n4_l9_g3_D_z_bias_softplus_h0_hT::@icl_selective_scan blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%[[THREADS]], %{{.*}}, %{{.*}}) {{.*}} args(%{{.*}} : memref<?xf32>, {{.*}}%{{.*}} : memref<?xf32>)
// CHECK-COUNT-2: bufferization.to_tensor
// CHECK-NOT:     icl.selective_scan
func.func @all_operands(%u: tensor<2x6x9xf32>, %dt: tensor<2x6x9xf32>, %a: tensor<6x4xf32>, %b: tensor<2x3x4x9xf32>, %c: tensor<2x3x4x9xf32>, %d: tensor<6xf32>, %z: tensor<2x6x9xf32>, %db: tensor<6xf32>, %h0: tensor<2x6x4xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>) {
  %y, %h = icl.selective_scan %u, %dt, %a, %b, %c D(%d) z(%z) delta_bias(%db) initial_state(%h0) {delta_softplus, return_final_state}
    : (tensor<2x6x9xf32>, tensor<2x6x9xf32>, tensor<6x4xf32>, tensor<2x3x4x9xf32>, tensor<2x3x4x9xf32>, tensor<6xf32>, tensor<2x6x9xf32>, tensor<6xf32>, tensor<2x6x4xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>)
  return %y, %h : tensor<2x6x9xf32>, tensor<2x6x4xf32>
}

// bf16, the G6 shape: 40960 channels in 320 blocks.
// CHECK-LABEL: func.func @g6(
// CHECK:         %[[BLOCKS:.*]] = arith.constant 320 : index
// CHECK:         gpu.launch_func @icl_selective_scan_bf16_b8_d5120_n16_l4096_g1_D_z_softplus::@icl_selective_scan blocks in (%[[BLOCKS]],
func.func @g6(%u: tensor<8x5120x4096xbf16>, %dt: tensor<8x5120x4096xbf16>, %a: tensor<5120x16xbf16>, %b: tensor<8x1x16x4096xbf16>, %c: tensor<8x1x16x4096xbf16>, %d: tensor<5120xbf16>, %z: tensor<8x5120x4096xbf16>) -> tensor<8x5120x4096xbf16> {
  %y = icl.selective_scan %u, %dt, %a, %b, %c D(%d) z(%z) {delta_softplus}
    : (tensor<8x5120x4096xbf16>, tensor<8x5120x4096xbf16>, tensor<5120x16xbf16>, tensor<8x1x16x4096xbf16>, tensor<8x1x16x4096xbf16>, tensor<5120xbf16>, tensor<8x5120x4096xbf16>) -> tensor<8x5120x4096xbf16>
  return %y : tensor<8x5120x4096xbf16>
}

// A dynamic length, or a state over 64, is left to icl-decompose.
// CHECK-LABEL: func.func @left(
// CHECK:         icl.selective_scan
// CHECK:         icl.selective_scan
func.func @left(%u: tensor<1x2x?xf32>, %dt: tensor<1x2x?xf32>, %a: tensor<2x4xf32>, %b: tensor<1x1x4x?xf32>, %c: tensor<1x1x4x?xf32>,
                %u2: tensor<1x2x5xf32>, %a2: tensor<2x65xf32>, %b2: tensor<1x1x65x5xf32>) -> (tensor<1x2x?xf32>, tensor<1x2x5xf32>) {
  %y = icl.selective_scan %u, %dt, %a, %b, %c : (tensor<1x2x?xf32>, tensor<1x2x?xf32>, tensor<2x4xf32>, tensor<1x1x4x?xf32>, tensor<1x1x4x?xf32>) -> tensor<1x2x?xf32>
  %y2 = icl.selective_scan %u2, %u2, %a2, %b2, %b2 : (tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<2x65xf32>, tensor<1x1x65x5xf32>, tensor<1x1x65x5xf32>) -> tensor<1x2x5xf32>
  return %y, %y2 : tensor<1x2x?xf32>, tensor<1x2x5xf32>
}

// The kernel: tiles of 16 steps (f32) of u, δ and z staged in shared memory
// (128 rows of 17), the state in registers (4 values carried by the tile
// loop and the step loop), one exp (ex2) per state element and step after
// the softplus (ex2, lg2), then the z gate's ex2; the tile's y copied out
// between two barriers. Its 2 channels a group are fewer than a block, so B
// and C are read from global memory (no fourth and fifth buffer).
// CHECK-LABEL: gpu.module @icl_selective_scan_f32_b2_d6_n4_l9_g3_D_z_bias_softplus_h0_hT
// CHECK:         gpu.func @icl_selective_scan({{.*}} workgroup(%{{.*}} : memref<2176xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2176xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<2176xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for {{.*}} step %c16 iter_args({{[^)]*}}) -> (f32, f32, f32, f32)
// CHECK:             gpu.barrier
// CHECK:             scf.for {{.*}} iter_args({{[^)]*}}) -> (f32, f32, f32, f32)
// CHECK:               llvm.nvvm.ex2.approx.ftz.f
// CHECK-NEXT:          arith.addf
// CHECK-NEXT:          llvm.nvvm.lg2.approx.f
// CHECK-COUNT-5:       llvm.nvvm.ex2.approx.ftz.f
// CHECK:             gpu.barrier
// CHECK:             gpu.barrier

// G6 (5120 channels, one group): blocks of 128 rows stage B and C too, as
// [32 steps, 16 states] in f32.
// CHECK-LABEL: gpu.module @icl_selective_scan_bf16_b8_d5120_n16_l4096_g1_D_z_softplus
// CHECK:         gpu.func @icl_selective_scan({{.*}} workgroup({{.*}}memref<4352xbf16, #gpu.address_space<workgroup>>, {{.*}}memref<512xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<512xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for {{.*}} step %c32 iter_args(
