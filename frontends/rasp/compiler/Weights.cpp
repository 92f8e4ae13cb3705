//===- Weights.cpp - The weights (buildTransformer) -----------------------===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

Transformer Compiler::buildTransformer() {
  Transformer model;
  model.outputName = describe(*output);
  model.maxLen = maxLen();
  model.causal = options.causal;
  model.vocab = options.vocab;
  model.dimNames = dimNames;
  size_t d = dimNames.size();
  unsigned padDim = 1;
  auto dense = [&](const Lin &lin, Matrix &matrix, size_t row, double scale) {
    matrix.at(row, 0) += scale * lin.notbos;
    if (lin.pad != 0)
      matrix.at(row, padDim) += scale * lin.pad;
    for (const Lin::Term &term : lin.terms)
      matrix.at(row, term.storage->dims[term.component]) += scale * term.coef;
  };

  // Embeddings: the token one-hot (BOS is all zero), `notbos` and index
  // one-hot by position.
  model.tokenEmbedding = Matrix(options.vocab.size() + 2, d);
  if (needPad)
    model.tokenEmbedding.at(Transformer::kPadId, padDim) = 1;
  if (!rawTokens->dims.empty())
    for (size_t j = 0; j < options.vocab.size(); ++j)
      for (auto [component, value] : rawTokens->encode(rawTokens->values.find(options.vocab[j])))
        model.tokenEmbedding.at(j + 2, rawTokens->dims[component]) = value;
  model.positionEmbedding = Matrix(model.length(), d);
  Storage *indices = indicesNode ? info(indicesNode).own : nullptr;
  for (unsigned p = 1; p < model.length(); ++p) {
    model.positionEmbedding.at(p, 0) = 1;
    if (indices && !indices->dims.empty())
      for (auto [component, value] : indices->encode(indices->values.find(Atom::integer(p - 1))))
        model.positionEmbedding.at(p, indices->dims[component]) = value;
  }

  // A unit whose storage nobody reads (or that has no dimensions) writes
  // nothing.
  auto kept = [](const Unit &unit) { return !unit.out || !unit.out->dims.empty(); };
  int maxSlot = -1;
  for (const std::unique_ptr<Unit> &unit : units)
    if (kept(*unit))
      maxSlot = std::max(maxSlot, unit->slot);
  model.layers.resize(maxSlot < 0 ? 0 : maxSlot / 2 + 1);
  // Per slot, its heads (even slots) or MLP parts (odd), in unit order.
  std::vector<std::vector<const Unit *>> bySlot(2 * model.layers.size());
  for (const std::unique_ptr<Unit> &unit : units)
    if (kept(*unit) && unit->slot >= 0 && (unit->slot % 2 == 0) == unit->attention)
      bySlot[unit->slot].push_back(unit.get());
  for (size_t l = 0; l < model.layers.size(); ++l) {
    TransformerLayer &layer = model.layers[l];
    const std::vector<const Unit *> &heads = bySlot[2 * l], &mlps = bySlot[2 * l + 1];
    size_t dk = 1, dv = 1;
    for (const Unit *unit : heads) {
      dk = std::max(dk, unit->query.size());
      dv = std::max(dv, unit->value.size());
    }
    // The attention op divides logits by sqrt(dk); undo it in the queries.
    double fold = std::sqrt(double(dk));
    unsigned L = model.length();
    for (const Unit *unit : heads) {
      AttentionHead head;
      head.name = unit->name;
      head.query = Matrix(dk, d);
      head.key = Matrix(dk, d);
      head.value = Matrix(dv, d);
      head.output = Matrix(d, dv);
      for (size_t r = 0; r < unit->query.size(); ++r) {
        dense(unit->query[r], head.query, r, fold);
        dense(unit->key[r], head.key, r, 1);
      }
      for (size_t r = 0; r < unit->value.size(); ++r) {
        dense(unit->value[r], head.value, r, 1);
        head.output.at(unit->out->dims[unit->valueComponents[r]], r) = 1;
      }
      if (unit->positional.empty() && (unit->futureFree || L == 1)) {
        head.mask = AttentionHead::Mask::Causal;
      } else {
        // BOS sees only itself (its residual stays zero); every query sees
        // BOS; the positional parts decide the rest.
        head.mask = AttentionHead::Mask::Table;
        head.visible.assign(size_t(L) * L, false);
        for (unsigned q = 0; q < L; ++q) {
          head.visible[q * L] = true;
          for (unsigned k = 1; q > 0 && k < L; ++k) {
            bool visible = !unit->futureFree || k <= q;
            if (!unit->positional.empty())
              visible &= unit->positional[(q - 1) * maxLen() + (k - 1)];
            head.visible[q * L + k] = visible;
          }
        }
        // A table that is the causal mask (`k <= q` selects) is one.
        bool causalTable = true;
        for (unsigned q = 0; q < L; ++q)
          for (unsigned k = 0; k < L; ++k)
            causalTable &= head.visible[q * L + k] == (k <= q);
        if (causalTable) {
          head.mask = AttentionHead::Mask::Causal;
          head.visible.clear();
        }
      }
      layer.heads.push_back(std::move(head));
    }
    size_t m = 0;
    for (const Unit *unit : mlps)
      m += unit->hidden.size();
    layer.mlpIn = Matrix(m, d);
    layer.mlpOut = Matrix(d, m);
    size_t row = 0;
    for (const Unit *unit : mlps) {
      layer.mlpParts.push_back(unit->name);
      for (size_t h = 0; h < unit->hidden.size(); ++h, ++row) {
        dense(unit->hidden[h], layer.mlpIn, row, 1);
        for (const Lin::Term &term : unit->hiddenOut[h])
          layer.mlpOut.at(term.storage->dims[term.component], row) += term.coef;
      }
    }
  }

  // Unembedding: logits over the output's classes, or its number.
  SOpInfo &out = info(output);
  model.numericOutput = !out.needCat;
  model.unembedding = Matrix(readout.size(), d);
  for (size_t row = 0; row < readout.size(); ++row)
    dense(readout[row], model.unembedding, row, 1);
  if (!out.unbounded)
    model.outputValues = out.values.all().vec();
  return model;
}

