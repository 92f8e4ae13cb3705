"""PTX of icl's fused attention kernels as the compiler emits them, and their launches.

For the kernel checks test_flash_kernel.py and test_decode_kernel.py: a module of one
icl.attention goes through build/bin/icl-compile --target=cuda --emit=ptx (the kernels are
built by passes/cuda/AttentionKernels.cpp for the element type and head dimension), and
build/bin/icl-opt --icl-cuda-attention shows how the compiler launches them (block size,
dynamic shared memory, grid). Needs the build tools and nothing else (no GPU, no torch).
"""
import os
import re
import subprocess
import tempfile

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "bin")


def attention_module(elt, d, hq, hkv, sq, skv):
    """A module of one causal icl.attention over [1, H, S, D] tensors."""
    q, kv = f"tensor<1x{hq}x{sq}x{d}x{elt}>", f"tensor<1x{hkv}x{skv}x{d}x{elt}>"
    return (f"func.func @main(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n"
            f"  %0 = icl.attention %q, %k, %v {{mask_kind = #icl.mask<causal>}} : "
            f"({q}, {kv}, {kv}) -> {q}\n"
            f"  return %0 : {q}\n}}\n")


def compile_attention(module, ptx_path, chip="sm_90", tools=TOOLS):
    """Writes the PTX of `module` (MLIR text) to ptx_path; returns the launches of its
    kernels in order, each {"entry": PTX entry name, "grid": (x, y, z), "threads": N,
    "shared": dynamic shared memory bytes}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "attention.mlir")
        with open(path, "w") as f:
            f.write(module)
        subprocess.run([os.path.join(tools, "icl-compile"), path, "--target=cuda", "--emit=ptx",
                        f"--cuda-options=chip={chip}", "-o", ptx_path], check=True)
        ir = subprocess.run([os.path.join(tools, "icl-opt"), path, "--icl-cuda-attention",
                             "--canonicalize"], check=True, capture_output=True, text=True).stdout
    entries = re.findall(r"\.entry (\w+)\(", open(ptx_path).read())
    launches = []
    pattern = (r"gpu\.launch_func\s+@\w+::@(\w+) blocks in \(%c(\d+), %c(\d+), %c(\d+)\) "
               r"threads in \(%c(\d+), %c1, %c1\)\s+dynamic_shared_memory_size %c(\d+)_i32")
    for func, gx, gy, gz, threads, shared in re.findall(pattern, ir):
        # One kernel of a gpu.module takes the module's name; several keep theirs after it.
        entry = [e for e in entries if e.endswith(func.removeprefix("icl_"))
                 or e.startswith(func)]
        launches.append({"entry": entry[0], "grid": (int(gx), int(gy), int(gz)),
                         "threads": int(threads), "shared": int(shared)})
    return launches
