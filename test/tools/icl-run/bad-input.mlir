// Bad inputs and bad IR: one clear message and a non-zero exit.
// RUN: icl-run --reference %s --function make_ids --output %t.ids.npy
// RUN: icl-run --reference %s --function make_wide --output %t.wide.npy
// RUN: not icl-run --reference %s --function embed --input %t.ids.npy 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not icl-run --reference %s --function embed --input %t.wide.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not icl-run --reference %s --function nope --random-inputs 0 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not icl-run --reference %s --random-inputs 0 2>&1 | FileCheck %s --check-prefix=AMBIGUOUS
// RUN: not icl-run --reference %s --function embed 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not icl-run --reference %S/Inputs/malformed.mlir --random-inputs 0 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not icl-run %s --function embed --input %t.ids.npy 2>&1 | FileCheck %s --check-prefix=NATIVE-RANGE
// RUN: not icl-run %s --function dynamic --random-inputs 0 2>&1 | FileCheck %s --check-prefix=DYNAMIC

func.func @embed(%ids: tensor<1x3xi64>) -> tensor<1x3x2xf32> {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = icl.embedding %t, %ids : (tensor<2x2xf32>, tensor<1x3xi64>) -> tensor<1x3x2xf32>
  return %e : tensor<1x3x2xf32>
}
// RANGE: bad-input.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.embedding' failed at run time: {{.*}}7

func.func @make_ids() -> tensor<1x3xi64> {
  %c = arith.constant dense<[[0, 7, 1]]> : tensor<1x3xi64>
  return %c : tensor<1x3xi64>
}

func.func @make_wide() -> tensor<1x4xi64> {
  %c = arith.constant dense<[[0, 1, 1, 0]]> : tensor<1x4xi64>
  return %c : tensor<1x4xi64>
}
// SHAPE: error: input 0 has shape [1, 4] but argument 0 of 'embed' is tensor<1x3xi64>
// NOFUNC: error: no function named 'nope' in the module
// AMBIGUOUS: error: the module has several public functions {{.*}} choose one with --function
// COUNT: error: function 'embed' takes 1 inputs, got 0
// PARSE: malformed.mlir:4:{{[0-9]+}}: error:
// NATIVE-RANGE: error: run-time error: token id 7 at index [0, 1] of argument 0 is outside the vocabulary 0..1

func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// DYNAMIC: error: argument 0 of 'dynamic' has the dynamic type tensor<?x4xf32>; native compilation needs static shapes
