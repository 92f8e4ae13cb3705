// Recurrences and split-KV attention: native code against the reference evaluator.
// RUN: icl-run %s --function ss --random-inputs 3 --check | FileCheck %s --check-prefix=SS
// RUN: %if cuda-device %{ icl-run %s --function ss --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SS %}
// Blocks whose channels share a batch and group stage B and C on the GPU
// (icl-cuda-scans: 32 threads for 32 channels a group; 128 in bf16), over
// lengths that end mid-tile.
// RUN: icl-run %s --function ss_staged --random-inputs 3 --check | FileCheck %s --check-prefix=SS
// RUN: %if cuda-device %{ icl-run %s --function ss_staged --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SS %}
// RUN: icl-run %s --function ss_staged_bf16 --random-inputs 3 --check | FileCheck %s --check-prefix=SS_BF16
// RUN: %if cuda-device %{ icl-run %s --function ss_staged_bf16 --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SS_BF16 %}
// RUN: icl-run %s --function ssd --random-inputs 3 --check | FileCheck %s --check-prefix=SSD
// RUN: %if cuda-device %{ icl-run %s --function ssd --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SSD %}
// RUN: icl-run %s --function la --random-inputs 3 --check | FileCheck %s --check-prefix=LA
// RUN: %if cuda-device %{ icl-run %s --function la --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=LA %}
// RUN: icl-run %s --function la_scalar --random-inputs 3 --check | FileCheck %s --check-prefix=LA_SCALAR
// RUN: %if cuda-device %{ icl-run %s --function la_scalar --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=LA_SCALAR %}
// RUN: icl-run %s --function la_nc --random-inputs 3 --check | FileCheck %s --check-prefix=LA_NC
// RUN: %if cuda-device %{ icl-run %s --function la_nc --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=LA_NC %}
// RUN: icl-run %s --function split --random-inputs 3 --check | FileCheck %s --check-prefix=SPLIT
// RUN: %if cuda-device %{ icl-run %s --function split --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SPLIT %}
// RUN: icl-run %s --function split_state --random-inputs 3 --check | FileCheck %s --check-prefix=SPLIT_STATE
// RUN: %if cuda-device %{ icl-run %s --function split_state --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=SPLIT_STATE %}

func.func @ss(%u: tensor<2x6x9xf32>, %dt: tensor<2x6x9xf32>, %a: tensor<6x4xf32>, %b: tensor<2x3x4x9xf32>, %c: tensor<2x3x4x9xf32>, %d: tensor<6xf32>, %z: tensor<2x6x9xf32>, %db: tensor<6xf32>, %h0: tensor<2x6x4xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>) {
  %y, %h = icl.selective_scan %u, %dt, %a, %b, %c D(%d) z(%z) delta_bias(%db) initial_state(%h0) {delta_softplus, return_final_state}
    : (tensor<2x6x9xf32>, tensor<2x6x9xf32>, tensor<6x4xf32>, tensor<2x3x4x9xf32>, tensor<2x3x4x9xf32>, tensor<6xf32>, tensor<2x6x9xf32>, tensor<6xf32>, tensor<2x6x4xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>)
  return %y, %h : tensor<2x6x9xf32>, tensor<2x6x4xf32>
}
func.func @ss_staged(%u: tensor<2x64x41xf32>, %dt: tensor<2x64x41xf32>, %a: tensor<64x5xf32>, %b: tensor<2x2x5x41xf32>, %c: tensor<2x2x5x41xf32>, %d: tensor<64xf32>, %h0: tensor<2x64x5xf32>) -> (tensor<2x64x41xf32>, tensor<2x64x5xf32>) {
  %y, %h = icl.selective_scan %u, %dt, %a, %b, %c D(%d) initial_state(%h0) {delta_softplus, return_final_state}
    : (tensor<2x64x41xf32>, tensor<2x64x41xf32>, tensor<64x5xf32>, tensor<2x2x5x41xf32>, tensor<2x2x5x41xf32>, tensor<64xf32>, tensor<2x64x5xf32>) -> (tensor<2x64x41xf32>, tensor<2x64x5xf32>)
  return %y, %h : tensor<2x64x41xf32>, tensor<2x64x5xf32>
}

