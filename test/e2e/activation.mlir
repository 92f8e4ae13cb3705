// Native code against the reference evaluator: icl.activation, every kind.
// RUN: icl-run %s --function act_none --random-inputs 1 --check | FileCheck %s --check-prefix=act_none
// RUN: %if cuda-device %{ icl-run %s --function act_none --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_none %}
// RUN: icl-run %s --function act_relu --random-inputs 1 --check | FileCheck %s --check-prefix=act_relu
// RUN: %if cuda-device %{ icl-run %s --function act_relu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_relu %}
// RUN: icl-run %s --function act_gelu --random-inputs 1 --check | FileCheck %s --check-prefix=act_gelu
// RUN: %if cuda-device %{ icl-run %s --function act_gelu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_gelu %}
// RUN: icl-run %s --function act_gelu_tanh --random-inputs 1 --check | FileCheck %s --check-prefix=act_gelu_tanh
// RUN: %if cuda-device %{ icl-run %s --function act_gelu_tanh --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_gelu_tanh %}
// RUN: icl-run %s --function act_silu --random-inputs 1 --check | FileCheck %s --check-prefix=act_silu
// RUN: %if cuda-device %{ icl-run %s --function act_silu --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_silu %}
// RUN: icl-run %s --function act_softplus --random-inputs 1 --check | FileCheck %s --check-prefix=act_softplus
// RUN: %if cuda-device %{ icl-run %s --function act_softplus --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_softplus %}
// RUN: icl-run %s --function act_sigmoid --random-inputs 1 --check | FileCheck %s --check-prefix=act_sigmoid
// RUN: %if cuda-device %{ icl-run %s --function act_sigmoid --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_sigmoid %}
// RUN: icl-run %s --function act_elu_plus_one --random-inputs 1 --check | FileCheck %s --check-prefix=act_elu_plus_one
// RUN: %if cuda-device %{ icl-run %s --function act_elu_plus_one --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_elu_plus_one %}
// RUN: icl-run %s --function act_none_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_none_wide
// RUN: %if cuda-device %{ icl-run %s --function act_none_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_none_wide %}
// RUN: icl-run %s --function act_relu_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_relu_wide
// RUN: %if cuda-device %{ icl-run %s --function act_relu_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_relu_wide %}
// RUN: icl-run %s --function act_gelu_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_gelu_wide
// RUN: %if cuda-device %{ icl-run %s --function act_gelu_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_gelu_wide %}
// RUN: icl-run %s --function act_gelu_tanh_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_gelu_tanh_wide
// RUN: %if cuda-device %{ icl-run %s --function act_gelu_tanh_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_gelu_tanh_wide %}
// RUN: icl-run %s --function act_silu_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_silu_wide
// RUN: %if cuda-device %{ icl-run %s --function act_silu_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_silu_wide %}
// RUN: icl-run %s --function act_softplus_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_softplus_wide
// RUN: %if cuda-device %{ icl-run %s --function act_softplus_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_softplus_wide %}
// RUN: icl-run %s --function act_sigmoid_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_sigmoid_wide
// RUN: %if cuda-device %{ icl-run %s --function act_sigmoid_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_sigmoid_wide %}
// RUN: icl-run %s --function act_elu_plus_one_wide --random-inputs 1 --check | FileCheck %s --check-prefix=act_elu_plus_one_wide
// RUN: %if cuda-device %{ icl-run %s --function act_elu_plus_one_wide --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_elu_plus_one_wide %}
// RUN: icl-run %s --function act_gelu_rank1 --random-inputs 1 --check | FileCheck %s --check-prefix=act_gelu_rank1
// RUN: %if cuda-device %{ icl-run %s --function act_gelu_rank1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=act_gelu_rank1 %}

func.func @act_none(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<none>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_none: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_relu(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<relu>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_relu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_gelu(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<gelu>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_gelu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_gelu_tanh(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<gelu_tanh>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_gelu_tanh: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_silu(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<silu>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_silu: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_softplus(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<softplus>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_softplus: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_sigmoid(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<sigmoid>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_sigmoid: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_elu_plus_one(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<elu_plus_one>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// act_elu_plus_one: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_none_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<none>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_none_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_relu_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<relu>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_relu_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_gelu_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<gelu>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_gelu_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_gelu_tanh_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<gelu_tanh>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_gelu_tanh_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_silu_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<silu>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_silu_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_softplus_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<softplus>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_softplus_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_sigmoid_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<sigmoid>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_sigmoid_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_elu_plus_one_wide(%x: tensor<3x5x41xf32>) -> tensor<3x5x41xf32> {
  %s = arith.constant dense<30.0> : tensor<3x5x41xf32>
  %y = arith.mulf %x, %s : tensor<3x5x41xf32>
  %0 = icl.activation %y {kind = #icl.activation<elu_plus_one>} : tensor<3x5x41xf32>
  return %0 : tensor<3x5x41xf32>
}
// act_elu_plus_one_wide: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @act_gelu_rank1(%x: tensor<129xf32>) -> tensor<129xf32> {
  %0 = icl.activation %x {kind = #icl.activation<gelu>} : tensor<129xf32>
  return %0 : tensor<129xf32>
}
// act_gelu_rank1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
