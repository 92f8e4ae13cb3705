// Native code against the reference evaluator: icl.causal_conv1d with and
// without bias, activation none and silu, kernel widths 1 and 4 (and one
// wider than the sequence), sequence lengths 1 and 37.
// RUN: icl-run %s --function conv1d_w4_l37_bias_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37_bias_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37_bias_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37_bias_silu %}
// RUN: icl-run %s --function conv1d_w4_l37_bias --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37_bias
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37_bias %}
// RUN: icl-run %s --function conv1d_w4_l37_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37_silu %}
// RUN: icl-run %s --function conv1d_w4_l37 --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37 %}
// RUN: icl-run %s --function conv1d_w4_l1_bias_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l1_bias_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l1_bias_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l1_bias_silu %}
// RUN: icl-run %s --function conv1d_w4_l1 --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l1
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l1 %}
// RUN: icl-run %s --function conv1d_w1_l37_bias_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w1_l37_bias_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w1_l37_bias_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w1_l37_bias_silu %}
// RUN: icl-run %s --function conv1d_w1_l37 --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w1_l37
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w1_l37 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w1_l37 %}
// RUN: icl-run %s --function conv1d_w1_l1_bias --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w1_l1_bias
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w1_l1_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w1_l1_bias %}
// RUN: icl-run %s --function conv1d_w1_l1_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w1_l1_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w1_l1_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w1_l1_silu %}
// RUN: icl-run %s --function conv1d_w7_l3_bias_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w7_l3_bias_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w7_l3_bias_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w7_l3_bias_silu %}
// RUN: icl-run %s --function conv1d_w2_c2_l1 --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w2_c2_l1
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w2_c2_l1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w2_c2_l1 %}
// RUN: icl-run %s --function conv1d_w4_l37_b1c1_bias_silu --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37_b1c1_bias_silu
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37_b1c1_bias_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37_b1c1_bias_silu %}
// RUN: icl-run %s --function conv1d_w4_l37_bias_explicit_none --random-inputs 1 --check | FileCheck %s --check-prefix=conv1d_w4_l37_bias_explicit_none
// RUN: %if cuda-device %{ icl-run %s --function conv1d_w4_l37_bias_explicit_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=conv1d_w4_l37_bias_explicit_none %}

