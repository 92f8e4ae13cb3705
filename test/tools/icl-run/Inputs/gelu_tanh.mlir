// The tanh approximation of GELU, standing in for a wrong kernel of gelu_erf.mlir.
func.func @f(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<gelu_tanh>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
