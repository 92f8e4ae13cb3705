#!/usr/bin/env python3
"""G8a of BENCHMARKS.md on the GPU machine: the C1 model (GPT-2-style, V512
d256 h8 L6, B8 T256, fp32) as icl model libraries against PyTorch eager and
torch.compile on the same architecture.

    python3 bench/gpu/model.py DIR [--reps 15]

DIR holds lib/libicl_runtime.so, ids.npy and torch_logits.npy (written by
bench/cpu/gpt.py on the build machine) and one or more <name>.so compiled from
that gpt.mlir with icl-compile --target=cuda (each exporting icl_model_gpt,
i.e. function "gpt"). Each library's logits are checked against PyTorch's
before it is timed. The PyTorch peers build the model of bench/cpu/gpt.py
(weights seeded as there; only their speed is compared).
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cpu"))
from icl_runtime import Runtime  # noqa: E402
from run import time_ms  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    ids = torch.from_numpy(np.load(os.path.join(args.dir, "ids.npy"))).cuda()
    expected = torch.from_numpy(np.load(os.path.join(args.dir, "torch_logits.npy"))).cuda()
    rt = Runtime(os.path.join(args.dir, "lib", "libicl_runtime.so"), device="cuda")
    rt.set_stream(torch.cuda.current_stream())
    rows = []
    for path in sorted(glob.glob(os.path.join(args.dir, "*.so"))):
        fn = rt.load(path)["gpt"]
        out = torch.full_like(expected, float("nan"))
        fn.invoke_device([ids], [out])
        rt.synchronize()
        err = (out - expected).abs().max().item()
        name = os.path.basename(path)[:-3]
        if not err < 1e-2:
            print(f"{name}: logits differ from PyTorch's by {err:.3g}; not timed")
            continue
        rows.append((name, time_ms(lambda: fn.invoke_device([ids], [out]), args.reps, 5), err))

    from gpt import CFG, Gpt
    torch.manual_seed(0)
    model = Gpt(CFG, ids.shape[1]).cuda().eval()
    with torch.no_grad():
        eager = time_ms(lambda: model(ids), args.reps, 5)
        compiled_model = torch.compile(model)
        compiled = time_ms(lambda: compiled_model(ids), args.reps, 5)
        torch.backends.cuda.matmul.allow_tf32 = True
        eager_tf32 = time_ms(lambda: model(ids), args.reps, 5)
    print(f"\nG8a, {torch.cuda.get_device_name()}: C1's model, B{ids.shape[0]} T{ids.shape[1]}, fp32")
    print(f"{'':14} {'time':>9} {'eager/icl':>9} {'compile/icl':>11}  max abs err")
    for name, t, err in rows:
        print(f"{name:14} {t:7.3f}ms {eager / t:9.2f} {compiled / t:11.2f}  {err:.2g}")
    print(f"{'torch eager':14} {eager:7.3f}ms (TF32 matmuls: {eager_tf32:.3f}ms)")
    print(f"{'torch.compile':14} {compiled:7.3f}ms")


if __name__ == "__main__":
    main()
