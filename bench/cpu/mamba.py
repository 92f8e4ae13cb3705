#!/usr/bin/env python3
"""Workload C3 (BENCHMARKS.md): one Mamba-1 block (as in mamba_simple.py), B1
L2048, d_model 512, expand 2 (d_inner 1024), d_state 16, d_conv 4, dt_rank 32,
fp32, with seeded random weights:

    x -> rms_norm -> in_proj (no bias) -> split xs, z -> causal depthwise conv1d
      (kernel 4, bias) -> silu -> x_proj (no bias) -> dt, B, C -> dt_proj (no bias;
      its bias is the scan's delta_bias, with softplus) -> selective scan with
      A = -exp(A_log), D skip and the z gate y * silu(z) -> out_proj (no bias) -> + x

Writes mamba.onnx (the PyTorch block exported at opset 17, as ONNX Runtime
sees it), mamba.mlir (the same block as one icl function, weights embedded as
dense resources), x.npy and PyTorch's output torch_out.npy. Checks the
chunked scan against a step-by-step scan, and the exported graph, run once by
onnxruntime-node (from $ORT_NODE, else OUT_DIR/../node_modules), against
PyTorch; exits non-zero on a mismatch beyond 1e-4.

    /usr/bin/python3 bench/cpu/mamba.py OUT_DIR

The scan in the exported graph: a step-by-step loop over L = 2048 unrolls far
too big, so the block scans in chunks of CHUNK steps. Within a chunk the
recurrence runs step by step (CHUNK unrolled steps, each on all L/CHUNK chunks
at once); a second unrolled pass over the L/CHUNK chunk ends carries the state
from chunk to chunk; the carried-in state then reaches step t of a chunk
decayed by exp(A * cumsum(delta)) (A is constant in time, so the product of
the per-step decays is one exp). Same math as the op, up to rounding. A
torch.jit.script loop (an ONNX Loop over the 2048 steps, --scan loop) also
exports, but ONNX Runtime runs it slower (2 threads: 180-190 ms against
120-165 ms for the chunked form; chunks of 16 to 256 steps time alike), so the
chunked form is the peer.
"""
import argparse
import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

B, L, DM = 1, 2048, 512
DI, N, W = 2 * DM, 16, 4
R = math.ceil(DM / 16)
EPS = 1e-5
CHUNK = 32


def scan_reference(u, delta, A, Bm, Cm):
    """The recurrence step by step (for checking only): u, delta [B, L, D]
    (delta after softplus), A [D, N], Bm, Cm [B, L, N] -> y [B, L, D] without
    the D skip and gate."""
    h = u.new_zeros(u.shape[0], u.shape[2], A.shape[1])
    ys = []
    for t in range(u.shape[1]):
        h = torch.exp(delta[:, t, :, None] * A) * h + (delta[:, t] * u[:, t])[..., None] * Bm[:, t, None, :]
        ys.append((h * Cm[:, t, None, :]).sum(-1))
    return torch.stack(ys, 1)


def scan_chunked(u, delta, A, Bm, Cm, T=CHUNK):
    """The same recurrence in chunks of T steps (exports as a flat graph)."""
    b, l, d = u.shape
    n, nc = A.shape[1], l // T
    dl, ul = delta.reshape(b, nc, T, d), u.reshape(b, nc, T, d)
    bl, cl = Bm.reshape(b, nc, T, n), Cm.reshape(b, nc, T, n)
    h = u.new_zeros(b, nc, d, n)
    ys = []
    for t in range(T):  # chunk-local states, all chunks at once
        dt = dl[:, :, t]
        h = torch.exp(dt[..., None] * A) * h + (dt * ul[:, :, t])[..., None] * bl[:, :, t, None, :]
        ys.append((h * cl[:, :, t, None, :]).sum(-1))
    y = torch.stack(ys, 2)  # [b, nc, T, d]
    cum = dl.cumsum(2)  # [b, nc, T, d]
    decay = torch.exp(cum[:, :, -1, :, None] * A)  # [b, nc, d, n]: whole-chunk decay
    carried = [u.new_zeros(b, d, n)]  # state entering chunk c
    for c in range(nc - 1):
        carried.append(decay[:, c] * carried[-1] + h[:, c])
    hin = torch.stack(carried, 1)  # [b, nc, d, n]
    y = y + (cl[:, :, :, None, :] * torch.exp(cum[..., None] * A) * hin[:, :, None]).sum(-1)
    return y.reshape(b, l, d)


@torch.jit.script
def scan_loop(u, delta, A, Bm, Cm):
    h = torch.zeros(u.shape[0], u.shape[2], A.shape[1])
    ys = []
    for t in range(u.shape[1]):
        h = torch.exp(delta[:, t].unsqueeze(-1) * A) * h \
            + (delta[:, t] * u[:, t]).unsqueeze(-1) * Bm[:, t].unsqueeze(1)
        ys.append((h * Cm[:, t].unsqueeze(1)).sum(-1))
    return torch.stack(ys, 1)


