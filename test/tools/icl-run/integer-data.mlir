// Data movement works on every element type: integer and boolean transposes,
// broadcasts, slices, concatenations and fills, as a causal mask exported
// from PyTorch (an i1 tensor, broadcast and transposed) needs them. The
// reference evaluator and native code agree.
// RUN: icl-run --reference %s --function transpose_i64 | FileCheck %s --check-prefix=TRANSPOSE
// RUN: icl-run %s --function transpose_i64 | FileCheck %s --check-prefix=TRANSPOSE
// RUN: icl-run --reference %s --function broadcast_i1 | FileCheck %s --check-prefix=BROADCAST
// RUN: icl-run %s --function broadcast_i1 | FileCheck %s --check-prefix=BROADCAST
// RUN: icl-run --reference %s --function slice_concat_fill_i32 | FileCheck %s --check-prefix=SLICE
// RUN: icl-run %s --function slice_concat_fill_i32 | FileCheck %s --check-prefix=SLICE
// RUN: icl-run --reference %s --function causal --random-inputs 0 | FileCheck %s --check-prefix=CAUSAL
// RUN: icl-run %s --function causal --random-inputs 0 --check | FileCheck %s --check-prefix=CAUSAL

func.func @transpose_i64() -> tensor<3x2xi64> {
  %c = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %e = tensor.empty() : tensor<3x2xi64>
  %t = linalg.transpose ins(%c : tensor<2x3xi64>) outs(%e : tensor<3x2xi64>) permutation = [1, 0]
  return %t : tensor<3x2xi64>
}
// TRANSPOSE: result 0: i64[3, 2] {{.*}} values [1, 4, 2, 5, 3, 6]

func.func @broadcast_i1() -> tensor<2x3xi1> {
  %c = arith.constant dense<[true, false, true]> : tensor<3xi1>
  %e = tensor.empty() : tensor<2x3xi1>
  %b = linalg.broadcast ins(%c : tensor<3xi1>) outs(%e : tensor<2x3xi1>) dimensions = [0]
  return %b : tensor<2x3xi1>
}
// BROADCAST: result 0: bool[2, 3] {{.*}} values [1, 0, 1, 1, 0, 1]

func.func @slice_concat_fill_i32() -> tensor<2x3xi32> {
  %c = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %s = tensor.extract_slice %c[0, 1] [2, 2] [1, 1] : tensor<2x3xi32> to tensor<2x2xi32>
  %seven = arith.constant 7 : i32
  %e = tensor.empty() : tensor<2x1xi32>
  %f = linalg.fill ins(%seven : i32) outs(%e : tensor<2x1xi32>) -> tensor<2x1xi32>
  %r = tensor.concat dim(1) %s, %f : (tensor<2x2xi32>, tensor<2x1xi32>) -> tensor<2x3xi32>
  return %r : tensor<2x3xi32>
}
// SLICE: result 0: i32[2, 3] {{.*}} values [2, 3, 7, 5, 6, 7]

// Row q of the scores sees keys 0..q: the lower-triangular mask, stored
// upper-triangular and transposed back per batch.
func.func @causal(%scores: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %triu = arith.constant dense<[[true, true, true, true], [false, true, true, true],
                                [false, false, true, true], [false, false, false, true]]>
      : tensor<4x4xi1>
  %e = tensor.empty() : tensor<2x4x4xi1>
  %batched = linalg.broadcast ins(%triu : tensor<4x4xi1>) outs(%e : tensor<2x4x4xi1>)
      dimensions = [0]
  %e2 = tensor.empty() : tensor<2x4x4xi1>
  %mask = linalg.transpose ins(%batched : tensor<2x4x4xi1>) outs(%e2 : tensor<2x4x4xi1>)
      permutation = [0, 2, 1]
  %ninf = arith.constant dense<-1.0e30> : tensor<2x4x4xf32>
  %masked = arith.select %mask, %scores, %ninf : tensor<2x4x4xi1>, tensor<2x4x4xf32>
  %p = icl.softmax %masked {axis = -1 : i64} : tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}
// CAUSAL: result 0: f32[2, 4, 4] {{.*}} values [1, 0, 0, 0, {{[0-9.e-]+}}, {{[0-9.e-]+}}, 0, 0, ...]
