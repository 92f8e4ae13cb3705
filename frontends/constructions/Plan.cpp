//===- Plan.cpp - The layers of a construction as weight matrices ---------===//

#include "frontends/constructions/Plan.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace icl::construct {

namespace {

/// [n, C]: scale · I reading the n stream dimensions from `slot` on.
Matrix pick(int64_t n, int64_t width, int64_t slot, double scale = 1.0) {
  Matrix m(n, width);
  m.addIdentity(0, slot, n, scale);
  return m;
}

/// [C, n]: scale · I writing n dimensions into the stream from `slot` on.
Matrix into(int64_t width, int64_t n, int64_t slot, double scale) {
  Matrix m(width, n);
  m.addIdentity(slot, 0, n, scale);
  return m;
}

/// [C, C]: scale · I on n dimensions from `slot` on, zero elsewhere.
Matrix diagonal(int64_t width, int64_t slot, int64_t n, double scale) {
  Matrix m(width, width);
  m.addIdentity(slot, slot, n, scale);
  return m;
}

/// [C, d + o]: the prompt's (x, y) into the stream's first d + o dimensions.
Matrix readInto(int64_t width, int64_t prompt) {
  Matrix m(width, prompt);
  m.addIdentity(0, 0, prompt, 1.0);
  return m;
}

/// gd and pgd: stream (x, y); y's slot holds y_i − W_l x_i (the query's
/// −W_l x_q). Values carry that residual, negated; P adds η/N of the sum.
Plan gradientDescent(const Options &o) {
  int64_t d = o.dim, c = o.width();
  Plan plan;
  plan.slots = {{"x", d}, {"y", o.outDim}};
  AttentionLayer &step = plan.step;
  step.key = pick(d, c, 0);
  if (o.kind == Kind::PGD) {
    // Score x_jᵀ Γᵀ x_i = (Γ x_j) · x_i: Γ acts on the key side of the
    // update W += (η/N) Σ_j r_j (Γ x_j)ᵀ, so Γᵀ projects the queries.
    step.name = "pgd.step";
    step.what = "PGD step";
    step.query = Matrix(d, c);
    for (int64_t r = 0; r < d; ++r)
      for (int64_t k = 0; k < d; ++k)
        step.query.at(r, k) = o.preconditioner[k * d + r];
  } else {
    step.name = "gd.step";
    step.what = "GD step";
    step.query = pick(d, c, 0);
  }
  step.value = pick(o.outDim, c, d, -1.0);
  step.output = into(c, o.outDim, d, o.lr / double(o.examples));
  plan.predictionSlot = d;
  plan.negatePrediction = true;
  return plan;
}

/// ridge: stream (x, y, p); p_i = W_l x_i for every token. Values carry
/// y_j − p_j, P adds η/N of the sum to p, D shrinks p by ηλ.
Plan ridge(const Options &o) {
  int64_t d = o.dim, out = o.outDim, c = o.width();
  Plan plan;
  plan.slots = {{"x", d}, {"y", out}, {"p", out}};
  plan.readIn = readInto(c, d + out);
  AttentionLayer &step = plan.step;
  step.name = "ridge.step";
  step.what = "ridge GD step";
  step.query = pick(d, c, 0);
  step.key = pick(d, c, 0);
  step.value = pick(out, c, d);
  step.value.addIdentity(0, d + out, out, -1.0);
  step.output = into(c, out, d + out, o.lr / double(o.examples));
  step.perToken = diagonal(c, d + out, out, -o.lr * o.lambda);
  step.perTokenWhat = "the shrinkage D = -eta*lambda on p";
  plan.predictionSlot = d + out;
  return plan;
}

/// newton: stream (x, y, u, ŷ); u_i = M_k x_i. M_0 = αS is one layer, each
/// step u_i ← 2u_i − (1/N) Σ_j u_j (x_j · u_i) one more, and the head
/// ŷ_i = (1/N) Σ_j y_j (x_j · u_i) = x_iᵀ M_k Xᵀy/N the last.
Plan newton(const Options &o) {
  int64_t d = o.dim, out = o.outDim, c = o.width();
  int64_t u = d + out, yHat = 2 * d + out;
  double n = double(o.examples);
  Plan plan;
  plan.slots = {{"x", d}, {"y", out}, {"u", d}, {"y_hat", out}};
  plan.readIn = readInto(c, d + out);
  AttentionLayer init;
  init.name = "newton.init";
  init.what = "Newton init M_0 = alpha*S";
  init.query = pick(d, c, 0);
  init.key = pick(d, c, 0);
  init.value = pick(d, c, 0);
  init.output = into(c, d, u, o.newtonAlpha() / n);
  plan.init = std::move(init);

  AttentionLayer &step = plan.step;
  step.name = "newton.step";
  step.what = "Newton step";
  step.query = pick(d, c, u);
  step.key = pick(d, c, 0);
  step.value = pick(d, c, u);
  step.output = into(c, d, u, -1.0 / n);
  step.perToken = diagonal(c, u, d, 1.0);
  step.perTokenWhat = "D = +I on u (u <- 2u - ...)";

  AttentionLayer head;
  head.name = "newton.readout";
  head.what = "readout y_hat = u^T X^T y / N";
  head.query = pick(d, c, u);
  head.key = pick(d, c, 0);
  head.value = pick(out, c, d);
  head.output = into(c, out, yHat, 1.0 / n);
  plan.readout = std::move(head);
  plan.predictionSlot = yHat;
  return plan;
}

std::string shape(const Matrix &m) { return formatv("[{0}, {1}]", m.rows, m.cols).str(); }

std::string weights(const AttentionLayer &layer) {
  std::string s = "W_Q " + shape(layer.query) + ", W_K " + shape(layer.key) + ", W_V " +
                  shape(layer.value) + ", P " + shape(layer.output);
  if (layer.perToken)
    s += ", D " + shape(*layer.perToken);
  return s;
}

} // namespace

