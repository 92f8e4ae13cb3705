//===- Gpt2.cpp - GPT-2 (model_type "gpt2") -------------------------------===//
//
// x = wte[ids] + wpe[0:T]; per layer x += c_proj(attn(ln_1(x))),
// x += mlp(ln_2(x)); logits = ln_f(x)·wteᵀ (or lm_head). GPT-2's Conv1D
// layers store their weight as [in, out]; the transpose to icl.linear's
// [out, in] is folded at compile time once the weights are inlined.
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/Architectures.h"

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

Value emitGpt2(ModelBuilder &mb, Value ids) {
  ConfigReader r(mb.cfg());
  int64_t V = r.size("vocab_size"), P = r.size("n_positions"), D = r.size("n_embd"),
          L = r.layers("n_layer"), H = r.size("n_head");
  int64_t M = r.size("n_inner", 4 * D);
  double eps = r.positive("layer_norm_epsilon", 1e-5);
  std::string act = r.string("activation_function", "gelu_new");
  bool scaled = r.boolean("scale_attn_weights", true);
  bool byLayer = r.boolean("scale_attn_by_inverse_layer_idx", false);
  bool cross = r.boolean("add_cross_attention", false);
  bool tied = r.boolean("tie_word_embeddings", true);
  if (llvm::Error err = r.takeError())
    return mb.fail(std::move(err));
  std::optional<ir::Activation> kind = activationNamed(act);
  if (!kind)
    return mb.fail(mb.cfg().unsupported("activation_function", kActivationNames));
  if (D % H)
    return mb.failConfig("'n_embd' (" + Twine(D) + ") must be a multiple of 'n_head' (" +
                         Twine(H) + ")");
  if (!scaled)
    return mb.fail(mb.cfg().unsupported("scale_attn_weights", "only true"));
  if (byLayer)
    return mb.fail(mb.cfg().unsupported("scale_attn_by_inverse_layer_idx", "only false"));
  if (cross)
    return mb.fail(mb.cfg().unsupported("add_cross_attention", "decoder-only GPT-2"));

  ArrayRef<int64_t> idShape = shapeOf(ids);
  int64_t B = idShape[0], T = idShape[1];
  if (T > P)
    return mb.failConfig("the sequence length " + Twine(T) + " exceeds 'n_positions' (" +
                         Twine(P) + ")");

  // GPT2LMHeadModel checkpoints prefix the body with "transformer.".
  std::string prefix = mb.hasTensor("transformer.wte.weight") ? "transformer." : "";
  auto name = [&](const Twine &n) { return (prefix + n).str(); };

  mb.at(name("wte"));
  Value wte = mb.weight(name("wte.weight"), {V, D});
  Value wpe = mb.weight(name("wpe.weight"), {P, D});
  Value tokens = ir::EmbeddingOp::create(mb.b, wte, ids);
  Value pos = mb.broadcast(mb.slice(wpe, 0, 0, T), {B, T, D}, {0});
  Value x = mb.add(tokens, pos);

  // A Conv1D: y = x·W + b with W stored [in, out].
  auto conv1d = [&](Value in, const std::string &layer, int64_t n, int64_t k) {
    Value w = mb.weight(layer + ".weight", {k, n});
    Value bias = mb.weight(layer + ".bias", {n});
    return mb.linear(in, mb.transpose(w, {1, 0}), bias);
  };
  auto layerNorm = [&](Value in, const std::string &layer) {
    Value gamma = mb.weight(layer + ".weight", {D});
    return mb.layerNorm(in, gamma, mb.weight(layer + ".bias", {D}), eps);
  };

  for (int64_t l = 0; l < L && !mb.failed(); ++l) {
    std::string h = name("h." + Twine(l));
    mb.at(h + ".attn");
    Value qkv = conv1d(layerNorm(x, h + ".ln_1"), h + ".attn.c_attn", 3 * D, D);
    Value q = mb.toHeads(mb.slice(qkv, 2, 0, D), H);
    Value k = mb.toHeads(mb.slice(qkv, 2, D, D), H);
    Value v = mb.toHeads(mb.slice(qkv, 2, 2 * D, D), H);
    Value a = mb.fromHeads(mb.causalAttention(q, k, v));
    x = mb.add(x, conv1d(a, h + ".attn.c_proj", D, D));

    mb.at(h + ".mlp");
    Value m = conv1d(layerNorm(x, h + ".ln_2"), h + ".mlp.c_fc", M, D);
    m = conv1d(mb.activation(m, *kind), h + ".mlp.c_proj", D, M);
    x = mb.add(x, m);
  }
  mb.at(name("ln_f"));
  x = layerNorm(x, name("ln_f"));
  return mb.lmHead(x, wte, tied);
}

} // namespace icl::hf
