#!/usr/bin/env python3
"""Generates passes/cuda/FlashAttention.mlir, the fused prefill attention kernel template.

    python3 passes/cuda/gen_flash_attention.py > passes/cuda/FlashAttention.mlir

The generated file is the artifact the compiler reads; this script only exists so the fully
unrolled fragment code (mma / ldmatrix / softmax over every register fragment) does not have
to be written by hand.  The kernel body is emitted twice, once specialised for D = 128 and
once for D = 64; the specialisation is selected by `arith.cmpi eq, @D@, 128`, which
canonicalize folds, so after substitution only one body survives.

FlashAttention-2 scheme (see the header comment emitted below for the launch contract):
  * one CTA = BM = 128 query rows of one (batch, head), 4 warps, one warp = 32 query rows
    (two m16 tiles, so every K/V fragment read from shared memory feeds two mma);
    query blocks are taken heaviest first (reverse order) for causal load balance;
  * Q tile: cp.async -> shared; D = 64 keeps the Q fragments in registers for the whole KV
    sweep, D = 128 re-reads them with ldmatrix per KV tile (register budget);
  * K/V tiles of BN = 64 keys: cp.async 16-byte copies into a double buffer (tile j+1 is in
    flight while tile j is consumed), rows padded to D+8 elements (conflict-free ldmatrix);
  * S = Q K^T with mma.sync m16n8k16 (f32 accumulators), online softmax in the exp2
    domain (ex2.approx), row max/sum over the 4 lanes of a quad via shuffles;
    the O rescale is skipped when no row max of the warp moved (vote.any); for D = 128 the
    running max is only raised when a block max exceeds it by more than 8 (log2 units), which
    keeps P <= 256 and makes the skip the common case (exact: l uses the same max);
  * P (the S accumulators, packed to bf16/f16 pairs) is reused directly as the A operand
    of P V; V fragments via ldmatrix.trans;
  * causal / sliding-window: key blocks outside the visible band are skipped through the
    loop bounds; elementwise masking only on blocks that straddle a boundary; additive
    mask / key sizes / non-positive scale go through a separate (uniform-branch) bias path.

Variants for benchmarking: `--cfg nw=8,mt=1,qreg128=1,...` (keys of CFG below; a key with a
64/128 suffix overrides it for that head dim).  Tested on an H200 (bench/gpu/test_flash_kernel.py):
the defaults were the fastest of the variants tried.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlir_text import TextEmitter  # noqa: E402

# kernel configuration (the template is generated with the defaults; `--cfg k=v,...` makes
# variants for benchmarking): nw warps per CTA, mt m16 tiles per warp (BM = 16 * mt * nw query
# rows per CTA), qreg64/qreg128: keep Q fragments in registers for that head dim, bn: keys per
# KV tile, skiprescale: skip the O rescale when no row max moved, lazy: raise the running max
# only by more than this many log2 units (0 = always), minctasm: nvvm.minctasm on the kernel.
# A key suffixed 64/128 (bn128, lazy128, ...) overrides the value for that head dim.
CFG = {"nw": 4, "mt": 2, "qreg64": 1, "qreg128": 0, "minctasm": 0, "bn": 64, "skiprescale": 0,
       "skiprescale64": 1, "lazy": 0, "lazy128": 8}
BN = BM = NWARPS = NT = None   # BN: keys per KV tile


def configure():
    global BM, NWARPS, NT
    NWARPS = CFG["nw"]
    NT = 32 * NWARPS
    BM = 16 * CFG["mt"] * NWARPS


class Emitter(TextEmitter):

    # constants are hoisted to the function entry (they dominate every use)
    def c(self, val, ty):
        key = (val, ty)
        if key not in self.consts:
            if ty == "f32":
                if val == float("-inf"):
                    lit = "0xFF800000"
                else:
                    lit = repr(float(val))
                nm = f"%cf{len(self.consts)}"
            else:
                lit = str(int(val))
                nm = f"%c{ty}_{str(val).replace('-', 'm')}"
            self.consts[key] = (nm, f"{nm} = arith.constant {lit} : {ty}")
        return self.consts[key][0]

    # ---- integer helpers ----
    def bin(self, opn, a, b, ty):
        return self.op(f"arith.{opn} {a}, {b} : {ty}")

    def add(self, a, b, ty="i32"):
        return self.bin("addi", a, b, ty)

    def sub(self, a, b, ty="i32"):
        return self.bin("subi", a, b, ty)

    def mul(self, a, b, ty="i32"):
        return self.bin("muli", a, b, ty)

    def addc(self, a, k, ty="i32"):
        if k == 0:
            return a
        return self.add(a, self.c(k, ty), ty)

    def mulc(self, a, k, ty="i32"):
        if k == 1:
            return a
        return self.mul(a, self.c(k, ty), ty)

    def cmp(self, pred, a, b, ty="i32"):
        return self.op(f"arith.cmpi {pred}, {a}, {b} : {ty}")

    def sel(self, c, a, b, ty):
        return self.op(f"arith.select {c}, {a}, {b} : {ty}")

    def ext64(self, a):
        return self.op(f"arith.extsi {a} : i32 to i64")

    def gep(self, p, off, space):
        pt = f"!llvm.ptr<{space}>"
        return self.op(f"llvm.getelementptr {p}[{off}] : ({pt}, i64) -> {pt}, i8")

    def gepc(self, p, k, space):
        if k == 0:
            return p
        return self.gep(p, self.c(k, "i64"), space)

    # ---- float helpers ----
    def fbin(self, opn, a, b):
        return self.op(f"arith.{opn} {a}, {b} : f32")

    def fmax(self, a, b):
        # arith.maxnumf would become a libdevice call (__nv_fmaxf) in convert-gpu-to-nvvm
        return self.op(f"llvm.intr.maxnum({a}, {b}) : (f32, f32) -> f32")

    def fma(self, a, b, c):
        return self.op(f"math.fma {a}, {b}, {c} : f32")

    def ex2(self, x):
        return self.op(f'llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"({x}) : (f32) -> f32')

    def lg2(self, x):
        return self.op(f'llvm.call_intrinsic "llvm.nvvm.lg2.approx.f"({x}) : (f32) -> f32')

    def shfl_xor(self, x, k):
        r = self.ops(f"gpu.shuffle xor {x}, {self.c(k, 'i32')}, {self.c(32, 'i32')} : f32", 2)
        return r[0]

    def pack(self, a, b):
        """two f32 -> one i32 holding (lo = a, hi = b) as @ELT@."""
        u = self.op("llvm.mlir.undef : vector<2xf32>")
        v0 = self.op(f"llvm.insertelement {a}, {u}[{self.c(0, 'i32')} : i32] : vector<2xf32>")
        v1 = self.op(f"llvm.insertelement {b}, {v0}[{self.c(1, 'i32')} : i32] : vector<2xf32>")
        h = self.op(f"llvm.fptrunc {v1} : vector<2xf32> to vector<2x@ELT@>")
        return self.op(f"llvm.bitcast {h} : vector<2x@ELT@> to i32")

    def ldmatrix(self, p, trans):
        lay = "col" if trans else "row"
        s = self.op(f"nvvm.ldmatrix {p} {{num = 4 : i32, layout = #nvvm.mma_layout<{lay}>, "
                    f"shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>, "
                    f"eltType = #nvvm.ld_st_matrix_elt_type<b16>}} : (!llvm.ptr<3>) -> "
                    f"!llvm.struct<(i32, i32, i32, i32)>", "lm")
        return [self.op(f"llvm.extractvalue {s}[{i}] : !llvm.struct<(i32, i32, i32, i32)>")
                for i in range(4)]

    def mma(self, a, b, c):
        # bf16 mma takes i32 fragments, f16 mma takes vector<2xf16>: @FRAG@ names that type
        # (the i32 -> i32 bitcast of the bf16 case folds away)
        a = [self.op(f"llvm.bitcast {x} : i32 to @FRAG@") for x in a]
        b = [self.op(f"llvm.bitcast {x} : i32 to @FRAG@") for x in b]
        d = self.op(f"nvvm.mma.sync A[{a[0]}, {a[1]}, {a[2]}, {a[3]}] B[{b[0]}, {b[1]}] "
                    f"C[{c[0]}, {c[1]}, {c[2]}, {c[3]}] {{layoutA = #nvvm.mma_layout<row>, "
                    f"layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>, "
                    f"multiplicandAPtxType = #nvvm.mma_type<@ELT@>, "
                    f"multiplicandBPtxType = #nvvm.mma_type<@ELT@>}} : (@FRAG@, @FRAG@, f32) -> "
                    f"!llvm.struct<(f32, f32, f32, f32)>", "mma")
        return [self.op(f"llvm.extractvalue {d}[{i}] : !llvm.struct<(f32, f32, f32, f32)>")
                for i in range(4)]

    def cp_async(self, dst, src, size=None):
        if size is None:
            self.raw(f"nvvm.cp.async.shared.global {dst}, {src}, 16, cache = cg : "
                     f"!llvm.ptr<3>, !llvm.ptr<1>")
        else:
            self.raw(f"nvvm.cp.async.shared.global {dst}, {src}, 16, cache = cg, {size} : "
                     f"!llvm.ptr<3>, !llvm.ptr<1>, i32")

    # structured ops ------------------------------------------------------------
    def if_begin(self, cond, result_types=()):
        if result_types:
            rs = self.ops(f"scf.if {cond} -> ({', '.join(result_types)}) {{", len(result_types), "if")
        else:
            self.raw(f"scf.if {cond} {{")
            rs = []
        self.ind += 1
        return rs

    def if_else(self, yields=(), types=()):
        if yields:
            self.raw(f"scf.yield {', '.join(yields)} : {', '.join(types)}")
        self.ind -= 1
        self.raw("} else {")
        self.ind += 1

    def if_end(self, yields=(), types=()):
        if yields:
            self.raw(f"scf.yield {', '.join(yields)} : {', '.join(types)}")
        self.ind -= 1
        self.raw("}")


ARGS = ("%q: memref<?x@ELT@>, %k: memref<?x@ELT@>, %v: memref<?x@ELT@>, %o: memref<?x@ELT@>,\n"
        "      %mask: memref<?xf32>, %key_sizes: memref<?xf32>,\n"
        "      %hq: i32, %group: i32, %sq: i32, %skv: i32, %scale_log2: f32,\n"
        "      %mask_kind: i32, %window: i32,\n"
        "      %has_mask: i32, %mask_sb: i64, %mask_sh: i64, %mask_si: i64, %mask_sj: i64,\n"
        "      %has_key_sizes: i32")


def global_ptr(e, m, hint):
    """memref<?xT> -> !llvm.ptr<1> of its first element (aligned ptr + offset)."""
    _, off, _, _ = e.ops(f"memref.extract_strided_metadata {m} : memref<?x@ELT@> -> "
                         f"memref<@ELT@>, index, index, index", 4, hint + "md")
    p = e.op(f"memref.extract_aligned_pointer_as_index {m} : memref<?x@ELT@> -> index")
    pi = e.op(f"arith.index_cast {p} : index to i64")
    oi = e.op(f"arith.index_cast {off} : index to i64")
    ob = e.mulc(oi, 2, "i64")
    g = e.op(f"llvm.inttoptr {pi} : i64 to !llvm.ptr")
    g1 = e.op(f"llvm.addrspacecast {g} : !llvm.ptr to !llvm.ptr<1>", hint)
    return e.gep(g1, ob, 1)


def cfg(key, D):
    """per-head-dim override (e.g. bn128) of a configuration value."""
    return CFG.get(f"{key}{D}", CFG[key])


def body(e, D):
    global BN
    BN = cfg("bn", D)          # keys per KV tile for this head dim
    MT = CFG["mt"]             # m16 tiles (16 query rows each) per warp
    QREG = CFG[f"qreg{D}"]     # keep the Q fragments in registers for the whole sweep
    DP = D + 8                 # padded shared row, elements
    ROWB = DP * 2              # bytes per shared row
    QBYTES = BM * ROWB
    KVB = BN * ROWB            # one K (or V) buffer
    KOFF = QBYTES
    VOFF = QBYTES + 2 * KVB
    CPR = D // 8               # 16-byte chunks per row
    RSTEP = NT // CPR          # rows covered by one pass of all threads
    assert NT % CPR == 0 and BM % RSTEP == 0 and BN % RSTEP == 0
    NKD = D // 16              # k-steps of Q K^T
    NDN = D // 8               # n-tiles of O
    NSN = BN // 8              # n-tiles of S
    MR = 16 * MT               # query rows per warp
    e.raw(f"// ---- D = {D}: padded row {DP} elements, shared bytes {QBYTES + 4 * KVB}, "
          f"{MT} m-tile(s) per warp, Q fragments {'in registers' if QREG else 'reloaded from shared'} ----")

    tid = e.op("arith.index_cast %tid_x : index to i32")
    bx = e.op("arith.index_cast %bid_x : index to i32")
    hh = e.op("arith.index_cast %bid_y : index to i32")
    bb = e.op("arith.index_cast %bid_z : index to i32")
    warp = e.bin("shrui", tid, e.c(5, "i32"), "i32")
    lane = e.bin("andi", tid, e.c(31, "i32"), "i32")
    g = e.bin("shrui", lane, e.c(2, "i32"), "i32")
    t = e.bin("andi", lane, e.c(3, "i32"), "i32")
    # heaviest query blocks first (with a causal mask the last blocks see the most keys)
    nqb = e.bin("divui", e.addc("%sq", BM - 1), e.c(BM, "i32"), "i32")
    qb = e.sub(e.addc(nqb, -1), bx)
    q0 = e.mulc(qb, BM)
    hkv = e.bin("divui", "%hq", "%group", "i32")
    hk = e.bin("divui", hh, "%group", "i32")
    off = e.sub("%skv", "%sq")

    # element offsets of the (b, h) slices
    qhead = e.ext64(e.add(e.mul(bb, "%hq"), hh))
    sq64 = e.ext64("%sq")
    skv64 = e.ext64("%skv")
    qbase = e.mulc(e.mul(qhead, sq64, "i64"), D, "i64")
    kvhead = e.ext64(e.add(e.mul(bb, hkv), hk))
    kvbase = e.mulc(e.mul(kvhead, skv64, "i64"), D, "i64")

    qg = global_ptr(e, "%q", "qg")
    kg = global_ptr(e, "%k", "kg")
    vg = global_ptr(e, "%v", "vg")
    og = global_ptr(e, "%o", "og")
    smem = "%smem3"

    # ---- global -> shared copy mapping (16-byte chunks) ----
    ld_row = e.bin("divui", tid, e.c(CPR, "i32"), "i32")
    ld_col = e.mulc(e.bin("remui", tid, e.c(CPR, "i32"), "i32"), 8)
    ld_col64 = e.ext64(ld_col)
    ld_sh = e.ext64(e.add(e.mulc(ld_row, DP), ld_col))
    ld_sh = e.mulc(ld_sh, 2, "i64")                  # byte offset inside a tile
    sh_ld = e.gep(smem, ld_sh, 3)

    # Q tile
    for it in range(BM // RSTEP):
        row = e.addc(ld_row, it * RSTEP)
        gi = e.add(q0, row)
        valid = e.cmp("slt", gi, "%sq")
        so = e.add(e.mul(e.ext64(gi), e.c(D, "i64"), "i64"), ld_col64, "i64")
        so = e.add(qbase, so, "i64")
        so = e.sel(valid, so, qbase, "i64")
        src = e.gep(qg, e.mulc(so, 2, "i64"), 1)
        dst = e.gepc(sh_ld, it * RSTEP * ROWB, 3)
        sz = e.sel(valid, e.c(16, "i32"), e.c(0, "i32"), "i32")
        e.cp_async(dst, src, sz)
    e.raw("nvvm.cp.async.commit.group")

    # per-thread byte offset of its first chunk inside a global K/V tile
    thr_g = e.mulc(e.add(e.mul(e.ext64(ld_row), e.c(D, "i64"), "i64"), ld_col64, "i64"), 2, "i64")

    def load_kv(kb, buf, zero=None):
        """issue the cp.async copies of K/V tile kb into buffer buf (i64 byte offset).
        zero: an i32 0 that LLVM cannot see through (keeps the rarely used partial-tile
        addressing from becoming a set of strength-reduced induction variables)."""
        k0 = e.mulc(kb, BN)
        shk = e.gep(e.gepc(sh_ld, KOFF, 3), buf, 3)
        shv = e.gep(e.gepc(sh_ld, VOFF, 3), buf, 3)
        full = e.cmp("sle", e.addc(k0, BN), "%skv")
        e.if_begin(full)
        # whole tile in range: one base pointer per tensor, constant offsets per pass
        tile = e.mulc(e.add(kvbase, e.mul(e.ext64(k0), e.c(D, "i64"), "i64"), "i64"), 2, "i64")
        kt = e.gep(e.gep(kg, tile, 1), thr_g, 1)
        vt = e.gep(e.gep(vg, tile, 1), thr_g, 1)
        for it in range(BN // RSTEP):
            e.cp_async(e.gepc(shk, it * RSTEP * ROWB, 3), e.gepc(kt, it * RSTEP * D * 2, 1))
            e.cp_async(e.gepc(shv, it * RSTEP * ROWB, 3), e.gepc(vt, it * RSTEP * D * 2, 1))
        e.if_else()
        # last, partial tile: rows past Skv are zero-filled (src-size 0, address clamped)
        k0z = k0 if zero is None else e.add(k0, zero)
        for it in range(BN // RSTEP):
            row = e.addc(ld_row, it * RSTEP)
            j = e.add(k0z, row)
            valid = e.cmp("slt", j, "%skv")
            so = e.add(e.mul(e.ext64(j), e.c(D, "i64"), "i64"), ld_col64, "i64")
            so = e.add(kvbase, so, "i64")
            so = e.sel(valid, so, kvbase, "i64")
            sob = e.mulc(so, 2, "i64")
            sz = e.sel(valid, e.c(16, "i32"), e.c(0, "i32"), "i32")
            e.cp_async(e.gepc(shk, it * RSTEP * ROWB, 3), e.gep(kg, sob, 1), sz)
            e.cp_async(e.gepc(shv, it * RSTEP * ROWB, 3), e.gep(vg, sob, 1), sz)
        e.if_end()

    # ---- KV block range ----
    causal = e.cmp("ne", "%mask_kind", e.c(0, "i32"))
    win = e.cmp("eq", "%mask_kind", e.c(2, "i32"))
    nblk_all = e.bin("divsi", e.addc("%skv", BN - 1), e.c(BN, "i32"), "i32")
    # causal: last visible key of the block's last row is q0 + BM - 1 + off
    kv_end = e.bin("minsi", "%skv", e.addc(e.add(q0, off), BM), "i32")
    kv_end = e.bin("maxsi", kv_end, e.c(0, "i32"), "i32")
    nblk_c = e.bin("divsi", e.addc(kv_end, BN - 1), e.c(BN, "i32"), "i32")
    kb_hi = e.sel(causal, nblk_c, nblk_all, "i32")
    wcl = e.bin("minsi", "%window", e.c(1 << 30, "i32"), "i32")
    # window: first visible key of the block's first row is q0 + off - w + 1
    lo_key = e.addc(e.sub(e.add(q0, off), wcl), 1)
    lo_key = e.bin("maxsi", lo_key, e.c(0, "i32"), "i32")
    kb_lo_w = e.bin("divsi", lo_key, e.c(BN, "i32"), "i32")
    kb_lo = e.sel(win, kb_lo_w, e.c(0, "i32"), "i32")

    have = e.cmp("slt", kb_lo, kb_hi)
    e.if_begin(have)
    load_kv(kb_lo, e.c(0, "i64"))
    e.if_end()
    e.raw("nvvm.cp.async.commit.group")

    # Each thread keeps an i32 zero in the padding columns of the Q tile (never written by the
    # copies; row tid/4, pad word tid%4).  Loading it after each barrier gives an opaque
    # loop-variant zero: the Q fragment addresses and the partial-tile addressing depend on it,
    # so LLVM neither hoists per-fragment addresses into registers of their own nor turns the
    # partial-tile address arithmetic into induction variables.
    zs = e.ext64(e.add(e.mulc(e.bin("shrui", tid, e.c(2, "i32"), "i32"), DP),
                       e.addc(e.mulc(e.bin("andi", tid, e.c(3, "i32"), "i32"), 2), D)))
    zslot = e.gep(smem, e.mulc(zs, 2, "i64"), 3)
    e.raw(f"llvm.store {e.c(0, 'i32')}, {zslot} {{alignment = 4 : i64}} : i32, !llvm.ptr<3>")

    # ---- Q fragments ----
    e.raw("nvvm.cp.async.wait.group 1")
    e.raw("gpu.barrier")
    l7 = e.bin("andi", lane, e.c(7, "i32"), "i32")
    l8 = e.bin("andi", e.bin("shrui", lane, e.c(3, "i32"), "i32"), e.c(1, "i32"), "i32")
    l16 = e.bin("shrui", lane, e.c(4, "i32"), "i32")
    # A-operand / trans-B pattern: row = (l&7) + 8*((l>>3)&1), col = 8*(l>>4)
    ar = e.add(l7, e.mulc(l8, 8))
    ac = e.mulc(l16, 8)
    a_lane = e.add(e.mulc(ar, DP), ac)
    # non-trans B pattern (K): row = (l&7) + 8*(l>>4), col = 8*((l>>3)&1)
    br = e.add(l7, e.mulc(l16, 8))
    bc = e.mulc(l8, 8)
    b_lane = e.add(e.mulc(br, DP), bc)
    wrow = e.mulc(warp, MR)
    qa = e.mulc(e.ext64(e.add(e.mulc(wrow, DP), a_lane)), 2, "i64")
    qa_p = e.gep(smem, qa, 3)

    def q_frag(mt, kd, base=None):
        return e.ldmatrix(e.gepc(base or qa_p, (16 * mt * DP + 16 * kd) * 2, 3), False)

    qf = {}
    if QREG:
        for mt in range(MT):
            for kd in range(NKD):
                qf[(mt, kd)] = q_frag(mt, kd)
    k_lane_p = e.gepc(e.gep(smem, e.mulc(e.ext64(b_lane), 2, "i64"), 3), KOFF, 3)
    v_lane_p = e.gepc(e.gep(smem, e.mulc(e.ext64(a_lane), 2, "i64"), 3), VOFF, 3)

    # ---- per-thread row data: rows i[mt][r] = q0 + wrow + 16 mt + g + 8 r ----
    i_r = []
    for mt in range(MT):
        i0 = e.add(q0, e.add(e.addc(wrow, 16 * mt), g))
        i_r.append([i0, e.addc(i0, 8)])
    t2 = e.mulc(t, 2)
    # masking: key column c = 8n + e inside the block (key = k0 + 2t + c)
    dr = [[e.sub(e.add(i_r[mt][r], off), t2) for r in range(2)] for mt in range(MT)]  # dj = dr-k0-c
    lim0 = e.sub("%skv", t2)                                     # c < lim0 - k0
    hm = e.cmp("ne", "%has_mask", e.c(0, "i32"))
    hks = e.cmp("ne", "%has_key_sizes", e.c(0, "i32"))
    sneg = e.op(f"arith.cmpf ole, %scale_log2, {e.c(0.0, 'f32')} : f32")
    use_bias = e.op(f"arith.ori {hm}, {hks} : i1")
    use_bias = e.op(f"arith.ori {use_bias}, {sneg} : i1")
    sqm1 = e.addc("%sq", -1)
    skvm1 = e.addc("%skv", -1)
    mbh = e.add(e.mul(e.ext64(bb), "%mask_sb", "i64"), e.mul(e.ext64(hh), "%mask_sh", "i64"), "i64")
    mrow = []
    for mt in range(MT):
        mrow.append([])
        for r in range(2):
            ic = e.bin("minsi", i_r[mt][r], sqm1, "i32")
            mrow[mt].append(e.add(mbh, e.mul(e.ext64(ic), "%mask_si", "i64"), "i64"))
    ksrow = e.mul(e.ext64(bb), skv64, "i64")
    bdiag = e.addc(e.add(q0, off), -(BN - 1))          # causal straddle: k0 > q0 + off - BN + 1
    bwin = e.sub(e.addc(e.add(q0, off), BM), wcl)      # window straddle: k0 < q0 + BM + off - w
    bbnd = e.addc("%skv", -BN)                         # bounds straddle: k0 > skv - BN

    ninf = e.c(float("-inf"), "f32")
    zf = e.c(0.0, "f32")
    NACC = NDN * 4
    NS = NSN * 4               # S values per m-tile per thread
    acc_types = ["f32"] * (MT * (NACC + 4))
    # ---- main loop over KV blocks ----
    lo_i = e.op(f"arith.index_cast {kb_lo} : i32 to index")
    hi_i = e.op(f"arith.index_cast {kb_hi} : i32 to index")
    it_names, inits = [], []
    for mt in range(MT):
        it_names += [f"%acc{D}_{mt}_{i}" for i in range(NACC)]
        inits += [zf] * NACC
    for mt in range(MT):
        it_names += [f"%m{D}_{mt}_0", f"%m{D}_{mt}_1", f"%l{D}_{mt}_0", f"%l{D}_{mt}_1"]
        inits += [ninf, ninf, zf, zf]
    res = e.ops(f"scf.for %kbi{D} = {lo_i} to {hi_i} step {e.c(1, 'index')} iter_args("
                + ", ".join(f"{a} = {b}" for a, b in zip(it_names, inits))
                + f") -> ({', '.join(acc_types)}) {{", len(acc_types), "loop")
    e.ind += 1
    O = [[it_names[mt * NACC + 4 * n: mt * NACC + 4 * n + 4] for n in range(NDN)] for mt in range(MT)]
    base = MT * NACC
    m = [it_names[base + 4 * mt: base + 4 * mt + 2] for mt in range(MT)]
    lsum = [it_names[base + 4 * mt + 2: base + 4 * mt + 4] for mt in range(MT)]
    kb = e.op(f"arith.index_cast %kbi{D} : index to i32")
    k0 = e.mulc(kb, BN)
    rel = e.sub(kb, kb_lo)
    par = e.bin("andi", rel, e.c(1, "i32"), "i32")
    buf = e.mulc(e.ext64(par), KVB, "i64")
    nbuf = e.mulc(e.ext64(e.bin("xori", par, e.c(1, "i32"), "i32")), KVB, "i64")
    e.raw("nvvm.cp.async.wait.group 0")
    e.raw("gpu.barrier")
    zero32 = e.op(f"llvm.load {zslot} {{alignment = 4 : i64}} : !llvm.ptr<3> -> i32")
    kn = e.addc(kb, 1)
    more = e.cmp("slt", kn, kb_hi)
    e.if_begin(more)
    load_kv(kn, nbuf, zero32)
    e.raw("nvvm.cp.async.commit.group")
    e.if_end()

    # S = Q K^T   (each K fragment feeds all MT m-tiles of the warp)
    kp = e.gep(k_lane_p, buf, 3)
    if not QREG:
        qa_l = e.gep(qa_p, e.ext64(zero32), 3)
    S = [[[zf] * 4 for _ in range(NSN)] for _ in range(MT)]
    for kd in range(NKD):
        qk = [qf[(mt, kd)] if QREG else q_frag(mt, kd, qa_l) for mt in range(MT)]
        for np_ in range(NSN // 2):
            r = e.ldmatrix(e.gepc(kp, (16 * np_ * DP + 16 * kd) * 2, 3), False)
            for mt in range(MT):
                S[mt][2 * np_] = e.mma(qk[mt], r[0:2], S[mt][2 * np_])
                S[mt][2 * np_ + 1] = e.mma(qk[mt], r[2:4], S[mt][2 * np_ + 1])
    flat = [S[mt][n][x] for mt in range(MT) for n in range(NSN) for x in range(4)]

    # additive bias path (mask tensor, key sizes, or a non-positive scale): x = scale*s + bias
    bt = ["f32"] * (MT * NS + 1)
    res_b = e.if_begin(use_bias, bt)
    xs = [e.fbin("mulf", v_, "%scale_log2") for v_ in flat]
    xt_ = ["f32"] * (MT * NS)
    xm = e.if_begin(hm, xt_)
    mv = []
    for mt in range(MT):
        for n in range(NSN):
            for x in range(4):
                rr, ee = x // 2, x % 2
                j = e.bin("minsi", e.add(k0, e.addc(t2, 8 * n + ee)), skvm1, "i32")
                idx = e.add(mrow[mt][rr], e.mul(e.ext64(j), "%mask_sj", "i64"), "i64")
                ii = e.op(f"arith.index_cast {idx} : i64 to index")
                val = e.op(f"memref.load %mask[{ii}] : memref<?xf32>")
                mv.append(e.fma(val, e.c(1.4426950408889634, "f32"), xs[len(mv)]))
    e.if_else(mv, xt_)
    e.if_end(xs, xt_)
    xk = e.if_begin(hks, xt_)
    kv_ = []
    for n in range(NSN):
        for ee in range(2):
            j = e.bin("minsi", e.add(k0, e.addc(t2, 8 * n + ee)), skvm1, "i32")
            idx = e.add(ksrow, e.ext64(j), "i64")
            ii = e.op(f"arith.index_cast {idx} : i64 to index")
            val = e.op(f"memref.load %key_sizes[{ii}] : memref<?xf32>")
            kv_.append(e.lg2(val))
    xko = [e.fbin("addf", xm[mt * NS + 4 * n + x], kv_[2 * n + x % 2])
           for mt in range(MT) for n in range(NSN) for x in range(4)]
    e.if_else(xko, xt_)
    e.if_end(xm, xt_)
    e.if_else(xk + [e.c(1.0, "f32")], bt)
    e.if_end(flat + ["%scale_log2"], bt)
    X = res_b[:MT * NS]
    sc = res_b[MT * NS]

    # elementwise masking on boundary blocks
    nm = e.cmp("sgt", k0, bbnd)
    nm_c = e.op(f"arith.andi {causal}, {e.cmp('sgt', k0, bdiag)} : i1")
    nm_w = e.op(f"arith.andi {win}, {e.cmp('slt', k0, bwin)} : i1")
    nm = e.op(f"arith.ori {nm}, {nm_c} : i1")
    nm = e.op(f"arith.ori {nm}, {nm_w} : i1")
    xt = ["f32"] * (MT * NS)
    Xm = e.if_begin(nm, xt)
    lim1 = e.addc(e.sub(lim0, k0), -1)          # last in-range column
    out = []
    for mt in range(MT):
        hi, lo = [], []
        for r in range(2):
            db = e.sub(dr[mt][r], k0)
            # visible iff c <= hi (in range and, if causal, c <= db) and c > lo (window)
            hi.append(e.sel(causal, e.bin("minsi", db, lim1, "i32"), lim1, "i32"))
            lo.append(e.sel(win, e.sub(db, wcl), e.c(-1, "i32"), "i32"))
        for n in range(NSN):
            for x in range(4):
                rr, ee = x // 2, x % 2
                cc = e.c(8 * n + ee, "i32")
                ok2 = e.cmp("sle", cc, hi[rr])
                ok3 = e.cmp("sgt", cc, lo[rr])
                ok = e.op(f"arith.andi {ok2}, {ok3} : i1")
                out.append(e.sel(ok, X[mt * NS + 4 * n + x], ninf, "f32"))
    e.if_else(out, xt)
    e.if_end(X, xt)

    # online softmax (exp2 domain); P is packed to @ELT@ pairs right away (the A operand of P V).
    # m is the running max the exponentials are taken against.  With CFG["lazy"] = TH > 0 it is
    # only moved when the block max exceeds it by more than TH (log2 units), so P <= 2^TH and
    # the O rescale is skipped (warp-uniform vote) for nearly every block; the result is exact
    # because l is accumulated against the same m.
    TH = cfg("lazy", D)
    PA, alphas, mnew, lnew, needs = [], [], [], [], []
    for mt in range(MT):
        Xt = Xm[mt * NS:(mt + 1) * NS]
        alpha, negm = [], []
        for r in range(2):
            vals = [Xt[4 * n + 2 * r + ee] for n in range(NSN) for ee in range(2)]
            while len(vals) > 1:
                nxt = [e.fmax(vals[i], vals[i + 1]) for i in range(0, len(vals) - 1, 2)]
                vals = nxt + (vals[-1:] if len(vals) % 2 else [])
            mx = vals[0]
            mx = e.fmax(mx, e.shfl_xor(mx, 1))
            mx = e.fmax(mx, e.shfl_xor(mx, 2))
            mxs = e.fbin("mulf", mx, sc)
            mn = e.fmax(m[mt][r], mxs)
            if TH:
                need = e.op(f"arith.cmpf ogt, {mn}, {e.fbin('addf', m[mt][r], e.c(float(TH), 'f32'))} : f32")
                needs.append(need)
                mn = e.sel(need, mn, m[mt][r], "f32")
            isinf = e.op(f"arith.cmpf oeq, {mn}, {ninf} : f32")
            mu = e.sel(isinf, zf, mn, "f32")
            al = e.ex2(e.fbin("subf", m[mt][r], mu))
            if TH:
                al = e.sel(needs[-1], al, e.c(1.0, "f32"), "f32")
            alpha.append(al)
            negm.append(e.op(f"arith.negf {mu} : f32"))
            mnew.append(mn)
        alphas.append(alpha)
        rs = [None, None]
        packed = []
        for n in range(NSN):
            pv = [e.ex2(e.fma(Xt[4 * n + x], sc, negm[x // 2])) for x in range(4)]
            for r in range(2):
                part = e.fbin("addf", pv[2 * r], pv[2 * r + 1])
                rs[r] = part if rs[r] is None else e.fbin("addf", rs[r], part)
            packed.append([e.pack(pv[0], pv[1]), e.pack(pv[2], pv[3])])
        PA.append(packed)
        for r in range(2):
            lnew.append(e.fma(lsum[mt][r], alpha[r], rs[r]))

    def rescale():
        return [[[e.fbin("mulf", O[mt][dn][x], alphas[mt][x // 2]) for x in range(4)]
                 for dn in range(NDN)] for mt in range(MT)]

    if cfg("skiprescale", D) or TH:
        # skip the O rescale when no row of the warp moved its max (alpha == 1 everywhere)
        ne = None
        for mt in range(MT):
            for r in range(2):
                if TH:
                    c_ = needs[2 * mt + r]
                else:
                    c_ = e.op(f"arith.cmpf une, {alphas[mt][r]}, {e.c(1.0, 'f32')} : f32")
                ne = c_ if ne is None else e.op(f"arith.ori {ne}, {c_} : i1")
        anyv = e.op(f"nvvm.vote.sync any {e.c(-1, 'i32')}, {ne} -> i1")
        ot = ["f32"] * (MT * NACC)
        ro = e.if_begin(anyv, ot)
        rsd = rescale()
        e.if_else([rsd[mt][dn][x] for mt in range(MT) for dn in range(NDN) for x in range(4)], ot)
        e.if_end([O[mt][dn][x] for mt in range(MT) for dn in range(NDN) for x in range(4)], ot)
        On = [[ro[mt * NACC + 4 * dn: mt * NACC + 4 * dn + 4] for dn in range(NDN)] for mt in range(MT)]
    else:
        On = rescale()

    # O += P V   (each V fragment feeds all MT m-tiles)
    vp = e.gep(v_lane_p, buf, 3)
    for kk in range(BN // 16):
        a = [[PA[mt][2 * kk][0], PA[mt][2 * kk][1], PA[mt][2 * kk + 1][0], PA[mt][2 * kk + 1][1]]
             for mt in range(MT)]
        for dp in range(NDN // 2):
            r = e.ldmatrix(e.gepc(vp, (16 * kk * DP + 16 * dp) * 2, 3), True)
            for mt in range(MT):
                On[mt][2 * dp] = e.mma(a[mt], r[0:2], On[mt][2 * dp])
                On[mt][2 * dp + 1] = e.mma(a[mt], r[2:4], On[mt][2 * dp + 1])
    yl = [On[mt][dn][x] for mt in range(MT) for dn in range(NDN) for x in range(4)]
    for mt in range(MT):
        yl += mnew[2 * mt:2 * mt + 2] + lnew[2 * mt:2 * mt + 2]
    e.raw(f"scf.yield {', '.join(yl)} : {', '.join(acc_types)}")
    e.ind -= 1
    e.raw("}")

    # ---- epilogue: normalise, stage through shared (Q region), coalesced stores ----
    e.raw("nvvm.cp.async.wait.group 0")
    e.raw("gpu.barrier")
    for mt in range(MT):
        Of = [res[mt * NACC + 4 * n: mt * NACC + 4 * n + 4] for n in range(NDN)]
        lf = res[base + 4 * mt + 2: base + 4 * mt + 4]
        inv = []
        for r in range(2):
            l_ = e.fbin("addf", lf[r], e.shfl_xor(lf[r], 1))
            l_ = e.fbin("addf", l_, e.shfl_xor(l_, 2))
            pos = e.op(f"arith.cmpf ogt, {l_}, {zf} : f32")
            rc = e.fbin("divf", e.c(1.0, "f32"), l_)
            inv.append(e.sel(pos, rc, zf, "f32"))
        st = e.ext64(e.add(e.mulc(e.add(e.addc(wrow, 16 * mt), g), DP), t2))
        st_p = e.gep(smem, e.mulc(st, 2, "i64"), 3)
        for dn in range(NDN):
            for r in range(2):
                w_ = e.pack(e.fbin("mulf", Of[dn][2 * r], inv[r]),
                            e.fbin("mulf", Of[dn][2 * r + 1], inv[r]))
                p = e.gepc(st_p, (8 * r * DP + 8 * dn) * 2, 3)
                e.raw(f"llvm.store {w_}, {p} {{alignment = 4 : i64}} : i32, !llvm.ptr<3>")
    e.raw("gpu.barrier")
    for it in range(BM // RSTEP):
        row = e.addc(ld_row, it * RSTEP)
        gi = e.add(q0, row)
        valid = e.cmp("slt", gi, "%sq")
        e.if_begin(valid)
        vv = e.op(f"llvm.load {e.gepc(sh_ld, it * RSTEP * ROWB, 3)} {{alignment = 16 : i64}} : "
                  f"!llvm.ptr<3> -> vector<4xi32>")
        so = e.add(qbase, e.add(e.mul(e.ext64(gi), e.c(D, "i64"), "i64"), ld_col64, "i64"), "i64")
        dst = e.gep(og, e.mulc(so, 2, "i64"), 1)
        e.raw(f"llvm.store {vv}, {dst} {{alignment = 16 : i64}} : vector<4xi32>, !llvm.ptr<1>")
        e.if_end()


def header():
    bn64, bn128 = cfg("bn", 64), cfg("bn", 128)

    def smem(D):
        return (BM + 4 * cfg("bn", D)) * (D + 8) * 2
    if bn64 == bn128:
        bn_text = f"{bn64}"
        smem_text = f"{BM + 4 * bn64} * (D + 8) * 2"
    else:
        bn_text = f"{bn64} for D = 64, {bn128} for D = 128"
        smem_text = f"({BM + 4 * bn64} if D == 64 else {BM + 4 * bn128}) * (D + 8) * 2"
    return f"""// GENERATED by passes/cuda/gen_flash_attention.py -- edit the generator, not this file.
