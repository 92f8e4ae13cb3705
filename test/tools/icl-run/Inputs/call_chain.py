"""Prints a module whose public @f0 calls @f1, which calls @f2, and so on:
a chain of calls N functions deep (N from the command line), for
recursion.mlir."""

import sys

n = int(sys.argv[1])
for i in range(n):
    visibility = "" if i == 0 else "private "
    print(f"func.func {visibility}@f{i}(%x: tensor<2xf32>) -> tensor<2xf32> {{")
    if i + 1 < n:
        print(f"  %y = func.call @f{i + 1}(%x) : (tensor<2xf32>) -> tensor<2xf32>")
        print("  return %y : tensor<2xf32>")
    else:
        print("  return %x : tensor<2xf32>")
    print("}")
