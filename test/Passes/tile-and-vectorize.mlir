// RUN: icl-opt %s --icl-decompose --icl-tile-and-vectorize="vector-width=16 register-rows=4" | FileCheck %s

// A 64x32 · 32x48 linear: 4x16 register tiles, column panels outside row
// blocks, the reduction in steps of one whose 4x16 accumulator is carried in
// registers (read before the loop, written after it).
// CHECK-LABEL: func.func @linear
// CHECK:         scf.forall
// CHECK:           scf.for {{.*}} step %c16
// CHECK:             scf.for {{.*}} step %c4
// CHECK:               %[[ACC:[0-9]+]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:               %[[R:[0-9]+]]:3 = scf.for {{.*}} iter_args({{.*}}, %[[A:[a-z0-9_]+]] = %[[ACC]]) -> ({{.*}}, vector<4x16xf32>)
// CHECK:                 vector.transfer_read {{.*}} : tensor<4x1xf32>, vector<4x1xf32>
// CHECK:                 vector.transfer_read {{.*}} : tensor<1x16xf32>, vector<1x16xf32>
// CHECK:                 vector.contract {{.*}} %[[A]] : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK:               vector.transfer_write %[[R]]#2
func.func @linear(%x: tensor<64x32xf32>, %w: tensor<48x32xf32>) -> tensor<64x48xf32> {
  %y = icl.linear %x, %w : (tensor<64x32xf32>, tensor<48x32xf32>) -> tensor<64x48xf32>
  return %y : tensor<64x48xf32>
}

// Prime extents (37 rows, 17 columns) have no divisor below the targets but
// 1, so their tiles are 1 wide and still full: no masks are needed.
// CHECK-LABEL: func.func @odd
// CHECK-NOT:     vector.create_mask
// CHECK:         scf.for %{{.*}} = %c0 to %c37 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c17 step %c1
// CHECK:             vector.transfer_read {{.*}} {in_bounds = [true, true]} : tensor<1x1xf32>, vector<1x1xf32>
// CHECK-NOT:         vector.create_mask
// CHECK:             arith.maximumf {{.*}} : vector<1x1xf32>
// CHECK-NOT:     vector.create_mask
// CHECK:         return
func.func @odd(%x: tensor<37x17xf32>) -> tensor<37x17xf32> {
  %y = icl.activation %x {kind = #icl.activation<relu>} : tensor<37x17xf32>
  return %y : tensor<37x17xf32>
}

// erf has no vector instruction: the gelu's erf becomes a polynomial on the
// 1x16 vectors (fma chains), and no math.erf is left for the backend to
// scalarise.
// CHECK-LABEL: func.func @gelu
// CHECK-NOT:     math.erf
// CHECK:         math.fma {{.*}} : vector<1x16xf32>
// CHECK-NOT:     math.erf
// CHECK:         return
func.func @gelu(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %y = icl.activation %x {kind = #icl.activation<gelu>} : tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// Likewise the softmax's exp: a polynomial on vectors, no math.exp left.
// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     math.exp
// CHECK:         math.fma {{.*}} : vector<1x16xf32>
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @softmax(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %y = icl.softmax %x : tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// A transpose is read in square blocks of one register per row (8 lanes with
// vector-width=16) along the input's rows and transposed in registers, rather
// than gathered down the input's columns.
// CHECK-LABEL: func.func @transpose
// CHECK:         vector.transfer_read {{.*}} : tensor<8x8xf32>, vector<8x8xf32>
// CHECK:         vector.transpose {{.*}} [1, 0] : vector<8x8xf32> to vector<8x8xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<8x8xf32>, tensor<8x8xf32>
func.func @transpose(%a: tensor<64x48xf32>) -> tensor<48x64xf32> {
  %e = tensor.empty() : tensor<48x64xf32>
  %t = linalg.transpose ins(%a : tensor<64x48xf32>) outs(%e : tensor<48x64xf32>) permutation = [1, 0]
  return %t : tensor<48x64xf32>
}
