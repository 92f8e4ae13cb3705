// Native code against the reference evaluator: icl.rope, half and
// interleaved, rotary_dim < D, positions [T] and [B, T] (random positions lie
// in [0, 16); one case uses constant positions up to 255).
// RUN: icl-run %s --function rope_half --random-inputs 1 --check | FileCheck %s --check-prefix=rope_half
// RUN: %if cuda-device %{ icl-run %s --function rope_half --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_half %}
// RUN: icl-run %s --function rope_half_explicit --random-inputs 1 --check | FileCheck %s --check-prefix=rope_half_explicit
// RUN: %if cuda-device %{ icl-run %s --function rope_half_explicit --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_half_explicit %}
// RUN: icl-run %s --function rope_interleaved --random-inputs 1 --check | FileCheck %s --check-prefix=rope_interleaved
// RUN: %if cuda-device %{ icl-run %s --function rope_interleaved --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_interleaved %}
// RUN: icl-run %s --function rope_half_partial --random-inputs 1 --check | FileCheck %s --check-prefix=rope_half_partial
// RUN: %if cuda-device %{ icl-run %s --function rope_half_partial --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_half_partial %}
// RUN: icl-run %s --function rope_interleaved_partial --random-inputs 1 --check | FileCheck %s --check-prefix=rope_interleaved_partial
// RUN: %if cuda-device %{ icl-run %s --function rope_interleaved_partial --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_interleaved_partial %}
// RUN: icl-run %s --function rope_half_batch_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_half_batch_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_half_batch_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_half_batch_pos %}
// RUN: icl-run %s --function rope_interleaved_batch_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_interleaved_batch_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_interleaved_batch_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_interleaved_batch_pos %}
// RUN: icl-run %s --function rope_half_partial_batch_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_half_partial_batch_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_half_partial_batch_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_half_partial_batch_pos %}
// RUN: icl-run %s --function rope_interleaved_partial_batch_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_interleaved_partial_batch_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_interleaved_partial_batch_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_interleaved_partial_batch_pos %}
// RUN: icl-run %s --function rope_t1 --random-inputs 1 --check | FileCheck %s --check-prefix=rope_t1
// RUN: %if cuda-device %{ icl-run %s --function rope_t1 --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_t1 %}
// RUN: icl-run %s --function rope_t1_batch_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_t1_batch_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_t1_batch_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_t1_batch_pos %}
// RUN: icl-run %s --function rope_i32_pos --random-inputs 1 --check | FileCheck %s --check-prefix=rope_i32_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_i32_pos --random-inputs 1 --check --device=cuda | FileCheck %s --check-prefix=rope_i32_pos %}
// The positions of rope_const_large_pos reach 255: angles computed in f32 are off by up to
// 255·u(f32) ~ 1.5e-5 rad, so the rotated values by as much relative to their scale.
// RUN: icl-run %s --function rope_const_large_pos --random-inputs 1 --check --tolerance 2e-5 | FileCheck %s --check-prefix=rope_const_large_pos
// RUN: %if cuda-device %{ icl-run %s --function rope_const_large_pos --random-inputs 1 --check --tolerance 2e-5 --device=cuda | FileCheck %s --check-prefix=rope_const_large_pos %}

