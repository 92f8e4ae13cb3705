// RUN: icl-opt %s --icl-outline-kernels --duplicate-function-elimination | FileCheck %s

// Two "layers" run the same ops on the same shapes with different weights:
// each linalg op becomes a private noinline kernel taking what it reads as
// arguments, and the second layer's copies merge with the first's. The fill
// that only initialises the contraction moves into its kernel; the scalar
// constant and tensor.empty are recreated inside.
// CHECK-LABEL: func.func private @two_layers_kernel0(%{{.*}}: tensor<8x16xf32>, %{{.*}}: tensor<16x16xf32>) -> tensor<8x16xf32>
// CHECK-SAME:    passthrough = ["noinline"]
// CHECK:         tensor.empty
// CHECK:         linalg.fill
// CHECK:         linalg.matmul
// CHECK-LABEL: func.func private @two_layers_kernel1(%{{.*}}: tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-DAG:     tensor.empty
// CHECK-DAG:     arith.constant 0.0
// CHECK:         linalg.generic
// CHECK-NOT:   func.func private @two_layers_kernel2
// CHECK-LABEL: func.func @two_layers
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>)
// CHECK:         %[[W0:.*]] = arith.constant dense<1.000000e+00>
// CHECK:         %[[W1:.*]] = arith.constant dense<2.000000e+00>
// CHECK-NOT:     linalg.fill
// CHECK:         %[[A:.*]] = call @two_layers_kernel0(%[[X]], %[[W0]])
// CHECK:         %[[B:.*]] = call @two_layers_kernel1(%[[A]])
// CHECK:         %[[C:.*]] = call @two_layers_kernel0(%[[B]], %[[W1]])
// CHECK:         %[[D:.*]] = call @two_layers_kernel1(%[[C]])
// CHECK:         return %[[D]]
func.func @two_layers(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %w0 = arith.constant dense<1.0> : tensor<16x16xf32>
  %w1 = arith.constant dense<2.0> : tensor<16x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %a = linalg.matmul ins(%x, %w0 : tensor<8x16xf32>, tensor<16x16xf32>) outs(%f0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %c = linalg.matmul ins(%b, %w1 : tensor<8x16xf32>, tensor<16x16xf32>) outs(%f1 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]} ins(%c : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  return %d : tensor<8x16xf32>
}

// A function that is a single kernel is left alone.
// CHECK-LABEL: func.func @one_op
// CHECK-NOT:     call
// CHECK:         linalg.generic
func.func @one_op(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
