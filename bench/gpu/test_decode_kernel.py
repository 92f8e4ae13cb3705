#!/usr/bin/env python3
"""Correctness + timing of the split-KV decode attention kernels (@icl_decode_partial and
@icl_decode_combine, built by passes/cuda/AttentionKernels.cpp).

The PTX comes from the compiler: --make-ptx (on a machine with the icl build; no GPU or torch
needed) compiles a one-op decode module per element type and head dimension with
build/bin/icl-compile --target=cuda --emit=ptx and records the kernels' PTX entries and block
sizes in <dir>/launch.json. The check itself only loads the PTX through the CUDA driver API
(ctypes on libcuda.so.1) and launches it on torch's current stream. Each memref<?xT> kernel
argument is 5 params (allocated ptr, aligned ptr, offset, size, stride).

  python3 bench/gpu/test_decode_kernel.py --ptx-dir .gpu-tmp-decode --make-ptx [--variant u2]
  python3 bench/gpu/test_decode_kernel.py --ptx-dir .gpu-tmp-decode [--variants u2]

PTX files: <dir>/dec_<elt>_<D>.ptx (default build) and, for timing variants,
<dir>/var_<name>_<elt>_<D>.ptx: a variant is whatever DecodeAttentionConfig the compiler was
built with (u2 = keysPerWarpStep 32, tile 128).
"""
import argparse
import ctypes
import json
import math
import os
import sys

from attention_ptx import attention_module, compile_attention

ap = argparse.ArgumentParser()
ap.add_argument("--ptx-dir", default=".gpu-tmp-decode")
ap.add_argument("--make-ptx", action="store_true",
                help="write the PTX of the compiler's kernels into --ptx-dir and exit")
ap.add_argument("--variant", help="with --make-ptx: the PTX is the timing variant of this name")
ap.add_argument("--variants", default="")
ap.add_argument("--tile", type=int, default=64, help="keys per block iteration of the default build")
ap.add_argument("--skip-tests", action="store_true")
ap.add_argument("--iters", type=int, default=60)
args = ap.parse_args()


def make_ptx(outdir, variant):
    """PTX of every element type and head dimension, and their launches in launch.json."""
    os.makedirs(outdir, exist_ok=True)
    meta_path = os.path.join(outdir, "launch.json")
    launches = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    for elt in ("bf16", "f16"):
        for d in (64, 128):
            name = f"dec_{elt}_{d}" if variant is None else f"var_{variant}_{elt}_{d}"
            path = os.path.join(outdir, name + ".ptx")
            # Four query heads over one kv head, one query each: 4 rows, decode.
            partial, combine = compile_attention(
                attention_module(elt, d, hq=4, hkv=1, sq=1, skv=4096), path)
            launches[name] = {"partial": partial["entry"], "partial_threads": partial["threads"],
                              "combine": combine["entry"], "combine_threads": combine["threads"]}
            print(f"{elt:5s} D={d:3d} -> {path}")
    with open(meta_path, "w") as f:
        json.dump(launches, f, indent=1)


if args.make_ptx:
    make_ptx(args.ptx_dir, args.variant)
    sys.exit(0)

import torch  # noqa: E402  (not needed for --make-ptx)

torch.cuda.init()
torch.zeros(1, device="cuda")
cu = ctypes.CDLL("libcuda.so.1")


def check(rc, what):
    if rc != 0:
        s = ctypes.c_char_p()
        cu.cuGetErrorString(rc, ctypes.byref(s))
        raise RuntimeError(f"{what}: CUDA error {rc} {s.value}")


ctx = ctypes.c_void_p()
check(cu.cuCtxGetCurrent(ctypes.byref(ctx)), "cuCtxGetCurrent")
assert ctx.value, "no current context"

NSM = torch.cuda.get_device_properties(0).multi_processor_count


