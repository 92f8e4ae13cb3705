func.func @gelu(%x: tensor<37x5xf64>) -> tensor<37x5xf64> {
  %0 = icl.activation %x {kind = #icl.activation<gelu>} : tensor<37x5xf64>
  return %0 : tensor<37x5xf64>
}
