// RUN: icl-opt %s --icl-x86-pipeline | FileCheck %s

// The whole pipeline ends in the LLVM dialect: results become out-parameters
// (one more memref descriptor per result) and nothing else is left.
// CHECK-NOT:   icl.
// CHECK-NOT:   linalg.
// CHECK-NOT:   memref.
// CHECK:       llvm.func @f(
// CHECK:       llvm.intr.fmuladd
// CHECK-NOT:   icl.
func.func @f(%x: tensor<8x16xf32>, %w: tensor<32x16xf32>) -> tensor<8x32xf32> {
  %y = icl.linear %x, %w : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  %z = icl.activation %y {kind = #icl.activation<gelu>} : tensor<8x32xf32>
  return %z : tensor<8x32xf32>
}
