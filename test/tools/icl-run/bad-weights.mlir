// A missing, truncated or lying weights file gives one clear error.
// RUN: not icl-run --reference %s --function missing_file --random-inputs 0 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not icl-run --reference %s --function truncated --random-inputs 0 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not icl-run --reference %s --function lying --random-inputs 0 2>&1 | FileCheck %s --check-prefix=LIE
// RUN: not icl-run --reference %s --function missing_tensor --random-inputs 0 2>&1 | FileCheck %s --check-prefix=NOTENSOR
// RUN: not icl-run --reference %s --function wrong_shape --random-inputs 0 2>&1 | FileCheck %s --check-prefix=SHAPE

func.func @missing_file() -> tensor<3xf32> {
  %b = icl.weight "proj.bias" from "Inputs/no-such-file.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}
// NOFILE: bad-weights.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.weight' cannot load its weights: {{.*}}no-such-file.safetensors

func.func @truncated() -> tensor<3xf32> {
  %b = icl.weight "proj.bias" from "Inputs/truncated.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}
// TRUNC: bad-weights.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.weight' cannot load its weights: {{.*}}truncated

func.func @lying() -> tensor<3xf32> {
  %b = icl.weight "proj.bias" from "Inputs/lying.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}
// LIE: bad-weights.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.weight' cannot load its weights: {{.*}}lying.safetensors

func.func @missing_tensor() -> tensor<3xf32> {
  %b = icl.weight "proj.gamma" from "Inputs/weights.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}
// NOTENSOR: bad-weights.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.weight' {{.*}}proj.gamma

func.func @wrong_shape() -> tensor<2x3xf32> {
  %w = icl.weight "proj.weight" from "Inputs/weights.safetensors" : tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}
// SHAPE: bad-weights.mlir:[[@LINE-3]]:{{[0-9]+}}: 'icl.weight' weight 'proj.weight' in {{.*}}weights.safetensors has shape [3, 2] but the op expects [2, 3]
