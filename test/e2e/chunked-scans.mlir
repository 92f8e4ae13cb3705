// The chunked decompositions of icl.ssd and causal icl.linear_attention
// against the reference evaluator's step-by-step recurrences (OPS.md: the
// result does not depend on the chunk): lengths that chunks do not divide,
// chunks longer than the sequence, groups, initial and final states, every
// decay kind, chunks of one (the step-by-step form), decode steps (T = 1),
// bf16, and the icl-decompose chunk-size option.
// RUN: icl-run %s --function ssd_c3 --random-inputs 5 --check | FileCheck %s --check-prefix=TWO
// RUN: %if cuda-device %{ icl-run %s --function ssd_c3 --random-inputs 5 --check --device=cuda | FileCheck %s --check-prefix=TWO %}
// RUN: icl-run %s --function ssd_clamp --random-inputs 6 --check | FileCheck %s --check-prefix=ONE
// RUN: %if cuda-device %{ icl-run %s --function ssd_clamp --random-inputs 6 --check --device=cuda | FileCheck %s --check-prefix=ONE %}
// RUN: icl-run %s --function ssd_default --random-inputs 7 --check | FileCheck %s --check-prefix=ONE
// RUN: %if cuda-device %{ icl-run %s --function ssd_default --random-inputs 7 --check --device=cuda | FileCheck %s --check-prefix=ONE %}
// RUN: icl-run %s --function ssd_steps --random-inputs 8 --check | FileCheck %s --check-prefix=TWO
// RUN: icl-run %s --function ssd_decode --random-inputs 9 --check | FileCheck %s --check-prefix=TWO
// RUN: icl-run %s --function la_gla --random-inputs 10 --check | FileCheck %s --check-prefix=TWO
// RUN: %if cuda-device %{ icl-run %s --function la_gla --random-inputs 10 --check --device=cuda | FileCheck %s --check-prefix=TWO %}
// RUN: icl-run %s --function la_scalar --random-inputs 11 --check | FileCheck %s --check-prefix=TWO
// RUN: %if cuda-device %{ icl-run %s --function la_scalar --random-inputs 11 --check --device=cuda | FileCheck %s --check-prefix=TWO %}
// RUN: icl-run %s --function la_plain --random-inputs 12 --check | FileCheck %s --check-prefix=ONE
// RUN: %if cuda-device %{ icl-run %s --function la_plain --random-inputs 12 --check --device=cuda | FileCheck %s --check-prefix=ONE %}
// RUN: icl-run %s --function la_decode --random-inputs 13 --check | FileCheck %s --check-prefix=TWO
// RUN: icl-run %s --function la_bf16 --random-inputs 14 --check | FileCheck %s --check-prefix=ONE
// RUN: %if cuda-device %{ icl-run %s --function la_bf16 --random-inputs 14 --check --device=cuda | FileCheck %s --check-prefix=ONE %}
//
// Through model libraries, on the x86 default (step by step) and in chunks of
// 64: a library must not write into its inputs (a recurrence's initial state
// became its final state in place, and the check then read the clobbered
// inputs).
// RUN: rm -rf %t && mkdir -p %t
// RUN: icl-compile %s -o %t/libsteps.so
// RUN: icl-compile %s --x86-options=scan-chunk=64 -o %t/libchunks.so
// RUN: icl-run %t/libsteps.so --function ssd_decode --random-inputs 9 --check --reference-module %s | FileCheck %s --check-prefix=TWO
// RUN: icl-run %t/libsteps.so --function la_decode --random-inputs 13 --check --reference-module %s | FileCheck %s --check-prefix=TWO
// RUN: icl-run %t/libsteps.so --function ssd_c3 --random-inputs 5 --check --reference-module %s | FileCheck %s --check-prefix=TWO
// RUN: icl-run %t/libchunks.so --function ssd_default --random-inputs 7 --check --reference-module %s | FileCheck %s --check-prefix=ONE
// RUN: icl-run %t/libchunks.so --function la_gla --random-inputs 10 --check --reference-module %s | FileCheck %s --check-prefix=TWO
// RUN: not icl-compile %s --x86-options=scan-chunk=0 -o %t/bad.so 2>&1 | FileCheck %s --check-prefix=KNOB
// KNOB: x86 pipeline option scan-chunk=0 is out of range 1..1048576
//
// The option sets the chunk of ops that leave it at 0, and only those.
// RUN: icl-opt %s --icl-decompose=chunk-size=5 | FileCheck %s --check-prefix=OPTION
// RUN: not icl-opt %s --icl-decompose=chunk-size=-2 2>&1 | FileCheck %s --check-prefix=NEGATIVE
//
// ONE: check: result 0: {{.*}} 0 of {{[0-9]+}} beyond
// TWO: check: result 0: {{.*}} 0 of {{[0-9]+}} beyond
// TWO: check: result 1: {{.*}} 0 of {{[0-9]+}} beyond
//
// OPTION-LABEL: func.func @ssd_default
// 70 steps in chunks of 5: one loop of 14 steps carries the state.
// OPTION: %[[N:.*]] = arith.constant 14 : index
// OPTION: scf.for %{{.*}} = %{{.*}} to %[[N]]
// OPTION-NOT: scf.for
// OPTION-LABEL: func.func @ssd_steps
// Chunks of one: the step-by-step loop over the 6 steps.
// OPTION: %[[T:.*]] = arith.constant 6 : index
// OPTION: scf.for %{{.*}} = %{{.*}} to %[[T]]
// NEGATIVE: icl-decompose chunk-size must be >= 0

