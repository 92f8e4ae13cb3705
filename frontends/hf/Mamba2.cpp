//===- Mamba2.cpp - Mamba-2 (model_type "mamba2") -------------------------===//
//
// x = embeddings[ids]; per layer x += mixer(norm(x)) where the mixer splits
// in_proj(h) into (z, xBC, dt), runs the depthwise causal conv1d with SiLU on
// xBC and splits it into x [B,T,H,P], B and C [B,T,G,N]; the SSD scan uses
// A = −exp(A_log) (one scalar per head), the D skip and softplus(dt +
// dt_bias) clamped to time_step_limit; then the gated RMS norm with SiLU(z)
// over groups of intermediate_size / n_groups channels (as mamba_ssm's
// RMSNormGated), and out_proj; logits = norm_f(x)·embeddingsᵀ (or lm_head).
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/Architectures.h"

#include <cmath>

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

Value emitMamba2(ModelBuilder &mb, Value ids) {
  const Config &cfg = mb.cfg();
  ConfigReader r(cfg);
  int64_t V = r.size("vocab_size"), D = r.size("hidden_size"), N = r.size("state_size", 128),
          L = r.layers("num_hidden_layers"), W = r.size("conv_kernel", 4),
          expand = r.size("expand", 2), H = r.size("num_heads"), P = r.size("head_dim", 64),
          G = r.size("n_groups", 1), chunk = r.size("chunk_size", 256);
  // At most 2^40 (kMaxSize²): the sizes below cannot overflow.
  int64_t I = expand * D;
  double eps = r.positive("layer_norm_epsilon", 1e-5);
  bool bias = r.boolean("use_bias", false), convBias = r.boolean("use_conv_bias", true);
  bool tied = r.boolean("tie_word_embeddings", true), gatedNorm = r.boolean("rms_norm", true);
  std::string act = r.string("hidden_act", "silu");
  if (llvm::Error err = r.takeError())
    return mb.fail(std::move(err));
  if (act != "silu")
    return mb.fail(cfg.unsupported("hidden_act", "only silu"));
  if (!gatedNorm)
    return mb.fail(cfg.unsupported("rms_norm", "only true: the gated RMS norm"));
  if (H * P != I)
    return mb.failConfig("'num_heads' × 'head_dim' (" + Twine(H * P) +
                         ") must equal 'expand' × 'hidden_size' (" + Twine(I) + ")");
  if (H % G || I % G)
    return mb.failConfig("'n_groups' (" + Twine(G) + ") must divide 'num_heads' (" + Twine(H) +
                         ")");
  // time_step_limit: [min, max] clamp of Δ; (0, inf) means none.
  std::optional<double> dtMin, dtMax;
  if (cfg.has("time_step_limit")) {
    const llvm::json::Array *limit = cfg.get("time_step_limit")->getAsArray();
    std::optional<double> lo, hi;
    if (limit && limit->size() == 2) {
      lo = Config::numberValue((*limit)[0]);
      hi = Config::numberValue((*limit)[1]);
    }
    if (!lo || !hi)
      return mb.failConfig("'time_step_limit' must be a list [min, max] of two numbers");
    // Δ is a softplus, so positive: min may be 0, max infinite.
    if (!(*lo >= 0 && *lo <= *hi))
      return mb.failConfig("'time_step_limit' = " + cfg.render("time_step_limit") +
                           " must be [min, max] with 0 <= min <= max");
    if (*lo != 0.0 || !std::isinf(*hi)) {
      dtMin = *lo;
      dtMax = *hi;
    }
  }

  int64_t conv = I + 2 * G * N;
  auto optionalF64 = [&](std::optional<double> v) {
    return v ? mb.b.getF64FloatAttr(*v) : FloatAttr();
  };

  mb.at("backbone.embeddings");
  Value embed = mb.weight("backbone.embeddings.weight", {V, D});
  Value x = ir::EmbeddingOp::create(mb.b, embed, ids);
  for (int64_t l = 0; l < L && !mb.failed(); ++l) {
    std::string p = "backbone.layers." + std::to_string(l), m = p + ".mixer";
    mb.at(m);
    Value h = mb.rmsNorm(x, mb.weight(p + ".norm.weight", {D}), eps);
    Value zxd = mb.linearLayer(h, m + ".in_proj", 2 * I + 2 * G * N + H, D, bias);
    Value z = mb.slice(zxd, 2, 0, I), dt = mb.slice(zxd, 2, I + conv, H);
    Value convW = mb.mergeDims(mb.weight(m + ".conv1d.weight", {conv, 1, W}), 0);
    Value xbc = ir::CausalConv1dOp::create(
        mb.b, mb.transpose(mb.slice(zxd, 2, I, conv), {0, 2, 1}), convW,
        convBias ? mb.weight(m + ".conv1d.bias", {conv}) : Value(),
        ir::ActivationAttr::get(mb.b.getContext(), ir::Activation::silu));
    xbc = mb.transpose(xbc, {0, 2, 1});
    Value xs = mb.splitLast(mb.slice(xbc, 2, 0, I), {H, P});
    Value Bm = mb.splitLast(mb.slice(xbc, 2, I, G * N), {G, N});
    Value Cm = mb.splitLast(mb.slice(xbc, 2, I + G * N, G * N), {G, N});
    Value A = mb.negExp(mb.weight(m + ".A_log", {H}));
    Value y = ir::SsdOp::create(mb.b, xs, dt, A, Bm, Cm, mb.weight(m + ".D", {H}),
                                mb.weight(m + ".dt_bias", {H}), /*initial_state=*/Value(),
                                mb.b.getUnitAttr(), optionalF64(dtMin), optionalF64(dtMax),
                                mb.b.getI64IntegerAttr(chunk),
                                /*return_final_state=*/UnitAttr())
                  .getResult();
    y = ir::GatedRmsNormOp::create(mb.b, mb.mergeLast(y), z, mb.weight(m + ".norm.weight", {I}),
                                   mb.b.getF64FloatAttr(eps), mb.b.getI64IntegerAttr(I / G));
    x = mb.add(x, mb.linearLayer(y, m + ".out_proj", D, I, bias));
  }
  mb.at("backbone.norm_f");
  x = mb.rmsNorm(x, mb.weight("backbone.norm_f.weight", {D}), eps);
  return mb.lmHead(x, embed, tied);
}

} // namespace icl::hf
