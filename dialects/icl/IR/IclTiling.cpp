//===- IclTiling.cpp - TilingInterface and shape reification of icl ops ---===//
//
// The icl ops that carry a model's work (attention, the recurrences, the
// convolution, the norms, softmax and activations) tile over their parallel
// loops: batch, heads or channels, and for attention the query rows. Each op
// states its loops once as an `Indexing`, the letters naming the dims of each
// operand and result; one external model derives from it the iteration
// domain, the operand slices of a tile, the result tile positions and the
// result shapes (ReifyRankedShapedTypeOpInterface). A tile of an op is the
// same op on slices, so it keeps its decomposition and its reference
// semantics.
//
// Attention also has a reduction loop, its keys. A tile must take them all
// (its softmax is not a sum over key tiles); they split through
// PartialReductionOpInterface instead: each split is an
// icl.attention_partial continuing an empty state at its key positions, and
// icl.attention_combine merges the splits' states (split-KV as tiling).
//
// Slicing an operand along loop `l` of extent E whose own dim has extent X:
//   X == E   the tile's offset and size;
//   X == 1   (broadcast) the whole dim;
//   E = G·X  (grouped: GQA key heads, SSM groups) offset ⌊o/G⌋, size ⌈s/G⌉,
//            which needs tiles aligned to G: a static size that is 1 or a
//            multiple of G (tiles then start at multiples of G).
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/IclOps.h"
#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::icl;

namespace {

/// The parallel loops of an op and how they index its operands and results.
/// Each operand and result has one letter per dim; lower-case letters in
/// `loops` are the loops, in order; other letters ('.') are not tiled.
/// Operands are listed by operand number; an absent entry is read whole.
struct Indexing {
  std::string loops;
  /// The loops (letters) that are reductions; the rest are parallel.
  std::string reductions;
  SmallVector<std::string> operands, results;
  /// The (operand, dim) whose extent each loop has.
  SmallVector<std::pair<unsigned, unsigned>> extents;

  Indexing(Operation *op, StringRef loops)
      : loops(loops.str()), operands(op->getNumOperands()), results(op->getNumResults()) {}

  void operand(OpOperand &o, StringRef letters) { operands[o.getOperandNumber()] = letters.str(); }
  void operand(MutableOperandRange range, StringRef letters) {
    if (range.size() == 1)
      operand(range[0], letters);
  }
  /// A numpy-broadcast operand whose dims right-align with `letters`.
  void rightAligned(MutableOperandRange range, StringRef letters) {
    if (range.size() != 1)
      return;
    int64_t rank = cast<RankedTensorType>(range[0].get().getType()).getRank();
    operand(range[0], letters.take_back(rank));
  }
  void result(unsigned r, StringRef letters) { results[r] = letters.str(); }

