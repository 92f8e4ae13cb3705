#!/usr/bin/env python3
"""Correctness and speed check of icl's fused prefill attention kernel (@icl_flash_attention,
built by passes/cuda/AttentionKernels.cpp) on a CUDA GPU, outside the compiler's runtime.

Step 1, on a machine with the icl build (no GPU, no torch needed): compile a one-op module per
element type and head dimension with build/bin/icl-compile --target=cuda --emit=ptx, write
<dir>/fa_<elt>_<D>_<variant>.ptx (and _sm80.ptx) for bf16/f16 x D 64/128, print ptxas -v for
sm_90/sm_80, and record in <dir>/variants.json how the compiler launches each kernel (its PTX
entry, rows per block, threads, dynamic shared memory):

    python3 bench/gpu/test_flash_kernel.py --make-ptx .gpu-tmp [--variant icl]

A variant is whatever FlashAttentionConfig the compiler was built with: change its defaults,
rebuild, and make the PTX again under another variant name.

Step 2, on the GPU machine: load the PTX through the CUDA driver API (ctypes on libcuda.so.1,
on PyTorch's context and stream), check it against a float64 PyTorch reference (NaN-poisoned
output, awkward shapes, GQA/MQA, causal, sliding window, broadcast additive masks with -inf,
fully masked rows, key sizes) and time G1-G3 next to
torch.nn.functional.scaled_dot_product_attention (cuDNN and flash backends):

    python3 bench/gpu/test_flash_kernel.py --ptx-dir .gpu-tmp --variants icl [--no-bench]

Kernel parameters: each memref<?xT> is 5 parameters (allocated ptr, aligned ptr, offset 0,
size, stride 1), then the scalars in signature order.
"""
import argparse
import ctypes
import json
import math
import os
import re
import statistics
import subprocess
import sys
import zlib

from attention_ptx import attention_module, compile_attention

PTXAS = "/usr/local/cuda/bin/ptxas"
# Query rows of the module compiled for a kernel: a multiple of any block's rows, so that the
# grid gives the rows per block.
SQ = 4096


