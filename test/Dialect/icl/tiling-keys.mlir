// The keys of icl.attention are a reduction loop (loop 3 of its
// TilingInterface): a tile must take all of them, and a key split is a
// parallel partial reduction (icl-tile-attention's split-KV, checked
// numerically in test/Passes/tile-attention.mlir), never the sequential
// lanes of tile_reduction_using_for. Both refusals name the remedy.
//
// RUN: not icl-opt %s --split-input-file --transform-interpreter 2>&1 | FileCheck %s

// CHECK: error: 'icl.attention' op cannot take part of its key loop in a tile: it is a reduction (split it with the op's PartialReductionOpInterface)
func.func @key_tile(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x40x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = icl.attention %q, %k, %k : (tensor<1x2x8x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %a = transform.structured.match ops{["icl.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_for %a tile_sizes [0, 0, 0, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// CHECK: error: 'icl.attention' op splits its keys in parallel only (PartialReductionOuterParallel); a sequential loop over key blocks is the online softmax of icl-tile-attention
func.func @key_lanes(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x40x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = icl.attention %q, %k, %k : (tensor<1x2x8x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %a = transform.structured.match ops{["icl.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %f, %s, %c, %l = transform.structured.tile_reduction_using_for %a by tile_sizes = [0, 0, 0, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
