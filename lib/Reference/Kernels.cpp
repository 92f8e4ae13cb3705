//===- Kernels.cpp - Reference math of every icl op -----------------------===//
//
// Straightforward loops over row-major data, written to be checked against
// design/OPS.md by reading rather than to be fast. Intermediate values are
// doubles whatever T is; results are rounded to T when stored.
//
//===----------------------------------------------------------------------===//

#include "lib/Reference/Kernels.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <numeric>

namespace icl::ref {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;
/// In an expected shape, matches any size.
constexpr int64_t kAny = -1;

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      text += ", ";
    text += shape[i] == kAny ? "?" : std::to_string(shape[i]);
  }
  return text + "]";
}

/// Checks rank and sizes of an operand; kAny in `expected` matches any size.
Status checkShape(const char *op, const char *operand, const std::vector<int64_t> &actual,
                  const std::vector<int64_t> &expected) {
  bool matches = actual.size() == expected.size();
  for (size_t i = 0; matches && i < actual.size(); ++i)
    matches = expected[i] == kAny || expected[i] == actual[i];
  if (matches)
    return Status::success();
  return Status::error(std::string(op) + ": " + operand + " has shape " + formatShape(actual) +
                       ", expected " + formatShape(expected));
}

/// Checks an optional operand; a null one is fine.
template <typename T>
Status checkOptionalShape(const char *op, const char *operand, const Tensor<T> *tensor,
                          const std::vector<int64_t> &expected) {
  return tensor ? checkShape(op, operand, tensor->shape, expected) : Status::success();
}

int64_t product(std::vector<int64_t>::const_iterator begin,
                std::vector<int64_t>::const_iterator end) {
  return std::accumulate(begin, end, int64_t{1}, std::multiplies<int64_t>());
}

/// Strides that read a tensor of `shape` broadcast to `target` (numpy rules,
/// aligned to the right; broadcast dimensions get stride 0). False if `shape`
/// does not broadcast to `target`.
bool broadcastStrides(const std::vector<int64_t> &shape, const std::vector<int64_t> &target,
                      std::vector<int64_t> &strides) {
  if (shape.size() > target.size())
    return false;
  strides.assign(target.size(), 0);
  size_t lead = target.size() - shape.size();
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && shape[i] != target[lead + i])
      return false;
    strides[lead + i] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return true;
}

/// Normalises `in` (rows of `channels` values, each split into groups of
/// `groupSize`) per group: subtracts the mean if `center`, divides by
/// sqrt(mean square + eps), then applies gamma and beta over the channels.
/// Layer norm, RMS norm and gated RMS norm all reduce to this.
template <typename T>
void normalizeGroups(const std::vector<double> &in, int64_t channels, int64_t groupSize,
                     bool center, const Tensor<T> *gamma, const Tensor<T> *beta, double eps,
                     std::vector<T> &out) {
  out.resize(in.size());
  for (size_t start = 0; start < in.size(); start += groupSize) {
    double mean = 0;
    if (center) {
      for (int64_t i = 0; i < groupSize; ++i)
        mean += in[start + i];
      mean /= groupSize;
    }
    double meanSquare = 0;
    for (int64_t i = 0; i < groupSize; ++i)
      meanSquare += (in[start + i] - mean) * (in[start + i] - mean);
    double invRms = 1 / std::sqrt(meanSquare / groupSize + eps);
    for (int64_t i = 0; i < groupSize; ++i) {
      int64_t channel = (start + i) % channels;
      double value = (in[start + i] - mean) * invRms;
      if (gamma)
        value *= gamma->data[channel];
      if (beta)
        value += beta->data[channel];
      out[start + i] = static_cast<T>(value);
    }
  }
}

//===--- Attention helpers -----------------------------------------------===//

struct AttentionDims {
  int64_t batch, queryHeads, kvHeads, queries, keys, headDim, valueDim;
  /// Keys in the whole cache; the given keys start at kvOffset within it.
  int64_t cacheLength;
  /// Strides of the additive mask broadcast to [B, Hq, Sq, Skv].
  std::vector<int64_t> maskStrides;
};

template <typename T>
Status checkAttention(const char *op, const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                      const Tensor<T> *mask, const Tensor<T> *keySizes,
                      const AttentionOptions &opts, int64_t kvOffset, int64_t kvLength,
                      AttentionDims &dims) {
  if (Status s = checkShape(op, "q", q.shape, {kAny, kAny, kAny, kAny}); !s.ok())
    return s;
  dims.batch = q.dim(0);
  dims.queryHeads = q.dim(1);
  dims.queries = q.dim(2);
  dims.headDim = q.dim(3);
  if (Status s = checkShape(op, "k", k.shape, {dims.batch, kAny, kAny, dims.headDim}); !s.ok())
    return s;
  dims.kvHeads = k.dim(1);
  dims.keys = k.dim(2);
  if (Status s = checkShape(op, "v", v.shape, {dims.batch, dims.kvHeads, dims.keys, kAny}); !s.ok())
    return s;
  dims.valueDim = v.dim(3);
  if (dims.kvHeads <= 0 || dims.queryHeads % dims.kvHeads != 0)
    return Status::error(std::string(op) + ": " + std::to_string(dims.queryHeads) +
                         " query heads are not a multiple of " + std::to_string(dims.kvHeads) +
                         " key/value heads");
  if (Status s = checkOptionalShape(op, "key sizes", keySizes, {dims.batch, dims.keys}); !s.ok())
    return s;
  std::vector<int64_t> logitShape = {dims.batch, dims.queryHeads, dims.queries, dims.keys};
  if (mask && !broadcastStrides(mask->shape, logitShape, dims.maskStrides))
    return Status::error(std::string(op) + ": mask of shape " + formatShape(mask->shape) +
                         " does not broadcast to " + formatShape(logitShape));
  dims.cacheLength = kvLength == 0 ? dims.keys : kvLength;
  if (kvOffset < 0 || kvOffset + dims.keys > dims.cacheLength)
    return Status::error(std::string(op) + ": keys [" + std::to_string(kvOffset) + ", " +
                         std::to_string(kvOffset + dims.keys) + ") lie outside a cache of " +
                         std::to_string(dims.cacheLength) + " keys");
  assert((opts.maskKind != MaskKind::SlidingWindow || opts.window > 0) &&
         "sliding window must be positive");
  return Status::success();
}

