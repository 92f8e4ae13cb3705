#!/usr/bin/env python3
"""Writes the ONNX fixtures of test/Frontends/onnx: tiny models exported by
PyTorch at opset 17 with seeded weights, their input and PyTorch's output.

    /usr/bin/python3 test/Frontends/onnx/Inputs/make_fixtures.py
Needs Debian's python3-torch and python3-onnx (the pyenv python3 on PATH has
neither).
"""
import os
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "..", "bench", "cpu"))
from gpt import Gpt  # noqa: E402  (the model of bench/cpu/gpt.py)


class RmsNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(1 + 0.1 * torch.randn(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class LlamaBlock(torch.nn.Module):
    """Llama-style: RMS norm, grouped-query causal attention (K/V heads
    repeated), tanh-GELU MLP, and a hand-written layer norm at the end."""

    def __init__(self, d=32, heads=4, kv_heads=2, mlp=64):
        super().__init__()
        self.heads, self.kv_heads, self.hd = heads, kv_heads, d // heads
        self.norm1, self.norm2 = RmsNorm(d), RmsNorm(d)
        self.q = torch.nn.Linear(d, d, bias=False)
        self.k = torch.nn.Linear(d, kv_heads * self.hd, bias=False)
        self.v = torch.nn.Linear(d, kv_heads * self.hd, bias=False)
        self.o = torch.nn.Linear(d, d, bias=False)
        self.up, self.down = torch.nn.Linear(d, mlp), torch.nn.Linear(mlp, d)
        self.ln_g = torch.nn.Parameter(1 + 0.1 * torch.randn(d))
        self.ln_b = torch.nn.Parameter(0.1 * torch.randn(d))

    def forward(self, x):
        b, t, d = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, t, self.heads, self.hd).transpose(1, 2)
        k = self.k(h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
        v = self.v(h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
        rep = self.heads // self.kv_heads
        k = k[:, :, None].expand(b, self.kv_heads, rep, t, self.hd).reshape(b, self.heads, t, self.hd)
        v = v[:, :, None].expand(b, self.kv_heads, rep, t, self.hd).reshape(b, self.heads, t, self.hd)
        s = (q @ k.transpose(2, 3)) * self.hd ** -0.5
        mask = torch.full((t, t), float("-inf")).triu(1)
        a = torch.softmax(s + mask, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        x = x + self.down(torch.nn.functional.gelu(self.up(self.norm2(x)), approximate="tanh"))
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + 1e-5) * self.ln_g + self.ln_b


def export(model, inputs, name, input_names):
    model.eval()
    with torch.no_grad():
        out = model(*inputs)
    torch.onnx.export(model, inputs, os.path.join(here, name + ".onnx"), opset_version=17,
                      input_names=input_names, output_names=["out"])
    for n, x in zip(input_names, inputs):
        np.save(os.path.join(here, "%s.%s.npy" % (name, n)), x.numpy())
    np.save(os.path.join(here, name + ".out.npy"), out.numpy())


def error_models():
    """Models the importer must reject with a clear message."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    node = helper.make_node("Hardmax", ["x"], ["y"], name="the_hardmax")
    graph = helper.make_graph([node], "unsupported", [x], [y])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(here, "unsupported_op.onnx"))

    xs = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])
    ys = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])
    node = helper.make_node("Relu", ["x"], ["y"])
    graph = helper.make_graph([node], "symbolic", [xs], [ys])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(here, "symbolic_dim.onnx"))


def main():
    error_models()
    torch.manual_seed(0)
    cfg = {"vocab": 64, "d": 32, "heads": 4, "layers": 2, "mlp": 64}
    ids = torch.randint(0, cfg["vocab"], (2, 8), dtype=torch.int64)
    export(Gpt(cfg, 8), (ids,), "gpt2_tiny", ["ids"])
    torch.manual_seed(1)
    export(LlamaBlock(), (torch.randn(2, 8, 32),), "llama_block", ["x"])


if __name__ == "__main__":
    main()