  /// Fills `extents`: each loop's extent is that of the first operand
  /// indexing it with its full extent (the first listed is canonical).
  void finish(Operation *op) {
    for (char loop : loops)
      for (auto [i, letters] : llvm::enumerate(operands))
        if (size_t d = letters.find(loop); d != std::string::npos) {
          extents.push_back({static_cast<unsigned>(i), static_cast<unsigned>(d)});
          break;
        }
    assert(extents.size() == loops.size() && "every loop indexes an operand");
  }
};

//===----------------------------------------------------------------------===//
// Each op's loops
//===----------------------------------------------------------------------===//

/// Rows: every dim of `rank` but `skip` (-1: none) is a loop.
std::string rowLetters(int64_t rank, int64_t skip) {
  std::string letters;
  for (int64_t d = 0; d < rank; ++d)
    letters.push_back(d == skip ? '.' : static_cast<char>('a' + d));
  return letters;
}
std::string loopsOf(StringRef letters) {
  std::string loops;
  for (char c : letters)
    if (c != '.')
      loops.push_back(c);
  return loops;
}

Indexing indexing(AttentionOp op) {
  // q [B, Hq, Sq, D], k/v [B, Hkv, Skv, ·] (grouped heads), mask right-aligned
  // to [B, Hq, Sq, Skv], key_sizes [B, Skv]; the keys j are a reduction.
  Indexing ix(op, "bhij");
  ix.reductions = "j";
  ix.operand(op.getQueryMutable(), "bhi.");
  ix.operand(op.getKeyMutable(), "bhj.");
  ix.operand(op.getValueMutable(), "bhj.");
  ix.rightAligned(op.getMaskMutable(), "bhij");
  ix.operand(op.getKeySizesMutable(), "bj");
  ix.result(0, "bhi.");
  return ix;
}

Indexing indexing(LinearAttentionOp op) {
  Indexing ix(op, "bh");
  for (OpOperand &o : op->getOpOperands())
    ix.operand(o, std::string("bh") + std::string(
                      cast<RankedTensorType>(o.get().getType()).getRank() - 2, '.'));
  for (unsigned r = 0; r < op->getNumResults(); ++r)
    ix.result(r, "bh..");
  return ix;
}

Indexing indexing(SelectiveScanOp op) {
  // u, δ, z [B, D, L]; A [D, N]; Bm, C [B, G, N, L] (grouped channels);
  // D_skip, δ_bias [D]; initial_state [B, D, N].
  Indexing ix(op, "bd");
  ix.operand(op.getUMutable(), "bd.");
  ix.operand(op.getDeltaMutable(), "bd.");
  ix.operand(op.getAMutable(), "d.");
  ix.operand(op.getBMutable(), "bd..");
  ix.operand(op.getCMutable(), "bd..");
  ix.operand(op.getDMutable(), "d");
  ix.operand(op.getZMutable(), "bd.");
  ix.operand(op.getDeltaBiasMutable(), "d");
  ix.operand(op.getInitialStateMutable(), "bd.");
  ix.result(0, "bd.");
  if (op->getNumResults() > 1)
    ix.result(1, "bd.");
  return ix;
}

Indexing indexing(SsdOp op) {
  // x [B, T, H, P]; dt [B, T, H]; A, D, dt_bias [H]; Bm, C [B, T, G, N]
  // (grouped heads); initial_state [B, H, P, N].
  Indexing ix(op, "bh");
  ix.operand(op.getXMutable(), "b.h.");
  ix.operand(op.getDtMutable(), "b.h");
  ix.operand(op.getAMutable(), "h");
  ix.operand(op.getBMutable(), "b.h.");
  ix.operand(op.getCMutable(), "b.h.");
  ix.operand(op.getDMutable(), "h");
  ix.operand(op.getDtBiasMutable(), "h");
  ix.operand(op.getInitialStateMutable(), "bh..");
  ix.result(0, "b.h.");
  if (op->getNumResults() > 1)
    ix.result(1, "bh..");
  return ix;
}

Indexing indexing(CausalConv1dOp op) {
  // x [B, C, L], w [C, W], bias [C]: time is not tiled (a tile would need
  // the W−1 steps before it).
  Indexing ix(op, "bc");
  ix.operand(op.getInputMutable(), "bc.");
  ix.operand(op.getWeightMutable(), "c.");
  ix.operand(op.getBiasMutable(), "c");
  ix.result(0, "bc.");
  return ix;
}

/// Norms: every dim but the last (the normalised channels) is a loop.
template <typename OpTy>
Indexing normIndexing(OpTy op) {
  int64_t rank = op.getType().getRank();
  std::string rows = rowLetters(rank, rank - 1);
  Indexing ix(op, loopsOf(rows));
  ix.operand(op.getInputMutable(), rows);
  ix.result(0, rows);
  return ix;
}
Indexing indexing(LayerNormOp op) { return normIndexing(op); }
Indexing indexing(RmsNormOp op) { return normIndexing(op); }
Indexing indexing(GatedRmsNormOp op) {
  Indexing ix = normIndexing(op);
  ix.operand(op.getGateMutable(), ix.operands[0]);
  return ix;
}

Indexing indexing(SoftmaxOp op) {
  int64_t rank = op.getType().getRank(), axis = op.getAxis();
  std::string rows = rowLetters(rank, axis < 0 ? axis + rank : axis);
  Indexing ix(op, loopsOf(rows));
  ix.operand(op.getInputMutable(), rows);
  ix.result(0, rows);
  return ix;
}

Indexing indexing(ActivationOp op) {
  std::string all = rowLetters(op.getType().getRank(), -1);
  Indexing ix(op, all);
  ix.operand(op.getInputMutable(), all);
  ix.result(0, all);
  return ix;
}

//===----------------------------------------------------------------------===//
// Slices
//===----------------------------------------------------------------------===//

OpFoldResult dimOf(OpBuilder &b, Location loc, Value v, unsigned d) {
  return tensor::getMixedSize(b, loc, v, d);
}

/// The iteration domain of `op`: each loop's extent.
SmallVector<Range> domainOf(OpBuilder &b, Operation *op, const Indexing &ix) {
  SmallVector<Range> domain;
  for (auto [operand, d] : ix.extents)
    domain.push_back(
        Range{b.getIndexAttr(0), dimOf(b, op->getLoc(), op->getOperand(operand), d),
              b.getIndexAttr(1)});
  return domain;
}

/// The slice of `value` (indexed by `letters`) that the loop tile
/// (`offsets`, `sizes`) reads, or failure when a grouped dim is tiled
/// unaligned.
FailureOr<Value> sliceFor(OpBuilder &b, Location loc, Value value, StringRef letters,
                          const Indexing &ix, ArrayRef<OpFoldResult> domainSizes,
                          ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> off(type.getRank(), b.getIndexAttr(0)), len, stride(type.getRank(),
                                                                               b.getIndexAttr(1));
  for (int64_t d = 0; d < type.getRank(); ++d)
    len.push_back(dimOf(b, loc, value, d));
  bool whole = true;
  for (auto [d, letter] : llvm::enumerate(letters)) {
    size_t l = ix.loops.find(letter);
    if (l == std::string::npos)
      continue;
    if (ix.reductions.find(letter) != std::string::npos && isZeroInteger(offsets[l]) &&
        isEqualConstantIntOrValue(sizes[l], domainSizes[l]))
      continue; // all the keys
    std::optional<int64_t> extent = getConstantIntValue(domainSizes[l]);
    int64_t own = type.getDimSize(d);
    if (own == 1 && extent != 1)
      continue; // broadcast
    if (extent && !ShapedType::isDynamic(own) && *extent != own) {
      int64_t group = *extent / own;
      if (own == 0 || *extent % own != 0)
        return failure();
      std::optional<int64_t> size = getConstantIntValue(sizes[l]);
      if (!size || (*size != 1 && *size % group != 0))
        return failure();
      AffineExpr s0;
      bindSymbols(b.getContext(), s0);
      off[d] = affine::makeComposedFoldedAffineApply(b, loc, s0.floorDiv(group), {offsets[l]});
      len[d] = b.getIndexAttr(*size == 1 ? 1 : *size / group);
    } else {
      off[d] = offsets[l];
      len[d] = sizes[l];
    }
    whole = false;
  }
  if (whole)
    return value;
  return tensor::ExtractSliceOp::create(b, loc, value, off, len, stride).getResult();
}

/// The name of the first reduction loop that the tile does not take whole,
/// or "" (a tile of such a loop would compute its reduction over part of it
/// as if it were all of it).
std::string partialReduction(const Indexing &ix, ArrayRef<OpFoldResult> domainSizes,
                             ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  for (char letter : ix.reductions) {
    size_t l = ix.loops.find(letter);
    if (!isZeroInteger(offsets[l]) || !isEqualConstantIntOrValue(sizes[l], domainSizes[l]))
      return letter == 'j' ? "key" : std::string(1, letter);
  }
  return "";
}

/// Causal and sliding-window attention aligns its last query with its last
/// key: query i sees keys j ≤ i + Skv − Sq. A tile of rows [t0, t0 + n)
/// keeps that meaning on the key prefix [0, t0 + n + Skv − Sq): it sees the
/// same keys and skips the ones all its rows mask.
void sliceCausalKeys(OpBuilder &b, AttentionOp op, ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes, SmallVectorImpl<Value> &operands) {
  if (op.getMaskKind() == MaskKind::none)
    return;
  Location loc = op.getLoc();
  AffineExpr t0, n, skv, sq;
  bindSymbols(b.getContext(), t0, n, skv, sq);
  OpFoldResult keys = dimOf(b, loc, op.getKey(), 2);
  OpFoldResult prefix = affine::makeComposedFoldedAffineMax(
      b, loc, AffineMap::get(0, 4, {t0 + n + skv - sq, getAffineConstantExpr(0, b.getContext())},
                             b.getContext()),
      {offsets[2], sizes[2], keys, dimOf(b, loc, op.getQuery(), 2)});
  if (getConstantIntValue(prefix) == getConstantIntValue(keys) && getConstantIntValue(keys))
    return;
  // Each operand indexed by keys (at `keyDim`) reads the prefix, unless it
  // broadcasts over keys (a mask with a size-1 key dim).
  auto shrink = [&](OpOperand &operand, int64_t keyDim) {
    Value &v = operands[operand.getOperandNumber()];
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getDimSize(keyDim) == 1 && getConstantIntValue(keys) != 1)
      return;
    SmallVector<OpFoldResult> off(type.getRank(), b.getIndexAttr(0)),
        stride(type.getRank(), b.getIndexAttr(1));
    SmallVector<OpFoldResult> len = tensor::getMixedSizes(b, loc, v);
    len[keyDim] = prefix;
    v = tensor::ExtractSliceOp::create(b, loc, v, off, len, stride);
  };
  shrink(op.getKeyMutable(), 2);
  shrink(op.getValueMutable(), 2);
  if (MutableOperandRange mask = op.getMaskMutable(); mask.size() == 1)
    shrink(mask[0], cast<RankedTensorType>(mask[0].get().getType()).getRank() - 1);
  if (MutableOperandRange keySizes = op.getKeySizesMutable(); keySizes.size() == 1)
    shrink(keySizes[0], 1);
}

