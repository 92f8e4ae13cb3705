// Recursive functions are refused before they run or compile: the reference
// evaluator would overflow its stack, native compilation would not end
// (timeout guards against a regression hanging the suite).
// RUN: timeout 60 not icl-run --reference %s --random-inputs 0 2>&1 | FileCheck %s --check-prefix=MUTUAL
// RUN: timeout 60 not icl-run %s --random-inputs 0 2>&1 | FileCheck %s --check-prefix=MUTUAL
// RUN: timeout 60 not icl-compile %s -o %t.so 2>&1 | FileCheck %s --check-prefix=MUTUAL
// RUN: test ! -e %t.so
// RUN: timeout 60 not icl-run --reference %S/Inputs/self_recursive.mlir --random-inputs 0 2>&1 | FileCheck %s --check-prefix=SELF
// RUN: timeout 60 not icl-run %S/Inputs/self_recursive.mlir --random-inputs 0 2>&1 | FileCheck %s --check-prefix=SELF

func.func @ping(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = func.call @pong(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

func.func private @pong(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = func.call @ping(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
// MUTUAL: error: {{.*}}recursion.mlir:[[@LINE-3]]:8: 'func.call' makes 'ping' recursive (ping -> pong -> ping): icl evaluates and compiles only functions that do not call themselves, directly or through others
// SELF: error: {{.*}}self_recursive.mlir:3:8: 'func.call' makes 'self' recursive (self -> self)

// Chains of calls nest at most 256 functions deep (docs/security.md).
// RUN: %python %S/Inputs/call_chain.py 256 > %t.256.mlir
// RUN: icl-run --reference %t.256.mlir --random-inputs 0 | FileCheck %s --check-prefix=LIMIT
// LIMIT: result 0: f32[2]
// RUN: %python %S/Inputs/call_chain.py 300 > %t.chain.mlir
// RUN: not icl-run --reference %t.chain.mlir --random-inputs 0 2>&1 | FileCheck %s --check-prefix=DEEP
// RUN: not icl-run %t.chain.mlir --random-inputs 0 2>&1 | FileCheck %s --check-prefix=DEEP
// DEEP: error: {{.*}}chain.mlir:{{[0-9]+}}:1: 'func.func' 'f{{[0-9]+}}' starts a chain of calls 257 functions deep; icl accepts at most 256
