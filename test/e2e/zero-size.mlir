// Native code against the reference evaluator on tensors with a zero-size
// dimension: no rows, tokens, features, queries, keys or steps. icl-tile-and-fuse
// divided by zero on an empty row loop (issue 17); an empty reduction gives
// the bias (linear) or zeros (attention with no keys).
// RUN: icl-run %s --function norm_softmax_no_rows --random-inputs 1 --check | FileCheck %s --check-prefix=norm_softmax_no_rows
// RUN: %if cuda-device %{ icl-run %s --function norm_softmax_no_rows --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=norm_softmax_no_rows %}
// RUN: icl-run %s --function layer_norm_no_tokens --random-inputs 1 --check | FileCheck %s --check-prefix=layer_norm_no_tokens
// RUN: %if cuda-device %{ icl-run %s --function layer_norm_no_tokens --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=layer_norm_no_tokens %}
// RUN: icl-run %s --function linear_no_features --random-inputs 1 --check | FileCheck %s --check-prefix=linear_no_features
// RUN: %if cuda-device %{ icl-run %s --function linear_no_features --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_no_features %}
// RUN: icl-run %s --function attention_no_queries --random-inputs 1 --check | FileCheck %s --check-prefix=attention_no_queries
// RUN: %if cuda-device %{ icl-run %s --function attention_no_queries --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attention_no_queries %}
// RUN: icl-run %s --function attention_no_keys --random-inputs 1 --check | FileCheck %s --check-prefix=attention_no_keys
// RUN: %if cuda-device %{ icl-run %s --function attention_no_keys --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=attention_no_keys %}
// RUN: icl-run %s --function conv_no_steps --random-inputs 1 --check | FileCheck %s --check-prefix=conv_no_steps
// RUN: %if cuda-device %{ icl-run %s --function conv_no_steps --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv_no_steps %}

// A model library takes tensors without elements too (their data pointer may
// be NULL): the runtime used to refuse them as "no data".
// RUN: icl-run --reference %s --function norm_softmax_no_rows --random-inputs 1 --write-inputs %t.in0.npy --output %t.ref.npy
// RUN: icl-compile %s -o %t.so
// RUN: icl-run-lib %t.so --function norm_softmax_no_rows --input %t.in0.npy --expect %t.ref.npy | FileCheck %s --check-prefix=LIB
// LIB: expect: result 0: {{.*}}, 0 of 0 beyond

// norm_softmax_no_rows: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @norm_softmax_no_rows(%x: tensor<0x8xf32>) -> tensor<0x8xf32> {
  %y = icl.rms_norm %x : (tensor<0x8xf32>) -> tensor<0x8xf32>
  %z = icl.softmax %y : tensor<0x8xf32>
  return %z : tensor<0x8xf32>
}

// layer_norm_no_tokens: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @layer_norm_no_tokens(%x: tensor<2x0x8xf32>, %g: tensor<8xf32>) -> tensor<2x0x8xf32> {
  %y = icl.layer_norm %x gamma(%g) : (tensor<2x0x8xf32>, tensor<8xf32>) -> tensor<2x0x8xf32>
  return %y : tensor<2x0x8xf32>
}

// linear_no_features: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @linear_no_features(%x: tensor<4x0xf32>, %w: tensor<3x0xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %y = icl.linear %x, %w bias(%b) : (tensor<4x0xf32>, tensor<3x0xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// attention_no_queries: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @attention_no_queries(%q: tensor<1x2x0x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x2x0x8xf32> {
  %o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x0x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x0x8xf32>
  return %o : tensor<1x2x0x8xf32>
}

// attention_no_keys: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @attention_no_keys(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x0x8xf32>, %v: tensor<1x2x0x8xf32>) -> tensor<1x2x3x8xf32> {
  %o = icl.attention %q, %k, %v : (tensor<1x2x3x8xf32>, tensor<1x2x0x8xf32>, tensor<1x2x0x8xf32>) -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

// conv_no_steps: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
func.func @conv_no_steps(%x: tensor<2x4x0xf32>, %w: tensor<4x3xf32>) -> tensor<2x4x0xf32> {
  %y = icl.causal_conv1d %x, %w : (tensor<2x4x0xf32>, tensor<4x3xf32>) -> tensor<2x4x0xf32>
  return %y : tensor<2x4x0xf32>
}
