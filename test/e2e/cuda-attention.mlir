// bf16 and f16 attention in the shapes icl's CUDA kernels take (head dims 64
// and 128): the FlashAttention-style prefill kernel (many query rows) and the
// split-KV decode kernel (at most 16 query rows per key/value head), with
// GQA/MQA, causal and sliding-window masks, additive mask tensors, key sizes
// (relu gives zero sizes, which mask keys), fully masked rows (causal with
// Sq > Skv) and awkward lengths. On the CPU they are checked against the
// reference evaluator; their PTX is assembled for sm_90 and sm_80 in
// test/e2e/cuda-ptx.test; bench/gpu/run.sh checks them on a GPU.
// Both targets accumulate in f32 and round the result once: the default bound
// of the storage type. On the GPU, the fused prefill kernel also rounds the
// softmax probabilities to the storage type before P·V (as FlashAttention
// does), one more rounding per term: its cases state 4 unit roundoffs of it
// (bf16 1.6e-2, f16 2e-3; measured on an H100 up to 2.5 and 1.6 of them).
// RUN: icl-run %s --function flash_none_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=flash_none_d64
// RUN: %if cuda-device %{ icl-run %s --function flash_none_d64 --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_none_d64 %}
// RUN: icl-run %s --function flash_causal_d128 --random-inputs 1 --check | FileCheck %s --check-prefix=flash_causal_d128
// RUN: %if cuda-device %{ icl-run %s --function flash_causal_d128 --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_causal_d128 %}
// RUN: icl-run %s --function flash_gqa_d128 --random-inputs 1 --check | FileCheck %s --check-prefix=flash_gqa_d128
// RUN: %if cuda-device %{ icl-run %s --function flash_gqa_d128 --random-inputs 1 --check --tolerance 2e-3 --device=cuda | FileCheck %s --check-prefix=flash_gqa_d128 %}
// RUN: icl-run %s --function flash_mqa_causal_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=flash_mqa_causal_d64
// RUN: %if cuda-device %{ icl-run %s --function flash_mqa_causal_d64 --random-inputs 1 --check --tolerance 2e-3 --device=cuda | FileCheck %s --check-prefix=flash_mqa_causal_d64 %}
// RUN: icl-run %s --function flash_causal_sq_gt_skv --random-inputs 1 --check | FileCheck %s --check-prefix=flash_causal_sq_gt_skv
// RUN: %if cuda-device %{ icl-run %s --function flash_causal_sq_gt_skv --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_causal_sq_gt_skv %}
// RUN: icl-run %s --function flash_window_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=flash_window_d64
// RUN: %if cuda-device %{ icl-run %s --function flash_window_d64 --random-inputs 1 --check --tolerance 2e-3 --device=cuda | FileCheck %s --check-prefix=flash_window_d64 %}
// RUN: icl-run %s --function flash_mask_sq_skv --random-inputs 1 --check | FileCheck %s --check-prefix=flash_mask_sq_skv
// RUN: %if cuda-device %{ icl-run %s --function flash_mask_sq_skv --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_mask_sq_skv %}
// RUN: icl-run %s --function flash_mask_b11s_causal --random-inputs 1 --check | FileCheck %s --check-prefix=flash_mask_b11s_causal
// RUN: %if cuda-device %{ icl-run %s --function flash_mask_b11s_causal --random-inputs 1 --check --tolerance 2e-3 --device=cuda | FileCheck %s --check-prefix=flash_mask_b11s_causal %}
// RUN: icl-run %s --function flash_key_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=flash_key_sizes
// RUN: %if cuda-device %{ icl-run %s --function flash_key_sizes --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_key_sizes %}
// RUN: icl-run %s --function flash_key_sizes_zero --random-inputs 1 --check | FileCheck %s --check-prefix=flash_key_sizes_zero
// RUN: %if cuda-device %{ icl-run %s --function flash_key_sizes_zero --random-inputs 1 --check --tolerance 2e-3 --device=cuda | FileCheck %s --check-prefix=flash_key_sizes_zero %}
// RUN: icl-run %s --function flash_one_row --random-inputs 1 --check | FileCheck %s --check-prefix=flash_one_row
// RUN: %if cuda-device %{ icl-run %s --function flash_one_row --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_one_row %}
// RUN: icl-run %s --function decode_gqa_causal_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=decode_gqa_causal_d64
// RUN: %if cuda-device %{ icl-run %s --function decode_gqa_causal_d64 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_gqa_causal_d64 %}
// RUN: icl-run %s --function decode_mqa_d64 --random-inputs 1 --check | FileCheck %s --check-prefix=decode_mqa_d64
// RUN: %if cuda-device %{ icl-run %s --function decode_mqa_d64 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_mqa_d64 %}
// RUN: icl-run %s --function decode_window --random-inputs 1 --check | FileCheck %s --check-prefix=decode_window
// RUN: %if cuda-device %{ icl-run %s --function decode_window --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_window %}
// RUN: icl-run %s --function decode_mask --random-inputs 1 --check | FileCheck %s --check-prefix=decode_mask
// RUN: %if cuda-device %{ icl-run %s --function decode_mask --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_mask %}
// RUN: icl-run %s --function decode_key_sizes --random-inputs 1 --check | FileCheck %s --check-prefix=decode_key_sizes
// RUN: %if cuda-device %{ icl-run %s --function decode_key_sizes --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_key_sizes %}
// RUN: icl-run %s --function decode_one_key --random-inputs 1 --check | FileCheck %s --check-prefix=decode_one_key
// RUN: %if cuda-device %{ icl-run %s --function decode_one_key --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_one_key %}
// RUN: icl-run %s --function flash_sliced_qkv --random-inputs 1 --check | FileCheck %s --check-prefix=flash_sliced_qkv
// RUN: %if cuda-device %{ icl-run %s --function flash_sliced_qkv --random-inputs 1 --check --tolerance 1.6e-2 --device=cuda | FileCheck %s --check-prefix=flash_sliced_qkv %}
// RUN: icl-run %s --function decode_d128 --random-inputs 1 --check | FileCheck %s --check-prefix=decode_d128
// RUN: %if cuda-device %{ icl-run %s --function decode_d128 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_d128 %}
// RUN: icl-run %s --function decode_long_d128 --random-inputs 1 --check | FileCheck %s --check-prefix=decode_long_d128
// RUN: %if cuda-device %{ icl-run %s --function decode_long_d128 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=decode_long_d128 %}