template <typename OpTy>
void adjustTile(OpBuilder &, OpTy, ArrayRef<OpFoldResult>, ArrayRef<OpFoldResult>,
                SmallVectorImpl<Value> &) {}
void adjustTile(OpBuilder &b, AttentionOp op, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes, SmallVectorImpl<Value> &operands) {
  sliceCausalKeys(b, op, offsets, sizes, operands);
}

/// The slices of `op`'s operands that the loop tile (`offsets`, `sizes`)
/// reads; each slice made is recorded in `result`.
/// A `split` tile takes part of a reduction loop (for a partial reduction)
/// and keeps each slice as the loops cut it.
template <typename OpTy>
FailureOr<SmallVector<Value>> operandSlices(OpBuilder &b, OpTy op, ArrayRef<OpFoldResult> offsets,
                                            ArrayRef<OpFoldResult> sizes, TilingResult &result,
                                            bool split = false) {
  Indexing ix = indexing(op);
  ix.finish(op);
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> domainSizes;
  for (Range r : domainOf(b, op, ix))
    domainSizes.push_back(r.size);
  SmallVector<Value> operands;
  for (OpOperand &o : op->getOpOperands()) {
    StringRef letters = ix.operands[o.getOperandNumber()];
    FailureOr<Value> slice = sliceFor(b, loc, o.get(), letters, ix, domainSizes, offsets, sizes);
    if (failed(slice))
      return op.emitOpError("cannot be tiled with these sizes: a tile of grouped heads or "
                            "channels must be 1 or a multiple of the group"),
             failure();
    operands.push_back(*slice);
  }
  if (!split) {
    if (std::string bad = partialReduction(ix, domainSizes, offsets, sizes); !bad.empty())
      return op.emitOpError("cannot take part of its ")
                 << bad << " loop in a tile: it is a reduction (split it with the op's "
                 << "PartialReductionOpInterface)",
             failure();
    adjustTile(b, op, offsets, sizes, operands);
  }
  for (auto [operand, value] : llvm::zip(op->getOperands(), operands))
    if (value != operand)
      result.generatedSlices.push_back(value.getDefiningOp());
  return operands;
}

