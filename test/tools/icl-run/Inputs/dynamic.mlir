// Rows of a dynamic count (--dynamic-size chooses how many random ones): a
// layer norm, then a softmax over its channels.
func.func @f(%x: tensor<?x40xf32>, %g: tensor<40xf32>) -> tensor<?x40xf32> {
  %0 = icl.layer_norm %x gamma(%g) : (tensor<?x40xf32>, tensor<40xf32>) -> tensor<?x40xf32>
  %1 = icl.softmax %0 : tensor<?x40xf32>
  return %1 : tensor<?x40xf32>
}
