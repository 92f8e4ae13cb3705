// Looped models: scf.for / scf.while / scf.if over icl ops, with counts and
// conditions known at compile time, read from arguments or computed by the
// model, checked natively (and on the GPU) against the reference evaluator.
// Random rank-0 integer arguments (step counts) are drawn from 0..3.
// RUN: rm -rf %t && mkdir -p %t
// RUN: icl-run --reference %s --function make_k5 --output %t/k5.npy
// RUN: icl-run --reference %s --function make_k0 --output %t/k0.npy
// RUN: icl-run --reference %s --function make_kneg --output %t/kneg.npy
// RUN: icl-run --reference %s --function make_x --output %t/x.npy
// RUN: icl-run --reference %s --function make_w --output %t/w.npy

// A block looped a run-time number of times.
// RUN: icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k5.npy --check | FileCheck %s --check-prefix=CHECKED
// RUN: icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k0.npy --check | FileCheck %s --check-prefix=CHECKED
// RUN: %if cuda-device %{ icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k5.npy --check --device=cuda | FileCheck %s --check-prefix=CHECKED %}
// Zero steps is the identity: the result is the input.
// RUN: icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k0.npy --expect %t/x.npy | FileCheck %s --check-prefix=IDENTITY
// IDENTITY: expect: result 0: max abs error 0{{.*}}, 0 of 40 beyond
// A step count can be given as a literal: the same as the .npy file.
// RUN: icl-run --reference %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k5.npy --output %t/repeat5.npy
// RUN: icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input i64=5 --expect %t/repeat5.npy | FileCheck %s --check-prefix=CHECKED-EXPECT
// RUN: not icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input i64=2.5 2>&1 | FileCheck %s --check-prefix=LITERAL
// CHECKED-EXPECT: expect: result 0: {{.*}}, 0 of 40 beyond
// LITERAL: error: input 'i64=2.5': 2.5 is not an integer, as i64 needs
// Five steps differ from zero steps (the loop runs).
// RUN: not icl-run %s --function repeat --input %t/x.npy --input %t/w.npy --input %t/k5.npy --expect %t/x.npy

// A fixed trip count whose induction variable scales each step, and per-step
// readouts written at a dynamic offset.
// RUN: icl-run %s --function readouts --random-inputs 3 --check | FileCheck %s --check-prefix=CHECKED2
// RUN: %if cuda-device %{ icl-run %s --function readouts --random-inputs 3 --check --device=cuda | FileCheck %s --check-prefix=CHECKED2 %}

// A while loop whose condition the model computes (halving until small).
// RUN: icl-run %s --function halve_until_small --random-inputs 4 --check | FileCheck %s --check-prefix=CHECKED2
// RUN: %if cuda-device %{ icl-run %s --function halve_until_small --random-inputs 4 --check --device=cuda | FileCheck %s --check-prefix=CHECKED2 %}

// A branch on an argument.
// RUN: icl-run %s --function branch --input %t/x.npy --input %t/k5.npy --check | FileCheck %s --check-prefix=CHECKED
// RUN: icl-run %s --function branch --input %t/x.npy --input %t/k0.npy --check | FileCheck %s --check-prefix=CHECKED
// RUN: %if cuda-device %{ icl-run %s --function branch --input %t/x.npy --input %t/k0.npy --check --device=cuda | FileCheck %s --check-prefix=CHECKED %}

// A failed cf.assert is an error of the call, natively, in a library and in
// the reference evaluator, with the assertion's message and location.
// RUN: not icl-run %s --function repeat_checked --input %t/x.npy --input %t/w.npy --input %t/kneg.npy 2>&1 | FileCheck %s --check-prefix=ASSERT
// RUN: not icl-run --reference %s --function repeat_checked --input %t/x.npy --input %t/w.npy --input %t/kneg.npy 2>&1 | FileCheck %s --check-prefix=ASSERT-REF
// RUN: icl-compile %s -o %t/libloops.so
// RUN: not icl-run %t/libloops.so --function repeat_checked --input %t/x.npy --input %t/w.npy --input %t/kneg.npy 2>&1 | FileCheck %s --check-prefix=ASSERT
// RUN: icl-run %t/libloops.so --function repeat_checked --input %t/x.npy --input %t/w.npy --input %t/k5.npy --reference-module %s --check | FileCheck %s --check-prefix=CHECKED
// RUN: %if cuda-device %{ not icl-run %s --function repeat_checked --input %t/x.npy --input %t/w.npy --input %t/kneg.npy --device=cuda 2>&1 | FileCheck %s --check-prefix=ASSERT %}

// CHECKED: check: result 0: {{.*}}, 0 of 40 beyond
// CHECKED2: check: result 0: {{.*}}, 0 of {{[0-9]+}} beyond

func.func @make_k5() -> tensor<i64> {
  %k = arith.constant dense<5> : tensor<i64>
  return %k : tensor<i64>
}
func.func @make_k0() -> tensor<i64> {
  %k = arith.constant dense<0> : tensor<i64>
  return %k : tensor<i64>
}
func.func @make_kneg() -> tensor<i64> {
  %k = arith.constant dense<-1> : tensor<i64>
  return %k : tensor<i64>
}
func.func @make_x() -> tensor<2x5x4xf32> {
  %x = arith.constant dense<[[[0.5, -1.0, 0.25, 2.0], [1.5, 0.0, -0.5, 1.0], [0.75, 0.5, -2.0, 0.125], [1.0, 1.0, 1.0, -1.0], [-0.25, 0.5, 0.0, 3.0]],
                             [[2.0, 0.5, 1.0, -1.5], [0.0, 0.25, -1.0, 1.0], [1.25, -0.75, 0.5, 0.5], [-1.0, 2.0, 0.0, 0.25], [0.5, 0.5, -0.5, 1.0]]]> : tensor<2x5x4xf32>
  return %x : tensor<2x5x4xf32>
}
func.func @make_w() -> tensor<4x4xf32> {
  %w = arith.constant dense<[[0.25, -0.125, 0.0, 0.5], [0.125, 0.25, -0.25, 0.0], [0.0, 0.5, 0.125, -0.125], [-0.25, 0.0, 0.25, 0.125]]> : tensor<4x4xf32>
  return %w : tensor<4x4xf32>
}

