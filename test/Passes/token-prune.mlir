// Pruning in the two-block tiny GPT of examples/models.
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-prune="layers=1 keep=4" | FileCheck %s
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-prune="layers=0,1 keep-ratio=0.5 fuse=true protect-first=true" | FileCheck %s --check-prefix=RATIO
// RUN: not icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-prune="layers=0 keep=0 keep-ratio=0" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-prune="layers=0,1 keep-ratio=0.5 fuse=true" -o %t.mlir
// RUN: icl-run %t.mlir --random-inputs 5 --check | FileCheck %s --check-prefix=NATIVE

// After block 1's residual add, the 4 of 8 tokens that block 1's causal
// attention attended to most continue: scores are its probabilities (q·kᵀ
// scaled, causally masked, softmax) summed over heads and queries.
// CHECK-LABEL: func.func @tiny_gpt
// CHECK-SAME:    -> tensor<1x4x32xf32>
// CHECK:         icl.attention
// CHECK:         %[[A1:.*]] = icl.attention
// CHECK:         %[[R1:.*]] = arith.addf
// CHECK:         linalg.batch_matmul {{.*}} -> tensor<2x8x8xf32>
// CHECK:         arith.constant dense<{{.*}}0xFF800000{{.*}}> : tensor<8x8xf32>
// CHECK:         %[[P:.*]] = icl.softmax {{.*}} {axis = 2 : i64} : tensor<2x8x8xf32>
// CHECK:         linalg.batch_matmul {{.*}} -> tensor<1x1x8xf32>
// CHECK:         %[[S:.*]] = tensor.collapse_shape {{.*}} into tensor<1x8xf32>
// CHECK:         %[[K:.*]] = icl.token_prune %[[R1]], %[[S]] {keep = 4 : i64} : (tensor<1x8x16xf32>, tensor<1x8xf32>) -> tensor<1x4x16xf32>
// CHECK:         icl.layer_norm %[[K]]
// CHECK:         return {{.*}} : tensor<1x4x32xf32>

// Half the tokens and one fused token per block: 8 -> 5 -> 3 + 1.
// RATIO-LABEL: func.func @tiny_gpt
// RATIO:         icl.token_prune {{.*}} {fuse, keep_ratio = 5.000000e-01 : f64, protect_first} : (tensor<1x8x16xf32>, tensor<1x8xf32>) -> tensor<1x5x16xf32>
// RATIO:         icl.attention {{.*}} -> tensor<1x2x5x8xf32>
// RATIO:         icl.token_prune {{.*}} -> tensor<1x4x16xf32>

// BAD: icl-token-prune: set keep > 0 or keep-ratio in (0, 1]

// NATIVE: check: result 0: {{.*}}, 0 of 128 beyond
