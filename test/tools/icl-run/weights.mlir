// External weights are read from the safetensors file named by the module.
// RUN: icl-run --reference %s --function linear --random-inputs 1 | FileCheck %s
// RUN: icl-run --reference %s --function linear --random-inputs 1 --output %t.npy
// RUN: not icl-run --reference %s --function linear --input %t.x.npy --output %t.y.npy 2>&1 | FileCheck %s --check-prefix=MISSING-INPUT
// RUN: icl-run --reference %s --function ones --output %t.ones.npy
// RUN: icl-run --reference %s --function linear --input %t.ones.npy | FileCheck %s --check-prefix=ONES

module attributes {icl.weights_file = "Inputs/weights.safetensors"} {
  func.func @linear(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
    %w = icl.weight "proj.weight" : tensor<3x2xf32>
    %b = icl.weight "proj.bias" : tensor<3xf32>
    %y = icl.linear %x, %w bias(%b) : (tensor<4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    return %y : tensor<4x3xf32>
  }
  func.func @ones() -> tensor<4x2xf32> {
    %c = arith.constant dense<1.0> : tensor<4x2xf32>
    return %c : tensor<4x2xf32>
  }
}

// CHECK: result 0: f32[4, 3]
// MISSING-INPUT: error: {{.*}}x.npy
// A row of ones through w = [[1, 2], [3, 4], [5, 6]] and b = [0.5, -0.5, 1]
// gives [3.5, 6.5, 12] in every row.
// ONES: result 0: f32[4, 3] min 3.5 max 12 mean 7.33333 values [3.5, 6.5, 12, 3.5, 6.5, 12, 3.5, 6.5, ...]
