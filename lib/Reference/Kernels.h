//===- Kernels.h - Reference math of every icl op ----------------*- C++ -*-===//
//
// Plain C++ implementations of the math in design/OPS.md, one function per
// op. They know nothing about MLIR: the interpreter in Evaluator.cpp unpacks
// an op's operands and attributes and calls these. Shapes that an op verifier
// already guarantees are asserted; facts only known at run time (dynamic
// sizes, token ids) are checked and reported through Status.
//
// Every function is instantiated for T = float and T = double (the storage
// type of the evaluation); sums are accumulated in double in both.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_REFERENCE_KERNELS_H
#define ICL_LIB_REFERENCE_KERNELS_H

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace icl::ref {

/// A dense row-major tensor owning its elements.
template <typename T>
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> shape, T fill = T())
      : shape(std::move(shape)), data(numelOf(this->shape), fill) {}
  Tensor(std::vector<int64_t> shape, std::vector<T> data)
      : shape(std::move(shape)), data(std::move(data)) {}

  static int64_t numelOf(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Size of dimension `i`; negative `i` counts from the back.
  int64_t dim(int64_t i) const { return shape[i < 0 ? i + rank() : i]; }
};

/// Result of a kernel: empty message on success.
struct Status {
  std::string message;
  bool ok() const { return message.empty(); }
  static Status success() { return {}; }
  static Status error(std::string m) { return {std::move(m)}; }
};

enum class Activation { None, Relu, Gelu, GeluTanh, Silu, Softplus, Sigmoid, EluPlusOne };
enum class RopeStyle { Half, Interleaved };
enum class MaskKind { None, Causal, SlidingWindow };
enum class FeatureMap { Identity, EluPlusOne, Relu };
enum class PoolKind { Mean, Max };

/// Scalar activation, computed in double.
double activate(Activation kind, double x);

//===--- Dense building blocks -------------------------------------------===//

/// out[b,t,:] = table[ids[b,t], :]. Fails on an id outside [0, V).
template <typename T>
Status embedding(const Tensor<T> &table, const Tensor<int64_t> &ids, Tensor<T> &out);

/// out = x · wᵀ + b with x[..., K], w[N, K], b[N] (may be null).
template <typename T>
Status linear(const Tensor<T> &x, const Tensor<T> &w, const Tensor<T> *b, Tensor<T> &out);

/// Layer norm over the last dimension; gamma/beta may be null.
template <typename T>
Status layerNorm(const Tensor<T> &x, const Tensor<T> *gamma, const Tensor<T> *beta,
                 double eps, Tensor<T> &out);

/// x / sqrt(mean(x²) + eps) · gamma over the last dimension; gamma may be null.
template <typename T>
Status rmsNorm(const Tensor<T> &x, const Tensor<T> *gamma, double eps, Tensor<T> &out);

/// Mamba-2 gated RMS norm: rms_norm(y ⊙ silu(z)) computed independently over
/// each group of `groupSize` consecutive channels of the last dimension
/// (groupSize == 0 means one group spanning the whole dimension).
template <typename T>
Status gatedRmsNorm(const Tensor<T> &y, const Tensor<T> &z, const Tensor<T> *gamma,
                    double eps, int64_t groupSize, Tensor<T> &out);

template <typename T>
Status activation(const Tensor<T> &x, Activation kind, Tensor<T> &out);

/// Softmax along `axis` (negative counts from the back).
template <typename T>
Status softmax(const Tensor<T> &x, int64_t axis, Tensor<T> &out);

/// Rotary embedding of x[B,H,T,D] at positions[T] or positions[B,T].
/// Frequencies f_i = base^(-2i/rotaryDim), i < rotaryDim/2; angle = pos·f_i.
/// Half: pairs (i, i + rotaryDim/2). Interleaved: pairs (2i, 2i+1).
/// (a, b) -> (a cos − b sin, b cos + a sin). Channels >= rotaryDim pass through.
template <typename T>
Status rope(const Tensor<T> &x, const Tensor<int64_t> &positions, double base,
            int64_t rotaryDim, RopeStyle style, Tensor<T> &out);

