//===- Llama.cpp - Llama (model_type "llama") -----------------------------===//
//
// x = embed_tokens[ids]; per layer x += o_proj(attn(rope(q), rope(k), v)) on
// input_layernorm(x), then x += down_proj(silu(gate_proj(h)) ⊙ up_proj(h))
// on h = post_attention_layernorm(x); logits = lm_head(norm(x)). Hugging
// Face's Llama rotates channel i with i + head_dim/2 (rotate_half), which is
// icl.rope's `half` style; grouped-query attention maps onto icl.attention.
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/Architectures.h"

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

Value emitLlama(ModelBuilder &mb, Value ids) {
  const Config &cfg = mb.cfg();
  ConfigReader r(cfg);
  int64_t V = r.size("vocab_size"), D = r.size("hidden_size"), I = r.size("intermediate_size"),
          L = r.layers("num_hidden_layers"), Hq = r.size("num_attention_heads");
  int64_t Hkv = r.size("num_key_value_heads", Hq);
  int64_t hd = r.size("head_dim", D / Hq);
  double eps = r.positive("rms_norm_eps", 1e-6), theta = r.positive("rope_theta", 10000.0);
  double rotaryFraction = r.number("partial_rotary_factor", 1.0);
  bool attnBias = r.boolean("attention_bias", false), mlpBias = r.boolean("mlp_bias", false);
  bool tied = r.boolean("tie_word_embeddings", false);
  std::string act = r.string("hidden_act", "silu");
  if (llvm::Error err = r.takeError())
    return mb.fail(std::move(err));
  std::optional<ir::Activation> kind = activationNamed(act);
  if (!kind)
    return mb.fail(cfg.unsupported("hidden_act", kActivationNames));
  if (Hq % Hkv)
    return mb.failConfig("'num_attention_heads' (" + Twine(Hq) +
                         ") must be a multiple of 'num_key_value_heads' (" + Twine(Hkv) + ")");
  if (hd % 2)
    return mb.failConfig("the head dimension (" + Twine(hd) + ") must be even for RoPE");
  if (cfg.has("rope_scaling")) {
    const llvm::json::Object *scaling = cfg.get("rope_scaling")->getAsObject();
    std::optional<StringRef> type =
        scaling ? scaling->getString(scaling->get("rope_type") ? "rope_type" : "type")
                : std::nullopt;
    if (!type || *type != "default")
      return mb.fail(cfg.unsupported("rope_scaling", "only null: plain RoPE with rope_theta"));
  }
  if (rotaryFraction != 1.0)
    return mb.fail(cfg.unsupported("partial_rotary_factor", "only 1.0"));
  if (cfg.has("sliding_window"))
    return mb.fail(cfg.unsupported("sliding_window", "only null: full causal attention"));

  ArrayRef<int64_t> idShape = shapeOf(ids);
  int64_t T = idShape[1];

  mb.at("model.embed_tokens");
  Value embed = mb.weight("model.embed_tokens.weight", {V, D});
  Value x = ir::EmbeddingOp::create(mb.b, embed, ids);
  Value pos = mb.positions(T);
  auto rope = [&](Value heads) {
    return ir::RopeOp::create(mb.b, heads, pos, mb.b.getF64FloatAttr(theta),
                              /*rotary_dim=*/IntegerAttr(),
                              ir::RopeStyleAttr::get(mb.b.getContext(), ir::RopeStyle::half))
        .getResult();
  };

  for (int64_t l = 0; l < L && !mb.failed(); ++l) {
    std::string p = "model.layers." + std::to_string(l);
    mb.at(p + ".self_attn");
    Value h = mb.rmsNorm(x, mb.weight(p + ".input_layernorm.weight", {D}), eps);
    std::string a = p + ".self_attn";
    Value q = rope(mb.toHeads(mb.linearLayer(h, a + ".q_proj", Hq * hd, D, attnBias), Hq));
    Value k = rope(mb.toHeads(mb.linearLayer(h, a + ".k_proj", Hkv * hd, D, attnBias), Hkv));
    Value v = mb.toHeads(mb.linearLayer(h, a + ".v_proj", Hkv * hd, D, attnBias), Hkv);
    Value o = mb.fromHeads(mb.causalAttention(q, k, v));
    x = mb.add(x, mb.linearLayer(o, a + ".o_proj", D, Hq * hd, attnBias));

    mb.at(p + ".mlp");
    h = mb.rmsNorm(x, mb.weight(p + ".post_attention_layernorm.weight", {D}), eps);
    Value gate = mb.activation(mb.linearLayer(h, p + ".mlp.gate_proj", I, D, mlpBias), *kind);
    Value up = mb.linearLayer(h, p + ".mlp.up_proj", I, D, mlpBias);
    x = mb.add(x, mb.linearLayer(mb.mul(gate, up), p + ".mlp.down_proj", D, I, mlpBias));
  }
  mb.at("model.norm");
  x = mb.rmsNorm(x, mb.weight("model.norm.weight", {D}), eps);
  return mb.lmHead(x, embed, tied);
}

} // namespace icl::hf
