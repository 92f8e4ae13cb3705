//===- Decompose.cpp - Every op's AggregatedOpInterface decomposition -----===//
//
// The driver only: what each icl op becomes is its decomposeOperation, next to
// its ODS (dialects/icl/IR/IclDecompose*.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::icl {
#define GEN_PASS_DEF_DECOMPOSE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

struct DecomposePass : public mlir::icl::impl::DecomposeBase<DecomposePass> {
  using DecomposeBase::DecomposeBase;

  void runOnOperation() override {
    if (chunkSize < 0) {
      getOperation().emitError("icl-decompose chunk-size must be >= 0 (0: the default of 64), got ")
          << chunkSize;
      return signalPassFailure();
    }
    // The run's chunk for recurrences that leave it to the implementation.
    if (chunkSize > 0) {
      auto chunk = IntegerAttr::get(IntegerType::get(&getContext(), 64), chunkSize);
      getOperation().walk([&](Operation *op) {
        if (auto ssd = dyn_cast<icl::SsdOp>(op); ssd && ssd.getChunkSize() == 0)
          ssd.setChunkSizeAttr(chunk);
        if (auto la = dyn_cast<icl::LinearAttentionOp>(op); la && la.getChunkSize() == 0)
          la.setChunkSizeAttr(chunk);
      });
    }
    SmallVector<Operation *> worklist;
    getOperation().walk([&](Operation *op) {
      if (isa<icl::IclDialect>(op->getDialect()) && !isa<icl::WeightOp>(op))
        worklist.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    // Ops a decomposition creates that decompose further (an icl op, or an
    // upstream aggregate such as linalg.softmax) are taken in turn.
    while (!worklist.empty()) {
      Operation *op = worklist.pop_back_val();
      auto aggregate = dyn_cast<linalg::AggregatedOpInterface>(op);
      if (!aggregate) {
        op->emitOpError("cannot be decomposed yet: native code generation for it is not "
                        "implemented; run the module with the reference evaluator (--reference)");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      // Results without elements need no computation (and slices at the end
      // of an empty dim would not verify on the way down).
      if (op->getNumResults() > 0 && llvm::all_of(op->getResultTypes(), [](Type t) {
            auto type = dyn_cast<RankedTensorType>(t);
            return type && type.hasStaticShape() && type.getNumElements() == 0;
          })) {
        SmallVector<Value> empties;
        for (Type t : op->getResultTypes()) {
          auto type = cast<RankedTensorType>(t);
          empties.push_back(tensor::EmptyOp::create(rewriter, op->getLoc(), type.getShape(),
                                                    type.getElementType()));
        }
        rewriter.replaceOp(op, empties);
        continue;
      }
      Operation *before = op->getPrevNode();
      FailureOr<SmallVector<Value>> results = aggregate.decomposeOperation(rewriter);
      if (failed(results))
        return signalPassFailure();
      // The new ops lie between `before` and `op`.
      for (Operation *it = before ? before->getNextNode() : &op->getBlock()->front(); it != op;
           it = it->getNextNode())
        it->walk([&](Operation *created) {
          if (isa<icl::IclDialect>(created->getDialect()) ||
              isa<linalg::AggregatedOpInterface>(created))
            worklist.push_back(created);
        });
      rewriter.replaceOp(op, *results);
    }
  }
};

} // namespace