int64_t Plan::width() const {
  int64_t c = 0;
  for (const auto &slot : slots)
    c += slot.second;
  return c;
}

Plan planOf(const Options &options) {
  switch (options.kind) {
  case Kind::GD:
  case Kind::PGD:
    return gradientDescent(options);
  case Kind::Ridge:
    return ridge(options);
  case Kind::Newton:
    return newton(options);
  }
  llvm_unreachable("unknown construction");
}

std::string report(const Options &o, const Plan &plan) {
  std::string text;
  raw_string_ostream os(text);
  os << "construction: " << kindName(o.kind) << " (d = " << o.dim << ", o = " << o.outDim
     << ", N = " << o.examples;
  for (auto [parameter, value] : scalarParameters(o))
    os << ", " << parameter->symbol << " = " << formatNumber(value);
  os << "), ";
  if (o.looped)
    os << "looped: K = argument 1";
  else
    os << o.steps << " steps stacked";
  os << ", batch " << o.batch << "\n";
  os << "stream: C = " << plan.width() << ":";
  int64_t offset = 0;
  for (const auto &[name, size] : plan.slots) {
    os << " " << name << " " << offset;
    if (size > 1)
      os << ".." << offset + size - 1;
    offset += size;
  }
  os << "\n";

  int64_t index = 0;
  auto line = [&](const Twine &what, const std::string &weightShapes) {
    os << "layer " << index++ << ": " << what << ": " << weightShapes << "\n";
  };
  if (plan.readIn)
    line("read-in (x, y) -> stream", "W_in " + shape(*plan.readIn));
  if (plan.init)
    line(plan.init->what, weights(*plan.init));
  if (o.looped) {
    line(plan.step.what + " (looped K times, tied weights)", weights(plan.step));
  } else {
    for (int64_t s = 1; s <= o.steps; ++s)
      line(plan.step.what + " " + Twine(s), weights(plan.step));
  }
  if (plan.readout)
    line(plan.readout->what, weights(*plan.readout));

  StringRef predicted;
  offset = 0;
  for (const auto &[name, size] : plan.slots) {
    if (offset == plan.predictionSlot)
      predicted = name;
    offset += size;
  }
  os << "prediction: " << (plan.negatePrediction ? "-" : "") << "(the query's " << predicted
     << " slot)";
  if (o.readoutEveryLayer)
    os << "; result 1: the prediction after each step, [" << o.batch << ", "
       << o.readoutRows() << ", " << o.outDim << "]"
       << (o.looped ? " (rows from K on are zero)" : "")
       << (plan.readout ? ", the readout applied to every step's stream as a side branch" : "");
  os << "\n";
  int64_t blocks = (plan.init ? 1 : 0) + (plan.readout ? 1 : 0);
  os << "totals: ";
  if (o.looped)
    os << (blocks ? std::to_string(blocks) + " + " : std::string()) << "K LSA layers";
  else
    os << blocks + o.steps << " LSA layers";
  os << ", 1 per step";
  if (plan.step.perToken)
    os << " (with " << plan.step.perTokenWhat << " in the same residual block)";
  if (blocks)
    os << ", plus " << (plan.init ? "the init and " : "") << "the readout";
  os << "; C = " << plan.width() << "\n";
  return text;
}

} // namespace icl::construct
