// icl-cuda-linear: bf16/f16 icl.linear of static shapes with K a multiple of
// 8 become launches of @icl_gemm, built per element type, tile and epilogue;
// the sole consumers (an icl.activation, then an arith.addf with a tensor of
// the same type) are folded into the epilogue. The grid, block, shared memory
// and argument order come from the kernel's launch spec. Numerics are checked
// on the GPU by test/e2e/gemm.mlir, the PTX by test/e2e/cuda-ptx.test.
//
// RUN: icl-opt %s --icl-cuda-linear --split-input-file | FileCheck %s
// RUN: icl-opt %s --icl-cuda-linear="tile=128x64x64x3x2x1" --split-input-file | FileCheck %s --check-prefix=TILE
// RUN: icl-opt %s --icl-cuda-linear="f32=tf32" --split-input-file | FileCheck %s --check-prefix=TF32
// RUN: icl-opt %s --icl-cuda-linear="f32=off" --split-input-file | FileCheck %s --check-prefix=OFF
// RUN: not icl-opt %s --icl-cuda-linear="tile=128x64" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not icl-opt %s --icl-cuda-linear="tile=80x64x32x4" --split-input-file 2>&1 | FileCheck %s --check-prefix=INVALID

// Linear, GELU and residual in one kernel: M = 32 rows, N = 96, K = 256;
// 64x64 tiles (too few blocks for larger ones on 132 SMs): grid (2, 1), 128
// threads, 4 stages of (64 + 64) rows of 32 + 8 bf16 = 40960 bytes.
// CHECK-LABEL: func.func @chain(
// CHECK-NOT:     icl.
// CHECK-DAG:     %[[M:.*]] = arith.constant 32 : i32
// CHECK-DAG:     %[[N:.*]] = arith.constant 96 : i32
// CHECK-DAG:     %[[K:.*]] = arith.constant 256 : i32
// CHECK-DAG:     %[[GX:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[T:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[SMEM:.*]] = arith.constant 40960 : i32
// CHECK:         gpu.launch_func @icl_gemm_bf16_64x64x32x4_w2x2_bias_gelu_residual::@icl_gemm blocks in (%[[GX]], %{{.*}}, %{{.*}}) threads in (%[[T]], %{{.*}}, %{{.*}}) dynamic_shared_memory_size %[[SMEM]] args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %[[M]] : i32, %[[N]] : i32, %[[K]] : i32)
// CHECK-NOT:     arith.addf
// CHECK:         return
// CHECK:       gpu.module @icl_gemm_bf16_64x64x32x4_w2x2_bias_gelu_residual
// CHECK:         gpu.func @icl_gemm({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK-COUNT-3: nvvm.cp.async.commit.group
// CHECK:         scf.for
// CHECK:           nvvm.cp.async.wait.group 2
// CHECK:           gpu.barrier
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           nvvm.ldmatrix
// CHECK:           nvvm.mma.sync
// CHECK:         math.erf
// TILE-LABEL:  func.func @chain(
// TILE:          gpu.launch_func @icl_gemm_bf16_128x64x64x3_w2x1_bias_gelu_residual::@icl_gemm
func.func @chain(%x: tensor<2x16x256xbf16>, %w: tensor<96x256xbf16>, %b: tensor<96xbf16>, %r: tensor<2x16x96xbf16>) -> tensor<2x16x96xbf16> {
  %y = icl.linear %x, %w bias(%b) : (tensor<2x16x256xbf16>, tensor<96x256xbf16>, tensor<96xbf16>) -> tensor<2x16x96xbf16>
  %z = icl.activation %y {kind = #icl.activation<gelu>} : tensor<2x16x96xbf16>
  %s = arith.addf %z, %r : tensor<2x16x96xbf16>
  return %s : tensor<2x16x96xbf16>
}
// BAD: GEMM tile '128x64' must be BMxBNxBKxSTAGES
// INVALID: no GEMM kernel for 'bf16' tiles of 80x64x32 on 2x2 warps, 4 stages: a warp tile must be a multiple of 16 in both dimensions

// -----

// A large problem takes 128x128 tiles. A linear whose result has two users
// keeps its activation apart (a kernel of icl-decompose later); one whose
// activation is added to itself folds the activation only (x + x is no
// residual). Linears of
// one instance share its kernel.
// CHECK-LABEL: func.func @shared(
// CHECK:         gpu.launch_func @icl_gemm_f16_128x128x32x4_w2x2_bias::@icl_gemm
// CHECK:         icl.activation
// CHECK:         gpu.launch_func @icl_gemm_f16_128x128x32x4_w2x2_bias_relu::@icl_gemm
// CHECK:         arith.addf
// CHECK:         gpu.launch_func @icl_gemm_f16_128x128x32x4_w2x2_bias::@icl_gemm
// CHECK:         return
// CHECK-NOT:   gpu.module @icl_gemm_f16_128x128x32x4_w2x2_bias_1
func.func @shared(%x: tensor<4096x256xf16>, %w: tensor<1024x256xf16>, %b: tensor<1024xf16>) -> (tensor<4096x1024xf16>, tensor<4096x1024xf16>, tensor<4096x1024xf16>, tensor<4096x1024xf16>) {
  %y = icl.linear %x, %w bias(%b) : (tensor<4096x256xf16>, tensor<1024x256xf16>, tensor<1024xf16>) -> tensor<4096x1024xf16>
  %z = icl.activation %y {kind = #icl.activation<silu>} : tensor<4096x1024xf16>
  %y1 = icl.linear %x, %w bias(%b) : (tensor<4096x256xf16>, tensor<1024x256xf16>, tensor<1024xf16>) -> tensor<4096x1024xf16>
  %z1 = icl.activation %y1 {kind = #icl.activation<relu>} : tensor<4096x1024xf16>
  %s = arith.addf %z1, %z1 : tensor<4096x1024xf16>
  %y2 = icl.linear %x, %w bias(%b) : (tensor<4096x256xf16>, tensor<1024x256xf16>, tensor<1024xf16>) -> tensor<4096x1024xf16>
  return %y, %z, %s, %y2 : tensor<4096x1024xf16>, tensor<4096x1024xf16>, tensor<4096x1024xf16>, tensor<4096x1024xf16>
}

// -----

// f32 goes through tf32 mma, by default with the operands split in two
// (tf32x3); f32=tf32 takes one product, f32=off leaves it alone. BK is 64
// bytes: 16 f32.
// CHECK-LABEL: func.func @f32(
// CHECK:         gpu.launch_func @icl_gemm_f32_64x64x16x4_w2x2_tf32x3::@icl_gemm
// CHECK:       gpu.module @icl_gemm_f32_64x64x16x4_w2x2_tf32x3
// CHECK-COUNT-3: nvvm.mma.sync {{.*}}tf32
// TF32-LABEL:  func.func @f32(
// TF32:          gpu.launch_func @icl_gemm_f32_64x64x16x4_w2x2_tf32::@icl_gemm
// OFF-LABEL:   func.func @f32(
// OFF:           icl.linear
// OFF-NOT:       gpu.launch_func
func.func @f32(%a: tensor<8x64xf32>, %wa: tensor<16x64xf32>) -> tensor<8x16xf32> {
  %0 = icl.linear %a, %wa : (tensor<8x64xf32>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

// Left to icl-decompose: rows of K not a multiple of 16 bytes.
// CHECK-LABEL: func.func @left(
// OFF-LABEL:   func.func @left(
// CHECK-NOT:     gpu.launch_func
// CHECK-COUNT-2: icl.linear
func.func @left(%a: tensor<8x34xf32>, %wa: tensor<16x34xf32>, %c: tensor<8x33xbf16>, %wc: tensor<16x33xbf16>) -> (tensor<8x16xf32>, tensor<8x16xbf16>) {
  %0 = icl.linear %a, %wa : (tensor<8x34xf32>, tensor<16x34xf32>) -> tensor<8x16xf32>
  %1 = icl.linear %c, %wc : (tensor<8x33xbf16>, tensor<16x33xbf16>) -> tensor<8x16xbf16>
  return %0, %1 : tensor<8x16xf32>, tensor<8x16xbf16>
}

// -----

// K = 32 is one step: the ring has two slots, not four (20480 bytes).
// CHECK-LABEL: func.func @short_k(
// CHECK:         gpu.launch_func @icl_gemm_bf16_64x64x32x2_w2x2::@icl_gemm {{.*}} dynamic_shared_memory_size %c20480_i32
func.func @short_k(%x: tensor<8x32xbf16>, %w: tensor<16x32xbf16>) -> tensor<8x16xbf16> {
  %0 = icl.linear %x, %w : (tensor<8x32xbf16>, tensor<16x32xbf16>) -> tensor<8x16xbf16>
  return %0 : tensor<8x16xbf16>
}
