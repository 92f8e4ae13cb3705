// RUN: icl-opt %s --icl-decompose --icl-tile-and-fuse="tile-bytes=131072" | FileCheck %s
// RUN: icl-opt %s --icl-decompose --icl-tile-and-fuse="tile-bytes=131072 max-rows=16" | FileCheck %s --check-prefix=ROWS16

// Softmax over rows of 256: one scf.forall over (batch, row blocks) whose body
// computes max, exp, sum and divide on 1x64x256 slices. 64 rows: the
// max-rows default, below 131072 / (4 * 256) = 128 rows of tile-bytes.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<8x256x256xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%[[B:[a-z0-9_]+]], %[[I:[a-z0-9_]+]]) = (0, 0) to (8, 256) step (1, 64) shared_outs(%[[O:[a-z0-9_]+]] = %{{.*}})
// CHECK:           %[[S:.*]] = tensor.extract_slice %[[X]][%[[B]], %[[I]], 0] [1, 64, 256] [1, 1, 1]
// CHECK:           %[[MAX:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[S]] : tensor<1x64x256xf32>) outs(%{{.*}} : tensor<1x64xf32>)
// CHECK:             arith.maximumf
// CHECK:           %[[E:.*]] = linalg.generic {{.*}} ins(%[[S]], %[[MAX]] : tensor<1x64x256xf32>, tensor<1x64xf32>)
// CHECK:             math.exp
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[E]] : tensor<1x64x256xf32>) outs(%{{.*}} : tensor<1x64xf32>)
// CHECK:             arith.addf
// CHECK:           %[[P:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<1x64x256xf32>, tensor<1x64xf32>)
// CHECK:             arith.divf
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[P]] into %[[O]][%[[B]], %[[I]], 0] [1, 64, 256] [1, 1, 1]
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     scf.forall
// CHECK:         return

// ROWS16-LABEL: func.func @softmax(
// ROWS16:         scf.forall {{.*}} = (0, 0) to (8, 256) step (1, 16)
// ROWS16:           linalg.generic {{.*}}"reduction"]} ins(%{{.*}} : tensor<1x16x256xf32>) outs(%{{.*}} : tensor<1x16xf32>)
// ROWS16:           tensor.parallel_insert_slice {{.*}} [1, 16, 256] [1, 1, 1]
func.func @softmax(%x: tensor<8x256x256xf32>) -> tensor<8x256x256xf32> {
  %0 = icl.softmax %x : tensor<8x256x256xf32>
  return %0 : tensor<8x256x256xf32>
}

// 100 rows: the block is the largest divisor of 100 within 64 (or 16).
// CHECK-LABEL: func.func @softmax_100_rows(
// CHECK:         scf.forall {{.*}} = (0, 0) to (4, 100) step (1, 50)
// CHECK:           linalg.generic {{.*}}"reduction"]} ins(%{{.*}} : tensor<1x50x256xf32>)

// ROWS16-LABEL: func.func @softmax_100_rows(
// ROWS16:         scf.forall {{.*}} = (0, 0) to (4, 100) step (1, 10)
// ROWS16:           linalg.generic {{.*}}"reduction"]} ins(%{{.*}} : tensor<1x10x256xf32>)
func.func @softmax_100_rows(%x: tensor<4x100x256xf32>) -> tensor<4x100x256xf32> {
  %0 = icl.softmax %x : tensor<4x100x256xf32>
  return %0 : tensor<4x100x256xf32>
}

