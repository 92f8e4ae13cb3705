#!/usr/bin/env python3
"""Token merging (icl-token-merge) on x86: speedup and output deviation versus r.

A 6-layer GPT-2-style encoder (no causal mask; vocab 512, d 256, 8 heads, MLP
1024, GPT-2's 0.02-std initialisation) reads B8 T256 token ids with structure:
every token is repeated in a run of 4, and the position embeddings are small
(std 0.002), so the tokens of a run are near-duplicates: the structure token
merging exploits in images and long documents. For each r the model
is compiled with `--icl-token-merge="r=R unmerge=true"` (per-token logits
scattered back to T), run on the same ids, timed, and compared with r = 0,
which is the unreduced model (the pass leaves it unchanged).

    /usr/bin/python3 bench/cpu/tome.py BUILD_DIR OUT_DIR [R ...]
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "models"))
from gpt_icl import emit_module, param_shapes  # noqa: E402

CFG = {"vocab": 512, "d": 256, "heads": 8, "layers": 6, "mlp": 1024}
B, T, RUN = 8, 256, 4


def params(rng):
    out = {}
    for name, shape in sorted(param_shapes(CFG, T).items()):
        if "_g" in name:
            a = np.ones(shape)
        elif name.startswith(("ln", "b")) or name.endswith("b") or "_b" in name:
            a = np.zeros(shape)
        else:
            a = rng.normal(0.0, 0.002 if name == "wpe" else 0.02, shape)
        out[name] = a.astype("<f4").tobytes()
    return out


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    build, out = sys.argv[1], sys.argv[2]
    rs = [int(r) for r in sys.argv[3:]] or [0, 8, 16, 32, 48, 64]
    bin_ = os.path.join(build, "bin")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    model = os.path.join(out, "encoder.mlir")
    with open(model, "w") as f:
        f.write(emit_module(CFG, params(rng), B, T, name="encoder", causal=False))
    ids = np.repeat(rng.integers(0, CFG["vocab"], (B, T // RUN)), RUN, axis=1).astype(np.int64)
    np.save(os.path.join(out, "ids.npy"), ids)
    base, base_ms = None, None
    print("| r per layer | tokens after 6 layers | icl median | speedup | max abs dev / max |logit| | mean abs dev |")
    print("|---|---|---|---|---|---|")
    for r in rs:
        merged = os.path.join(out, "encoder_r%d.mlir" % r)
        run([os.path.join(bin_, "icl-opt"), model, "--icl-token-merge=r=%d unmerge=true" % r,
             "-o", merged])
        lib = os.path.join(out, "libencoder_r%d.so" % r)
        run([os.path.join(bin_, "icl-compile"), merged, "-o", lib])
        logits = os.path.join(out, "logits_r%d.npy" % r)
        text = run([os.path.join(bin_, "icl-run"), lib, "--input", os.path.join(out, "ids.npy"),
                    "--output", logits, "--benchmark", "7"])
        ms = float(text.split("median ")[1].split(" ms")[0])
        y = np.load(logits)
        if base is None:
            base, base_ms = y, ms
        dev = np.abs(y - base)
        left = T
        for _ in range(CFG["layers"]):
            left -= min(r, left // 2)
        print("| %d | %d | %.1f ms | %.2fx | %.3g | %.3g |"
              % (r, left, ms, base_ms / ms, dev.max() / np.abs(base).max(), dev.mean()))


if __name__ == "__main__":
    main()
