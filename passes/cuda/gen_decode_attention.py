#!/usr/bin/env python3
"""Generates passes/cuda/DecodeAttention.mlir (split-KV decode attention kernels).

    python3 passes/cuda/gen_decode_attention.py > passes/cuda/DecodeAttention.mlir

The output is a text template: the compiler substitutes @ELT@ (bf16 | f16) and @D@ (64 | 128)
before parsing. The unrolled code is written for D = 128; the second half of the head
dimension (d >= 64) sits behind `scf.if %d_is_128`, a constant once @D@ is substituted, so the
D = 64 instance folds it away. Likewise the tensor-core op is emitted for both element types and
picked by `%elt_is_bf16` (a folded constant): nvvm.mma.sync takes i32 operands for bf16 and
vector<2xf16> for f16, and this keeps the template free of a derived type token.

Options (defaults are what DecodeAttention.mlir is generated with):
  --keys-per-warp-step=16|32  keys a warp loads per step (U = 1 | 2 MMA tiles of 16 keys per
                              online-softmax update). 16: 234 registers on sm_90, none spilled on
                              sm_80/sm_90; 32 reached 255 registers (12 B spilled on sm_80) and
                              measured the same speed on H200.
  --min-blocks-per-sm=N       emit nvvm.minctasm (3 with U=1 caps at 168 registers, spills, slower).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlir_text import TextEmitter  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--keys-per-warp-step", type=int, default=16, choices=(16, 32))
p.add_argument("--min-blocks-per-sm", type=int, default=0)
args = p.parse_args()
U = args.keys_per_warp_step // 16
NW = 4                 # warps per block
NTHREADS = 32 * NW
TILE = NW * 16 * U     # keys per block iteration
CTHREADS = 256         # combine kernel block size

E = "@ELT@"
V8 = f"vector<8x{E}>"
V2 = f"vector<2x{E}>"
MMA_T = "!llvm.struct<(f32, f32, f32, f32)>"
WG = "#gpu.address_space<workgroup>"


class Emitter(TextEmitter):
    fresh = TextEmitter.name
    __call__ = TextEmitter.raw

    def const(self, val, ty):
        key = (val, ty)
        if key not in self.consts:
            name = f"%cst{len(self.consts)}"
            self.consts[key] = name
            if ty == "i1" or ty.startswith("vector"):
                self.const_lines.append(f"    {name} = arith.constant {val}")
            else:
                self.const_lines.append(f"    {name} = arith.constant {val} : {ty}")
        return self.consts[key]

    # ---- helpers -------------------------------------------------------------------------
    def idx(self, v):
        return self.const(v, "index")

    def i32(self, v):
        return self.const(v, "i32")

    def f32(self, v):
        return self.const(v, "f32")

    def add(self, a, b, ty="index"):
        return self.op(f"arith.addi {a}, {b} : {ty}")

    def sub(self, a, b, ty="index"):
        return self.op(f"arith.subi {a}, {b} : {ty}")

    def mul(self, a, b, ty="index"):
        return self.op(f"arith.muli {a}, {b} : {ty}")

    def minsi(self, a, b, ty="index"):
        return self.op(f"arith.minsi {a}, {b} : {ty}")

    def cmp(self, pred, a, b, ty="index"):
        return self.op(f"arith.cmpi {pred}, {a}, {b} : {ty}")

    def fadd(self, a, b):
        return self.op(f"arith.addf {a}, {b} : f32")

    def fmul(self, a, b):
        return self.op(f"arith.mulf {a}, {b} : f32")

    def fmax(self, a, b):
        return self.op(f"llvm.intr.maxnum({a}, {b}) : (f32, f32) -> f32")

    def sel(self, c, a, b, ty="f32"):
        return self.op(f"arith.select {c}, {a}, {b} : {ty}")

    def ex2(self, x):
        return self.op(f'llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"({x}) : (f32) -> f32')

    def lg2(self, x):
        return self.op(f'llvm.call_intrinsic "llvm.nvvm.lg2.approx.f"({x}) : (f32) -> f32')

    def shfl_xor(self, x, off):
        r = self.fresh()
        self(f"{r}, %{r[1:]}_ok = gpu.shuffle xor {x}, {self.i32(off)}, {self.i32(32)} : f32")
        return r

    def to_index(self, x, ty="i32"):
        return self.op(f"arith.index_cast {x} : {ty} to index")

    def guard_m(self, m):
        """m == -inf ? 0 : m  (the exponent base of a row that saw no unmasked key yet)."""
        isinf = self.op(f"arith.cmpf oeq, {m}, {self.f32('0xFF800000')} : f32")
        return self.sel(isinf, self.f32("0.0"), m)

    def words(self, v8):
        w = self.op(f"vector.bitcast {v8} : {V8} to vector<4xi32>")
        return [self.op(f"vector.extract {w}[{i}] : i32 from vector<4xi32>") for i in range(4)]

    def pack_f32(self, a, b):
        f2 = self.op(f"vector.from_elements {a}, {b} : vector<2xf32>")
        h2 = self.op(f"arith.truncf {f2} : vector<2xf32> to {V2}")
        w = self.op(f"vector.bitcast {h2} : {V2} to vector<1xi32>")
        return self.op(f"vector.extract {w}[0] : i32 from vector<1xi32>")

    def pack_pair(self, va, vb, e):
        h2 = self.op(f"vector.shuffle {va}, {vb} [{e}, {8 + e}] : {V8}, {V8}")
        w = self.op(f"vector.bitcast {h2} : {V2} to vector<1xi32>")
        return self.op(f"vector.extract {w}[0] : i32 from vector<1xi32>")

    def mma(self, a, b, c):
        """D = A(16x16) * B(16x8) + C, f32 accumulate; A, B as packed i32 words."""
        attrs = ("{layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, "
                 "multiplicandAPtxType = #nvvm.mma_type<%s>, multiplicandBPtxType = #nvvm.mma_type<%s>, "
                 "shape = #nvvm.shape<m = 16, n = 8, k = 16>}")
        rb = self.op(f"nvvm.mma.sync A[{', '.join(a)}] B[{', '.join(b)}] C[{', '.join(c)}] "
                     f"{attrs % ('bf16', 'bf16')} : (i32, i32, f32) -> {MMA_T}")
        ah = [self.op(f"llvm.bitcast {x} : i32 to vector<2xf16>") for x in a]
        bh = [self.op(f"llvm.bitcast {x} : i32 to vector<2xf16>") for x in b]
        rh = self.op(f"nvvm.mma.sync A[{', '.join(ah)}] B[{', '.join(bh)}] C[{', '.join(c)}] "
                     f"{attrs % ('f16', 'f16')} : (vector<2xf16>, vector<2xf16>, f32) -> {MMA_T}")
        r = self.op(f"llvm.select %elt_is_bf16, {rb}, {rh} : i1, {MMA_T}")
        return [self.op(f"llvm.extractvalue {r}[{i}] : {MMA_T}") for i in range(4)]

    def if_(self, cond, types, then_fn, else_fn):
        """scf.if with results; then_fn/else_fn emit ops and return the yielded names."""
        r = self.fresh("if")
        n = len(types)
        head = f"{r}:{n} = " if n > 1 else (f"{r} = " if n == 1 else "")
        tys = f" -> ({', '.join(types)})" if n else ""
        self(f"{head}scf.if {cond}{tys} {{")
        self.ind += 1
        y = then_fn()
        if n:
            self(f"scf.yield {', '.join(y)} : {', '.join(types)}")
        self.ind -= 1
        if else_fn is not None:
            self("} else {")
            self.ind += 1
            y = else_fn()
            if n:
                self(f"scf.yield {', '.join(y)} : {', '.join(types)}")
            self.ind -= 1
        self("}")
        if n == 1:
            return [r]
        return [f"{r}#{i}" for i in range(n)]


HEADER = f"""\
// Split-KV decode attention (flash-decoding) for CUDA: a text template.
// GENERATED by passes/cuda/gen_decode_attention.py -- edit the generator, not this file.
//
// Placeholders (substituted as text before parsing; no derived tokens):
//   @ELT@  element type of q, k, v and o: bf16 | f16
//   @D@    head dim: 64 | 128
// The d >= 64 half of the unrolled code is behind `scf.if %d_is_128` and the bf16/f16 tensor-core
// op is picked by `%elt_is_bf16`; both are constants after substitution and fold away.
//
// Math (OPS.md "Attention family"): q [B,Hq,Sq,D], k/v [B,Hkv,Skv,D] contiguous, group = Hq/Hkv,
// query head h reads kv head h/group. Logits, in the log2 domain:
//   s2 = scale_log2 * q.k + log2(e) * mask[b,h,i,j] + log2(key_sizes[b,j])
// causal (mask_kind 1): key j visible to query i iff j <= i + Skv - Sq; window (mask_kind 2):
// causal and i + Skv - Sq - j < window. A fully masked row gives o = 0.
//
// Per (b, kv head hk) the R = group*Sq query rows (R <= 16) are one 16-row MMA tile:
// row r <-> query head h = hk*group + r/Sq, query i = r%Sq (so the rows are the contiguous
// q[b, hk*group .. hk*group+group-1, :, :]); rows r >= R are zero padding.
//
// ---- kernel 1: @icl_decode_partial ------------------------------------------------------------
//   grid  = (splits, Hkv, B), block = ({NTHREADS}, 1, 1), dynamic shared memory = 0
//   (static workgroup memory: 4*16*D*4 + 512 bytes = 33280 B for D = 128, 16896 B for D = 64).
//   Split s covers keys [s*chunk, min((s+1)*chunk, Skv)); any chunk >= 1 and any splits with
//   splits*chunk >= Skv are correct (an empty split writes m = -inf, l = 0, o = 0).
//   Writes o_part [B, Hkv, splits, R, D] f32 (unnormalised) and ml_part [B, Hkv, splits, R, 2] f32
//   (m in the log2 domain, l = sum of 2^(s2 - m)).
//   mask / key_sizes: dummy memrefs (size >= 1) when has_mask / has_key_sizes = 0; not read then.
//   mask element (b,h,i,j) is mask[b*mask_sb + h*mask_sh + i*mask_si + j*mask_sj] (stride 0 =
//   broadcast); key_sizes is [B, Skv] contiguous.
//   Inside a block: warp w of 4 takes the {16 * U} keys at split_start + it*{TILE} + w*{16 * U} in
//   iteration it (16-byte coalesced loads; q.k^T and p.v on tensor cores, mma.m16n8k16, f32
//   accumulate; online softmax with ex2.approx); the four warp states merge through shared memory.
//
// ---- kernel 2: @icl_decode_combine -------------------------------------------------------------
//   grid  = (Hq*Sq, B, 1), block = ({CTHREADS}, 1, 1), dynamic shared memory = 0
//   (static workgroup memory 4224 B). One block per output row (b, h, i); writes o[b,h,i,:].
//
// ---- choosing chunk / splits (host side) -------------------------------------------------------
//   TILE = {TILE} keys (one block iteration), numSMs = 132 on H200. Kernel 1 uses ~234 registers
//   at 128 threads, so 2 blocks are resident per SM; the rule makes one full wave:
//   want   = max(1, floor(2*numSMs / (B*Hkv)))
//   chunk  = max(512, roundup(ceil(Skv / want), TILE))
//   splits = ceil(Skv / chunk)
//   e.g. B=1, Hkv=32, Skv=65536: want 8, chunk 8192, splits 8 (256 blocks); B=1, Hkv=8: chunk 2048,
//   splits 32. (Measured on H200 at Hkv=32: 12 splits, 1.45 waves, is 13% slower than 8 or 16.)
//
// Lowering: the pipeline of the brief works unchanged, e.g.
//   builtin.module(gpu.module(convert-scf-to-cf,lower-affine),convert-nvgpu-to-nvvm,
//     gpu.module(convert-math-to-llvm,convert-gpu-to-nvvm{{index-bitwidth=64}},canonicalize,cse),
//     reconcile-unrealized-casts,nvvm-attach-target{{chip=sm_90 features=+ptx80 O=3}},
//     gpu-module-to-binary{{format=isa toolkit=...}})
//   (no libdevice call is produced: exp2/log2 are ex2.approx/lg2.approx intrinsics, max is
//   llvm.intr.maxnum; arith.maxnumf would become __nv_fmaxf under convert-gpu-to-nvvm).
"""


def gen_partial(em):
    em.const_lines = []
    body = em.lines
    # ------------------------------------------------------------------ prologue
    tid = em.op("gpu.thread_id x", "tid")
    split = em.op("gpu.block_id x", "split")
    hk = em.op("gpu.block_id y", "hk")
    b = em.op("gpu.block_id z", "b")
    lane = em.op(f"arith.remui {tid}, {em.idx(32)} : index", "lane")
    w = em.op(f"arith.divui {tid}, {em.idx(32)} : index", "warp")
    g = em.op(f"arith.divui {lane}, {em.idx(4)} : index", "g")
    c = em.op(f"arith.remui {lane}, {em.idx(4)} : index", "c")
    hq_i = em.to_index("%hq")
    group_i = em.to_index("%group")
    sq_i = em.to_index("%sq")
    skv_i = em.to_index("%skv")
    chunk_i = em.to_index("%chunk")
    splits_i = em.to_index("%splits")
    R = em.mul(group_i, sq_i)
    hkv = em.op(f"arith.divui {hq_i}, {group_i} : index", "hkv")
    ks = em.mul(split, chunk_i)
    ke0 = em.add(ks, chunk_i)
    ke = em.minsi(ke0, skv_i)
    ke_m1 = em.sub(ke, em.idx(1))
    nkeys = em.op(f"arith.maxsi {em.sub(ke, ks)}, {em.idx(0)} : index")
    niter = em.op(f"arith.ceildivsi {nkeys}, {em.idx(TILE)} : index", "niter")
    cD = em.idx("@D@")
    bhk = em.add(em.mul(b, hkv), hk)
    kvbase = em.mul(em.mul(bhk, skv_i), cD, )
    qrow0 = em.mul(em.add(em.mul(b, hq_i), em.mul(hk, group_i)), sq_i)
    R_m1 = em.sub(R, em.idx(1))
    skv_sq = em.sub(skv_i, sq_i)
    has_mask = em.cmp("ne", "%has_mask", em.i32(0), "i32")
    has_ks = em.cmp("ne", "%has_key_sizes", em.i32(0), "i32")
    kind0 = em.cmp("eq", "%mask_kind", em.i32(0), "i32")
    kind1 = em.cmp("eq", "%mask_kind", em.i32(1), "i32")
    kind2 = em.cmp("eq", "%mask_kind", em.i32(2), "i32")
    window_i = em.to_index("%window")
    nofeat = em.op(f"arith.ori {has_mask}, {has_ks} : i1")
    nofeat = em.op(f"arith.xori {nofeat}, {em.const('true', 'i1')} : i1", "nofeat")
    sb = em.to_index("%mask_sb", "i64")
    sh = em.to_index("%mask_sh", "i64")
    si = em.to_index("%mask_si", "i64")
    sj = em.to_index("%mask_sj", "i64")
    ksbase = em.mul(b, skv_i)
    zero8 = em.const(f"dense<0.0> : {V8}", V8)
    ninf = em.f32("0xFF800000")
    fz = em.f32("0.0")
    log2e = em.f32("1.44269504")
    chunkc = [em.add(em.idx(4 * j), c) if j else c for j in range(4)]

    # per-thread rows: ra = g, rb = g + 8
    rows = {}
    for name, roff in (("a", 0), ("b", 8)):
        r = em.add(g, em.idx(roff)) if roff else g
        valid = em.cmp("slt", r, R)
        rc = em.minsi(r, R_m1)
        h = em.add(em.mul(hk, group_i), em.op(f"arith.divui {rc}, {sq_i} : index"))
        i = em.op(f"arith.remui {rc}, {sq_i} : index")
        lim = em.add(i, skv_sq)                       # last visible key (causal)
        mrow = em.add(em.add(em.mul(b, sb), em.mul(h, sh)), em.mul(i, si))
        qaddr = em.mul(em.add(qrow0, rc), cD)
        rows[name] = dict(valid=valid, lim=lim, mrow=mrow, qaddr=qaddr)

    def load8(mem, addr):
        return em.op(f"vector.load {mem}[{addr}] {{alignment = 16 : i64}} : memref<?x{E}>, {V8}")

    # Q fragments: qw[row][j] = 4 words of chunk 4j+c
    def load_q(js):
        out = []
        for name in ("a", "b"):
            for j in js:
                a = em.add(rows[name]["qaddr"], em.mul(chunkc[j], em.idx(8)))
                v = load8("%q", a)
                out.append(em.op(f"arith.select {rows[name]['valid']}, {v}, {zero8} : {V8}"))
        return out
    qv0 = load_q([0, 1])
    qv1 = em.if_("%d_is_128", [V8] * 4, lambda: load_q([2, 3]), lambda: [zero8] * 4)
    qv = {"a": [qv0[0], qv0[1], qv1[0], qv1[1]], "b": [qv0[2], qv0[3], qv1[2], qv1[3]]}
    qw = {n: [em.words(x) for x in qv[n]] for n in ("a", "b")}

    def qA(s):  # A fragment of k-step s = 2j + h
        j, h = divmod(s, 2)
        return [qw["a"][j][2 * h], qw["b"][j][2 * h], qw["a"][j][2 * h + 1], qw["b"][j][2 * h + 1]]

    # ------------------------------------------------------------------ main loop
    NO = 16  # PV n-tiles for D = 128 (8 per half)
    o_names = [f"%o{nt}_{q}" for nt in range(NO) for q in range(4)]
    iter_names = ["%m_a", "%m_b", "%l_a", "%l_b"] + o_names
    init = [ninf, ninf, fz, fz] + [fz] * len(o_names)
    res = em.fresh("loop")
    em(f"{res}:{len(iter_names)} = scf.for %it = {em.idx(0)} to {niter} step {em.idx(1)} iter_args("
       + ", ".join(f"{n} = {v}" for n, v in zip(iter_names, init)) + ") -> ("
       + ", ".join(["f32"] * len(iter_names)) + ") {")
    em.ind += 1
    kb0 = em.add(em.add(ks, em.mul("%it", em.idx(TILE))), em.mul(w, em.idx(16 * U)), "index")
    kb = [kb0] + [em.add(kb0, em.idx(16 * u)) for u in range(1, U)]
    # ---- loads: K rows kb+8t+g (chunks 4j+c), V rows kb+2c+{0,1,8,9} (chunk 8hf+g)
    krow, vrow = {}, {}
    for u in range(U):
        for t in range(2):
            r = em.minsi(em.add(kb[u], em.add(g, em.idx(8 * t)) if t else g), ke_m1)
            krow[u, t] = em.mul(r, cD)
        c2 = em.mul(c, em.idx(2))
        for q in (0, 1, 8, 9):
            r = em.minsi(em.add(kb[u], em.add(c2, em.idx(q)) if q else c2), ke_m1)
            vrow[u, q] = em.add(em.mul(r, cD), kvbase)
        for t in range(2):
            krow[u, t] = em.add(krow[u, t], kvbase)

    def load_kv(half):
        out = []
        for u in range(U):
            for t in range(2):
                for j in (2 * half, 2 * half + 1):
                    out.append(load8("%k", em.add(krow[u, t], em.mul(chunkc[j], em.idx(8)))))
            gch = em.mul(em.add(g, em.idx(8)) if half else g, em.idx(8))
            for q in (0, 1, 8, 9):
                out.append(load8("%v", em.add(vrow[u, q], gch)))
        return out
    n_kv = U * 8
    kv0 = load_kv(0)
    kv1 = em.if_("%d_is_128", [V8] * n_kv, lambda: load_kv(1), lambda: [zero8] * n_kv)
    K, Vr = {}, {}
    for half, lst in ((0, kv0), (1, kv1)):
        it = iter(lst)
        for u in range(U):
            for t in range(2):
                for j in (2 * half, 2 * half + 1):
                    K[u, t, j] = next(it)
            for q in (0, 1, 8, 9):
                Vr[u, half, q] = next(it)

    # ---- S = Q K^T (per u, t: 4 values c0..c3)
    S = {}
    for u in range(U):
        for t in range(2):
            # two accumulators (even / odd k-steps) halve the dependent MMA chain
            acc = [[fz] * 4, [fz] * 4]
            for s in range(4):
                j, h = divmod(s, 2)
                kw = em.words(K[u, t, j])
                acc[h] = em.mma(qA(s), [kw[2 * h], kw[2 * h + 1]], acc[h])

            def second(acc=acc, u=u, t=t):
                a = [list(acc[0]), list(acc[1])]
                for s in range(4, 8):
                    j, h = divmod(s, 2)
                    kw = em.words(K[u, t, j])
                    a[h] = em.mma(qA(s), [kw[2 * h], kw[2 * h + 1]], a[h])
                return a[0] + a[1]
            r8 = em.if_("%d_is_128", ["f32"] * 8, second, lambda acc=acc: acc[0] + acc[1])
            S[u, t] = [em.fadd(r8[q], r8[4 + q]) for q in range(4)]
    # s2 values in a fixed order: (u, t, e, row)
    order = [(u, t, e, rname) for u in range(U) for t in range(2) for e in range(2) for rname in ("a", "b")]
    s2 = [em.fmul(S[u, t][e + (2 if rn == "b" else 0)], "%scale_log2") for (u, t, e, rn) in order]

    # ---- masking (warp-uniform branch; skipped for full tiles without mask features)
    last = em.add(kb0, em.idx(16 * U - 1))
    full = em.cmp("slt", last, ke)
    c_ok = em.cmp("sle", last, skv_sq)
    w_ok = em.cmp("slt", em.sub(em.sub(skv_i, em.idx(1)), kb0), window_i)
    w_ok = em.op(f"arith.ori {kind1}, {w_ok} : i1")
    c_ok = em.op(f"arith.andi {c_ok}, {w_ok} : i1")
    c_ok = em.op(f"arith.ori {kind0}, {c_ok} : i1")
    fast = em.op(f"arith.andi {em.op(f'arith.andi {nofeat}, {full} : i1')}, {c_ok} : i1")

    def masked():
        keys = []
        for (u, t, e, rn) in order:
            keys.append(em.add(kb[u], em.add(em.mul(c, em.idx(2)), em.idx(8 * t + e))))
        jc = [em.minsi(j, ke_m1) for j in keys]
        vals = list(s2)

        def add_mask():
            out = []
            for n_, (u, t, e, rn) in enumerate(order):
                a = em.add(rows[rn]["mrow"], em.mul(jc[n_], sj))
                mv = em.op(f"memref.load %mask[{a}] : memref<?xf32>")
                out.append(em.op(f"math.fma {mv}, {log2e}, {vals[n_]} : f32"))
            return out
        vals = em.if_(has_mask, ["f32"] * len(vals), add_mask, lambda: vals)

        def add_ks():
            out = []
            for n_ in range(len(order)):
                kv = em.op(f"memref.load %key_sizes[{em.add(ksbase, jc[n_])}] : memref<?xf32>")
                out.append(em.fadd(vals[n_], em.lg2(kv)))
            return out
        vals = em.if_(has_ks, ["f32"] * len(vals), add_ks, lambda: vals)
        out = []
        for n_, (u, t, e, rn) in enumerate(order):
            j = keys[n_]
            lim = rows[rn]["lim"]
            ok = em.cmp("slt", j, ke)
            cv = em.op(f"arith.ori {kind0}, {em.cmp('sle', j, lim)} : i1")
            wv = em.op(f"arith.ori {em.op(f'arith.xori {kind2}, %true_i1 : i1')}, "
                       f"{em.cmp('slt', em.sub(lim, j), window_i)} : i1")
            ok = em.op(f"arith.andi {ok}, {em.op(f'arith.andi {cv}, {wv} : i1')} : i1")
            out.append(em.sel(ok, vals[n_], ninf))
        return out
    s2 = em.if_(fast, ["f32"] * len(s2), lambda: s2, masked)

    # ---- online softmax (log2 domain); row maxima over the 4 lanes of a quad
    newm, alpha, ps = {}, {}, {}
    for rn in ("a", "b"):
        vals = [s2[n_] for n_, o in enumerate(order) if o[3] == rn]
        mx = vals[0]
        for x in vals[1:]:
            mx = em.fmax(mx, x)
        mx = em.fmax(mx, em.shfl_xor(mx, 1))
        mx = em.fmax(mx, em.shfl_xor(mx, 2))
        mn = em.fmax(f"%m_{rn}", mx)
        mu = em.guard_m(mn)
        alpha[rn] = em.ex2(em.op(f"arith.subf %m_{rn}, {mu} : f32"))
        newm[rn] = mn
        ps[rn] = mu
    P = []
    for n_, o in enumerate(order):
        P.append(em.ex2(em.op(f"arith.subf {s2[n_]}, {ps[o[3]]} : f32")))
    newl = {}
    for rn in ("a", "b"):
        acc = em.fmul(f"%l_{rn}", alpha[rn])
        for n_, o in enumerate(order):
            if o[3] == rn:
                acc = em.fadd(acc, P[n_])
        newl[rn] = acc
    pidx = {o: n_ for n_, o in enumerate(order)}
    PA = []
    for u in range(U):
        def pk(t, rn):
            return em.pack_f32(P[pidx[u, t, 0, rn]], P[pidx[u, t, 1, rn]])
        PA.append([pk(0, "a"), pk(0, "b"), pk(1, "a"), pk(1, "b")])

    # ---- O = alpha*O + P V
    def pv(half):
        out = []
        for e8 in range(8):
            nt = 8 * half + e8
            o = [f"%o{nt}_{q}" for q in range(4)]
            o = [em.fmul(o[0], alpha["a"]), em.fmul(o[1], alpha["a"]),
                 em.fmul(o[2], alpha["b"]), em.fmul(o[3], alpha["b"])]
            for u in range(U):
                bw = [em.pack_pair(Vr[u, half, 0], Vr[u, half, 1], e8),
                      em.pack_pair(Vr[u, half, 8], Vr[u, half, 9], e8)]
                o = em.mma(PA[u], bw, o)
            out += o
        return out
    o0 = pv(0)
    o1 = em.if_("%d_is_128", ["f32"] * 32, lambda: pv(1), lambda: o_names[32:])
    em(f"scf.yield {', '.join([newm['a'], newm['b'], newl['a'], newl['b']] + o0 + o1)} : "
       + ", ".join(["f32"] * len(iter_names)))
    em.ind -= 1
    em("}")
    L = [f"{res}#{i}" for i in range(len(iter_names))]
    m_f = {"a": L[0], "b": L[1]}
    l_f = {}
    for n_, rn in ((2, "a"), (3, "b")):
        x = L[n_]
        x = em.fadd(x, em.shfl_xor(x, 1))
        x = em.fadd(x, em.shfl_xor(x, 2))
        l_f[rn] = x
    O = L[4:]

    # ------------------------------------------------------------------ warp states -> smem
    SO = f"memref<4x16x@D@xf32, {WG}>"
    SML = f"memref<4x16x2xf32, {WG}>"
    c0 = em.cmp("eq", c, em.idx(0))

    def st_ml():
        for rn, roff in (("a", 0), ("b", 8)):
            r = em.add(g, em.idx(roff)) if roff else g
            em(f"memref.store {m_f[rn]}, %s_ml[{w}, {r}, {em.idx(0)}] : {SML}")
            em(f"memref.store {l_f[rn]}, %s_ml[{w}, {r}, {em.idx(1)}] : {SML}")
        return []
    em.if_(c0, [], st_ml, None)

    def st_o(half):
        for rn, roff, qq in (("a", 0, 0), ("b", 8, 2)):
            r = em.add(g, em.idx(roff)) if roff else g
            for k in range(2):
                vals = [O[(8 * half + e8) * 4 + qq + k] for e8 in range(8)]
                vec = em.op(f"vector.from_elements {', '.join(vals)} : vector<8xf32>")
                d0 = em.add(em.mul(c, em.idx(16)), em.idx(64 * half + 8 * k))
                em(f"vector.store {vec}, %s_o[{w}, {r}, {d0}] : {SO}, vector<8xf32>")
        return []
    st_o(0)
    em.if_("%d_is_128", [], lambda: st_o(1), None)
    em("gpu.barrier")

    # ------------------------------------------------------------------ merge the 4 warps
    rpp = em.op(f"arith.divui {em.idx(NTHREADS)}, {cD} : index", "rpp")
    r0 = em.op(f"arith.divui {tid}, {cD} : index")
    d = em.op(f"arith.remui {tid}, {cD} : index", "d")
    obase = em.mul(em.add(em.mul(bhk, splits_i), split), R)
    em(f"scf.for %rr = {em.idx(0)} to {em.idx(16)} step {rpp} {{")
    em.ind += 1
    r = em.add("%rr", r0)
    inr = em.cmp("slt", r, R)

    def merge():
        ms = [em.op(f"memref.load %s_ml[{em.idx(k)}, {r}, {em.idx(0)}] : {SML}") for k in range(NW)]
        ls = [em.op(f"memref.load %s_ml[{em.idx(k)}, {r}, {em.idx(1)}] : {SML}") for k in range(NW)]
        os_ = [em.op(f"memref.load %s_o[{em.idx(k)}, {r}, {d}] : {SO}") for k in range(NW)]
        M = ms[0]
        for x in ms[1:]:
            M = em.fmax(M, x)
        Mu = em.guard_m(M)
        l = fz
        o = fz
        for k in range(NW):
            wt = em.ex2(em.op(f"arith.subf {ms[k]}, {Mu} : f32"))
            l = em.op(f"math.fma {wt}, {ls[k]}, {l} : f32")
            o = em.op(f"math.fma {wt}, {os_[k]}, {o} : f32")
        row = em.add(obase, r)
        em(f"memref.store {o}, %o_part[{em.add(em.mul(row, cD), d)}] : memref<?xf32>")

        def st():
            a = em.mul(row, em.idx(2))
            em(f"memref.store {M}, %ml_part[{a}] : memref<?xf32>")
            em(f"memref.store {l}, %ml_part[{em.add(a, em.idx(1))}] : memref<?xf32>")
            return []
        em.if_(em.cmp("eq", d, em.idx(0)), [], st, None)
        return []
    em.if_(inr, [], merge, None)
    em.ind -= 1
    em("}")
    em("gpu.return")


def gen_combine(em):
    em.const_lines = []
    tid = em.op("gpu.thread_id x", "tid")
    n = em.op("gpu.block_id x", "n")
    b = em.op("gpu.block_id y", "b")
    cD = em.idx("@D@")
    DQ = em.op(f"arith.divui {cD}, {em.idx(4)} : index", "dq_n")
    SL = em.op(f"arith.divui {em.idx(CTHREADS)}, {DQ} : index", "sl_n")
    dq = em.op(f"arith.remui {tid}, {DQ} : index", "dq")
    sl = em.op(f"arith.divui {tid}, {DQ} : index", "sl")
    hq_i = em.to_index("%hq")
    group_i = em.to_index("%group")
    sq_i = em.to_index("%sq")
    splits_i = em.to_index("%splits")
    R = em.mul(group_i, sq_i)
    hkv = em.op(f"arith.divui {hq_i}, {group_i} : index")
    hk = em.op(f"arith.divui {n}, {R} : index")
    r = em.sub(n, em.mul(hk, R))
    bhk = em.add(em.mul(b, hkv), hk)
    sp_m1 = em.sub(splits_i, em.idx(1))
    ninf = em.f32("0xFF800000")
    fz = em.f32("0.0")
    d4 = em.mul(dq, em.idx(4))
    UNR = 4
    step = em.mul(SL, em.idx(UNR))
    z4 = em.const("dense<0.0> : vector<4xf32>", "vector<4xf32>")
    res = em.fresh("loop")
    em(f"{res}:3 = scf.for %s0 = {sl} to {splits_i} step {step} iter_args(%am = {ninf}, %al = {fz}, "
       f"%ao = {z4}) -> (f32, f32, vector<4xf32>) {{")
    em.ind += 1
    ms, ls, os_ = [], [], []
    for k in range(UNR):
        s = em.add("%s0", em.mul(SL, em.idx(k))) if k else "%s0"
        valid = em.cmp("slt", s, splits_i)
        sc = em.minsi(s, sp_m1)
        row = em.add(em.mul(em.add(em.mul(bhk, splits_i), sc), R), r)
        a = em.mul(row, em.idx(2))
        mv = em.op(f"memref.load %ml_part[{a}] : memref<?xf32>")
        ms.append(em.sel(valid, mv, ninf))
        ls.append(em.op(f"memref.load %ml_part[{em.add(a, em.idx(1))}] : memref<?xf32>"))
        os_.append(em.op(f"vector.load %o_part[{em.add(em.mul(row, cD), d4)}] {{alignment = 16 : i64}} : "
                         f"memref<?xf32>, vector<4xf32>"))
    M = "%am"
    for x in ms:
        M = em.fmax(M, x)
    Mu = em.guard_m(M)
    a0 = em.ex2(em.op(f"arith.subf %am, {Mu} : f32"))
    l = em.fmul("%al", a0)
    o = em.op(f"arith.mulf %ao, {em.op(f'vector.broadcast {a0} : f32 to vector<4xf32>')} : vector<4xf32>")
    for k in range(UNR):
        wt = em.ex2(em.op(f"arith.subf {ms[k]}, {Mu} : f32"))
        # a padded slot has weight 0; select keeps a garbage-free sum
        l = em.op(f"math.fma {wt}, {ls[k]}, {l} : f32")
        wv = em.op(f"vector.broadcast {wt} : f32 to vector<4xf32>")
        o = em.op(f"math.fma {wv}, {os_[k]}, {o} : vector<4xf32>")
    em(f"scf.yield {M}, {l}, {o} : f32, f32, vector<4xf32>")
    em.ind -= 1
    em("}")
    SO = f"memref<1024xf32, {WG}>"
    SML = f"memref<32xf32, {WG}>"
    em(f"vector.store {res}#2, %s_o[{em.add(em.mul(sl, cD), d4)}] : {SO}, vector<4xf32>")

    def st():
        em(f"memref.store {res}#0, %s_ml[{em.mul(sl, em.idx(2))}] : {SML}")
        em(f"memref.store {res}#1, %s_ml[{em.add(em.mul(sl, em.idx(2)), em.idx(1))}] : {SML}")
        return []
    em.if_(em.cmp("eq", dq, em.idx(0)), [], st, None)
    em("gpu.barrier")

    def fin():
        res2 = em.fresh("fin")
        em(f"{res2}:3 = scf.for %k = {em.idx(0)} to {SL} step {em.idx(1)} iter_args(%fm = {ninf}, %fl = {fz}, "
           f"%fo = {z4}) -> (f32, f32, vector<4xf32>) {{")
        em.ind += 1
        mk = em.op(f"memref.load %s_ml[{em.mul('%k', em.idx(2))}] : {SML}")
        lk = em.op(f"memref.load %s_ml[{em.add(em.mul('%k', em.idx(2)), em.idx(1))}] : {SML}")
        ok = em.op(f"vector.load %s_o[{em.add(em.mul('%k', cD), d4)}] : {SO}, vector<4xf32>")
        M2 = em.fmax("%fm", mk)
        Mu2 = em.guard_m(M2)
        a_old = em.ex2(em.op(f"arith.subf %fm, {Mu2} : f32"))
        a_new = em.ex2(em.op(f"arith.subf {mk}, {Mu2} : f32"))
        l2 = em.op(f"math.fma {a_new}, {lk}, {em.fmul('%fl', a_old)} : f32")
        vo = em.op(f"vector.broadcast {a_old} : f32 to vector<4xf32>")
        vn = em.op(f"vector.broadcast {a_new} : f32 to vector<4xf32>")
        o2 = em.op(f"math.fma {vn}, {ok}, {em.op(f'arith.mulf %fo, {vo} : vector<4xf32>')} : vector<4xf32>")
        em(f"scf.yield {M2}, {l2}, {o2} : f32, f32, vector<4xf32>")
        em.ind -= 1
        em("}")
        lsum = f"{res2}#1"
        pos = em.op(f"arith.cmpf ogt, {lsum}, {fz} : f32")
        inv = em.op(f"arith.divf {em.f32('1.0')}, {lsum} : f32")
        inv = em.sel(pos, inv, fz)
        out = em.op(f"arith.mulf {res2}#2, {em.op(f'vector.broadcast {inv} : f32 to vector<4xf32>')} : vector<4xf32>")
        outh = em.op(f"arith.truncf {out} : vector<4xf32> to vector<4x{E}>")
        oaddr = em.add(em.mul(em.add(em.mul(em.mul(b, hq_i), sq_i), n), cD), d4)
        em(f"vector.store {outh}, %o[{oaddr}] {{alignment = 8 : i64}} : memref<?x{E}>, vector<4x{E}>")
        return []
    em.if_(em.cmp("eq", sl, em.idx(0)), [], fin, None)
    em("gpu.return")


def func(em, sig, gen):
    em.lines = []
    em.ind = 2
    em.consts = {}
    gen(em)
    out = [sig]
    out.append(f"    %true_i1 = arith.constant true")
    out.append(f"    %elt_one = arith.constant 1.0 : {E}")
    out.append(f"    %elt_bits = arith.bitcast %elt_one : {E} to i16")
    out.append(f"    %bf16_one_bits = arith.constant 16256 : i16")
    out.append(f"    %elt_is_bf16 = arith.cmpi eq, %elt_bits, %bf16_one_bits : i16")
    out.append(f"    %head_dim = arith.constant @D@ : index")
    out.append(f"    %c128_d = arith.constant 128 : index")
    out.append(f"    %d_is_128 = arith.cmpi eq, %head_dim, %c128_d : index")
    out += [l for l in em.const_lines if "const" in l]
    out += em.lines
    out.append("  }")
    return "\n".join(out)


def main():
    em = Emitter()
    maxntid = f"nvvm.maxntid = array<i32: {NTHREADS}, 1, 1>"
    if args.min_blocks_per_sm:
        maxntid += f", nvvm.minctasm = {args.min_blocks_per_sm} : i32"
    sig1 = (f"  gpu.func @icl_decode_partial(%q: memref<?x{E}>, %k: memref<?x{E}>, %v: memref<?x{E}>,\n"
            f"      %o_part: memref<?xf32>, %ml_part: memref<?xf32>, %mask: memref<?xf32>, %key_sizes: memref<?xf32>,\n"
            f"      %hq: i32, %group: i32, %sq: i32, %skv: i32, %scale_log2: f32, %mask_kind: i32, %window: i32,\n"
            f"      %has_mask: i32, %mask_sb: i64, %mask_sh: i64, %mask_si: i64, %mask_sj: i64,\n"
            f"      %has_key_sizes: i32, %chunk: i32, %splits: i32)\n"
            f"      workgroup(%s_o : memref<4x16x@D@xf32, {WG}>, %s_ml : memref<4x16x2xf32, {WG}>)\n"
            f"      kernel attributes {{known_block_size = array<i32: {NTHREADS}, 1, 1>, {maxntid}}} {{")
    sig2 = (f"  gpu.func @icl_decode_combine(%o_part: memref<?xf32>, %ml_part: memref<?xf32>, %o: memref<?x{E}>,\n"
            f"      %hq: i32, %group: i32, %sq: i32, %splits: i32)\n"
            f"      workgroup(%s_o : memref<1024xf32, {WG}>, %s_ml : memref<32xf32, {WG}>)\n"
            f"      kernel attributes {{known_block_size = array<i32: {CTHREADS}, 1, 1>, "
            f"nvvm.maxntid = array<i32: {CTHREADS}, 1, 1>}} {{")
    text = HEADER + "gpu.module @icl_decode_attention {\n"
    text += func(em, sig1, gen_partial) + "\n\n" + func(em, sig2, gen_combine) + "\n}\n"
    print(text, end="")


main()
