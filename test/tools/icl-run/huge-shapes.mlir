// A tensor whose element count overflows int64 (2^62 x 4 elements) used to
// wrap to zero elements and "run"; every tool refuses a tensor of more than
// 256 TiB before it allocates, compiles or evaluates, naming the value and
// its type.
// RUN: not icl-run --reference %s --random-inputs 0 2>&1 | FileCheck %s
// RUN: not icl-run %s --random-inputs 0 2>&1 | FileCheck %s
// RUN: not icl-compile %s -o %t.so 2>&1 | FileCheck %s
// RUN: test ! -e %t.so

func.func @main(%x: tensor<4611686018427387904x4xf32>) -> tensor<4611686018427387904x4xf32> {
  %y = icl.activation %x {kind = #icl.activation<relu>} : tensor<4611686018427387904x4xf32>
  return %y : tensor<4611686018427387904x4xf32>
}
// CHECK: error: {{.*}}huge-shapes.mlir:[[@LINE-3]]:8: 'icl.activation' uses tensor<4611686018427387904x4xf32>, more than icl handles in one tensor (256 TiB): split the work into smaller tensors