/// Computes, for every query row (flat index over [B, Hq, Sq]), the row max m
/// of the masked logits, l = Σ e^{s−m} and the unnormalised o = Σ e^{s−m}·v,
/// and hands them to `emit(row, m, l, o)`. A fully masked row has m = −inf,
/// l = 0 and o = 0. Keys are positions kvOffset.. of the cache in `dims`.
template <typename T, typename Emit>
void forEachAttentionRow(const AttentionDims &dims, const Tensor<T> &q, const Tensor<T> &k,
                         const Tensor<T> &v, const Tensor<T> *mask, const Tensor<T> *keySizes,
                         const AttentionOptions &opts, int64_t kvOffset, Emit emit) {
  double scale = opts.scale == 0 ? 1 / std::sqrt(static_cast<double>(dims.headDim)) : opts.scale;
  int64_t headsPerKv = dims.queryHeads / dims.kvHeads;
  std::vector<double> logits(dims.keys), acc(dims.valueDim);
  for (int64_t b = 0; b < dims.batch; ++b) {
    for (int64_t h = 0; h < dims.queryHeads; ++h) {
      int64_t kvHead = b * dims.kvHeads + h / headsPerKv;
      const T *keys = k.data.data() + kvHead * dims.keys * dims.headDim;
      const T *values = v.data.data() + kvHead * dims.keys * dims.valueDim;
      for (int64_t i = 0; i < dims.queries; ++i) {
        int64_t row = (b * dims.queryHeads + h) * dims.queries + i;
        const T *query = q.data.data() + row * dims.headDim;
        // Queries are aligned to the end of the cache.
        int64_t queryPos = i + dims.cacheLength - dims.queries;
        double maxLogit = kNegInf;
        for (int64_t j = 0; j < dims.keys; ++j) {
          int64_t keyPos = kvOffset + j;
          bool visible = opts.maskKind == MaskKind::None ||
                         (keyPos <= queryPos &&
                          (opts.maskKind == MaskKind::Causal || queryPos - keyPos < opts.window));
          double logit = kNegInf;
          if (visible) {
            double dot = 0;
            for (int64_t d = 0; d < dims.headDim; ++d)
              dot += static_cast<double>(query[d]) * keys[j * dims.headDim + d];
            logit = scale * dot;
            if (mask) {
              const std::vector<int64_t> &st = dims.maskStrides;
              logit += mask->data[b * st[0] + h * st[1] + i * st[2] + j * st[3]];
            }
            if (keySizes)
              logit += std::log(static_cast<double>(keySizes->data[b * dims.keys + j]));
          }
          logits[j] = logit;
          maxLogit = std::max(maxLogit, logit);
        }
        std::fill(acc.begin(), acc.end(), 0.0);
        double sum = 0;
        if (maxLogit != kNegInf) {
          // Exponentiate against m as stored in T, so that a partial state
          // (m, l, o) written in float is consistent with itself.
          maxLogit = static_cast<T>(maxLogit);
          for (int64_t j = 0; j < dims.keys; ++j) {
            double p = std::exp(logits[j] - maxLogit);
            sum += p;
            for (int64_t d = 0; d < dims.valueDim; ++d)
              acc[d] += p * values[j * dims.valueDim + d];
          }
        }
        emit(row, maxLogit, sum, acc);
      }
    }
  }
}

//===--- Linear recurrence (linear attention and SSD) --------------------===//

/// One (batch, head) slice of the recurrence, in double:
///   S_t = Diag(exp(g_t))·S_{t−1} + k_t·v_tᵀ,  z_t = exp(g_t) ⊙ z_{t−1} + k_t,
/// read out as num_i = S_iᵀ·q_i and den_i = q_i·z_i (causal) or with the final
/// S and z for every query (non-causal). Linear attention (q and k after the
/// feature map) and SSD (q = C, k = Bm, v = Δ·x, g = Δ·A) both reduce to it.
struct LinearRecurrence {
  int64_t queries = 0, steps = 0, keyDim = 0, valueDim = 0;
  bool causal = true;
  std::vector<double> q;        ///< [queries, keyDim]
  std::vector<double> k;        ///< [steps, keyDim]
  std::vector<double> v;        ///< [steps, valueDim]
  std::vector<double> logDecay; ///< [steps, keyDim]; empty means no decay.
  std::vector<double> state;    ///< [keyDim, valueDim]: S_0 on entry, S_T on exit.
  std::vector<double> num;      ///< Result [queries, valueDim].
  std::vector<double> den;      ///< Result [queries].

  LinearRecurrence(int64_t queries, int64_t steps, int64_t keyDim, int64_t valueDim)
      : queries(queries), steps(steps), keyDim(keyDim), valueDim(valueDim), q(queries * keyDim),
        k(steps * keyDim), v(steps * valueDim), state(keyDim * valueDim), num(queries * valueDim),
        den(queries) {}

  double g(int64_t t, int64_t c) const { return logDecay.empty() ? 0.0 : logDecay[t * keyDim + c]; }
};

/// Step-by-step recurrence; the only algorithm for the non-causal form.
void runRecurrent(LinearRecurrence &r) {
  const int64_t kd = r.keyDim, vd = r.valueDim;
  std::vector<double> z(kd, 0.0);
  auto readOut = [&](int64_t i) {
    for (int64_t c = 0; c < kd; ++c) {
      double qc = r.q[i * kd + c];
      r.den[i] += qc * z[c];
      for (int64_t e = 0; e < vd; ++e)
        r.num[i * vd + e] += qc * r.state[c * vd + e];
    }
  };
  for (int64_t t = 0; t < r.steps; ++t) {
    for (int64_t c = 0; c < kd; ++c) {
      double alpha = std::exp(r.g(t, c));
      double kc = r.k[t * kd + c];
      z[c] = alpha * z[c] + kc;
      for (int64_t e = 0; e < vd; ++e)
        r.state[c * vd + e] = alpha * r.state[c * vd + e] + kc * r.v[t * vd + e];
    }
    if (r.causal)
      readOut(t);
  }
  if (!r.causal)
    for (int64_t i = 0; i < r.queries; ++i)
      readOut(i);
}

