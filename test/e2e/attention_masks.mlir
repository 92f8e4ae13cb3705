// Native code against the reference evaluator: icl.attention with additive
// mask tensors broadcast from [Sq, Skv], [B, 1, 1, Skv] and other shapes;
// key_sizes (computed inside the function so they are >= 0: sigmoid gives
// positive sizes, relu some zero sizes, which mask their keys); mask tensors
// with rows that are entirely -inf, which give zeros on both sides.
// RUN: icl-run %s --function attn_mask_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_sq_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_sq_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_sq_skv %}
// RUN: icl-run %s --function attn_mask_sq_skv_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_sq_skv_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_sq_skv_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_sq_skv_causal %}
// RUN: icl-run %s --function attn_mask_b11s --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_b11s --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_b11s %}
// RUN: icl-run %s --function attn_mask_b11s_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_b11s_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_b11s_causal %}
// RUN: icl-run %s --function attn_mask_b11s_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_decode
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_b11s_decode --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_b11s_decode %}
// RUN: icl-run %s --function attn_mask_b11s_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_b11s_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_b11s_sliding %}
// RUN: icl-run %s --function attn_mask_full --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_full
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_full --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_full %}
// RUN: icl-run %s --function attn_mask_h_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_h_sq_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_h_sq_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_h_sq_skv %}
// RUN: icl-run %s --function attn_mask_11_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_11_sq_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_11_sq_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_11_sq_skv %}
// RUN: icl-run %s --function attn_mask_b1_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b1_sq_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_b1_sq_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_b1_sq_skv %}
// RUN: icl-run %s --function attn_mask_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_skv %}
// RUN: icl-run %s --function attn_mask_1_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_1_skv
// RUN: %if cuda-device %{ icl-run %s --function attn_mask_1_skv --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mask_1_skv %}
// RUN: icl-run %s --function attn_key_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes %}
// RUN: icl-run %s --function attn_key_sizes_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes_causal %}
// RUN: icl-run %s --function attn_key_sizes_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_decode
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes_decode --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes_decode %}
// RUN: icl-run %s --function attn_key_sizes_mask --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_mask
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes_mask --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes_mask %}
// RUN: icl-run %s --function attn_key_sizes_zeros --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_zeros
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes_zeros --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes_zeros %}
// RUN: icl-run %s --function attn_key_sizes_all_zero --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_all_zero
// RUN: %if cuda-device %{ icl-run %s --function attn_key_sizes_all_zero --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_key_sizes_all_zero %}
// RUN: icl-run %s --function attn_ninf_rows --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows
// RUN: %if cuda-device %{ icl-run %s --function attn_ninf_rows --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_ninf_rows %}
// RUN: icl-run %s --function attn_ninf_rows_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_ninf_rows_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_ninf_rows_causal %}
// RUN: icl-run %s --function attn_ninf_rows_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_ninf_rows_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_ninf_rows_sliding %}
// RUN: icl-run %s --function attn_ninf_all --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_all
// RUN: %if cuda-device %{ icl-run %s --function attn_ninf_all --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_ninf_all %}

