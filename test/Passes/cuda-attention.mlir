// icl.attention on bf16/f16 with head dims 64/128 becomes launches of icl's
// attention kernels, built for the element type and head dimension: one fused
// prefill kernel (grid ceil(Sq/128) x Hq x B, 128 threads, 104448 B of shared
// memory at D=128), or for few query rows per kv head the split-KV decode
// kernel (splits of >= 512 keys) and its combine. The launches take block
// size, shared memory, rows per block and argument order from the kernels'
// launch specs (the block size is the kernel's known_block_size, checked
// below). Other attention (f32 here) is left to icl-decompose.
// RUN: icl-opt %s --icl-cuda-attention --canonicalize | FileCheck %s

// CHECK: module attributes {gpu.container_module}
// The launch arguments after the buffers (q, k, v, out, mask, key sizes) carry
// the math: Hq, the GQA group Hq/Hkv, Sq, Skv, scale·log2(e), the mask kind
// (0 none, 1 causal, 2 sliding window), the window, whether a mask tensor is
// given, its four element strides, whether key sizes are given. Here: 8 heads
// over 2 kv heads (group 4), causal, scale 1/sqrt(128) (0.0883883·1.4426950).
// CHECK-LABEL: func.func @prefill
// CHECK: %[[SCALE:.*]] = arith.constant 0.127517432 : f32
// CHECK: bufferization.to_buffer %{{.*}} read_only
// CHECK: gpu.launch_func @icl_flash_attention_bf16_d128::@icl_flash_attention blocks in (%c3, %c8, %c2) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c104448_i32
// CHECK-SAME: args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>,
// CHECK-SAME: %c8_i32 : i32, %c4_i32 : i32, %c300_i32 : i32, %c300_i32 : i32, %[[SCALE]] : f32, %c1_i32 : i32, %c0_i32 : i32, %c0_i32 : i32, %c0_i64 : i64, %c0_i64 : i64, %c0_i64 : i64, %c0_i64 : i64, %c0_i32 : i32)
// CHECK: bufferization.to_tensor %{{.*}} restrict writable
// CHECK-NOT: icl.attention
// CHECK-LABEL: func.func @decode
// CHECK: %[[DSCALE:.*]] = arith.constant 0.180336878 : f32
// CHECK: arith.extf %{{.*}} : tensor<1x1x1x5000xf16> to tensor<1x1x1x5000xf32>
// Decode: the same arguments, then the keys per split and the split count;
// no mask kind, a [1,1,1,5000] mask tensor (strides 0, 0, 0, 1), scale
// 1/sqrt(64)·log2(e).
// CHECK: gpu.launch_func @icl_decode_attention_f16_d64::@icl_decode_partial blocks in (%c10, %c2, %c1) threads in (%c128, %c1, %c1)
// CHECK-SAME: %c8_i32 : i32, %c4_i32 : i32, %c1_i32 : i32, %c5000_i32 : i32, %[[DSCALE]] : f32, %c0_i32 : i32, %c0_i32 : i32, %c1_i32 : i32, %c0_i64 : i64, %c0_i64 : i64, %c0_i64 : i64, %c1_i64 : i64, %c0_i32 : i32, %c512_i32 : i32, %c10_i32 : i32)
// CHECK: gpu.launch_func @icl_decode_attention_f16_d64::@icl_decode_combine blocks in (%c8, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK-SAME: %c8_i32 : i32, %c4_i32 : i32, %c1_i32 : i32, %c10_i32 : i32)
// CHECK-LABEL: func.func @f32
// CHECK: icl.attention

func.func @prefill(%q: tensor<2x8x300x128xbf16>, %k: tensor<2x2x300x128xbf16>, %v: tensor<2x2x300x128xbf16>) -> tensor<2x8x300x128xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x300x128xbf16>, tensor<2x2x300x128xbf16>, tensor<2x2x300x128xbf16>) -> tensor<2x8x300x128xbf16>
  return %0 : tensor<2x8x300x128xbf16>
}
func.func @decode(%q: tensor<1x8x1x64xf16>, %k: tensor<1x2x5000x64xf16>, %v: tensor<1x2x5000x64xf16>, %m: tensor<1x1x1x5000xf16>) -> tensor<1x8x1x64xf16> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<1x8x1x64xf16>, tensor<1x2x5000x64xf16>, tensor<1x2x5000x64xf16>, tensor<1x1x1x5000xf16>) -> tensor<1x8x1x64xf16>
  return %0 : tensor<1x8x1x64xf16>
}
func.func @f32(%q: tensor<1x2x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return %0 : tensor<1x2x16x64xf32>
}

