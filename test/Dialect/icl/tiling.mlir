// TilingInterface of icl ops: each function is tiled by the transform
// script Inputs/tile-icl-ops.mlir (upstream tile_using_for/forall), the IR
// of the tiles is checked, and the tiled module, compiled, must give the
// reference evaluator's results of the untiled one on random inputs.
//
// RUN: icl-opt %s --transform-preload-library=transform-library-paths=%S/Inputs/tile-icl-ops.mlir \
// RUN:   --transform-interpreter -o %t.tiled.mlir
// RUN: FileCheck %s < %t.tiled.mlir
//
// DEFINE: %{check} = %python %S/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t
// RUN: %{check} causal_gqa 3 1
// RUN: %{check} window_mask 5 1
// RUN: %{check} scan_groups 8 2
// RUN: %{check} ssd_groups 7 2
// RUN: %{check} linear_decay 4 1
// RUN: %{check} conv 3 1
// RUN: %{check} norms 4 3
// RUN: %{check} rows 1 1
//

// Causal GQA (6 query heads on 2 key heads: head tiles of 3 stay in one
// group) with more keys than queries: the row tile [t0, t0+5) reads the key
// prefix [0, t0 + 5 + 17 − 13).
// CHECK-DAG: #[[$GROUP:.*]] = affine_map<()[s0] -> (s0 floordiv 3)>
// CHECK-DAG: #[[$PREFIX:.*]] = affine_map<()[s0, s1] -> (s0 + s1 + 4, 0)>
// CHECK-LABEL: func.func @causal_gqa
// CHECK: scf.for
// CHECK: scf.for %[[H:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[N:.*]] = affine.min
// CHECK: affine.apply #[[$GROUP]]()[%[[H]]]
// CHECK: %[[KEYS:.*]] = affine.max #[[$PREFIX]]()[%[[T]], %[[N]]]
// CHECK: tensor.extract_slice {{.*}}[0, 0, 0, 0] [1, 1, %[[KEYS]], 16]
// CHECK: icl.attention {{.*}} : (tensor<1x3x?x16xf32>, tensor<1x1x?x16xf32>, tensor<1x1x?x8xf32>) -> tensor<1x3x?x8xf32>
func.func @causal_gqa(%q: tensor<2x6x13x16xf32>, %k: tensor<2x2x17x16xf32>, %v: tensor<2x2x17x8xf32>)
    -> tensor<2x6x13x8xf32> {
  %o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>}
      : (tensor<2x6x13x16xf32>, tensor<2x2x17x16xf32>, tensor<2x2x17x8xf32>) -> tensor<2x6x13x8xf32>
  return %o : tensor<2x6x13x8xf32>
}