func.func @attn_mask_sq_skv(%q: tensor<2x4x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>, %m: tensor<37x37xf32>) -> tensor<2x4x37x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>, tensor<37x37xf32>) -> tensor<2x4x37x40xf32>
  return %0 : tensor<2x4x37x40xf32>
}
// attn_mask_sq_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_sq_skv_causal(%q: tensor<1x4x13x64xf32>, %k: tensor<1x4x37x64xf32>, %v: tensor<1x4x37x64xf32>, %m: tensor<13x37xf32>) -> tensor<1x4x13x64xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<causal>} : (tensor<1x4x13x64xf32>, tensor<1x4x37x64xf32>, tensor<1x4x37x64xf32>, tensor<13x37xf32>) -> tensor<1x4x13x64xf32>
  return %0 : tensor<1x4x13x64xf32>
}
// attn_mask_sq_skv_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_b11s(%q: tensor<2x4x37x64xf32>, %k: tensor<2x2x37x64xf32>, %v: tensor<2x2x37x64xf32>, %m: tensor<2x1x1x37xf32>) -> tensor<2x4x37x64xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x37x64xf32>, tensor<2x2x37x64xf32>, tensor<2x2x37x64xf32>, tensor<2x1x1x37xf32>) -> tensor<2x4x37x64xf32>
  return %0 : tensor<2x4x37x64xf32>
}
// attn_mask_b11s: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_b11s_causal(%q: tensor<2x8x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>, %m: tensor<2x1x1x37xf32>) -> tensor<2x8x37x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<causal>} : (tensor<2x8x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x1x1x37xf32>) -> tensor<2x8x37x40xf32>
  return %0 : tensor<2x8x37x40xf32>
}
// attn_mask_b11s_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_b11s_decode(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x33x64xf32>, %v: tensor<2x2x33x64xf32>, %m: tensor<2x1x1x33xf32>) -> tensor<2x8x1x64xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<causal>} : (tensor<2x8x1x64xf32>, tensor<2x2x33x64xf32>, tensor<2x2x33x64xf32>, tensor<2x1x1x33xf32>) -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}
// attn_mask_b11s_decode: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_b11s_sliding(%q: tensor<2x4x37x40xf32>, %k: tensor<2x1x37x40xf32>, %v: tensor<2x1x37x40xf32>, %m: tensor<2x1x1x37xf32>) -> tensor<2x4x37x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<sliding_window>, window = 6 : i64} : (tensor<2x4x37x40xf32>, tensor<2x1x37x40xf32>, tensor<2x1x37x40xf32>, tensor<2x1x1x37xf32>) -> tensor<2x4x37x40xf32>
  return %0 : tensor<2x4x37x40xf32>
}
// attn_mask_b11s_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_full(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<2x4x13x13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x4x13x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_full: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_h_sq_skv(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<4x13x13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<causal>} : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<4x13x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_h_sq_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_11_sq_skv(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<1x1x13x13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<1x1x13x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_11_sq_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_b1_sq_skv(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<2x1x13x13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x1x13x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_b1_sq_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_skv(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mask_1_skv(%q: tensor<2x4x13x40xf32>, %k: tensor<2x2x13x40xf32>, %v: tensor<2x2x13x40xf32>, %m: tensor<1x13xf32>) -> tensor<2x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x13x40xf32>, tensor<2x2x13x40xf32>, tensor<2x2x13x40xf32>, tensor<1x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_mask_1_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes(%q: tensor<2x4x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>, %s: tensor<2x37xf32>) -> tensor<2x4x37x40xf32> {
  %ks = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x37xf32>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) : (tensor<2x4x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x37xf32>) -> tensor<2x4x37x40xf32>
  return %0 : tensor<2x4x37x40xf32>
}
// attn_key_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes_causal(%q: tensor<2x8x37x64xf32>, %k: tensor<2x2x37x64xf32>, %v: tensor<2x2x37x64xf32>, %s: tensor<2x37xf32>) -> tensor<2x8x37x64xf32> {
  %ks = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x37xf32>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<2x8x37x64xf32>, tensor<2x2x37x64xf32>, tensor<2x2x37x64xf32>, tensor<2x37xf32>) -> tensor<2x8x37x64xf32>
  return %0 : tensor<2x8x37x64xf32>
}
// attn_key_sizes_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes_decode(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x33x64xf32>, %v: tensor<2x2x33x64xf32>, %s: tensor<2x33xf32>) -> tensor<2x8x1x64xf32> {
  %ks = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x33xf32>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<2x8x1x64xf32>, tensor<2x2x33x64xf32>, tensor<2x2x33x64xf32>, tensor<2x33xf32>) -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}