// x <- x + rms_norm(x W^T), K times.
func.func @repeat(%x: tensor<2x5x4xf32>, %w: tensor<4x4xf32>, %k: tensor<i64>) -> tensor<2x5x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %kk = tensor.extract %k[] : tensor<i64>
  %n = arith.index_cast %kk : i64 to index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%e = %x) -> (tensor<2x5x4xf32>) {
    %y = icl.linear %e, %w : (tensor<2x5x4xf32>, tensor<4x4xf32>) -> tensor<2x5x4xf32>
    %z = icl.rms_norm %y : (tensor<2x5x4xf32>) -> tensor<2x5x4xf32>
    %s = arith.addf %e, %z : tensor<2x5x4xf32>
    scf.yield %s : tensor<2x5x4xf32>
  }
  return %r : tensor<2x5x4xf32>
}

// ASSERT: error: run-time error: the step count (argument 2) must be at least 0 (cf.assert at {{.*}}loops.mlir:[[@LINE+6]]:3)
// ASSERT-REF: loops.mlir:[[@LINE+5]]:3: 'cf.assert' failed at run time: the step count (argument 2) must be at least 0
func.func @repeat_checked(%x: tensor<2x5x4xf32>, %w: tensor<4x4xf32>, %k: tensor<i64>) -> tensor<2x5x4xf32> {
  %zero = arith.constant 0 : i64
  %kk = tensor.extract %k[] : tensor<i64>
  %ok = arith.cmpi sge, %kk, %zero : i64
  cf.assert %ok, "the step count (argument 2) must be at least 0"
  %r = func.call @repeat(%x, %w, %k) : (tensor<2x5x4xf32>, tensor<4x4xf32>, tensor<i64>) -> tensor<2x5x4xf32>
  return %r : tensor<2x5x4xf32>
}

// Step i (0..3) adds (i+1)·softmax(x); row i of the readouts holds x after it.
func.func @readouts(%x: tensor<3x6xf32>) -> (tensor<3x6xf32>, tensor<4x3x6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x3x6xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x3x6xf32>) -> tensor<4x3x6xf32>
  %r:2 = scf.for %i = %c0 to %c4 step %c1 iter_args(%e = %x, %rows = %init) -> (tensor<3x6xf32>, tensor<4x3x6xf32>) {
    %p = icl.softmax %e : tensor<3x6xf32>
    %i1 = arith.addi %i, %c1 : index
    %ii = arith.index_cast %i1 : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %fe = tensor.empty() : tensor<3x6xf32>
    %scale = linalg.fill ins(%f : f32) outs(%fe : tensor<3x6xf32>) -> tensor<3x6xf32>
    %q = arith.mulf %p, %scale : tensor<3x6xf32>
    %n = arith.addf %e, %q : tensor<3x6xf32>
    %rows2 = tensor.insert_slice %n into %rows[%i, 0, 0] [1, 3, 6] [1, 1, 1] : tensor<3x6xf32> into tensor<4x3x6xf32>
    scf.yield %n, %rows2 : tensor<3x6xf32>, tensor<4x3x6xf32>
  }
  return %r#0, %r#1 : tensor<3x6xf32>, tensor<4x3x6xf32>
}

// Halves x until |x[0, 0]| < 2^-10 (exact in binary floating point, so the
// trip count is the same everywhere), normalising y each step; returns y and
// the final x.
func.func @halve_until_small(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %c0 = arith.constant 0 : index
  %half = arith.constant dense<0.5> : tensor<2x8xf32>
  %small = arith.constant 0.0009765625 : f32
  %r:2 = scf.while (%a = %x, %b = %y) : (tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
    %v = tensor.extract %a[%c0, %c0] : tensor<2x8xf32>
    %m = math.absf %v : f32
    %go = arith.cmpf oge, %m, %small : f32
    scf.condition(%go) %a, %b : tensor<2x8xf32>, tensor<2x8xf32>
  } do {
  ^bb0(%a: tensor<2x8xf32>, %b: tensor<2x8xf32>):
    %a2 = arith.mulf %a, %half : tensor<2x8xf32>
    %n = icl.layer_norm %b : (tensor<2x8xf32>) -> tensor<2x8xf32>
    %b2 = arith.addf %n, %a2 : tensor<2x8xf32>
    scf.yield %a2, %b2 : tensor<2x8xf32>, tensor<2x8xf32>
  }
  return %r#1, %r#0 : tensor<2x8xf32>, tensor<2x8xf32>
}

// rms_norm(x) when k > 0, else softmax(x).
func.func @branch(%x: tensor<2x5x4xf32>, %k: tensor<i64>) -> tensor<2x5x4xf32> {
  %zero = arith.constant 0 : i64
  %kk = tensor.extract %k[] : tensor<i64>
  %positive = arith.cmpi sgt, %kk, %zero : i64
  %r = scf.if %positive -> (tensor<2x5x4xf32>) {
    %a = icl.rms_norm %x : (tensor<2x5x4xf32>) -> tensor<2x5x4xf32>
    scf.yield %a : tensor<2x5x4xf32>
  } else {
    %b = icl.softmax %x : tensor<2x5x4xf32>
    scf.yield %b : tensor<2x5x4xf32>
  }
  return %r : tensor<2x5x4xf32>
}
