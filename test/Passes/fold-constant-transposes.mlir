// RUN: icl-opt %s --icl-fold-constant-transposes | FileCheck %s

// A dense-resource weight [2, 3] transposed to [3, 2]: the transpose becomes
// a new resource holding the permuted data (1 2 3 / 4 5 6 -> 1 4 / 2 5 / 3 6).
// CHECK-LABEL: func.func @resource
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[T:.*]] = arith.constant dense_resource<[[NAME:w_t[_0-9]*]]> : tensor<3x2xf32>
// CHECK:         return %[[T]]
func.func @resource() -> tensor<3x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// A dense constant of rank 3 with permutation [2, 0, 1]: out[c, a, b] =
// in[a, b, c], so [[[1, 2, 3]], [[4, 5, 6]]] becomes 1 4 2 5 3 6.
// CHECK-LABEL: func.func @dense_rank3
// CHECK-NOT:     linalg.transpose
// CHECK:         arith.constant dense_resource<[[DENSE:transposed[_0-9]*]]> : tensor<3x2x1xi32>
func.func @dense_rank3() -> tensor<3x2x1xi32> {
  %w = arith.constant dense<[[[1, 2, 3]], [[4, 5, 6]]]> : tensor<2x1x3xi32>
  %e = tensor.empty() : tensor<3x2x1xi32>
  %t = linalg.transpose ins(%w : tensor<2x1x3xi32>) outs(%e : tensor<3x2x1xi32>) permutation = [2, 0, 1]
  return %t : tensor<3x2x1xi32>
}

// A splat is reshaped.
// CHECK-LABEL: func.func @splat
// CHECK:         arith.constant dense<2.500000e+00> : tensor<4x3xf32>
func.func @splat() -> tensor<4x3xf32> {
  %w = arith.constant dense<2.5> : tensor<3x4xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x4xf32>) outs(%e : tensor<4x3xf32>) permutation = [1, 0]
  return %t : tensor<4x3xf32>
}

// Transposes of values computed at run time stay.
// CHECK-LABEL: func.func @argument
// CHECK:         linalg.transpose
func.func @argument(%w: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// CHECK: dialect_resources
// CHECK-DAG: [[NAME]]: "0x040000000000803F00008040000000400000A040000040400000C040"
// CHECK-DAG: [[DENSE]]: "0x04000000010000000400000002000000050000000300000006000000"
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}
