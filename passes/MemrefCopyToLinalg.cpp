//===- MemrefCopyToLinalg.cpp - memref.copy -> linalg.copy ----------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::icl {
#define GEN_PASS_DEF_MEMREFCOPYTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {
struct MemrefCopyToLinalgPass
    : public mlir::icl::impl::MemrefCopyToLinalgBase<MemrefCopyToLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    });
  }
};
} // namespace