/// Chunked (block-decomposed) causal algorithm: inside a chunk the quadratic
/// form Σ_{j≤i} (q_i·(e^{G_i−G_j} ⊙ k_j))·v_j with G the cumulative log decay
/// from the chunk start (a segment sum); across chunks the state S, z carried
/// in. One chunk spanning the sequence is the parallel form.
void runChunked(LinearRecurrence &r, int64_t chunkSize) {
  assert(r.causal && chunkSize > 0);
  const int64_t kd = r.keyDim, vd = r.valueDim;
  chunkSize = std::min(chunkSize, r.steps);
  std::vector<double> z(kd, 0.0), cum(chunkSize * kd);
  for (int64_t start = 0; start < r.steps; start += chunkSize) {
    int64_t len = std::min(chunkSize, r.steps - start);
    // cum[i] = Σ g over steps start..start+i: the decay from the state
    // entering the chunk to step start+i.
    for (int64_t i = 0; i < len; ++i)
      for (int64_t c = 0; c < kd; ++c)
        cum[i * kd + c] = (i == 0 ? 0.0 : cum[(i - 1) * kd + c]) + r.g(start + i, c);
    for (int64_t i = 0; i < len; ++i) {
      int64_t ti = start + i;
      for (int64_t c = 0; c < kd; ++c) {
        double qc = r.q[ti * kd + c] * std::exp(cum[i * kd + c]);
        r.den[ti] += qc * z[c];
        for (int64_t e = 0; e < vd; ++e)
          r.num[ti * vd + e] += qc * r.state[c * vd + e];
      }
      for (int64_t j = 0; j <= i; ++j) {
        int64_t tj = start + j;
        double weight = 0;
        for (int64_t c = 0; c < kd; ++c)
          weight +=
              r.q[ti * kd + c] * r.k[tj * kd + c] * std::exp(cum[i * kd + c] - cum[j * kd + c]);
        r.den[ti] += weight;
        for (int64_t e = 0; e < vd; ++e)
          r.num[ti * vd + e] += weight * r.v[tj * vd + e];
      }
    }
    // Pass the state on: decay it across the chunk, add the chunk's keys.
    const double *last = cum.data() + (len - 1) * kd;
    for (int64_t c = 0; c < kd; ++c) {
      double alpha = std::exp(last[c]);
      z[c] *= alpha;
      for (int64_t e = 0; e < vd; ++e)
        r.state[c * vd + e] *= alpha;
      for (int64_t j = 0; j < len; ++j) {
        double kc = r.k[(start + j) * kd + c] * std::exp(last[c] - cum[j * kd + c]);
        z[c] += kc;
        for (int64_t e = 0; e < vd; ++e)
          r.state[c * vd + e] += kc * r.v[(start + j) * vd + e];
      }
    }
  }
}

} // namespace

double activate(Activation kind, double x) {
  switch (kind) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return x > 0 ? x : 0.0;
  case Activation::Gelu:
    return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  case Activation::GeluTanh:
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / kPi) * (x + 0.044715 * x * x * x)));
  case Activation::Silu:
    return x / (1 + std::exp(-x));
  case Activation::Softplus:
    // exp overflows for large x, where softplus(x) is x to within e^{-x}.
    return x > 20 ? x : std::log1p(std::exp(x));
  case Activation::Sigmoid:
    return 1 / (1 + std::exp(-x));
  case Activation::EluPlusOne:
    return x > 0 ? x + 1 : std::exp(x);
  }
  assert(false && "unknown activation");
  return x;
}

//===--- Dense building blocks -------------------------------------------===//

