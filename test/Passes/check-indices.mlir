// RUN: icl-opt %s --icl-check-indices | FileCheck %s
// On the GPU only computed ids are checked (the runtime checks arguments).
// RUN: icl-opt %s --icl-check-indices=computed-only=true | FileCheck %s --check-prefix=COMPUTED
// COMPUTED-LABEL: func.func @embedding_of_argument(
// COMPUTED-NOT:     icl_index_error
// COMPUTED:         icl.embedding
// COMPUTED-LABEL: func.func @embedding_of_computed_ids(
// COMPUTED:         scf.if
// COMPUTED:           func.call @icl_index_error(
// COMPUTED:         icl.embedding
// COMPUTED-LABEL: func.func @unmerge(
// COMPUTED-NOT:     icl_index_error
// COMPUTED:         icl.token_unmerge

// The runtime's entry is declared once; each site has its description and
// the shape of its ids.
// CHECK-DAG: llvm.mlir.global private constant @icl_index_site0_where("argument 0\00")
// CHECK-DAG: llvm.mlir.global private constant @icl_index_site0_shape(dense<[2, 5]> : tensor<2xi64>)
// CHECK-DAG: llvm.mlir.global private constant @icl_index_site1_where("the ids of 'icl.embedding' at {{.*}}check-indices.mlir:{{[0-9]+}}:{{[0-9]+}}\00")
// CHECK-DAG: llvm.mlir.global private constant @icl_index_site2_where("argument 1\00")
// CHECK-DAG: func.func private @icl_index_error(i32, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64)

// The first flat position of an id outside [0, 7), then the report of that
// id in front of the embedding.
// CHECK-LABEL: func.func @embedding_of_argument(
// CHECK-SAME:    %[[IDS:[^:]*]]: tensor<2x5xi64>
// CHECK-DAG:     %[[V:.*]] = arith.constant 7 : index
// CHECK-DAG:     %[[NONE:.*]] = arith.constant 9223372036854775807 : index
// CHECK:         %[[FIRST:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]} ins(%[[IDS]] : tensor<2x5xi64>)
// CHECK:           %[[ID:.*]] = arith.index_cast
// CHECK:           %[[BAD:.*]] = arith.cmpi uge, %[[ID]], %[[V]] : index
// CHECK:           %[[AT:.*]] = arith.select %[[BAD]], %{{.*}}, %[[NONE]] : index
// CHECK:           arith.minsi %[[AT]]
// CHECK:         %[[P:.*]] = tensor.extract %[[FIRST]][] : tensor<index>
// CHECK:         %[[FOUND:.*]] = arith.cmpi ne, %[[P]], %[[NONE]] : index
// CHECK:         scf.if %[[FOUND]] {
// CHECK:           tensor.extract %[[IDS]]
// CHECK:           func.call @icl_index_error(
// CHECK:         }
// CHECK:         icl.embedding %{{.*}}, %[[IDS]]
func.func @embedding_of_argument(%ids: tensor<2x5xi64>) -> tensor<2x5x3xf32> {
  %t = arith.constant dense<1.0> : tensor<7x3xf32>
  %e = icl.embedding %t, %ids : (tensor<7x3xf32>, tensor<2x5xi64>) -> tensor<2x5x3xf32>
  return %e : tensor<2x5x3xf32>
}

// Computed ids are named by the op and its location; i32 ids are read as
// the decomposition reads them (sign-extended).
// CHECK-LABEL: func.func @embedding_of_computed_ids(
// CHECK:         %[[SUM:.*]] = arith.addi
// CHECK:         linalg.generic {{.*}} ins(%[[SUM]] : tensor<4xi32>)
// CHECK:           arith.index_cast %{{.*}} : i32 to index
// CHECK:         scf.if
// CHECK:           llvm.mlir.addressof @icl_index_site1_where
// CHECK:         icl.embedding %{{.*}}, %[[SUM]]
func.func @embedding_of_computed_ids(%ids: tensor<4xi32>) -> tensor<4x3xf32> {
  %t = arith.constant dense<1.0> : tensor<7x3xf32>
  %s = arith.addi %ids, %ids : tensor<4xi32>
  %e = icl.embedding %t, %s : (tensor<7x3xf32>, tensor<4xi32>) -> tensor<4x3xf32>
  return %e : tensor<4x3xf32>
}

// token_unmerge indices are checked against the merged tokens (dim 1 of its
// input), here dynamic: the limit is read at run time, and the report gives
// the flat position (no static shape).
// CHECK-LABEL: func.func @unmerge(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x?x8xf32>, %[[INDEX:[^:]*]]: tensor<1x?xi64>
// CHECK:         %[[MERGED:.*]] = tensor.dim %[[X]], %c1
// CHECK:         linalg.generic {{.*}} ins(%[[INDEX]] : tensor<1x?xi64>)
// CHECK:           arith.cmpi uge, %{{.*}}, %[[MERGED]] : index
// CHECK:         scf.if
// CHECK:           %[[NOSHAPE:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK:           func.call @icl_index_error(%{{.*}}, %{{.*}}, %[[NOSHAPE]], %c0_i64,
// CHECK:         icl.token_unmerge %[[X]], %[[INDEX]]
func.func @unmerge(%x: tensor<1x?x8xf32>, %index: tensor<1x?xi64>) -> tensor<1x?x8xf32> {
  %y = icl.token_unmerge %x, %index : (tensor<1x?x8xf32>, tensor<1x?xi64>) -> tensor<1x?x8xf32>
  return %y : tensor<1x?x8xf32>
}
