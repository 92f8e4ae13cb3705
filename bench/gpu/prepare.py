#!/usr/bin/env python3
"""Builds what bench/gpu/run.py needs on the GPU machine (which has no MLIR).

    /usr/bin/python3 bench/gpu/prepare.py BUILD OUT [--chip sm_90] [--cuda-options "..."]

writes into OUT:
  lib/libicl_runtime.so        the runtime (C API + CUDA backend)
  bin/icl-run-lib              the command-line runner that needs no LLVM or MLIR
  ops/<file>.so                every module of test/e2e (every op family, the
                               fused attention kernels), the tiny GPT example and
                               models of icl-construct (constructions/*.mlir),
                               compiled with icl-compile --target=cuda
  ops/<file>/<fn>.in<i>.npy    seeded random inputs of each checked function
  ops/<file>/<fn>.ref<i>.npy   the reference evaluator's results on them (float64
                               arithmetic; bf16 written as float32)
  ops/manifest.json            cases with the bounds of their `%if cuda-device`
                               lit RUN lines (--tolerance, --atol, --rtol)
  bench/g<N>.so, bench/manifest.json   the attention workloads G1-G4, the
                               linear of G9 and the norms of G10 of
                               BENCHMARKS.md, bf16, as icl modules (G9 with
                               several GEMM tiles and without the GEMM kernel,
                               G10 also without the row kernels)

Then, on the GPU machine: python3 bench/gpu/run.py OUT
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# BENCHMARKS.md G1-G4: (name, B, Hq, Hkv, Sq, Skv, D, causal).
WORKLOADS = [
    ("g1", 4, 32, 32, 4096, 4096, 128, True),
    ("g2", 4, 32, 32, 4096, 4096, 128, False),
    ("g3", 16, 16, 16, 1024, 1024, 64, False),
    ("g4", 1, 32, 32, 1, 65536, 128, False),
]

# G10: (name, form, rows, width, cuda options beyond the chip).
NORMS = [
    ("g10r", "rms_norm", 16384, 4096, " fused-rows=true"),
    ("g10l", "layer_norm", 16384, 4096, " fused-rows=true"),
    ("g10r-generic", "rms_norm", 16384, 4096, " fused-rows=false"),
    ("g10l-generic", "layer_norm", 16384, 4096, " fused-rows=false"),
]

# G9: (name, M, N, K, activation, cuda options beyond the chip).
GEMMS = [
    ("g9", 8192, 4096, 4096, "gelu", ""),
    ("g9-128x256", 8192, 4096, 4096, "gelu", " gemm-tile=128x256x32x3x2x4"),
    ("g9-128x128k64", 8192, 4096, 4096, "gelu", " gemm-tile=128x128x64x3"),
    ("g9-256x128", 8192, 4096, 4096, "gelu", " gemm-tile=256x128x32x3x4x2"),
    ("g9-generic", 8192, 4096, 4096, "gelu", " fused-linear=false"),
]


# The e2e modules that --scans-only checks.
SCAN_OPS = re.compile(r"icl\.(ssd|selective_scan|linear_attention)\b")

# G5-G7: (name, kind, shape, cuda options beyond the chip). bf16 like the peers.
SCANS = [
    ("g5", "ssd", dict(B=8, L=16384, H=80, P=64, G=1, N=128), ""),
    ("g6", "selective_scan", dict(B=8, D=5120, N=16, L=4096), ""),
    ("g7", "linear_attention", dict(B=2, T=16384, H=16, K=128), ""),
]


# Models of icl-construct checked on the GPU like the e2e modules: stacked and
# looped (scf.for over a run-time step count), with per-step readouts.
CONSTRUCTIONS = [
    ("gd_stacked", "gd --dim 5 --out-dim 2 --examples 24 --lr 0.4 --steps 6 --batch 3"),
    ("gd_looped", "gd --dim 5 --examples 24 --lr 0.4 --looped --readout-every-layer --max-steps 4 --batch 3"),
    ("ridge_looped", "ridge --dim 3 --examples 17 --lr 0.3 --lambda 0.1 --looped --batch 2"),
    ("newton_stacked", "newton --dim 4 --examples 32 --steps 8 --readout-every-layer --batch 4"),
]


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return result.stdout


def cases_of(path):
    """(function, bound flags) of every `%if cuda-device` RUN line of an e2e
    module: what lit runs with --device=cuda on a machine with MLIR and a GPU."""
    cases = []
    for line in open(path):
        if not line.startswith("// RUN: %if cuda-device") or "--check" not in line:
            continue
        fn = re.search(r"--function (\w+)", line)
        bounds = re.findall(r"(--(?:tolerance|atol|rtol)[ =][0-9.e+-]+)", line)
        cases.append((fn.group(1) if fn else None,
                      [f for b in bounds for f in b.replace("=", " ").split()]))
    return cases


def arg_count(path, fn):
    """Arguments of `fn` (or of the first function) of a module."""
    text = open(path).read()
    m = re.search(r"func\.func @" + (re.escape(fn) if fn else r"\w+") + r"\(", text)
    if not m:
        sys.exit(f"cannot find the signature of {fn or 'the entry function'} in {path}")
    depth, i = 1, m.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    return len(re.findall(r"%[\w.]+\s*:", text[m.end():i - 1]))


def attention_module(name, b, hq, hkv, sq, skv, d, causal):
    q = f"tensor<{b}x{hq}x{sq}x{d}xbf16>"
    kv = f"tensor<{b}x{hkv}x{skv}x{d}xbf16>"
    attr = " {mask_kind = #icl.mask<causal>}" if causal else ""
    return (f"func.func @{name}(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n"
            f"  %o = icl.attention %q, %k, %v{attr} : ({q}, {kv}, {kv}) -> {q}\n"
            f"  return %o : {q}\n}}\n")


def norm_module(name, form, rows, width):
    x, g = f"tensor<{rows}x{width}xbf16>", f"tensor<{width}xbf16>"
    beta = form == "layer_norm"
    args = f"%x: {x}, %g: {g}" + (f", %b: {g}" if beta else "")
    operands = "gamma(%g)" + (" beta(%b)" if beta else "")
    types = f"{x}, {g}" + (f", {g}" if beta else "")
    fn = name.replace("-", "_")
    return (f"func.func @{fn}({args}) -> {x} {{\n"
            f"  %y = icl.{form} %x {operands} {{eps = 1.0e-05 : f64}} : ({types}) -> {x}\n"
            f"  return %y : {x}\n}}\n")


def gemm_module(name, m, n, k, activation):
    x, w, b, y = (f"tensor<{m}x{k}xbf16>", f"tensor<{n}x{k}xbf16>", f"tensor<{n}xbf16>",
                  f"tensor<{m}x{n}xbf16>")
    fn = name.replace("-", "_")
    return (f"func.func @{fn}(%x: {x}, %w: {w}, %b: {b}) -> {y} {{\n"
            f"  %y = icl.linear %x, %w bias(%b) : ({x}, {w}, {b}) -> {y}\n"
            f"  %z = icl.activation %y {{kind = #icl.activation<{activation}>}} : {y}\n"
            f"  return %z : {y}\n}}\n")


def scan_module(name, kind, s):
    """One bf16 recurrence of G5-G7 with the peers' options (softplus Δ with
    bias, D skip, z gate for G6; fla's default scale K^-1/2 for G7)."""
    t = lambda *dims: "tensor<" + "x".join(map(str, dims)) + "xbf16>"
    if kind == "ssd":
        b, l, h, p, g, n = (s[k] for k in "BLHPGN")
        args = [("x", t(b, l, h, p)), ("dt", t(b, l, h)), ("A", t(h)), ("B", t(b, l, g, n)),
                ("C", t(b, l, g, n)), ("D", t(h)), ("db", t(h))]
        op = "icl.ssd %x, %dt, %A, %B, %C D(%D) dt_bias(%db) {dt_softplus}"
        result = t(b, l, h, p)
    elif kind == "selective_scan":
        b, d, n, l = (s[k] for k in "BDNL")
        args = [("u", t(b, d, l)), ("delta", t(b, d, l)), ("A", t(d, n)), ("B", t(b, 1, n, l)),
                ("C", t(b, 1, n, l)), ("D", t(d)), ("z", t(b, d, l))]
        op = "icl.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) {delta_softplus}"
        result = t(b, d, l)
    else:
        b, tt, h, k = (s[x] for x in "BTHK")
        args = [("q", t(b, h, tt, k)), ("k", t(b, h, tt, k)), ("v", t(b, h, tt, k)),
                ("g", t(b, h, tt))]
        op = f"icl.linear_attention %q, %k, %v decay(%g) {{scale = {k ** -0.5!r} : f64}}"
        result = t(b, h, tt, k)
    params = ", ".join(f"%{a}: {ty}" for a, ty in args)
    types = ", ".join(ty for _, ty in args)
    return (f"func.func @{name}({params}) -> {result} {{\n"
            f"  %y = {op} : ({types}) -> {result}\n"
            f"  return %y : {result}\n}}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build")
    parser.add_argument("out")
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--cuda-options", default="",
                        help="more CUDA pipeline options for the op modules, e.g. "
                             "\"fused-rows=true\" to check the row kernels")
    parser.add_argument("--scans-only", action="store_true",
                        help="only G5-G7, their peers and the e2e modules with scans "
                             "(a small directory to carry)")
    args = parser.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    compile_ = os.path.join(bin_dir, "icl-compile")
    icl_run = os.path.join(bin_dir, "icl-run")
    cuda = ["--target=cuda", f"--cuda-options=chip={args.chip} {args.cuda_options}".rstrip()]

    shutil.rmtree(args.out, ignore_errors=True)
    for sub in ("bin", "lib", "ops", "bench"):
        os.makedirs(os.path.join(args.out, sub))
    shutil.copy(os.path.join(args.build, "lib", "libicl_runtime.so"),
                os.path.join(args.out, "lib"))
    shutil.copy(os.path.join(bin_dir, "icl-run-lib"), os.path.join(args.out, "bin"))

    # The G5-G7 peers (mamba_ssm, flash-linear-attention), run beside icl.
    peers = os.path.join(os.path.dirname(ROOT), "shared", "peers")
    if os.path.isdir(peers):
        shutil.copytree(peers, os.path.join(args.out, "peers"))
    modules = sorted(os.path.join(ROOT, "test", "e2e", f)
                     for f in os.listdir(os.path.join(ROOT, "test", "e2e")) if f.endswith(".mlir"))
    if args.scans_only:
        modules = [m for m in modules if SCAN_OPS.search(open(m).read())]
    else:
        modules.append(os.path.join(ROOT, "examples", "models", "tiny_gpt.mlir"))
        # Looped and stacked constructions (docs/constructions.md), as icl-construct writes them.
        os.makedirs(os.path.join(args.out, "constructions"))
        for name, construction in CONSTRUCTIONS:
            path = os.path.join(args.out, "constructions", name + ".mlir")
            run([os.path.join(bin_dir, "icl-construct")] + construction.split() + ["-o", path])
            modules.append(path)
    jobs, manifest = [], []
    for path in modules:
        stem = os.path.splitext(os.path.basename(path))[0]
        lib = os.path.join(args.out, "ops", stem + ".so")
        print(f"compiling {os.path.relpath(path, ROOT)}", flush=True)
        run([compile_, path, "-o", lib] + cuda)
        os.remove(os.path.splitext(lib)[0] + ".h")
        cases = cases_of(path) or [(None, [])]
        os.makedirs(os.path.join(args.out, "ops", stem), exist_ok=True)
        for fn, bounds in cases:
            jobs.append((path, stem, fn, bounds))

    def reference(job):
        path, stem, fn, bounds = job
        fn_args = ["--function", fn] if fn else []
        # How many arguments and results: from the reference run's summary.
        summary = run([icl_run, "--reference", path, "--random-inputs", "1"] + fn_args)
        n_results = len(re.findall(r"^result \d+", summary, re.M))
        base = os.path.join(args.out, "ops", stem, fn or "main")
        n_args = arg_count(path, fn)
        ins = [f"{base}.in{i}.npy" for i in range(n_args)]
        refs = [f"{base}.ref{i}.npy" for i in range(n_results)]
        cmd = [icl_run, "--reference", path, "--random-inputs", "1"] + fn_args
        for i in ins:
            cmd += ["--write-inputs", i]
        for r in refs:
            cmd += ["--output", r]
        run(cmd)
        rel = lambda p: os.path.relpath(p, args.out)
        return {"module": os.path.relpath(path, ROOT), "library": f"ops/{stem}.so",
                "function": fn, "inputs": [rel(i) for i in ins], "references": [rel(r) for r in refs],
                "bounds": bounds}

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for case in pool.map(reference, jobs):
            manifest.append(case)
    json.dump(manifest, open(os.path.join(args.out, "ops", "manifest.json"), "w"), indent=1)
    print(f"{len(manifest)} op cases from {len(modules)} modules", flush=True)

    if args.scans_only:
        json.dump(scan_workloads(args, compile_), open(os.path.join(args.out, "bench",
                                                                    "manifest.json"), "w"))
        return
    bench = []
    for name, b, hq, hkv, sq, skv, d, causal in WORKLOADS:
        src = os.path.join(args.out, "bench", name + ".mlir")
        open(src, "w").write(attention_module(name, b, hq, hkv, sq, skv, d, causal))
        print(f"compiling {name}", flush=True)
        run([compile_, src, "-o", os.path.join(args.out, "bench", name + ".so")] + cuda)
        bench.append({"name": name, "library": f"bench/{name}.so", "B": b, "Hq": hq, "Hkv": hkv,
                      "Sq": sq, "Skv": skv, "D": d, "causal": causal})
    for name, form, rows, width, options in NORMS:
        src = os.path.join(args.out, "bench", name + ".mlir")
        open(src, "w").write(norm_module(name, form, rows, width))
        print(f"compiling {name}", flush=True)
        run([compile_, src, "-o", os.path.join(args.out, "bench", name + ".so"), "--target=cuda",
             f"--cuda-options=chip={args.chip}{options}"])
        bench.append({"name": name, "function": name.replace("-", "_"),
                      "library": f"bench/{name}.so", "kind": "norm", "form": form, "rows": rows,
                      "width": width})
    for name, m, n, k, activation, options in GEMMS:
        src = os.path.join(args.out, "bench", name + ".mlir")
        open(src, "w").write(gemm_module(name, m, n, k, activation))
        print(f"compiling {name}", flush=True)
        run([compile_, src, "-o", os.path.join(args.out, "bench", name + ".so"), "--target=cuda",
             f"--cuda-options=chip={args.chip}{options}"])
        bench.append({"name": name, "function": name.replace("-", "_"),
                      "library": f"bench/{name}.so", "kind": "gemm", "M": m, "N": n, "K": k,
                      "activation": activation})
    bench += scan_workloads(args, compile_)
    json.dump(bench, open(os.path.join(args.out, "bench", "manifest.json"), "w"), indent=1)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(args.out) for f in fs)
    print(f"wrote {args.out} ({size / 2**20:.1f} MiB)")


def scan_workloads(args, compile_):
    bench = []
    for name, kind, shape, options in SCANS:
        src = os.path.join(args.out, "bench", name + ".mlir")
        open(src, "w").write(scan_module(name, kind, shape))
        print(f"compiling {name}", flush=True)
        run([compile_, src, "-o", os.path.join(args.out, "bench", name + ".so"), "--target=cuda",
             f"--cuda-options=chip={args.chip} {args.cuda_options}{options}".rstrip()])
        bench.append({"name": name, "function": name, "library": f"bench/{name}.so",
                      "kind": "scan", "op": kind, "shape": shape})
    return bench


if __name__ == "__main__":
    main()
