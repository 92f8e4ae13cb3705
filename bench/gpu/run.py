#!/usr/bin/env python3
"""icl on an NVIDIA GPU: every op against the reference, then G1-G4 against
PyTorch SDPA (cuDNN and FlashAttention-2 backends) in the same run.

    /usr/bin/python3 bench/gpu/prepare.py build OUT    # on the build machine (MLIR)
    python3 bench/gpu/run.py OUT [--ops-only | --bench-only] [--reps N]

The first part runs each function of the modules prepare.py compiled (the
test/e2e modules: every op family, the fused prefill and decode attention
kernels, the tiny GPT example) through icl-run-lib on the inputs it wrote,
and compares every element with the reference evaluator's float64 results
within the bound of the function's `%if cuda-device` lit RUN line (the
comparison of `icl-run --check`, docs/testing.md). The second
part times the attention workloads of ../shared/design/BENCHMARKS.md on
random bf16 inputs, after checking each output against SDPA, with CUDA
events (median of --reps timed runs of --inner back-to-back calls each,
after warm-up; K/V rotate among buffer sets larger than L2 for G4).
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from icl_runtime import Runtime  # noqa: E402

def check_ops(root):
    """Every case through icl-run-lib (the runner that needs no LLVM or MLIR)
    with --input/--expect and the bound of its lit RUN line: the comparison
    of `icl-run --check` (lib/Support/Compare.h), on the GPU."""
    import subprocess
    cases, failures = json.load(open(os.path.join(root, "ops", "manifest.json"))), 0
    for case in cases:
        label = f"{os.path.basename(case['module'])}:{case['function'] or 'main'}"
        cmd = [os.path.join(root, "bin", "icl-run-lib"), os.path.join(root, case["library"]),
               "--device=cuda"] + case["bounds"]
        if case["function"]:
            cmd += ["--function", case["function"]]
        for p in case["inputs"]:
            cmd += ["--input", os.path.join(root, p)]
        for p in case["references"]:
            cmd += ["--expect", os.path.join(root, p)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        lines = [l for l in (r.stdout + r.stderr).splitlines()
                 if l.startswith(("expect", "icl-run-lib"))]
        failures += r.returncode != 0
        status = "ok" if r.returncode == 0 else "FAIL"
        for i, line in enumerate(lines or ["(no output)"]):
            print(f"  {status if i == 0 else '':5} {label if i == 0 else '':50} {line[:150]}")
    print(f"ops: {len(cases) - failures} of {len(cases)} cases within their bounds")
    return failures

def time_ms(fn, reps, inner):
    """Median time of one call (ms): reps timings of `inner` calls between events."""
    import torch
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(inner):
            fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / inner)
    return statistics.median(times)

def bench(root, rt, reps):
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    rt.set_stream(torch.cuda.current_stream())
    rows, norms, gemms, scans = [], [], [], []
    for w in json.load(open(os.path.join(root, "bench", "manifest.json"))):
        if w.get("kind") == "norm":
            norms.append(bench_norm(root, rt, w, reps))
            continue
        if w.get("kind") == "gemm":
            gemms.append(bench_gemm(root, rt, w, reps))
            continue
        if w.get("kind") == "scan":
            scans.append(bench_scan(root, rt, w, reps))
            continue
        fn = rt.load(os.path.join(root, w["library"]))[w["name"]]
        b, hq, hkv, sq, skv, d = w["B"], w["Hq"], w["Hkv"], w["Sq"], w["Skv"], w["D"]
        kv_bytes = 2 * b * hkv * skv * d * 2
        # Enough K/V sets that the 60 MB L2 holds none of them between uses.
        sets = max(1, min(8, (256 << 20) // kv_bytes + 1))
        gen = torch.Generator(device="cuda").manual_seed(0)
        rnd = lambda *s: torch.randn(*s, device="cuda", dtype=torch.bfloat16, generator=gen)
        q = rnd(b, hq, sq, d)
        kvs = [(rnd(b, hkv, skv, d), rnd(b, hkv, skv, d)) for _ in range(sets)]
        o = torch.full((b, hq, sq, d), float("nan"), device="cuda", dtype=torch.bfloat16)
        fn.invoke_device([q, *kvs[0]], [o])
        rt.synchronize()
        k0, v0 = kvs[0]
        ref = F.scaled_dot_product_attention(q.float(), k0.float(), v0.float(),
                                             is_causal=w["causal"] and sq > 1,
                                             enable_gqa=hq != hkv)
        rel = (torch.linalg.vector_norm((o.float() - ref)) / torch.linalg.vector_norm(ref)).item()
        if not (rel < 2e-2):
            print(f"{w['name']}: output differs from SDPA (relative error {rel:.3g}); not timed")
            rows.append((w["name"], None, None, None, rel))
            continue
        counter = [0]

        def icl_call():
            k, v = kvs[counter[0] % sets]
            counter[0] += 1
            fn.invoke_device([q, k, v], [o])

        def sdpa(backend):
            def call():
                k, v = kvs[counter[0] % sets]
                counter[0] += 1
                with sdpa_kernel(backend):
                    F.scaled_dot_product_attention(q, k, v, is_causal=w["causal"] and sq > 1)
            return call

        inner = 20 if sq == 1 else 3
        t_icl = time_ms(icl_call, reps, inner)
        peers = {}
        for name, backend in (("cudnn", SDPBackend.CUDNN_ATTENTION),
                              ("flash", SDPBackend.FLASH_ATTENTION)):
            try:
                peers[name] = time_ms(sdpa(backend), reps, inner)
            except RuntimeError as error:
                print(f"{w['name']}: SDPA {name} unavailable: {str(error).splitlines()[0]}")
                peers[name] = None
        rows.append((w["name"], t_icl, peers["cudnn"], peers["flash"], rel, w, kv_bytes))
    print()
    print(f"{'':4} {'icl':>10} {'cuDNN':>10} {'FA2':>10}  {'icl rate':>14} {'cuDNN/icl':>9} "
          f"{'FA2/icl':>8}  rel.err")
    for row in rows:
        if row[1] is None:
            print(f"{row[0]:4} {'wrong':>10}  relative error {row[4]:.3g}")
            continue
        name, t, cudnn, flash, rel, w, kv_bytes = row
        if w["Sq"] == 1:
            rate = f"{kv_bytes / t / 1e9:.2f} TB/s"
            fmt = lambda x: f"{x * 1e3:8.1f}us" if x else "       n/a"
        else:
            flops = 4 * w["B"] * w["Hq"] * w["Sq"] * w["Skv"] * w["D"] / (2 if w["causal"] else 1)
            rate = f"{flops / t / 1e9:.0f} TFLOP/s"
            fmt = lambda x: f"{x:8.3f}ms" if x else "       n/a"
        ratio = lambda x: f"{x / t:9.2f}" if x else "      n/a"
        print(f"{name:4} {fmt(t)} {fmt(cudnn)} {fmt(flash)}  {rate:>14} {ratio(cudnn)} "
              f"{ratio(flash)[1:]}  {rel:.2g}")
    print_norms(norms)
    print_gemms(gemms)
    print_scans(scans)

def bench_norm(root, rt, w, reps):
    """G10: a norm of bf16 rows, icl against PyTorch and a copy of the rows."""
    import torch
    import torch.nn.functional as F
    fn = rt.load(os.path.join(root, w["library"]))[w["function"]]
    rows, width = w["rows"], w["width"]
    gen = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(rows, width, device="cuda", dtype=torch.bfloat16, generator=gen)
    g = torch.randn(width, device="cuda", dtype=torch.bfloat16, generator=gen)
    b = torch.randn(width, device="cuda", dtype=torch.bfloat16, generator=gen)
    y = torch.full_like(x, float("nan"))
    layer = w["form"] == "layer_norm"
    inputs = [x, g, b] if layer else [x, g]
    fn.invoke_device(inputs, [y])
    rt.synchronize()
    if layer:
        torch_call = lambda: F.layer_norm(x, (width,), g, b, 1e-5)
        ref = F.layer_norm(x.float(), (width,), g.float(), b.float(), 1e-5)
    else:
        torch_call = lambda: F.rms_norm(x, (width,), g, 1e-5)
        ref = F.rms_norm(x.float(), (width,), g.float(), 1e-5)
    rel = (torch.linalg.vector_norm(y.float() - ref) / torch.linalg.vector_norm(ref)).item()
    if not (rel < 1e-2):
        return (w["name"], None, None, None, rel)
    copy = torch.empty_like(x)
    t_icl = time_ms(lambda: fn.invoke_device(inputs, [y]), reps, 10)
    t_torch = time_ms(torch_call, reps, 10)
    t_copy = time_ms(lambda: copy.copy_(x), reps, 10)
    return (w["name"], t_icl, t_torch, t_copy, rel, 2 * x.numel() * x.element_size())


def print_rows(header, rows, line):
    """A table: `header`, then line(row) for each row timed, or that it was wrong."""
    if not rows:
        return
    print()
    print(header)
    for row in rows:
        if row[1] is None:
            print(f"{row[0]:15} {'wrong':>9}  relative error {row[4]:.3g}")
        else:
            print(line(*row))


def print_norms(norms):
    print_rows(f"{'':15} {'icl':>9} {'PyTorch':>9} {'copy':>9} {'icl rate':>11} {'torch/icl':>9} "
               f"{'of copy':>7}  rel.err", norms,
               lambda name, t, torch_t, copy_t, rel, bytes_moved:
               f"{name:15} {t * 1e3:7.1f}us {torch_t * 1e3:7.1f}us {copy_t * 1e3:7.1f}us "
               f"{bytes_moved / t / 1e9:7.2f} TB/s {torch_t / t:9.2f} {copy_t / t:7.2f}  {rel:.2g}")


def bench_gemm(root, rt, w, reps):
    """G9: act(x·wᵀ + b) in bf16, icl against cuBLAS (F.linear) plus PyTorch's
    eager activation, and F.linear alone."""
    import torch
    import torch.nn.functional as F
    fn = rt.load(os.path.join(root, w["library"]))[w["function"]]
    m, n, k = w["M"], w["N"], w["K"]
    gen = torch.Generator(device="cuda").manual_seed(0)
    rnd = lambda *s: torch.randn(*s, device="cuda", dtype=torch.bfloat16, generator=gen)
    x, wt, b = rnd(m, k), rnd(n, k) * k ** -0.5, rnd(n)
    act = {"gelu": F.gelu, "silu": F.silu, "relu": F.relu,
           "none": lambda t: t}[w["activation"]]
    y = torch.full((m, n), float("nan"), device="cuda", dtype=torch.bfloat16)
    fn.invoke_device([x, wt, b], [y])
    rt.synchronize()
    ref = act(F.linear(x.float(), wt.float(), b.float()))
    rel = (torch.linalg.vector_norm(y.float() - ref) / torch.linalg.vector_norm(ref)).item()
    if not (rel < 1e-2):
        return (w["name"], None, None, None, rel)
    inner = 1 if "generic" in w["name"] else 5
    t_icl = time_ms(lambda: fn.invoke_device([x, wt, b], [y]), min(reps, 5) if inner == 1 else reps,
                    inner)
    t_torch = time_ms(lambda: act(F.linear(x, wt, b)), reps, inner)
    t_cublas = time_ms(lambda: F.linear(x, wt, b), reps, inner)
    return (w["name"], t_icl, t_torch, t_cublas, rel, 2 * m * n * k)


def print_gemms(gemms):
    print_rows(f"{'':15} {'icl':>9} {'torch':>9} {'cuBLAS':>9} {'icl rate':>14} {'torch/icl':>9} "
               f"{'cuBLAS rate':>14}  rel.err", gemms,
               lambda name, t, torch_t, cublas_t, rel, flops:
               f"{name:15} {t:7.3f}ms {torch_t:7.3f}ms {cublas_t:7.3f}ms "
               f"{flops / t / 1e9:8.0f} TFLOP/s {torch_t / t:9.2f} "
               f"{flops / cublas_t / 1e9:8.0f} TFLOP/s  {rel:.2g}")


def bench_scan(root, rt, w, reps):
    """G5-G7: a bf16 recurrence against its peer on the same inputs: mamba_ssm's
    Triton SSD (chunk 256), mamba_ssm's PyTorch selective-scan reference,
    fla's chunk_simple_gla (../shared/peers, copied into the directory)."""
    import torch
    sys.path[:0] = [os.path.join(root, "peers", "mamba"), os.path.join(root, "peers", "fla")]
    fn = rt.load(os.path.join(root, w["library"]))[w["function"]]
    s = w["shape"]
    gen = torch.Generator(device="cuda").manual_seed(0)
    bf = torch.bfloat16
    rnd = lambda *d: torch.randn(*d, device="cuda", generator=gen)
    uni = lambda *d: torch.rand(*d, device="cuda", generator=gen)
    if w["op"] == "ssd":
        from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined
        b, l, h, p, g, n = (s[k] for k in "BLHPGN")
        x, dt, a = rnd(b, l, h, p).to(bf), (rnd(b, l, h) * 0.5 - 3).to(bf), (-uni(h) * 15 - 1).to(bf)
        bm, cm = rnd(b, l, g, n).to(bf), rnd(b, l, g, n).to(bf)
        d, db = rnd(h).to(bf), (rnd(h) * 0.1).to(bf)
        inputs, y = [x, dt, a, bm, cm, d, db], torch.empty(b, l, h, p, device="cuda", dtype=bf)
        peer = lambda: mamba_chunk_scan_combined(x, dt.float(), a.float(), bm, cm, 256, D=d.float(),
                                                 dt_bias=db.float(), dt_softplus=True)
        same = lambda r: r
        flops = 2 * b * l * h * p * n * 3  # states, outputs from states, and the input terms
    elif w["op"] == "selective_scan":
        from mamba_ssm.ops.selective_scan_interface import selective_scan_ref
        b, dm, n, l = (s[k] for k in "BDNL")
        u, delta = rnd(b, dm, l).to(bf), (uni(b, dm, l) * 0.1).to(bf)
        a, bm, cm = (-uni(dm, n)).to(bf), rnd(b, 1, n, l).to(bf), rnd(b, 1, n, l).to(bf)
        d, z = rnd(dm).to(bf), rnd(b, dm, l).to(bf)
        inputs, y = [u, delta, a, bm, cm, d, z], torch.empty(b, dm, l, device="cuda", dtype=bf)
        peer = lambda: selective_scan_ref(u, delta, a.float(), bm[:, 0], cm[:, 0], d.float(), z,
                                          None, True)
        same = lambda r: r
        flops = b * dm * n * l  # one exp per state element and step (the bound)
    else:
        from fla.ops.simple_gla import chunk_simple_gla
        b, t, h, k = (s[x] for x in "BTHK")
        q, kk, v = ((rnd(b, h, t, k) * f).to(bf) for f in (0.1, 0.1, 1.0))
        g = (-uni(b, h, t) * 0.1).to(bf)
        inputs, y = [q, kk, v, g], torch.empty(b, h, t, k, device="cuda", dtype=bf)
        qt, kt, vt = (z.transpose(1, 2).contiguous() for z in (q, kk, v))
        gt = g.float().transpose(1, 2).contiguous()
        peer = lambda: chunk_simple_gla(qt, kt, vt, gt)[0]
        same = lambda r: r.transpose(1, 2)
        flops = 2 * b * h * t * k * k * 2
    try:
        fn.invoke_device(inputs, [y])
        rt.synchronize()
    except Exception as error:  # noqa: BLE001 - report and go on with the other workloads
        print(f"{w['name']}: icl failed: {str(error).splitlines()[0]}")
        return (w["name"], None, None, None, float("nan"))
    ref = same(peer()).float()
    rel = (torch.linalg.vector_norm(y.float() - ref) / torch.linalg.vector_norm(ref)).item()
    if not (rel < 5e-2):
        return (w["name"], None, None, None, rel)
    slow = w["op"] == "selective_scan"
    t_icl = time_ms(lambda: fn.invoke_device(inputs, [y]), min(reps, 5), 1)
    t_peer = time_ms(peer, 3 if slow else reps, 1)
    return (w["name"], t_icl, t_peer, rel, flops, w["op"])


def print_scans(scans):
    print_rows(f"{'':15} {'icl':>10} {'peer':>10} {'peer/icl':>8}  rel.err  (peer: G5 mamba_ssm "
               f"Triton SSD, G6 selective_scan_ref in PyTorch, G7 fla chunk_simple_gla)", scans,
               lambda name, t, peer_t, rel, flops, op:
               f"{name:15} {t:8.3f}ms {peer_t:8.3f}ms {peer_t / t:8.3f}  {rel:.2g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", help="the directory prepare.py wrote")
    parser.add_argument("--ops-only", action="store_true")
    parser.add_argument("--bench-only", action="store_true")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    failures = 0
    if not args.bench_only:
        failures = check_ops(args.root)
    if not args.ops_only:
        bench(args.root, Runtime(os.path.join(args.root, "lib", "libicl_runtime.so"),
                                 device="cuda"), args.reps)
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