/// y[b,c,t] = act(Σ_k w[c,k]·x[b,c,t−W+1+k] + bias[c]), zeros before t = 0.
template <typename T>
Status causalConv1d(const Tensor<T> &x, const Tensor<T> &w, const Tensor<T> *bias,
                    Activation act, Tensor<T> &out);

//===--- Attention family ------------------------------------------------===//

struct AttentionOptions {
  double scale = 0;                 ///< 0 means 1/sqrt(D).
  MaskKind maskKind = MaskKind::None;
  int64_t window = 0;               ///< For SlidingWindow.
};

/// q[B,Hq,Sq,D], k[B,Hkv,Skv,D], v[B,Hkv,Skv,Dv] -> out[B,Hq,Sq,Dv].
/// `mask` (may be null) is additive and broadcasts (numpy rules, aligned to
/// the right) to [B,Hq,Sq,Skv]; `keySizes` [B,Skv] (may be null) adds log s_k.
/// A fully masked row (every logit −inf) gives zeros.
template <typename T>
Status attention(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                 const Tensor<T> *mask, const Tensor<T> *keySizes,
                 const AttentionOptions &opts, Tensor<T> &out);

/// Split-KV partial: the keys/values given are positions
/// [kvOffset, kvOffset + Skv) of a cache of `kvLength` keys (kvLength == 0
/// means Skv, offset 0); the causal/sliding masks use those global positions.
/// mask/keySizes cover only the given chunk. Results: m[B,Hq,Sq] = row max
/// (−inf if all masked), l[B,Hq,Sq] = Σ e^{s−m}, o[B,Hq,Sq,Dv] = Σ e^{s−m}·v
/// (unnormalised; zeros where all masked).
template <typename T>
Status attentionPartial(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                        const Tensor<T> *mask, const Tensor<T> *keySizes,
                        const AttentionOptions &opts, int64_t kvOffset, int64_t kvLength,
                        Tensor<T> &o, Tensor<T> &m, Tensor<T> &l);

/// Continues the partial state (o0, m0, l0) with the partial (o, m, l) of
/// more keys, in place: m = max(m0, m), l = e^{m0−m}·l0 + e^{m_old−m}·l, and
/// o likewise (a −∞ maximum weighs 0).
template <typename T>
Status continueAttentionState(const Tensor<T> &o0, const Tensor<T> &m0, const Tensor<T> &l0,
                              Tensor<T> &o, Tensor<T> &m, Tensor<T> &l);

/// Combines NS partial states o[NS,...,Dv], m[NS,...], l[NS,...] into the
/// normalised output [...,Dv] (zeros where every l is 0).
template <typename T>
Status attentionCombine(const Tensor<T> &o, const Tensor<T> &m, const Tensor<T> &l,
                        Tensor<T> &out);

enum class LinearAttentionAlgorithm { Recurrent, Parallel, Chunked };

struct LinearAttentionOptions {
  FeatureMap featureMap = FeatureMap::Identity;
  double scale = 1.0;   ///< Multiplies q (before the feature map).
  bool normalize = false;
  double eps = 1e-6;
  bool causal = true;
  /// The result is independent of these; tests compare them.
  LinearAttentionAlgorithm algorithm = LinearAttentionAlgorithm::Recurrent;
  int64_t chunkSize = 64;
};

/// q[B,H,Tq,K], k[B,H,T,K], v[B,H,T,V] -> out[B,H,Tq,V]. Causal requires Tq == T.
/// logDecay (may be null): [B,H,T] (scalar per head and step) or [B,H,T,K]
/// (per key channel); α = exp(logDecay). State S_t = Diag(α_t) S_{t−1} +
/// φ(k_t) v_tᵀ, o_t = S_tᵀ φ(q_t). normalize: o_t /= (φ(q_t)·z_t + eps),
/// z_t = α_t ⊙ z_{t−1} + φ(k_t), z_0 = 0. initialState [B,H,K,V] may be null;
/// finalState (may be null) receives S_T. Non-causal: o_i = Σ_j (φ(q_i)·φ(k_j)) v_j
/// (no decay, no state).
template <typename T>
Status linearAttention(const Tensor<T> &q, const Tensor<T> &k, const Tensor<T> &v,
                       const Tensor<T> *logDecay, const Tensor<T> *initialState,
                       const LinearAttentionOptions &opts, Tensor<T> &out,
                       Tensor<T> *finalState);