template <typename T>
Status embedding(const Tensor<T> &table, const Tensor<int64_t> &ids, Tensor<T> &out) {
  if (Status s = checkShape("embedding", "table", table.shape, {kAny, kAny}); !s.ok())
    return s;
  int64_t vocab = table.dim(0), channels = table.dim(1);
  std::vector<int64_t> shape = ids.shape;
  shape.push_back(channels);
  Tensor<T> result(shape);
  for (int64_t i = 0; i < ids.numel(); ++i) {
    int64_t id = ids.data[i];
    if (id < 0 || id >= vocab)
      return Status::error("embedding: id " + std::to_string(id) + " (element " +
                           std::to_string(i) + " of the ids) is outside [0, " +
                           std::to_string(vocab) + ")");
    std::copy_n(table.data.begin() + id * channels, channels, result.data.begin() + i * channels);
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status linear(const Tensor<T> &x, const Tensor<T> &w, const Tensor<T> *b, Tensor<T> &out) {
  assert(x.rank() >= 1 && "linear needs x of rank >= 1");
  int64_t inFeatures = x.dim(-1);
  if (Status s = checkShape("linear", "w", w.shape, {kAny, inFeatures}); !s.ok())
    return s;
  int64_t outFeatures = w.dim(0);
  if (Status s = checkOptionalShape("linear", "b", b, {outFeatures}); !s.ok())
    return s;
  std::vector<int64_t> shape = x.shape;
  shape.back() = outFeatures;
  Tensor<T> result(shape);
  int64_t rows = product(x.shape.begin(), x.shape.end() - 1);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t n = 0; n < outFeatures; ++n) {
      double acc = b ? b->data[n] : 0.0;
      for (int64_t kk = 0; kk < inFeatures; ++kk)
        acc += static_cast<double>(x.data[r * inFeatures + kk]) * w.data[n * inFeatures + kk];
      result.data[r * outFeatures + n] = static_cast<T>(acc);
    }
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status layerNorm(const Tensor<T> &x, const Tensor<T> *gamma, const Tensor<T> *beta, double eps,
                 Tensor<T> &out) {
  assert(x.rank() >= 1 && "layer_norm needs x of rank >= 1");
  int64_t channels = x.dim(-1);
  if (Status s = checkOptionalShape("layer_norm", "gamma", gamma, {channels}); !s.ok())
    return s;
  if (Status s = checkOptionalShape("layer_norm", "beta", beta, {channels}); !s.ok())
    return s;
  Tensor<T> result;
  result.shape = x.shape;
  normalizeGroups(std::vector<double>(x.data.begin(), x.data.end()), channels, channels,
                  /*center=*/true, gamma, beta, eps, result.data);
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status rmsNorm(const Tensor<T> &x, const Tensor<T> *gamma, double eps, Tensor<T> &out) {
  assert(x.rank() >= 1 && "rms_norm needs x of rank >= 1");
  int64_t channels = x.dim(-1);
  if (Status s = checkOptionalShape("rms_norm", "gamma", gamma, {channels}); !s.ok())
    return s;
  Tensor<T> result;
  result.shape = x.shape;
  normalizeGroups<T>(std::vector<double>(x.data.begin(), x.data.end()), channels, channels,
                     /*center=*/false, gamma, nullptr, eps, result.data);
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status gatedRmsNorm(const Tensor<T> &y, const Tensor<T> &z, const Tensor<T> *gamma, double eps,
                    int64_t groupSize, Tensor<T> &out) {
  const char *op = "gated_rms_norm";
  assert(y.rank() >= 1 && groupSize >= 0);
  if (Status s = checkShape(op, "z", z.shape, y.shape); !s.ok())
    return s;
  int64_t channels = y.dim(-1);
  if (Status s = checkOptionalShape(op, "gamma", gamma, {channels}); !s.ok())
    return s;
  if (groupSize == 0)
    groupSize = channels;
  if (groupSize != 0 && channels % groupSize != 0)
    return Status::error(std::string(op) + ": " + std::to_string(channels) +
                         " channels do not split into groups of " + std::to_string(groupSize));
  std::vector<double> gated(y.data.size());
  for (size_t i = 0; i < gated.size(); ++i)
    gated[i] = y.data[i] * activate(Activation::Silu, z.data[i]);
  Tensor<T> result;
  result.shape = y.shape;
  normalizeGroups<T>(gated, channels, groupSize, /*center=*/false, gamma, nullptr, eps,
                     result.data);
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status activation(const Tensor<T> &x, Activation kind, Tensor<T> &out) {
  Tensor<T> result(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i)
    result.data[i] = static_cast<T>(activate(kind, x.data[i]));
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status softmax(const Tensor<T> &x, int64_t axis, Tensor<T> &out) {
  if (axis < 0)
    axis += x.rank();
  assert(axis >= 0 && axis < x.rank() && "softmax axis out of range");
  int64_t outer = product(x.shape.begin(), x.shape.begin() + axis);
  int64_t length = x.dim(axis);
  int64_t inner = product(x.shape.begin() + axis + 1, x.shape.end());
  Tensor<T> result(x.shape);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      int64_t base = o * length * inner + in;
      double maxValue = kNegInf;
      for (int64_t i = 0; i < length; ++i)
        maxValue = std::max<double>(maxValue, x.data[base + i * inner]);
      // Like a fully masked attention row, an all −inf slice gives zeros.
      if (maxValue == kNegInf)
        continue;
      double sum = 0;
      for (int64_t i = 0; i < length; ++i)
        sum += std::exp(x.data[base + i * inner] - maxValue);
      for (int64_t i = 0; i < length; ++i)
        result.data[base + i * inner] =
            static_cast<T>(std::exp(x.data[base + i * inner] - maxValue) / sum);
    }
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status rope(const Tensor<T> &x, const Tensor<int64_t> &positions, double base, int64_t rotaryDim,
            RopeStyle style, Tensor<T> &out) {
  const char *op = "rope";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), heads = x.dim(1), length = x.dim(2), headDim = x.dim(3);
  bool perBatch = positions.rank() == 2;
  if (Status s =
          checkShape(op, "positions", positions.shape,
                     perBatch ? std::vector<int64_t>{batch, length} : std::vector<int64_t>{length});
      !s.ok())
    return s;
  if (rotaryDim < 0 || rotaryDim > headDim || rotaryDim % 2 != 0)
    return Status::error(std::string(op) + ": rotary dim " + std::to_string(rotaryDim) +
                         " must be even and at most the head dim " + std::to_string(headDim));
  int64_t half = rotaryDim / 2;
  Tensor<T> result = x;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t t = 0; t < length; ++t) {
        double pos = positions.data[perBatch ? b * length + t : t];
        int64_t rowStart = ((b * heads + h) * length + t) * headDim;
        const T *in = x.data.data() + rowStart;
        T *row = result.data.data() + rowStart;
        for (int64_t i = 0; i < half; ++i) {
          double angle = pos * std::pow(base, -2.0 * i / rotaryDim);
          int64_t first = style == RopeStyle::Half ? i : 2 * i;
          int64_t second = style == RopeStyle::Half ? i + half : 2 * i + 1;
          double a = in[first], c = in[second];
          row[first] = static_cast<T>(a * std::cos(angle) - c * std::sin(angle));
          row[second] = static_cast<T>(c * std::cos(angle) + a * std::sin(angle));
        }
      }
    }
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status causalConv1d(const Tensor<T> &x, const Tensor<T> &w, const Tensor<T> *bias, Activation act,
                    Tensor<T> &out) {
  const char *op = "causal_conv1d";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), channels = x.dim(1), length = x.dim(2);
  if (Status s = checkShape(op, "w", w.shape, {channels, kAny}); !s.ok())
    return s;
  int64_t width = w.dim(1);
  if (Status s = checkOptionalShape(op, "bias", bias, {channels}); !s.ok())
    return s;
  Tensor<T> result(x.shape);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      const T *in = x.data.data() + (b * channels + c) * length;
      for (int64_t t = 0; t < length; ++t) {
        double acc = bias ? bias->data[c] : 0.0;
        for (int64_t kk = std::max<int64_t>(0, width - 1 - t); kk < width; ++kk)
          acc += static_cast<double>(w.data[c * width + kk]) * in[t - width + 1 + kk];
        result.data[(b * channels + c) * length + t] = static_cast<T>(activate(act, acc));
      }
    }
  }
  out = std::move(result);
  return Status::success();
}

//===--- Attention family ------------------------------------------------===//

template <typename T>
Status attention(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v, const Tensor<T> *mask,
                 const Tensor<T> *keySizes, const AttentionOptions &opts, Tensor<T> &out) {
  AttentionDims dims;
  if (Status s = checkAttention("attention", q, k, v, mask, keySizes, opts, 0, 0, dims); !s.ok())
    return s;
  Tensor<T> result({dims.batch, dims.queryHeads, dims.queries, dims.valueDim});
  forEachAttentionRow(dims, q, k, v, mask, keySizes, opts, /*kvOffset=*/0,
                      [&](int64_t row, double, double sum, const std::vector<double> &acc) {
                        // sum is 0 only for a fully masked row, which stays zero.
                        if (sum == 0)
                          return;
                        for (int64_t d = 0; d < dims.valueDim; ++d)
                          result.data[row * dims.valueDim + d] = static_cast<T>(acc[d] / sum);
                      });
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status attentionPartial(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                        const Tensor<T> *mask, const Tensor<T> *keySizes,
                        const AttentionOptions &opts, int64_t kvOffset, int64_t kvLength,
                        Tensor<T> &o, Tensor<T> &m, Tensor<T> &l) {
  AttentionDims dims;
  if (Status s = checkAttention("attention_partial", q, k, v, mask, keySizes, opts, kvOffset,
                                kvLength, dims);
      !s.ok())
    return s;
  Tensor<T> partialO({dims.batch, dims.queryHeads, dims.queries, dims.valueDim});
  Tensor<T> partialM({dims.batch, dims.queryHeads, dims.queries});
  Tensor<T> partialL({dims.batch, dims.queryHeads, dims.queries});
  forEachAttentionRow(
      dims, q, k, v, mask, keySizes, opts, kvOffset,
      [&](int64_t row, double maxLogit, double sum, const std::vector<double> &acc) {
        partialM.data[row] = static_cast<T>(maxLogit);
        partialL.data[row] = static_cast<T>(sum);
        for (int64_t d = 0; d < dims.valueDim; ++d)
          partialO.data[row * dims.valueDim + d] = static_cast<T>(acc[d]);
      });
  o = std::move(partialO);
  m = std::move(partialM);
  l = std::move(partialL);
  return Status::success();
}

template <typename T>
Status continueAttentionState(const Tensor<T> &o0, const Tensor<T> &m0, const Tensor<T> &l0,
                              Tensor<T> &o, Tensor<T> &m, Tensor<T> &l) {
  const char *op = "attention_partial";
  if (Status s = checkShape(op, "state max", m0.shape, m.shape); !s.ok())
    return s;
  if (Status s = checkShape(op, "state sum", l0.shape, l.shape); !s.ok())
    return s;
  if (Status s = checkShape(op, "state output", o0.shape, o.shape); !s.ok())
    return s;
  int64_t rows = static_cast<int64_t>(m.data.size());
  int64_t width = rows ? static_cast<int64_t>(o.data.size()) / rows : 0;
  auto weight = [](double mi, double top) { return mi == kNegInf ? 0.0 : std::exp(mi - top); };
  for (int64_t r = 0; r < rows; ++r) {
    double top = std::max<double>(m0.data[r], m.data[r]);
    double a = weight(m0.data[r], top), b = weight(m.data[r], top);
    m.data[r] = static_cast<T>(top);
    l.data[r] = static_cast<T>(a * l0.data[r] + b * l.data[r]);
    for (int64_t d = 0; d < width; ++d) {
      T &x = o.data[r * width + d];
      x = static_cast<T>(a * o0.data[r * width + d] + b * x);
    }
  }
  return Status::success();
}

template <typename T>
Status attentionCombine(const Tensor<T> &o, const Tensor<T> &m, const Tensor<T> &l,
                        Tensor<T> &out) {
  const char *op = "attention_combine";
  assert(m.rank() >= 1 && "partial states need a split dimension");
  if (Status s = checkShape(op, "l", l.shape, m.shape); !s.ok())
    return s;
  std::vector<int64_t> oShape = m.shape;
  oShape.push_back(kAny);
  if (Status s = checkShape(op, "o", o.shape, oShape); !s.ok())
    return s;
  int64_t splits = m.dim(0), valueDim = o.dim(-1);
  int64_t rows = product(m.shape.begin() + 1, m.shape.end());
  Tensor<T> result(std::vector<int64_t>(o.shape.begin() + 1, o.shape.end()));
  std::vector<double> acc(valueDim);
  for (int64_t r = 0; r < rows; ++r) {
    double maxLogit = kNegInf;
    for (int64_t i = 0; i < splits; ++i)
      maxLogit = std::max<double>(maxLogit, m.data[i * rows + r]);
    // Every split fully masked: the row stays zero.
    if (maxLogit == kNegInf)
      continue;
    std::fill(acc.begin(), acc.end(), 0.0);
    double sum = 0;
    for (int64_t i = 0; i < splits; ++i) {
      double factor = std::exp(m.data[i * rows + r] - maxLogit);
      sum += factor * l.data[i * rows + r];
      for (int64_t d = 0; d < valueDim; ++d)
        acc[d] += factor * o.data[(i * rows + r) * valueDim + d];
    }
    if (sum == 0)
      continue;
    for (int64_t d = 0; d < valueDim; ++d)
      result.data[r * valueDim + d] = static_cast<T>(acc[d] / sum);
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status linearAttention(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                       const Tensor<T> *logDecay, const Tensor<T> *initialState,
                       const LinearAttentionOptions &opts, Tensor<T> &out, Tensor<T> *finalState) {
  const char *op = "linear_attention";
  if (Status s = checkShape(op, "q", q.shape, {kAny, kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = q.dim(0), heads = q.dim(1), queries = q.dim(2), keyDim = q.dim(3);
  if (Status s = checkShape(op, "k", k.shape, {batch, heads, kAny, keyDim}); !s.ok())
    return s;
  int64_t steps = k.dim(2);
  if (Status s = checkShape(op, "v", v.shape, {batch, heads, steps, kAny}); !s.ok())
    return s;
  int64_t valueDim = v.dim(3);
  bool perChannelDecay = logDecay && logDecay->rank() == 4;
  if (logDecay) {
    std::vector<int64_t> expected = {batch, heads, steps};
    if (perChannelDecay)
      expected.push_back(keyDim);
    if (Status s = checkShape(op, "log decay", logDecay->shape, expected); !s.ok())
      return s;
  }
  if (Status s =
          checkOptionalShape(op, "initial state", initialState, {batch, heads, keyDim, valueDim});
      !s.ok())
    return s;
  if (opts.causal && queries != steps)
    return Status::error(std::string(op) + ": causal form needs as many queries (" +
                         std::to_string(queries) + ") as keys (" + std::to_string(steps) + ")");
  if (!opts.causal && (logDecay || initialState || finalState))
    return Status::error(std::string(op) +
                         ": the non-causal form takes no decay, initial state or final state");
  if (opts.algorithm == LinearAttentionAlgorithm::Chunked && opts.chunkSize <= 0)
    return Status::error(std::string(op) + ": chunk size " + std::to_string(opts.chunkSize) +
                         " must be positive");

  auto featureMap = [&](double x) {
    switch (opts.featureMap) {
    case FeatureMap::Identity:
      return x;
    case FeatureMap::EluPlusOne:
      return activate(Activation::EluPlusOne, x);
    case FeatureMap::Relu:
      return activate(Activation::Relu, x);
    }
    assert(false && "unknown feature map");
    return x;
  };
  Tensor<T> result({batch, heads, queries, valueDim});
  Tensor<T> state({batch, heads, keyDim, valueDim});
  for (int64_t bh = 0; bh < batch * heads; ++bh) {
    LinearRecurrence r(queries, steps, keyDim, valueDim);
    r.causal = opts.causal;
    for (int64_t i = 0; i < queries * keyDim; ++i)
      r.q[i] = featureMap(opts.scale * q.data[bh * queries * keyDim + i]);
    for (int64_t i = 0; i < steps * keyDim; ++i)
      r.k[i] = featureMap(k.data[bh * steps * keyDim + i]);
    std::copy_n(v.data.begin() + bh * steps * valueDim, steps * valueDim, r.v.begin());
    if (logDecay) {
      r.logDecay.resize(steps * keyDim);
      for (int64_t t = 0; t < steps; ++t)
        for (int64_t c = 0; c < keyDim; ++c)
          r.logDecay[t * keyDim + c] = perChannelDecay
                                           ? logDecay->data[(bh * steps + t) * keyDim + c]
                                           : logDecay->data[bh * steps + t];
    }
    if (initialState)
      std::copy_n(initialState->data.begin() + bh * keyDim * valueDim, keyDim * valueDim,
                  r.state.begin());

    if (!opts.causal || opts.algorithm == LinearAttentionAlgorithm::Recurrent)
      runRecurrent(r);
    else if (opts.algorithm == LinearAttentionAlgorithm::Parallel)
      runChunked(r, std::max<int64_t>(steps, 1));
    else
      runChunked(r, opts.chunkSize);

    for (int64_t i = 0; i < queries; ++i) {
      double divisor = opts.normalize ? r.den[i] + opts.eps : 1.0;
      for (int64_t e = 0; e < valueDim; ++e)
        result.data[(bh * queries + i) * valueDim + e] =
            static_cast<T>(r.num[i * valueDim + e] / divisor);
    }
    std::copy(r.state.begin(), r.state.end(), state.data.begin() + bh * keyDim * valueDim);
  }
  out = std::move(result);
  if (finalState)
    *finalState = std::move(state);
  return Status::success();
}

//===--- State-space family ----------------------------------------------===//

template <typename T>
Status selectiveScan(const Tensor<T> &u, const Tensor<T> &delta, const Tensor<T> &A,
                     const Tensor<T> &Bm, const Tensor<T> &C, const Tensor<T> *Dskip,
                     const Tensor<T> *z, const Tensor<T> *deltaBias, const Tensor<T> *initialState,
                     bool deltaSoftplus, Tensor<T> &y, Tensor<T> *finalState) {
  const char *op = "selective_scan";
  if (Status s = checkShape(op, "u", u.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = u.dim(0), channels = u.dim(1), length = u.dim(2);
  if (Status s = checkShape(op, "delta", delta.shape, u.shape); !s.ok())
    return s;
  if (Status s = checkShape(op, "A", A.shape, {channels, kAny}); !s.ok())
    return s;
  int64_t stateDim = A.dim(1);
  if (Status s = checkShape(op, "B", Bm.shape, {batch, kAny, stateDim, length}); !s.ok())
    return s;
  int64_t groups = Bm.dim(1);
  if (Status s = checkShape(op, "C", C.shape, Bm.shape); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "D", Dskip, {channels}); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "z", z, u.shape); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "delta bias", deltaBias, {channels}); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "initial state", initialState, {batch, channels, stateDim});
      !s.ok())
    return s;
  if (groups <= 0 || channels % groups != 0)
    return Status::error(std::string(op) + ": " + std::to_string(channels) +
                         " channels do not split into " + std::to_string(groups) + " groups");

  int64_t channelsPerGroup = channels / groups;
  Tensor<T> result(u.shape);
  Tensor<T> state({batch, channels, stateDim});
  std::vector<double> h(stateDim);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t d = 0; d < channels; ++d) {
      int64_t g = d / channelsPerGroup;
      const T *bRows = Bm.data.data() + (b * groups + g) * stateDim * length;
      const T *cRows = C.data.data() + (b * groups + g) * stateDim * length;
      int64_t row = (b * channels + d) * length;
      for (int64_t n = 0; n < stateDim; ++n)
        h[n] = initialState ? initialState->data[(b * channels + d) * stateDim + n] : 0.0;
      for (int64_t t = 0; t < length; ++t) {
        double dt =
            static_cast<double>(delta.data[row + t]) + (deltaBias ? deltaBias->data[d] : 0.0);
        if (deltaSoftplus)
          dt = activate(Activation::Softplus, dt);
        double input = u.data[row + t];
        double out = 0;
        for (int64_t n = 0; n < stateDim; ++n) {
          h[n] =
              std::exp(dt * A.data[d * stateDim + n]) * h[n] + dt * input * bRows[n * length + t];
          out += h[n] * cRows[n * length + t];
        }
        if (Dskip)
          out += static_cast<double>(Dskip->data[d]) * input;
        if (z)
          out *= activate(Activation::Silu, z->data[row + t]);
        result.data[row + t] = static_cast<T>(out);
      }
      std::copy(h.begin(), h.end(), state.data.begin() + (b * channels + d) * stateDim);
    }
  }
  y = std::move(result);
  if (finalState)
    *finalState = std::move(state);
  return Status::success();
}

template <typename T>
Status ssd(const Tensor<T> &x, const Tensor<T> &dt, const Tensor<T> &A, const Tensor<T> &Bm,
           const Tensor<T> &C, const Tensor<T> *D, const Tensor<T> *dtBias,
           const Tensor<T> *initialState, const SsdOptions &opts, Tensor<T> &y,
           Tensor<T> *finalState) {
  const char *op = "ssd";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), length = x.dim(1), heads = x.dim(2), headDim = x.dim(3);
  if (Status s = checkShape(op, "dt", dt.shape, {batch, length, heads}); !s.ok())
    return s;
  if (Status s = checkShape(op, "A", A.shape, {heads}); !s.ok())
    return s;
  if (Status s = checkShape(op, "B", Bm.shape, {batch, length, kAny, kAny}); !s.ok())
    return s;
  int64_t groups = Bm.dim(2), stateDim = Bm.dim(3);
  if (Status s = checkShape(op, "C", C.shape, Bm.shape); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "D", D, {heads}); !s.ok())
    return s;
  if (Status s = checkOptionalShape(op, "dt bias", dtBias, {heads}); !s.ok())
    return s;
  if (Status s =
          checkOptionalShape(op, "initial state", initialState, {batch, heads, headDim, stateDim});
      !s.ok())
    return s;
  if (groups <= 0 || heads % groups != 0)
    return Status::error(std::string(op) + ": " + std::to_string(heads) +
                         " heads do not split into " + std::to_string(groups) + " groups");
  assert(opts.chunkSize >= 0 && "negative chunk size");

  int64_t headsPerGroup = heads / groups;
  Tensor<T> result(x.shape);
  Tensor<T> state({batch, heads, headDim, stateDim});
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t h = 0; h < heads; ++h) {
      int64_t g = h / headsPerGroup;
      // SSD is linear attention with q = C, k = Bm, v = Δ·x and scalar log
      // decay Δ·A (state kept as [N, P], the transpose of h).
      LinearRecurrence r(length, length, stateDim, headDim);
      r.logDecay.resize(length * stateDim);
      for (int64_t t = 0; t < length; ++t) {
        double step = static_cast<double>(dt.data[(b * length + t) * heads + h]) +
                      (dtBias ? dtBias->data[h] : 0.0);
        if (opts.dtSoftplus)
          step = activate(Activation::Softplus, step);
        step = std::min(std::max(step, opts.dtMin), opts.dtMax);
        int64_t bcRow = ((b * length + t) * groups + g) * stateDim;
        for (int64_t n = 0; n < stateDim; ++n) {
          r.q[t * stateDim + n] = C.data[bcRow + n];
          r.k[t * stateDim + n] = Bm.data[bcRow + n];
          r.logDecay[t * stateDim + n] = step * A.data[h];
        }
        for (int64_t p = 0; p < headDim; ++p)
          r.v[t * headDim + p] = step * x.data[((b * length + t) * heads + h) * headDim + p];
      }
      int64_t stateStart = (b * heads + h) * headDim * stateDim;
      if (initialState)
        for (int64_t p = 0; p < headDim; ++p)
          for (int64_t n = 0; n < stateDim; ++n)
            r.state[n * headDim + p] = initialState->data[stateStart + p * stateDim + n];

      if (opts.chunkSize == 0)
        runRecurrent(r);
      else
        runChunked(r, opts.chunkSize);

      for (int64_t t = 0; t < length; ++t) {
        for (int64_t p = 0; p < headDim; ++p) {
          int64_t i = ((b * length + t) * heads + h) * headDim + p;
          double skip = D ? static_cast<double>(D->data[h]) * x.data[i] : 0.0;
          result.data[i] = static_cast<T>(r.num[t * headDim + p] + skip);
        }
      }
      for (int64_t p = 0; p < headDim; ++p)
        for (int64_t n = 0; n < stateDim; ++n)
          state.data[stateStart + p * stateDim + n] = static_cast<T>(r.state[n * headDim + p]);
    }
  }
  y = std::move(result);
  if (finalState)
    *finalState = std::move(state);
  return Status::success();
}

