//===- Mamba.cpp - Mamba-1 (model_type "mamba") ---------------------------===//
//
// x = embeddings[ids]; per layer x += mixer(norm(x)) where the mixer splits
// in_proj(h) into (u, z), runs the depthwise causal conv1d with SiLU on u,
// projects x_proj(u) into (δ_low, B, C), expands δ = dt_proj(δ_low) and runs
// the selective scan with A = −exp(A_log), the D skip, δ_bias = dt_proj.bias
// under softplus and the SiLU(z) gate, then out_proj; logits =
// norm_f(x)·embeddingsᵀ (or lm_head).
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/Architectures.h"

#include <cmath>

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

Value emitMamba(ModelBuilder &mb, Value ids) {
  const Config &cfg = mb.cfg();
  ConfigReader r(cfg);
  int64_t V = r.size("vocab_size"), D = r.size("hidden_size"), N = r.size("state_size", 16),
          L = r.layers("num_hidden_layers"), W = r.size("conv_kernel", 4),
          expand = r.size("expand", 2);
  int64_t I = r.size("intermediate_size", expand * D);
  double eps = r.positive("layer_norm_epsilon", 1e-5);
  bool bias = r.boolean("use_bias", false), convBias = r.boolean("use_conv_bias", true);
  bool tied = r.boolean("tie_word_embeddings", true);
  std::string act = r.string("hidden_act", "silu");
  // time_step_rank is an integer or "auto" (ceil(hidden_size / 16)).
  int64_t R = static_cast<int64_t>(std::ceil(D / 16.0));
  if (const llvm::json::Value *rank = cfg.get("time_step_rank");
      rank && rank->getAsString() != std::optional<StringRef>("auto"))
    R = r.size("time_step_rank");
  if (llvm::Error err = r.takeError())
    return mb.fail(std::move(err));
  if (act != "silu")
    return mb.fail(cfg.unsupported("hidden_act", "only silu, the gate of icl.selective_scan"));

  // [B, T, C] <-> [B, C, T].
  auto channelsFirst = [&](Value v) { return mb.transpose(v, {0, 2, 1}); };

  mb.at("backbone.embeddings");
  Value embed = mb.weight("backbone.embeddings.weight", {V, D});
  Value x = ir::EmbeddingOp::create(mb.b, embed, ids);
  for (int64_t l = 0; l < L && !mb.failed(); ++l) {
    std::string p = "backbone.layers." + std::to_string(l), m = p + ".mixer";
    mb.at(m);
    Value h = mb.rmsNorm(x, mb.weight(p + ".norm.weight", {D}), eps);
    Value uz = channelsFirst(mb.linearLayer(h, m + ".in_proj", 2 * I, D, bias));
    Value u = mb.slice(uz, 1, 0, I), z = mb.slice(uz, 1, I, I);
    Value convW = mb.mergeDims(mb.weight(m + ".conv1d.weight", {I, 1, W}), 0);
    auto silu = ir::ActivationAttr::get(mb.b.getContext(), ir::Activation::silu);
    u = ir::CausalConv1dOp::create(mb.b, u, convW,
                                   convBias ? mb.weight(m + ".conv1d.bias", {I}) : Value(), silu);
    Value dbc = mb.linearLayer(channelsFirst(u), m + ".x_proj", R + 2 * N, I, false);
    Value deltaLow = mb.slice(dbc, 2, 0, R);
    Value delta = channelsFirst(mb.linearLayer(deltaLow, m + ".dt_proj", I, R, false));
    // B and C: [B, T, N] -> [B, 1, N, T] (one group).
    Value Bm = mb.insertUnitDim(channelsFirst(mb.slice(dbc, 2, R, N)), 1);
    Value Cm = mb.insertUnitDim(channelsFirst(mb.slice(dbc, 2, R + N, N)), 1);
    Value A = mb.negExp(mb.weight(m + ".A_log", {I, N}));
    Value y = ir::SelectiveScanOp::create(
                  mb.b, u, delta, A, Bm, Cm, mb.weight(m + ".D", {I}), z,
                  mb.weight(m + ".dt_proj.bias", {I}), /*initial_state=*/Value(),
                  mb.b.getUnitAttr(), /*return_final_state=*/UnitAttr())
                  .getResult();
    x = mb.add(x, mb.linearLayer(channelsFirst(y), m + ".out_proj", D, I, bias));
  }
  mb.at("backbone.norm_f");
  x = mb.rmsNorm(x, mb.weight("backbone.norm_f.weight", {D}), eps);
  return mb.lmHead(x, embed, tied);
}

} // namespace icl::hf
