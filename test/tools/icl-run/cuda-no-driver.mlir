// Without an NVIDIA driver, --device=cuda fails with one message naming the
// driver library and the remedy, for a module (compiled for the GPU first) and
// for a CUDA library; nothing is written.
// UNSUPPORTED: cuda-driver
// RUN: rm -rf %t && mkdir -p %t
// RUN: not icl-run %s --function scale --device=cuda --random-inputs 0 --output %t/y.npy 2>&1 | FileCheck %s
// RUN: not ls %t/y.npy
// RUN: icl-compile %s --target=cuda -o %t/libscale.so
// RUN: not icl-run %t/libscale.so --device=cuda --random-inputs 0 2>&1 | FileCheck %s
// CHECK: icl-run: error: no NVIDIA driver: libcuda.so.1 cannot be loaded
// CHECK-SAME: install the NVIDIA driver, or compile for the CPU with --target=x86

func.func @scale(%x: tensor<37x5xf32>) -> tensor<37x5xf32> {
  %0 = arith.addf %x, %x : tensor<37x5xf32>
  return %0 : tensor<37x5xf32>
}

