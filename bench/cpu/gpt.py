#!/usr/bin/env python3
"""Builds workload C1 (BENCHMARKS.md) twice from the same seeded weights: a
PyTorch GPT-2-style decoder exported to ONNX, and the same model as an icl
module. Also writes input ids and PyTorch's logits for the correctness check.

    /usr/bin/python3 bench/cpu/gpt.py OUT_DIR [--batch 8] [--seq 256]
Needs Debian's python3-torch and python3-onnx.
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "models"))
from gpt_icl import emit_module  # noqa: E402

CFG = {"vocab": 512, "d": 256, "heads": 8, "layers": 6, "mlp": 1024}


class Block(torch.nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(d, d) for _ in range(4))
        self.fc, self.proj = torch.nn.Linear(d, mlp), torch.nn.Linear(mlp, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        h = self.ln1(x)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        s = q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5 + mask
        a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(a)
        return x + self.proj(torch.nn.functional.gelu(self.fc(self.ln2(x))))


class Gpt(torch.nn.Module):
    def __init__(self, cfg, seq):
        super().__init__()
        self.wte = torch.nn.Embedding(cfg["vocab"], cfg["d"])
        self.wpe = torch.nn.Parameter(torch.randn(seq, cfg["d"]) * 0.02)
        self.blocks = torch.nn.ModuleList(
            Block(cfg["d"], cfg["heads"], cfg["mlp"]) for _ in range(cfg["layers"]))
        self.lnf = torch.nn.LayerNorm(cfg["d"])
        mask = torch.full((seq, seq), float("-inf")).triu(1)
        self.register_buffer("mask", mask)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.lnf(x) @ self.wte.weight.t()


def f32(t):
    return t.detach().contiguous().float().numpy().astype("<f4").tobytes()


def params_of(model):
    p = {"wte": f32(model.wte.weight), "wpe": f32(model.wpe),
         "lnf_g": f32(model.lnf.weight), "lnf_b": f32(model.lnf.bias)}
    for l, blk in enumerate(model.blocks):
        s = "_%d" % l
        p.update({"ln1_g" + s: f32(blk.ln1.weight), "ln1_b" + s: f32(blk.ln1.bias),
                  "ln2_g" + s: f32(blk.ln2.weight), "ln2_b" + s: f32(blk.ln2.bias),
                  "fc" + s: f32(blk.fc.weight), "fcb" + s: f32(blk.fc.bias),
                  "proj" + s: f32(blk.proj.weight), "projb" + s: f32(blk.proj.bias)})
        for n in ("q", "k", "v", "o"):
            lin = getattr(blk, n)
            p["w%s%s" % (n, s)], p["b%s%s" % (n, s)] = f32(lin.weight), f32(lin.bias)
    return p


def write_npy(path, array):
    np.save(path, array)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    model = Gpt(CFG, args.seq).eval()
    ids = torch.randint(0, CFG["vocab"], (args.batch, args.seq), dtype=torch.int64)
    with torch.no_grad():
        logits = model(ids)
    write_npy(os.path.join(args.out, "ids.npy"), ids.numpy())
    write_npy(os.path.join(args.out, "torch_logits.npy"), logits.numpy())
    torch.onnx.export(model, (ids,), os.path.join(args.out, "gpt.onnx"), opset_version=17,
                      input_names=["ids"], output_names=["logits"])
    with open(os.path.join(args.out, "gpt.mlir"), "w") as f:
        f.write(emit_module(CFG, params_of(model), args.batch, args.seq, name="gpt"))
    print("wrote %s/{gpt.onnx,gpt.mlir,ids.npy,torch_logits.npy}" % args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