func.func @ss_staged_bf16(%u: tensor<1x128x70xbf16>, %dt: tensor<1x128x70xbf16>, %a: tensor<128x16xbf16>, %b: tensor<1x1x16x70xbf16>, %c: tensor<1x1x16x70xbf16>, %d: tensor<128xbf16>, %z: tensor<1x128x70xbf16>) -> tensor<1x128x70xbf16> {
  %y = icl.selective_scan %u, %dt, %a, %b, %c D(%d) z(%z) {delta_softplus}
    : (tensor<1x128x70xbf16>, tensor<1x128x70xbf16>, tensor<128x16xbf16>, tensor<1x1x16x70xbf16>, tensor<1x1x16x70xbf16>, tensor<128xbf16>, tensor<1x128x70xbf16>) -> tensor<1x128x70xbf16>
  return %y : tensor<1x128x70xbf16>
}

func.func @ssd(%x: tensor<2x11x4x3xf32>, %dt: tensor<2x11x4xf32>, %a: tensor<4xf32>, %b: tensor<2x11x2x5xf32>, %c: tensor<2x11x2x5xf32>, %d: tensor<4xf32>, %db: tensor<4xf32>) -> (tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>) {
  %y, %h = icl.ssd %x, %dt, %a, %b, %c D(%d) dt_bias(%db) {dt_softplus, dt_max = 0.8 : f64, return_final_state}
    : (tensor<2x11x4x3xf32>, tensor<2x11x4xf32>, tensor<4xf32>, tensor<2x11x2x5xf32>, tensor<2x11x2x5xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>)
  return %y, %h : tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>
}
func.func @la(%q: tensor<2x3x7x4xf32>, %k: tensor<2x3x7x4xf32>, %v: tensor<2x3x7x5xf32>, %g: tensor<2x3x7x4xf32>, %s: tensor<2x3x4x5xf32>) -> (tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>) {
  %o, %f = icl.linear_attention %q, %k, %v decay(%g) initial_state(%s) {normalize, return_final_state, feature_map = #icl.feature_map<elu_plus_one>}
    : (tensor<2x3x7x4xf32>, tensor<2x3x7x4xf32>, tensor<2x3x7x5xf32>, tensor<2x3x7x4xf32>, tensor<2x3x4x5xf32>) -> (tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>)
  return %o, %f : tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>
}
func.func @la_scalar(%q: tensor<1x2x9x4xf32>, %k: tensor<1x2x9x4xf32>, %v: tensor<1x2x9x3xf32>, %g: tensor<1x2x9xf32>) -> tensor<1x2x9x3xf32> {
  %o = icl.linear_attention %q, %k, %v decay(%g) {scale = 0.5 : f64} : (tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x3xf32>, tensor<1x2x9xf32>) -> tensor<1x2x9x3xf32>
  return %o : tensor<1x2x9x3xf32>
}
func.func @la_nc(%q: tensor<1x2x5x4xf32>, %k: tensor<1x2x9x4xf32>, %v: tensor<1x2x9x3xf32>) -> tensor<1x2x5x3xf32> {
  %o = icl.linear_attention %q, %k, %v {causal = false, normalize, feature_map = #icl.feature_map<elu_plus_one>} : (tensor<1x2x5x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x3xf32>) -> tensor<1x2x5x3xf32>
  return %o : tensor<1x2x5x3xf32>
}
func.func @split(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x10x8xf32>, %v: tensor<1x2x10x5xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>) {
  %full = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x3x8xf32>, tensor<1x2x10x8xf32>, tensor<1x2x10x5xf32>) -> tensor<1x4x3x5xf32>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x10x8xf32> to tensor<1x2x4x8xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 4, 5] [1, 1, 1, 1] : tensor<1x2x10x5xf32> to tensor<1x2x4x5xf32>
  %k1 = tensor.extract_slice %k[0, 0, 4, 0] [1, 2, 6, 8] [1, 1, 1, 1] : tensor<1x2x10x8xf32> to tensor<1x2x6x8xf32>
  %v1 = tensor.extract_slice %v[0, 0, 4, 0] [1, 2, 6, 5] [1, 1, 1, 1] : tensor<1x2x10x5xf32> to tensor<1x2x6x5xf32>
  %o0, %m0, %l0 = icl.attention_partial %q, %k0, %v0 {mask_kind = #icl.mask<causal>, kv_length = 10 : i64} : (tensor<1x4x3x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x5xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>)
  %o1, %m1, %l1 = icl.attention_partial %q, %k1, %v1 {mask_kind = #icl.mask<causal>, kv_offset = 4 : i64, kv_length = 10 : i64} : (tensor<1x4x3x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x5xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>)
  %eo0 = tensor.expand_shape %o0 [[0, 1], [2], [3], [4]] output_shape [1, 1, 4, 3, 5] : tensor<1x4x3x5xf32> into tensor<1x1x4x3x5xf32>
  %eo1 = tensor.expand_shape %o1 [[0, 1], [2], [3], [4]] output_shape [1, 1, 4, 3, 5] : tensor<1x4x3x5xf32> into tensor<1x1x4x3x5xf32>
  %em0 = tensor.expand_shape %m0 [[0, 1], [2], [3]] output_shape [1, 1, 4, 3] : tensor<1x4x3xf32> into tensor<1x1x4x3xf32>
  %em1 = tensor.expand_shape %m1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 3] : tensor<1x4x3xf32> into tensor<1x1x4x3xf32>
  %el0 = tensor.expand_shape %l0 [[0, 1], [2], [3]] output_shape [1, 1, 4, 3] : tensor<1x4x3xf32> into tensor<1x1x4x3xf32>
  %el1 = tensor.expand_shape %l1 [[0, 1], [2], [3]] output_shape [1, 1, 4, 3] : tensor<1x4x3xf32> into tensor<1x1x4x3xf32>
  %os = tensor.concat dim(0) %eo0, %eo1 : (tensor<1x1x4x3x5xf32>, tensor<1x1x4x3x5xf32>) -> tensor<2x1x4x3x5xf32>
  %ms = tensor.concat dim(0) %em0, %em1 : (tensor<1x1x4x3xf32>, tensor<1x1x4x3xf32>) -> tensor<2x1x4x3xf32>
  %ls = tensor.concat dim(0) %el0, %el1 : (tensor<1x1x4x3xf32>, tensor<1x1x4x3xf32>) -> tensor<2x1x4x3xf32>
  %c = icl.attention_combine %os, %ms, %ls : (tensor<2x1x4x3x5xf32>, tensor<2x1x4x3xf32>, tensor<2x1x4x3xf32>) -> tensor<1x4x3x5xf32>
  return %full, %c : tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>
}

// A split continuing a given f32 state (any values: the update is exact
// algebra) over bf16 keys, its positions given as index values.
func.func @split_state(%q: tensor<1x4x3x8xbf16>, %k: tensor<1x2x6x8xbf16>, %v: tensor<1x2x6x5xbf16>, %o0: tensor<1x4x3x5xf32>, %m0: tensor<1x4x3xf32>, %l0: tensor<1x4x3xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>) {
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %o1, %m1, %l1 = icl.attention_partial %q, %k, %v positions(%c4, %c10) state(%o0, %m0, %l0) {mask_kind = #icl.mask<sliding_window>, window = 5 : i64} : (tensor<1x4x3x8xbf16>, tensor<1x2x6x8xbf16>, tensor<1x2x6x5xbf16>, index, index, tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>)
  return %o1, %m1, %l1 : tensor<1x4x3x5xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>
}

// SS: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SS: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// SS_BF16: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SSD: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SSD: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// LA: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// LA: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// LA_SCALAR: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// LA_NC: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SPLIT: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SPLIT: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// SPLIT_STATE: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
// SPLIT_STATE: check: result 1: {{.*}}, 0 of {{[0-9]+}} beyond
// SPLIT_STATE: check: result 2: {{.*}}, 0 of {{[0-9]+}} beyond
