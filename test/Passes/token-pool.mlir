// RUN: icl-opt %s --icl-token-pool="layers=1 segment=4" | FileCheck %s
// RUN: icl-opt %s --icl-token-pool="layers=0,1 segment=3 kind=max" | FileCheck %s --check-prefix=MAX
// RUN: not icl-opt %s --icl-token-pool="layers=2" 2>&1 | FileCheck %s --check-prefix=MASKED
// RUN: icl-opt %s --icl-token-pool="layers=0,1 segment=3 kind=max" -o %t.mlir
// RUN: icl-run %t.mlir --function two --random-inputs 2 --check | FileCheck %s --check-prefix=NATIVE

// Only the second attention (layers=1) becomes pooling over segments of 4 of
// its values' tokens, heads merged around the token ops.
// CHECK-LABEL: func.func @two
// CHECK:         icl.attention
// CHECK-NOT:     icl.attention
// CHECK:         %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x2x12x8xf32>) outs(%{{.*}} : tensor<2x12x2x8xf32>) permutation = [0, 2, 1, 3]
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[T]] {{.*}} into tensor<2x12x16xf32>
// CHECK:         %[[P:.*]] = icl.token_pool %[[C]] {segment = 4 : i64} : (tensor<2x12x16xf32>) -> tensor<2x3x16xf32>
// CHECK:         %[[U:.*]] = icl.token_unpool %[[P]] {length = 12 : i64, segment = 4 : i64} : (tensor<2x3x16xf32>) -> tensor<2x12x16xf32>
// CHECK:         tensor.expand_shape %[[U]]
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<2x12x2x8xf32>) outs(%{{.*}} : tensor<2x2x12x8xf32>)

// MAX-LABEL: func.func @two
// MAX-NOT:     icl.attention
// MAX:         icl.token_pool {{.*}} {kind = #icl.pool<max>, segment = 3 : i64}
// MAX:         icl.token_pool {{.*}} {kind = #icl.pool<max>, segment = 3 : i64}

// MASKED: error: 'icl.attention' op is masked; pooling a segment would mix in tokens the mask hides

// NATIVE: check: result 0: {{.*}}, 0 of 384 beyond
func.func @two(%q: tensor<2x2x12x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>) -> tensor<2x2x12x8xf32> {
  %a = icl.attention %q, %k, %v : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>) -> tensor<2x2x12x8xf32>
  %b = icl.attention %a, %k, %a : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>) -> tensor<2x2x12x8xf32>
  %c = icl.attention %b, %b, %b {mask_kind = #icl.mask<causal>} : (tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>) -> tensor<2x2x12x8xf32>
  return %c : tensor<2x2x12x8xf32>
}
