// A transform-dialect schedule for `--x86-options="schedule=..."`: it
// vectorizes every linalg op whole (no tiling), in place of icl's own tiling
// and vectorization.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize_children_and_apply_patterns %funcs : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