class MambaBlock(torch.nn.Module):
    def __init__(self, scan=scan_chunked):
        super().__init__()
        self.scan = scan
        self.norm_g = torch.nn.Parameter(1 + 0.1 * torch.randn(DM))
        self.in_proj = torch.nn.Linear(DM, 2 * DI, bias=False)
        self.conv1d = torch.nn.Conv1d(DI, DI, W, groups=DI, padding=W - 1)
        self.x_proj = torch.nn.Linear(DI, R + 2 * N, bias=False)
        self.dt_proj = torch.nn.Linear(R, DI)
        # Mamba's initialisation: dt_proj weight uniform in +-R^-0.5, its bias the
        # inverse softplus of dt log-uniform in [1e-3, 0.1], A_log = log(1..N).
        with torch.no_grad():
            self.dt_proj.weight.uniform_(-R ** -0.5, R ** -0.5)
            dt = torch.exp(torch.rand(DI) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        self.A_log = torch.nn.Parameter(torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(DI, 1))
        self.Ds = torch.nn.Parameter(1 + 0.1 * torch.randn(DI))
        self.out_proj = torch.nn.Linear(DI, DM, bias=False)

    def forward(self, x):
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.norm_g
        xs, z = self.in_proj(h).chunk(2, dim=-1)  # [B, L, DI] each
        xs = F.silu(self.conv1d(xs.transpose(1, 2))[..., :L]).transpose(1, 2)  # [B, L, DI]
        dt, bm, cm = self.x_proj(xs).split([R, N, N], dim=-1)
        delta = F.softplus(dt @ self.dt_proj.weight.t() + self.dt_proj.bias)
        A = -torch.exp(self.A_log)
        y = self.scan(xs, delta, A, bm, cm) + xs * self.Ds
        return x + self.out_proj(y * F.silu(z))


def _t(*shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape))


def f32(t):
    return t.detach().contiguous().float().numpy().astype("<f4").tobytes()


def emit_module(m):
    """The block as one icl function; weights as dense resources (see examples/models/gpt_icl.py)."""
    params = {"norm_g": f32(m.norm_g), "w_in": f32(m.in_proj.weight),
              "conv_w": f32(m.conv1d.weight.reshape(DI, W)), "conv_b": f32(m.conv1d.bias),
              "w_x": f32(m.x_proj.weight), "w_dt": f32(m.dt_proj.weight), "dt_b": f32(m.dt_proj.bias),
              "A": f32(-torch.exp(m.A_log)), "Ds": f32(m.Ds), "w_out": f32(m.out_proj.weight)}
    shapes = {"norm_g": [DM], "w_in": [2 * DI, DM], "conv_w": [DI, W], "conv_b": [DI],
              "w_x": [R + 2 * N, DI], "w_dt": [DI, R], "dt_b": [DI], "A": [DI, N], "Ds": [DI],
              "w_out": [DM, DI]}
    x3, ld, dl, ln = _t(B, L, DM), _t(B, L, DI), _t(B, DI, L), _t(B, L, N)
    nl, g4 = _t(B, N, L), _t(B, 1, N, L)
    body = ["%%%s = arith.constant dense_resource<%s> : %s" % (k, k, _t(*shapes[k])) for k in params]

    def transpose(out, inp, in_t, out_t):
        body.append("%%%s_e = tensor.empty() : %s" % (out, out_t))
        body.append("%%%s = linalg.transpose ins(%%%s : %s) outs(%%%s_e : %s) permutation = [0, 2, 1]"
                    % (out, inp, in_t, out, out_t))

    def slice_last(out, inp, in_t, off, size):
        body.append("%%%s = tensor.extract_slice %%%s[0, 0, %d] [%d, %d, %d] [1, 1, 1] : %s to %s"
                    % (out, inp, off, B, L, size, in_t, _t(B, L, size)))

    body.append("%%h = icl.rms_norm %%x gamma(%%norm_g) {eps = %.6e : f64} : (%s, %s) -> %s"
                % (EPS, x3, _t(DM), x3))
    body.append("%%xz = icl.linear %%h, %%w_in : (%s, %s) -> %s" % (x3, _t(2 * DI, DM), _t(B, L, 2 * DI)))
    slice_last("xs", "xz", _t(B, L, 2 * DI), 0, DI)
    slice_last("zs", "xz", _t(B, L, 2 * DI), DI, DI)
    transpose("xt", "xs", ld, dl)
    transpose("zt", "zs", ld, dl)
    body.append("%%u = icl.causal_conv1d %%xt, %%conv_w bias(%%conv_b) {activation = #icl.activation<silu>} "
                ": (%s, %s, %s) -> %s" % (dl, _t(DI, W), _t(DI), dl))
    transpose("ul", "u", dl, ld)
    body.append("%%xdbl = icl.linear %%ul, %%w_x : (%s, %s) -> %s" % (ld, _t(R + 2 * N, DI), _t(B, L, R + 2 * N)))
    slice_last("dtr", "xdbl", _t(B, L, R + 2 * N), 0, R)
    slice_last("bl", "xdbl", _t(B, L, R + 2 * N), R, N)
    slice_last("cl", "xdbl", _t(B, L, R + 2 * N), R + N, N)
    body.append("%%dtl = icl.linear %%dtr, %%w_dt : (%s, %s) -> %s" % (_t(B, L, R), _t(DI, R), ld))
    transpose("dt", "dtl", ld, dl)
    for v in ("b", "c"):
        transpose(v + "t", v + "l", ln, nl)
        body.append("%%%sg = tensor.expand_shape %%%st [[0, 1], [2], [3]] output_shape [%d, 1, %d, %d] : %s into %s"
                    % (v, v, B, N, L, nl, g4))
    body.append("%%y = icl.selective_scan %%u, %%dt, %%A, %%bg, %%cg D(%%Ds) z(%%zt) delta_bias(%%dt_b) "
                "{delta_softplus} : (%s, %s, %s, %s, %s, %s, %s, %s) -> %s"
                % (dl, dl, _t(DI, N), g4, g4, _t(DI), dl, _t(DI), dl))
    transpose("yl", "y", dl, ld)
    body.append("%%o = icl.linear %%yl, %%w_out : (%s, %s) -> %s" % (ld, _t(DM, DI), x3))
    body.append("%%r = arith.addf %%x, %%o : %s" % x3)
    body.append("return %%r : %s" % x3)
    out = ["// One Mamba-1 block (bench/cpu/mamba.py): d_model %d, d_inner %d, d_state %d, d_conv %d, "
           "dt_rank %d, B%d L%d." % (DM, DI, N, W, R, B, L), "module {",
           "  func.func @mamba(%%x: %s) -> %s {" % (x3, x3)]
    out += ["    " + s for s in body] + ["  }", "}", "{-#", "  dialect_resources: {", "    builtin: {"]
    # Dense resource blobs start with their alignment (4 bytes, little endian).
    out.append(",\n".join('      %s: "0x04000000%s"' % (k, params[k].hex()) for k in sorted(params)))
    out += ["    }", "  }", "#-}"]
    return "\n".join(out) + "\n"


