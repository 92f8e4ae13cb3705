//===- Compiler.h - RASP programs to transformer weights --------*- C++ -*-===//
//
// Compiles the graph of one RASP s-op (see Value.h), for a vocabulary and a
// maximum input length, into a transformer: a token and a position
// embedding, layers of attention heads and ReLU MLPs on a residual stream,
// and an unembedding that reads the output s-op. ModelEmitter.h writes the
// result as an icl MLIR module.
//
// The construction, in order:
//
// 1. Value sets. For every input length n <= maxLen and position i < n the
//    compiler infers the finite set of values each s-op can hold there
//    (indices hold exactly i, tokens any vocabulary entry, a map the image
//    of its inputs, an aggregate the values its selector can gather, a mean
//    every average reachable that way). Working per (n, i) keeps relations
//    such as i < length, so `length - indices - 1` has n values, not 2n.
//
// 2. Storage. An s-op is either stored in residual dimensions or virtual: a
//    linear function of stored ones that readers apply directly. Tokens and
//    indices are stored one-hot by the embeddings; aggregates by attention;
//    a map of one categorical s-op is always virtual (its indicators and its
//    number are linear in the input's indicators), as is a sum of such
//    terms. A map that no reader can take linearly is stored by an MLP that
//    computes it from the stored s-ops it depends on, through the whole
//    chain of maps in between (chains fuse into one MLP).
//
//    A categorical s-op with k values takes k-1 dimensions: dimension
//    `notbos`, 1 at every position but BOS, stands for the sum of all k
//    indicators. A numeric s-op takes one dimension holding x - offset.
//    The BOS position's residual is zero throughout: every reader is linear
//    in dimensions that are zero there, MLP biases are weights on `notbos`,
//    and BOS queries see only BOS.
//
// 3. Heads. A selector is a formula over its select( comparisons. When it is
//    a conjunction of parts that each compare one key s-op with one query
//    s-op, one head scores each part from a table over (query value, key
//    value) through one-hot bilinear forms, so a key scores the number of
//    parts it satisfies; parts that compare only positions become the head's
//    attention mask. BOS scores half a part below a full match, so a query
//    that selects nothing reads BOS (the aggregate's default, stored as zero)
//    and the softmax, scaled so a gap of half a part is e^-50, is exact to
//    float precision. selector_width scores BOS like a match and reads
//    w/(w+1) from the `notbos` values. A part that is an equality of two
//    integer s-ops scores 1 - (q - k)² from their numbers and squares, so
//    those s-ops need two dimensions rather than a one-hot. A selector that
//    is not such a conjunction is split, for selector_width, by
//    inclusion-exclusion into heads whose widths an MLP adds; for an
//    aggregate, one head scores a table over tuples of the compared s-ops,
//    stored one-hot by an MLP. A categorical aggregate copies one-hot values
//    (exact when at most one key is selected, or all selected keys agree); a
//    numeric one averages numbers.
//
// 4. MLPs. A stored map is one hidden unit per tuple of categorical input
//    values (an AND of indicators), or, when an input is numeric, a ReLU
//    step function of one scalar that numbers every input tuple apart.
//
// 5. Layers. Heads and MLPs are placed as early as their inputs allow, so
//    independent heads share a layer; dimensions of stored values that no
//    later reader needs are erased by an MLP and reused, and a one-hot value
//    whose readers apply only a few linear functions of it keeps just those.
//
// Step MLPs round in float32 in proportion to their span; the compiler
// bounds that rounding and stores values one-hot, or intermediate maps
// first, where the bound exceeds what readers tolerate.
//
// A program the construction cannot express exactly is rejected with an
// error naming the expression, its source line and why.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_COMPILER_H
#define ICL_FRONTENDS_RASP_COMPILER_H

#include "frontends/rasp/Interpreter.h"
#include "frontends/rasp/Value.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace icl::rasp {

/// A dense row-major matrix of weights.
struct Matrix {
  Matrix() = default;
  Matrix(size_t rows, size_t cols) : rows(rows), cols(cols), data(rows * cols, 0.0) {}
  double &at(size_t row, size_t col) { return data[row * cols + col]; }
  double at(size_t row, size_t col) const { return data[row * cols + col]; }

  size_t rows = 0;
  size_t cols = 0;
  std::vector<double> data;
};

