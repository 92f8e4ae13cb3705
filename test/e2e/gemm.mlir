// Native code against the reference evaluator: bf16/f16/f32 icl.linear, which the
// CUDA pipeline runs as icl's tensor-core GEMM kernel (icl-cuda-linear) with
// bias, activation and residual add in its epilogue; shapes that are not
// multiples of the tiles (M = 1, N = 1, odd N, K = 40) and long K. f32
// accumulation, one rounding at the end (the reference rounds after each op:
// the default bound of the dtype holds both).
// RUN: icl-compile %s --target=cuda --emit=ptx -o %t.ptx
// RUN: grep -c '.entry icl_gemm_' %t.ptx | FileCheck %s --check-prefix=KERNELS
// Nine kernels for the nine cases with rows of K a multiple of 16 bytes (the
// stages follow K, so no two share one).
// KERNELS: 9
// RUN: icl-run %s --function gemm_bf16_m1_n1000 --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_bf16_m1_n1000
// RUN: %if cuda-device %{ icl-run %s --function gemm_bf16_m1_n1000 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_bf16_m1_n1000 %}
// RUN: icl-run %s --function gemm_bf16_odd_n --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_bf16_odd_n
// RUN: %if cuda-device %{ icl-run %s --function gemm_bf16_odd_n --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_bf16_odd_n %}
// RUN: icl-run %s --function gemm_f16_k33 --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_f16_k33
// RUN: %if cuda-device %{ icl-run %s --function gemm_f16_k33 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_f16_k33 %}
// RUN: icl-run %s --function gemm_bf16_silu_residual --random-inputs 1 --check --tolerance 2.5e-2 | FileCheck %s --check-prefix=gemm_bf16_silu_residual
// RUN: %if cuda-device %{ icl-run %s --function gemm_bf16_silu_residual --random-inputs 1 --check --tolerance 2.5e-2 --device=cuda | FileCheck %s --check-prefix=gemm_bf16_silu_residual %}
// RUN: icl-run %s --function gemm_f16_relu_residual_lhs --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_f16_relu_residual_lhs
// RUN: %if cuda-device %{ icl-run %s --function gemm_f16_relu_residual_lhs --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_f16_relu_residual_lhs %}
// RUN: icl-run %s --function gemm_f16_gelu_tiles --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_f16_gelu_tiles
// RUN: %if cuda-device %{ icl-run %s --function gemm_f16_gelu_tiles --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_f16_gelu_tiles %}
// RUN: icl-run %s --function gemm_bf16_n1 --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_bf16_n1
// RUN: %if cuda-device %{ icl-run %s --function gemm_bf16_n1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_bf16_n1 %}
// RUN: icl-run %s --function gemm_bf16_long_k --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_bf16_long_k
// RUN: %if cuda-device %{ icl-run %s --function gemm_bf16_long_k --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_bf16_long_k %}
// RUN: icl-run %s --function gemm_f32_gelu_residual --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_f32_gelu_residual
// RUN: %if cuda-device %{ icl-run %s --function gemm_f32_gelu_residual --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_f32_gelu_residual %}
// RUN: icl-run %s --function gemm_f32_long_k --random-inputs 1 --check | FileCheck %s --check-prefix=gemm_f32_long_k
// RUN: %if cuda-device %{ icl-run %s --function gemm_f32_long_k --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=gemm_f32_long_k %}

