// The passes of icl-cuda-pipeline between bufferization and serialization.
// RUN: icl-opt %s -split-input-file --icl-gpu-map-loops | FileCheck %s --check-prefix=MAP
// RUN: icl-opt %s -split-input-file --icl-gpu-map-loops --convert-parallel-loops-to-gpu | FileCheck %s --check-prefix=LAUNCH

// A 2-D op: one collapsed loop of 15000 iterations, tiled by 256 with a
// guard, mapped to blocks and threads.
// MAP-LABEL: func.func @add
// MAP: scf.parallel
// MAP: scf.parallel
// MAP: scf.if
// MAP: memref.load
// MAP: mapping = [#gpu.loop_dim_map<processor = thread_x
// MAP: mapping = [#gpu.loop_dim_map<processor = block_x
// LAUNCH-LABEL: func.func @add
// LAUNCH: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads
// LAUNCH-NOT: scf.parallel
func.func @add(%a: memref<300x50xf32>, %b: memref<300x50xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<300x50xf32>) outs(%b : memref<300x50xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = arith.addf %x, %o : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A full reduction has no parallel loop: one thread of one block runs it.
// MAP-LABEL: func.func @sum
// MAP: %[[ONE:.*]] = arith.constant 1 : index
// MAP: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[ONE]])
// MAP: scf.for
// MAP: mapping = [#gpu.loop_dim_map<processor = thread_x
// LAUNCH-LABEL: func.func @sum
// LAUNCH: gpu.launch
// LAUNCH: scf.for
func.func @sum(%a: memref<37xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a : memref<37xf32>) outs(%s : memref<f32>) {
  ^bb0(%x: f32, %o: f32):
    %e = arith.addf %x, %o : f32
    linalg.yield %e : f32
  }
  return
}
