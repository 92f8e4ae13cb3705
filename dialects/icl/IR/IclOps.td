//===- IclOps.td - Operations of the icl dialect -----------*- tablegen -*-===//
//
// Every op here has its exact math in design/OPS.md; the description repeats
// it with the choices OPS.md leaves open. Shapes use B batch, T/S sequence
// length, H heads, D/K/V/P head dims, N state size, C channels.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_OPS_TD
#define ICL_OPS_TD

include "IclDialect.td"
include "IclAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Linalg/IR/LinalgInterfaces.td"

// Every compute op lowers by its AggregatedOpInterface::decomposeOperation
// (IclDecompose*.cpp): linalg/tensor/scf on tensors computing its OPS.md math.
defvar Icl_Decomposable = DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>;

def Icl_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Icl_IntTensor : RankedTensorOf<[AnySignlessInteger, Index]>;

// Ops whose result types follow from operand types and attributes.
class Icl_ComputeOp<string mnemonic, list<Trait> traits = []>
    : Icl_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor, Icl_Decomposable], traits)> {
  let hasVerifier = 1;
}

// Elementwise-shaped ops: ODS infers the result type from the operand.
class Icl_SameTypeOp<string mnemonic>
    : Icl_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface,
                        Icl_Decomposable]>;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def Icl_WeightOp : Icl_Op<"weight", [Pure]> {
  let summary = "A weight tensor stored in an external safetensors file";
  let description = [{
    Refers by name to a tensor in a safetensors file, so a large checkpoint is
    never copied into the IR. The file is the op's `file` attribute or, when
    absent, the enclosing module's `icl.weights_file` attribute; a relative
    path is resolved against the directory of the module file. The stored
    dtype may differ from the result element type (bf16 weights into an f32
    model); the shape must match exactly.

    ```mlir
    module attributes {icl.weights_file = "model.safetensors"} {
      func.func @f() -> tensor<512x256xf32> {
        %w = icl.weight "wte.weight" : tensor<512x256xf32>
        return %w : tensor<512x256xf32>
      }
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<StrAttr>:$file);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$name (`from` $file^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The file this weight reads from: `file`, else the module attribute.
    /// Empty when neither is set.
    ::llvm::StringRef getWeightsFile();
  }];
}

//===----------------------------------------------------------------------===//
// Dense building blocks
//===----------------------------------------------------------------------===//

def Icl_EmbeddingOp : Icl_ComputeOp<"embedding"> {
  let summary = "Table lookup of token embeddings";
  let description = [{
    `out[b, t, :] = table[ids[b, t], :]` for `table: [V, C]`, `ids: [B, T]`.
    An id outside `[0, V)` is a run-time error, never an out-of-bounds read.

    ```mlir
    %e = icl.embedding %table, %ids
        : (tensor<512x256xf32>, tensor<8x128xi64>) -> tensor<8x128x256xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$table, Icl_IntTensor:$ids);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$table `,` $ids attr-dict `:` functional-type(operands, results)";
}

def Icl_LinearOp : Icl_ComputeOp<"linear"> {
  let summary = "Affine map x·wᵀ + b in PyTorch layout";
  let description = [{
    `out[..., n] = Σ_k x[..., k] · w[n, k] + b[n]` for `x: [..., K]`,
    `w: [N, K]` and an optional `b: [N]`.

    ```mlir
    %y = icl.linear %x, %w bias(%b)
        : (tensor<8x128x256xf32>, tensor<768x256xf32>, tensor<768xf32>) -> tensor<8x128x768xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_FloatTensor:$weight,
                       Optional<Icl_FloatTensor>:$bias);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_LayerNormOp : Icl_ComputeOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "Layer normalisation over the last dimension";
  let description = [{
    `out = (x − mean(x)) / sqrt(var(x) + eps) · γ + β` over the last dimension
    `C` (biased variance), with optional `γ: [C]` and `β: [C]`.

    ```mlir
    %y = icl.layer_norm %x gamma(%g) beta(%b) {eps = 1.0e-05 : f64}
        : (tensor<8x128x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<8x128x256xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Optional<Icl_FloatTensor>:$gamma,
                       Optional<Icl_FloatTensor>:$beta,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`gamma` `(` $gamma^ `)`)? (`beta` `(` $beta^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def Icl_RmsNormOp : Icl_ComputeOp<"rms_norm"> {
  let summary = "RMS normalisation over the last dimension";
  let description = [{
    `out = x / sqrt(mean(x²) + eps) · γ` over the last dimension `C`, with an
    optional `γ: [C]`.

    ```mlir
    %y = icl.rms_norm %x gamma(%g) {eps = 1.0e-06 : f64}
        : (tensor<1x16x64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Optional<Icl_FloatTensor>:$gamma,
                       DefaultValuedAttr<F64Attr, "1e-6">:$eps);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`gamma` `(` $gamma^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_GatedRmsNormOp : Icl_ComputeOp<"gated_rms_norm"> {
  let summary = "Mamba-2 gated RMS normalisation";
  let description = [{
    `out = rms_norm(y ⊙ silu(z)) · γ`, the RMS taken independently over each
    group of `group_size` consecutive channels of the last dimension
    (`group_size = 0`, the default, means one group of all `C` channels).
    `y` and `z` have the same shape; `γ: [C]` is optional.

    ```mlir
    %o = icl.gated_rms_norm %y, %z gamma(%g) {group_size = 64 : i64}
        : (tensor<2x32x256xf32>, tensor<2x32x256xf32>, tensor<256xf32>) -> tensor<2x32x256xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_FloatTensor:$gate,
                       Optional<Icl_FloatTensor>:$gamma,
                       DefaultValuedAttr<F64Attr, "1e-6">:$eps,
                       DefaultValuedAttr<I64Attr, "0">:$group_size);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gate (`gamma` `(` $gamma^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_ActivationOp : Icl_SameTypeOp<"activation"> {
  let summary = "Elementwise activation function";
  let description = [{
    Applies `kind` elementwise: `relu` max(x, 0); `gelu` the erf form
    `x/2·(1 + erf(x/√2))`; `gelu_tanh` `x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))`;
    `silu` `x·σ(x)`; `softplus` `log(1 + eˣ)`; `sigmoid` `σ(x)`;
    `elu_plus_one` `x + 1` for `x > 0`, else `eˣ`; `none` the identity.

    ```mlir
    %y = icl.activation %x {kind = #icl.activation<gelu>} : tensor<8x768xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_ActivationAttr:$kind);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Icl_SoftmaxOp : Icl_SameTypeOp<"softmax"> {
  let summary = "Softmax along one axis";
  let description = [{
    `out = exp(x − max) / Σ exp(x − max)` along `axis` (negative counts from
    the back; default −1). A slice that is entirely −∞ gives zeros.

    ```mlir
    %p = icl.softmax %x {axis = -1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Icl_RopeOp : Icl_ComputeOp<"rope"> {
  let summary = "Rotary position embedding";
  let description = [{
    Rotates channel pairs of `x: [B, H, T, D]` by angle `pos · base^(−2i/R)`,
    `i < R/2`, where `R = rotary_dim` (default `D`, must be even and ≤ D) and
    `pos` comes from `positions: [T]` or `[B, T]`. `style = half` pairs channel
    `i` with `i + R/2` (GPT-NeoX, Llama); `interleaved` pairs `2i` with `2i+1`
    (GPT-J). A pair `(a, b)` becomes `(a·cos − b·sin, b·cos + a·sin)`; channels
    `≥ R` pass through.

    ```mlir
    %r = icl.rope %q, %pos {base = 10000.0 : f64}
        : (tensor<1x8x16x64xf32>, tensor<16xi64>) -> tensor<1x8x16x64xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_IntTensor:$positions,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base,
                       OptionalAttr<I64Attr>:$rotary_dim,
                       DefaultValuedAttr<Icl_RopeStyleAttr, "RopeStyle::half">:$style);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input `,` $positions attr-dict `:` functional-type(operands, results)";
}

def Icl_CausalConv1dOp : Icl_ComputeOp<"causal_conv1d"> {
  let summary = "Depthwise causal 1-D convolution (Mamba)";
  let description = [{
    `y[b,c,t] = act(Σ_k w[c,k] · x[b,c,t−W+1+k] + bias[c])` for `x: [B, C, L]`,
    `w: [C, W]`, optional `bias: [C]`, with zeros before `t = 0`; `activation`
    defaults to `none` (Mamba uses `silu`).

    ```mlir
    %y = icl.causal_conv1d %x, %w bias(%b) {activation = #icl.activation<silu>}
        : (tensor<2x64x100xf32>, tensor<64x4xf32>, tensor<64xf32>) -> tensor<2x64x100xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_FloatTensor:$weight,
                       Optional<Icl_FloatTensor>:$bias,
                       DefaultValuedAttr<Icl_ActivationAttr, "Activation::none">:$activation);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Attention family
//===----------------------------------------------------------------------===//

defvar Icl_AttentionMaskDoc = [{
    Logits are `s = scale · q·kᵀ` with `scale` defaulting to `1/sqrt(D)`. Query
    head `h` reads kv head `h / (Hq/Hkv)` (MHA, GQA, MQA; `Hq % Hkv == 0`).
    `mask_kind`: `none`; `causal`, aligned to the end: query `i` sees key `j`
    iff `j ≤ i + Skv − Sq`; `sliding_window` (needs `window = w ≥ 1`): causal
    and `i + Skv − Sq − j < w`. An optional additive `mask` broadcasts (numpy
    rules, right-aligned) to `[B, Hq, Sq, Skv]`; optional `key_sizes: [B, Skv]`
    add `log s_k` (proportional attention after token merging; a size of 0
    masks its key). A query row
    whose logits are all −∞ produces zeros, never NaN.
}];

def Icl_AttentionOp : Icl_ComputeOp<"attention", [AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product attention";
  let description = !strconcat([{
    `o = softmax(s) · v` for `q: [B, Hq, Sq, D]`, `k: [B, Hkv, Skv, D]`,
    `v: [B, Hkv, Skv, Dv]`, giving `[B, Hq, Sq, Dv]`.
  }], Icl_AttentionMaskDoc, [{

    ```mlir
    %o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>}
        : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>)
        -> tensor<1x8x16x64xf32>
    ```
  }]);
  let arguments = (ins Icl_FloatTensor:$query, Icl_FloatTensor:$key, Icl_FloatTensor:$value,
                       Optional<Icl_FloatTensor>:$mask, Optional<Icl_FloatTensor>:$key_sizes,
                       OptionalAttr<F64Attr>:$scale,
                       DefaultValuedAttr<Icl_MaskKindAttr, "MaskKind::none">:$mask_kind,
                       OptionalAttr<I64Attr>:$window);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask^ `)`)? (`key_sizes` `(` $key_sizes^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_AttentionPartialOp : Icl_ComputeOp<"attention_partial", [AttrSizedOperandSegments]> {
  let summary = "Attention over one split of the keys (split-KV decode)";
  let description = !strconcat([{
    Computes the softmax partial state of the keys given, which are positions
    `[kv_offset, kv_offset + Skv)` of a cache of `kv_length` keys (`kv_length`
    0, the default, means `Skv` with offset 0); causal and sliding-window masks
    use those global positions, `mask` and `key_sizes` cover only this split.
    Results: `o = Σ e^{s−m}·v` (unnormalised) `[B, Hq, Sq, Dv]`,
    `m = max s` (−∞ when all masked) and `ℓ = Σ e^{s−m}`, both `[B, Hq, Sq]`.
    `icl.attention_combine` merges splits; any split gives `icl.attention`.

    Tiling the keys of `icl.attention` (its `PartialReductionOpInterface`)
    makes one `attention_partial` per split with two optional operand groups:
    `positions(%offset, %length)` gives `kv_offset` and `kv_length` as index
    values (the attributes then keep their defaults), and
    `state(%o0, %m0, %l0)` is a partial state, of any float type, that the
    split's keys continue: the results (of the state's types) are
    `m = max(m0, max s)`, `ℓ = e^{m0−m}·ℓ0 + Σ e^{s−m}` and
    `o = e^{m0−m}·o0 + Σ e^{s−m}·v`, with the empty state
    (`o0 = 0`, `m0 = −∞`, `ℓ0 = 0`) giving the plain partial.
  }], Icl_AttentionMaskDoc, [{

    ```mlir
    %o, %m, %l = icl.attention_partial %q, %k, %v
        {mask_kind = #icl.mask<causal>, kv_offset = 512 : i64, kv_length = 1024 : i64}
        : (tensor<1x8x1x64xf32>, tensor<1x8x512x64xf32>, tensor<1x8x512x64xf32>)
        -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>, tensor<1x8x1xf32>)
    ```
  }]);
  let arguments = (ins Icl_FloatTensor:$query, Icl_FloatTensor:$key, Icl_FloatTensor:$value,
                       Optional<Icl_FloatTensor>:$mask, Optional<Icl_FloatTensor>:$key_sizes,
                       OptionalAttr<F64Attr>:$scale,
                       DefaultValuedAttr<Icl_MaskKindAttr, "MaskKind::none">:$mask_kind,
                       OptionalAttr<I64Attr>:$window,
                       DefaultValuedAttr<I64Attr, "0">:$kv_offset,
                       DefaultValuedAttr<I64Attr, "0">:$kv_length,
                       Variadic<Index>:$positions, Variadic<Icl_FloatTensor>:$state);
  let results = (outs Icl_FloatTensor:$output, Icl_FloatTensor:$max, Icl_FloatTensor:$sum);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask^ `)`)? (`key_sizes` `(` $key_sizes^ `)`)?
    (`positions` `(` $positions^ `)`)? (`state` `(` $state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Where the keys start among all keys, and how many there are (0: Skv).
    ::mlir::OpFoldResult getMixedKvOffset();
    ::mlir::OpFoldResult getMixedKvLength();
  }];
}

def Icl_AttentionCombineOp : Icl_ComputeOp<"attention_combine"> {
  let summary = "Merges split-KV partial attention states";
  let description = [{
    Given `NS` stacked partial states `o: [NS, ..., Dv]`, `m: [NS, ...]`,
    `ℓ: [NS, ...]` (from `icl.attention_partial`), computes `M = max_i m_i`,
    `L = Σ e^{m_i−M} ℓ_i`, `O = Σ e^{m_i−M} o_i` and returns `O / L`
    (zeros where every split was fully masked). The combination is
    associative: any split and any reduction tree give the same result.

    ```mlir
    %o = icl.attention_combine %os, %ms, %ls
        : (tensor<4x1x8x1x64xf32>, tensor<4x1x8x1xf32>, tensor<4x1x8x1xf32>) -> tensor<1x8x1x64xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$output, Icl_FloatTensor:$max, Icl_FloatTensor:$sum);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$output `,` $max `,` $sum attr-dict `:` functional-type(operands, results)";
}

def Icl_LinearAttentionOp : Icl_ComputeOp<"linear_attention", [AttrSizedOperandSegments]> {
  let summary = "Linear attention with optional decay and normalisation";
  let description = [{
    For `q: [B, H, Tq, K]`, `k: [B, H, T, K]`, `v: [B, H, T, V]` with feature
    map φ (`feature_map`: `identity`, `elu_plus_one`, `relu`) applied to
    `scale · q` and to `k`:

    Causal (default): state `S_t = Diag(α_t) S_{t−1} + φ(k_t) v_tᵀ` (K×V),
    `o_t = S_tᵀ φ(q_t)`, `Tq == T`. Decay comes from the optional log-decay
    `g`: `[B, H, T]` (a scalar per head and step) or `[B, H, T, K]` (per key
    channel, gated linear attention); `α = exp(g)`. Without `g`, `α = 1`. An
    optional `initial_state: [B, H, K, V]` replaces `S_0 = 0`; with
    `return_final_state` a second result `S_T: [B, H, K, V]` is returned.

    `normalize`: `o_t / (φ(q_t)·z_t + eps)` with `z_t = α_t ⊙ z_{t−1} + φ(k_t)`,
    `z_0 = 0` (the initial state does not carry a normaliser).

    Non-causal (`causal = false`): `o_i = Σ_j (φ(q_i)·φ(k_j)) v_j` over all
    `T` keys, `Tq` may differ from `T`; no decay or state. This is the linear
    self-attention of the in-context-learning gradient-descent construction.

    `chunk_size` is a hint to implementations of the causal form (0: the
    decomposition's default; 1: step by step); the result does not depend on it.

    ```mlir
    %o, %s = icl.linear_attention %q, %k, %v decay(%g)
        {normalize, return_final_state, feature_map = #icl.feature_map<elu_plus_one>}
        : (tensor<2x4x64x32xf32>, tensor<2x4x64x32xf32>, tensor<2x4x64x32xf32>, tensor<2x4x64xf32>)
        -> (tensor<2x4x64x32xf32>, tensor<2x4x32x32xf32>)
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$query, Icl_FloatTensor:$key, Icl_FloatTensor:$value,
                       Optional<Icl_FloatTensor>:$log_decay,
                       Optional<Icl_FloatTensor>:$initial_state,
                       DefaultValuedAttr<Icl_FeatureMapAttr, "FeatureMap::identity">:$feature_map,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale,
                       UnitAttr:$normalize,
                       DefaultValuedAttr<F64Attr, "1e-6">:$eps,
                       DefaultValuedAttr<BoolAttr, "true">:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$chunk_size,
                       UnitAttr:$return_final_state);
  let results = (outs Icl_FloatTensor:$result, Optional<Icl_FloatTensor>:$final_state);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`decay` `(` $log_decay^ `)`)?
    (`initial_state` `(` $initial_state^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// State-space family
//===----------------------------------------------------------------------===//

def Icl_SelectiveScanOp : Icl_ComputeOp<"selective_scan", [AttrSizedOperandSegments]> {
  let summary = "Mamba-1 selective scan";
  let description = [{
    For `u, δ: [B, D, L]`, `A: [D, N]`, `Bm, C: [B, G, N, L]` (group `g` serves
    channels `d` with `d / (D/G) = g`), optional `D_skip: [D]`, `z: [B, D, L]`,
    `δ_bias: [D]`, `initial_state: [B, D, N]`:

    `Δ = softplus(δ + δ_bias)` if `delta_softplus`, else `δ + δ_bias`;
    `h_t = exp(Δ_t ⊙ A) ⊙ h_{t−1} + (Δ_t·u_t) ⊗ Bm_t` with `h_0 = 0` or the
    initial state; `y_t = Σ_n h_t[:, :, n]·C_t[n] + D_skip ⊙ u_t`; with `z`,
    `y = y ⊙ silu(z)`. `return_final_state` adds the result `h_L: [B, D, N]`.

    ```mlir
    %y = icl.selective_scan %u, %dt, %A, %B, %C D(%Ds) z(%z) delta_bias(%db) {delta_softplus}
        : (tensor<2x64x100xf32>, tensor<2x64x100xf32>, tensor<64x16xf32>, tensor<2x1x16x100xf32>,
           tensor<2x1x16x100xf32>, tensor<64xf32>, tensor<2x64x100xf32>, tensor<64xf32>)
        -> tensor<2x64x100xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$u, Icl_FloatTensor:$delta, Icl_FloatTensor:$A,
                       Icl_FloatTensor:$B, Icl_FloatTensor:$C,
                       Optional<Icl_FloatTensor>:$D, Optional<Icl_FloatTensor>:$z,
                       Optional<Icl_FloatTensor>:$delta_bias,
                       Optional<Icl_FloatTensor>:$initial_state,
                       UnitAttr:$delta_softplus, UnitAttr:$return_final_state);
  let results = (outs Icl_FloatTensor:$result, Optional<Icl_FloatTensor>:$final_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C (`D` `(` $D^ `)`)? (`z` `(` $z^ `)`)?
    (`delta_bias` `(` $delta_bias^ `)`)? (`initial_state` `(` $initial_state^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_SsdOp : Icl_ComputeOp<"ssd", [AttrSizedOperandSegments]> {
  let summary = "Mamba-2 state-space duality (SSD) scan";
  let description = [{
    For `x: [B, T, H, P]`, `dt: [B, T, H]`, `A: [H]`, `Bm, C: [B, T, G, N]`
    (group shared by `H/G` heads), optional `D: [H]`, `dt_bias: [H]`,
    `initial_state: [B, H, P, N]`:

    `Δ = dt + dt_bias`, then `softplus` if `dt_softplus`, then clamped to
    `[dt_min, dt_max]` when given; `h_t = exp(Δ_t·A_h)·h_{t−1} + Δ_t·x_t·Bm_tᵀ`
    (`h: [B, H, P, N]`); `y_t = h_t·C_t + D_h·x_t`. `return_final_state` adds
    the result `h_T`. `chunk_size` is a hint to implementations (0: the
    decomposition's default; 1: step by step); the result does not depend on it.

    ```mlir
    %y = icl.ssd %x, %dt, %A, %B, %C D(%D) dt_bias(%db) {dt_softplus, chunk_size = 64 : i64}
        : (tensor<1x100x8x16xf32>, tensor<1x100x8xf32>, tensor<8xf32>, tensor<1x100x1x32xf32>,
           tensor<1x100x1x32xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x100x8x16xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$x, Icl_FloatTensor:$dt, Icl_FloatTensor:$A,
                       Icl_FloatTensor:$B, Icl_FloatTensor:$C,
                       Optional<Icl_FloatTensor>:$D, Optional<Icl_FloatTensor>:$dt_bias,
                       Optional<Icl_FloatTensor>:$initial_state,
                       UnitAttr:$dt_softplus, OptionalAttr<F64Attr>:$dt_min,
                       OptionalAttr<F64Attr>:$dt_max,
                       DefaultValuedAttr<I64Attr, "0">:$chunk_size,
                       UnitAttr:$return_final_state);
  let results = (outs Icl_FloatTensor:$result, Optional<Icl_FloatTensor>:$final_state);
  let assemblyFormat = [{
    $x `,` $dt `,` $A `,` $B `,` $C (`D` `(` $D^ `)`)? (`dt_bias` `(` $dt_bias^ `)`)?
    (`initial_state` `(` $initial_state^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Token reduction family
//===----------------------------------------------------------------------===//

def Icl_TokenMergeOp : Icl_ComputeOp<"token_merge"> {
  let summary = "ToMe bipartite soft matching";
  let description = [{
    Merges `r` tokens of `x: [B, T, C]` using `metric: [B, T, K]` and optional
    token sizes `s: [B, T]` (default ones):
    1. `r ← min(r, (T − protected) / 2)` (`protect_first` protects token 0,
       e.g. a class token); `r = 0` is the identity.
    2. Metric rows are L2-normalised (an all-zero row stays zero, so its
       scores are 0); set A = even positions, B = odd positions;
       scores = cosine A·Bᵀ; a protected token's row is −∞.
    3. Each A token takes its best score and argmax b (ties → lowest b). The
       `r` A tokens with the highest best scores (ties → lower position) merge
       into their b.
    4. Output: kept A tokens in position order, then all B tokens in position
       order; a merged token is the size-weighted mean `Σ s_i x_i / Σ s_i` of
       its sources and its size the sum (sizes still add up to Σ s).
    Results: `x': [B, T−r, C]`, sizes `[B, T−r]`, and for each input token the
    output slot it went to, `[B, T]` (for `icl.token_unmerge`).

    ```mlir
    %m, %s, %idx = icl.token_merge %x, %k {r = 8 : i64}
        : (tensor<2x197x64xf32>, tensor<2x197x64xf32>)
        -> (tensor<2x189x64xf32>, tensor<2x189xf32>, tensor<2x197xi64>)
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_FloatTensor:$metric,
                       Optional<Icl_FloatTensor>:$sizes,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$r, UnitAttr:$protect_first);
  let results = (outs Icl_FloatTensor:$result, Icl_FloatTensor:$result_sizes,
                      Icl_IntTensor:$index);
  let assemblyFormat = [{
    $input `,` $metric (`sizes` `(` $sizes^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
}

def Icl_TokenUnmergeOp : Icl_ComputeOp<"token_unmerge"> {
  let summary = "Scatters merged tokens back to their sources";
  let description = [{
    `out[b, t, :] = x[b, index[b, t], :]` for `x: [B, T', C]` and the
    `index: [B, T]` produced by `icl.token_merge`; an index outside `[0, T')`
    is a run-time error.

    ```mlir
    %full = icl.token_unmerge %m, %idx
        : (tensor<2x189x64xf32>, tensor<2x197xi64>) -> tensor<2x197x64xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_IntTensor:$index);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input `,` $index attr-dict `:` functional-type(operands, results)";
}

def Icl_TokenPruneOp : Icl_ComputeOp<"token_prune"> {
  let summary = "Keeps the top-k tokens by score";
  let description = [{
    Keeps the `keep` tokens of `x: [B, T, C]` with the highest `scores: [B, T]`
    (ties → lower position), in position order. Exactly one of `keep` (≤ T)
    or `keep_ratio` in (0, 1] is given; the ratio keeps `clamp(ceil(ratio·T),
    1, T)` tokens. `protect_first` always keeps token 0 (it counts towards
    `keep`). `fuse` appends one token `Σ_{pruned j} score_j · x_j` (zeros
    when nothing is pruned).
    Result: `[B, keep (+1 with fuse), C]`.

    ```mlir
    %p = icl.token_prune %x, %scores {keep = 16 : i64, fuse}
        : (tensor<2x64x32xf32>, tensor<2x64xf32>) -> tensor<2x17x32xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, Icl_FloatTensor:$scores,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$keep,
                       OptionalAttr<F64Attr>:$keep_ratio,
                       UnitAttr:$protect_first, UnitAttr:$fuse);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scores attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// Number of tokens kept for a sequence of `length` tokens.
    static int64_t keptTokens(std::optional<int64_t> keep,
                              std::optional<double> keepRatio, int64_t length);
  }];
}

def Icl_TokenPoolOp : Icl_ComputeOp<"token_pool"> {
  let summary = "Mean or max pooling over segments of tokens";
  let description = [{
    Reduces each segment of `segment` consecutive tokens of `x: [B, T, C]` with
    `kind` (`mean`, the default, or `max`), giving `[B, ceil(T/segment), C]`;
    the last segment may be shorter and is reduced over its own tokens.
    With `icl.token_unpool` this composes PoNet-style segment pooling.

    ```mlir
    %p = icl.token_pool %x {segment = 4 : i64, kind = #icl.pool<max>}
        : (tensor<2x10x8xf32>) -> tensor<2x3x8xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, ConfinedAttr<I64Attr, [IntPositive]>:$segment,
                       DefaultValuedAttr<Icl_PoolKindAttr, "PoolKind::mean">:$kind);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Icl_TokenUnpoolOp : Icl_ComputeOp<"token_unpool"> {
  let summary = "Broadcasts pooled tokens back over their segments";
  let description = [{
    `out[b, t, :] = x[b, t / segment, :]` for `t < length`:
    `[B, ceil(length/segment), C] → [B, length, C]`.

    ```mlir
    %u = icl.token_unpool %p {segment = 4 : i64, length = 10 : i64}
        : (tensor<2x3x8xf32>) -> tensor<2x10x8xf32>
    ```
  }];
  let arguments = (ins Icl_FloatTensor:$input, ConfinedAttr<I64Attr, [IntPositive]>:$segment,
                       ConfinedAttr<I64Attr, [IntPositive]>:$length);
  let results = (outs Icl_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // ICL_OPS_TD
