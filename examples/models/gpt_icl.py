"""Emits a GPT-2-style decoder as an icl module (no numpy needed).

`emit_module(cfg, params, batch, seq)` takes parameters as little-endian f32
bytes keyed by the names below and returns the module text, with every weight
embedded as a dense resource. Used by make_tiny_gpt.py and bench/cpu.

Parameter names (PyTorch layouts, `linear` is x·wᵀ + b):
  wte [V, D], wpe [T, D]; per layer l: ln1_g_l, ln1_b_l, ln2_g_l, ln2_b_l [D],
  wq_l, wk_l, wv_l, wo_l [D, D], bq_l, bk_l, bv_l, bo_l [D], fc_l [M, D], fcb_l [M],
  proj_l [D, M], projb_l [D]; lnf_g, lnf_b [D]. The LM head is tied to wte.
"""


def param_shapes(cfg, seq):
    """The shape of every parameter emit_module reads, by name."""
    V, D, M = cfg["vocab"], cfg["d"], cfg["mlp"]
    shapes = {"wte": [V, D], "wpe": [seq, D], "lnf_g": [D], "lnf_b": [D]}
    for l in range(cfg["layers"]):
        s = "_%d" % l
        shapes.update({n + s: [D] for n in ("ln1_g", "ln1_b", "ln2_g", "ln2_b", "bq", "bk", "bv",
                                            "bo", "projb")})
        shapes.update({n + s: [D, D] for n in ("wq", "wk", "wv", "wo")})
        shapes.update({"fc" + s: [M, D], "fcb" + s: [M], "proj" + s: [D, M]})
    return shapes


def _t(*shape, elt="f32"):
    return "tensor<%sx%s>" % ("x".join(map(str, shape)), elt)


def emit_module(cfg, params, batch, seq, name="gpt", causal=True):
    V, D, H, L, M = cfg["vocab"], cfg["d"], cfg["heads"], cfg["layers"], cfg["mlp"]
    HD = D // H
    B, T = batch, seq
    lines, consts = [], []

    def const(key, shape):
        consts.append("    %%%s = arith.constant dense_resource<%s> : %s" % (key, key, _t(*shape)))

    def op(text):
        lines.append("    " + text)

    x3, x4, h4 = _t(B, T, D), _t(B, T, H, HD), _t(B, H, T, HD)

    def linear(out, inp, w, b, in_t, w_shape, out_t):
        bias = " bias(%%%s)" % b if b else ""
        types = "%s, %s%s" % (in_t, _t(*w_shape), (", " + _t(w_shape[0])) if b else "")
        op("%%%s = icl.linear %%%s, %%%s%s : (%s) -> %s" % (out, inp, w, bias, types, out_t))

    const("wte", [V, D])
    const("wpe", [T, D])
    op("%%pe = tensor.empty() : %s" % x3)
    op("%%posb = linalg.broadcast ins(%%wpe : %s) outs(%%pe : %s) dimensions = [0]"
       % (_t(T, D), x3))
    op("%%e = icl.embedding %%wte, %%ids : (%s, %s) -> %s" % (_t(V, D), _t(B, T, elt="i64"), x3))
    op("%%x0 = arith.addf %%e, %%posb : %s" % x3)
    for l in range(L):
        s = "_%d" % l
        for n in ("ln1_g", "ln1_b", "ln2_g", "ln2_b", "bq", "bk", "bv", "bo", "projb"):
            const(n + s, [D])
        for n in ("wq", "wk", "wv", "wo"):
            const(n + s, [D, D])
        const("fc" + s, [M, D])
        const("fcb" + s, [M])
        const("proj" + s, [D, M])
        op("%%h%s = icl.layer_norm %%x%d gamma(%%ln1_g%s) beta(%%ln1_b%s) {eps = 1.0e-05 : f64} "
           ": (%s, %s, %s) -> %s" % (s, l, s, s, x3, _t(D), _t(D), x3))
        for n in ("q", "k", "v"):
            linear(n + s, "h" + s, "w%s%s" % (n, s), "b%s%s" % (n, s), x3, [D, D], x3)
            op("%%%s4%s = tensor.expand_shape %%%s%s [[0], [1], [2, 3]] output_shape [%d, %d, %d, %d] "
               ": %s into %s" % (n, s, n, s, B, T, H, HD, x3, x4))
            op("%%%se%s = tensor.empty() : %s" % (n, s, h4))
            op("%%%sh%s = linalg.transpose ins(%%%s4%s : %s) outs(%%%se%s : %s) permutation = [0, 2, 1, 3]"
               % (n, s, n, s, x4, n, s, h4))
        mask = " {mask_kind = #icl.mask<causal>}" if causal else ""
        op("%%a%s = icl.attention %%qh%s, %%kh%s, %%vh%s%s "
           ": (%s, %s, %s) -> %s" % (s, s, s, s, mask, h4, h4, h4, h4))
        op("%%ae%s = tensor.empty() : %s" % (s, x4))
        op("%%at%s = linalg.transpose ins(%%a%s : %s) outs(%%ae%s : %s) permutation = [0, 2, 1, 3]"
           % (s, s, h4, s, x4))
        op("%%ac%s = tensor.collapse_shape %%at%s [[0], [1], [2, 3]] : %s into %s" % (s, s, x4, x3))
        linear("o" + s, "ac" + s, "wo" + s, "bo" + s, x3, [D, D], x3)
        op("%%r%s = arith.addf %%x%d, %%o%s : %s" % (s, l, s, x3))
        op("%%m%s = icl.layer_norm %%r%s gamma(%%ln2_g%s) beta(%%ln2_b%s) {eps = 1.0e-05 : f64} "
           ": (%s, %s, %s) -> %s" % (s, s, s, s, x3, _t(D), _t(D), x3))
        linear("f" + s, "m" + s, "fc" + s, "fcb" + s, x3, [M, D], _t(B, T, M))
        op("%%g%s = icl.activation %%f%s {kind = #icl.activation<gelu>} : %s" % (s, s, _t(B, T, M)))
        linear("p" + s, "g" + s, "proj" + s, "projb" + s, _t(B, T, M), [D, M], x3)
        op("%%x%d = arith.addf %%r%s, %%p%s : %s" % (l + 1, s, s, x3))
    const("lnf_g", [D])
    const("lnf_b", [D])
    op("%%xf = icl.layer_norm %%x%d gamma(%%lnf_g) beta(%%lnf_b) {eps = 1.0e-05 : f64} "
       ": (%s, %s, %s) -> %s" % (L, x3, _t(D), _t(D), x3))
    linear("logits", "xf", "wte", None, x3, [V, D], _t(B, T, V))
    op("return %%logits : %s" % _t(B, T, V))

    out = ["// A %d-layer GPT-2-style %s (vocab %d, d %d, %d heads, MLP %d), B%d T%d."
           % (L, "decoder (causal)" if causal else "encoder", V, D, H, M, B, T), "module {",
           "  func.func @%s(%%ids: %s) -> %s {" % (name, _t(B, T, elt="i64"), _t(B, T, V))]
    out += consts + lines + ["  }", "}", "{-#", "  dialect_resources: {", "    builtin: {"]
    # Dense resource blobs start with their alignment (4 bytes, little endian).
    out.append(",\n".join('      %s: "0x04000000%s"' % (k, params[k].hex())
                          for k in sorted(params)))
    out += ["    }", "  }", "#-}"]
    return "\n".join(out) + "\n"