func.func @conv1d_w4_l37_bias_silu(%x: tensor<2x40x37xf32>, %w: tensor<40x4xf32>, %b: tensor<40xf32>) -> tensor<2x40x37xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>} : (tensor<2x40x37xf32>, tensor<40x4xf32>, tensor<40xf32>) -> tensor<2x40x37xf32>
  return %0 : tensor<2x40x37xf32>
}
// conv1d_w4_l37_bias_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l37_bias(%x: tensor<2x40x37xf32>, %w: tensor<40x4xf32>, %b: tensor<40xf32>) -> tensor<2x40x37xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) : (tensor<2x40x37xf32>, tensor<40x4xf32>, tensor<40xf32>) -> tensor<2x40x37xf32>
  return %0 : tensor<2x40x37xf32>
}
// conv1d_w4_l37_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l37_silu(%x: tensor<2x40x37xf32>, %w: tensor<40x4xf32>) -> tensor<2x40x37xf32> {
  %0 = icl.causal_conv1d %x, %w {activation = #icl.activation<silu>} : (tensor<2x40x37xf32>, tensor<40x4xf32>) -> tensor<2x40x37xf32>
  return %0 : tensor<2x40x37xf32>
}
// conv1d_w4_l37_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l37(%x: tensor<2x40x37xf32>, %w: tensor<40x4xf32>) -> tensor<2x40x37xf32> {
  %0 = icl.causal_conv1d %x, %w : (tensor<2x40x37xf32>, tensor<40x4xf32>) -> tensor<2x40x37xf32>
  return %0 : tensor<2x40x37xf32>
}
// conv1d_w4_l37: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l1_bias_silu(%x: tensor<2x40x1xf32>, %w: tensor<40x4xf32>, %b: tensor<40xf32>) -> tensor<2x40x1xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>} : (tensor<2x40x1xf32>, tensor<40x4xf32>, tensor<40xf32>) -> tensor<2x40x1xf32>
  return %0 : tensor<2x40x1xf32>
}
// conv1d_w4_l1_bias_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l1(%x: tensor<1x33x1xf32>, %w: tensor<33x4xf32>) -> tensor<1x33x1xf32> {
  %0 = icl.causal_conv1d %x, %w : (tensor<1x33x1xf32>, tensor<33x4xf32>) -> tensor<1x33x1xf32>
  return %0 : tensor<1x33x1xf32>
}
// conv1d_w4_l1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w1_l37_bias_silu(%x: tensor<2x40x37xf32>, %w: tensor<40x1xf32>, %b: tensor<40xf32>) -> tensor<2x40x37xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>} : (tensor<2x40x37xf32>, tensor<40x1xf32>, tensor<40xf32>) -> tensor<2x40x37xf32>
  return %0 : tensor<2x40x37xf32>
}
// conv1d_w1_l37_bias_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w1_l37(%x: tensor<2x33x37xf32>, %w: tensor<33x1xf32>) -> tensor<2x33x37xf32> {
  %0 = icl.causal_conv1d %x, %w : (tensor<2x33x37xf32>, tensor<33x1xf32>) -> tensor<2x33x37xf32>
  return %0 : tensor<2x33x37xf32>
}
// conv1d_w1_l37: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w1_l1_bias(%x: tensor<3x17x1xf32>, %w: tensor<17x1xf32>, %b: tensor<17xf32>) -> tensor<3x17x1xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) : (tensor<3x17x1xf32>, tensor<17x1xf32>, tensor<17xf32>) -> tensor<3x17x1xf32>
  return %0 : tensor<3x17x1xf32>
}
// conv1d_w1_l1_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w1_l1_silu(%x: tensor<3x17x1xf32>, %w: tensor<17x1xf32>) -> tensor<3x17x1xf32> {
  %0 = icl.causal_conv1d %x, %w {activation = #icl.activation<silu>} : (tensor<3x17x1xf32>, tensor<17x1xf32>) -> tensor<3x17x1xf32>
  return %0 : tensor<3x17x1xf32>
}
// conv1d_w1_l1_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w7_l3_bias_silu(%x: tensor<1x9x3xf32>, %w: tensor<9x7xf32>, %b: tensor<9xf32>) -> tensor<1x9x3xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>} : (tensor<1x9x3xf32>, tensor<9x7xf32>, tensor<9xf32>) -> tensor<1x9x3xf32>
  return %0 : tensor<1x9x3xf32>
}
// conv1d_w7_l3_bias_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w2_c2_l1(%x: tensor<1x2x1xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x1xf32> {
  %0 = icl.causal_conv1d %x, %w : (tensor<1x2x1xf32>, tensor<2x2xf32>) -> tensor<1x2x1xf32>
  return %0 : tensor<1x2x1xf32>
}
// conv1d_w2_c2_l1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l37_b1c1_bias_silu(%x: tensor<1x1x37xf32>, %w: tensor<1x4xf32>, %b: tensor<1xf32>) -> tensor<1x1x37xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>} : (tensor<1x1x37xf32>, tensor<1x4xf32>, tensor<1xf32>) -> tensor<1x1x37xf32>
  return %0 : tensor<1x1x37xf32>
}
// conv1d_w4_l37_b1c1_bias_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @conv1d_w4_l37_bias_explicit_none(%x: tensor<1x16x37xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<1x16x37xf32> {
  %0 = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<none>} : (tensor<1x16x37xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<1x16x37xf32>
  return %0 : tensor<1x16x37xf32>
}
// conv1d_w4_l37_bias_explicit_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
