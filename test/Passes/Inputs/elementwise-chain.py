"""Prints a function of N chained elementwise linalg.generic ops for
fuse-elementwise-chain.test: residual adds written into their operand (as
convert-elementwise-to-linalg writes them) alternating with gelus."""
import sys

n = int(sys.argv[1])
ident = "affine_map<(d0, d1) -> (d0, d1)>"
par = '["parallel", "parallel"]'
t = "tensor<16x32xf32>"
print(f"func.func @chain(%x: {t}, %r: {t}) -> {t} {{")
print(f"  %e = tensor.empty() : {t}")
print("  %half = arith.constant 0.5 : f32")
print("  %one = arith.constant 1.0 : f32")
print("  %rsqrt2 = arith.constant 0.70710678 : f32")
prev = "%x"
for i in range(n):
    if i % 2 == 0:
        print(f"  %v{i} = linalg.generic {{indexing_maps = [{ident}, {ident}, {ident}], iterator_types = {par}}}"
              f" ins({prev}, %r : {t}, {t}) outs({prev} : {t}) {{")
        print("  ^bb0(%a: f32, %b: f32, %o: f32):")
        print("    %s = arith.addf %a, %b : f32")
        print("    linalg.yield %s : f32")
    else:
        print(f"  %v{i} = linalg.generic {{indexing_maps = [{ident}, {ident}], iterator_types = {par}}}"
              f" ins({prev} : {t}) outs(%e : {t}) {{")
        print("  ^bb0(%a: f32, %o: f32):")
        print("    %s = arith.mulf %a, %rsqrt2 : f32")
        print("    %f = math.erf %s : f32")
        print("    %p = arith.addf %f, %one : f32")
        print("    %h = arith.mulf %a, %half : f32")
        print("    %g = arith.mulf %h, %p : f32")
        print("    linalg.yield %g : f32")
    print(f"  }} -> {t}")
    prev = f"%v{i}"
print(f"  return {prev} : {t}")
print("}")
