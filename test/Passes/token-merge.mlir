// The two-block tiny GPT of examples/models with ToMe merging after each block.
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r=2" | FileCheck %s
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r=2 unmerge=true" | FileCheck %s --check-prefix=UNMERGE
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r-per-layer=0,3 proportional=false" | FileCheck %s --check-prefix=LIST
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r=2 schedule=decreasing" | FileCheck %s --check-prefix=DECREASING
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r=0" | FileCheck %s --check-prefix=NONE
// RUN: not icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="schedule=fast" 2>&1 | FileCheck %s --check-prefix=BAD
// Merged models run natively and match the reference evaluator.
// RUN: icl-opt %icl_src/examples/models/tiny_gpt.mlir --icl-token-merge="r=2 unmerge=true" -o %t.mlir
// RUN: icl-run %t.mlir --random-inputs 3 --check | FileCheck %s --check-prefix=NATIVE

// After block 0's residual add, 8 tokens become 6, merged on the block's keys
// (the k projection before its heads were split); block 1 runs on 6 tokens
// with proportional attention and merges down to 4; the logits have 4 rows.
// CHECK-LABEL: func.func @tiny_gpt
// CHECK-SAME:    -> tensor<1x4x32xf32>
// CHECK:         %[[WK0:.*]] = arith.constant dense_resource<wk_0>
// CHECK:         %[[K0:.*]] = icl.linear %{{.*}}, %[[WK0]]
// CHECK:         icl.attention {{.*}} -> tensor<1x2x8x8xf32>
// CHECK:         %[[R0:.*]] = arith.addf
// CHECK:         %[[M0:.*]], %[[S0:.*]], %{{.*}} = icl.token_merge %[[R0]], %[[K0]] {r = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> (tensor<1x6x16xf32>, tensor<1x6xf32>, tensor<1x8xi64>)
// CHECK:         icl.layer_norm %[[M0]]
// CHECK:         icl.attention {{.*}} key_sizes(%[[S0]]) {{.*}} -> tensor<1x2x6x8xf32>
// CHECK:         icl.token_merge {{.*}} sizes(%[[S0]]) {r = 2 : i64} {{.*}} -> (tensor<1x4x16xf32>, tensor<1x4xf32>, tensor<1x6xi64>)
// CHECK:         return {{.*}} : tensor<1x4x32xf32>

// UNMERGE-LABEL: func.func @tiny_gpt
// UNMERGE-SAME:    -> tensor<1x8x32xf32>
// UNMERGE:         %{{.*}}, %{{.*}}, %[[I0:.*]] = icl.token_merge {{.*}} -> (tensor<1x6x16xf32>, tensor<1x6xf32>, tensor<1x8xi64>)
// UNMERGE:         %{{.*}}, %{{.*}}, %[[I1:.*]] = icl.token_merge {{.*}} -> (tensor<1x4x16xf32>, tensor<1x4xf32>, tensor<1x6xi64>)
// UNMERGE:         %[[U1:.*]] = icl.token_unmerge %{{.*}}, %[[I1]] : (tensor<1x4x32xf32>, tensor<1x6xi64>) -> tensor<1x6x32xf32>
// UNMERGE:         %[[U0:.*]] = icl.token_unmerge %[[U1]], %[[I0]] : (tensor<1x6x32xf32>, tensor<1x8xi64>) -> tensor<1x8x32xf32>
// UNMERGE:         return %[[U0]]

// LIST-LABEL: func.func @tiny_gpt
// LIST-SAME:    -> tensor<1x5x32xf32>
// LIST-COUNT-1: icl.token_merge
// LIST-NOT:     key_sizes
// LIST:         {r = 3 : i64} {{.*}} -> (tensor<1x5x16xf32>

// Two blocks, decreasing from 2r = 4 to 0: one merge of 4.
// DECREASING-LABEL: func.func @tiny_gpt
// DECREASING-COUNT-1: icl.token_merge
// DECREASING-SAME:    {r = 4 : i64}
// DECREASING:         return {{.*}} : tensor<1x4x32xf32>

// NONE-NOT: icl.token_merge
// NONE:     return {{.*}} : tensor<1x8x32xf32>

// BAD: schedule must be 'constant' or 'decreasing', not 'fast'

// NATIVE: check: result 0: {{.*}}, 0 of 256 beyond