//===--- Token reduction family ------------------------------------------===//

template <typename T>
Status tokenMerge(const Tensor<T> &x, const Tensor<T> &metric, const Tensor<T> *sizes, int64_t r,
                  bool protectFirst, Tensor<T> &outX, Tensor<T> &outSizes,
                  Tensor<int64_t> &outIndex) {
  const char *op = "token_merge";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), tokens = x.dim(1), channels = x.dim(2);
  if (Status s = checkShape(op, "metric", metric.shape, {batch, tokens, kAny}); !s.ok())
    return s;
  int64_t metricDim = metric.dim(2);
  if (Status s = checkOptionalShape(op, "sizes", sizes, {batch, tokens}); !s.ok())
    return s;
  assert(r >= 0 && "negative merge count");

  int64_t numProtected = protectFirst && tokens > 0 ? 1 : 0;
  int64_t merges = std::min(r, (tokens - numProtected) / 2);
  int64_t numA = (tokens + 1) / 2, numB = tokens / 2;
  int64_t numKeptA = numA - merges, numOut = tokens - merges;
  Tensor<T> resultX({batch, numOut, channels}), resultSizes({batch, numOut});
  Tensor<int64_t> resultIndex({batch, tokens});
  std::vector<double> unit(tokens * metricDim), best(numA), total(numOut);
  std::vector<int64_t> match(numA), order(numA);
  std::vector<bool> merged(numA);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t *index = resultIndex.data.data() + b * tokens;
    // r = 0 is the identity, not a reordering into A then B.
    if (merges == 0) {
      std::iota(index, index + tokens, 0);
    } else {
      for (int64_t t = 0; t < tokens; ++t) {
        const T *row = metric.data.data() + (b * tokens + t) * metricDim;
        double norm = 0;
        for (int64_t c = 0; c < metricDim; ++c)
          norm += static_cast<double>(row[c]) * row[c];
        norm = std::sqrt(norm);
        // A zero metric row stays zero (cosine 0 with everything).
        for (int64_t c = 0; c < metricDim; ++c)
          unit[t * metricDim + c] = norm > 0 ? row[c] / norm : 0.0;
      }
      for (int64_t a = 0; a < numA; ++a) {
        best[a] = kNegInf;
        match[a] = 0;
        if (a < numProtected)
          continue;
        for (int64_t bb = 0; bb < numB; ++bb) {
          double score = 0;
          for (int64_t c = 0; c < metricDim; ++c)
            score += unit[2 * a * metricDim + c] * unit[(2 * bb + 1) * metricDim + c];
          // Strict comparison: ties keep the lowest B index.
          if (score > best[a]) {
            best[a] = score;
            match[a] = bb;
          }
        }
      }
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t lhs, int64_t rhs) { return best[lhs] > best[rhs]; });
      std::fill(merged.begin(), merged.end(), false);
      for (int64_t i = 0; i < merges; ++i)
        merged[order[i]] = true;
      int64_t nextKept = 0;
      for (int64_t a = 0; a < numA; ++a)
        index[2 * a] = merged[a] ? numKeptA + match[a] : nextKept++;
      for (int64_t bb = 0; bb < numB; ++bb)
        index[2 * bb + 1] = numKeptA + bb;
    }

    auto sizeOf = [&](int64_t t) { return sizes ? sizes->data[b * tokens + t] : 1.0; };
    std::fill(total.begin(), total.end(), 0.0);
    for (int64_t t = 0; t < tokens; ++t)
      total[index[t]] += sizeOf(t);
    // Weighting by s_i / Σs (rather than dividing Σ s_i·x_i at the end) makes
    // a token with a single source, e.g. every token when r = 0, pass through
    // exactly.
    std::vector<double> acc(numOut * channels, 0.0);
    for (int64_t t = 0; t < tokens; ++t) {
      int64_t slot = index[t];
      double weight = total[slot] != 0 ? sizeOf(t) / total[slot] : 0.0;
      for (int64_t c = 0; c < channels; ++c)
        acc[slot * channels + c] += weight * x.data[(b * tokens + t) * channels + c];
    }
    for (int64_t slot = 0; slot < numOut; ++slot) {
      resultSizes.data[b * numOut + slot] = static_cast<T>(total[slot]);
      for (int64_t c = 0; c < channels; ++c)
        resultX.data[(b * numOut + slot) * channels + c] = static_cast<T>(acc[slot * channels + c]);
    }
  }
  outX = std::move(resultX);
  outSizes = std::move(resultSizes);
  outIndex = std::move(resultIndex);
  return Status::success();
}

