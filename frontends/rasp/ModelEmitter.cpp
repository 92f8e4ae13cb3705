//===- ModelEmitter.cpp - A compiled RASP transformer as icl MLIR ---------===//

#include "frontends/rasp/ModelEmitter.h"

#include "frontends/rasp/Json.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdio>
#include <functional>

using namespace llvm;

namespace icl::rasp {

namespace {

/// A masked logit: far below any score, yet finite so no inf arithmetic.
constexpr double kMasked = -1e9;

/// "tensor<2x3xf32>" (or "tensor<1x8xi64>").
std::string tensorType(ArrayRef<size_t> shape, StringRef element = "f32") {
  std::string type = "tensor<";
  for (size_t dim : shape)
    type += std::to_string(dim) + "x";
  return type + element.str() + ">";
}

/// A float literal that reads back as the same f32.
void printFloat(raw_ostream &os, double value) {
  float f = static_cast<float>(value);
  if (f == 0) {
    os << "0.0";
    return;
  }
  char buffer[32];
  snprintf(buffer, sizeof(buffer), "%.9g", f);
  // MLIR's float literals need a '.' before any exponent.
  StringRef text(buffer);
  if (text.contains('.')) {
    os << text;
    return;
  }
  auto [mantissa, exponent] = text.split('e');
  os << mantissa << ".0";
  if (!exponent.empty())
    os << "e" << exponent;
}

/// `dense<...>` of row-major `data` with `shape`: a splat when all elements
/// agree, else nested brackets.
void printDense(raw_ostream &os, ArrayRef<size_t> shape, ArrayRef<double> data) {
  os << "dense<";
  if (llvm::all_equal(data)) {
    printFloat(os, data.empty() ? 0.0 : data.front());
    os << ">";
    return;
  }
  size_t index = 0;
  std::function<void(size_t)> print = [&](size_t dim) {
    if (dim == shape.size()) {
      printFloat(os, data[index++]);
      return;
    }
    os << "[";
    for (size_t i = 0; i < shape[dim]; ++i) {
      if (i)
        os << ", ";
      print(dim + 1);
    }
    os << "]";
  };
  print(0);
  os << ">";
}

class Emitter {
public:
  Emitter(const Transformer &model, raw_ostream &os)
      : model(model), os(os), L(model.length()), d(model.width()) {}

  void emit(StringRef name);

private:
  /// Defines `%name` as a constant and returns its type.
  std::string constant(StringRef name, ArrayRef<size_t> shape, ArrayRef<double> data) {
    std::string type = tensorType(shape);
    os << "    %" << name << " = arith.constant ";
    printDense(os, shape, data);
    os << " : " << type << "\n";
    return type;
  }
  std::string constant(StringRef name, const Matrix &matrix) {
    return constant(name, {matrix.rows, matrix.cols}, matrix.data);
  }
  /// %result = icl.linear %input, %weight (weight [n, k] as `matrix`).
  void linear(StringRef result, StringRef input, size_t k, StringRef weight,
              const Matrix &matrix) {
    std::string weightType = constant(weight, matrix);
    os << "    %" << result << " = icl.linear %" << input << ", %" << weight << " : ("
       << tensorType({1, L, k}) << ", " << weightType << ") -> "
       << tensorType({1, L, matrix.rows}) << "\n";
  }
  /// %result = %lhs + %rhs on the residual stream.
  void add(StringRef result, StringRef lhs, StringRef rhs) {
    os << "    %" << result << " = arith.addf %" << lhs << ", %" << rhs << " : "
       << tensorType({1, L, d}) << "\n";
  }
  /// Splits [1, L, H*D] into heads [1, H, L, D].
  void splitHeads(StringRef result, StringRef input, size_t heads, size_t dim) {
    std::string flat = tensorType({1, L, heads * dim}), split = tensorType({1, L, heads, dim});
    std::string transposed = tensorType({1, heads, L, dim});
    os << "    %" << result << "_split = tensor.expand_shape %" << input
       << " [[0], [1], [2, 3]] output_shape [1, " << L << ", " << heads << ", " << dim
       << "] : " << flat << " into " << split << "\n";
    os << "    %" << result << "_init = tensor.empty() : " << transposed << "\n";
    os << "    %" << result << " = linalg.transpose ins(%" << result << "_split : " << split
       << ") outs(%" << result << "_init : " << transposed << ") permutation = [0, 2, 1, 3]\n";
  }
  void attention(size_t l, const TransformerLayer &layer, StringRef x);
  void mlp(size_t l, const TransformerLayer &layer, StringRef x);

