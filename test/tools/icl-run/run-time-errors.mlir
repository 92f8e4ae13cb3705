// Ids out of range in native code (x86): the embedding and token_unmerge
// clamp them, and the call fails with a run-time error naming the first one;
// the reference evaluator refuses them too.
// RUN: rm -rf %t && mkdir -p %t
// RUN: icl-run --reference %s --function make_ids --output %t/ids.npy
// RUN: icl-run --reference %s --function make_x --output %t/x.npy

// The JIT, for ids computed in the function and for token_unmerge indices.
// RUN: not icl-run %s --function shifted --input %t/ids.npy 2>&1 | FileCheck %s --check-prefix=COMPUTED
// On the GPU too: the scan is a kernel, host code reads its result.
// RUN: %if cuda-device %{ not icl-run %s --function shifted --input %t/ids.npy --device=cuda 2>&1 | FileCheck %s --check-prefix=COMPUTED %}
// RUN: not icl-run %s --function unmerge --input %t/x.npy --input %t/ids.npy 2>&1 | FileCheck %s --check-prefix=UNMERGE
// RUN: not icl-run --reference %s --function unmerge --input %t/x.npy --input %t/ids.npy 2>&1 | FileCheck %s --check-prefix=REFERENCE

// A model library, through the runtime (icl-run, icl-run-lib) and through
// its typed entry point.
// RUN: icl-compile %s -o %t/librun_time_errors.so
// RUN: not icl-run %t/librun_time_errors.so --function embed --input %t/ids.npy 2>&1 | FileCheck %s --check-prefix=ARGUMENT
// RUN: not icl-run-lib %t/librun_time_errors.so --function unmerge --input %t/x.npy --input %t/ids.npy 2>&1 | FileCheck %s --check-prefix=UNMERGE
// RUN: cc %S/Inputs/typed_entry_error.c -I%t -I%icl_src -L%t -lrun_time_errors -Wl,-rpath,%t -o %t/typed_entry
// RUN: %t/typed_entry | FileCheck %s --check-prefix=TYPED

// ARGUMENT: error: run-time error: token id 7 at index [0, 2] of argument 0 is outside the vocabulary 0..2
func.func @embed(%ids: tensor<1x4xi64>) -> tensor<1x4x2xf32> {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %e = icl.embedding %t, %ids : (tensor<3x2xf32>, tensor<1x4xi64>) -> tensor<1x4x2xf32>
  return %e : tensor<1x4x2xf32>
}

// COMPUTED: error: run-time error: token id 4 at index [0, 1] of the ids of 'icl.embedding' at {{.*}}run-time-errors.mlir:[[@LINE+4]]:{{[0-9]+}} is outside the vocabulary 0..2
func.func @shifted(%ids: tensor<1x4xi64>) -> tensor<1x4x2xf32> {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %s = arith.addi %ids, %ids : tensor<1x4xi64>
  %e = icl.embedding %t, %s : (tensor<3x2xf32>, tensor<1x4xi64>) -> tensor<1x4x2xf32>
  return %e : tensor<1x4x2xf32>
}

// UNMERGE: error: run-time error: source token 2 at index [0, 1] of argument 1 is outside the merged tokens 0..1
// REFERENCE: 'icl.token_unmerge' failed at run time: token_unmerge: index 2 of token 1 is outside [0, 2)
func.func @unmerge(%x: tensor<1x2x3xf32>, %index: tensor<1x4xi64>) -> tensor<1x4x3xf32> {
  %y = icl.token_unmerge %x, %index : (tensor<1x2x3xf32>, tensor<1x4xi64>) -> tensor<1x4x3xf32>
  return %y : tensor<1x4x3xf32>
}

// TYPED: bad ids: 1: token id 7 at index [0, 2] of argument 0 is outside the vocabulary 0..2
// TYPED: good ids: 0: ''

func.func @make_ids() -> tensor<1x4xi64> {
  %c = arith.constant dense<[[0, 2, 7, -1]]> : tensor<1x4xi64>
  return %c : tensor<1x4xi64>
}

func.func @make_x() -> tensor<1x2x3xf32> {
  %c = arith.constant dense<1.0> : tensor<1x2x3xf32>
  return %c : tensor<1x2x3xf32>
}
