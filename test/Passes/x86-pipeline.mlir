// RUN: icl-opt %s --icl-x86-pipeline | FileCheck %s --implicit-check-not="{{(^|[^a-z_.])(icl|linalg|memref|tensor|bufferization|scf|affine|vector|arith|math|func|cf|omp)\.[a-z_]+}}"
// The same pipeline stepped through its phases (what icl-compile does):
// up to decomposition, then from there.
// RUN: icl-opt %s --icl-x86-pipeline="to=decomposed" | FileCheck %s --check-prefix=DECOMPOSED --implicit-check-not="icl."
// RUN: icl-opt %s --icl-x86-pipeline="to=decomposed" | icl-opt --icl-x86-pipeline="from=decomposed" | FileCheck %s --implicit-check-not="{{(^|[^a-z_.])(icl|linalg|memref|tensor|bufferization|scf|affine|vector|arith|math|func|cf|omp)\.[a-z_]+}}"
// RUN: not icl-opt %s --icl-x86-pipeline="to=nowhere" 2>&1 | FileCheck %s --check-prefix=BAD-PHASE
// DECOMPOSED-LABEL: func.func @f
// DECOMPOSED:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// DECOMPOSED:         math.erf
// BAD-PHASE: for the --to option: Cannot find option named 'nowhere'

// The whole pipeline ends in the LLVM dialect and nothing else is left. Each
// loop nest is a kernel function that LLVM must not inline (the weight
// transpose, then the linear with its gelu fused in), buffers come from the
// workspace allocator, and results become out-parameters (one more memref
// descriptor per result). No op of another dialect is left anywhere
// (--implicit-check-not).
// CHECK:       llvm.func @_mlir_memref_to_llvm_alloc(
// CHECK:       llvm.func @f_kernel0({{.*}}passthrough = ["noinline"]
// CHECK:       llvm.func @f_kernel1({{.*}}passthrough = ["noinline"]
// CHECK:       llvm.intr.fmuladd
// CHECK:       llvm.func @f(
// CHECK:         llvm.call @f_kernel0(
// CHECK:         llvm.call @f_kernel1(
func.func @f(%x: tensor<8x16xf32>, %w: tensor<32x16xf32>) -> tensor<8x32xf32> {
  %y = icl.linear %x, %w : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  %z = icl.activation %y {kind = #icl.activation<gelu>} : tensor<8x32xf32>
  return %z : tensor<8x32xf32>
}