//===--- State-space family ----------------------------------------------===//

/// Mamba-1 selective scan, see OPS.md. u, delta, z: [B,D,L]; A [D,N];
/// Bm, C [B,G,N,L]; Dskip, deltaBias [D]; initialState/finalState [B,D,N].
/// Optional inputs may be null.
template <typename T>
Status selectiveScan(const Tensor<T> &u, const Tensor<T> &delta, const Tensor<T> &A,
                     const Tensor<T> &Bm, const Tensor<T> &C, const Tensor<T> *Dskip,
                     const Tensor<T> *z, const Tensor<T> *deltaBias,
                     const Tensor<T> *initialState, bool deltaSoftplus, Tensor<T> &y,
                     Tensor<T> *finalState);

struct SsdOptions {
  bool dtSoftplus = false;
  /// Δ is clamped to [dtMin, dtMax] after bias and softplus; the defaults
  /// clamp nothing.
  double dtMin = -std::numeric_limits<double>::infinity();
  double dtMax = std::numeric_limits<double>::infinity();
  /// 0: sequential recurrence. > 0: the chunked (block-decomposed) algorithm
  /// with this chunk length; the result must not depend on it.
  int64_t chunkSize = 0;
};

/// Mamba-2 SSD. x [B,T,H,P], dt [B,T,H], A [H], Bm, C [B,T,G,N], D, dtBias [H],
/// initialState/finalState [B,H,P,N]. Optional inputs may be null.
template <typename T>
Status ssd(const Tensor<T> &x, const Tensor<T> &dt, const Tensor<T> &A, const Tensor<T> &Bm,
           const Tensor<T> &C, const Tensor<T> *D, const Tensor<T> *dtBias,
           const Tensor<T> *initialState, const SsdOptions &opts, Tensor<T> &y,
           Tensor<T> *finalState);

//===--- Token reduction family ------------------------------------------===//

/// ToMe bipartite soft matching (OPS.md). x [B,T,C], metric [B,T,K], sizes [B,T]
/// (null = ones). Kept A tokens keep their position order, then all B tokens in
/// position order. Outputs: outX [B,T−r',C], outSizes [B,T−r'], outIndex [B,T]
/// (output slot each input token went to), where r' = min(r, (T − protected)/2).
template <typename T>
Status tokenMerge(const Tensor<T> &x, const Tensor<T> &metric, const Tensor<T> *sizes,
                  int64_t r, bool protectFirst, Tensor<T> &outX, Tensor<T> &outSizes,
                  Tensor<int64_t> &outIndex);

/// out[b,t,:] = x[b, index[b,t], :]. Fails on an index out of range.
template <typename T>
Status tokenUnmerge(const Tensor<T> &x, const Tensor<int64_t> &index, Tensor<T> &out);

/// Keeps the `keep` tokens with the highest scores (ties -> lower position), in
/// position order; with protectFirst token 0 is always kept (it counts towards
/// `keep`). fuse appends Σ_{pruned} score_j·x_j as one more token.
/// out [B, keep (+1 if fuse), C].
template <typename T>
Status tokenPrune(const Tensor<T> &x, const Tensor<T> &scores, int64_t keep,
                  bool protectFirst, bool fuse, Tensor<T> &out);

/// Mean or max over segments of `segment` consecutive tokens:
/// [B,T,C] -> [B,ceil(T/segment),C]; the last segment may be shorter.
template <typename T>
Status tokenPool(const Tensor<T> &x, int64_t segment, PoolKind kind, Tensor<T> &out);

/// out[b,t,:] = x[b, t/segment, :] for t < length: [B,T',C] -> [B,length,C].
template <typename T>
Status tokenUnpool(const Tensor<T> &x, int64_t segment, int64_t length, Tensor<T> &out);

} // namespace icl::ref

#endif // ICL_LIB_REFERENCE_KERNELS_H
