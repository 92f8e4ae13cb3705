//===- Passes.td - icl passes ------------------------------*- tablegen -*-===//

#ifndef ICL_PASSES_TD
#define ICL_PASSES_TD

include "mlir/Pass/PassBase.td"

def InlineWeights : Pass<"icl-inline-weights", "mlir::ModuleOp"> {
  let summary = "Replace icl.weight references by dense resources in the module";
  let description = [{
    Reads every `icl.weight` from its safetensors file and replaces it by an
    `arith.constant dense_resource<...>` owned by the module, converting the
    stored dtype (bf16, f16, f32, f64) to the op's element type. The result is
    a self-contained module: it no longer needs the weights file, and an
    ahead-of-time compiled library can embed its weights.

    Before:
    ```mlir
    module attributes {icl.weights_file = "model.safetensors"} {
      %w = icl.weight "lm_head.weight" : tensor<512x256xf32>
    ```
    After:
    ```mlir
      %w = arith.constant dense_resource<lm_head.weight> : tensor<512x256xf32>
    ```
    A missing file or tensor, a truncated file, or a shape mismatch is
    reported at the op and fails the pass. Relative paths are resolved against
    `weights-dir`, or the working directory when it is empty.
  }];
  let options = [
    Option<"weightsDir", "weights-dir", "std::string", /*default=*/"\"\"",
           "Directory against which relative weights-file paths are resolved">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def Decompose : Pass<"icl-decompose", "mlir::func::FuncOp"> {
  let summary = "Decompose icl ops into linalg, tensor, scf, arith and math on tensors";
  let description = [{
    Replaces each icl op by its `AggregatedOpInterface::decomposeOperation`
    (the decomposition lives with the op, in `dialects/icl/IR/IclDecompose*.cpp`),
    and then any op a decomposition produced that has one too: upstream ops
    with value semantics following the math of the op's description.
    Contractions and reductions become
    `linalg.generic` ops (which later passes tile, fuse and vectorize),
    recurrences become `scf.for` loops carrying their state tensor. Every
    decomposition is checked against the reference evaluator.

    Before:
    ```mlir
    %y = icl.activation %x {kind = #icl.activation<relu>} : tensor<4x8xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [...], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %z = arith.maximumf %in, %cst : f32
        linalg.yield %z : f32
    } -> tensor<4x8xf32>
    ```
    An op this pass cannot decompose (for example one whose head counts are
    dynamic where the decomposition needs them static) is reported with the
    reason and fails the pass.

    The recurrences `icl.ssd` and causal `icl.linear_attention` decompose in
    chunks of `chunk_size` steps (the chunkwise-parallel form: contractions
    over each chunk's positions for all chunks at once, and an `scf.for`
    over the chunks carrying only the state); `chunk-size` sets the chunk
    of the ops whose `chunk_size` is 0 (default 64, at most the length).
    Chunks of one, or a length of one (a decode step), take the
    step-by-step form. `icl.selective_scan` steps through time.
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", "0",
           "Steps per chunk of icl.ssd and causal icl.linear_attention whose chunk_size is 0 "
           "(0: 64)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

def MemrefCopyToLinalg : Pass<"icl-memref-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy as linalg.copy so copies become loops";
  let description = [{
    Bufferization materialises tensor copies as `memref.copy`, which the LLVM
    lowering turns into a call to MLIR's C runner utilities when a layout is
    strided. Compiled models must not depend on those libraries, so copies
    are rewritten as `linalg.copy` and lowered (and vectorised) like every
    other linalg op.

    Before: `memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>`
    After:  `linalg.copy ins(%a : ...) outs(%b : ...)`
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def UniqueReturnBuffers : Pass<"icl-unique-return-buffers", "mlir::func::FuncOp"> {
  let summary = "Give every returned buffer its own allocation";
  let description = [{
    A function that returns one buffer several times (`return %b, %b`) cannot
    have its results turned into out-parameters, each of which the caller
    owns. This pass copies every repeated returned memref into a fresh
    allocation, so that `buffer-results-to-out-params` sees distinct buffers.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def FuseElementwise : Pass<"icl-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into consumers that read each element once";
  let description = [{
    Upstream elementwise fusion (`linalg-fuse-elementwise-ops`) inlines a
    single-use producer into its consumer's body. When the consumer has loops
    the producer lacks (a contraction that reads `x[m, k]` inside loops
    `(m, n, k)`), the producer's computation then runs once per consumer
    iteration: a gelu fused into the following linear would evaluate `erf`
    N times per element. This pass fuses a producer only when the consumer's
    indexing map of the fused operand is a permutation (each produced element
    is read once), or when the producer only moves data (a broadcast or
    copy), and otherwise leaves the producer as its own op. It also folds
    reshapes into generic ops by expansion, as the upstream pass does.

    Before:
    ```mlir
    %g = linalg.generic {...["parallel", "parallel"]} ins(%f) ... { math.erf ... }
    %y = linalg.generic {...["parallel", "parallel", "reduction"]} ins(%g, %w) ...
    ```
    After: unchanged (fusing would compute `erf` once per output column);
    an elementwise consumer of `%g` (a residual add) would be fused.

    Fused pairwise, a chain of n elementwise ops would clone its growing body
    n times (O(n²)). Trees of elementwise generics whose links fuse in any
    order (all loops parallel, permutation maps, one block) are therefore
    first fused whole, each into one generic whose body clones every
    member's body once, with the inputs and body order pairwise fusion
    gives; the pattern driver then fuses what remains.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::affine::AffineDialect"];
}

def CheckIndices : Pass<"icl-check-indices", "mlir::ModuleOp"> {
  let summary = "Report token ids and token_unmerge indices out of range at run time";
  let description = [{
    Decomposed, `icl.embedding` and `icl.token_unmerge` clamp their ids so
    that no read leaves the table; an id outside it is a run-time error
    (OPS.md). In front of each such op this pass scans the ids for the
    first flat position whose id lies outside `[0, limit)` (the table's rows,
    the merged tokens) and, if there is one, calls the runtime's
    `icl_index_error` (`runtime/icl_errors.c`) with the id, its position, the
    limit and what the ids are (`argument 0`, or the op and its location).
    The runtime keeps the first such error of a call; the JIT, the model
    library's entry points and `icl_function_invoke` report it after the
    call ("run-time error: token id 70000 at index [0, 3] of argument 0 is
    outside the vocabulary 0..50256", docs/runtime.md). Host code reads the
    scan's result: on the GPU the scan is a kernel and `icl-gpu-host-reads`
    copies its one-element result (and, on an error, the bad id) to the host.
    Both pipelines check every id; `computed-only` leaves out the ids that
    are arguments of the function, for a caller that checks them itself.

    Before:
    ```mlir
    %e = icl.embedding %table, %ids : (tensor<50257x768xf32>, tensor<1x64xi64>) -> tensor<1x64x768xf32>
    ```
    After:
    ```mlir
    %first = linalg.generic {... ["reduction", "reduction"]} ins(%ids : tensor<1x64xi64>) outs(%none : tensor<index>) {
      ... arith.select %outside, %flat, %max ... arith.minsi ...
    }
    %p = tensor.extract %first[] : tensor<index>
    %found = arith.cmpi ne, %p, %max : index
    scf.if %found {
      ... func.call @icl_index_error(%kind, %where, %shape, %rank, %id, %position, %limit) ...
    }
    %e = icl.embedding %table, %ids : (tensor<50257x768xf32>, tensor<1x64xi64>) -> tensor<1x64x768xf32>
    ```
  }];
  let options = [
    Option<"computedOnly", "computed-only", "bool", /*default=*/"false",
           "Check only ids the function computes, not its arguments">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect", "mlir::linalg::LinalgDialect",
    "mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

def ReportAssertions : Pass<"icl-report-assertions", "mlir::ModuleOp"> {
  let summary = "Make cf.assert a run-time error the caller is told of";
  let description = [{
    A model checks what only its inputs can tell with `cf.assert` (a looped
    model's step count must not be negative, a readout index must fit). The
    upstream lowering of a failed `cf.assert` prints and aborts the process,
    which a model library must never do to its host program. This pass
    replaces each `cf.assert` with a branch on its condition: when it is
    false, the runtime's `icl_assertion_error` (`runtime/icl_errors.c`) is
    called with the message and the assertion's location, and the rest of
    the assertion's block does not run: the values it would give the block's
    terminator are zeros (where the rest has results of other types, such as
    dynamically shaped tensors, it runs after the report). The JIT, the
    library's entry points and `icl_function_invoke` report the first such
    error after the call ("run-time error: the step count K (argument 1) must
    be at least 0 (cf.assert at model.mlir:7:3)"), as they report ids out of
    range; the results of that call are not valid. The reference evaluator
    fails with the same message. Both targets run it; on the GPU the
    condition is host code.

    Before:
    ```mlir
    cf.assert %ok, "the step count K (argument 1) must be at least 0"
    ```
    After:
    ```mlir
    %r = scf.if %ok -> (tensor<1x1xf32>) {
      ... the rest of the block
      scf.yield %prediction : tensor<1x1xf32>
    } else {
      %where = llvm.mlir.addressof @icl_assert0_where : !llvm.ptr
      %message = llvm.mlir.addressof @icl_assert0_message : !llvm.ptr
      func.call @icl_assertion_error(%where, %message) : (!llvm.ptr, !llvm.ptr) -> ()
      %zero = arith.constant dense<0.0> : tensor<1x1xf32>
      scf.yield %zero : tensor<1x1xf32>
    }
    ```
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
    "mlir::scf::SCFDialect"
  ];
}

def TileAttention : Pass<"icl-tile-attention", "mlir::func::FuncOp"> {
  let summary = "Tile attention into row blocks and decompose it with an online softmax over key blocks";
  let description = [{
    Decomposed as a whole, `icl.attention` materialises its logits for every
    query against every key, `[B, Hq, Sq, Skv]`: at long sequences they
    stream through memory three times (max, exponentials, sum) before P·V
    reads them again. This pass tiles each attention op over its parallel
    loops through its `TilingInterface` (batch and heads by 1, queries by a
    block of `rows`, in an `scf.forall` whose blocks run on threads) and
    decomposes each tile with `icl::decomposeAttentionOnline`: an `scf.for`
    over blocks of `keys` keys carries each row's running maximum, sum of
    exponentials and unnormalised output, so the logits of a step are
    `rows × keys` and stay in the L1 cache. Ops with no more than `keys` keys
    are left to `icl-decompose`. The query block is a divisor of the number
    of queries (a multiple of 8 where one exists), so the tiles keep static
    shapes for `icl-tile-and-vectorize`.

    When batch × heads × query blocks give fewer blocks than `threads` (a
    decode step: one query, many keys), the keys are split instead
    (split-KV), one part per thread: the op's `PartialReductionOpInterface`
    tiles it into one `icl.attention_partial` per part in an `scf.forall`
    (over all the rows: a partial reduction tiles no parallel loop), each
    stepping through its keys with the online softmax, and
    `icl.attention_combine` merges the parts' states. `splits` forces a
    number of parts (1: never split).

    ```mlir
    %o = icl.attention %q, %k, %v : (tensor<1x8x2048x64xf32>, ...) -> tensor<1x8x2048x64xf32>
    ```
    becomes
    ```mlir
    %o = scf.forall (%b, %h, %i) = (0, 0, 0) to (1, 8, 2048) step (1, 1, 64) shared_outs(...) {
      %r:3 = scf.for %j = %c0 to %c2048 step %c256 iter_args(%acc = ..., %m = ..., %l = ...) {
        // logits, new maxima, exponentials, rescaled sums and P·V on
        // tensor<1x1x64x256xf32> blocks
      }
      // %acc / %l
    }
    ```
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"64",
           "Queries per block (at most; a divisor of the query count is taken)">,
    Option<"keys", "keys", "int64_t", /*default=*/"256",
           "Keys per step of the online softmax (0: leave attention to icl-decompose)">,
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "Threads the blocks run on: fewer blocks than this split the keys">,
    Option<"splits", "splits", "int64_t", /*default=*/"0",
           "Parallel splits of the keys (0: as `threads` asks; 1: none)">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect", "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def TileAndFuse : Pass<"icl-tile-and-fuse", "mlir::func::FuncOp"> {
  let summary = "Tile chains of linalg ops that contain reductions over row blocks, fusing producers";
  let description = [{
    Decomposed attention, normalisations and softmax are chains of linalg ops
    whose intermediates (attention scores, centred rows) are as large as the
    problem: computed op by op, each one streams through memory. This pass
    finds the last op of each chain in which a reduction feeds a later op
    (row max -> exp, row sum -> normalise), tiles its parallel loops but the
    last into an `scf.forall` (the outer ones by 1, the one before the last by
    a block of rows) and fuses every producer whose users all belong to the
    chain into the loop body with `scf::tileConsumerAndFuseProducersUsingSCF`.
    The rows of a block are as many as keep the chain's widest intermediate
    within `tile-bytes` (at most `max-rows`). Transposes stay outside (each
    block would repeat them). The blocks are independent, so the pipeline runs
    them on OpenMP threads; `icl-tile-and-vectorize` then tiles each fused op
    for registers.

    Before (softmax along the last axis):
    ```mlir
    %max = linalg.generic {...["parallel", "parallel", "reduction"]} ins(%x) ...
    %e = linalg.generic {...["parallel", "parallel", "parallel"]} ins(%x, %max) ...
    %sum = linalg.generic {...["parallel", "parallel", "reduction"]} ins(%e) ...
    %p = linalg.generic {...["parallel", "parallel", "parallel"]} ins(%e, %sum) ...
    ```
    After:
    ```mlir
    %p = scf.forall (%b, %i) = (0, 0) to (8, 256) step (1, 64) shared_outs(%o = %init) {
      // max, exp, sum and divide on tensor<1x64x256xf32> slices
      scf.forall.in_parallel { tensor.parallel_insert_slice ... }
    }
    ```
  }];
  let options = [
    Option<"tileBytes", "tile-bytes", "int64_t", /*default=*/"0",
           "Bytes of the widest intermediate of one row block, which sets the rows per "
           "block (0: an eighth of the host's L2 cache)">,
    Option<"maxRows", "max-rows", "int64_t", /*default=*/"64",
           "Most rows in one block">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"];
}

def OutlineKernels : Pass<"icl-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Outline each top-level loop nest or linalg op into a private function";
  let description = [{
    A transformer repeats one block per layer: after fusion and tiling every
    layer holds the same loop nests on the same shapes, differing only in the
    weights they read. This pass moves each top-level `scf.forall`, `scf.for`
    or linalg op on tensors of a function with more than one of them into a
    private function (`<function>_kernel<N>`, marked `noinline`) that takes
    the tensors it reads, weights included, as arguments and recreates
    scalar constants and `tensor.empty` itself. The layers' kernels are then
    identical functions, which `duplicate-function-elimination` merges, so
    the rest of the pipeline and LLVM compile each kernel once.

    Before:
    ```mlir
    %a = linalg.generic ... ins(%x, %w0 : ...) ...
    %b = linalg.generic ... ins(%a, %w1 : ...) ...
    ```
    After:
    ```mlir
    %a = call @f_kernel0(%x, %w0) : (...) -> tensor<...>
    %b = call @f_kernel1(%a, %w1) : (...) -> tensor<...>
    func.func private @f_kernel0(%arg0: tensor<...>, %arg1: tensor<...>) -> tensor<...>
        attributes {passthrough = ["noinline"]} { ... }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def FoldConstantTransposes : Pass<"icl-fold-constant-transposes", "mlir::func::FuncOp"> {
  let summary = "Transpose constant tensors (weights) at compile time";
  let description = [{
    The decomposition of `icl.linear` reads its weight as `[K, N]`, so that
    the vectorised loop over output columns reads contiguous rows, and emits
    a `linalg.transpose` of the `[N, K]` weight. When the weight is a
    constant (a dense or dense-resource `arith.constant`, e.g. after
    `--icl-inline-weights`), this pass replaces the transpose by a new
    dense-resource constant holding the transposed data (named after the
    original with a `_t` suffix), so no call transposes weights again. Splat
    constants are reshaped. Any element type of a whole number of bytes.

    Before:
    ```mlir
    %w = arith.constant dense_resource<fc> : tensor<1024x256xf32>
    %t = linalg.transpose ins(%w : tensor<1024x256xf32>) outs(%e : tensor<256x1024xf32>) permutation = [1, 0]
    ```
    After:
    ```mlir
    %t = arith.constant dense_resource<fc_t> : tensor<256x1024xf32>
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TokenMerge : Pass<"icl-token-merge", "mlir::ModuleOp"> {
  let summary = "Insert ToMe token merging into each transformer block";
  let description = [{
    Token merging (ToMe, Bolya et al. 2023) shortens the sequence inside the
    network: after each block's attention and its residual add, `r` tokens
    merge into their most similar partners by bipartite soft matching on the
    block's keys (`icl.token_merge`), so the MLP and all later layers run on
    fewer tokens. Later attention ops weigh each merged key by the number of
    tokens it stands for (proportional attention: their `key_sizes` operand,
    `s += log size`). Shapes downstream are rewritten; with `unmerge`, the
    function's per-token results are scattered back to the original length
    (`icl.token_unmerge`, last merge first).

    A block is found from its `icl.attention`: the output is followed through
    head merging and the output projection to the residual `arith.addf`; the
    metric is the block's keys before their heads were split (or the keys
    with heads merged back). `r = 0` leaves the module unchanged; merged
    sizes always sum to T. Schedules: `r` tokens per block (`constant`),
    linearly from `2r` down to 0 (`decreasing`, about as many in total), or
    an explicit `r-per-layer` list.

    Before (one block):
    ```mlir
    %a = icl.attention %q, %k, %v : ... -> tensor<1x8x64x32xf32>
    ...
    %r = arith.addf %x, %o : tensor<1x64x256xf32>
    %h = icl.layer_norm %r ...
    ```
    After (`r=16`):
    ```mlir
    %r = arith.addf %x, %o : tensor<1x64x256xf32>
    %m, %sizes, %index = icl.token_merge %r, %keys {r = 16 : i64} : (...) -> (tensor<1x48x256xf32>, tensor<1x48xf32>, tensor<1x64xi64>)
    %h = icl.layer_norm %m ... -> tensor<1x48x256xf32>
    ```
  }];
  let options = [
    Option<"r", "r", "int64_t", /*default=*/"0", "Tokens merged after each block">,
    ListOption<"rPerLayer", "r-per-layer", "int64_t",
               "Tokens merged after each block, in order (overrides r and schedule)">,
    Option<"schedule", "schedule", "std::string", /*default=*/"\"constant\"",
           "constant: r per block; decreasing: from 2r at the first block to 0 at the last">,
    Option<"proportional", "proportional", "bool", /*default=*/"true",
           "Weigh merged keys by their sizes in later attention (log-size bias)">,
    Option<"unmerge", "unmerge", "bool", /*default=*/"false",
           "Scatter per-token results back to the original sequence length">,
    Option<"protectFirst", "protect-first", "bool", /*default=*/"false",
           "Never merge the first token (a class token)">,
  ];
  let dependentDialects = ["mlir::icl::IclDialect", "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect"];
}

def RaiseFusedOps : Pass<"icl-raise-fused-ops", "mlir::func::FuncOp"> {
  let summary = "Raise decomposed attention, layer/RMS norm, GELU, biases and scan gates to icl ops";
  let description = [{
    Frontends that only know primitive ops (ONNX exports, hand-written
    linalg) spell fused computations out. This pass recognises them on
    tensors and replaces each with the icl op that computes the same
    function, so icl's fused lowerings apply:

    - attention: `expand(batch_matmul(collapse(q), collapse(kᵀ)))` (the
      (batch, head) dims merged), optionally multiplied or divided by a
      splat scale (also on q and kᵀ, as exports of
      `scaled_dot_product_attention` do), optionally plus a mask,
      `icl.softmax` over the key axis, then the same batched product with
      v → `icl.attention` on `[B, H, S, D]`. kᵀ is traced back through its
      transpose; a constant end-aligned causal mask (0 / ≤ −1e9) becomes
      `mask_kind = causal`, any other mask the additive `mask` operand; keys
      and values broadcast from fewer heads (`[B, Hkv, r, T, D]` merged into
      `Hkv·r` heads) give grouped-query attention.
    - layer norm: `(x − mean(x)) / sqrt(mean((x − mean(x))²) + eps)` (or
      times `rsqrt`), over the last dimension → `icl.layer_norm`; RMS norm:
      `x · rsqrt(mean(x²) + eps)` or `x / sqrt(...)` → `icl.rms_norm`; a
      following multiply by a broadcast `γ[C]` and add of `β[C]` fold into
      the op.
    - GELU: `x · 0.5 · (1 + erf(x/√2))` → `icl.activation gelu`, and
      `x · 0.5 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))` → `gelu_tanh`,
      the factors in any order.
    - bias: `icl.linear` without bias plus a bias `b[N]` broadcast over the
      rows (ONNX's MatMul + Add) → `icl.linear` with that bias.
    - gates: `icl.selective_scan` (without z) times `silu(z)` → the scan
      with its `z` operand, so the gate runs inside the scan's time loop.

    Anything that would change the result — softmax over another axis, a
    different constant, an intermediate value with a second use (returned
    attention probabilities) — is left as it is.

    Before:
    ```mlir
    %s = tensor.expand_shape (linalg.batch_matmul (collapse %q), (collapse %kT))
    %l = arith.divf %s, %cst_8 : tensor<1x4x8x8xf32>
    %m = arith.addf %l, %causal : tensor<1x4x8x8xf32>
    %p = icl.softmax %m {axis = -1} : tensor<1x4x8x8xf32>
    %o = tensor.expand_shape (linalg.batch_matmul (collapse %p), (collapse %v))
    ```
    After:
    ```mlir
    %o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>, scale = 0.125 : f64}
        : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
    ```
  }];
  let options = [
    Option<"attention", "attention", "bool", /*default=*/"true",
           "Raise decomposed attention to icl.attention">,
    Option<"norms", "norms", "bool", /*default=*/"true",
           "Raise decomposed layer norm and RMS norm">,
    Option<"gelu", "gelu", "bool", /*default=*/"true",
           "Raise erf and tanh GELU to icl.activation">,
    Option<"linearBias", "linear-bias", "bool", /*default=*/"true",
           "Fold a broadcast bias add into the icl.linear before it">,
    Option<"gates", "gates", "bool", /*default=*/"true",
           "Fold a SiLU gate applied after icl.selective_scan into the scan's z operand">,
  ];
  let dependentDialects = ["mlir::icl::IclDialect", "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def TokenPool : Pass<"icl-token-pool", "mlir::ModuleOp"> {
  let summary = "Replace attention in chosen layers by segment pooling (a cheaper token mixer)";
  let description = [{
    PoNet-style token mixing: in the layers listed in `layers` (indices of
    the function's `icl.attention` ops, in order), each token's attention
    output becomes the mean (or max) of the values of its segment of
    `segment` consecutive tokens, broadcast back over the segment
    (`icl.token_pool` then `icl.token_unpool`, heads merged around them). The
    mixer costs O(T·D) instead of O(T²·D). Masked attention is rejected:
    pooling a segment would mix in tokens the mask hides.

    Before:
    ```mlir
    %a = icl.attention %q, %k, %v : (...) -> tensor<1x8x64x32xf32>
    ```
    After (`layers=0 segment=4`):
    ```mlir
    %t = tensor.collapse_shape ... : tensor<1x64x8x32xf32> into tensor<1x64x256xf32>
    %p = icl.token_pool %t {segment = 4 : i64} : (tensor<1x64x256xf32>) -> tensor<1x16x256xf32>
    %u = icl.token_unpool %p {segment = 4 : i64, length = 64 : i64} : ...
    %a = linalg.transpose ... -> tensor<1x8x64x32xf32>
    ```
  }];
  let options = [
    ListOption<"layers", "layers", "int64_t", "Attention ops (0-based, in order) to replace">,
    Option<"segment", "segment", "int64_t", /*default=*/"4", "Tokens per segment">,
    Option<"kind", "kind", "std::string", /*default=*/"\"mean\"", "mean or max">,
  ];
  let dependentDialects = ["mlir::icl::IclDialect", "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect"];
}

def ApproximateAttention : Pass<"icl-approximate-attention", "mlir::ModuleOp"> {
  let summary = "Per layer, replace exact attention by linear attention when keys are many";
  let description = [{
    Exact attention costs O(T²·D) per head, kernelised linear attention
    O(T·D²): when the key count is large relative to the head dimension the
    linear form is far cheaper, at the price of approximating softmax (the
    per-layer choice MAELRE makes). Each `icl.attention` with at least
    `min-ratio`·D keys (among `layers`, or all when the list is empty)
    becomes `icl.linear_attention` with the chosen feature map, normalised,
    its queries scaled as the softmax's were, causal when the attention was.
    Attention with an additive mask, key sizes, a sliding window or grouped
    heads stays exact.

    Before:
    ```mlir
    %a = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (tensor<1x4x2048x64xf32>, ...) -> ...
    ```
    After:
    ```mlir
    %a = icl.linear_attention %q, %k, %v {feature_map = #icl.feature_map<elu_plus_one>, normalize, scale = 0.125 : f64, ...} : ...
    ```
  }];
  let options = [
    Option<"minRatio", "min-ratio", "double", /*default=*/"8.0",
           "Replace when the key count is at least this many times the head dimension">,
    ListOption<"layers", "layers", "int64_t",
               "Attention ops (0-based, in order) that may be replaced (empty: all)">,
    Option<"featureMap", "feature-map", "std::string", /*default=*/"\"elu_plus_one\"",
           "identity, elu_plus_one or relu">,
  ];
  let dependentDialects = ["mlir::icl::IclDialect"];
}

def TokenPrune : Pass<"icl-token-prune", "mlir::ModuleOp"> {
  let summary = "Keep the tokens that receive the most attention at chosen blocks";
  let description = [{
    At the blocks listed in `layers` (indices of the function's
    `icl.attention` ops), right after the attention residual add, only the
    `keep` tokens (or the fraction `keep-ratio`) that the block's attention
    attended to most continue; with `fuse`, the dropped ones are fused into
    one extra token weighted by their scores (`icl.token_prune`). A token's
    score is the attention it receives: the block's softmax probabilities
    (recomputed from its queries and keys, causal mask included) summed over
    heads and queries. Kept tokens stay in position order; shapes downstream
    are rewritten, so per-token results are those of the kept tokens.

    Before:
    ```mlir
    %r = arith.addf %x, %o : tensor<1x64x256xf32>
    %h = icl.layer_norm %r ...
    ```
    After (`layers=0 keep=32`):
    ```mlir
    %r = arith.addf %x, %o : tensor<1x64x256xf32>
    %scores = ... softmax(q kᵀ) summed over heads and queries : tensor<1x64xf32>
    %p = icl.token_prune %r, %scores {keep = 32 : i64} : (...) -> tensor<1x32x256xf32>
    %h = icl.layer_norm %p ... -> tensor<1x32x256xf32>
    ```
  }];
  let options = [
    ListOption<"layers", "layers", "int64_t", "Blocks (0-based attention ops, in order) to prune after">,
    Option<"keep", "keep", "int64_t", /*default=*/"0", "Tokens kept (0: use keep-ratio)">,
    Option<"keepRatio", "keep-ratio", "double", /*default=*/"0.5", "Fraction of tokens kept">,
    Option<"fuse", "fuse", "bool", /*default=*/"false",
           "Fuse the dropped tokens into one extra token">,
    Option<"protectFirst", "protect-first", "bool", /*default=*/"false",
           "Always keep the first token (a class token)">,
  ];
  let dependentDialects = ["mlir::icl::IclDialect", "mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect"];
}

def TileAndVectorize : Pass<"icl-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors for registers and vectorize the tiles";
  let description = [{
    For every linalg op with static loop ranges, tiles the innermost parallel
    loop by `vector-width` elements, the next parallel loop of a contraction
    by `register-rows` (a register block of rows × vector-width
    accumulators), and the innermost reduction by `reduction-tile`, using
    TilingInterface (`scf::tileUsingSCF`); then vectorizes each tile
    (`linalg::vectorize`). Each size is the largest divisor of the loop's
    extent not above the option, so tiles are always full and need no masks;
    ops the vectorizer does not support stay as (tiled) scalar loops.
    With `threads` > 1, ops with at least 32768 iterations are first tiled
    into an `scf.forall` over their outermost parallel loop (at least
    `threads` chunks), which the pipeline maps to OpenMP threads.
    exp, erf, tanh and log are replaced by MLIR's polynomial approximations
    (vectorisable, accurate to a few ulp) instead of per-element libm calls.

    Before: `linalg.generic` over (m, n, k) of 256×768×256.
    After: scf.for loops over 4×16×16 tiles whose bodies are
    `vector.transfer_read` / `vector.contract` / `vector.transfer_write`.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"0",
           "Tile of the innermost parallel loop in elements (0: two vector registers "
           "of the host, 32 with AVX-512, 16 with AVX2)">,
    Option<"registerRows", "register-rows", "int64_t", /*default=*/"0",
           "Tile of the next parallel loop of ops with reductions (0: from the host, "
           "8 with AVX-512, 4 with AVX2)">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"1",
           "Tile of the innermost reduction loop">,
    Option<"threads", "threads", "int64_t", /*default=*/"2",
           "Split the outermost parallel loop of large ops into at least this many "
           "scf.forall chunks (run on OpenMP threads); 1 disables">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// NVIDIA GPU lowering (icl-cuda-pipeline)
//===----------------------------------------------------------------------===//

def CudaRows : Pass<"icl-cuda-rows", "mlir::ModuleOp"> {
  let summary = "Run RMS/layer norms and softmax as GPU row kernels, one block per row";
  let description = [{
    Replaces every `icl.rms_norm`, `icl.layer_norm` and `icl.softmax` along
    the last axis of a static shape with at least one row, in f32, bf16 or
    f16, by one launch of icl's row kernel `@icl_row_norm` or
    `@icl_row_softmax`, built as IR for the element type, row width and form
    (`passes/cuda/RowKernels.cpp`) in a `gpu.module` of the module. One block
    normalises one row: its threads read the row once, with 16-byte accesses
    when the width is a multiple of 16 bytes, keep it in registers through
    the block reductions (warp shuffles, then shared memory across warps) of
    the mean and variance or the max and sum of exponentials (f32), and
    write the row. The launch
    takes its block size and argument order from the launch spec the
    builder returns. Norms whose rows a block cannot keep in registers
    (more than 128 values a thread at 1024 threads) are left to
    `icl-decompose`, as are dynamic shapes.

    Before: `%y = icl.rms_norm %x gamma(%g) {eps = 1.0e-06 : f64} : (tensor<16384x4096xbf16>, tensor<4096xbf16>) -> tensor<16384x4096xbf16>`
    After: `gpu.launch_func @icl_rms_norm_bf16_w4096_g::@icl_row_norm blocks in (%c16384, %c1, %c1) threads in (%c128, %c1, %c1) ...`
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
                           "mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def CudaScans : Pass<"icl-cuda-scans", "mlir::ModuleOp"> {
  let summary = "Run icl.selective_scan as one GPU kernel launch";
  let description = [{
    Replaces every `icl.selective_scan` of static shapes whose operands are
    all f32, all bf16 or all f16, with a state of at most 64, by one launch
    of icl's kernel `@icl_selective_scan`, built as IR for its shapes and
    operands (`passes/cuda/ScanKernels.cpp`) in a `gpu.module` of the
    module. One thread takes one (batch, channel): it keeps the channel's
    state in registers and steps through the sequence, with the
    discretisation (Δ bias, softplus), the D skip and the z gate fused, in
    f32. Decomposed, the scan is a host loop of a few launches per step.
    Other selective scans are left to `icl-decompose`. The CUDA pipeline
    runs this pass unless `fused-scans=false`.

    Before: `%y = icl.selective_scan %u, %dt, %A, %B, %C D(%D) z(%z) {delta_softplus} : (...) -> tensor<8x5120x4096xbf16>`
    After: `gpu.launch_func @icl_selective_scan_bf16_b8_d5120_n16_l4096_g1_D_z_softplus::@icl_selective_scan blocks in (%c320, %c1, %c1) threads in (%c128, %c1, %c1) ...`
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
                           "mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def CudaLinear : Pass<"icl-cuda-linear", "mlir::ModuleOp"> {
  let summary = "Run icl.linear as tensor-core GEMM kernels with fused epilogues";
  let description = [{
    Replaces every `icl.linear` whose input, weight, bias and result are all
    bf16, all f16 or all f32, of static shapes with rows of K a multiple of
    16 bytes (8 bf16/f16, 4 f32), by one launch of
    icl's GEMM kernel `@icl_gemm`, built as IR for the element type, tile and
    epilogue (`passes/cuda/GemmKernels.cpp`) in a `gpu.module` of the module:
    block tiles staged through a multi-stage ring of shared memory by
    `cp.async`, `ldmatrix` fragments, `mma.sync.m16n8k16` into f32
    accumulators. f32 operands go through tf32 `mma.sync.m16n8k8`, by default
    split into high and low tf32 parts with three products each (`f32=tf32x3`,
    about f32's accuracy), or one product of 10-bit mantissas (`f32=tf32`, as
    PyTorch's `allow_tf32`); `f32=off` leaves them to `icl-decompose`. The epilogue works on the accumulators in registers: the
    bias, then the sole consumer if it is an `icl.activation`, then the sole
    consumer of that if it is an `arith.addf` of a tensor of the same type
    (a residual connection), rounded once to the element type. The fused
    consumers are removed.

    The block tile is the largest of 128x128, 64x128 and 64x64 that still
    gives each of `multiprocessors` SMs a block (BK of 64 bytes, 4 stages,
    2x2 warps); `tile` overrides it. Other linears (K not a multiple of 16
    bytes, dynamic shapes) are left to `icl-decompose`.

    Before: `%y = icl.linear %x, %w bias(%b) : (tensor<8192x4096xbf16>, tensor<4096x4096xbf16>, tensor<4096xbf16>) -> tensor<8192x4096xbf16>` and `%z = icl.activation %y {kind = #icl.activation<gelu>}`
    After: `gpu.launch_func @icl_gemm_bf16_128x128x32x4_w2x2_bias_gelu::@icl_gemm blocks in (%c32, %c64, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920 args(...)`
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", /*default=*/"132",
           "Streaming multiprocessors of the target GPU, for choosing the block tile">,
    Option<"tile", "tile", "std::string", /*default=*/"\"\"",
           "Block tile BMxBNxBKxSTAGES or BMxBNxBKxSTAGESxWARPS_MxWARPS_N in place of "
           "the derived one (e.g. 128x128x32x4)">,
    Option<"f32", "f32", "std::string", /*default=*/"\"tf32x3\"",
           "f32 linears: tf32x3 (three tf32 products a product, about f32 accuracy), "
           "tf32 (one, 10-bit mantissas), off (left to icl-decompose)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
                           "mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
                           "mlir::NVVM::NVVMDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def CudaAttention : Pass<"icl-cuda-attention", "mlir::ModuleOp"> {
  let summary = "Run icl.attention as one fused GPU kernel per call";
  let description = [{
    Replaces every `icl.attention` whose operands are bf16 or f16 with a head
    dimension of 64 or 128 (`D == Dv`) by launches of icl's attention
    kernels, built as IR for the element type and head dimension
    (`passes/cuda/AttentionKernels.cpp`) in a `gpu.module` of the module; the
    launches take their grid, block, shared memory and argument order from
    the launch spec the builder returns:

    - prefill (`Sq·Hq/Hkv > 16` query rows per key/value head): one
      FlashAttention-style kernel: online softmax, tensor-core `mma.sync`,
      K/V streamed through shared memory, causal blocks skipped;
    - decode (few query rows): a split-KV kernel over chunks of the keys
      that fills the GPU for any KV length, then a kernel that combines
      the splits' softmax states.

    Every mask kind (causal, sliding window, additive mask tensors
    broadcast to `[B, Hq, Sq, Skv]`), GQA/MQA and key sizes are handled in
    the kernels; fully masked rows give zeros. Operands are passed to the
    kernel through `bufferization.to_buffer`; the result is a fresh buffer
    wrapped by `bufferization.to_tensor`. Other attention ops (f32 operands,
    other head dimensions) are left to `icl-decompose`.

    Before: `%o = icl.attention %q, %k, %v {mask_kind = #icl.mask<causal>} : (...) -> tensor<4x32x4096x128xbf16>`
    After: `gpu.launch_func @icl_flash_attention_bf16_d128::@icl_flash_attention blocks in (%c64, %c32, %c4) threads in (...) dynamic_shared_memory_size %smem args(...)`
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", /*default=*/"132",
           "Streaming multiprocessors of the target GPU: decode attention splits the keys "
           "so that about four blocks run on each">,
  ];
  // Every dialect the attention kernels use is loaded before the pass runs.
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::NVVM::NVVMDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect", "mlir::cf::ControlFlowDialect"];
}

def GpuMapLoops : Pass<"icl-gpu-map-loops", "mlir::func::FuncOp"> {
  let summary = "Turn the linalg ops of host code into loops mapped onto GPU blocks and threads";
  let description = [{
    Lowers every bufferized linalg op of a host function to `scf.parallel`
    loops over its parallel dimensions (its reductions become sequential
    `scf.for` loops inside; an op without parallel dimensions runs in a
    single-iteration loop, one thread), then prepares every outermost
    `scf.parallel` for `convert-parallel-loops-to-gpu`: its dimensions are collapsed into one,
    which is tiled by `block-size` with a constant inner bound (the tail is
    guarded by an `scf.if`), and the outer loop is mapped to `block_x`, the
    inner to `thread_x`. Reduction loops stay sequential inside each thread.

    Before: `scf.parallel (%i, %j) = (%c0, %c0) to (%c300, %c50) step (%c1, %c1)`
    After: `scf.parallel (%b) = (%c0) to (%c15000) step (%c256)` over
    `scf.parallel (%t) = (%c0) to (%c256) step (%c1)`, mapped to block_x and
    thread_x.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (1 to 1024)">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect"];
}

def GpuHostMemory : Pass<"icl-gpu-host-memory", "mlir::func::FuncOp"> {
  let summary = "Check that host code only orchestrates kernels";
  let description = [{
    After `convert-parallel-loops-to-gpu`, host functions only allocate
    buffers, take views of them and launch kernels. On the GPU target every
    buffer lives in device memory: `memref.alloc` of host code becomes a call
    of MLIR's generic allocation function (finalize-memref-to-llvm
    use-generic-functions), which CUDA model libraries serve from the
    runtime's pool of device memory (runtime/icl_cuda.c). An operation left
    on the host that would read or write elements of a device buffer (a
    `memref.load`, `memref.store`, `memref.copy`, a linalg op) cannot run
    there: it is reported with its location and fails the pass. Host memory
    (stack allocations, the arguments of functions `icl-gpu-host-scratch`
    marked `icl.host_buffers`) may be read and written; single device
    elements that host code branches on are read by `icl-gpu-host-reads`
    first.
  }];
}

def GpuHostScratch : Pass<"icl-gpu-host-scratch", "mlir::ModuleOp"> {
  let summary = "Keep the host-only arrays of lowered deallocations on the host stack";
  let description = [{
    Inside loops that carry buffers (a looped model's `scf.for` or
    `scf.while`), ownership-based deallocation cannot tell statically which
    buffers to free, and `bufferization-lower-deallocations` checks at run
    time: it stores the buffers' pointers and ownership flags in small
    `memref.alloc` arrays and calls a private helper function that compares
    them. Only host code touches these arrays, but on the GPU target every
    `memref.alloc` is device memory. This pass turns each statically shaped
    `memref.alloc` of host code whose every use is a host load, store, free,
    cast or call of a private host function into a `memref.alloca` at the
    function's entry (each use writes the array before reading it, so one
    allocation serves every iteration) and drops its frees; a private function
    that every call passes host buffers is marked `icl.host_buffers`, so that
    `icl-gpu-host-reads` and `icl-gpu-host-memory` treat its buffer arguments
    as host memory.
  }];
}

def GpuHostReads : Pass<"icl-gpu-host-reads", "mlir::ModuleOp"> {
  let summary = "Read scalars host code branches on from device memory";
  let description = [{
    On the GPU target every buffer lives in device memory, yet host code must
    read a few scalars to decide what to launch: the step count of a looped
    model (`scf.for` to a bound read from an argument), the condition of an
    `scf.while`, an `cf.assert`'s operands. This pass replaces each
    `memref.load` left on the host whose indices are constants (one fixed
    element, not a loop over elements) with a call of the runtime's
    `icl_cuda_read_scalar(address, bytes)` (`runtime/icl_cuda.c`), which
    copies the element to the host on the model's stream (after the kernels
    queued before it) and waits for it. The same holds for a load whose
    indices host code computes without a loop variable (the bad id
    `icl-check-indices` reports). Loads indexed by loop variables stay, and
    `icl-gpu-host-memory` reports them: element loops belong in kernels.

    Before:
    ```mlir
    %k = memref.load %arg1[] : memref<i64>
    ```
    After:
    ```mlir
    %base, %offset = memref.extract_strided_metadata %arg1 : memref<i64> -> memref<i64>, index
    %pointer = memref.extract_aligned_pointer_as_index %arg1 : memref<i64> -> index
    ... address = pointer + offset * 8
    %bits = func.call @icl_cuda_read_scalar(%address, %c8_i32) : (i64, i32) -> i64
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def GpuMergeModules : Pass<"icl-gpu-merge-modules", "mlir::ModuleOp"> {
  let summary = "Merge every gpu.module into one, so a model carries one PTX image";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel. This pass moves
    every kernel (renamed to keep names unique) and the other symbols of
    those modules into one `gpu.module @icl_kernels` and updates the
    `gpu.launch_func` ops, so the driver JIT-compiles and loads a single PTX
    module per model and `icl-compile --emit=ptx` writes one file.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def GpuPrepareKernels : Pass<"icl-gpu-prepare-kernels", "mlir::gpu::GPUModuleOp"> {
  let summary = "Rewrite math in kernels into what NVPTX compiles without libdevice";
  let description = [{
    Math on bf16/f16 is computed in f32; exp, expm1, log, log1p, log2, erf,
    tanh, sin, cos, atan, atan2, cbrt, asin, acos and rsqrt are replaced by
    MLIR's polynomial approximations; powf, ceil/floor-style and the
    remaining expandable ops by their arithmetic expansions; the rest
    (sqrt, fabs, fma, ...) maps to LLVM intrinsics that NVPTX lowers
    natively. Compiled kernels therefore never call libdevice, and no CUDA
    toolkit is needed to compile a model. Math these rewrites do not cover
    (f64 transcendentals) is reported and fails the pass.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect", "mlir::LLVM::LLVMDialect"];
}

def GpuResidentGlobals : Pass<"icl-gpu-resident-globals", "mlir::ModuleOp"> {
  let summary = "Read constant globals (model weights) from device-resident copies";
  let description = [{
    Runs on the LLVM dialect after host lowering. Kernels cannot read host
    memory, so every use in host code of a constant array global (a weight
    or constant of the model) goes through
    `icl_cuda_resident(host_pointer, bytes)`, which the runtime answers
    with a device copy uploaded on first use and cached for the process.
    An array whose address only host calls take (the shape of the ids an
    `icl_index_error` report formats) stays in host memory.

    Before: `%p = llvm.mlir.addressof @w : !llvm.ptr`
    After: `%p = llvm.call @icl_cuda_resident(%h, %bytes) : (!llvm.ptr, i64) -> !llvm.ptr`
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ICL_PASSES_TD
