// Native code against the reference evaluator: icl.attention with mask_kind
// none / causal / sliding_window; MHA, GQA (Hq = 8, Hkv = 2) and MQA (Hkv = 1);
// Sq != Skv (decode Sq = 1 with Skv = 33, prefill chunks, Sq > Skv whose first
// rows are fully masked); head dims 40 and 64; Dv != D; explicit scale; T = 1;
// lengths 37 and 129. Mask tensors and key_sizes: attention_masks.mlir.
// RUN: icl-run %s --function attn_mha_none_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_none_d40
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_none_d40 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_none_d40 %}
// RUN: icl-run %s --function attn_mha_causal_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_causal_d64
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_causal_d64 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_causal_d64 %}
// RUN: icl-run %s --function attn_mha_sliding_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_d40
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_sliding_d40 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_sliding_d40 %}
// RUN: icl-run %s --function attn_mha_sliding_w1 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_w1
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_sliding_w1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_sliding_w1 %}
// RUN: icl-run %s --function attn_mha_sliding_wide --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_wide
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_sliding_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_sliding_wide %}
// RUN: icl-run %s --function attn_mha_causal_s129 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_causal_s129
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_causal_s129 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_causal_s129 %}
// RUN: icl-run %s --function attn_mha_none_s129_d40 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_none_s129_d40
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_none_s129_d40 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_none_s129_d40 %}
// RUN: icl-run %s --function attn_mha_sliding_s129 --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mha_sliding_s129
// RUN: %if cuda-device %{ icl-run %s --function attn_mha_sliding_s129 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mha_sliding_s129 %}
// RUN: icl-run %s --function attn_gqa_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_none
// RUN: %if cuda-device %{ icl-run %s --function attn_gqa_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_gqa_none %}
// RUN: icl-run %s --function attn_gqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_gqa_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_gqa_causal %}
// RUN: icl-run %s --function attn_gqa_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_gqa_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_gqa_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_gqa_sliding %}
// RUN: icl-run %s --function attn_mqa_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_none
// RUN: %if cuda-device %{ icl-run %s --function attn_mqa_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mqa_none %}
// RUN: icl-run %s --function attn_mqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_mqa_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mqa_causal %}
// RUN: icl-run %s --function attn_mqa_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_mqa_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_mqa_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_mqa_sliding %}
// RUN: icl-run %s --function attn_decode_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_none
// RUN: %if cuda-device %{ icl-run %s --function attn_decode_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_decode_none %}
// RUN: icl-run %s --function attn_decode_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_decode_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_decode_causal %}
// RUN: icl-run %s --function attn_decode_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_decode_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_decode_sliding %}
// RUN: icl-run %s --function attn_decode_mqa_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_decode_mqa_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_decode_mqa_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_decode_mqa_causal %}
// RUN: icl-run %s --function attn_chunk_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_chunk_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_chunk_causal %}
// RUN: icl-run %s --function attn_chunk_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_chunk_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_chunk_sliding %}
// RUN: icl-run %s --function attn_chunk_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_chunk_none
// RUN: %if cuda-device %{ icl-run %s --function attn_chunk_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_chunk_none %}
// RUN: icl-run %s --function attn_sq_gt_skv_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_sq_gt_skv_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_sq_gt_skv_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_sq_gt_skv_causal %}
// RUN: icl-run %s --function attn_sq_gt_skv_sliding --random-inputs 1 --check | FileCheck %s --check-prefix=attn_sq_gt_skv_sliding
// RUN: %if cuda-device %{ icl-run %s --function attn_sq_gt_skv_sliding --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_sq_gt_skv_sliding %}
// RUN: icl-run %s --function attn_t1_none --random-inputs 1 --check | FileCheck %s --check-prefix=attn_t1_none
// RUN: %if cuda-device %{ icl-run %s --function attn_t1_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_t1_none %}
// RUN: icl-run %s --function attn_t1_causal --random-inputs 1 --check | FileCheck %s --check-prefix=attn_t1_causal
// RUN: %if cuda-device %{ icl-run %s --function attn_t1_causal --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_t1_causal %}
// RUN: icl-run %s --function attn_dv_ne_d --random-inputs 1 --check | FileCheck %s --check-prefix=attn_dv_ne_d
// RUN: %if cuda-device %{ icl-run %s --function attn_dv_ne_d --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_dv_ne_d %}
// RUN: icl-run %s --function attn_scale --random-inputs 1 --check | FileCheck %s --check-prefix=attn_scale
// RUN: %if cuda-device %{ icl-run %s --function attn_scale --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_scale %}
// RUN: icl-run %s --function attn_scale_decode --random-inputs 1 --check | FileCheck %s --check-prefix=attn_scale_decode
// RUN: %if cuda-device %{ icl-run %s --function attn_scale_decode --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attn_scale_decode %}

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
