// Token merging at odd lengths: its slot arrays are read through `t floordiv 2`,
// so tiles of the token loop must start at even positions (regression: tiles
// of 11 tokens at T = 33 read the wrong slots).
// RUN: icl-run %s --function f --random-inputs 2 --check | FileCheck %s --check-prefix=F
// RUN: %if cuda-device %{ icl-run %s --function f --random-inputs 2 --check --device=cuda | FileCheck %s --check-prefix=F %}
// RUN: icl-run %s --function g --random-inputs 2 --check | FileCheck %s --check-prefix=G
// RUN: %if cuda-device %{ icl-run %s --function g --random-inputs 2 --check --device=cuda | FileCheck %s --check-prefix=G %}
// F: check: result 2: {{.*}}, 0 of 66 beyond
// G: check: result 0: {{.*}}, 0 of 2240 beyond
// G: check: result 2: {{.*}}, 0 of 66 beyond
func.func @f(%x: tensor<2x33x40xf32>, %m: tensor<2x33x40xf32>) -> (tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>) {
  %r, %s, %i = icl.token_merge %x, %m {r = 5 : i64} : (tensor<2x33x40xf32>, tensor<2x33x40xf32>) -> (tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>)
  return %r, %s, %i : tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>
}
func.func @g(%x: tensor<2x33x40xf32>, %m: tensor<2x33x40xf32>, %sz: tensor<2x33xf32>) -> (tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>) {
  %r, %s, %i = icl.token_merge %x, %m sizes(%sz) {r = 5 : i64} : (tensor<2x33x40xf32>, tensor<2x33x40xf32>, tensor<2x33xf32>) -> (tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>)
  return %r, %s, %i : tensor<2x28x40xf32>, tensor<2x28xf32>, tensor<2x33xi64>
}
