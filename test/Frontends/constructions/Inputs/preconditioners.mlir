// Preconditioners for the pgd tests, written as .npy files by
// `icl-run --reference --output`: a good non-symmetric Γ (3x3, float64),
// then bad ones: singular, holding a NaN (float32), of the wrong shape, of
// integers.
func.func @preconditioners() -> (tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf32>,
                                 tensor<2x3xf32>, tensor<3x3xi32>) {
  %good = arith.constant dense<[[1.0, 0.2, 0.0], [-0.1, 1.5, 0.1], [0.0, 0.3, 0.8]]> : tensor<3x3xf64>
  %singular = arith.constant dense<[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]]> : tensor<3x3xf64>
  %nan = arith.constant dense<[[1.0, 0.0, 0.0], [0.0, 0x7FC00000, 0.0], [0.0, 0.0, 1.0]]> : tensor<3x3xf32>
  %wide = arith.constant dense<1.0> : tensor<2x3xf32>
  %ints = arith.constant dense<[[1, 0, 0], [0, 1, 0], [0, 0, 1]]> : tensor<3x3xi32>
  return %good, %singular, %nan, %wide, %ints
      : tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf32>, tensor<2x3xf32>, tensor<3x3xi32>
}
