// RUN: icl-opt %s --icl-fuse-elementwise | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d1)>
#mk = affine_map<(d0, d1, d2) -> (d0, d2)>
#nk = affine_map<(d0, d1, d2) -> (d1, d2)>
#mn = affine_map<(d0, d1, d2) -> (d0, d1)>

// An elementwise producer with one use fuses into an elementwise consumer
// (a residual add): one generic computes erf and the add.
// CHECK-LABEL: func.func @erf_into_add(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<16x32xf32>, %[[R:[^:]*]]: tensor<16x32xf32>
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[R]] : tensor<16x32xf32>, tensor<16x32xf32>)
// CHECK:           %[[E:.*]] = math.erf
// CHECK:           arith.addf %[[E]]
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[Y]]
func.func @erf_into_add(%x: tensor<16x32xf32>, %r: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %e = tensor.empty() : tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.erf %a : f32
    linalg.yield %v : f32
  } -> tensor<16x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %r : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// A consumer that reads the producer through a transpose still reads each
// element once (the map is a permutation): fused.
// CHECK-LABEL: func.func @erf_into_transpose(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<16x32xf32>
// CHECK:         linalg.generic {{.*}} ins(%[[X]] : tensor<16x32xf32>) outs(%{{.*}} : tensor<32x16xf32>)
// CHECK:           math.erf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @erf_into_transpose(%x: tensor<16x32xf32>) -> tensor<32x16xf32> {
  %e = tensor.empty() : tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.erf %a : f32
    linalg.yield %v : f32
  } -> tensor<16x32xf32>
  %et = tensor.empty() : tensor<32x16xf32>
  %y = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<16x32xf32>) outs(%et : tensor<32x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<32x16xf32>
  return %y : tensor<32x16xf32>
}

// A producer with two users stays: fusing would compute erf twice.
// CHECK-LABEL: func.func @erf_two_uses(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<16x32xf32>
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<16x32xf32>)
// CHECK:           math.erf
// CHECK:         linalg.generic {{.*}} ins(%[[G]] : tensor<16x32xf32>)
// CHECK-NOT:       math.erf
// CHECK:         linalg.generic {{.*}} ins(%[[G]] : tensor<16x32xf32>)
// CHECK-NOT:       math.erf
// CHECK:         return
func.func @erf_two_uses(%x: tensor<16x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %e = tensor.empty() : tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.erf %a : f32
    linalg.yield %v : f32
  } -> tensor<16x32xf32>
  %y0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y0, %y1 : tensor<16x32xf32>, tensor<16x32xf32>
}

// The contraction reads x[m, k] inside loops (m, n, k): if fused, erf would run
// once per output column. The erf stays in its own generic, before it.
// CHECK-LABEL: func.func @erf_not_into_contraction(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<16x32xf32>, %[[W:[^:]*]]: tensor<48x32xf32>
// CHECK:         %[[G:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<16x32xf32>)
// CHECK:           math.erf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[G]], %[[W]] : tensor<16x32xf32>, tensor<48x32xf32>)
// CHECK-NOT:       math.erf
// CHECK:         return
func.func @erf_not_into_contraction(%x: tensor<16x32xf32>, %w: tensor<48x32xf32>) -> tensor<16x48xf32> {
  %e = tensor.empty() : tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.erf %a : f32
    linalg.yield %v : f32
  } -> tensor<16x32xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<16x48xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ey : tensor<16x48xf32>) -> tensor<16x48xf32>
  %y = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%g, %w : tensor<16x32xf32>, tensor<48x32xf32>) outs(%acc : tensor<16x48xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x48xf32>
  return %y : tensor<16x48xf32>
}

// A broadcast only moves data: reading it through any map costs no more than
// reading its input, so it fuses into the contraction, which then reads the
// vector directly.
// CHECK-LABEL: func.func @broadcast_into_contraction(
// CHECK-SAME:    %[[V:[^:]*]]: tensor<32xf32>, %[[W:[^:]*]]: tensor<48x32xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[V]], %[[W]] : tensor<32xf32>, tensor<48x32xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @broadcast_into_contraction(%v: tensor<32xf32>, %w: tensor<48x32xf32>) -> tensor<16x48xf32> {
  %e = tensor.empty() : tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v : tensor<32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<16x32xf32>
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<16x48xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ey : tensor<16x48xf32>) -> tensor<16x48xf32>
  %y = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%g, %w : tensor<16x32xf32>, tensor<48x32xf32>) outs(%acc : tensor<16x48xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x48xf32>
  return %y : tensor<16x48xf32>
}

// Splitting the features of a contraction's result into heads is not folded
// into it: the contraction keeps its 2-D output (folded, its column loop would
// split in two and the register tiles land on the wrong loops).
// CHECK-LABEL: func.func @expand_not_into_contraction(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<16x32xf32>, %[[W:[^:]*]]: tensor<48x32xf32>
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<16x32xf32>, tensor<48x32xf32>) outs(%{{.*}} : tensor<16x48xf32>)
// CHECK:         %[[H:.*]] = tensor.expand_shape %[[Y]] {{.*}} : tensor<16x48xf32> into tensor<16x4x12xf32>
// CHECK:         return %[[H]]
func.func @expand_not_into_contraction(%x: tensor<16x32xf32>, %w: tensor<48x32xf32>) -> tensor<16x4x12xf32> {
  %zero = arith.constant 0.0 : f32
  %ey = tensor.empty() : tensor<16x48xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ey : tensor<16x48xf32>) -> tensor<16x48xf32>
  %y = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<16x32xf32>, tensor<48x32xf32>) outs(%acc : tensor<16x48xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x48xf32>
  %h = tensor.expand_shape %y [[0], [1, 2]] output_shape [16, 4, 12] : tensor<16x48xf32> into tensor<16x4x12xf32>
  return %h : tensor<16x4x12xf32>
}