// attn_key_sizes_decode: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes_mask(%q: tensor<2x4x13x40xf32>, %k: tensor<2x4x13x40xf32>, %v: tensor<2x4x13x40xf32>, %m: tensor<2x1x1x13xf32>, %s: tensor<2x13xf32>) -> tensor<2x4x13x40xf32> {
  %ks = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x13xf32>
  %0 = icl.attention %q, %k, %v mask(%m) key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<2x4x13x40xf32>, tensor<2x4x13x40xf32>, tensor<2x4x13x40xf32>, tensor<2x1x1x13xf32>, tensor<2x13xf32>) -> tensor<2x4x13x40xf32>
  return %0 : tensor<2x4x13x40xf32>
}
// attn_key_sizes_mask: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes_zeros(%q: tensor<1x4x13x40xf32>, %k: tensor<1x2x37x40xf32>, %v: tensor<1x2x37x40xf32>, %s: tensor<1x37xf32>) -> tensor<1x4x13x40xf32> {
  %ks = icl.activation %s {kind = #icl.activation<relu>} : tensor<1x37xf32>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) : (tensor<1x4x13x40xf32>, tensor<1x2x37x40xf32>, tensor<1x2x37x40xf32>, tensor<1x37xf32>) -> tensor<1x4x13x40xf32>
  return %0 : tensor<1x4x13x40xf32>
}
// attn_key_sizes_zeros: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_key_sizes_all_zero(%q: tensor<1x2x5x40xf32>, %k: tensor<1x2x7x40xf32>, %v: tensor<1x2x7x40xf32>, %s: tensor<1x7xf32>) -> tensor<1x2x5x40xf32> {
  %sg = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<1x7xf32>
  %zero = arith.constant dense<0.0> : tensor<1x7xf32>
  %ks = arith.mulf %sg, %zero : tensor<1x7xf32>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) : (tensor<1x2x5x40xf32>, tensor<1x2x7x40xf32>, tensor<1x2x7x40xf32>, tensor<1x7xf32>) -> tensor<1x2x5x40xf32>
  return %0 : tensor<1x2x5x40xf32>
}
// attn_key_sizes_all_zero: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_ninf_rows(%q: tensor<1x4x5x40xf32>, %k: tensor<1x2x7x40xf32>, %v: tensor<1x2x7x40xf32>, %m: tensor<5x7xf32>) -> tensor<1x4x5x40xf32> {
  %minf = arith.constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0xFF800000, 0.0, 0xFF800000, 0.0, 0xFF800000, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000]]> : tensor<5x7xf32>
  %mm = arith.addf %m, %minf : tensor<5x7xf32>
  %0 = icl.attention %q, %k, %v mask(%mm) : (tensor<1x4x5x40xf32>, tensor<1x2x7x40xf32>, tensor<1x2x7x40xf32>, tensor<5x7xf32>) -> tensor<1x4x5x40xf32>
  return %0 : tensor<1x4x5x40xf32>
}
// attn_ninf_rows: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_ninf_rows_causal(%q: tensor<2x4x6x64xf32>, %k: tensor<2x4x6x64xf32>, %v: tensor<2x4x6x64xf32>, %m: tensor<6x6xf32>) -> tensor<2x4x6x64xf32> {
  %minf = arith.constant dense<[[0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<6x6xf32>
  %mm = arith.addf %m, %minf : tensor<6x6xf32>
  %0 = icl.attention %q, %k, %v mask(%mm) {mask_kind = #icl.mask<causal>} : (tensor<2x4x6x64xf32>, tensor<2x4x6x64xf32>, tensor<2x4x6x64xf32>, tensor<6x6xf32>) -> tensor<2x4x6x64xf32>
  return %0 : tensor<2x4x6x64xf32>
}
// attn_ninf_rows_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_ninf_rows_sliding(%q: tensor<1x8x6x40xf32>, %k: tensor<1x2x9x40xf32>, %v: tensor<1x2x9x40xf32>, %m: tensor<6x9xf32>) -> tensor<1x8x6x40xf32> {
  %minf = arith.constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0xFF800000, 0.0, 0xFF800000, 0.0, 0xFF800000, 0.0, 0xFF800000, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000]]> : tensor<6x9xf32>
  %mm = arith.addf %m, %minf : tensor<6x9xf32>
  %0 = icl.attention %q, %k, %v mask(%mm) {mask_kind = #icl.mask<sliding_window>, window = 3 : i64} : (tensor<1x8x6x40xf32>, tensor<1x2x9x40xf32>, tensor<1x2x9x40xf32>, tensor<6x9xf32>) -> tensor<1x8x6x40xf32>
  return %0 : tensor<1x8x6x40xf32>
}
// attn_ninf_rows_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_ninf_all(%q: tensor<2x2x4x40xf32>, %k: tensor<2x2x4x40xf32>, %v: tensor<2x2x4x40xf32>, %m: tensor<4x4xf32>) -> tensor<2x2x4x40xf32> {
  %minf = arith.constant dense<0xFF800000> : tensor<4x4xf32>
  %mm = arith.addf %m, %minf : tensor<4x4xf32>
  %0 = icl.attention %q, %k, %v mask(%mm) : (tensor<2x2x4x40xf32>, tensor<2x2x4x40xf32>, tensor<2x2x4x40xf32>, tensor<4x4xf32>) -> tensor<2x2x4x40xf32>
  return %0 : tensor<2x2x4x40xf32>
}
// attn_ninf_all: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