/// The longest input a compiled transformer may take (CompileOptions::maxLen).
constexpr unsigned kMaxInputLength = 4096;

struct CompileOptions {
  /// The tokens an input may hold, as parseTokens gives them.
  std::vector<Atom> vocab;
  /// The longest input the model accepts.
  unsigned maxLen = 0;
  /// Every query sees only keys at its position or before (a decoder); a
  /// program that needs later positions is rejected.
  bool causal = false;
};

/// One attention head on a residual stream of width d. Its logits are
/// query·key / sqrt(dk) with the 1/sqrt(dk) of the attention op already
/// undone in `query`, where dk is the head size of the layer.
struct AttentionHead {
  /// The aggregate or selector_width the head computes.
  std::string name;
  /// [dk, d], [dk, d], [dv, d] and [d, dv] (PyTorch layout: x·Wᵀ).
  Matrix query, key, value, output;
  /// Causal: query position q sees keys 0..q. Table: it sees the keys
  /// `visible[q * L + k]` marks (L = maxLen + 1 positions, BOS included).
  enum class Mask { Causal, Table };
  Mask mask = Mask::Causal;
  std::vector<bool> visible;
};

struct TransformerLayer {
  std::vector<AttentionHead> heads;
  /// The MLP x + W2·relu(W1·x): [m, d] and [d, m]; m = 0 for none.
  Matrix mlpIn, mlpOut;
  /// What the MLP computes, one entry per s-op it stores or erases.
  std::vector<std::string> mlpParts;
};

/// A compiled RASP s-op. Token ids: 0 is BOS (always at position 0), 1 pads
/// an input shorter than maxLen, 2 + j is vocab[j]. The model reads
/// maxLen + 1 ids and is exact at positions 1..n of an input of length n.
struct Transformer {
  static constexpr int64_t kBosId = 0;
  static constexpr int64_t kPadId = 1;

  /// Sequence length of the model: BOS and maxLen tokens.
  unsigned length() const { return maxLen + 1; }
  unsigned width() const { return static_cast<unsigned>(dimNames.size()); }
  /// The widest MLP hidden layer.
  size_t mlpWidth() const;
  /// Columns of the unembedding.
  size_t outputSize() const { return unembedding.rows; }

  /// The ids of `input` (BOS, tokens, PADs); an error for a token outside
  /// the vocabulary or an input longer than maxLen.
  llvm::Expected<std::vector<int64_t>> encode(llvm::ArrayRef<Atom> input) const;
  /// The output s-op at positions 1..n from the model's output, row-major
  /// [length(), outputSize()]: the value with the largest logit, or the
  /// listed value nearest to the number (the number itself when none is
  /// near).
  Sequence decode(llvm::ArrayRef<double> output, size_t n) const;

  /// A few lines: layers, heads per layer and what they compute, residual
  /// width, MLP width.
  std::string report() const;
  /// The same figures as one line of JSON.
  std::string reportJson() const;

  std::string outputName;
  unsigned maxLen = 0;
  bool causal = false;
  std::vector<Atom> vocab;
  /// What each residual dimension holds.
  std::vector<std::string> dimNames;
  /// [vocab.size() + 2, d] and [length(), d].
  Matrix tokenEmbedding, positionEmbedding;
  std::vector<TransformerLayer> layers;
  /// [k, d]: logits over `outputValues`, or (k = 1) a number.
  Matrix unembedding;
  bool numericOutput = false;
  /// The values the output can take; for a numeric output, empty when there
  /// are too many to list.
  std::vector<Atom> outputValues;
};

/// Compiles the s-op `sop`.
llvm::Expected<Transformer> compileTransformer(const Node &sop, const CompileOptions &options);

/// Whether the model's decoded `actual` is the interpreter's `expected`:
/// equal by the language's `==`, numbers to 1e-4 relative.
bool sameValue(const Atom &expected, const Atom &actual);

struct VerificationInputs {
  std::vector<std::vector<Atom>> inputs;
  /// Whether `inputs` are all the inputs there are.
  bool exhaustive = false;
};

/// The inputs `verify` checks: every sequence of 1..maxLen vocabulary
/// tokens when there are at most `limit`, else `samples` random ones
/// (seeded, so runs repeat).
VerificationInputs verificationInputs(llvm::ArrayRef<Atom> vocab, unsigned maxLen, size_t limit,
                                      size_t samples, uint64_t seed);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_COMPILER_H