/// The op on the slices of a loop tile; its result types are inferred.
template <typename OpTy>
FailureOr<TilingResult> tileOf(OpBuilder &b, OpTy op, ArrayRef<OpFoldResult> offsets,
                               ArrayRef<OpFoldResult> sizes) {
  Location loc = op.getLoc();
  TilingResult result;
  FailureOr<SmallVector<Value>> operands = operandSlices(b, op, offsets, sizes, result);
  if (failed(operands))
    return failure();
  Operation *tile = b.clone(*op);
  tile->setOperands(*operands);
  SmallVector<Type> types;
  if (failed(cast<InferTypeOpInterface>(tile).inferReturnTypes(
          b.getContext(), loc, tile->getOperands(), tile->getRawDictionaryAttrs(),
          tile->getPropertiesStorage(), tile->getRegions(), types)))
    return tile->erase(), failure();
  for (auto [value, type] : llvm::zip(tile->getResults(), types))
    value.setType(type);
  result.tiledOps.push_back(tile);
  llvm::append_range(result.tiledValues, tile->getResults());
  return result;
}

/// Where a loop tile's part of result `r` lies in the whole result.
template <typename OpTy>
void resultTile(OpBuilder &b, OpTy op, unsigned r, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
                SmallVector<OpFoldResult> &resultSizes) {
  Indexing ix = indexing(op);
  resultOffsets.clear();
  resultSizes.clear();
  Value result = op->getResult(r);
  for (auto [d, letter] : llvm::enumerate(ix.results[r])) {
    size_t l = ix.loops.find(letter);
    if (letter == '.' || l == std::string::npos) {
      resultOffsets.push_back(b.getIndexAttr(0));
      resultSizes.push_back(dimOf(b, op.getLoc(), result, d));
    } else {
      resultOffsets.push_back(offsets[l]);
      resultSizes.push_back(sizes[l]);
    }
  }
}