Expected<Transformer> Compiler::run(const Node &root) {
  if (options.maxLen == 0)
    return createStringError(inconvertibleErrorCode(), "error: --max-len must be at least 1");
  if (options.maxLen > kMaxInputLength)
    return createStringError("error: --max-len " + Twine(options.maxLen) +
                             " is more than the limit, " + Twine(kMaxInputLength) +
                             " (compile time and model size grow with its square)");
  std::vector<Atom> vocab;
  for (const Atom &token : options.vocab)
    if (llvm::none_of(vocab, [&](const Atom &seen) { return atomsEqual(seen, token); }))
      vocab.push_back(token);
  if (vocab.empty())
    return createStringError(inconvertibleErrorCode(), "error: the vocabulary is empty");
  options.vocab = std::move(vocab);
  collect(root);
  if (Error err = inferValues())
    return err;
  if (Error err = planHeads())
    return err;
  if (Error err = decideNeeds())
    return err;
  // Store intermediate maps until every fused MLP is small and, built,
  // precise enough.
  while (true) {
    do {
      if (Error err = decideStorage())
        return err;
    } while (splitLargeMlps());
    imprecise = nullptr;
    Error err = buildUnits();
    if (!err)
      break;
    if (!imprecise || !chooseCuts(*imprecise, std::numeric_limits<int>::max()))
      return err;
    consumeError(std::move(err));
    units.clear();
    needPad = false;
  }
  SOpInfo &out = info(output);
  if (out.needNum && !out.own && !numericReadout(*output))
    return nodeError(*output, "its value cannot be read out linearly");
  if (out.needCat)
    readout = categoricalReadout(*output);
  else
    readout = {*numericReadout(*output)};
  schedule();
  compress();
  allocate();
  return buildTransformer();
}

} // namespace icl::rasp::detail
