// Native code against the reference evaluator: icl.softmax along the last,
// the first and a middle axis (positive and negative axis numbers), large
// logits, and slices that are partly or entirely -inf (an all -inf slice
// gives zeros on both sides).
// RUN: icl-run %s --function softmax_default --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_default
// RUN: %if cuda-device %{ icl-run %s --function softmax_default --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_default %}
// RUN: icl-run %s --function softmax_last --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_last
// RUN: %if cuda-device %{ icl-run %s --function softmax_last --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_last %}
// RUN: icl-run %s --function softmax_axis0 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_axis0
// RUN: %if cuda-device %{ icl-run %s --function softmax_axis0 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_axis0 %}
// RUN: icl-run %s --function softmax_axis0_rank3 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_axis0_rank3
// RUN: %if cuda-device %{ icl-run %s --function softmax_axis0_rank3 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_axis0_rank3 %}
// RUN: icl-run %s --function softmax_middle --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_middle
// RUN: %if cuda-device %{ icl-run %s --function softmax_middle --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_middle %}
// RUN: icl-run %s --function softmax_middle_neg --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_middle_neg
// RUN: %if cuda-device %{ icl-run %s --function softmax_middle_neg --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_middle_neg %}
// RUN: icl-run %s --function softmax_middle_rank4 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_middle_rank4
// RUN: %if cuda-device %{ icl-run %s --function softmax_middle_rank4 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_middle_rank4 %}
// RUN: icl-run %s --function softmax_last_positive_axis --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_last_positive_axis
// RUN: %if cuda-device %{ icl-run %s --function softmax_last_positive_axis --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_last_positive_axis %}
// RUN: icl-run %s --function softmax_rank1 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_rank1
// RUN: %if cuda-device %{ icl-run %s --function softmax_rank1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_rank1 %}
// RUN: icl-run %s --function softmax_len1 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_len1
// RUN: %if cuda-device %{ icl-run %s --function softmax_len1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_len1 %}
// RUN: icl-run %s --function softmax_wide_range --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_wide_range
// RUN: %if cuda-device %{ icl-run %s --function softmax_wide_range --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_wide_range %}
// RUN: icl-run %s --function softmax_masked_rows_last --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_masked_rows_last
// RUN: %if cuda-device %{ icl-run %s --function softmax_masked_rows_last --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_masked_rows_last %}
// RUN: icl-run %s --function softmax_masked_cols_axis0 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_masked_cols_axis0
// RUN: %if cuda-device %{ icl-run %s --function softmax_masked_cols_axis0 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_masked_cols_axis0 %}
// RUN: icl-run %s --function softmax_all_ninf --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_all_ninf
// RUN: %if cuda-device %{ icl-run %s --function softmax_all_ninf --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_all_ninf %}
// bf16/f16 are computed in f32 and rounded once (the default bound of their dtype).
// RUN: icl-run %s --function softmax_bf16 --random-inputs 1 --check | FileCheck %s --check-prefix=softmax_bf16
// RUN: %if cuda-device %{ icl-run %s --function softmax_bf16 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=softmax_bf16 %}

func.func @softmax_default(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.softmax %x : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
// softmax_default: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_last(%x: tensor<2x5x129xf32>) -> tensor<2x5x129xf32> {
  %0 = icl.softmax %x {axis = -1 : i64} : tensor<2x5x129xf32>
  return %0 : tensor<2x5x129xf32>
}
// softmax_last: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_axis0(%x: tensor<37x6xf32>) -> tensor<37x6xf32> {
  %0 = icl.softmax %x {axis = 0 : i64} : tensor<37x6xf32>
  return %0 : tensor<37x6xf32>
}
// softmax_axis0: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_axis0_rank3(%x: tensor<13x3x5xf32>) -> tensor<13x3x5xf32> {
  %0 = icl.softmax %x {axis = 0 : i64} : tensor<13x3x5xf32>
  return %0 : tensor<13x3x5xf32>
}
// softmax_axis0_rank3: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_middle(%x: tensor<3x37x5xf32>) -> tensor<3x37x5xf32> {
  %0 = icl.softmax %x {axis = 1 : i64} : tensor<3x37x5xf32>
  return %0 : tensor<3x37x5xf32>
}
// softmax_middle: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_middle_neg(%x: tensor<3x37x5xf32>) -> tensor<3x37x5xf32> {
  %0 = icl.softmax %x {axis = -2 : i64} : tensor<3x37x5xf32>
  return %0 : tensor<3x37x5xf32>
}
// softmax_middle_neg: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_middle_rank4(%x: tensor<2x3x9x4xf32>) -> tensor<2x3x9x4xf32> {
  %0 = icl.softmax %x {axis = 2 : i64} : tensor<2x3x9x4xf32>
  return %0 : tensor<2x3x9x4xf32>
}
// softmax_middle_rank4: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_last_positive_axis(%x: tensor<4x11xf32>) -> tensor<4x11xf32> {
  %0 = icl.softmax %x {axis = 1 : i64} : tensor<4x11xf32>
  return %0 : tensor<4x11xf32>
}
// softmax_last_positive_axis: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_rank1(%x: tensor<37xf32>) -> tensor<37xf32> {
  %0 = icl.softmax %x {axis = 0 : i64} : tensor<37xf32>
  return %0 : tensor<37xf32>
}
// softmax_rank1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_len1(%x: tensor<5x1xf32>) -> tensor<5x1xf32> {
  %0 = icl.softmax %x {axis = -1 : i64} : tensor<5x1xf32>
  return %0 : tensor<5x1xf32>
}
// softmax_len1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_wide_range(%x: tensor<6x37xf32>) -> tensor<6x37xf32> {
  %c = arith.constant dense<80.0> : tensor<6x37xf32>
  %y = arith.mulf %x, %c : tensor<6x37xf32>
  %0 = icl.softmax %y {axis = -1 : i64} : tensor<6x37xf32>
  return %0 : tensor<6x37xf32>
}
// softmax_wide_range: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_masked_rows_last(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %m = arith.constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0xFF800000, 0.0, 0xFF800000, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<4x5xf32>
  %y = arith.addf %x, %m : tensor<4x5xf32>
  %0 = icl.softmax %y {axis = -1 : i64} : tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
// softmax_masked_rows_last: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_masked_cols_axis0(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %m = arith.constant dense<[[0.0, 0xFF800000, 0.0, 0xFF800000, 0.0], [0.0, 0xFF800000, 0.0, 0.0, 0.0], [0.0, 0xFF800000, 0.0, 0xFF800000, 0.0], [0.0, 0xFF800000, 0.0, 0.0, 0.0]]> : tensor<4x5xf32>
  %y = arith.addf %x, %m : tensor<4x5xf32>
  %0 = icl.softmax %y {axis = 0 : i64} : tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
// softmax_masked_cols_axis0: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_all_ninf(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %m = arith.constant dense<0xFF800000> : tensor<3x4xf32>
  %y = arith.addf %x, %m : tensor<3x4xf32>
  %0 = icl.softmax %y {axis = -1 : i64} : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
// softmax_all_ninf: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @softmax_bf16(%x: tensor<9x2000xbf16>) -> tensor<9x2000xbf16> {
  %0 = icl.softmax %x : tensor<9x2000xbf16>
  return %0 : tensor<9x2000xbf16>
}
// softmax_bf16: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
