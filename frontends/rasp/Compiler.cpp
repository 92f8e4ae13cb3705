//===- Compiler.cpp - RASP programs to transformer weights ----------------===//
//
// The driver of the compiler's phases, each in a file of compiler/: value
// sets and selectors as formulas with their per-position verdicts
// (Values.cpp), head plans (Heads.cpp), storage decisions
// (StorageDecisions.cpp), the units that write storages: heads and MLPs
// (Units.cpp), scheduling and residual allocation (Layout.cpp), and the
// weights (Weights.cpp); here, the Transformer's own methods.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp {

using namespace detail;

//===----------------------------------------------------------------------===//
// Transformer
//===----------------------------------------------------------------------===//

size_t Transformer::mlpWidth() const {
  size_t widest = 0;
  for (const TransformerLayer &layer : layers)
    widest = std::max(widest, layer.mlpIn.rows);
  return widest;
}

Expected<std::vector<int64_t>> Transformer::encode(ArrayRef<Atom> input) const {
  if (input.size() > maxLen)
    return createStringError(inconvertibleErrorCode(),
                             "error: the input has " + Twine(input.size()) +
                                 " tokens, but the model was compiled for at most " +
                                 Twine(maxLen) + " (--max-len)");
  std::vector<int64_t> ids(length(), kPadId);
  ids[0] = kBosId;
  for (size_t i = 0; i < input.size(); ++i) {
    auto it = llvm::find_if(vocab, [&](const Atom &token) { return atomsEqual(token, input[i]); });
    if (it == vocab.end())
      return createStringError(inconvertibleErrorCode(),
                               "error: input token " + formatAtom(input[i]) + " at position " +
                                   Twine(i) + " is not in the vocabulary");
    ids[i + 1] = 2 + (it - vocab.begin());
  }
  return ids;
}

Sequence Transformer::decode(ArrayRef<double> out, size_t n) const {
  Sequence result;
  size_t k = outputSize();
  for (size_t i = 1; i <= n; ++i) {
    ArrayRef<double> row = out.slice(i * k, k);
    if (!numericOutput) {
      result.push_back(outputValues[std::max_element(row.begin(), row.end()) - row.begin()]);
      continue;
    }
    double x = row[0];
    const Atom *nearest = nullptr;
    for (const Atom &value : outputValues)
      if (!nearest || std::abs(value.toDouble() - x) < std::abs(nearest->toDouble() - x))
        nearest = &value;
    if (!nearest || std::abs(nearest->toDouble() - x) > 0.02 * (1 + std::abs(x))) {
      result.push_back(Atom::real(x));
      continue;
    }
    // Values that differ only in the last bits (sums added in another
    // order) are one value to the model; print the shortest.
    const Atom *shortest = nearest;
    for (const Atom &value : outputValues)
      if (std::abs(value.toDouble() - nearest->toDouble()) <=
              kSamePoint * (1 + std::abs(x)) &&
          formatAtom(value).size() < formatAtom(*shortest).size())
        shortest = &value;
    result.push_back(*shortest);
  }
  return result;
}

std::string Transformer::report() const {
  std::string text;
  raw_string_ostream os(text);
  os << "layers: " << layers.size() << "\n";
  for (size_t l = 0; l < layers.size(); ++l) {
    const TransformerLayer &layer = layers[l];
    os << "  layer " << l << ": " << layer.heads.size() << " head"
       << (layer.heads.size() == 1 ? "" : "s");
    for (const AttentionHead &head : layer.heads)
      os << " [" << head.name << "]";
    os << "; MLP " << layer.mlpIn.rows << " hidden";
    for (const std::string &part : layer.mlpParts)
      os << " [" << part << "]";
    os << "\n";
  }
  os << "residual width: " << width() << "\n";
  os << "MLP width: " << mlpWidth() << "\n";
  return text;
}

std::string Transformer::reportJson() const {
  std::string heads;
  for (const TransformerLayer &layer : layers)
    heads += (heads.empty() ? "" : ",") + std::to_string(layer.heads.size());
  return formatv("{{\"layers\":{0},\"heads\":[{1}],\"residual_width\":{2},\"mlp_width\":{3}}",
                 layers.size(), heads, width(), mlpWidth())
      .str();
}

Expected<Transformer> compileTransformer(const Node &sop, const CompileOptions &options) {
  return Compiler(options).run(sop);
}

bool sameValue(const Atom &expected, const Atom &actual) {
  if (expected.isNumber() && actual.isNumber()) {
    double a = expected.toDouble(), b = actual.toDouble();
    return std::abs(a - b) <= 1e-4 * std::max(1.0, std::abs(a));
  }
  return atomsEqual(expected, actual);
}

VerificationInputs verificationInputs(ArrayRef<Atom> vocab, unsigned maxLen, size_t limit,
                                      size_t samples, uint64_t seed) {
  VerificationInputs result;
  size_t total = 0, power = 1;
  for (unsigned n = 1; n <= maxLen && total <= limit; ++n) {
    power = std::min(power * vocab.size(), limit + 1);
    total += power;
  }
  result.exhaustive = total <= limit;
  if (result.exhaustive) {
    for (unsigned n = 1; n <= maxLen; ++n) {
      std::vector<size_t> digits(n, 0);
      while (true) {
        std::vector<Atom> input;
        for (size_t digit : digits)
          input.push_back(vocab[digit]);
        result.inputs.push_back(std::move(input));
        size_t j = 0;
        for (; j < n && ++digits[j] == vocab.size(); ++j)
          digits[j] = 0;
        if (j == n)
          break;
      }
    }
    return result;
  }
  std::mt19937_64 random(seed);
  for (size_t s = 0; s < samples; ++s) {
    size_t n = 1 + random() % maxLen;
    std::vector<Atom> input;
    for (size_t i = 0; i < n; ++i)
      input.push_back(vocab[random() % vocab.size()]);
    result.inputs.push_back(std::move(input));
  }
  return result;
}

} // namespace icl::rasp