template <typename T>
Status tokenUnmerge(const Tensor<T> &x, const Tensor<int64_t> &index, Tensor<T> &out) {
  const char *op = "token_unmerge";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), merged = x.dim(1), channels = x.dim(2);
  if (Status s = checkShape(op, "index", index.shape, {batch, kAny}); !s.ok())
    return s;
  int64_t tokens = index.dim(1);
  Tensor<T> result({batch, tokens, channels});
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < tokens; ++t) {
      int64_t source = index.data[b * tokens + t];
      if (source < 0 || source >= merged)
        return Status::error(std::string(op) + ": index " + std::to_string(source) + " of token " +
                             std::to_string(t) + " is outside [0, " + std::to_string(merged) + ")");
      std::copy_n(x.data.begin() + (b * merged + source) * channels, channels,
                  result.data.begin() + (b * tokens + t) * channels);
    }
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status tokenPrune(const Tensor<T> &x, const Tensor<T> &scores, int64_t keep, bool protectFirst,
                  bool fuse, Tensor<T> &out) {
  const char *op = "token_prune";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  int64_t batch = x.dim(0), tokens = x.dim(1), channels = x.dim(2);
  if (Status s = checkShape(op, "scores", scores.shape, {batch, tokens}); !s.ok())
    return s;
  assert(keep >= 0 && "negative keep count");
  if (keep > tokens)
    return Status::error(std::string(op) + ": cannot keep " + std::to_string(keep) + " of " +
                         std::to_string(tokens) + " tokens");
  int64_t numProtected = protectFirst && tokens > 0 ? 1 : 0;
  if (keep < numProtected)
    return Status::error(std::string(op) + ": keep must be at least 1 with a protected token");

  Tensor<T> result({batch, keep + (fuse ? 1 : 0), channels});
  std::vector<int64_t> candidates(tokens - numProtected);
  std::vector<bool> kept(tokens);
  std::vector<double> fused(channels);
  for (int64_t b = 0; b < batch; ++b) {
    const T *score = scores.data.data() + b * tokens;
    std::iota(candidates.begin(), candidates.end(), numProtected);
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](int64_t lhs, int64_t rhs) { return score[lhs] > score[rhs]; });
    std::fill(kept.begin(), kept.end(), false);
    std::fill(kept.begin(), kept.begin() + numProtected, true);
    for (int64_t i = 0; i < keep - numProtected; ++i)
      kept[candidates[i]] = true;
    std::fill(fused.begin(), fused.end(), 0.0);
    int64_t slot = 0;
    for (int64_t t = 0; t < tokens; ++t) {
      const T *row = x.data.data() + (b * tokens + t) * channels;
      if (kept[t]) {
        std::copy_n(row, channels, result.data.data() + (b * result.dim(1) + slot++) * channels);
        continue;
      }
      for (int64_t c = 0; c < channels; ++c)
        fused[c] += static_cast<double>(score[t]) * row[c];
    }
    if (fuse)
      for (int64_t c = 0; c < channels; ++c)
        result.data[(b * result.dim(1) + keep) * channels + c] = static_cast<T>(fused[c]);
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status tokenPool(const Tensor<T> &x, int64_t segment, PoolKind kind, Tensor<T> &out) {
  if (Status s = checkShape("token_pool", "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  assert(segment > 0 && "segment must be positive");
  int64_t batch = x.dim(0), tokens = x.dim(1), channels = x.dim(2);
  int64_t pooled = (tokens + segment - 1) / segment;
  Tensor<T> result({batch, pooled, channels});
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t p = 0; p < pooled; ++p) {
      int64_t begin = p * segment, end = std::min(begin + segment, tokens);
      for (int64_t c = 0; c < channels; ++c) {
        double acc = kind == PoolKind::Max ? kNegInf : 0.0;
        for (int64_t t = begin; t < end; ++t) {
          double value = x.data[(b * tokens + t) * channels + c];
          acc = kind == PoolKind::Max ? std::max(acc, value) : acc + value;
        }
        if (kind == PoolKind::Mean)
          acc /= end - begin;
        result.data[(b * pooled + p) * channels + c] = static_cast<T>(acc);
      }
    }
  }
  out = std::move(result);
  return Status::success();
}

