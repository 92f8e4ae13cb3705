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
    SmallVector<RowOp> ops;
    module.walk([&](Operation *op) {
      if (std::optional<RowOp> row = rowOpOf(op); row && supported(*row))
        ops.push_back(*row);
    });
    for (const RowOp &row : ops)
      if (failed(lower(module, row.op, row.kind, row.input, row.gamma, row.beta, row.eps)))
        return signalPassFailure();
  }

  /// An op a row kernel computes, and what the kernel reads of it.
  struct RowOp {
    Operation *op;
    ir::RowKind kind;
    Value input, gamma, beta;
    double eps;
  };

  /// `op` as a row kernel's work, if it has one: norms, and softmax along
  /// the last axis.
  static std::optional<RowOp> rowOpOf(Operation *op) {
    if (auto rms = dyn_cast<ir::RmsNormOp>(op))
      return RowOp{op, ir::RowKind::RmsNorm, rms.getInput(), rms.getGamma(), nullptr,
                   rms.getEps().convertToDouble()};
    if (auto layer = dyn_cast<ir::LayerNormOp>(op))
      return RowOp{op, ir::RowKind::LayerNorm, layer.getInput(), layer.getGamma(),
                   layer.getBeta(), layer.getEps().convertToDouble()};
    if (auto softmax = dyn_cast<ir::SoftmaxOp>(op)) {
      int64_t rank = softmax.getType().getRank(), axis = softmax.getAxis();
      if (axis == -1 || axis == rank - 1)
        return RowOp{op, ir::RowKind::Softmax, softmax.getInput(), nullptr, nullptr, 0};
    }
    return std::nullopt;
  }

  /// A static shape with rows, in a type the kernel takes, whose rows its
  /// threads can keep in registers.
  static bool supported(const RowOp &row) {
    auto type = cast<RankedTensorType>(row.op->getResult(0).getType());
    Type elt = type.getElementType();
    if (!type.hasStaticShape() || type.getRank() < 1 || type.getNumElements() == 0 ||
        !(elt.isF32() || elt.isBF16() || elt.isF16()))
      return false;
    // One block per row: at most 2^31 − 1 rows (the grid's x limit).
    if (type.getNumElements() / type.getShape().back() > std::numeric_limits<int32_t>::max())
      return false;
    ir::RowNormConfig config(elt, type.getShape().back(), row.kind);
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
