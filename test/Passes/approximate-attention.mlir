// RUN: icl-opt %s --icl-approximate-attention | FileCheck %s
// RUN: icl-opt %s --icl-approximate-attention="min-ratio=1 layers=1 feature-map=relu" | FileCheck %s --check-prefix=LAYER
// RUN: not icl-opt %s --icl-approximate-attention="feature-map=cos" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: icl-opt %s --icl-approximate-attention -o %t.mlir
// RUN: icl-run %t.mlir --function long --random-inputs 4 --check | FileCheck %s --check-prefix=NATIVE
// Accuracy against exact attention: where every key is the same, softmax
// weights and the feature-map weights are both uniform over the visible
// keys, so the approximation is exact (to f32 rounding) only if it is
// normalised, causal like the original and scales nothing else.
// RUN: icl-run --reference %s --function same_keys --random-inputs 4 --output %t.exact.npy
// RUN: icl-run --reference %t.mlir --function same_keys --random-inputs 4 --expect %t.exact.npy | FileCheck %s --check-prefix=EXACT
// RUN: icl-run %t.mlir --function same_keys --random-inputs 4 --expect %t.exact.npy | FileCheck %s --check-prefix=EXACT
// EXACT: expect: result 0: {{.*}}, 0 of 1024 beyond tol

// 64 keys of head dim 8 (ratio 8, the default threshold): causal linear
// attention (the default, so not printed) with elu+1 features, normalised,
// queries scaled by 1/sqrt(8); then a non-causal one.
// CHECK-LABEL: func.func @long
// CHECK-NOT:     icl.attention
// CHECK:         icl.linear_attention {{.*}} {feature_map = #icl.feature_map<elu_plus_one>, normalize, scale = 0.353553390593273{{[0-9]*}} : f64}
// CHECK:         icl.linear_attention {{.*}} {causal = false, feature_map = #icl.feature_map<elu_plus_one>, normalize,
func.func @long(%q: tensor<1x2x64x8xf32>, %k: tensor<1x2x64x8xf32>, %v: tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32> {
  %a = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32>
  %b = icl.attention %a, %k, %v : (tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32>
  return %b : tensor<1x2x64x8xf32>
}

// CHECK-LABEL: func.func @same_keys
// CHECK:         icl.linear_attention {{.*}} {feature_map = #icl.feature_map<elu_plus_one>, normalize, scale = 0.353553390593273{{[0-9]*}} : f64}
func.func @same_keys(%q: tensor<1x2x64x8xf32>, %v: tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32> {
  %k = arith.constant dense<0.5> : tensor<1x2x64x8xf32>
  %a = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32>
  return %a : tensor<1x2x64x8xf32>
}

// Too few keys, grouped heads and a sliding window stay exact.
// CHECK-LABEL: func.func @exact
// CHECK-COUNT-3: icl.attention
// CHECK-NOT:     icl.linear_attention
func.func @exact(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x2x16x8xf32>,
                 %q4: tensor<1x4x64x8xf32>, %k2: tensor<1x2x64x8xf32>) -> (tensor<1x2x16x8xf32>, tensor<1x4x64x8xf32>, tensor<1x2x64x8xf32>) {
  %a = icl.attention %q, %k, %v : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  %b = icl.attention %q4, %k2, %k2 : (tensor<1x4x64x8xf32>, tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>) -> tensor<1x4x64x8xf32>
  %c = icl.attention %k2, %k2, %k2 {mask_kind = #icl.mask<sliding_window>, window = 8 : i64} : (tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>, tensor<1x2x64x8xf32>) -> tensor<1x2x64x8xf32>
  return %a, %b, %c : tensor<1x2x16x8xf32>, tensor<1x4x64x8xf32>, tensor<1x2x64x8xf32>
}

// LAYER-LABEL: func.func @long
// LAYER:         icl.attention
// LAYER:         icl.linear_attention {{.*}} feature_map = #icl.feature_map<relu>
// Layer 1 of @exact has grouped heads: nothing there is replaced.
// LAYER-LABEL: func.func @exact
// LAYER-NOT:     icl.linear_attention

// BAD: feature-map must be identity, elu_plus_one or relu, not 'cos'

// NATIVE: check: result 0: {{.*}}, 0 of 1024 beyond