template <typename T>
Status tokenUnpool(const Tensor<T> &x, int64_t segment, int64_t length, Tensor<T> &out) {
  const char *op = "token_unpool";
  if (Status s = checkShape(op, "x", x.shape, {kAny, kAny, kAny}); !s.ok())
    return s;
  assert(segment > 0 && length >= 0);
  int64_t batch = x.dim(0), pooled = x.dim(1), channels = x.dim(2);
  if (length > pooled * segment)
    return Status::error(std::string(op) + ": " + std::to_string(pooled) +
                         " pooled tokens of segment " + std::to_string(segment) +
                         " cannot cover length " + std::to_string(length));
  Tensor<T> result({batch, length, channels});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < length; ++t)
      std::copy_n(x.data.begin() + (b * pooled + t / segment) * channels, channels,
                  result.data.begin() + (b * length + t) * channels);
  out = std::move(result);
  return Status::success();
}

#define ICL_INSTANTIATE_KERNELS(T)                                                                 \
  template Status embedding(const Tensor<T> &, const Tensor<int64_t> &, Tensor<T> &);              \
  template Status linear(const Tensor<T> &, const Tensor<T> &, const Tensor<T> *, Tensor<T> &);    \
  template Status layerNorm(const Tensor<T> &, const Tensor<T> *, const Tensor<T> *, double,       \
                            Tensor<T> &);                                                          \
  template Status rmsNorm(const Tensor<T> &, const Tensor<T> *, double, Tensor<T> &);              \
  template Status gatedRmsNorm(const Tensor<T> &, const Tensor<T> &, const Tensor<T> *, double,    \
                               int64_t, Tensor<T> &);                                              \
  template Status activation(const Tensor<T> &, Activation, Tensor<T> &);                          \
  template Status softmax(const Tensor<T> &, int64_t, Tensor<T> &);                                \
  template Status rope(const Tensor<T> &, const Tensor<int64_t> &, double, int64_t, RopeStyle,     \
                       Tensor<T> &);                                                               \
  template Status causalConv1d(const Tensor<T> &, const Tensor<T> &, const Tensor<T> *,            \
                               Activation, Tensor<T> &);                                           \
  template Status attention(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,               \
                            const Tensor<T> *, const Tensor<T> *, const AttentionOptions &,        \
                            Tensor<T> &);                                                          \
  template Status attentionPartial(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,        \
                                   const Tensor<T> *, const Tensor<T> *, const AttentionOptions &, \
                                   int64_t, int64_t, Tensor<T> &, Tensor<T> &, Tensor<T> &);       \
  template Status attentionCombine(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,        \
                                   Tensor<T> &);                                                   \
  template Status continueAttentionState(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,  \
                                         Tensor<T> &, Tensor<T> &, Tensor<T> &);                   \
  template Status linearAttention(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,         \
                                  const Tensor<T> *, const Tensor<T> *,                            \
                                  const LinearAttentionOptions &, Tensor<T> &, Tensor<T> *);       \
  template Status selectiveScan(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,           \
                                const Tensor<T> &, const Tensor<T> &, const Tensor<T> *,           \
                                const Tensor<T> *, const Tensor<T> *, const Tensor<T> *, bool,     \
                                Tensor<T> &, Tensor<T> *);                                         \
  template Status ssd(const Tensor<T> &, const Tensor<T> &, const Tensor<T> &, const Tensor<T> &,  \
                      const Tensor<T> &, const Tensor<T> *, const Tensor<T> *, const Tensor<T> *,  \
                      const SsdOptions &, Tensor<T> &, Tensor<T> *);                               \
  template Status tokenMerge(const Tensor<T> &, const Tensor<T> &, const Tensor<T> *, int64_t,     \
                             bool, Tensor<T> &, Tensor<T> &, Tensor<int64_t> &);                   \
  template Status tokenUnmerge(const Tensor<T> &, const Tensor<int64_t> &, Tensor<T> &);           \
  template Status tokenPrune(const Tensor<T> &, const Tensor<T> &, int64_t, bool, bool,            \
                             Tensor<T> &);                                                         \
  template Status tokenPool(const Tensor<T> &, int64_t, PoolKind, Tensor<T> &);                    \
  template Status tokenUnpool(const Tensor<T> &, int64_t, int64_t, Tensor<T> &);

ICL_INSTANTIATE_KERNELS(float)
ICL_INSTANTIATE_KERNELS(double)

#undef ICL_INSTANTIATE_KERNELS

} // namespace icl::ref
