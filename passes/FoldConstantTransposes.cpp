//===- FoldConstantTransposes.cpp - Transpose weights at compile time -----===//
//
// Linears read their weight as [K, N] (contiguous output columns for the
// vector loop), so the decomposition transposes the [N, K] weight; without
// this pass every call would transpose every weight again.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::icl {
#define GEN_PASS_DEF_FOLDCONSTANTTRANSPOSES
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// The bytes of a constant tensor and a name for its transposed copy.
std::optional<std::pair<ArrayRef<char>, std::string>> constantBytes(Attribute value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return std::make_pair(blob->getData(), resource.getRawHandle().getKey().str() + "_t");
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && !dense.isSplat())
    return std::make_pair(dense.getRawData(), std::string("transposed"));
  return std::nullopt;
}

struct FoldConstantTranspose : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!constant || !inType || !inType.hasStaticShape() || !op.hasPureTensorSemantics())
      return failure();
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()); dense && dense.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, outType, dense.resizeSplat(outType));
      return success();
    }
    unsigned bits = inType.getElementTypeBitWidth();
    std::optional<std::pair<ArrayRef<char>, std::string>> source =
        constantBytes(constant.getValue());
    if (bits % 8 || !source)
      return failure();
    size_t eltBytes = bits / 8;
    ArrayRef<char> in = source->first;
    if (in.size() != static_cast<size_t>(inType.getNumElements()) * eltBytes)
      return failure();

    // Output dim i is input dim perm[i]: walk the output in order, stepping
    // through the input with the permuted strides.
    ArrayRef<int64_t> perm = op.getPermutation();
    ArrayRef<int64_t> outShape = outType.getShape();
    unsigned rank = outShape.size();
    SmallVector<int64_t> inStrides(rank, 1);
    for (int i = static_cast<int>(rank) - 2; i >= 0; --i)
      inStrides[i] = inStrides[i + 1] * inType.getDimSize(i + 1);
    SmallVector<int64_t> step(rank), index(rank, 0);
    for (unsigned i = 0; i < rank; ++i)
      step[i] = inStrides[perm[i]];
    std::vector<char> out(in.size());
    int64_t offset = 0;
    for (size_t n = 0, total = outType.getNumElements(); n < total; ++n) {
      std::memcpy(out.data() + n * eltBytes, in.data() + offset * eltBytes, eltBytes);
      for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
        offset += step[d];
        if (++index[d] < outShape[d])
          break;
        offset -= step[d] * outShape[d];
        index[d] = 0;
      }
    }
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(out, eltBytes);
    auto attr = DenseResourceElementsAttr::get(outType, source->second, std::move(blob));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, outType, attr);
    return success();
  }
};

struct FoldConstantTransposesPass
    : public mlir::icl::impl::FoldConstantTransposesBase<FoldConstantTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConstantTranspose>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
