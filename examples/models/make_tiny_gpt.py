#!/usr/bin/env python3
"""Writes tiny_gpt.mlir: a 2-layer GPT-2-style decoder in the icl dialect with
seeded random weights embedded as dense resources (no numpy needed).

    python3 examples/models/make_tiny_gpt.py > examples/models/tiny_gpt.mlir
"""
import random
import struct

from gpt_icl import emit_module, param_shapes

CFG = {"vocab": 32, "d": 16, "heads": 2, "layers": 2, "mlp": 64}
B, T = 1, 8


def main():
    rng = random.Random(0)
    shapes = param_shapes(CFG, T)
    params = {}
    for name, shape in sorted(shapes.items()):
        n = 1
        for d in shape:
            n *= d
        if name.startswith(("ln", "lnf")) and "_g" in name:
            vals = [1.0] * n
        elif name.startswith(("ln", "lnf")):
            vals = [0.0] * n
        else:
            vals = [rng.gauss(0.0, 0.3) for _ in range(n)]
        params[name] = struct.pack("<%df" % n, *vals)
    print(emit_module(CFG, params, B, T, name="tiny_gpt"), end="")


if __name__ == "__main__":
    main()
