// Not valid IR: the linear's weight has the wrong inner size.
func.func @f(%x: tensor<2x4xf32>, %w: tensor<3x5xf32>) -> tensor<2x3xf32> {
  // The error points here.
  %y = icl.linear %x, %w : (tensor<2x4xf32>, tensor<3x5xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
