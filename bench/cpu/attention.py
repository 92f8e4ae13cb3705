#!/usr/bin/env python3
"""Workload C2 (BENCHMARKS.md): attention alone, B1 H8 S2048 D64, fp32,
non-causal. Writes attention.onnx (PyTorch's decomposed attention, as ONNX
Runtime sees it), attention.mlir (one icl.attention), q/k/v .npy inputs and
PyTorch's output.

    /usr/bin/python3 bench/cpu/attention.py OUT_DIR
"""
import os
import sys

import numpy as np
import torch

B, H, S, D = 1, 8, 2048, 64


class Attention(torch.nn.Module):
    def forward(self, q, k, v):
        s = q @ k.transpose(-1, -2) / D ** 0.5
        return torch.softmax(s, -1) @ v


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    q, k, v = (torch.randn(B, H, S, D) for _ in range(3))
    with torch.no_grad():
        o = Attention()(q, k, v)
    for name, t in (("q", q), ("k", k), ("v", v), ("torch_out", o)):
        np.save(os.path.join(out, name + ".npy"), t.numpy())
    torch.onnx.export(Attention(), (q, k, v), os.path.join(out, "attention.onnx"), opset_version=17,
                      input_names=["q", "k", "v"], output_names=["o"])
    t = "tensor<%dx%dx%dx%dxf32>" % (B, H, S, D)
    with open(os.path.join(out, "attention.mlir"), "w") as f:
        f.write("func.func @attention(%%q: %s, %%k: %s, %%v: %s) -> %s {\n" % (t, t, t, t))
        f.write("  %%o = icl.attention %%q, %%k, %%v : (%s, %s, %s) -> %s\n" % (t, t, t, t))
        f.write("  return %%o : %s\n}\n" % t)


if __name__ == "__main__":
    main()
