// Helpers of two GPU modules with one name cannot share the merged module.
// RUN: icl-opt %s --icl-gpu-merge-modules -verify-diagnostics
module attributes {gpu.container_module} {
  gpu.module @a {
    func.func @helper() { return }
    gpu.func @a(%x: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @b {
    // expected-error @below {{'helper' is defined in two GPU modules; kernels' helpers need distinct names to share one module}}
    func.func @helper() { return }
    gpu.func @b(%x: memref<4xf32>) kernel { gpu.return }
  }
}
