// icl-tile-attention: attention tiled into query blocks (TilingInterface)
// and decomposed with an online softmax over key blocks. With rows=8 keys=16
// these small shapes take several key blocks plus a remainder block, causal
// query blocks whose key prefix (and so its remainder) is dynamic, query
// counts with no multiple of 8 as divisor, fully masked rows and keys, masks
// broadcast over keys, GQA, Dv != D and bf16. Each tiled module is compiled
// and must give the reference evaluator's results of the untiled function
// (Inputs/check-tiled.py, the default bound of --expect).
//
// RUN: icl-opt %s --icl-tile-attention="rows=8 keys=16" -o %t.tiled.mlir
// RUN: FileCheck %s < %t.tiled.mlir
//
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t gqa_none 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t sliding 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t decode_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t sq_gt_skv_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t mask_key_sizes 5 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t mask_broadcast_keys 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t mask_keys_only 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t ninf_rows 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t dv_ne_d_scale 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t bf16_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.tiled.mlir %t short 3 1
//
// Split-KV: with keys=8 and splits=3 every function splits its keys into
// 2 or 3 parts (PartialReductionOpInterface), merged by attention_combine:
// parts wholly masked (ninf_rows, causal parts past a row's last key) give
// −∞ maxima the merge must weigh 0. threads=64 splits only the ops with
// fewer query blocks than threads (gqa_none has 296: none; decode_causal
// has 16: 4 parts).
// RUN: icl-opt %s --icl-tile-attention="rows=8 keys=8 splits=3" -o %t.split.mlir
// RUN: FileCheck %s --check-prefix=SPLIT < %t.split.mlir
// RUN: icl-opt %s --icl-tile-attention="rows=8 keys=8 threads=64" | FileCheck %s --check-prefix=AUTO
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split gqa_none 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split sliding 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split decode_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split sq_gt_skv_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split mask_key_sizes 5 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split mask_broadcast_keys 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split mask_keys_only 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split ninf_rows 4 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split dv_ne_d_scale 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split bf16_causal 3 1
// RUN: python3 %S/../Dialect/icl/Inputs/check-tiled.py icl-run %s %t.split.mlir %t.split short 3 1

// 37 queries: no multiple of 8 divides 37, so blocks of 1 query; 37 keys:
// two blocks of 16 in the loop, then the 5 that remain.
// CHECK-LABEL: func.func @gqa_none(
// CHECK:         scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 4, 37)
// CHECK:           scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args({{.*}}) -> (tensor<1x1x1x40xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>)
// CHECK:             linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x1x16xf32>)
// CHECK:             math.exp
// CHECK:           scf.yield
// CHECK:           tensor.extract_slice %{{.*}}[0, 0, 32, 0] [1, 1, 5, 40]
// CHECK:           arith.divf
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     icl.attention
func.func @gqa_none(%q: tensor<2x4x37x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>) -> tensor<2x4x37x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<2x4x37x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>) -> tensor<2x4x37x40xf32>
  return %0 : tensor<2x4x37x40xf32>
}

// Causal: the block of queries [t0, t0 + 8) reads the key prefix
// [0, t0 + 8), whose whole blocks and remainder depend on t0.
// CHECK-LABEL: func.func @causal(
// CHECK:         scf.forall {{.*}} to (1, 2, 40) step (1, 1, 8)
// CHECK:           scf.for {{.*}} -> (tensor<1x1x8x64xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>)
// CHECK:           tensor.extract_slice {{.*}} : tensor<1x1x?x64xf32> to tensor<1x1x?x64xf32>
func.func @causal(%q: tensor<1x2x40x64xf32>, %k: tensor<1x2x40x64xf32>, %v: tensor<1x2x40x64xf32>) -> tensor<1x2x40x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x40x64xf32>, tensor<1x2x40x64xf32>, tensor<1x2x40x64xf32>) -> tensor<1x2x40x64xf32>
  return %0 : tensor<1x2x40x64xf32>
}

func.func @sliding(%q: tensor<1x4x48x40xf32>, %k: tensor<1x2x48x40xf32>, %v: tensor<1x2x48x40xf32>) -> tensor<1x4x48x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<sliding_window>, window = 5 : i64} : (tensor<1x4x48x40xf32>, tensor<1x2x48x40xf32>, tensor<1x2x48x40xf32>) -> tensor<1x4x48x40xf32>
  return %0 : tensor<1x4x48x40xf32>
}

// SPLIT-LABEL: func.func @decode_causal(
// SPLIT:         scf.forall (%[[J:.*]]) = (0) to (33) step (11) shared_outs({{.*}}) -> (tensor<3x2x8x1x64xf32>, tensor<3x2x8x1xf32>, tensor<3x2x8x1xf32>)
// SPLIT:           scf.for
// SPLIT:             arith.addi %[[J]], %{{.*}} : index
// SPLIT:           tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0, 0, 0, 0] [1, 2, 8, 1, 64]
// SPLIT:         icl.attention_combine {{.*}} -> tensor<2x8x1x64xf32>
// AUTO-LABEL:  func.func @gqa_none(
// AUTO-NOT:      icl.attention_combine
// AUTO-LABEL:  func.func @causal(
// AUTO-LABEL:  func.func @decode_causal(
// AUTO:          scf.forall ({{.*}}) = (0) to (33) step (9)
// AUTO:          icl.attention_combine
func.func @decode_causal(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x33x64xf32>, %v: tensor<2x2x33x64xf32>) -> tensor<2x8x1x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<2x8x1x64xf32>, tensor<2x2x33x64xf32>, tensor<2x2x33x64xf32>) -> tensor<2x8x1x64xf32>
  return %0 : tensor<2x8x1x64xf32>
}

