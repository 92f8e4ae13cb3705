// Native code against the reference evaluator: icl.attention with mask_kind
// none / causal / sliding_window; MHA, GQA (Hq = 8, Hkv = 2) and MQA (Hkv = 1);
// Sq != Skv (decode Sq = 1 with Skv = 33, prefill chunks, Sq > Skv); additive
// masks broadcast from several shapes; key_sizes (computed inside the function
// so they are >= 0); head dims 40 and 64; T = 1; lengths 37 and 129; rows that
// are entirely -inf give zeros on both sides.
// RUN: icl-run %s --function attn_mha_none_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_none_d40
// RUN: icl-run %s --function attn_mha_causal_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_causal_d64
// RUN: icl-run %s --function attn_mha_sliding_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_d40
// RUN: icl-run %s --function attn_mha_sliding_w1 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_w1
// RUN: icl-run %s --function attn_mha_sliding_wide --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_wide
// RUN: icl-run %s --function attn_mha_causal_s129 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_causal_s129
// RUN: icl-run %s --function attn_mha_none_s129_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_none_s129_d40
// RUN: icl-run %s --function attn_mha_sliding_s129 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_s129
// RUN: icl-run %s --function attn_gqa_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_none
// RUN: icl-run %s --function attn_gqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_causal
// RUN: icl-run %s --function attn_gqa_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_sliding
// RUN: icl-run %s --function attn_mqa_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_none
// RUN: icl-run %s --function attn_mqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_causal
// RUN: icl-run %s --function attn_mqa_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_sliding
// RUN: icl-run %s --function attn_decode_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_none
// RUN: icl-run %s --function attn_decode_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_causal
// RUN: icl-run %s --function attn_decode_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_sliding
// RUN: icl-run %s --function attn_decode_mqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_mqa_causal
// RUN: icl-run %s --function attn_chunk_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_causal
// RUN: icl-run %s --function attn_chunk_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_sliding
// RUN: icl-run %s --function attn_chunk_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_none
// RUN: icl-run %s --function attn_sq_gt_skv_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_sq_gt_skv_causal
// RUN: icl-run %s --function attn_sq_gt_skv_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_sq_gt_skv_sliding
// RUN: icl-run %s --function attn_t1_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_t1_none
// RUN: icl-run %s --function attn_t1_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_t1_causal
// RUN: icl-run %s --function attn_dv_ne_d --random-inputs 1 --check | FileCheck %s --check-prefix=attn_dv_ne_d
// RUN: icl-run %s --function attn_scale --random-inputs 1 --check | FileCheck %s --check-prefix=attn_scale
// RUN: icl-run %s --function attn_scale_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_scale_decode
// RUN: icl-run %s --function attn_mask_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_sq_skv
// RUN: icl-run %s --function attn_mask_sq_skv_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_sq_skv_causal
// RUN: icl-run %s --function attn_mask_b11s --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s
// RUN: icl-run %s --function attn_mask_b11s_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_causal
// RUN: icl-run %s --function attn_mask_b11s_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_decode
// RUN: icl-run %s --function attn_mask_b11s_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b11s_sliding
// RUN: icl-run %s --function attn_mask_full --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_full
// RUN: icl-run %s --function attn_mask_h_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_h_sq_skv
// RUN: icl-run %s --function attn_mask_11_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_11_sq_skv
// RUN: icl-run %s --function attn_mask_b1_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_b1_sq_skv
// RUN: icl-run %s --function attn_mask_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_skv
// RUN: icl-run %s --function attn_mask_1_skv --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mask_1_skv
// RUN: icl-run %s --function attn_key_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes
// RUN: icl-run %s --function attn_key_sizes_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_causal
// RUN: icl-run %s --function attn_key_sizes_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_decode
// RUN: icl-run %s --function attn_key_sizes_mask --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_mask
// RUN: icl-run %s --function attn_key_sizes_zeros --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_zeros
// RUN: icl-run %s --function attn_key_sizes_all_zero --random-inputs 1 --check | FileCheck %s --check-prefix=attn_key_sizes_all_zero
// RUN: icl-run %s --function attn_ninf_rows --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows
// RUN: icl-run %s --function attn_ninf_rows_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows_causal
// RUN: icl-run %s --function attn_ninf_rows_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_rows_sliding
// RUN: icl-run %s --function attn_ninf_all --random-inputs 1 --check | FileCheck %s --check-prefix=attn_ninf_all