template <typename OpTy>
struct TilingModel : public TilingInterface::ExternalModel<TilingModel<OpTy>, OpTy> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    Indexing ix = indexing(cast<OpTy>(op));
    SmallVector<utils::IteratorType> types;
    for (char loop : ix.loops)
      types.push_back(ix.reductions.find(loop) == std::string::npos
                          ? utils::IteratorType::parallel
                          : utils::IteratorType::reduction);
    return types;
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    Indexing ix = indexing(cast<OpTy>(op));
    ix.finish(op);
    return domainOf(b, op, ix);
  }

  FailureOr<TilingResult> getTiledImplementation(Operation *op, OpBuilder &b,
                                                 ArrayRef<OpFoldResult> offsets,
                                                 ArrayRef<OpFoldResult> sizes) const {
    return tileOf(b, cast<OpTy>(op), offsets, sizes);
  }

  LogicalResult getResultTilePosition(Operation *op, OpBuilder &b, unsigned r,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes,
                                      SmallVector<OpFoldResult> &resultOffsets,
                                      SmallVector<OpFoldResult> &resultSizes) const {
    resultTile(b, cast<OpTy>(op), r, offsets, sizes, resultOffsets, resultSizes);
    return success();
  }

  /// A tile of result `r` comes from the loop tile its loop dims select;
  /// dims that are not loops must be asked for whole.
  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned r, ArrayRef<OpFoldResult> offsets,
      ArrayRef<OpFoldResult> sizes, SmallVectorImpl<OpFoldResult> &domainOffsets,
      SmallVectorImpl<OpFoldResult> &domainSizes) const {
    Indexing ix = indexing(cast<OpTy>(op));
    ix.finish(op);
    SmallVector<Range> domain = domainOf(b, op, ix);
    domainOffsets.clear();
    domainSizes.clear();
    for (Range range : domain) {
      domainOffsets.push_back(range.offset);
      domainSizes.push_back(range.size);
    }
    Value result = op->getResult(r);
    for (auto [d, letter] : llvm::enumerate(ix.results[r])) {
      size_t l = ix.loops.find(letter);
      if (letter != '.' && l != std::string::npos) {
        domainOffsets[l] = offsets[d];
        domainSizes[l] = sizes[d];
        continue;
      }
      std::optional<int64_t> size = getConstantIntValue(sizes[d]);
      if (!isConstantIntValue(offsets[d], 0) || !size ||
          *size != cast<RankedTensorType>(result.getType()).getDimSize(d))
        return failure();
    }
    return success();
  }

  FailureOr<TilingResult> generateResultTileValue(Operation *op, OpBuilder &b, unsigned r,
                                                  ArrayRef<OpFoldResult> offsets,
                                                  ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> domainOffsets, domainSizes;
    if (failed(getIterationDomainTileFromResultTile(op, b, r, offsets, sizes, domainOffsets,
                                                    domainSizes)))
      return failure();
    return tileOf(b, cast<OpTy>(op), domainOffsets, domainSizes);
  }
};