// More queries than keys: the first 7 rows see no key (zeros).
func.func @sq_gt_skv_causal(%q: tensor<1x2x24x40xf32>, %k: tensor<1x2x17x40xf32>, %v: tensor<1x2x17x40xf32>) -> tensor<1x2x24x40xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x24x40xf32>, tensor<1x2x17x40xf32>, tensor<1x2x17x40xf32>) -> tensor<1x2x24x40xf32>
  return %0 : tensor<1x2x24x40xf32>
}

// A full mask and key sizes, some of them 0 (relu): keys of size 0 are
// masked wherever they fall among the key blocks.
func.func @mask_key_sizes(%q: tensor<2x4x20x40xf32>, %k: tensor<2x2x20x40xf32>, %v: tensor<2x2x20x40xf32>, %m: tensor<2x4x20x20xf32>, %s: tensor<2x20xf32>) -> tensor<2x4x20x40xf32> {
  %ks = icl.activation %s {kind = #icl.activation<relu>} : tensor<2x20xf32>
  %0 = icl.attention %q, %k, %v mask(%m) key_sizes(%ks) {mask_kind = #icl.mask<causal>} : (tensor<2x4x20x40xf32>, tensor<2x2x20x40xf32>, tensor<2x2x20x40xf32>, tensor<2x4x20x20xf32>, tensor<2x20xf32>) -> tensor<2x4x20x40xf32>
  return %0 : tensor<2x4x20x40xf32>
}

// A mask with a size-1 key dim is read whole by every key block.
func.func @mask_broadcast_keys(%q: tensor<2x4x24x40xf32>, %k: tensor<2x2x24x40xf32>, %v: tensor<2x2x24x40xf32>, %m: tensor<2x1x24x1xf32>) -> tensor<2x4x24x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x24x40xf32>, tensor<2x2x24x40xf32>, tensor<2x2x24x40xf32>, tensor<2x1x24x1xf32>) -> tensor<2x4x24x40xf32>
  return %0 : tensor<2x4x24x40xf32>
}

func.func @mask_keys_only(%q: tensor<2x4x24x40xf32>, %k: tensor<2x2x37x40xf32>, %v: tensor<2x2x37x40xf32>, %m: tensor<37xf32>) -> tensor<2x4x24x40xf32> {
  %0 = icl.attention %q, %k, %v mask(%m) : (tensor<2x4x24x40xf32>, tensor<2x2x37x40xf32>, tensor<2x2x37x40xf32>, tensor<37xf32>) -> tensor<2x4x24x40xf32>
  return %0 : tensor<2x4x24x40xf32>
}

// Rows 1 and 4 are masked everywhere (zeros); row 2 only in the first key
// block, row 3 only in the last.
func.func @ninf_rows(%q: tensor<1x2x5x40xf32>, %k: tensor<1x2x20x40xf32>, %v: tensor<1x2x20x40xf32>, %m: tensor<5x20xf32>) -> tensor<1x2x5x40xf32> {
  %d = arith.constant dense<[[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000]]> : tensor<5x20xf32>
  %mm = arith.addf %m, %d : tensor<5x20xf32>
  %0 = icl.attention %q, %k, %v mask(%mm) : (tensor<1x2x5x40xf32>, tensor<1x2x20x40xf32>, tensor<1x2x20x40xf32>, tensor<5x20xf32>) -> tensor<1x2x5x40xf32>
  return %0 : tensor<1x2x5x40xf32>
}

func.func @dv_ne_d_scale(%q: tensor<1x2x16x40xf32>, %k: tensor<1x2x50x40xf32>, %v: tensor<1x2x50x24xf32>) -> tensor<1x2x16x24xf32> {
  %0 = icl.attention %q, %k, %v {scale = 0.3 : f64} : (tensor<1x2x16x40xf32>, tensor<1x2x50x40xf32>, tensor<1x2x50x24xf32>) -> tensor<1x2x16x24xf32>
  return %0 : tensor<1x2x16x24xf32>
}

func.func @bf16_causal(%q: tensor<1x2x40x64xbf16>, %k: tensor<1x2x40x64xbf16>, %v: tensor<1x2x40x64xbf16>) -> tensor<1x2x40x64xbf16> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>, tensor<1x2x40x64xbf16>) -> tensor<1x2x40x64xbf16>
  return %0 : tensor<1x2x40x64xbf16>
}

// No more keys than one block: left to icl-decompose.
// CHECK-LABEL: func.func @short(
// CHECK:         icl.attention
// CHECK-NOT:     scf.forall
func.func @short(%q: tensor<1x2x12x40xf32>, %k: tensor<1x2x16x40xf32>, %v: tensor<1x2x16x40xf32>) -> tensor<1x2x12x40xf32> {
  %0 = icl.attention %q, %k, %v : (tensor<1x2x12x40xf32>, tensor<1x2x16x40xf32>, tensor<1x2x16x40xf32>) -> tensor<1x2x12x40xf32>
  return %0 : tensor<1x2x12x40xf32>
}