func.func @flash_none_d64(%q: tensor<2x4x37x64xbf16>, %k: tensor<2x4x37x64xbf16>, %v: tensor<2x4x37x64xbf16>) -> tensor<2x4x37x64xbf16> {
  %0 = icl.attention %q, %k, %v : (tensor<2x4x37x64xbf16>, tensor<2x4x37x64xbf16>, tensor<2x4x37x64xbf16>) -> tensor<2x4x37x64xbf16>
  return %0 : tensor<2x4x37x64xbf16>
}
// flash_none_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_causal_d128(%q: tensor<1x4x130x128xbf16>, %k: tensor<1x4x130x128xbf16>, %v: tensor<1x4x130x128xbf16>) -> tensor<1x4x130x128xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x130x128xbf16>, tensor<1x4x130x128xbf16>, tensor<1x4x130x128xbf16>) -> tensor<1x4x130x128xbf16>
  return %0 : tensor<1x4x130x128xbf16>
}
// flash_causal_d128: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_gqa_d128(%q: tensor<1x8x200x128xf16>, %k: tensor<1x2x333x128xf16>, %v: tensor<1x2x333x128xf16>) -> tensor<1x8x200x128xf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x8x200x128xf16>, tensor<1x2x333x128xf16>, tensor<1x2x333x128xf16>) -> tensor<1x8x200x128xf16>
  return %0 : tensor<1x8x200x128xf16>
}
// flash_gqa_d128: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_mqa_causal_d64(%q: tensor<2x3x130x64xf16>, %k: tensor<2x1x200x64xf16>, %v: tensor<2x1x200x64xf16>) -> tensor<2x3x130x64xf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x3x130x64xf16>, tensor<2x1x200x64xf16>, tensor<2x1x200x64xf16>) -> tensor<2x3x130x64xf16>
  return %0 : tensor<2x3x130x64xf16>
}
// flash_mqa_causal_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_causal_sq_gt_skv(%q: tensor<1x2x50x64xbf16>, %k: tensor<1x2x20x64xbf16>, %v: tensor<1x2x20x64xbf16>) -> tensor<1x2x50x64xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x50x64xbf16>, tensor<1x2x20x64xbf16>, tensor<1x2x20x64xbf16>) -> tensor<1x2x50x64xbf16>
  return %0 : tensor<1x2x50x64xbf16>
}
// flash_causal_sq_gt_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_window_d64(%q: tensor<2x2x150x64xf16>, %k: tensor<2x2x150x64xf16>, %v: tensor<2x2x150x64xf16>) -> tensor<2x2x150x64xf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 17 : i64} : (tensor<2x2x150x64xf16>, tensor<2x2x150x64xf16>, tensor<2x2x150x64xf16>) -> tensor<2x2x150x64xf16>
  return %0 : tensor<2x2x150x64xf16>
}
// flash_window_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_mask_sq_skv(%q: tensor<1x4x70x64xbf16>, %k: tensor<1x2x90x64xbf16>, %v: tensor<1x2x90x64xbf16>, %m: tensor<70x90xbf16>) -> tensor<1x4x70x64xbf16> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<1x4x70x64xbf16>, tensor<1x2x90x64xbf16>, tensor<1x2x90x64xbf16>, tensor<70x90xbf16>) -> tensor<1x4x70x64xbf16>
  return %0 : tensor<1x4x70x64xbf16>
}
// flash_mask_sq_skv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_mask_b11s_causal(%q: tensor<2x2x65x128xf16>, %k: tensor<2x2x65x128xf16>, %v: tensor<2x2x65x128xf16>, %m: tensor<2x1x1x65xf16>) -> tensor<2x2x65x128xf16> {
  %0 = icl.attention %q, %k, %v mask(%m) {mask_kind = #icl.mask<causal>} : (tensor<2x2x65x128xf16>, tensor<2x2x65x128xf16>, tensor<2x2x65x128xf16>, tensor<2x1x1x65xf16>) -> tensor<2x2x65x128xf16>
  return %0 : tensor<2x2x65x128xf16>
}
// flash_mask_b11s_causal: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_key_sizes(%q: tensor<2x4x64x64xbf16>, %k: tensor<2x4x64x64xbf16>, %v: tensor<2x4x64x64xbf16>, %s: tensor<2x64xbf16>) -> tensor<2x4x64x64xbf16> {
  %ks = icl.activation %s {kind = #icl.activation<sigmoid>} : tensor<2x64xbf16>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) : (tensor<2x4x64x64xbf16>, tensor<2x4x64x64xbf16>, tensor<2x4x64x64xbf16>, tensor<2x64xbf16>) -> tensor<2x4x64x64xbf16>
  return %0 : tensor<2x4x64x64xbf16>
}
// flash_key_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_key_sizes_zero(%q: tensor<1x4x33x128xf16>, %k: tensor<1x4x40x128xf16>, %v: tensor<1x4x40x128xf16>, %s: tensor<1x40xf16>) -> tensor<1x4x33x128xf16> {
  %ks = icl.activation %s {kind = #icl.activation<relu>} : tensor<1x40xf16>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<1x4x33x128xf16>, tensor<1x4x40x128xf16>, tensor<1x4x40x128xf16>, tensor<1x40xf16>) -> tensor<1x4x33x128xf16>
  return %0 : tensor<1x4x33x128xf16>
}
// flash_key_sizes_zero: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @flash_one_row(%q: tensor<1x1x17x64xbf16>, %k: tensor<1x1x1x64xbf16>, %v: tensor<1x1x1x64xbf16>) -> tensor<1x1x17x64xbf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x1x17x64xbf16>, tensor<1x1x1x64xbf16>, tensor<1x1x1x64xbf16>) -> tensor<1x1x17x64xbf16>
  return %0 : tensor<1x1x17x64xbf16>
}
// flash_one_row: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_d128(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x8x1000x128xbf16>, %v: tensor<1x8x1000x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x8x1x128xbf16>, tensor<1x8x1000x128xbf16>, tensor<1x8x1000x128xbf16>) -> tensor<1x8x1x128xbf16>
  return %0 : tensor<1x8x1x128xbf16>
}
// decode_d128: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_gqa_causal_d64(%q: tensor<2x8x2x64xf16>, %k: tensor<2x2x777x64xf16>, %v: tensor<2x2x777x64xf16>) -> tensor<2x8x2x64xf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x2x64xf16>, tensor<2x2x777x64xf16>, tensor<2x2x777x64xf16>) -> tensor<2x8x2x64xf16>
  return %0 : tensor<2x8x2x64xf16>
}
// decode_gqa_causal_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_mqa_d64(%q: tensor<1x16x1x64xbf16>, %k: tensor<1x1x300x64xbf16>, %v: tensor<1x1x300x64xbf16>) -> tensor<1x16x1x64xbf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x16x1x64xbf16>, tensor<1x1x300x64xbf16>, tensor<1x1x300x64xbf16>) -> tensor<1x16x1x64xbf16>
  return %0 : tensor<1x16x1x64xbf16>
}
// decode_mqa_d64: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_long_d128(%q: tensor<1x4x1x128xf16>, %k: tensor<1x4x5000x128xf16>, %v: tensor<1x4x5000x128xf16>) -> tensor<1x4x1x128xf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x1x128xf16>, tensor<1x4x5000x128xf16>, tensor<1x4x5000x128xf16>) -> tensor<1x4x1x128xf16>
  return %0 : tensor<1x4x1x128xf16>
}
// decode_long_d128: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_window(%q: tensor<1x4x3x128xbf16>, %k: tensor<1x4x600x128xbf16>, %v: tensor<1x4x600x128xbf16>) -> tensor<1x4x3x128xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 100 : i64} : (tensor<1x4x3x128xbf16>, tensor<1x4x600x128xbf16>, tensor<1x4x600x128xbf16>) -> tensor<1x4x3x128xbf16>
  return %0 : tensor<1x4x3x128xbf16>
}
// decode_window: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_mask(%q: tensor<2x4x1x64xf16>, %k: tensor<2x2x129x64xf16>, %v: tensor<2x2x129x64xf16>, %m: tensor<2x1x1x129xf16>) -> tensor<2x4x1x64xf16> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x1x64xf16>, tensor<2x2x129x64xf16>, tensor<2x2x129x64xf16>, tensor<2x1x1x129xf16>) -> tensor<2x4x1x64xf16>
  return %0 : tensor<2x4x1x64xf16>
}
// decode_mask: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_key_sizes(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x4x64x64xbf16>, %v: tensor<1x4x64x64xbf16>, %s: tensor<1x64xbf16>) -> tensor<1x8x2x64xbf16> {
  %ks = icl.activation %s {kind = #icl.activation<relu>} : tensor<1x64xbf16>
  %0 = icl.attention %q, %k, %v key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<1x8x2x64xbf16>, tensor<1x4x64x64xbf16>, tensor<1x4x64x64xbf16>, tensor<1x64xbf16>) -> tensor<1x8x2x64xbf16>
  return %0 : tensor<1x8x2x64xbf16>
}
// decode_key_sizes: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @decode_one_key(%q: tensor<1x2x1x128xbf16>, %k: tensor<1x2x1x128xbf16>, %v: tensor<1x2x1x128xbf16>) -> tensor<1x2x1x128xbf16> {
  %0 = icl.attention %q, %k, %v : (tensor<1x2x1x128xbf16>, tensor<1x2x1x128xbf16>, tensor<1x2x1x128xbf16>) -> tensor<1x2x1x128xbf16>
  return %0 : tensor<1x2x1x128xbf16>
}
// decode_one_key: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

// q, k and v as slices of one fused QKV tensor (at offsets of its buffer).
func.func @flash_sliced_qkv(%qkv: tensor<1x12x100x64xbf16>) -> tensor<1x4x100x64xbf16> {
  %q = tensor.extract_slice %qkv[0, 0, 0, 0] [1, 4, 100, 64] [1, 1, 1, 1] : tensor<1x12x100x64xbf16> to tensor<1x4x100x64xbf16>
  %k = tensor.extract_slice %qkv[0, 4, 0, 0] [1, 4, 100, 64] [1, 1, 1, 1] : tensor<1x12x100x64xbf16> to tensor<1x4x100x64xbf16>
  %v = tensor.extract_slice %qkv[0, 8, 0, 0] [1, 4, 100, 64] [1, 1, 1, 1] : tensor<1x12x100x64xbf16> to tensor<1x4x100x64xbf16>
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x100x64xbf16>, tensor<1x4x100x64xbf16>, tensor<1x4x100x64xbf16>) -> tensor<1x4x100x64xbf16>
  return %0 : tensor<1x4x100x64xbf16>
}
// flash_sliced_qkv: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