class Module:
    def __init__(self, path, launch):
        data = open(path, "rb").read() + b"\0"
        self.mod = ctypes.c_void_p()
        logsz = 1 << 16
        errlog = ctypes.create_string_buffer(logsz)
        opts = (ctypes.c_int * 2)(5, 6)   # CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
        vals = (ctypes.c_void_p * 2)(ctypes.cast(errlog, ctypes.c_void_p), ctypes.c_void_p(logsz))
        rc = cu.cuModuleLoadDataEx(ctypes.byref(self.mod), data, 2, opts, vals)
        if rc:
            print(errlog.value.decode(errors="replace"))
        check(rc, f"cuModuleLoadDataEx {path}")
        self.part = self.fn(launch["partial"])
        self.comb = self.fn(launch["combine"])
        self.part_threads = launch["partial_threads"]
        self.comb_threads = launch["combine_threads"]

    def fn(self, name):
        f = ctypes.c_void_p()
        check(cu.cuModuleGetFunction(ctypes.byref(f), self.mod, name.encode()), name)
        return f


def memref(t):
    p = ctypes.c_void_p(t.data_ptr())
    n = t.untyped_storage().nbytes() // t.element_size() - t.storage_offset()
    return [p, p, ctypes.c_int64(0), ctypes.c_int64(n), ctypes.c_int64(1)]


def param_array(params):
    return (ctypes.c_void_p * len(params))(*[ctypes.cast(ctypes.byref(x), ctypes.c_void_p) for x in params])


def launch(f, grid, block, arr):
    stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
    check(cu.cuLaunchKernel(f, *grid, *block, 0, stream, arr, None), "cuLaunchKernel")