/// Result shapes: a dim is that of the first operand dim with its letter
/// whose extent is the loop's (or, for attention's value width, the value's).
template <typename OpTy>
struct ReifyModel
    : public ReifyRankedShapedTypeOpInterface::ExternalModel<ReifyModel<OpTy>, OpTy> {
  LogicalResult reifyResultShapes(Operation *op, OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) const {
    Indexing ix = indexing(cast<OpTy>(op));
    ix.finish(op);
    SmallVector<Range> domain = domainOf(b, op, ix);
    shapes.clear();
    for (OpResult result : op->getResults()) {
      auto type = cast<RankedTensorType>(result.getType());
      SmallVector<OpFoldResult> dims;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d)) {
          dims.push_back(b.getIndexAttr(type.getDimSize(d)));
          continue;
        }
        char letter = ix.results[result.getResultNumber()][d];
        size_t l = ix.loops.find(letter);
        if (letter != '.' && l != std::string::npos) {
          dims.push_back(domain[l].size);
          continue;
        }
        OpFoldResult dim = nonLoopDim(b, cast<OpTy>(op), result.getResultNumber(), d);
        if (!dim)
          return failure();
        dims.push_back(dim);
      }
      shapes.push_back(dims);
    }
    return success();
  }

  /// A dynamic result dim that is not a loop: for every op here it is the
  /// same dim of an input of the result's shape, except attention's value
  /// width and the recurrences' state dims.
  static OpFoldResult nonLoopDim(OpBuilder &b, OpTy op, unsigned r, int64_t d) {
    Location loc = op.getLoc();
    if constexpr (std::is_same_v<OpTy, AttentionOp>)
      return dimOf(b, loc, op.getValue(), 3);
    else if constexpr (std::is_same_v<OpTy, LinearAttentionOp>)
      return r == 0 ? (d == 2 ? dimOf(b, loc, op.getQuery(), 2) : dimOf(b, loc, op.getValue(), 3))
                    : (d == 2 ? dimOf(b, loc, op.getKey(), 3) : dimOf(b, loc, op.getValue(), 3));
    else if constexpr (std::is_same_v<OpTy, SelectiveScanOp>)
      return r == 0 ? dimOf(b, loc, op.getU(), 2) : dimOf(b, loc, op.getA(), 1);
    else if constexpr (std::is_same_v<OpTy, SsdOp>)
      return r == 0 ? dimOf(b, loc, op.getX(), d)
                    : (d == 2 ? dimOf(b, loc, op.getX(), 3) : dimOf(b, loc, op.getB(), 3));
    else
      return dimOf(b, loc, op->getOperand(0), d);
  }
};

//===----------------------------------------------------------------------===//
// Split-KV attention as a partial reduction over the keys
//===----------------------------------------------------------------------===//