def run_ort(onnx_path, x_path, out_path):
    """Runs the exported graph once with onnxruntime-node; None when it is not installed."""
    ort = os.environ.get("ORT_NODE") or os.path.join(os.path.dirname(onnx_path), "..", "node_modules",
                                                     "onnxruntime-node")
    if not os.path.isdir(ort):
        return None
    js = r"""
const fs = require('fs'); const ort = require(process.env.ORT_NODE);
const [model, inp, out] = process.argv.slice(1);
const buf = fs.readFileSync(inp); const hl = buf.readUInt16LE(8);
const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + hl));
(async () => {
  const s = await ort.InferenceSession.create(model, {intraOpNumThreads: 2});
  const r = await s.run({[s.inputNames[0]]: new ort.Tensor('float32', data, [%d, %d, %d])});
  fs.writeFileSync(out, Buffer.from(r[s.outputNames[0]].data.buffer));
})().catch(e => { console.error(e.message); process.exit(1); });
""" % (B, L, DM)
    subprocess.run(["node", "-e", js, onnx_path, x_path, out_path], check=True,
                   env=dict(os.environ, ORT_NODE=os.path.abspath(ort)))
    return np.fromfile(out_path, dtype="<f4").reshape(B, L, DM)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scan", choices=["chunked", "loop"], default="chunked",
                    help="the scan in the exported graph (default: chunked, the faster in ONNX Runtime)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    model = MambaBlock(scan_chunked if args.scan == "chunked" else scan_loop).eval()
    x = torch.randn(B, L, DM)
    with torch.no_grad():
        out = model(x)
        model.scan = scan_reference
        ref = model(x)
        model.scan = scan_chunked if args.scan == "chunked" else scan_loop
    d = (out - ref).abs().max().item()
    print("%s scan vs step-by-step scan: max abs error %.3g (max |out| %.3g)"
          % (args.scan, d, out.abs().max().item()), file=sys.stderr)
    if d > 1e-4:
        sys.exit("the %s scan does not match the step-by-step scan" % args.scan)
    x_path = os.path.join(args.out, "x.npy")
    np.save(x_path, x.numpy())
    np.save(os.path.join(args.out, "torch_out.npy"), out.numpy())
    onnx_path = os.path.join(args.out, "mamba.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (x,), onnx_path, opset_version=17, input_names=["x"], output_names=["y"])
    with open(os.path.join(args.out, "mamba.mlir"), "w") as f:
        f.write(emit_module(model))
    o = run_ort(onnx_path, x_path, os.path.join(args.out, "ort_out.f32"))
    if o is None:
        print("onnxruntime-node not found: exported graph not checked", file=sys.stderr)
    else:
        d = np.abs(o - out.numpy()).max()
        print("ONNX Runtime (exported graph) vs PyTorch: max abs error %.3g" % d, file=sys.stderr)
        if d > 1e-4:
            sys.exit("the exported graph does not match PyTorch")
    print("wrote %s/{mamba.onnx,mamba.mlir,x.npy,torch_out.npy}" % args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