  const Transformer &model;
  raw_ostream &os;
  size_t L, d;
  std::string current;
  unsigned step = 0;
};

void Emitter::attention(size_t l, const TransformerLayer &layer, StringRef x) {
  std::string p = "l" + std::to_string(l) + "_";
  size_t heads = layer.heads.size();
  size_t dk = layer.heads[0].query.rows, dv = layer.heads[0].value.rows;
  // Heads stacked: rows h*dk .. (h+1)*dk - 1 of the projections are head h.
  auto stack = [&](auto select, size_t rows) {
    Matrix all(heads * rows, d);
    for (size_t h = 0; h < heads; ++h) {
      const Matrix &m = select(layer.heads[h]);
      std::copy(m.data.begin(), m.data.end(), all.data.begin() + h * rows * d);
    }
    return all;
  };
  Matrix wq = stack([](const AttentionHead &h) -> const Matrix & { return h.query; }, dk);
  Matrix wk = stack([](const AttentionHead &h) -> const Matrix & { return h.key; }, dk);
  Matrix wv = stack([](const AttentionHead &h) -> const Matrix & { return h.value; }, dv);
  linear(p + "q", x, d, p + "wq", wq);
  splitHeads(p + "qh", p + "q", heads, dk);
  linear(p + "k", x, d, p + "wk", wk);
  splitHeads(p + "kh", p + "k", heads, dk);
  linear(p + "v", x, d, p + "wv", wv);
  splitHeads(p + "vh", p + "v", heads, dv);

  bool causal = llvm::all_of(layer.heads, [](const AttentionHead &h) {
    return h.mask == AttentionHead::Mask::Causal;
  });
  std::string maskType;
  if (!causal) {
    std::vector<double> mask(heads * L * L, 0.0);
    for (size_t h = 0; h < heads; ++h) {
      const AttentionHead &head = layer.heads[h];
      for (size_t q = 0; q < L; ++q)
        for (size_t k = 0; k < L; ++k) {
          bool visible = head.mask == AttentionHead::Mask::Causal ? k <= q
                                                                   : head.visible[q * L + k];
          mask[(h * L + q) * L + k] = visible ? 0.0 : kMasked;
        }
    }
    maskType = constant(p + "mask", {1, heads, L, L}, mask);
  }
  std::string qType = tensorType({1, heads, L, dk}), vType = tensorType({1, heads, L, dv});
  os << "    %" << p << "a = icl.attention %" << p << "qh, %" << p << "kh, %" << p << "vh";
  if (causal)
    os << " {mask_kind = #icl.mask<causal>} : (" << qType << ", " << qType << ", " << vType
       << ")";
  else
    os << " mask(%" << p << "mask) : (" << qType << ", " << qType << ", " << vType << ", "
       << maskType << ")";
  os << " -> " << vType << "\n";

  std::string merged = tensorType({1, L, heads, dv});
  os << "    %" << p << "a_init = tensor.empty() : " << merged << "\n";
  os << "    %" << p << "a_t = linalg.transpose ins(%" << p << "a : " << vType << ") outs(%" << p
     << "a_init : " << merged << ") permutation = [0, 2, 1, 3]\n";
  os << "    %" << p << "a_flat = tensor.collapse_shape %" << p << "a_t [[0], [1], [2, 3]] : "
     << merged << " into " << tensorType({1, L, heads * dv}) << "\n";
  Matrix wo(d, heads * dv);
  for (size_t h = 0; h < heads; ++h)
    for (size_t r = 0; r < d; ++r)
      for (size_t c = 0; c < dv; ++c)
        wo.at(r, h * dv + c) = layer.heads[h].output.at(r, c);
  linear(p + "o", p + "a_flat", heads * dv, p + "wo", wo);
}

void Emitter::mlp(size_t l, const TransformerLayer &layer, StringRef x) {
  std::string p = "l" + std::to_string(l) + "_";
  size_t m = layer.mlpIn.rows;
  linear(p + "h", x, d, p + "w1", layer.mlpIn);
  os << "    %" << p << "relu = icl.activation %" << p
     << "h {kind = #icl.activation<relu>} : " << tensorType({1, L, m}) << "\n";
  linear(p + "m", p + "relu", m, p + "w2", layer.mlpOut);
}

void Emitter::emit(StringRef name) {
  os << "// A transformer compiled from RASP: '" << model.outputName << "'.\n";
  os << "// Token ids: 0 = BOS (at position 0), 1 = PAD (after the input), 2.. = the\n";
  os << "// vocabulary";
  for (size_t j = 0; j < model.vocab.size(); ++j)
    os << (j ? ", " : " ") << formatAtom(model.vocab[j]);
  os << ". Inputs of 0.." << model.maxLen << " tokens.\n";
  if (model.numericOutput) {
    os << "// Result: the output number at each position.\n";
  } else {
    os << "// Result: logits over the output values";
    for (size_t c = 0; c < model.outputValues.size(); ++c)
      os << (c ? ", " : " ") << formatAtom(model.outputValues[c]);
    os << ".\n";
  }
  os << "// Residual stream (" << d << "):";
  for (size_t i = 0; i < model.dimNames.size(); ++i)
    os << (i ? ", " : " ") << i << " " << model.dimNames[i];
  os << "\n";
  os << "module {\n";
  std::string idsType = tensorType({1, L}, "i64"), xType = tensorType({1, L, d});
  os << "  func.func @" << name << "(%ids: " << idsType << ") -> "
     << tensorType({1, L, model.outputSize()}) << " {\n";
  std::string tokenType = constant("tokens", model.tokenEmbedding);
  constant("positions", {1, L, d}, model.positionEmbedding.data);
  os << "    %embedded = icl.embedding %tokens, %ids : (" << tokenType << ", " << idsType
     << ") -> " << xType << "\n";
  current = "x0";
  add(current, "embedded", "positions");
  for (size_t l = 0; l < model.layers.size(); ++l) {
    const TransformerLayer &layer = model.layers[l];
    std::string p = "l" + std::to_string(l) + "_";
    os << "    // Layer " << l << ".\n";
    if (!layer.heads.empty()) {
      attention(l, layer, current);
      std::string next = "x" + std::to_string(++step);
      add(next, current, p + "o");
      current = next;
    }
    if (layer.mlpIn.rows) {
      mlp(l, layer, current);
      std::string next = "x" + std::to_string(++step);
      add(next, current, p + "m");
      current = next;
    }
  }
  linear("result", current, d, "unembedding", model.unembedding);
  os << "    return %result : " << tensorType({1, L, model.outputSize()}) << "\n";
  os << "  }\n}\n";
}

} // namespace

void emitModule(const Transformer &model, StringRef functionName, raw_ostream &os) {
  Emitter(model, os).emit(functionName);
}

std::string emitModule(const Transformer &model, StringRef functionName) {
  std::string text;
  raw_string_ostream os(text);
  emitModule(model, functionName, os);
  return text;
}

} // namespace icl::rasp
