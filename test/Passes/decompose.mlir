// RUN: icl-opt %s --icl-decompose --split-input-file --verify-diagnostics | FileCheck %s

// A linear keeps x's leading dims: one contraction over (b, m, n, k), so it
// shares its index space with the ops around it.
// CHECK-LABEL: func.func @linear
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT:     icl.linear
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xf32>)
// CHECK:         %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<4x8xf32>) {{.*}} permutation = [1, 0]
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[X]], %[[WT]] : tensor<2x3x8xf32>, tensor<8x4xf32>) outs(%[[INIT]] : tensor<2x3x4xf32>)
// CHECK-NOT:     tensor.expand_shape
// CHECK:         return %[[Y]]
func.func @linear(%x: tensor<2x3x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %y = icl.linear %x, %w bias(%b) : (tensor<2x3x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// GQA: query head h reads kv head h floordiv 4 (of the transposed keys).
// CHECK-DAG:   #[[KMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d4, d3)>
// CHECK-LABEL: func.func @gqa
// CHECK-NOT:     icl.attention
// CHECK:         linalg.transpose {{.*}} permutation = [0, 1, 3, 2]
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[KMAP]], #{{.*}}]
// CHECK:         linalg.index 2
// CHECK:         linalg.index 3
// CHECK:         math.exp
func.func @gqa(%q: tensor<1x8x5x16xf32>, %k: tensor<1x2x5x16xf32>, %v: tensor<1x2x5x16xf32>) -> tensor<1x8x5x16xf32> {
  %o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x8x5x16xf32>, tensor<1x2x5x16xf32>, tensor<1x2x5x16xf32>) -> tensor<1x8x5x16xf32>
  return %o : tensor<1x8x5x16xf32>
}

// -----

// A recurrence is one scf.for over time carrying its state.
// CHECK-LABEL: func.func @ssd
// CHECK-NOT:     icl.ssd
// CHECK:         scf.for {{.*}} iter_args
// CHECK:           tensor.extract_slice
// CHECK:           tensor.insert_slice
// CHECK:           scf.yield
func.func @ssd(%x: tensor<1x6x2x3xf32>, %dt: tensor<1x6x2xf32>, %a: tensor<2xf32>, %b: tensor<1x6x1x4xf32>, %c: tensor<1x6x1x4xf32>) -> tensor<1x6x2x3xf32> {
  %y = icl.ssd %x, %dt, %a, %b, %c : (tensor<1x6x2x3xf32>, tensor<1x6x2xf32>, tensor<2xf32>, tensor<1x6x1x4xf32>, tensor<1x6x1x4xf32>) -> tensor<1x6x2x3xf32>
  return %y : tensor<1x6x2x3xf32>
}

// -----

func.func @dynamic_heads(%q: tensor<1x?x5x16xf32>, %k: tensor<1x?x5x16xf32>, %v: tensor<1x?x5x16xf32>) -> tensor<1x?x5x16xf32> {
  // expected-error @+1 {{'icl.attention' op needs static head counts to be decomposed}}
  %o = icl.attention %q, %k, %v : (tensor<1x?x5x16xf32>, tensor<1x?x5x16xf32>, tensor<1x?x5x16xf32>) -> tensor<1x?x5x16xf32>
  return %o : tensor<1x?x5x16xf32>
}
