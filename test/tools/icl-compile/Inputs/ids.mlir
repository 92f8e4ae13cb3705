func.func @ids() -> tensor<1x8xi64> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xi64>
  return %c : tensor<1x8xi64>
}