//
// icl fused prefill attention (FlashAttention-2 style) for NVIDIA sm_80+ (tuned for sm_90).
//
// Placeholders (textual substitution before parsing):
//   @ELT@  element type of q/k/v/o: `bf16` or `f16` (also used as the mma multiplicand type)
//   @FRAG@ the type of one packed mma multiplicand register, derived from @ELT@:
//          `i32` when @ELT@ = bf16, `vector<2xf16>` when @ELT@ = f16 (nvvm.mma.sync wants
//          these operand types).
//   @D@    head dim (= Dv): 64 or 128 (any other value gives a kernel that does nothing).
//          No other placeholder; everything else is derived inside the kernel (the body for
//          the other head dim is folded away by canonicalize: it sits under
//          `scf.if (@D@ == 128)` / `scf.if (@D@ == 64)`).
//
// Math: o[b,h,i,:] = softmax_j(s[i,j]) . v[b,h/group,j,:] with
//   s[i,j] = scale*q.k (as scale_log2 = scale*log2(e) in the exp2 domain)
//            + mask[b,h,i,j] (if has_mask) + log(key_sizes[b,j]) (if has_key_sizes),
//   mask_kind 0: none; 1: causal aligned to the end (key j visible iff j <= i + Skv - Sq);
//   2: sliding window (causal and i + Skv - Sq - j < window; window >= 1, values above 2^30
//   act as 2^30).  A fully masked row yields zeros.  f32 accumulation, online softmax with
//   ex2.approx; P is rounded to @ELT@ for the P.V product (as in FlashAttention-2).
//
// Launch contract:
//   BM = {BM} query rows per CTA, NTHREADS = {NT} ({NWARPS} warps, one warp per {16 * CFG["mt"]} query rows),
//   BN = keys per KV tile = {bn_text}.
//   grid  = (ceil(Sq / {BM}), Hq, B)     block = ({NT}, 1, 1)  (exactly; the kernel carries
//   known_block_size = [{NT}, 1, 1], which becomes .maxntid)
//   dynamic shared memory bytes = (BM + 4*BN) * (D + 8) * 2 = {smem_text}
//       D = 64: {smem(64)} bytes, D = 128: {smem(128)} bytes
//       (> 48 KiB: set CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES before launching).
//   layout: Q tile [BM][D+8] | K buffers 2 x [BN][D+8] | V buffers 2 x [BN][D+8] (@ELT@).
//   q, o: [B,Hq,Sq,D], k, v: [B,Hkv,Skv,D] contiguous, Hkv = Hq / group; element (b,h,i,d)
//   of q at ((b*Hq + h)*Sq + i)*D + d.  The memrefs' base (aligned pointer + offset) must be
//   16-byte aligned (offset a multiple of 8 elements).  mask: f32 with element strides
//   mask_sb/sh/si/sj (0 = broadcast); key_sizes: [B,Skv] f32 contiguous.  A dummy memref
//   (size >= 1) is passed when has_mask / has_key_sizes is 0; it is never read.
//   scale_log2 > 0 takes the fast path; <= 0 is handled through the bias path.
//   Any Sq, Skv >= 1; Hq, B <= 65535 (grid y/z limits).
//
// Pass pipeline this template was checked with (mlir-opt 22; sm_80 assembles too):
//   builtin.module(gpu.module(canonicalize,convert-scf-to-cf),
//     gpu.module(convert-math-to-llvm,convert-gpu-to-nvvm{{index-bitwidth=64}},canonicalize,cse),
//     reconcile-unrealized-casts,nvvm-attach-target{{chip=sm_90 features=+ptx80 O=3}},
//     gpu-module-to-binary{{format=isa toolkit=...}})
//   The leading canonicalize drops the unused head-dim body early (LLVM would drop it too).
//   All fragment loops are already fully unrolled here; no unrolling pass is needed.
//   Ops used: gpu/arith/scf/memref/math.fma plus nvvm.{{mma.sync, ldmatrix, cp.async.*, vote.sync}}
//   and llvm.call_intrinsic of llvm.nvvm.ex2.approx.ftz.f / llvm.nvvm.lg2.approx.f; no
//   libdevice, no inline PTX.  (arith.maxnumf is avoided: convert-gpu-to-nvvm turns it into
//   __nv_fmaxf; llvm.intr.maxnum is used instead.)
"""


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--cfg":
        for kv in sys.argv[2].split(","):
            k, v = kv.split("=")
            CFG[k] = int(v)
    configure()
    e = Emitter()
    e.raw("%tid_x = gpu.thread_id x")
    e.raw("%bid_x = gpu.block_id x")
    e.raw("%bid_y = gpu.block_id y")
    e.raw("%bid_z = gpu.block_id z")
    e.raw("%smem = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>")
    e.raw("%smemp = memref.extract_aligned_pointer_as_index %smem : "
          "memref<?xi8, #gpu.address_space<workgroup>> -> index")
    e.raw("%smemi = arith.index_cast %smemp : index to i64")
    e.raw("%smem3 = llvm.inttoptr %smemi : i64 to !llvm.ptr<3>")
    e.raw("%dsel = arith.constant @D@ : i32")
    e.raw(f"%is128 = arith.cmpi eq, %dsel, {e.c(128, 'i32')} : i32")
    e.raw(f"%is64 = arith.cmpi eq, %dsel, {e.c(64, 'i32')} : i32")
    e.if_begin("%is128")
    body(e, 128)
    e.if_else()
    e.if_begin("%is64")
    body(e, 64)
    e.if_end()
    e.if_end()
    e.raw("gpu.return")
    extra = f", nvvm.minctasm = {CFG['minctasm']} : i32" if CFG["minctasm"] else ""
    out = [header(), "gpu.module @icl_attention {",
           f"  gpu.func @icl_flash_attention({ARGS}) kernel attributes "
           f"{{known_block_size = array<i32: {NT}, 1, 1>{extra}}} {{"]
    out += ["    " + c[1] for c in e.consts.values()]
    out += e.lines
    out += ["  }", "}"]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
