// Functions returning one value several times get a tensor per result.
// RUN: icl-run %s --function same_result_twice --random-inputs 1 --check | FileCheck %s --check-prefix=same_result_twice
// RUN: %if cuda-device %{ icl-run %s --function same_result_twice --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=same_result_twice %}
// RUN: icl-run %s --function same_icl_result_twice --random-inputs 1 --check | FileCheck %s --check-prefix=same_icl_result_twice
// RUN: %if cuda-device %{ icl-run %s --function same_icl_result_twice --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=same_icl_result_twice %}

func.func @same_result_twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0, %0 : tensor<4xf32>, tensor<4xf32>
}
// same_result_twice: check: result 0: {{.*}}, 0 of 4 beyond
// same_result_twice: check: result 1: {{.*}}, 0 of 4 beyond

func.func @same_icl_result_twice(%x: tensor<3x40xf32>) -> (tensor<3x40xf32>, tensor<3x40xf32>) {
  %0 = icl.activation %x {kind = #icl.activation<silu>} : tensor<3x40xf32>
  return %0, %0 : tensor<3x40xf32>, tensor<3x40xf32>
}
// same_icl_result_twice: check: result 0: {{.*}}, 0 of 120 beyond
// same_icl_result_twice: check: result 1: {{.*}}, 0 of 120 beyond
