// RUN: icl-opt %s --icl-decompose --icl-tile-and-vectorize | FileCheck %s

// A 64x32 · 32x48 linear: 4x16 register tiles, K in steps of 16, one
// vector.contract per tile.
// CHECK-LABEL: func.func @linear
// CHECK:         scf.for {{.*}} step %{{.*}}
// CHECK:           vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// CHECK:           vector.contract {{.*}} : vector<4x16xf32>, vector<16x16xf32> into vector<4x16xf32>
// CHECK:           vector.transfer_write
func.func @linear(%x: tensor<64x32xf32>, %w: tensor<48x32xf32>) -> tensor<64x48xf32> {
  %y = icl.linear %x, %w : (tensor<64x32xf32>, tensor<48x32xf32>) -> tensor<64x48xf32>
  return %y : tensor<64x48xf32>
}

// Prime extents (37 rows, 17 columns) have no divisor below the targets but
// 1, so their tiles are 1 wide and still full: no masks are needed.
// CHECK-LABEL: func.func @odd
// CHECK-NOT:     vector.create_mask
func.func @odd(%x: tensor<37x17xf32>) -> tensor<37x17xf32> {
  %y = icl.activation %x {kind = #icl.activation<relu>} : tensor<37x17xf32>
  return %y : tensor<37x17xf32>
}
