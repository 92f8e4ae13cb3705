//===- GpuPrepareKernels.cpp - Libdevice-free math in kernels -------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"


namespace mlir::icl {
#define GEN_PASS_DEF_GPUPREPAREKERNELS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// A float op as a call of the LLVM intrinsic NVPTX lowers natively
/// (`llvm.call_intrinsic` is left alone by convert-gpu-to-nvvm, which would
/// otherwise call libdevice for math ops and for arith.maxnumf & co).
template <typename FloatOp>
struct ToIntrinsic : OpRewritePattern<FloatOp> {
  ToIntrinsic(MLIRContext *ctx, StringRef intrinsic)
      : OpRewritePattern<FloatOp>(ctx), intrinsic(intrinsic.str()) {}
  LogicalResult matchAndRewrite(FloatOp op, PatternRewriter &rewriter) const override {
    Type type = op->getResult(0).getType();
    auto vector = dyn_cast<VectorType>(type);
    if (vector && vector.getRank() != 1)
      return failure();
    auto elt = dyn_cast<FloatType>(getElementTypeOrSelf(type));
    if (!elt)
      return failure();
    // Half-precision values are computed in f32.
    bool narrow = elt.getWidth() < 32;
    Type wideElt = narrow ? rewriter.getF32Type() : elt;
    Type wide = vector ? VectorType::get(vector.getShape(), wideElt) : wideElt;
    SmallVector<Value> operands;
    for (Value v : op->getOperands())
      operands.push_back(narrow ? arith::ExtFOp::create(rewriter, op.getLoc(), wide, v) : v);
    // Overloaded intrinsics are mangled by type: llvm.fma.f32, llvm.fma.v4f32.
    std::string suffix = wideElt.isF64() ? "f64" : "f32";
    if (vector)
      suffix = "v" + std::to_string(vector.getNumElements()) + suffix;
    Value result = LLVM::CallIntrinsicOp::create(rewriter, op.getLoc(), wide,
                                                 rewriter.getStringAttr(intrinsic + "." + suffix),
                                                 operands)
                       .getResult(0);
    if (narrow)
      result = arith::TruncFOp::create(rewriter, op.getLoc(), type, result);
    rewriter.replaceOp(op, result);
    return success();
  }
  std::string intrinsic;
};

struct GpuPrepareKernels : icl::impl::GpuPrepareKernelsBase<GpuPrepareKernels> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto approximated = [](StringRef name) {
      return llvm::is_contained({"math.exp", "math.expm1", "math.log", "math.log1p", "math.log2",
                                 "math.erf", "math.erfc", "math.tanh", "math.sin", "math.cos",
                                 "math.atan", "math.atan2", "math.cbrt", "math.asin",
                                 "math.acos"},
                                name);
    };
    // Expansions first (tan -> sin/cos, powf -> exp/log, rsqrt -> 1/sqrt,
    // ...), then approximations of what they produce.
    {
      RewritePatternSet patterns(ctx);
      populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
      math::populateExpansionPatterns(
          patterns, {"tan", "sinh", "cosh", "asinh", "acosh", "atanh", "fpowi", "powf", "exp2",
                     "rsqrt", "ctlz", "roundeven"});
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    patterns.add<ToIntrinsic<math::SqrtOp>>(ctx, "llvm.sqrt");
    patterns.add<ToIntrinsic<math::AbsFOp>>(ctx, "llvm.fabs");
    patterns.add<ToIntrinsic<math::FloorOp>>(ctx, "llvm.floor");
    patterns.add<ToIntrinsic<math::CeilOp>>(ctx, "llvm.ceil");
    patterns.add<ToIntrinsic<math::TruncOp>>(ctx, "llvm.trunc");
    patterns.add<ToIntrinsic<math::RoundOp>>(ctx, "llvm.round");
    patterns.add<ToIntrinsic<math::FmaOp>>(ctx, "llvm.fma");
    patterns.add<ToIntrinsic<math::CopySignOp>>(ctx, "llvm.copysign");
    patterns.add<ToIntrinsic<arith::MaxNumFOp>>(ctx, "llvm.maxnum");
    patterns.add<ToIntrinsic<arith::MinNumFOp>>(ctx, "llvm.minnum");
    patterns.add<ToIntrinsic<arith::MaximumFOp>>(ctx, "llvm.maximum");
    patterns.add<ToIntrinsic<arith::MinimumFOp>>(ctx, "llvm.minimum");
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // What is left would call libdevice, which compiled kernels do not link.
    WalkResult left = getOperation().walk([](Operation *op) {
      if (!isa<math::MathDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "'" << op->getName() << "' on "
                      << getElementTypeOrSelf(op->getResult(0).getType())
                      << " has no lowering for the GPU target without libdevice (f64 "
                         "transcendentals are not supported there; compute in f32, or compile "
                         "with --target=x86)";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
  }
};

} // namespace