def choose_chunk(B, Hkv, Skv, tile):
    want = max(1, (2 * NSM) // (B * Hkv))
    chunk = max(512, -(-(-(-Skv // want)) // tile) * tile)
    return chunk, -(-Skv // chunk)


class Attn:
    """Prepared launch of kernel 1 + kernel 2 for fixed inputs."""

    def __init__(self, mod, q, k, v, scale, mask_kind=0, window=0, mask=None, key_sizes=None,
                 chunk=None, splits=None, tile=128):
        B, Hq, Sq, D = q.shape
        Hkv, Skv = k.shape[1], k.shape[2]
        group = Hq // Hkv
        R = group * Sq
        assert R <= 16
        if chunk is None:
            chunk, splits = choose_chunk(B, Hkv, Skv, tile)
        self.chunk, self.splits = chunk, splits
        dev = q.device
        self.o_part = torch.full((B * Hkv * splits * R * D,), float("nan"), device=dev)
        self.ml_part = torch.full((B * Hkv * splits * R * 2,), float("nan"), device=dev)
        self.o = torch.full((B, Hq, Sq, D), float("nan"), device=dev, dtype=q.dtype)
        dummy = torch.zeros(1, device=dev)
        if mask is not None:
            me = mask.expand(B, Hq, Sq, Skv)
            strides = me.stride()
            self.mask = mask
        else:
            strides = (0, 0, 0, 0)
            self.mask = dummy
        self.ks = key_sizes.contiguous() if key_sizes is not None else dummy
        self.mod = mod
        self.q, self.k, self.v = q, k, v
        self.p1 = (memref(q) + memref(k) + memref(v) + memref(self.o_part) + memref(self.ml_part)
                   + memref(self.mask) + memref(self.ks)
                   + [ctypes.c_int32(Hq), ctypes.c_int32(group), ctypes.c_int32(Sq), ctypes.c_int32(Skv),
                      ctypes.c_float(scale * math.log2(math.e)), ctypes.c_int32(mask_kind), ctypes.c_int32(window),
                      ctypes.c_int32(1 if mask is not None else 0)]
                   + [ctypes.c_int64(s) for s in strides]
                   + [ctypes.c_int32(1 if key_sizes is not None else 0), ctypes.c_int32(chunk), ctypes.c_int32(splits)])
        self.p2 = (memref(self.o_part) + memref(self.ml_part) + memref(self.o)
                   + [ctypes.c_int32(Hq), ctypes.c_int32(group), ctypes.c_int32(Sq), ctypes.c_int32(splits)])
        self.g1 = (splits, Hkv, B)
        self.g2 = (Hq * Sq, B, 1)
        self.a1 = param_array(self.p1)   # built once: the timed call is two cuLaunchKernel only
        self.a2 = param_array(self.p2)

    def __call__(self):
        launch(self.mod.part, self.g1, (self.mod.part_threads, 1, 1), self.a1)
        launch(self.mod.comb, self.g2, (self.mod.comb_threads, 1, 1), self.a2)
        return self.o

    def partial_only(self):
        launch(self.mod.part, self.g1, (self.mod.part_threads, 1, 1), self.a1)


def reference(q, k, v, scale, mask_kind=0, window=0, mask=None, key_sizes=None):
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    qd, kd, vd = q.double(), k.double().repeat_interleave(g, 1), v.double().repeat_interleave(g, 1)
    s = scale * qd @ kd.transpose(-1, -2)
    if mask is not None:
        s = s + mask.double()
    if key_sizes is not None:
        s = s + key_sizes.double().log()[:, None, None, :]
    if mask_kind:
        i = torch.arange(Sq, device=q.device)[:, None]
        j = torch.arange(Skv, device=q.device)[None, :]
        vis = j <= i + Skv - Sq
        if mask_kind == 2:
            vis &= (i + Skv - Sq - j) < window
        s = s.masked_fill(~vis, float("-inf"))
    m = s.amax(-1, keepdim=True)
    m = torch.where(torch.isinf(m), torch.zeros_like(m), m)
    p = torch.exp(s - m)
    l = p.sum(-1, keepdim=True)
    o = (p @ vd) / torch.where(l > 0, l, torch.ones_like(l))
    return torch.where(l > 0, o, torch.zeros_like(o))


DT = {"bf16": torch.bfloat16, "f16": torch.float16}
mods = {}


def get_mod(elt, D, variant=None):
    key = (elt, D, variant)
    if key not in mods:
        name = f"dec_{elt}_{D}" if variant is None else f"var_{variant}_{elt}_{D}"
        launches = json.load(open(os.path.join(args.ptx_dir, "launch.json")))
        mods[key] = Module(os.path.join(args.ptx_dir, name + ".ptx"), launches[name])
    return mods[key]


rows = []


def case(name, elt, D, B, Hq, Hkv, Sq, Skv, mask_kind=0, window=0, mask=None, ks=False,
         full_masked_row=False, chunk=None, splits=None, seed=0):
    torch.manual_seed(seed)
    dt = DT[elt]
    dev = "cuda"
    q = torch.randn(B, Hq, Sq, D, device=dev).to(dt)
    k = torch.randn(B, Hkv, Skv, D, device=dev).to(dt)
    v = torch.randn(B, Hkv, Skv, D, device=dev).to(dt)
    scale = 1.0 / math.sqrt(D)
    m = None
    if mask == "full":
        m = torch.randn(B, Hq, Sq, Skv, device=dev)
    elif mask == "bcast":      # [B, 1, Sq, Skv] broadcast over heads
        m = torch.randn(B, 1, Sq, Skv, device=dev)
    elif mask == "keyonly":    # [1, 1, 1, Skv]
        m = torch.randn(1, 1, 1, Skv, device=dev)
    if m is not None:
        m.masked_fill_(torch.rand_like(m) < 0.3, float("-inf"))
        if full_masked_row:
            m[0, 0, 0, :] = float("-inf")
    key_sizes = (1.0 + 4.0 * torch.rand(B, Skv, device=dev)) if ks else None
    a = Attn(get_mod(elt, D), q, k, v, scale, mask_kind, window, m, key_sizes, chunk, splits, args.tile)
    out = a().float().double()
    torch.cuda.synchronize()
    ref = reference(q, k, v, scale, mask_kind, window, m, key_sizes)
    nan = torch.isnan(out).any().item()
    err = (out - ref).norm().item() / max(ref.norm().item(), 1e-30)
    mx = (out - ref).abs().max().item()
    zero_ok = True
    if full_masked_row:
        zero_ok = bool((out[0, 0, 0] == 0).all().item())
    tol = 1.5e-2 if elt == "bf16" else 4e-3
    ok = (not nan) and err < tol and zero_ok
    rows.append((name, elt, D, B, Hq, Hkv, Sq, Skv, a.splits, a.chunk, err, mx, "ok" if ok else "FAIL"))
    if not ok:
        print(f"{'ok  ' if ok else 'FAIL'} {name:28s} {elt:4s} D{D:<3d} B{B} Hq{Hq} Hkv{Hkv} Sq{Sq} Skv{Skv:<6d} "
              f"splits {a.splits:3d} chunk {a.chunk:5d}  rel {err:.2e}  maxabs {mx:.2e}"
              + ("" if not nan else "  NaN!") + ("" if zero_ok else "  masked row not 0!"), flush=True)
    return ok


def tests():
    allok = True
    for elt in ("bf16", "f16"):
        for D in (128, 64):
            for skv in (1, 7, 64, 1000, 4097, 65536):
                allok &= case("plain", elt, D, 1, 4, 4, 1, skv)
    allok &= case("gqa4", "bf16", 128, 2, 16, 4, 1, 4097)
    allok &= case("gqa8 sq2 causal", "bf16", 128, 1, 16, 2, 2, 1000, mask_kind=1)
    allok &= case("gqa8 sq2 causal", "f16", 64, 2, 16, 2, 2, 65536, mask_kind=1)
    allok &= case("gqa4 sq4 causal", "f16", 128, 1, 8, 2, 4, 7, mask_kind=1)
    allok &= case("sq2 causal skv1 (row0 empty)", "bf16", 128, 1, 2, 2, 2, 1, mask_kind=1)
    allok &= case("sq4 causal skv2", "bf16", 64, 1, 2, 2, 4, 2, mask_kind=1)
    allok &= case("gqa4 sq4 window100", "f16", 128, 1, 8, 2, 4, 4097, mask_kind=2, window=100)
    allok &= case("sq1 window1000", "bf16", 128, 1, 4, 4, 1, 65536, mask_kind=2, window=1000)
    allok &= case("gqa2 sq2 window1", "bf16", 64, 1, 4, 2, 2, 1000, mask_kind=2, window=1)
    allok &= case("mask full -inf row", "bf16", 64, 2, 8, 2, 2, 1000, mask="full", full_masked_row=True)
    allok &= case("mask bcast -inf row", "f16", 128, 2, 8, 2, 2, 4097, mask="bcast", full_masked_row=True)
    allok &= case("mask keyonly", "bf16", 128, 1, 4, 4, 1, 65536, mask="keyonly")
    allok &= case("key_sizes", "f16", 128, 1, 4, 2, 1, 4097, ks=True)
    allok &= case("key_sizes D64", "bf16", 64, 2, 8, 8, 1, 1000, ks=True)
    allok &= case("mask+ks+causal R16", "bf16", 128, 2, 16, 4, 4, 1000, mask_kind=1, mask="full", ks=True,
                  full_masked_row=True)
    allok &= case("mask+ks+window R16", "f16", 64, 1, 16, 2, 2, 4097, mask_kind=2, window=333, mask="bcast",
                  ks=True)
    allok &= case("splits odd chunk384", "bf16", 128, 1, 4, 4, 1, 4097, chunk=384, splits=11)
    allok &= case("splits 7 chunk100", "bf16", 128, 1, 8, 2, 2, 650, mask_kind=1, chunk=100, splits=7)
    allok &= case("splits with empty tail", "f16", 64, 1, 4, 4, 1, 1000, chunk=256, splits=9)
    allok &= case("chunk 1", "bf16", 128, 1, 2, 2, 1, 7, chunk=1, splits=7)
    allok &= case("splits 33 chunk2001", "bf16", 128, 1, 32, 32, 1, 65536, chunk=2001, splits=33)
    allok &= case("B3 gqa4 sq3 causal R12", "f16", 64, 3, 8, 2, 3, 4097, mask_kind=1)
    allok &= case("B3 gqa2 sq1 window ks", "bf16", 128, 3, 8, 4, 1, 1000, mask_kind=2, window=64, ks=True)
    allok &= case("G4-like check", "bf16", 128, 1, 32, 32, 1, 65536)
    allok &= case("gqa8 long", "bf16", 128, 1, 32, 4, 1, 65536)
    return allok


def bench():
    from torch.nn.attention import sdpa_kernel, SDPBackend
    B, Hq, Hkv, Sq, Skv, D = 1, 32, 32, 1, 65536, 128
    dt = torch.bfloat16
    NB = 3
    torch.manual_seed(1)
    qs = [torch.randn(B, Hq, Sq, D, device="cuda", dtype=dt) for _ in range(NB)]
    ks = [torch.randn(B, Hkv, Skv, D, device="cuda", dtype=dt) for _ in range(NB)]
    vs = [torch.randn(B, Hkv, Skv, D, device="cuda", dtype=dt) for _ in range(NB)]
    nbytes = 2 * B * Hkv * Skv * D * 2
    scale = 1 / math.sqrt(D)
    res = []

    def timeit(fns, iters=args.iters, warm=10):
        for i in range(warm):
            fns[i % NB]()
        torch.cuda.synchronize()
        # events for all iterations queued back to back: the GPU runs behind the host, so the
        # per-iteration intervals hold no launch gaps
        ev = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(iters)]
        for i in range(iters):
            ev[i][0].record()
            fns[i % NB]()
            ev[i][1].record()
        torch.cuda.synchronize()
        ts = sorted(a.elapsed_time(b) * 1e3 for a, b in ev)
        return ts[len(ts) // 2]

    ref = reference(qs[0], ks[0], vs[0], scale)
    configs = [("default", None, None)]
    for s in (16, 32):
        configs.append((f"default splits{s}", None, s))
    for vname in [x for x in args.variants.split(",") if x]:
        configs.append((vname, vname, None))
    for name, var, splits in configs:
        mod = get_mod("bf16", 128, var)
        tile = 128 if var == "u2" else args.tile
        if splits is None:
            chunk, sp = choose_chunk(B, Hkv, Skv, tile)
        else:
            chunk = -(-(-(-Skv // splits)) // tile) * tile
            sp = -(-Skv // chunk)
        fns = [Attn(mod, qs[i], ks[i], vs[i], scale, chunk=chunk, splits=sp, tile=tile) for i in range(NB)]
        out = fns[0]().double()
        torch.cuda.synchronize()
        err = (out - ref).norm().item() / ref.norm().item()
        t = timeit(fns)
        res.append((f"icl {name} (splits {sp})", t, nbytes / t / 1e6, err))
        if name == "default":
            t = timeit([f.partial_only for f in fns])
            res.append((f"icl {name} kernel 1 only", t, nbytes / t / 1e6, float("nan")))
    for bname, be in (("cuDNN", SDPBackend.CUDNN_ATTENTION), ("flash", SDPBackend.FLASH_ATTENTION),
                      ("efficient", SDPBackend.EFFICIENT_ATTENTION)):
        try:
            with sdpa_kernel(be):
                fns = [lambda i=i: torch.nn.functional.scaled_dot_product_attention(qs[i], ks[i], vs[i])
                       for i in range(NB)]
                out = fns[0]().double()
                err = (out - ref).norm().item() / ref.norm().item()
                t = timeit(fns)
            res.append((f"torch SDPA {bname}", t, nbytes / t / 1e6, err))
        except Exception as ex:  # backend unavailable
            res.append((f"torch SDPA {bname}: {type(ex).__name__} {str(ex)[:60]}", float("nan"), float("nan"), float("nan")))
    # copy bandwidth for reference
    a = torch.empty(nbytes // 2, dtype=torch.uint8, device="cuda")
    bb = torch.empty_like(a)
    t = timeit([lambda: bb.copy_(a)] * NB)
    res.append(("torch copy (read+write, same bytes moved)", t, 2 * (nbytes // 2) / t / 1e6, 0.0))
    # GQA / R=16 shapes, ours only
    gqa = [(32, 8, 1, None, None), (32, 8, 4, None, None), (32, 8, 1, None, 16), (32, 8, 1, None, 64)]
    gqa += [(32, 8, 1, v, None) for v in args.variants.split(",") if v]
    gqa += [(32, 8, 4, v, None) for v in args.variants.split(",") if v]
    for (hq, hkv, sq, var, splits) in gqa:
        qg = [torch.randn(1, hq, sq, D, device="cuda", dtype=dt) for _ in range(NB)]
        kg = [x[:, :hkv].contiguous() for x in ks]
        vg = [x[:, :hkv].contiguous() for x in vs]
        mod = get_mod("bf16", 128, var)
        tile = 128 if var == "u2" else args.tile
        chunk = sp = None
        if splits is not None:
            chunk = -(-(-(-Skv // splits)) // tile) * tile
            sp = -(-Skv // chunk)
        fns = [Attn(mod, qg[i], kg[i], vg[i], scale, mask_kind=1 if sq > 1 else 0, chunk=chunk, splits=sp,
                    tile=tile) for i in range(NB)]
        nb = 2 * hkv * Skv * D * 2
        t = timeit(fns)
        res.append((f"icl {var or 'default'} Hq{hq} Hkv{hkv} Sq{sq} R={hq // hkv * sq} (splits {fns[0].splits})",
                     t, nb / t / 1e6, float("nan")))
        if hq // hkv * sq == 16 and var is None:
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                try:
                    t = timeit([lambda i=i: torch.nn.functional.scaled_dot_product_attention(
                        qg[i], kg[i], vg[i], is_causal=False, enable_gqa=True) for i in range(NB)])
                except Exception as ex:
                    t = float("nan")
            res.append((f"torch SDPA flash (enable_gqa) Hq{hq} Hkv{hkv} Sq{sq}, no mask", t, nb / t / 1e6, float("nan")))
    print("\nG4-ish timing: B1 Hq32 Hkv32 Sq1 Skv65536 D128 bf16, K+V = %.3f GB, median of %d, 3 buffer sets"
          % (nbytes / 1e9, args.iters))
    print(f"{'config':58s} {'us':>8s} {'TB/s':>6s} {'rel err':>9s}")
    for n, t, bw, e in res:
        print(f"{n:58s} {t:8.1f} {bw:6.2f} {e:9.2e}")


ok = True
if not args.skip_tests:
    ok = tests()
bench()
print("\nCorrectness summary:")
print(f"{'case':30s} {'elt':4s} {'D':>3s} {'B':>2s} {'Hq':>3s} {'Hkv':>3s} {'Sq':>2s} {'Skv':>6s} {'spl':>4s} {'chunk':>6s} {'rel':>9s} {'maxabs':>9s}")
for r in rows:
    print(f"{r[0]:30s} {r[1]:4s} {r[2]:3d} {r[3]:2d} {r[4]:3d} {r[5]:3d} {r[6]:2d} {r[7]:6d} {r[8]:4d} {r[9]:6d} {r[10]:9.2e} {r[11]:9.2e} {r[12]}")
print("ALL OK" if ok else "SOME FAILED")