// Rows of 1024: tile-bytes allows 131072 / (4 * 1024) = 32 rows, fewer than
// max-rows. Mean, centring, variance and normalisation are all in the loop.
// CHECK-LABEL: func.func @layer_norm(
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall {{.*}} = (0, 0) to (8, 128) step (1, 32)
// CHECK:           %[[MEAN:.*]] = linalg.generic {{.*}}"reduction"]} ins(%{{.*}} : tensor<1x32x1024xf32>) outs(%{{.*}} : tensor<1x32xf32>)
// CHECK:           %[[C:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MEAN]] : tensor<1x32x1024xf32>, tensor<1x32xf32>)
// CHECK:           %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x32x1024xf32>)
// CHECK:           %[[VAR:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[SQ]] : tensor<1x32x1024xf32>) outs(%{{.*}} : tensor<1x32xf32>)
// CHECK:           linalg.generic {{.*}} ins(%[[C]], %[[VAR]], %{{.*}}, %{{.*}} : tensor<1x32x1024xf32>, tensor<1x32xf32>, tensor<1024xf32>, tensor<1024xf32>)
// CHECK:             math.rsqrt
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @layer_norm(%x: tensor<8x128x1024xf32>, %g: tensor<1024xf32>, %b: tensor<1024xf32>) -> tensor<8x128x1024xf32> {
  %0 = icl.layer_norm %x gamma(%g) beta(%b) : (tensor<8x128x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<8x128x1024xf32>
  return %0 : tensor<8x128x1024xf32>
}

// Attention: the score contraction, mask, row max, exp, row sum, normalise
// and value contraction all run per block of 64 query rows of one head. The
// key transpose stays before the loop (inside, every block would redo it),
// and the loop reads slices of its result.
// CHECK-LABEL: func.func @attention(
// CHECK-SAME:    %[[Q:[^:]*]]: tensor<1x4x128x64xf32>, %[[K:[^:]*]]: tensor<1x4x128x64xf32>, %[[V:[^:]*]]: tensor<1x4x128x64xf32>
// CHECK-NOT:     scf.forall
// CHECK:         %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<1x4x128x64xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall {{.*}} = (0, 0, 0) to (1, 4, 128) step (1, 1, 64)
// CHECK-NOT:       linalg.transpose
// CHECK:           %[[QS:.*]] = tensor.extract_slice %[[Q]]{{.*}} to tensor<1x1x64x64xf32>
// CHECK:           %[[KS:.*]] = tensor.extract_slice %[[KT]]{{.*}} to tensor<1x1x64x128xf32>
// CHECK-NOT:       linalg.transpose
// CHECK:           %[[SC:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[QS]], %[[KS]] : tensor<1x1x64x64xf32>, tensor<1x1x64x128xf32>) outs(%{{.*}} : tensor<1x1x64x128xf32>)
// CHECK:           %[[M:.*]] = linalg.generic {{.*}} ins(%[[SC]] : tensor<1x1x64x128xf32>)
// CHECK:           %[[MAX:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[M]] : tensor<1x1x64x128xf32>) outs(%{{.*}} : tensor<1x1x64xf32>)
// CHECK:             arith.maximumf
// CHECK:           %[[E:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[MAX]] : tensor<1x1x64x128xf32>, tensor<1x1x64xf32>)
// CHECK:             math.exp
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[E]] : tensor<1x1x64x128xf32>) outs(%{{.*}} : tensor<1x1x64xf32>)
// CHECK:           %[[P:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<1x1x64x128xf32>, tensor<1x1x64xf32>)
// CHECK:           %[[VS:.*]] = tensor.extract_slice %[[V]]{{.*}} to tensor<1x1x128x64xf32>
// CHECK:           linalg.generic {{.*}}"reduction"]} ins(%[[P]], %[[VS]] : tensor<1x1x64x128xf32>, tensor<1x1x128x64xf32>) outs(%{{.*}} : tensor<1x1x64x64xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     linalg.transpose
// CHECK:         return
func.func @attention(%q: tensor<1x4x128x64xf32>, %k: tensor<1x4x128x64xf32>, %v: tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32> {
  %0 = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32>
  return %0 : tensor<1x4x128x64xf32>
}

// A lone elementwise op has no reduction feeding a later op: not tiled.
// CHECK-LABEL: func.func @relu(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<64x256xf32>) outs(%{{.*}} : tensor<64x256xf32>)
// CHECK:           arith.maximumf
// CHECK-NOT:     scf.forall
// CHECK:         return
func.func @relu(%x: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %0 = icl.activation %x {kind = #icl.activation<relu>} : tensor<64x256xf32>
  return %0 : tensor<64x256xf32>
}
