//===- CudaRows.cpp - Norms as GPU row kernels ----------------------------===//
//
// Each icl.rms_norm, icl.layer_norm and last-axis icl.softmax of a static
// shape becomes one launch of @icl_row_norm or @icl_row_softmax
// (RowKernels.cpp), built once per (form, element type, width, γ/β) into a
// gpu.module of its own; the launch reads its block size
// and argument order from the kernel's launch spec.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/cuda/RowKernels.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <limits>

namespace mlir::icl {
#define GEN_PASS_DEF_CUDAROWS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct CudaRows : ir::impl::CudaRowsBase<CudaRows> {
  using CudaRowsBase::CudaRowsBase;

  /// The kernels built so far, by instance name.
  llvm::StringMap<ir::KernelLaunchSpec> built;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    built.clear();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (kindOf(op) && supported(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult lowered = failure();
      if (auto rms = dyn_cast<ir::RmsNormOp>(op))
        lowered = lower(module, op, ir::RowKind::RmsNorm, rms.getInput(), rms.getGamma(), nullptr,
                        rms.getEps().convertToDouble());
      else if (auto layer = dyn_cast<ir::LayerNormOp>(op))
        lowered = lower(module, op, ir::RowKind::LayerNorm, layer.getInput(), layer.getGamma(),
                        layer.getBeta(), layer.getEps().convertToDouble());
      else if (auto softmax = dyn_cast<ir::SoftmaxOp>(op))
        lowered = lower(module, op, ir::RowKind::Softmax, softmax.getInput(), nullptr, nullptr, 0);
      if (failed(lowered))
        return signalPassFailure();
    }
  }

  /// The row kernel of `op`, if it has one: norms, and softmax along the
  /// last axis.
  static std::optional<ir::RowKind> kindOf(Operation *op) {
    if (isa<ir::RmsNormOp>(op))
      return ir::RowKind::RmsNorm;
    if (isa<ir::LayerNormOp>(op))
      return ir::RowKind::LayerNorm;
    if (auto softmax = dyn_cast<ir::SoftmaxOp>(op)) {
      int64_t rank = softmax.getType().getRank(), axis = softmax.getAxis();
      if (axis == -1 || axis == rank - 1)
        return ir::RowKind::Softmax;
    }
    return std::nullopt;
  }

  /// A static shape with rows, in a type the kernel takes, whose rows its
  /// threads can keep in registers.
  static bool supported(Operation *op) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Type elt = type.getElementType();
    if (!type.hasStaticShape() || type.getRank() < 1 || type.getNumElements() == 0 ||
        !(elt.isF32() || elt.isBF16() || elt.isF16()))
      return false;
    // One block per row: at most 2^31 − 1 rows (the grid's x limit).
    if (type.getNumElements() / type.getShape().back() > std::numeric_limits<int32_t>::max())
      return false;
    ir::RowNormConfig config(elt, type.getShape().back(), *kindOf(op));
    return config.accessesPerThread() * config.vectorWidth <=
           ir::RowNormConfig::maxValuesPerThread;
  }

  LogicalResult lower(ModuleOp module, Operation *op, ir::RowKind kind, Value input, Value gamma,
                      Value beta, double eps) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Type elt = type.getElementType();
    int64_t width = type.getShape().back();
    ir::RowNormConfig config(elt, width, kind, bool(gamma), bool(beta));
    StringRef form = kind == ir::RowKind::RmsNorm     ? "icl_rms_norm_"
                     : kind == ir::RowKind::LayerNorm ? "icl_layer_norm_"
                                                      : "icl_softmax_";
    std::string instance;
    llvm::raw_string_ostream(instance) << form << elt
                                       << "_w" << width << (gamma ? "_g" : "")
                                       << (beta ? "_b" : "");
    auto it = built.find(instance);
    if (it == built.end()) {
      FailureOr<ir::KernelLaunchSpec> spec =
          ir::buildRowNorm(ir::createKernelModule(module, instance), config);
      if (failed(spec))
        return failure();
      it = built.insert({instance, *spec}).first;
    }
    const ir::KernelLaunchSpec &spec = it->second;

    OpBuilder b(op);
    Location loc = op->getLoc();
    auto buffer = [&](Value tensor) { return ir::flatTensorBuffer(b, loc, tensor); };
    llvm::StringMap<Value> args;
    args["x"] = buffer(input);
    if (gamma)
      args["gamma"] = buffer(gamma);
    if (beta)
      args["beta"] = buffer(beta);
    Value out = memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), elt));
    args["out"] = ir::flatBuffer(b, loc, out);
    if (kind != ir::RowKind::Softmax)
      args["eps"] = arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                                   APFloat(static_cast<float>(eps)));
    int64_t rows = type.getNumElements() / width;
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    if (failed(ir::launchKernel(b, loc, "icl-cuda-rows", spec,
                                {arith::ConstantIndexOp::create(b, loc, rows), one, one}, args)))
      return failure();
    Value result = bufferization::ToTensorOp::create(b, loc, type, out, /*restrict=*/true,
                                                     /*writable=*/true);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    return success();
  }
};

} // namespace
