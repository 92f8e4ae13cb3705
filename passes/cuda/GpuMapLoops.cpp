//===- GpuMapLoops.cpp - Loops onto blocks and threads --------------------===//

#include "passes/Passes.h"
#include "passes/cuda/GpuUtils.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace mlir::icl {
#define GEN_PASS_DEF_GPUMAPLOOPS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using mlir::icl::onDevice;

namespace {

struct GpuMapLoops : icl::impl::GpuMapLoopsBase<GpuMapLoops> {
  using GpuMapLoopsBase::GpuMapLoopsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError() << "block-size must be 1 to 1024 threads (CUDA's limit), got "
                       << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }

    // Linalg ops become parallel loops; ops without a parallel loop (0-d
    // ops, full reductions) run as one thread of one block.
    SmallVector<linalg::LinalgOp> linalgOps;
    func.walk([&](linalg::LinalgOp op) {
      if (!onDevice(op) && !op->getParentOfType<scf::ParallelOp>())
        linalgOps.push_back(op);
    });
    for (linalg::LinalgOp op : linalgOps) {
      if (!op.hasPureBufferSemantics()) {
        op.emitError("expected a bufferized linalg op");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      if (op.getNumParallelLoops() == 0) {
        Location loc = op.getLoc();
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        auto single = scf::ParallelOp::create(rewriter, loc, ValueRange{zero}, ValueRange{one},
                                              ValueRange{one});
        rewriter.moveOpBefore(op, single.getBody()->getTerminator());
        rewriter.setInsertionPoint(op);
      }
      if (failed(linalg::linalgOpToParallelLoops(rewriter, op))) {
        op.emitError("cannot lower to parallel loops for the GPU");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }

    SmallVector<scf::ParallelOp> loops;
    func.walk([&](scf::ParallelOp loop) {
      if (!onDevice(loop) && !loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    auto mapping = [&](gpu::Processor processor) {
      AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
      return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, id, id);
    };
    for (scf::ParallelOp loop : loops) {
      if (loop.getNumReductions() != 0) {
        loop.emitError("a parallel loop with reductions cannot be mapped onto GPU threads yet");
        return signalPassFailure();
      }
      // Loops shorter than a block get a block of their length.
      int64_t tile = blockSize;
      std::optional<int64_t> trips = 1;
      for (auto [lb, ub, step] :
           llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
        std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                               s = getConstantIntValue(step);
        if (!l || !u || !s || *s <= 0) {
          trips.reset();
          break;
        }
        *trips *= std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
      }
      if (trips)
        tile = std::clamp<int64_t>(*trips, 1, blockSize);
      if (loop.getNumLoops() > 1) {
        // collapseParallelLoops replaces the loop by a new one in its place.
        Operation *next = loop->getNextNode();
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0u);
        rewriter.setInsertionPoint(loop);
        collapseParallelLoops(rewriter, loop, {all});
        loop = cast<scf::ParallelOp>(next->getPrevNode());
      }
      auto [outer, inner] = scf::tileParallelLoop(loop, {tile}, /*noMinMaxBounds=*/true);
      if (failed(gpu::setMappingAttr(outer, {mapping(gpu::Processor::BlockX)})) ||
          failed(gpu::setMappingAttr(inner, {mapping(gpu::Processor::ThreadX)}))) {
        outer.emitError("cannot map the loop onto GPU blocks and threads");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
