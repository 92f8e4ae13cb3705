// Native code against the reference evaluator: icl.linear with and without
// bias, input ranks 1-4, odd sizes, T = 1, N = 1 and a long contraction.
// RUN: icl-run %s --function linear_r2_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r2_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_r2_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r2_bias %}
// RUN: icl-run %s --function linear_r2_nobias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r2_nobias
// RUN: %if cuda-device %{ icl-run %s --function linear_r2_nobias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r2_nobias %}
// RUN: icl-run %s --function linear_r2_t1_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r2_t1_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_r2_t1_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r2_t1_bias %}
// RUN: icl-run %s --function linear_r3_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r3_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_r3_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r3_bias %}
// RUN: icl-run %s --function linear_r3_nobias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r3_nobias
// RUN: %if cuda-device %{ icl-run %s --function linear_r3_nobias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r3_nobias %}
// RUN: icl-run %s --function linear_r3_t1_nobias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r3_t1_nobias
// RUN: %if cuda-device %{ icl-run %s --function linear_r3_t1_nobias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r3_t1_nobias %}
// RUN: icl-run %s --function linear_r4_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r4_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_r4_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r4_bias %}
// RUN: icl-run %s --function linear_r4_nobias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r4_nobias
// RUN: %if cuda-device %{ icl-run %s --function linear_r4_nobias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r4_nobias %}
// RUN: icl-run %s --function linear_r1_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_r1_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_r1_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_r1_bias %}
// RUN: icl-run %s --function linear_long_k_bias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_long_k_bias
// RUN: %if cuda-device %{ icl-run %s --function linear_long_k_bias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_long_k_bias %}
// RUN: icl-run %s --function linear_n1_nobias --random-inputs 1 --check | FileCheck %s --check-prefix=linear_n1_nobias
// RUN: %if cuda-device %{ icl-run %s --function linear_n1_nobias --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_n1_nobias %}
// bf16/f16 accumulate in f32 and round once (the default bound of their dtype).
// RUN: icl-run %s --function linear_bf16_long_k --random-inputs 1 --check | FileCheck %s --check-prefix=linear_bf16_long_k
// RUN: %if cuda-device %{ icl-run %s --function linear_bf16_long_k --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_bf16_long_k %}
// RUN: icl-run %s --function linear_f16_r1 --random-inputs 1 --check | FileCheck %s --check-prefix=linear_f16_r1
// RUN: %if cuda-device %{ icl-run %s --function linear_f16_r1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=linear_f16_r1 %}

func.func @linear_r2_bias(%x: tensor<13x40xf32>, %w: tensor<24x40xf32>, %b: tensor<24xf32>) -> tensor<13x24xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<13x40xf32>, tensor<24x40xf32>, tensor<24xf32>) -> tensor<13x24xf32>
  return %0 : tensor<13x24xf32>
}
// linear_r2_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r2_nobias(%x: tensor<13x40xf32>, %w: tensor<24x40xf32>) -> tensor<13x24xf32> {
  %0 = icl.linear %x, %w : (tensor<13x40xf32>, tensor<24x40xf32>) -> tensor<13x24xf32>
  return %0 : tensor<13x24xf32>
}
// linear_r2_nobias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r2_t1_bias(%x: tensor<1x40xf32>, %w: tensor<120x40xf32>, %b: tensor<120xf32>) -> tensor<1x120xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<1x40xf32>, tensor<120x40xf32>, tensor<120xf32>) -> tensor<1x120xf32>
  return %0 : tensor<1x120xf32>
}
// linear_r2_t1_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r3_bias(%x: tensor<2x13x40xf32>, %w: tensor<33x40xf32>, %b: tensor<33xf32>) -> tensor<2x13x33xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<2x13x40xf32>, tensor<33x40xf32>, tensor<33xf32>) -> tensor<2x13x33xf32>
  return %0 : tensor<2x13x33xf32>
}
// linear_r3_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r3_nobias(%x: tensor<2x13x40xf32>, %w: tensor<33x40xf32>) -> tensor<2x13x33xf32> {
  %0 = icl.linear %x, %w : (tensor<2x13x40xf32>, tensor<33x40xf32>) -> tensor<2x13x33xf32>
  return %0 : tensor<2x13x33xf32>
}
// linear_r3_nobias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r3_t1_nobias(%x: tensor<3x1x64xf32>, %w: tensor<17x64xf32>) -> tensor<3x1x17xf32> {
  %0 = icl.linear %x, %w : (tensor<3x1x64xf32>, tensor<17x64xf32>) -> tensor<3x1x17xf32>
  return %0 : tensor<3x1x17xf32>
}
// linear_r3_t1_nobias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r4_bias(%x: tensor<2x3x5x17xf32>, %w: tensor<9x17xf32>, %b: tensor<9xf32>) -> tensor<2x3x5x9xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<2x3x5x17xf32>, tensor<9x17xf32>, tensor<9xf32>) -> tensor<2x3x5x9xf32>
  return %0 : tensor<2x3x5x9xf32>
}
// linear_r4_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r4_nobias(%x: tensor<2x3x5x17xf32>, %w: tensor<9x17xf32>) -> tensor<2x3x5x9xf32> {
  %0 = icl.linear %x, %w : (tensor<2x3x5x17xf32>, tensor<9x17xf32>) -> tensor<2x3x5x9xf32>
  return %0 : tensor<2x3x5x9xf32>
}
// linear_r4_nobias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_r1_bias(%x: tensor<37xf32>, %w: tensor<11x37xf32>, %b: tensor<11xf32>) -> tensor<11xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<37xf32>, tensor<11x37xf32>, tensor<11xf32>) -> tensor<11xf32>
  return %0 : tensor<11xf32>
}
// linear_r1_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_long_k_bias(%x: tensor<1x3x257xf32>, %w: tensor<65x257xf32>, %b: tensor<65xf32>) -> tensor<1x3x65xf32> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<1x3x257xf32>, tensor<65x257xf32>, tensor<65xf32>) -> tensor<1x3x65xf32>
  return %0 : tensor<1x3x65xf32>
}
// linear_long_k_bias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_n1_nobias(%x: tensor<7x33xf32>, %w: tensor<1x33xf32>) -> tensor<7x1xf32> {
  %0 = icl.linear %x, %w : (tensor<7x33xf32>, tensor<1x33xf32>) -> tensor<7x1xf32>
  return %0 : tensor<7x1xf32>
}
// linear_n1_nobias: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_bf16_long_k(%x: tensor<3x7x512xbf16>, %w: tensor<40x512xbf16>, %b: tensor<40xbf16>) -> tensor<3x7x40xbf16> {
  %0 = icl.linear %x, %w bias(%b) : (tensor<3x7x512xbf16>, tensor<40x512xbf16>, tensor<40xbf16>) -> tensor<3x7x40xbf16>
  return %0 : tensor<3x7x40xbf16>
}
// linear_bf16_long_k: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @linear_f16_r1(%x: tensor<300xf16>, %w: tensor<9x300xf16>) -> tensor<9xf16> {
  %0 = icl.linear %x, %w : (tensor<300xf16>, tensor<9x300xf16>) -> tensor<9xf16>
  return %0 : tensor<9xf16>
}
// linear_f16_r1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
