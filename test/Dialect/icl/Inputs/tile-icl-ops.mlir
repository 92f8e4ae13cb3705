// The tile sizes of test/Dialect/icl/tiling.mlir, one per op kind: each
// size is awkward for its extent (a partial last tile) or a group multiple.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attention = transform.structured.match ops{["icl.attention"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t0, %l0:3 = transform.structured.tile_using_for %attention tile_sizes [1, 3, 5]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %scan = transform.structured.match ops{["icl.selective_scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t1, %l1:2 = transform.structured.tile_using_for %scan tile_sizes [1, 3]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %ssd = transform.structured.match ops{["icl.ssd"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t2, %l2:2 = transform.structured.tile_using_for %ssd tile_sizes [1, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %linear = transform.structured.match ops{["icl.linear_attention"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t3, %l3 = transform.structured.tile_using_forall %linear tile_sizes [0, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %conv = transform.structured.match ops{["icl.causal_conv1d"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t4, %l4:2 = transform.structured.tile_using_for %conv tile_sizes [1, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %norms = transform.structured.match ops{["icl.layer_norm", "icl.rms_norm", "icl.gated_rms_norm"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t5, %l5:2 = transform.structured.tile_using_for %norms tile_sizes [2, 3]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %rows = transform.structured.match ops{["icl.softmax", "icl.activation"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %t6, %l6 = transform.structured.tile_using_forall %rows tile_sizes [4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
