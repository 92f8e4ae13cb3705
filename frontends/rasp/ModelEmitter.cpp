//===- ModelEmitter.cpp - A compiled RASP transformer as icl MLIR ---------===//

#include "frontends/rasp/ModelEmitter.h"

#include "frontends/common/GraphBuilder.h"
#include "frontends/rasp/Json.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"

using namespace llvm;
namespace ir = mlir::icl;

namespace icl::rasp {

namespace {

/// A masked logit: far below any score, yet finite so no inf arithmetic.
constexpr float kMasked = -1e9f;

std::vector<float> toFloats(ArrayRef<double> data) { return {data.begin(), data.end()}; }

class Emitter {
public:
  Emitter(const Transformer &model, mlir::ImplicitLocOpBuilder &b)
      : model(model), g(b), L(model.length()), d(model.width()) {}

  /// The function `name` at the builder's insertion point.
  void build(StringRef name);

private:
  /// `matrix` [n, k] as a named constant.
  mlir::Value weight(const Twine &name, const Matrix &matrix) {
    return g.constant(name.str(), {int64_t(matrix.rows), int64_t(matrix.cols)},
                      toFloats(matrix.data));
  }
  mlir::Value attention(size_t l, const TransformerLayer &layer, mlir::Value x);
  mlir::Value mlp(size_t l, const TransformerLayer &layer, mlir::Value x);

  const Transformer &model;
  GraphBuilder g;
  int64_t L, d;
};

mlir::Value Emitter::attention(size_t l, const TransformerLayer &layer, mlir::Value x) {
  std::string p = "l" + std::to_string(l) + ".";
  g.at("layer " + std::to_string(l) + " attention");
  int64_t heads = layer.heads.size();
  size_t dk = layer.heads[0].query.rows, dv = layer.heads[0].value.rows;
  // Heads stacked: rows h*dk .. (h+1)*dk - 1 of the projections are head h.
  auto stack = [&](auto select, size_t rows) {
    Matrix all(heads * rows, d);
    for (int64_t h = 0; h < heads; ++h) {
      const Matrix &m = select(layer.heads[h]);
      std::copy(m.data.begin(), m.data.end(), all.data.begin() + h * rows * d);
    }
    return all;
  };
  auto project = [&](StringRef name, auto select, size_t rows) {
    return g.toHeads(g.linear(x, weight(p + name, stack(select, rows))), heads);
  };
  mlir::Value q = project("wq", [](const AttentionHead &h) -> const Matrix & { return h.query; }, dk);
  mlir::Value k = project("wk", [](const AttentionHead &h) -> const Matrix & { return h.key; }, dk);
  mlir::Value v = project("wv", [](const AttentionHead &h) -> const Matrix & { return h.value; }, dv);

  bool causal = llvm::all_of(layer.heads, [](const AttentionHead &h) {
    return h.mask == AttentionHead::Mask::Causal;
  });
  mlir::Value a;
  if (causal) {
    a = g.causalAttention(q, k, v);
  } else {
    std::vector<float> mask(heads * L * L, 0.0f);
    for (int64_t h = 0; h < heads; ++h) {
      const AttentionHead &head = layer.heads[h];
      for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < L; ++j) {
          bool visible = head.mask == AttentionHead::Mask::Causal ? j <= i
                                                                   : head.visible[i * L + j];
          mask[(h * L + i) * L + j] = visible ? 0.0f : kMasked;
        }
    }
    a = g.maskedAttention(q, k, v, g.constant(p + "mask", {1, heads, L, L}, mask));
  }
  Matrix wo(d, heads * dv);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t r = 0; r < d; ++r)
      for (size_t c = 0; c < dv; ++c)
        wo.at(r, h * dv + c) = layer.heads[h].output.at(r, c);
  return g.linear(g.fromHeads(a), weight(p + "wo", wo));
}

mlir::Value Emitter::mlp(size_t l, const TransformerLayer &layer, mlir::Value x) {
  std::string p = "l" + std::to_string(l) + ".";
  g.at("layer " + std::to_string(l) + " mlp");
  mlir::Value h = g.linear(x, weight(p + "w1", layer.mlpIn));
  return g.linear(g.activation(h, ir::Activation::relu), weight(p + "w2", layer.mlpOut));
}

void Emitter::build(StringRef name) {
  mlir::ImplicitLocOpBuilder &b = g.b;
  auto idsType = mlir::RankedTensorType::get({1, L}, b.getI64Type());
  auto resultType =
      mlir::RankedTensorType::get({1, L, int64_t(model.outputSize())}, b.getF32Type());
  auto func = mlir::func::FuncOp::create(b, name, b.getFunctionType({idsType}, {resultType}));
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(func.addEntryBlock());
  g.at("embedding");
  mlir::Value tokens = weight("tokens", model.tokenEmbedding);
  mlir::Value positions = g.constant("positions", {1, L, d}, toFloats(model.positionEmbedding.data));
  mlir::Value x = g.add(g.embedding(tokens, func.getArgument(0)), positions);
  for (size_t l = 0; l < model.layers.size(); ++l) {
    const TransformerLayer &layer = model.layers[l];
    if (!layer.heads.empty())
      x = g.add(x, attention(l, layer, x));
    if (layer.mlpIn.rows)
      x = g.add(x, mlp(l, layer, x));
  }
  g.at("unembedding");
  mlir::func::ReturnOp::create(b, g.linear(x, weight("unembedding", model.unembedding)));
}

/// What the module holds, as comments for its reader.
void writeHeader(const Transformer &model, raw_ostream &os) {
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
  os << "// Residual stream (" << model.width() << "):";
  for (size_t i = 0; i < model.dimNames.size(); ++i)
    os << (i ? ", " : " ") << i << " " << model.dimNames[i];
  os << "\n";
}

} // namespace

mlir::OwningOpRef<mlir::ModuleOp> buildModule(const Transformer &model, StringRef functionName,
                                              mlir::MLIRContext &context) {
  context.loadDialect<ir::IclDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
                      mlir::tensor::TensorDialect, mlir::linalg::LinalgDialect>();
  auto loc = mlir::NameLoc::get(mlir::StringAttr::get(&context, "rasp " + model.outputName));
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(loc);
  mlir::ImplicitLocOpBuilder b(loc, &context);
  b.setInsertionPointToEnd(module->getBody());
  Emitter(model, b).build(functionName);
  if (failed(mlir::verify(*module)))
    return nullptr; // a compiler bug; the verifier reported it
  return module;
}

void emitModule(const Transformer &model, StringRef functionName, raw_ostream &os) {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(model, functionName, context);
  writeHeader(model, os);
  if (module)
    module->print(os);
  os << "\n";
}

} // namespace icl::rasp