func.func @rope_half(%x: tensor<1x4x13x64xf32>, %pos: tensor<13xi64>) -> tensor<1x4x13x64xf32> {
  %0 = icl.rope %x, %pos : (tensor<1x4x13x64xf32>, tensor<13xi64>) -> tensor<1x4x13x64xf32>
  return %0 : tensor<1x4x13x64xf32>
}
// rope_half: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_half_explicit(%x: tensor<2x3x13x40xf32>, %pos: tensor<13xi64>) -> tensor<2x3x13x40xf32> {
  %0 = icl.rope %x, %pos {base = 10000.0 : f64, style = #icl.rope_style<half>} : (tensor<2x3x13x40xf32>, tensor<13xi64>) -> tensor<2x3x13x40xf32>
  return %0 : tensor<2x3x13x40xf32>
}
// rope_half_explicit: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_interleaved(%x: tensor<1x4x13x64xf32>, %pos: tensor<13xi64>) -> tensor<1x4x13x64xf32> {
  %0 = icl.rope %x, %pos {style = #icl.rope_style<interleaved>} : (tensor<1x4x13x64xf32>, tensor<13xi64>) -> tensor<1x4x13x64xf32>
  return %0 : tensor<1x4x13x64xf32>
}
// rope_interleaved: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_half_partial(%x: tensor<2x3x13x40xf32>, %pos: tensor<13xi64>) -> tensor<2x3x13x40xf32> {
  %0 = icl.rope %x, %pos {rotary_dim = 24 : i64, style = #icl.rope_style<half>} : (tensor<2x3x13x40xf32>, tensor<13xi64>) -> tensor<2x3x13x40xf32>
  return %0 : tensor<2x3x13x40xf32>
}
// rope_half_partial: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_interleaved_partial(%x: tensor<2x3x13x40xf32>, %pos: tensor<13xi64>) -> tensor<2x3x13x40xf32> {
  %0 = icl.rope %x, %pos {rotary_dim = 16 : i64, style = #icl.rope_style<interleaved>} : (tensor<2x3x13x40xf32>, tensor<13xi64>) -> tensor<2x3x13x40xf32>
  return %0 : tensor<2x3x13x40xf32>
}
// rope_interleaved_partial: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_half_batch_pos(%x: tensor<2x3x13x40xf32>, %pos: tensor<2x13xi64>) -> tensor<2x3x13x40xf32> {
  %0 = icl.rope %x, %pos : (tensor<2x3x13x40xf32>, tensor<2x13xi64>) -> tensor<2x3x13x40xf32>
  return %0 : tensor<2x3x13x40xf32>
}
// rope_half_batch_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_interleaved_batch_pos(%x: tensor<2x3x13x64xf32>, %pos: tensor<2x13xi64>) -> tensor<2x3x13x64xf32> {
  %0 = icl.rope %x, %pos {style = #icl.rope_style<interleaved>} : (tensor<2x3x13x64xf32>, tensor<2x13xi64>) -> tensor<2x3x13x64xf32>
  return %0 : tensor<2x3x13x64xf32>
}
// rope_interleaved_batch_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_half_partial_batch_pos(%x: tensor<3x2x9x40xf32>, %pos: tensor<3x9xi64>) -> tensor<3x2x9x40xf32> {
  %0 = icl.rope %x, %pos {base = 500000.0 : f64, rotary_dim = 8 : i64} : (tensor<3x2x9x40xf32>, tensor<3x9xi64>) -> tensor<3x2x9x40xf32>
  return %0 : tensor<3x2x9x40xf32>
}
// rope_half_partial_batch_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_interleaved_partial_batch_pos(%x: tensor<3x2x9x40xf32>, %pos: tensor<3x9xi64>) -> tensor<3x2x9x40xf32> {
  %0 = icl.rope %x, %pos {rotary_dim = 2 : i64, style = #icl.rope_style<interleaved>} : (tensor<3x2x9x40xf32>, tensor<3x9xi64>) -> tensor<3x2x9x40xf32>
  return %0 : tensor<3x2x9x40xf32>
}
// rope_interleaved_partial_batch_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_t1(%x: tensor<1x8x1x64xf32>, %pos: tensor<1xi64>) -> tensor<1x8x1x64xf32> {
  %0 = icl.rope %x, %pos : (tensor<1x8x1x64xf32>, tensor<1xi64>) -> tensor<1x8x1x64xf32>
  return %0 : tensor<1x8x1x64xf32>
}
// rope_t1: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_t1_batch_pos(%x: tensor<2x8x1x40xf32>, %pos: tensor<2x1xi64>) -> tensor<2x8x1x40xf32> {
  %0 = icl.rope %x, %pos {style = #icl.rope_style<interleaved>} : (tensor<2x8x1x40xf32>, tensor<2x1xi64>) -> tensor<2x8x1x40xf32>
  return %0 : tensor<2x8x1x40xf32>
}
// rope_t1_batch_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_i32_pos(%x: tensor<1x2x13x40xf32>, %pos: tensor<13xi32>) -> tensor<1x2x13x40xf32> {
  %0 = icl.rope %x, %pos : (tensor<1x2x13x40xf32>, tensor<13xi32>) -> tensor<1x2x13x40xf32>
  return %0 : tensor<1x2x13x40xf32>
}
// rope_i32_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @rope_const_large_pos(%x: tensor<1x2x13x64xf32>) -> tensor<1x2x13x64xf32> {
  %pos = arith.constant dense<[[0, 1, 7, 31, 63, 100, 127, 128, 150, 199, 200, 254, 255]]> : tensor<1x13xi64>
  %0 = icl.rope %x, %pos : (tensor<1x2x13x64xf32>, tensor<1x13xi64>) -> tensor<1x2x13x64xf32>
  return %0 : tensor<1x2x13x64xf32>
}
// rope_const_large_pos: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond
