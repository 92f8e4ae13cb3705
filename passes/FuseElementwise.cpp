//===- FuseElementwise.cpp - Elementwise fusion without recomputation -----===//
//
// Upstream elementwise fusion inlines a producer into any consumer that uses
// it once. When the consumer has more loops than the producer (a contraction
// reading x[m, k] inside loops (m, n, k)), the producer's body then runs once
// per consumer iteration: a gelu fused into the next linear computes erf N
// times per element. This pass fuses only where each produced element is read
// once.
//
// Pairwise fusion clones the bodies of both ops into the fused one, so a
// chain of n elementwise ops fused one link at a time clones O(n^2) ops
// (16,000 chained gelus and adds took 418 s). Trees of elementwise ops that
// fuse whatever the order are therefore fused first, each into one generic
// built at once; the greedy driver then does the rest (reshapes,
// contractions, constants).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/LinalgUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::icl {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

bool fusesWithoutRecomputation(OpOperand *fused) {
  auto producer = fused->get().getDefiningOp<linalg::LinalgOp>();
  if (!producer || !producer->hasOneUse())
    return false;
  auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
  if (!consumer)
    return false;
  return consumer.getMatchingIndexingMap(fused).isPermutation() || mlir::icl::detail::onlyMovesData(producer);
}

/// True when `input`'s producer fuses into its consumer in whatever order the
/// greedy driver would meet them, so the two can be fused ahead of it: both
/// are elementwise generics (all loops parallel) in one block, the consumer
/// reads the producer's only result through a permutation and computes
/// something (a transpose fused into a contraction first would keep its own
/// producer out of it), its inits keep the loop bounds, and the producer's
/// body ignores its init (nothing of the producer survives the fusion).
bool fusesInAnyOrder(OpOperand *input) {
  auto producer = input->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(input->getOwner());
  if (!producer || !consumer || producer->getBlock() != consumer->getBlock() ||
      !linalg::areElementwiseOpsFusable(input) || !fusesWithoutRecomputation(input))
    return false;
  auto readsAll = [&](OpOperand &operand) { return consumer.getMatchingIndexingMap(&operand).isPermutation(); };
  return producer->getNumResults() == 1 && !producer.payloadUsesValueFromOperand(producer.getDpsInitOperand(0)) &&
         consumer.getNumParallelLoops() == consumer.getNumLoops() && readsAll(*input) &&
         llvm::all_of(consumer.getDpsInitsMutable(), readsAll) && !mlir::icl::detail::onlyMovesData(consumer);
}

/// Replaces `root` and the tree of producers fused into it (`fusedInto`: the
/// consumer operand each producer feeds) by one generic, cloning each body
/// once. Inputs and body come in the order pairwise fusion gives: a fused
/// operand's place in the consumer's inputs goes to the producer's inputs, and
/// a producer's body precedes its consumer's.
void fuseTree(RewriterBase &rewriter, linalg::GenericOp root, const DenseMap<Operation *, OpOperand *> &fusedInto) {
  // Root loops -> loops of each member, and the members in pre-order.
  DenseMap<Operation *, AffineMap> loopsOf;
  SmallVector<linalg::GenericOp> members;
  SmallVector<OpOperand *> inputs, pending;
  SmallVector<AffineMap> maps;
  auto enter = [&](linalg::GenericOp member, AffineMap loops) {
    members.push_back(member);
    loopsOf[member] = loops;
    // reverse() keeps a reference: the operand list must outlive the loop.
    SmallVector<OpOperand *> operands = member.getDpsInputOperands();
    for (OpOperand *input : llvm::reverse(operands))
      pending.push_back(input);
  };
  enter(root, rewriter.getMultiDimIdentityMap(root.getNumLoops()));
  while (!pending.empty()) {
    OpOperand *input = pending.pop_back_val();
    auto consumer = cast<linalg::GenericOp>(input->getOwner());
    AffineMap read = consumer.getMatchingIndexingMap(input).compose(loopsOf[consumer]);
    auto producer = input->get().getDefiningOp<linalg::GenericOp>();
    if (producer && fusedInto.lookup(producer) == input) {
      AffineMap written = producer.getIndexingMapMatchingResult(cast<OpResult>(input->get()));
      enter(producer, inversePermutation(written).compose(read));
      continue;
    }
    inputs.push_back(input);
    maps.push_back(read);
  }
  for (OpOperand &init : root.getDpsInitsMutable())
    maps.push_back(root.getMatchingIndexingMap(&init));

  rewriter.setInsertionPoint(root);
  auto fused = linalg::GenericOp::create(
      rewriter, root.getLoc(), root->getResultTypes(),
      llvm::map_to_vector(inputs, [](OpOperand *input) { return input->get(); }), root.getDpsInits(),
      rewriter.getAffineMapArrayAttr(maps), root.getIteratorTypes(), /*doc=*/nullptr, /*library_call=*/nullptr);
  Block *body = rewriter.createBlock(&fused.getRegion());
  IRMapping mapper;
  auto addArgument = [&](BlockArgument arg) { mapper.map(arg, body->addArgument(arg.getType(), arg.getLoc())); };
  for (OpOperand *input : inputs)
    addArgument(cast<linalg::GenericOp>(input->getOwner()).getMatchingBlockArgument(input));
  for (BlockArgument arg : root.getRegionOutputArgs())
    addArgument(arg);

  SmallVector<Value> rootIndices;
  for (linalg::GenericOp member : llvm::reverse(members)) {
    Block *memberBody = member.getBlock();
    for (auto index : memberBody->getOps<linalg::IndexOp>()) {
      if (rootIndices.empty())
        for (unsigned dim : llvm::seq(fused.getNumLoops()))
          rootIndices.push_back(linalg::IndexOp::create(rewriter, fused.getLoc(), dim));
      mapper.map(index.getResult(), affine::AffineApplyOp::create(rewriter, index.getLoc(),
                                                                  loopsOf[member].getSubMap(index.getDim()),
                                                                  rootIndices));
    }
    for (Operation &op : memberBody->without_terminator())
      if (!isa<linalg::IndexOp>(op))
        rewriter.clone(op, mapper);
    ValueRange yielded = memberBody->getTerminator()->getOperands();
    if (member == root) {
      linalg::YieldOp::create(rewriter, fused.getLoc(),
                              llvm::map_to_vector(yielded, [&](Value v) { return mapper.lookupOrDefault(v); }));
      continue;
    }
    OpOperand *use = fusedInto.lookup(member);
    mapper.map(cast<linalg::GenericOp>(use->getOwner()).getMatchingBlockArgument(use),
               mapper.lookupOrDefault(yielded.front()));
  }
  rewriter.replaceOp(root, fused->getResults());
  // Pre-order: each member's one user is gone before it.
  for (linalg::GenericOp member : llvm::drop_begin(members))
    rewriter.eraseOp(member);
}

/// Points each init of `op` that its body does not read at a new
/// tensor.empty, as upstream's fusion patterns do: an elementwise op written
/// into its operand's buffer (`ins(%p) outs(%p)`, from
/// convert-elementwise-to-linalg) leaves that operand's producer one use.
void dropUnreadInits(RewriterBase &rewriter, linalg::GenericOp op) {
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto type = dyn_cast<RankedTensorType>(init.get().getType());
    if (!type || type.getEncoding() || op.payloadUsesValueFromOperand(&init) ||
        init.get().getDefiningOp<tensor::EmptyOp>())
      continue;
    // Dynamic sizes read from the producer's own init leave it one use.
    Value sized = init.get();
    if (auto producer = sized.getDefiningOp<DestinationStyleOpInterface>())
      sized = producer.getTiedOpOperand(cast<OpResult>(sized))->get();
    rewriter.setInsertionPoint(op);
    Value empty = tensor::EmptyOp::create(rewriter, op.getLoc(), tensor::getMixedSizes(rewriter, op.getLoc(), sized),
                                          type.getElementType());
    rewriter.modifyOpInPlace(op, [&] { init.set(empty); });
  }
}

/// Fuses every tree of `fusesInAnyOrder` links in `func` into its last
/// consumer with `fuseTree`.
void fuseElementwiseTrees(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  DenseMap<Operation *, OpOperand *> fusedInto;
  SmallVector<linalg::GenericOp> consumers;
  func.walk([&](linalg::GenericOp consumer) {
    dropUnreadInits(rewriter, consumer);
    bool fusesAny = false;
    for (OpOperand *input : consumer.getDpsInputOperands())
      if (fusesInAnyOrder(input)) {
        fusedInto[input->get().getDefiningOp()] = input;
        fusesAny = true;
      }
    if (fusesAny)
      consumers.push_back(consumer);
  });
  for (linalg::GenericOp consumer : consumers)
    if (!fusedInto.contains(consumer))
      fuseTree(rewriter, consumer, fusedInto);
}

struct FuseElementwisePass : public mlir::icl::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    fuseElementwiseTrees(getOperation());
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Reshapes fold into elementwise ops only: folded into a contraction
    // they split its row or column loop (heads out of features), and the
    // register tiles of the contraction land on the wrong loops.
    linalg::ControlFusionFn foldReshape = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      auto isContraction = [](Operation *op) {
        auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
        return linalgOp && linalgOp.getNumReductionLoops() > 0;
      };
      return producer && producer->hasOneUse() && !isContraction(producer) &&
             !isContraction(operand->getOwner());
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, fusesWithoutRecomputation);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, foldReshape);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