// M = 1, N = 1000: one row of 64x64 blocks, most rows zero-filled
func.func @gemm_bf16_m1_n1000(%x: tensor<1x64xbf16>, %w: tensor<1000x64xbf16>, %b: tensor<1000xbf16>) -> tensor<1x1000xbf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<1x64xbf16>, tensor<1000x64xbf16>, tensor<1000xbf16>) -> tensor<1x1000xbf16>
  return %0 : tensor<1x1000xbf16>
}
// gemm_bf16_m1_n1000: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// odd N (scalar stores), K = 40: one partial 32-deep step
func.func @gemm_bf16_odd_n(%x: tensor<2x77x40xbf16>, %w: tensor<999x40xbf16>, %b: tensor<999xbf16>) -> tensor<2x77x999xbf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<2x77x40xbf16>, tensor<999x40xbf16>, tensor<999xbf16>) -> tensor<2x77x999xbf16>
  %1 = icl.activation %0 {kind = #icl.activation<gelu_tanh>} : tensor<2x77x999xbf16>
  return %1 : tensor<2x77x999xbf16>
}
// gemm_bf16_odd_n: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// K = 33 (rows not 16-byte multiples): not a GEMM kernel, the generic path
func.func @gemm_f16_k33(%x: tensor<5x33xf16>, %w: tensor<24x33xf16>, %b: tensor<24xf16>) -> tensor<5x24xf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<5x33xf16>, tensor<24x33xf16>, tensor<24xf16>) -> tensor<5x24xf16>
  return %0 : tensor<5x24xf16>
}
// gemm_f16_k33: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// bias, SiLU and a residual added on the right. The reference rounds SiLU's
// output (up to 13) to bf16 before the add, one ulp of 2^-4 where the sum
// cancels to near 0; the kernel adds in f32. Hence 2.5e-2·(|ref| + rms(ref)),
// about 3 ulps of bf16 at the result's rms, not the default 2.
func.func @gemm_bf16_silu_residual(%x: tensor<130x96xbf16>, %w: tensor<200x96xbf16>, %b: tensor<200xbf16>, %r: tensor<130x200xbf16>) -> tensor<130x200xbf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<130x96xbf16>, tensor<200x96xbf16>, tensor<200xbf16>) -> tensor<130x200xbf16>
  %1 = icl.activation %0 {kind = #icl.activation<silu>} : tensor<130x200xbf16>
  %2 = arith.addf %1, %r : tensor<130x200xbf16>
  return %2 : tensor<130x200xbf16>
}
// gemm_bf16_silu_residual: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// no bias, ReLU, the residual on the left
func.func @gemm_f16_relu_residual_lhs(%x: tensor<3x33x128xf16>, %w: tensor<64x128xf16>, %r: tensor<3x33x64xf16>) -> tensor<3x33x64xf16> {
  %0 = icl.linear %x, %w : (tensor<3x33x128xf16>, tensor<64x128xf16>) -> tensor<3x33x64xf16>
  %1 = icl.activation %0 {kind = #icl.activation<relu>} : tensor<3x33x64xf16>
  %2 = arith.addf %r, %1 : tensor<3x33x64xf16>
  return %2 : tensor<3x33x64xf16>
}
// gemm_f16_relu_residual_lhs: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// 8 steps of 32 (more than the 4 stages), partial blocks in M and N
func.func @gemm_f16_gelu_tiles(%x: tensor<300x256xf16>, %w: tensor<520x256xf16>, %b: tensor<520xf16>) -> tensor<300x520xf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<300x256xf16>, tensor<520x256xf16>, tensor<520xf16>) -> tensor<300x520xf16>
  %1 = icl.activation %0 {kind = #icl.activation<gelu>} : tensor<300x520xf16>
  return %1 : tensor<300x520xf16>
}
// gemm_f16_gelu_tiles: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// N = 1
func.func @gemm_bf16_n1(%x: tensor<17x64xbf16>, %w: tensor<1x64xbf16>) -> tensor<17x1xbf16> {
  %0 = icl.linear %x, %w : (tensor<17x64xbf16>, tensor<1x64xbf16>) -> tensor<17x1xbf16>
  return %0 : tensor<17x1xbf16>
}
// gemm_bf16_n1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// K = 4096: 128 steps through the ring
func.func @gemm_bf16_long_k(%x: tensor<64x4096xbf16>, %w: tensor<64x4096xbf16>, %b: tensor<64xbf16>) -> tensor<64x64xbf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<64x4096xbf16>, tensor<64x4096xbf16>, tensor<64xbf16>) -> tensor<64x64xbf16>
  return %0 : tensor<64x64xbf16>
}
// gemm_bf16_long_k: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// f32 through tf32x3: K = 36 (a multiple of 4 f32, not of 8), N = 130, GELU and a residual
func.func @gemm_f32_gelu_residual(%x: tensor<3x50x36xf32>, %w: tensor<130x36xf32>, %b: tensor<130xf32>, %r: tensor<3x50x130xf32>) -> tensor<3x50x130xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<3x50x36xf32>, tensor<130x36xf32>, tensor<130xf32>) -> tensor<3x50x130xf32>
  %1 = icl.activation %0 {kind = #icl.activation<gelu>} : tensor<3x50x130xf32>
  %2 = arith.addf %1, %r : tensor<3x50x130xf32>
  return %2 : tensor<3x50x130xf32>
}
// gemm_f32_gelu_residual: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// f32 through tf32x3 with K = 1024: the rests keep f32's accuracy (one tf32 product would be off by ~1e-3)
func.func @gemm_f32_long_k(%x: tensor<20x1024xf32>, %w: tensor<48x1024xf32>, %b: tensor<48xf32>) -> tensor<20x48xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<20x1024xf32>, tensor<48x1024xf32>, tensor<48xf32>) -> tensor<20x48xf32>
  return %0 : tensor<20x48xf32>
}
// gemm_f32_long_k: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
