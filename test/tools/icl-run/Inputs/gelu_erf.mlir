// GELU as OPS.md defines it (erf); gelu_tanh.mlir holds its tanh approximation
// under the same name and signature: a known-wrong variant check-fails.test
// compares against.
func.func @f(%x: tensor<7x33xf32>) -> tensor<7x33xf32> {
  %0 = icl.activation %x {kind = #icl.activation<gelu>} : tensor<7x33xf32>
  return %0 : tensor<7x33xf32>
}