/// A split of the keys of icl.attention is an icl.attention_partial that
/// continues the empty state of its slot; the partial states of NS splits are
/// stacked `o: [NS, B, Hq, Sq, Dv]`, `m, ℓ: [NS, B, Hq, Sq]` in the
/// accumulator type, and icl.attention_combine merges them. Only the
/// parallel form (PartialReductionOuterParallel, one slot per split) is
/// offered: a sequential loop over key blocks is an online softmax
/// (icl::decomposeAttentionOnline), which carries one state, not one per lane.
struct AttentionSplitModel
    : public PartialReductionOpInterface::ExternalModel<AttentionSplitModel, AttentionOp> {
  static constexpr unsigned kKeys = 3;

  FailureOr<SmallVector<Value>>
  generateInitialTensorForPartialReduction(Operation *op, OpBuilder &b, Location loc,
                                           ArrayRef<OpFoldResult> sizes,
                                           const SetVector<unsigned> &reductionDims) const {
    auto attention = cast<AttentionOp>(op);
    if (!isKeysOnly(reductionDims))
      return op->emitOpError("splits only its keys (loop 3)"), failure();
    icl::detail::Emitter e(b, loc);
    Type elt = icl::detail::accumulatorType(attention.getType().getElementType());
    Value q = attention.getQuery();
    SmallVector<OpFoldResult> rows = {sizes[kKeys], e.size(q, 0), e.size(q, 1), e.size(q, 2)};
    SmallVector<OpFoldResult> out = rows;
    out.push_back(e.size(attention.getValue(), 3));
    return SmallVector<Value>{e.filled(out, elt, 0.0),
                              e.filled(rows, elt, -std::numeric_limits<double>::infinity()),
                              e.filled(rows, elt, 0.0)};
  }

  FailureOr<TilingResult> tileToPartialReduction(Operation *op, OpBuilder &b, Location loc,
                                                 ReductionTilingStrategy strategy, ValueRange init,
                                                 ArrayRef<OpFoldResult> offsets,
                                                 ArrayRef<OpFoldResult> sizes,
                                                 const SetVector<unsigned> &reductionDims,
                                                 ArrayRef<OpFoldResult> splitIvs) const {
    auto attention = cast<AttentionOp>(op);
    if (strategy != ReductionTilingStrategy::PartialReductionOuterParallel)
      return op->emitOpError("splits its keys in parallel only (PartialReductionOuterParallel); "
                             "a sequential loop over key blocks is the online softmax of "
                             "icl-tile-attention"),
             failure();
    if (!isKeysOnly(reductionDims))
      return op->emitOpError("splits only its keys (loop 3)"), failure();
    TilingResult result;
    FailureOr<SmallVector<Value>> operands =
        operandSlices(b, attention, offsets, sizes, result, /*split=*/true);
    if (failed(operands))
      return failure();
    // The split's keys are positions [j0, j0 + n) of all Skv keys; its rows
    // [t0, t0 + m) see key g iff g ≤ t0 + i + Skv − Sq, which is the partial
    // op's rule for a cache of t0 + m + Skv − Sq keys.
    SmallVector<Value> positions;
    if (attention.getMaskKind() != MaskKind::none) {
      AffineExpr t0, m, skv, sq;
      bindSymbols(b.getContext(), t0, m, skv, sq);
      OpFoldResult length = affine::makeComposedFoldedAffineApply(
          b, loc, t0 + m + skv - sq,
          {offsets[2], sizes[2], tensor::getMixedSize(b, loc, attention.getKey(), 2),
           tensor::getMixedSize(b, loc, attention.getQuery(), 2)});
      positions = {getValueOrCreateConstantIndexOp(b, loc, offsets[kKeys]),
                   getValueOrCreateConstantIndexOp(b, loc, length)};
    }
    // The split's slot of each stacked state.
    SmallVector<Value> state;
    for (auto [r, stacked] : llvm::enumerate(init)) {
      SmallVector<OpFoldResult> slotOffsets, slotSizes;
      slot(b, attention, r, offsets, sizes, splitIvs[0], slotOffsets, slotSizes);
      auto type = cast<RankedTensorType>(stacked.getType());
      SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
      // The slot dim is the first unit dim, the one a canonical rank
      // reduction drops.
      auto sliceType = tensor::ExtractSliceOp::inferCanonicalRankReducedResultType(
          type.getRank() - 1, type, slotSizes);
      auto slice = tensor::ExtractSliceOp::create(b, loc, sliceType, stacked, slotOffsets,
                                                  slotSizes, strides);
      result.generatedSlices.push_back(slice);
      state.push_back(slice);
    }
    Value mask = attention.getMask() ? (*operands)[attention.getMaskMutable()[0].getOperandNumber()]
                                     : Value();
    Value keySizes = attention.getKeySizes()
                         ? (*operands)[attention.getKeySizesMutable()[0].getOperandNumber()]
                         : Value();
    auto partial = AttentionPartialOp::create(
        b, loc, (*operands)[0], (*operands)[1], (*operands)[2], mask, keySizes,
        attention.getScaleAttr(), attention.getMaskKindAttr(), attention.getWindowAttr(),
        /*kv_offset=*/nullptr, /*kv_length=*/nullptr, positions, state);
    result.tiledOps.push_back(partial);
    llvm::append_range(result.tiledValues, partial->getResults());
    return result;
  }

  FailureOr<MergeResult> mergeReductions(Operation *op, OpBuilder &b, Location loc,
                                         ValueRange partials,
                                         const SetVector<unsigned> &reductionDims) const {
    auto attention = cast<AttentionOp>(op);
    auto combine = AttentionCombineOp::create(b, loc, partials[0], partials[1], partials[2]);
    MergeResult merge;
    merge.mergeOps.push_back(combine);
    Value out = combine.getResult();
    Type storage = attention.getType().getElementType();
    if (cast<RankedTensorType>(out.getType()).getElementType() != storage) {
      icl::detail::Emitter e(b, loc);
      out = e.map(out, out, storage, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::TruncFOp::create(nb, l, storage, a[0]);
      });
      merge.mergeOps.push_back(out.getDefiningOp());
    }
    merge.replacements.push_back(out);
    return merge;
  }

  LogicalResult getPartialResultTilePosition(Operation *op, OpBuilder &b, unsigned r,
                                             ReductionTilingStrategy strategy,
                                             ArrayRef<OpFoldResult> offsets,
                                             ArrayRef<OpFoldResult> sizes,
                                             const SetVector<unsigned> &reductionDims,
                                             ArrayRef<OpFoldResult> splitIvs,
                                             SmallVector<OpFoldResult> &resultOffsets,
                                             SmallVector<OpFoldResult> &resultSizes) const {
    if (strategy != ReductionTilingStrategy::PartialReductionOuterParallel ||
        !isKeysOnly(reductionDims))
      return failure();
    slot(b, cast<AttentionOp>(op), r, offsets, sizes, splitIvs[0], resultOffsets, resultSizes);
    return success();
  }

