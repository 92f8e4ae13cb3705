//===- Plan.h - The layers of a construction as weight matrices ---*- C++ -*-===//
//
// What a construction computes, before it becomes IR: the stream's slots,
// an optional read-in, and residual blocks of linear self-attention
//
//   e_i ← e_i + P · Σ_{j<N} (W_V e_j) (W_K e_j · W_Q e_i) + D e_i
//
// over the N context tokens (keys and values) and all N + 1 tokens
// (queries). The projections keep only the rows the construction uses
// (W_Q, W_K: [k, C], W_V: [v, C], P: [C, v]); the square matrices of
// docs/constructions.md are these padded with zero rows.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_CONSTRUCTIONS_PLAN_H
#define ICL_FRONTENDS_CONSTRUCTIONS_PLAN_H

#include "frontends/constructions/Matrix.h"
#include "frontends/constructions/Options.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace icl::construct {

/// One residual block of linear self-attention.
struct AttentionLayer {
  /// Prefix of its weights' names ("gd.step").
  std::string name;
  /// What it implements, for reports and locations ("GD step", "readout").
  std::string what;
  Matrix query, key, value, output;
  /// D, the per-token term in the same residual block, if any, and what it
  /// does.
  std::optional<Matrix> perToken;
  std::string perTokenWhat;
};

struct Plan {
  /// The stream's slots in order: name and width.
  std::vector<std::pair<std::string, int64_t>> slots;
  /// [C, d + o]: the prompt (x, y) into the stream, where the stream is wider.
  std::optional<Matrix> readIn;
  /// A block before the steps (Newton's M_0).
  std::optional<AttentionLayer> init;
  /// The block every step applies (tied weights).
  AttentionLayer step;
  /// A block that turns a stream into the prediction (Newton's head); a
  /// side branch where it reads out a step that is not the last.
  std::optional<AttentionLayer> readout;
  /// Where the prediction is in the query's stream, and whether it is negated.
  int64_t predictionSlot = 0;
  bool negatePrediction = false;

  int64_t width() const;
};

Plan planOf(const Options &options);

/// What --report prints: the construction, the stream's slots, one line per
/// layer (index, what it implements, its weights' shapes), the prediction
/// and the totals.
std::string report(const Options &options, const Plan &plan);

} // namespace icl::construct

#endif // ICL_FRONTENDS_CONSTRUCTIONS_PLAN_H
