//===- CudaScans.cpp - Selective scans as one GPU kernel launch -----------===//
//
// Each icl.selective_scan of static shapes becomes one launch of
// @icl_selective_scan (ScanKernels.cpp), built once per configuration into a
// gpu.module of its own, in place of the decomposition's host loop of a few
// launches per time step.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/cuda/ScanKernels.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <limits>

namespace mlir::icl {
#define GEN_PASS_DEF_CUDASCANS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct CudaScans : ir::impl::CudaScansBase<CudaScans> {
  using CudaScansBase::CudaScansBase;

  /// The kernels built so far, by instance name.
  llvm::StringMap<ir::KernelLaunchSpec> built;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    built.clear();
    SmallVector<std::pair<ir::SelectiveScanOp, ir::SelectiveScanConfig>> ops;
    module.walk([&](ir::SelectiveScanOp op) {
      if (std::optional<ir::SelectiveScanConfig> config = configOf(op))
        ops.push_back({op, *config});
    });
    for (auto &[op, config] : ops)
      if (failed(lower(module, op, config)))
        return signalPassFailure();
  }

  /// The kernel's configuration for `op`, if the kernel takes it: static
  /// shapes of one element type (f32, bf16, f16), a state of at most 64.
  static std::optional<ir::SelectiveScanConfig> configOf(ir::SelectiveScanOp op) {
    for (Type t : op->getOperandTypes())
      if (!cast<RankedTensorType>(t).hasStaticShape())
        return std::nullopt;
    auto u = cast<RankedTensorType>(op.getU().getType());
    auto Bm = cast<RankedTensorType>(op.getB().getType());
    Type elt = u.getElementType();
    if (!(elt.isF32() || elt.isBF16() || elt.isF16()) ||
        llvm::any_of(op->getOperandTypes(),
                     [&](Type t) { return cast<RankedTensorType>(t).getElementType() != elt; }))
      return std::nullopt;
    ir::SelectiveScanConfig c;
    c.element = elt;
    c.batch = u.getDimSize(0);
    c.channels = u.getDimSize(1);
    c.length = u.getDimSize(2);
    c.groups = Bm.getDimSize(1);
    c.state = Bm.getDimSize(2);
    c.hasD = bool(op.getD());
    c.hasZ = bool(op.getZ());
    c.hasDeltaBias = bool(op.getDeltaBias());
    c.softplus = op.getDeltaSoftplus();
    c.hasInitialState = bool(op.getInitialState());
    c.hasFinalState = op.getReturnFinalState();
    if (c.batch < 1 || c.channels < 1 || c.length < 1 || c.state < 1 ||
        c.state > ir::SelectiveScanConfig::maxState ||
        c.batch * c.channels * c.length > std::numeric_limits<int32_t>::max())
      return std::nullopt;
    c.threads = ir::SelectiveScanConfig::threadsFor(c.channels / c.groups);
    return c;
  }

  LogicalResult lower(ModuleOp module, ir::SelectiveScanOp op, const ir::SelectiveScanConfig &c) {
    std::string instance;
    llvm::raw_string_ostream(instance)
        << "icl_selective_scan_" << c.element << "_b" << c.batch << "_d" << c.channels << "_n"
        << c.state << "_l" << c.length << "_g" << c.groups << (c.hasD ? "_D" : "")
        << (c.hasZ ? "_z" : "") << (c.hasDeltaBias ? "_bias" : "")
        << (c.softplus ? "_softplus" : "") << (c.hasInitialState ? "_h0" : "")
        << (c.hasFinalState ? "_hT" : "");
    auto it = built.find(instance);
    if (it == built.end()) {
      FailureOr<ir::KernelLaunchSpec> spec =
          ir::buildSelectiveScan(ir::createKernelModule(module, instance), c);
      if (failed(spec))
        return failure();
      it = built.insert({instance, *spec}).first;
    }
    const ir::KernelLaunchSpec &spec = it->second;

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto buffer = [&](Value tensor) { return ir::flatTensorBuffer(b, loc, tensor); };
    llvm::StringMap<Value> args;
    args["u"] = buffer(op.getU());
    args["delta"] = buffer(op.getDelta());
    args["A"] = buffer(op.getA());
    args["B"] = buffer(op.getB());
    args["C"] = buffer(op.getC());
    if (Value v = op.getD())
      args["D"] = buffer(v);
    if (Value v = op.getZ())
      args["z"] = buffer(v);
    if (Value v = op.getDeltaBias())
      args["delta_bias"] = buffer(v);
    if (Value v = op.getInitialState())
      args["initial_state"] = buffer(v);
    SmallVector<Value> results;
    auto output = [&](Value result, StringRef name) {
      auto type = cast<RankedTensorType>(result.getType());
      Value memory = memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), c.element));
      args[name] = ir::flatBuffer(b, loc, memory);
      results.push_back(memory);
    };
    output(op.getResult(), "out");
    if (Value last = op.getFinalState())
      output(last, "final_state");
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    int64_t blocks = llvm::divideCeil(c.batch * c.channels, spec.threads);
    if (failed(ir::launchKernel(b, loc, "icl-cuda-scans", spec,
                                {arith::ConstantIndexOp::create(b, loc, blocks), one, one}, args)))
      return failure();
    for (auto [result, memory] : llvm::zip(op->getResults(), results)) {
      Value tensor = bufferization::ToTensorOp::create(b, loc, result.getType(), memory,
                                                       /*restrict=*/true, /*writable=*/true);
      result.replaceAllUsesWith(tensor);
    }
    op.erase();
    return success();
  }
};

} // namespace