def make_ptx(outdir, variant):
    """PTX of every element type and head dimension from icl-compile, ptxas -v for sm_90 and
    sm_80, and the kernels' launches in <outdir>/variants.json."""
    os.makedirs(outdir, exist_ok=True)
    launches = {}
    for elt in ("bf16", "f16"):
        for d in (64, 128):
            module = attention_module(elt, d, hq=1, hkv=1, sq=SQ, skv=SQ)
            for sm in (90, 80):
                path = os.path.join(outdir, f"fa_{elt}_{d}_{variant}.ptx" if sm == 90
                                    else f"fa_{elt}_{d}_{variant}_sm80.ptx")
                (launch,) = compile_attention(module, path, f"sm_{sm}")
                if sm == 90:
                    launches[f"{elt}_{d}"] = {"entry": launch["entry"],
                                              "bm": SQ // launch["grid"][0],
                                              "nt": launch["threads"], "smem": launch["shared"]}
                v = subprocess.run([PTXAS, f"-arch=sm_{sm}", "-v", path, "-o", "/dev/null"],
                                   capture_output=True, text=True, check=True).stderr
                regs = re.search(r"Used (\d+) registers", v).group(1)
                spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", v).groups()
                print(f"{elt:5s} D={d:3d} sm_{sm}: {regs} registers, spill stores {spill[0]} B, "
                      f"spill loads {spill[1]} B  -> {path}")
    meta_path = os.path.join(outdir, "variants.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    meta[variant] = launches
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__" and "--make-ptx" in sys.argv:
    _ap = argparse.ArgumentParser()
    _ap.add_argument("--make-ptx", required=True, metavar="DIR")
    _ap.add_argument("--variant", default="icl")
    _a = _ap.parse_args()
    make_ptx(_a.make_ptx, _a.variant)
    sys.exit(0)

import torch  # noqa: E402  (not needed for --make-ptx)

cuda = ctypes.CDLL("libcuda.so.1")


def ck(rc, what):
    if rc != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorString(rc, ctypes.byref(s))
        raise RuntimeError(f"{what}: CUDA error {rc} {s.value.decode() if s.value else ''}")


class Kernel:
    def __init__(self, path, launch):
        self.bm, self.nt, self.shared = launch["bm"], launch["nt"], launch["smem"]
        torch.zeros(1, device="cuda")          # make PyTorch create the primary context
        ctx = ctypes.c_void_p()
        ck(cuda.cuCtxGetCurrent(ctypes.byref(ctx)), "cuCtxGetCurrent")
        data = open(path, "rb").read() + b"\0"
        self.mod = ctypes.c_void_p()
        ck(cuda.cuModuleLoadDataEx(ctypes.byref(self.mod), ctypes.c_char_p(data), 0, None, None),
           f"cuModuleLoadDataEx {path}")
        self.fn = ctypes.c_void_p()
        ck(cuda.cuModuleGetFunction(ctypes.byref(self.fn), self.mod, launch["entry"].encode()),
           "cuModuleGetFunction")
        self.configured = set()
        regs = ctypes.c_int()
        cuda.cuFuncGetAttribute(ctypes.byref(regs), 4, self.fn)   # NUM_REGS
        self.regs = regs.value

    def __call__(self, q, k, v, o, scale, kind=0, window=0, mask=None, key_sizes=None):
        B, Hq, Sq, D = q.shape
        Hkv, Skv = k.shape[1], k.shape[2]
        smem = self.shared
        if smem not in self.configured:
            ck(cuda.cuFuncSetAttribute(self.fn, 8, smem), "cuFuncSetAttribute")
            self.configured.add(smem)
        dummy = self.dummy if hasattr(self, "dummy") else None
        if dummy is None:
            self.dummy = dummy = torch.ones(1, device="cuda", dtype=torch.float32)
        keep = []
        params = []

        def memref(t):
            for val in (t.data_ptr(), t.data_ptr()):
                keep.append(ctypes.c_uint64(val))
                params.append(ctypes.addressof(keep[-1]))
            for val in (0, t.numel(), 1):
                keep.append(ctypes.c_int64(val))
                params.append(ctypes.addressof(keep[-1]))

        def scalar(ct, val):
            keep.append(ct(val))
            params.append(ctypes.addressof(keep[-1]))

        strides = (0, 0, 0, 0)
        if mask is not None:
            me = mask.expand(B, Hq, Sq, Skv)
            strides = me.stride()
        for t in (q, k, v, o):
            assert t.is_contiguous()
            memref(t)
        memref(mask if mask is not None else dummy)
        memref(key_sizes if key_sizes is not None else dummy)
        scalar(ctypes.c_int32, Hq)
        scalar(ctypes.c_int32, Hq // Hkv)
        scalar(ctypes.c_int32, Sq)
        scalar(ctypes.c_int32, Skv)
        scalar(ctypes.c_float, scale * math.log2(math.e))
        scalar(ctypes.c_int32, kind)
        scalar(ctypes.c_int32, window)
        scalar(ctypes.c_int32, 1 if mask is not None else 0)
        for s in strides:
            scalar(ctypes.c_int64, s)
        scalar(ctypes.c_int32, 1 if key_sizes is not None else 0)
        arr = (ctypes.c_void_p * len(params))(*params)
        stream = torch.cuda.current_stream().cuda_stream
        ck(cuda.cuLaunchKernel(self.fn, (Sq + self.bm - 1) // self.bm, Hq, B, self.nt, 1, 1,
                               smem, ctypes.c_void_p(stream), arr, None), "cuLaunchKernel")


def reference(q, k, v, scale, kind=0, window=0, mask=None, key_sizes=None):
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    qd, kd, vd = q.double(), k.double().repeat_interleave(g, 1), v.double().repeat_interleave(g, 1)
    s = scale * (qd @ kd.transpose(-1, -2))
    if mask is not None:
        s = s + mask.double()
    if key_sizes is not None:
        s = s + key_sizes.double().log()[:, None, None, :]
    if kind:
        i = torch.arange(Sq, device=q.device)[:, None]
        j = torch.arange(Skv, device=q.device)[None, :]
        vis = j <= i + Skv - Sq
        if kind == 2:
            vis &= (i + Skv - Sq - j) < window
        s = s.masked_fill(~vis, float("-inf"))
    m = s.amax(-1, keepdim=True)
    m = torch.where(torch.isinf(m) & (m < 0), torch.zeros_like(m), m)
    p = torch.exp(s - m)
    l = p.sum(-1, keepdim=True)
    o = (p @ vd) / torch.where(l > 0, l, torch.ones_like(l))
    return o


def cases():
    c = []
    # (name, B, Hq, Hkv, Sq, Skv, D, kind, window, mask_spec, key_sizes)
    c.append(("tiny", 1, 1, 1, 1, 1, 64, 0, 0, None, False))
    c.append(("mha37", 2, 4, 4, 37, 37, 64, 0, 0, None, False))
    c.append(("gqa", 1, 8, 2, 200, 333, 128, 0, 0, None, False))
    c.append(("decode", 1, 2, 2, 1, 513, 128, 0, 0, None, False))
    c.append(("decode-causal", 1, 2, 2, 1, 513, 128, 1, 0, None, False))
    c.append(("mqa", 2, 3, 1, 130, 130, 64, 0, 0, None, False))
    c.append(("causal-sq<skv", 2, 4, 2, 100, 300, 128, 1, 0, None, False))
    c.append(("causal-square", 1, 2, 2, 257, 257, 64, 1, 0, None, False))
    c.append(("causal-sq>skv", 1, 2, 1, 300, 100, 128, 1, 0, None, False))
    c.append(("window50", 1, 4, 4, 300, 300, 128, 2, 50, None, False))
    c.append(("window77-gqa", 2, 2, 1, 150, 400, 64, 2, 77, None, False))
    c.append(("window1", 1, 2, 2, 70, 70, 64, 2, 1, None, False))
    c.append(("mask-1x1xSqxSkv", 2, 3, 3, 90, 150, 64, 0, 0, "full", False))
    c.append(("mask-Bx1x1xSkv", 2, 4, 2, 77, 200, 128, 0, 0, "cols", False))
    c.append(("mask-rows-dead", 1, 2, 2, 140, 70, 64, 0, 0, "rows", False))
    c.append(("key-sizes", 2, 4, 4, 70, 90, 64, 0, 0, None, True))
    c.append(("causal+mask+ks", 2, 4, 2, 133, 260, 128, 1, 0, "full", True))
    c.append(("window+ks", 1, 2, 2, 200, 200, 128, 2, 64, "cols", True))
    return c


def make_mask(spec, B, Sq, Skv, dev):
    if spec == "full":
        m = torch.randn(1, 1, Sq, Skv, device=dev)
        m[torch.rand(1, 1, Sq, Skv, device=dev) < 0.2] = float("-inf")
    elif spec == "cols":
        m = torch.randn(B, 1, 1, Skv, device=dev)
        m[:, :, :, 3::7] = float("-inf")
    else:  # "rows": some rows fully masked -> zeros
        m = torch.randn(1, 1, Sq, Skv, device=dev)
        m[:, :, 5::11, :] = float("-inf")
    return m.contiguous()


def check(kern, dtype, case, results):
    name, B, Hq, Hkv, Sq, Skv, D, kind, window, mspec, ks = case
    dev = "cuda"
    gen = torch.Generator(device=dev).manual_seed(zlib.crc32(name.encode()))
    q = torch.randn(B, Hq, Sq, D, device=dev, generator=gen).to(dtype)
    k = torch.randn(B, Hkv, Skv, D, device=dev, generator=gen).to(dtype)
    v = torch.randn(B, Hkv, Skv, D, device=dev, generator=gen).to(dtype)
    mask = make_mask(mspec, B, Sq, Skv, dev) if mspec else None
    key_sizes = (torch.rand(B, Skv, device=dev, generator=gen) * 3.5 + 0.5) if ks else None
    scale = 1.0 / math.sqrt(D)
    o = torch.full_like(q, float("nan"))
    kern(q, k, v, o, scale, kind, window, mask, key_sizes)
    torch.cuda.synchronize()
    ref = reference(q, k, v, scale, kind, window, mask, key_sizes)
    of = o.double()
    nan = int(torch.isnan(of).sum())
    diff = (of - ref).nan_to_num(nan=1e30)
    rn = ref.norm().item()
    rel = diff.norm().item() / (rn if rn > 0 else 1.0)
    mabs = diff.abs().max().item()
    # rows the reference leaves at zero (fully masked) must be exactly zero
    zrows = (ref.abs().amax(-1) == 0)
    zbad = int((of.abs().amax(-1)[zrows] != 0).sum()) if zrows.any() else 0
    tol = 1e-2 if dtype == torch.bfloat16 else 3e-3
    ok = nan == 0 and rel < tol and zbad == 0
    results.append((name, str(dtype).split(".")[1], D, rel, mabs, nan, int(zrows.sum()), ok))
    return ok


def bench_ms(fn, iters=30, warm=5):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    return statistics.median(ts)


def bench(kerns, dtype, rows):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    import torch.nn.functional as F
    shapes = [("G1", 4, 32, 4096, 128, True), ("G2", 4, 32, 4096, 128, False),
              ("G3", 16, 16, 1024, 64, False)]
    for gname, B, H, S, D, causal in shapes:
        q, k, v = (torch.randn(B, H, S, D, device="cuda", dtype=dtype) for _ in range(3))
        o = torch.empty_like(q)
        flops = 4 * B * H * S * S * D * (0.5 if causal else 1.0)
        scale = 1.0 / math.sqrt(D)
        entry = {"shape": gname}
        for vname, kern in kerns.items():
            ms = bench_ms(lambda: kern(q, k, v, o, scale, 1 if causal else 0))
            entry[vname] = flops / ms / 1e9
        ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        err = ((o.double() - ref.double()).norm() / ref.double().norm()).item()
        entry["err_vs_sdpa"] = err
        for bname, be in (("cudnn", SDPBackend.CUDNN_ATTENTION), ("flash", SDPBackend.FLASH_ATTENTION)):
            try:
                with sdpa_kernel(be):
                    ms = bench_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal))
                entry[bname] = flops / ms / 1e9
            except Exception as ex:  # backend not available
                entry[bname] = float("nan")
                print(f"{gname} {bname}: {ex}", file=sys.stderr)
        rows.append(entry)
        del q, k, v, o
        torch.cuda.empty_cache()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptx-dir", default=".gpu-tmp")
    ap.add_argument("--variants", default="icl")
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--quick", action="store_true", help="a few small cases (for compute-sanitizer)")
    ap.add_argument("--bench-dtypes", default="bf16")
    ap.add_argument("--cubin", action="store_true", help="load fa_*.cubin next to the PTX if present")
    a = ap.parse_args()
    print(torch.cuda.get_device_name(), torch.__version__)
    dts = {"bf16": torch.bfloat16, "f16": torch.float16}
    variants = a.variants.split(",")
    variants_meta = json.load(open(os.path.join(a.ptx_dir, "variants.json")))
    kern = {}
    for vn in variants:
        for en in dts:
            for d in (64, 128):
                path = os.path.join(a.ptx_dir, f"fa_{en}_{d}_{vn}.ptx")
                if a.cubin and os.path.exists(path[:-4] + ".cubin"):
                    path = path[:-4] + ".cubin"       # same code, compiled ahead by ptxas
                kern[(vn, en, d)] = Kernel(path, variants_meta[vn][f"{en}_{d}"])
                print(f"loaded {path}: {kern[(vn, en, d)].regs} registers")
    allok = True
    summary = []
    cs = cases()
    if a.quick:
        cs = [c for c in cs if c[4] * c[5] * c[2] <= 4 * 200 * 200]
    for vn in variants:
        res = []
        for en, dt in dts.items():
            for c in cs:
                try:
                    allok &= check(kern[(vn, en, c[6])], dt, c, res)
                except Exception as ex:
                    print(f"{vn} {en} {c[0]}: EXCEPTION {ex}")
                    allok = False
                    raise
        print(f"\ncorrectness, variant {vn}")
        print(f"{'case':18s} {'dtype':9s} {'D':>4s} {'rel err':>9s} {'max abs':>9s} {'NaN':>4s} {'0rows':>5s}  ok")
        for r in res:
            print(f"{r[0]:18s} {r[1]:9s} {r[2]:4d} {r[3]:9.2e} {r[4]:9.2e} {r[5]:4d} {r[6]:5d}  {'yes' if r[7] else 'NO'}")
        for dn in ("bfloat16", "float16"):
            rr = [r for r in res if r[1] == dn]
            summary.append((vn, dn, max(r[3] for r in rr), max(r[4] for r in rr),
                            sum(r[5] for r in rr), [r[0] for r in rr if not r[7]]))
    print(f"\ncorrectness summary ({len(cs)} cases per dtype)")
    for vn, dn, mr, ma, nn, bad in summary:
        print(f"{vn:10s} {dn:9s} worst rel {mr:.2e}  worst abs {ma:.2e}  NaN {nn}  failed: {bad or 'none'}")
    print("\nALL CORRECT" if allok else "\nSOME CASES FAILED")
    if a.no_bench or a.quick:
        return
    for en in a.bench_dtypes.split(","):
        rows = []
        ks = {}
        for vn in variants:
            class Pick:
                def __init__(s, vn, en):
                    s.vn, s.en = vn, en

                def __call__(s, q, *r, **kw):
                    return kern[(s.vn, s.en, q.shape[-1])](q, *r, **kw)
            ks[vn] = Pick(vn, en)
        bench(ks, dts[en], rows)
        print(f"\nTFLOP/s, {en} (median of 30 after 5 warm-ups; causal counts half the FLOPs)")
        hdr = f"{'shape':6s}" + "".join(f"{vn:>9s}" for vn in variants) + f"{'cuDNN':>9s}{'FA2':>9s}{'err/sdpa':>10s}"
        print(hdr)
        for r in rows:
            print(f"{r['shape']:6s}" + "".join(f"{r[vn]:9.1f}" for vn in variants)
                  + f"{r['cudnn']:9.1f}{r['flash']:9.1f}{r['err_vs_sdpa']:10.1e}")


if __name__ == "__main__":
    main()