// A window beyond 2^30 keys reaches the kernel as 2^30 (every causal key).
// CHECK-LABEL: func.func @huge_window
// CHECK: %[[W:.*]] = arith.constant 1073741824 : i32
// CHECK: gpu.launch_func @icl_flash_attention_bf16_d128::@icl_flash_attention
// CHECK-SAME: %c2_i32 : i32, %c1_i32 : i32, %c300_i32 : i32, %c300_i32 : i32, %{{.*}} : f32, %c2_i32 : i32, %[[W]] : i32, %c0_i32 : i32,
func.func @huge_window(%q: tensor<1x2x300x128xbf16>, %k: tensor<1x2x300x128xbf16>, %v: tensor<1x2x300x128xbf16>) -> tensor<1x2x300x128xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 4294967296 : i64} : (tensor<1x2x300x128xbf16>, tensor<1x2x300x128xbf16>, tensor<1x2x300x128xbf16>) -> tensor<1x2x300x128xbf16>
  return %0 : tensor<1x2x300x128xbf16>
}

// No keys, a rank-0 mask, a scale that overflows f32: left to icl-decompose.
// CHECK-LABEL: func.func @no_keys
// CHECK: icl.attention
func.func @no_keys(%q: tensor<1x2x30x64xf16>, %k: tensor<1x2x0x64xf16>, %v: tensor<1x2x0x64xf16>) -> tensor<1x2x30x64xf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x2x30x64xf16>, tensor<1x2x0x64xf16>, tensor<1x2x0x64xf16>) -> tensor<1x2x30x64xf16>
  return %0 : tensor<1x2x30x64xf16>
}
// CHECK-LABEL: func.func @scalar_mask
// CHECK: icl.attention
func.func @scalar_mask(%q: tensor<1x2x30x64xf16>, %k: tensor<1x2x30x64xf16>, %v: tensor<1x2x30x64xf16>, %m: tensor<f16>) -> tensor<1x2x30x64xf16> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<1x2x30x64xf16>, tensor<1x2x30x64xf16>, tensor<1x2x30x64xf16>, tensor<f16>) -> tensor<1x2x30x64xf16>
  return %0 : tensor<1x2x30x64xf16>
}
// CHECK-LABEL: func.func @huge_scale
// CHECK: icl.attention
func.func @huge_scale(%q: tensor<1x2x30x64xf16>, %k: tensor<1x2x30x64xf16>, %v: tensor<1x2x30x64xf16>) -> tensor<1x2x30x64xf16> {
  %0 = icl.attention %q, %k, %v {scale = 1.0e39 : f64} : (tensor<1x2x30x64xf16>, tensor<1x2x30x64xf16>, tensor<1x2x30x64xf16>) -> tensor<1x2x30x64xf16>
  return %0 : tensor<1x2x30x64xf16>
}

// The kernels, one instance per kind, element type and head dimension (the
// huge window reuses the prefill kernel), in the order of first use.
// CHECK: gpu.module @icl_flash_attention_bf16_d128 attributes {icl.kernel = "icl_flash_attention_bf16_d128"}
// CHECK-NEXT: gpu.func @icl_flash_attention({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK: gpu.module @icl_decode_attention_f16_d64 attributes {icl.kernel = "icl_decode_attention_f16_d64"}
// CHECK-NEXT: gpu.func @icl_decode_partial({{.*}}) workgroup({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.maxntid = array<i32: 128, 1, 1>}
// CHECK: gpu.func @icl_decode_combine({{.*}}) workgroup({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>, nvvm.maxntid = array<i32: 256, 1, 1>}
// CHECK-NOT: gpu.module
