// RUN: icl-opt %s --split-input-file --icl-inline-weights="weights-dir=%S/../tools/icl-run" --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @inline
// CHECK-NOT:     icl.weight
// CHECK:         %[[W:.*]] = arith.constant dense_resource<proj.weight> : tensor<3x2xf32>
// CHECK:         %[[B:.*]] = arith.constant dense_resource<proj.bias> : tensor<3xf64>
// CHECK:         return %[[W]], %[[B]]
// The whole payload: the weights [[1, 2], [3, 4], [5, 6]] as f32 and the bias
// [0.5, -0.5, 1] converted to f64, each after its alignment word.
// CHECK:       proj.weight: "0x040000000000803F0000004000004040000080400000A0400000C040"
// CHECK:       proj.bias: "0x08000000000000000000E03F000000000000E0BF000000000000F03F"
func.func @inline() -> (tensor<3x2xf32>, tensor<3xf64>) {
  %w = icl.weight "proj.weight" from "Inputs/weights.safetensors" : tensor<3x2xf32>
  %b = icl.weight "proj.bias" from "Inputs/weights.safetensors" : tensor<3xf64>
  return %w, %b : tensor<3x2xf32>, tensor<3xf64>
}

// -----

func.func @missing_tensor() -> tensor<3xf32> {
  // expected-error @+1 {{'icl.weight' op tensor 'proj.gamma' not found}}
  %b = icl.weight "proj.gamma" from "Inputs/weights.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}

// -----

func.func @truncated() -> tensor<3xf32> {
  // expected-error @+1 {{truncated}}
  %b = icl.weight "proj.bias" from "Inputs/truncated.safetensors" : tensor<3xf32>
  return %b : tensor<3xf32>
}

// -----

func.func @shape() -> tensor<2x3xf32> {
  // expected-error @+1 {{'icl.weight' op weight 'proj.weight' has shape [3, 2] in}}
  %w = icl.weight "proj.weight" from "Inputs/weights.safetensors" : tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}
