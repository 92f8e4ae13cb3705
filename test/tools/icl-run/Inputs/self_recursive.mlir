// A function that calls itself, for recursion.mlir.
func.func @self(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = func.call @self(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