// A sliding window with an additive mask broadcast over batch and heads and
// key sizes: the mask's rows and keys are sliced, its size-1 dims are not.
// (The activation making sizes positive is tiled too, over its rows.)
// CHECK-LABEL: func.func @window_mask
// CHECK: icl.attention {{.*}} mask({{.*}}) key_sizes({{.*}}) {{.*}} : (tensor<1x3x?x16xf32>, tensor<1x3x?x16xf32>, tensor<1x3x?x16xf32>, tensor<1x1x?x?xf32>, tensor<1x?xf32>)
func.func @window_mask(%q: tensor<2x3x13x16xf32>, %k: tensor<2x3x13x16xf32>, %v: tensor<2x3x13x16xf32>,
                       %m: tensor<1x1x13x13xf32>, %r: tensor<2x13xf32>) -> tensor<2x3x13x16xf32> {
  // Token sizes are positive.
  %s = icl.activation %r {kind = #icl.activation<softplus>} : tensor<2x13xf32>
  %o = icl.attention %q, %k, %v mask(%m) key_sizes(%s) {mask_kind = #icl.mask<sliding_window>, window = 4 : i64}
      : (tensor<2x3x13x16xf32>, tensor<2x3x13x16xf32>, tensor<2x3x13x16xf32>, tensor<1x1x13x13xf32>, tensor<2x13xf32>)
      -> tensor<2x3x13x16xf32>
  return %o : tensor<2x3x13x16xf32>
}

// Six channels in two groups of B and C: channel tiles of 3 read one group.
// CHECK-LABEL: func.func @scan_groups
// CHECK: icl.selective_scan {{.*}} : (tensor<1x3x9xf32>, tensor<1x3x9xf32>, tensor<3x4xf32>, tensor<1x1x4x9xf32>, tensor<1x1x4x9xf32>, tensor<3xf32>, tensor<1x3x9xf32>, tensor<3xf32>) -> (tensor<1x3x9xf32>, tensor<1x3x4xf32>)
func.func @scan_groups(%u: tensor<2x6x9xf32>, %dt: tensor<2x6x9xf32>, %a: tensor<6x4xf32>,
                       %b: tensor<2x2x4x9xf32>, %c: tensor<2x2x4x9xf32>, %d: tensor<6xf32>,
                       %z: tensor<2x6x9xf32>, %db: tensor<6xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>) {
  %y, %h = icl.selective_scan %u, %dt, %a, %b, %c D(%d) z(%z) delta_bias(%db) {delta_softplus, return_final_state}
      : (tensor<2x6x9xf32>, tensor<2x6x9xf32>, tensor<6x4xf32>, tensor<2x2x4x9xf32>, tensor<2x2x4x9xf32>,
         tensor<6xf32>, tensor<2x6x9xf32>, tensor<6xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x4xf32>)
  return %y, %h : tensor<2x6x9xf32>, tensor<2x6x4xf32>
}

// Four heads on two groups of B and C, head tiles of 2.
// CHECK-LABEL: func.func @ssd_groups
// CHECK: icl.ssd {{.*}} : (tensor<1x11x2x8xf32>, tensor<1x11x2xf32>, tensor<2xf32>, tensor<1x11x1x5xf32>, tensor<1x11x1x5xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x11x2x8xf32>, tensor<1x2x8x5xf32>)
func.func @ssd_groups(%x: tensor<1x11x4x8xf32>, %dt: tensor<1x11x4xf32>, %a: tensor<4xf32>,
                      %b: tensor<1x11x2x5xf32>, %c: tensor<1x11x2x5xf32>, %d: tensor<4xf32>,
                      %db: tensor<4xf32>) -> (tensor<1x11x4x8xf32>, tensor<1x4x8x5xf32>) {
  %y, %h = icl.ssd %x, %dt, %a, %b, %c D(%d) dt_bias(%db) {dt_softplus, return_final_state}
      : (tensor<1x11x4x8xf32>, tensor<1x11x4xf32>, tensor<4xf32>, tensor<1x11x2x5xf32>, tensor<1x11x2x5xf32>,
         tensor<4xf32>, tensor<4xf32>) -> (tensor<1x11x4x8xf32>, tensor<1x4x8x5xf32>)
  return %y, %h : tensor<1x11x4x8xf32>, tensor<1x4x8x5xf32>
}

// Decay per head and step, normalised, tiled over heads with scf.forall.
// CHECK-LABEL: func.func @linear_decay
// CHECK: scf.forall
// CHECK: icl.linear_attention {{.*}} : (tensor<2x1x7x4xf32>, tensor<2x1x7x4xf32>, tensor<2x1x7x5xf32>, tensor<2x1x7xf32>) -> tensor<2x1x7x5xf32>
func.func @linear_decay(%q: tensor<2x3x7x4xf32>, %k: tensor<2x3x7x4xf32>, %v: tensor<2x3x7x5xf32>,
                        %g: tensor<2x3x7xf32>) -> tensor<2x3x7x5xf32> {
  %o = icl.linear_attention %q, %k, %v decay(%g) {normalize, feature_map = #icl.feature_map<elu_plus_one>}
      : (tensor<2x3x7x4xf32>, tensor<2x3x7x4xf32>, tensor<2x3x7x5xf32>, tensor<2x3x7xf32>) -> tensor<2x3x7x5xf32>
  return %o : tensor<2x3x7x5xf32>
}

// CHECK-LABEL: func.func @conv
// CHECK: icl.causal_conv1d {{.*}} : (tensor<1x?x11xf32>, tensor<?x4xf32>, tensor<?xf32>) -> tensor<1x?x11xf32>
func.func @conv(%x: tensor<2x5x11xf32>, %w: tensor<5x4xf32>, %b: tensor<5xf32>) -> tensor<2x5x11xf32> {
  %y = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>}
      : (tensor<2x5x11xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x5x11xf32>
  return %y : tensor<2x5x11xf32>
}

// CHECK-LABEL: func.func @norms
// CHECK: icl.layer_norm {{.*}} -> tensor<?x?x10xf32>
// CHECK: icl.rms_norm {{.*}} -> tensor<?x?x10xf32>
// CHECK: icl.gated_rms_norm {{.*}} -> tensor<?x?x10xf32>
func.func @norms(%x: tensor<3x7x10xf32>, %g: tensor<10xf32>, %b: tensor<10xf32>, %z: tensor<3x7x10xf32>)
    -> (tensor<3x7x10xf32>, tensor<3x7x10xf32>, tensor<3x7x10xf32>) {
  %l = icl.layer_norm %x gamma(%g) beta(%b) {eps = 1.0e-5 : f64}
      : (tensor<3x7x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<3x7x10xf32>
  %r = icl.rms_norm %x gamma(%g) {eps = 1.0e-6 : f64} : (tensor<3x7x10xf32>, tensor<10xf32>) -> tensor<3x7x10xf32>
  %s = icl.gated_rms_norm %x, %z gamma(%g) {group_size = 5 : i64}
      : (tensor<3x7x10xf32>, tensor<3x7x10xf32>, tensor<10xf32>) -> tensor<3x7x10xf32>
  return %l, %r, %s : tensor<3x7x10xf32>, tensor<3x7x10xf32>, tensor<3x7x10xf32>
}

// Softmax over axis 0 tiles the other dim; the activation tiles its first.
// CHECK-LABEL: func.func @rows
// CHECK: scf.forall
// CHECK: icl.softmax {{.*}} : tensor<9x?xf32>
// CHECK: scf.forall
// CHECK: icl.activation {{.*}} : tensor<?x10xf32>
func.func @rows(%x: tensor<9x10xf32>) -> tensor<9x10xf32> {
  %p = icl.softmax %x {axis = 0 : i64} : tensor<9x10xf32>
  %y = icl.activation %p {kind = #icl.activation<gelu>} : tensor<9x10xf32>
  return %y : tensor<9x10xf32>
}