func.func @attn_mha_none_d40(%q: tensor<2x4x37x40xf32>, %k: tensor<2x4x37x40xf32>, %v: tensor<2x4x37x40xf32>) -> tensor<2x4x37x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<2x4x37x40xf32>, tensor<2x4x37x40xf32>, tensor<2x4x37x40xf32>) -> tensor<2x4x37x40xf32>
  return %0 : tensor<2x4x37x40xf32>
}
// attn_mha_none_d40: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_causal_d64(%q: tensor<1x4x37x64xf32>, %k: tensor<1x4x37x64xf32>, %v: tensor<1x4x37x64xf32>) -> tensor<1x4x37x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x37x64xf32>, tensor<1x4x37x64xf32>, tensor<1x4x37x64xf32>) -> tensor<1x4x37x64xf32>
  return %0 : tensor<1x4x37x64xf32>
}
// attn_mha_causal_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_sliding_d40(%q: tensor<2x2x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>) -> tensor<2x2x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 8 : i64} : (tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>) -> tensor<2x2x37x40xf32>
  return %0 : tensor<2x2x37x40xf32>
}
// attn_mha_sliding_d40: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_sliding_w1(%q: tensor<1x2x13x40xf32>, %k: tensor<1x2x13x40xf32>, %v: tensor<1x2x13x40xf32>) -> tensor<1x2x13x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 1 : i64} : (tensor<1x2x13x40xf32>, tensor<1x2x13x40xf32>, tensor<1x2x13x40xf32>) -> tensor<1x2x13x40xf32>
  return %0 : tensor<1x2x13x40xf32>
}
// attn_mha_sliding_w1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_sliding_wide(%q: tensor<1x2x13x40xf32>, %k: tensor<1x2x13x40xf32>, %v: tensor<1x2x13x40xf32>) -> tensor<1x2x13x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 100 : i64} : (tensor<1x2x13x40xf32>, tensor<1x2x13x40xf32>, tensor<1x2x13x40xf32>) -> tensor<1x2x13x40xf32>
  return %0 : tensor<1x2x13x40xf32>
}
// attn_mha_sliding_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_causal_s129(%q: tensor<1x2x129x64xf32>, %k: tensor<1x2x129x64xf32>, %v: tensor<1x2x129x64xf32>) -> tensor<1x2x129x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x129x64xf32>, tensor<1x2x129x64xf32>, tensor<1x2x129x64xf32>) -> tensor<1x2x129x64xf32>
  return %0 : tensor<1x2x129x64xf32>
}
// attn_mha_causal_s129: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_none_s129_d40(%q: tensor<1x2x129x40xf32>, %k: tensor<1x2x129x40xf32>, %v: tensor<1x2x129x40xf32>) -> tensor<1x2x129x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x2x129x40xf32>, tensor<1x2x129x40xf32>, tensor<1x2x129x40xf32>) -> tensor<1x2x129x40xf32>
  return %0 : tensor<1x2x129x40xf32>
}
// attn_mha_none_s129_d40: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mha_sliding_s129(%q: tensor<1x2x129x64xf32>, %k: tensor<1x2x129x64xf32>, %v: tensor<1x2x129x64xf32>) -> tensor<1x2x129x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 33 : i64} : (tensor<1x2x129x64xf32>, tensor<1x2x129x64xf32>, tensor<1x2x129x64xf32>) -> tensor<1x2x129x64xf32>
  return %0 : tensor<1x2x129x64xf32>
}
// attn_mha_sliding_s129: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_gqa_none(%q: tensor<1x8x37x64xf32>, %k: tensor<1x2x37x64xf32>, %v: tensor<1x2x37x64xf32>) -> tensor<1x8x37x64xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x8x37x64xf32>, tensor<1x2x37x64xf32>, tensor<1x2x37x64xf32>) -> tensor<1x8x37x64xf32>
  return %0 : tensor<1x8x37x64xf32>
}
// attn_gqa_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_gqa_causal(%q: tensor<2x8x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>) -> tensor<2x8x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>) -> tensor<2x8x37x40xf32>
  return %0 : tensor<2x8x37x40xf32>
}
// attn_gqa_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_gqa_sliding(%q: tensor<1x8x37x64xf32>, %k: tensor<1x2x37x64xf32>, %v: tensor<1x2x37x64xf32>) -> tensor<1x8x37x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 5 : i64} : (tensor<1x8x37x64xf32>, tensor<1x2x37x64xf32>, tensor<1x2x37x64xf32>) -> tensor<1x8x37x64xf32>
  return %0 : tensor<1x8x37x64xf32>
}
// attn_gqa_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mqa_none(%q: tensor<1x8x37x40xf32>, %k: tensor<1x1x37x40xf32>, %v: tensor<1x1x37x40xf32>) -> tensor<1x8x37x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x8x37x40xf32>, tensor<1x1x37x40xf32>, tensor<1x1x37x40xf32>) -> tensor<1x8x37x40xf32>
  return %0 : tensor<1x8x37x40xf32>
}
// attn_mqa_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mqa_causal(%q: tensor<2x8x37x64xf32>, %k: tensor<2x1x37x64xf32>, %v: tensor<2x1x37x64xf32>) -> tensor<2x8x37x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x37x64xf32>, tensor<2x1x37x64xf32>, tensor<2x1x37x64xf32>) -> tensor<2x8x37x64xf32>
  return %0 : tensor<2x8x37x64xf32>
}
// attn_mqa_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_mqa_sliding(%q: tensor<1x8x37x40xf32>, %k: tensor<1x1x37x40xf32>, %v: tensor<1x1x37x40xf32>) -> tensor<1x8x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 16 : i64} : (tensor<1x8x37x40xf32>, tensor<1x1x37x40xf32>, tensor<1x1x37x40xf32>) -> tensor<1x8x37x40xf32>
  return %0 : tensor<1x8x37x40xf32>
}
// attn_mqa_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_decode_none(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x33x64xf32>, %v: tensor<1x2x33x64xf32>) -> tensor<1x8x1x64xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x8x1x64xf32>, tensor<1x2x33x64xf32>, tensor<1x2x33x64xf32>) -> tensor<1x8x1x64xf32>
  return %0 : tensor<1x8x1x64xf32>
}
// attn_decode_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_decode_causal(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x33x64xf32>, %v: tensor<2x2x33x64xf32>) -> tensor<2x8x1x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x1x64xf32>, tensor<2x2x33x64xf32>, tensor<2x2x33x64xf32>) -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}
// attn_decode_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_decode_sliding(%q: tensor<1x8x1x40xf32>, %k: tensor<1x2x33x40xf32>, %v: tensor<1x2x33x40xf32>) -> tensor<1x8x1x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 5 : i64} : (tensor<1x8x1x40xf32>, tensor<1x2x33x40xf32>, tensor<1x2x33x40xf32>) -> tensor<1x8x1x40xf32>
  return %0 : tensor<1x8x1x40xf32>
}
// attn_decode_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_decode_mqa_causal(%q: tensor<1x4x1x40xf32>, %k: tensor<1x1x33x40xf32>, %v: tensor<1x1x33x40xf32>) -> tensor<1x4x1x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x1x40xf32>, tensor<1x1x33x40xf32>, tensor<1x1x33x40xf32>) -> tensor<1x4x1x40xf32>
  return %0 : tensor<1x4x1x40xf32>
}
// attn_decode_mqa_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_chunk_causal(%q: tensor<1x4x13x64xf32>, %k: tensor<1x2x37x64xf32>, %v: tensor<1x2x37x64xf32>) -> tensor<1x4x13x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x13x64xf32>, tensor<1x2x37x64xf32>, tensor<1x2x37x64xf32>) -> tensor<1x4x13x64xf32>
  return %0 : tensor<1x4x13x64xf32>
}
// attn_chunk_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_chunk_sliding(%q: tensor<1x4x13x40xf32>, %k: tensor<1x2x37x40xf32>, %v: tensor<1x2x37x40xf32>) -> tensor<1x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 7 : i64} : (tensor<1x4x13x40xf32>, tensor<1x2x37x40xf32>, tensor<1x2x37x40xf32>) -> tensor<1x4x13x40xf32>
  return %0 : tensor<1x4x13x40xf32>
}
// attn_chunk_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_chunk_none(%q: tensor<2x2x13x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>) -> tensor<2x2x13x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<2x2x13x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>) -> tensor<2x2x13x40xf32>
  return %0 : tensor<2x2x13x40xf32>
}
// attn_chunk_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_sq_gt_skv_causal(%q: tensor<1x2x37x40xf32>, %k: tensor<1x2x20x40xf32>, %v: tensor<1x2x20x40xf32>) -> tensor<1x2x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x37x40xf32>, tensor<1x2x20x40xf32>, tensor<1x2x20x40xf32>) -> tensor<1x2x37x40xf32>
  return %0 : tensor<1x2x37x40xf32>
}
// attn_sq_gt_skv_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_sq_gt_skv_sliding(%q: tensor<1x2x37x40xf32>, %k: tensor<1x1x20x40xf32>, %v: tensor<1x1x20x40xf32>) -> tensor<1x2x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 4 : i64} : (tensor<1x2x37x40xf32>, tensor<1x1x20x40xf32>, tensor<1x1x20x40xf32>) -> tensor<1x2x37x40xf32>
  return %0 : tensor<1x2x37x40xf32>
}
// attn_sq_gt_skv_sliding: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_t1_none(%q: tensor<1x4x1x64xf32>, %k: tensor<1x4x1x64xf32>, %v: tensor<1x4x1x64xf32>) -> tensor<1x4x1x64xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x4x1x64xf32>, tensor<1x4x1x64xf32>, tensor<1x4x1x64xf32>) -> tensor<1x4x1x64xf32>
  return %0 : tensor<1x4x1x64xf32>
}
// attn_t1_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_t1_causal(%q: tensor<2x8x1x40xf32>, %k: tensor<2x2x1x40xf32>, %v: tensor<2x2x1x40xf32>) -> tensor<2x8x1x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x1x40xf32>, tensor<2x2x1x40xf32>, tensor<2x2x1x40xf32>) -> tensor<2x8x1x40xf32>
  return %0 : tensor<2x8x1x40xf32>
}
// attn_t1_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_dv_ne_d(%q: tensor<1x4x37x64xf32>, %k: tensor<1x2x37x64xf32>, %v: tensor<1x2x37x40xf32>) -> tensor<1x4x37x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x37x64xf32>, tensor<1x2x37x64xf32>, tensor<1x2x37x40xf32>) -> tensor<1x4x37x40xf32>
  return %0 : tensor<1x4x37x40xf32>
}
// attn_dv_ne_d: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_scale(%q: tensor<1x4x13x40xf32>, %k: tensor<1x4x13x40xf32>, %v: tensor<1x4x13x40xf32>) -> tensor<1x4x13x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>, scale = 0.5 : f64} : (tensor<1x4x13x40xf32>, tensor<1x4x13x40xf32>, tensor<1x4x13x40xf32>) -> tensor<1x4x13x40xf32>
  return %0 : tensor<1x4x13x40xf32>
}
// attn_scale: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @attn_scale_decode(%q: tensor<1x4x1x64xf32>, %k: tensor<1x1x33x64xf32>, %v: tensor<1x1x33x64xf32>) -> tensor<1x4x1x64xf32> {
  %0 = icl.attention %q, %k, %v {scale = 2.0 : f64} : (tensor<1x4x1x64xf32>, tensor<1x1x33x64xf32>, tensor<1x1x33x64xf32>) -> tensor<1x4x1x64xf32>
  return %0 : tensor<1x4x1x64xf32>
}
// attn_scale_decode: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

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
