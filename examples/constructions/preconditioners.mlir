// Preconditioners Γ for `icl-construct pgd`, written as .npy files by the
// project's own writer:
//
//   icl-run examples/constructions/preconditioners.mlir --reference \
//       --output examples/constructions/gamma-diag4.npy \
//       --output examples/constructions/gamma-skew3.npy
//
// gamma-diag4 (float32, d = 4): a step size per coordinate of x.
// gamma-skew3 (float64, d = 3): not symmetric, so the model must put Γᵀ,
// not Γ, in its query projection (docs/constructions.md).
func.func @preconditioners() -> (tensor<4x4xf32>, tensor<3x3xf64>) {
  %diag = arith.constant dense<[[1.5, 0.0, 0.0, 0.0],
                                [0.0, 1.0, 0.0, 0.0],
                                [0.0, 0.0, 0.75, 0.0],
                                [0.0, 0.0, 0.0, 0.5]]> : tensor<4x4xf32>
  %skew = arith.constant dense<[[1.0, 0.2, 0.0],
                                [-0.1, 1.5, 0.1],
                                [0.0, 0.3, 0.8]]> : tensor<3x3xf64>
  return %diag, %skew : tensor<4x4xf32>, tensor<3x3xf64>
}