func.func @ssd_c3(%x: tensor<2x11x4x3xf32>, %dt: tensor<2x11x4xf32>, %a: tensor<4xf32>, %b: tensor<2x11x2x5xf32>, %c: tensor<2x11x2x5xf32>, %d: tensor<4xf32>, %db: tensor<4xf32>, %h0: tensor<2x4x3x5xf32>) -> (tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>) {
  %y, %h = icl.ssd %x, %dt, %a, %b, %c D(%d) dt_bias(%db) initial_state(%h0) {dt_softplus, return_final_state, chunk_size = 3 : i64}
    : (tensor<2x11x4x3xf32>, tensor<2x11x4xf32>, tensor<4xf32>, tensor<2x11x2x5xf32>, tensor<2x11x2x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4x3x5xf32>) -> (tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>)
  return %y, %h : tensor<2x11x4x3xf32>, tensor<2x4x3x5xf32>
}
func.func @ssd_clamp(%x: tensor<1x8x3x2xf32>, %dt: tensor<1x8x3xf32>, %a: tensor<3xf32>, %b: tensor<1x8x1x4xf32>, %c: tensor<1x8x1x4xf32>) -> tensor<1x8x3x2xf32> {
  %y = icl.ssd %x, %dt, %a, %b, %c {dt_softplus, dt_min = 0.01 : f64, dt_max = 0.5 : f64, chunk_size = 4 : i64}
    : (tensor<1x8x3x2xf32>, tensor<1x8x3xf32>, tensor<3xf32>, tensor<1x8x1x4xf32>, tensor<1x8x1x4xf32>) -> tensor<1x8x3x2xf32>
  return %y : tensor<1x8x3x2xf32>
}
// The default chunk (64) over 70 steps: a full chunk and a ragged one.
func.func @ssd_default(%x: tensor<1x70x2x3xf32>, %dt: tensor<1x70x2xf32>, %a: tensor<2xf32>, %b: tensor<1x70x2x2xf32>, %c: tensor<1x70x2x2xf32>, %d: tensor<2xf32>) -> tensor<1x70x2x3xf32> {
  %y = icl.ssd %x, %dt, %a, %b, %c D(%d) {dt_softplus}
    : (tensor<1x70x2x3xf32>, tensor<1x70x2xf32>, tensor<2xf32>, tensor<1x70x2x2xf32>, tensor<1x70x2x2xf32>, tensor<2xf32>) -> tensor<1x70x2x3xf32>
  return %y : tensor<1x70x2x3xf32>
}
func.func @ssd_steps(%x: tensor<2x6x2x3xf32>, %dt: tensor<2x6x2xf32>, %a: tensor<2xf32>, %b: tensor<2x6x1x2xf32>, %c: tensor<2x6x1x2xf32>) -> (tensor<2x6x2x3xf32>, tensor<2x2x3x2xf32>) {
  %y, %h = icl.ssd %x, %dt, %a, %b, %c {dt_softplus, return_final_state, chunk_size = 1 : i64}
    : (tensor<2x6x2x3xf32>, tensor<2x6x2xf32>, tensor<2xf32>, tensor<2x6x1x2xf32>, tensor<2x6x1x2xf32>) -> (tensor<2x6x2x3xf32>, tensor<2x2x3x2xf32>)
  return %y, %h : tensor<2x6x2x3xf32>, tensor<2x2x3x2xf32>
}
func.func @ssd_decode(%x: tensor<2x1x4x3xf32>, %dt: tensor<2x1x4xf32>, %a: tensor<4xf32>, %b: tensor<2x1x2x5xf32>, %c: tensor<2x1x2x5xf32>, %d: tensor<4xf32>, %h0: tensor<2x4x3x5xf32>) -> (tensor<2x1x4x3xf32>, tensor<2x4x3x5xf32>) {
  %y, %h = icl.ssd %x, %dt, %a, %b, %c D(%d) initial_state(%h0) {dt_softplus, return_final_state}
    : (tensor<2x1x4x3xf32>, tensor<2x1x4xf32>, tensor<4xf32>, tensor<2x1x2x5xf32>, tensor<2x1x2x5xf32>, tensor<4xf32>, tensor<2x4x3x5xf32>) -> (tensor<2x1x4x3xf32>, tensor<2x4x3x5xf32>)
  return %y, %h : tensor<2x1x4x3xf32>, tensor<2x4x3x5xf32>
}
func.func @la_gla(%q: tensor<2x3x7x4xf32>, %k: tensor<2x3x7x4xf32>, %v: tensor<2x3x7x5xf32>, %g: tensor<2x3x7x4xf32>, %s: tensor<2x3x4x5xf32>) -> (tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>) {
  %o, %f = icl.linear_attention %q, %k, %v decay(%g) initial_state(%s) {normalize, return_final_state, feature_map = #icl.feature_map<elu_plus_one>, chunk_size = 2 : i64}
    : (tensor<2x3x7x4xf32>, tensor<2x3x7x4xf32>, tensor<2x3x7x5xf32>, tensor<2x3x7x4xf32>, tensor<2x3x4x5xf32>) -> (tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>)
  return %o, %f : tensor<2x3x7x5xf32>, tensor<2x3x4x5xf32>
}
func.func @la_scalar(%q: tensor<1x2x9x4xf32>, %k: tensor<1x2x9x4xf32>, %v: tensor<1x2x9x3xf32>, %g: tensor<1x2x9xf32>, %s: tensor<1x2x4x3xf32>) -> (tensor<1x2x9x3xf32>, tensor<1x2x4x3xf32>) {
  %o, %f = icl.linear_attention %q, %k, %v decay(%g) initial_state(%s) {scale = 0.5 : f64, return_final_state, chunk_size = 4 : i64}
    : (tensor<1x2x9x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x9x3xf32>, tensor<1x2x9xf32>, tensor<1x2x4x3xf32>) -> (tensor<1x2x9x3xf32>, tensor<1x2x4x3xf32>)
  return %o, %f : tensor<1x2x9x3xf32>, tensor<1x2x4x3xf32>
}
func.func @la_plain(%q: tensor<2x2x10x3xf32>, %k: tensor<2x2x10x3xf32>, %v: tensor<2x2x10x4xf32>) -> tensor<2x2x10x4xf32> {
  %o = icl.linear_attention %q, %k, %v {normalize, feature_map = #icl.feature_map<relu>, chunk_size = 3 : i64}
    : (tensor<2x2x10x3xf32>, tensor<2x2x10x3xf32>, tensor<2x2x10x4xf32>) -> tensor<2x2x10x4xf32>
  return %o : tensor<2x2x10x4xf32>
}
func.func @la_decode(%q: tensor<1x2x1x4xf32>, %k: tensor<1x2x1x4xf32>, %v: tensor<1x2x1x3xf32>, %g: tensor<1x2x1x4xf32>, %s: tensor<1x2x4x3xf32>) -> (tensor<1x2x1x3xf32>, tensor<1x2x4x3xf32>) {
  %o, %f = icl.linear_attention %q, %k, %v decay(%g) initial_state(%s) {return_final_state}
    : (tensor<1x2x1x4xf32>, tensor<1x2x1x4xf32>, tensor<1x2x1x3xf32>, tensor<1x2x1x4xf32>, tensor<1x2x4x3xf32>) -> (tensor<1x2x1x3xf32>, tensor<1x2x4x3xf32>)
  return %o, %f : tensor<1x2x1x3xf32>, tensor<1x2x4x3xf32>
}
func.func @la_bf16(%q: tensor<1x2x9x8xbf16>, %k: tensor<1x2x9x8xbf16>, %v: tensor<1x2x9x8xbf16>, %g: tensor<1x2x9xbf16>) -> tensor<1x2x9x8xbf16> {
  %o = icl.linear_attention %q, %k, %v decay(%g) {chunk_size = 4 : i64}
    : (tensor<1x2x9x8xbf16>, tensor<1x2x9x8xbf16>, tensor<1x2x9x8xbf16>, tensor<1x2x9xbf16>) -> tensor<1x2x9x8xbf16>
  return %o : tensor<1x2x9x8xbf16>
}