private:
  static bool isKeysOnly(const SetVector<unsigned> &reductionDims) {
    return reductionDims.size() == 1 && reductionDims[0] == kKeys;
  }

  /// The slot of split `split` for the row tile (`offsets`, `sizes`) in
  /// stacked state `r` (0: o, 1: m, 2: ℓ).
  static void slot(OpBuilder &b, AttentionOp op, unsigned r, ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes, OpFoldResult split,
                   SmallVectorImpl<OpFoldResult> &slotOffsets,
                   SmallVectorImpl<OpFoldResult> &slotSizes) {
    slotOffsets.assign({split, offsets[0], offsets[1], offsets[2]});
    slotSizes.assign({b.getIndexAttr(1), sizes[0], sizes[1], sizes[2]});
    if (r == 0) {
      slotOffsets.push_back(b.getIndexAttr(0));
      slotSizes.push_back(tensor::getMixedSize(b, op.getLoc(), op.getValue(), 3));
    }
  }
};

template <typename... OpTys>
void attach(MLIRContext *ctx) {
  (OpTys::template attachInterface<TilingModel<OpTys>, ReifyModel<OpTys>>(*ctx), ...);
}

} // namespace

void mlir::icl::attachTilingInterfaces(MLIRContext *ctx) {
  attach<AttentionOp, LinearAttentionOp, SelectiveScanOp, SsdOp, CausalConv1dOp, LayerNormOp,
         RmsNormOp, GatedRmsNormOp, SoftmaxOp, ActivationOp>(ctx);
  AttentionOp::attachInterface<AttentionSplitModel>(*ctx);
}
