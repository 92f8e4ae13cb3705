//===- CudaLinear.cpp - icl.linear as tensor-core GEMM kernels ------------===//
//
// Each bf16/f16/f32 icl.linear of a static shape becomes one launch of @icl_gemm
// (GemmKernels.cpp), with its single consumers folded into the epilogue: an
// icl.activation, then an arith.addf of a tensor of the result's type (the
// residual). One kernel is built per (element type, tile, epilogue) into a
// gpu.module of its own; the launch reads its block size, shared memory and
// argument order from the kernel's launch spec.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "passes/cuda/GemmKernels.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <limits>

namespace mlir::icl {
#define GEN_PASS_DEF_CUDALINEAR
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

/// The ops one kernel computes: the linear, then what its epilogue takes.
struct GemmChain {
  ir::LinearOp linear;
  ir::ActivationOp activation;
  arith::AddFOp add;
  /// The operand of `add` that is not the chain's value.
  Value residual;

  /// The last op of the chain, whose result the kernel's output replaces.
  Operation *last() const {
    if (add)
      return add;
    if (activation)
      return activation;
    return linear;
  }
};

/// The single user of `value`, if it is an `OpTy`.
template <typename OpTy>
OpTy soleUser(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  return dyn_cast<OpTy>(*value.getUsers().begin());
}

struct CudaLinear : ir::impl::CudaLinearBase<CudaLinear> {
  using CudaLinearBase::CudaLinearBase;

  /// The kernels built so far, by instance name.
  llvm::StringMap<ir::KernelLaunchSpec> built;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    built.clear();
    if (!ir::isF32GemmMode(f32)) {
      module.emitError() << "icl-cuda-linear: f32=" << f32
                         << " must be tf32x3, tf32 or off";
      return signalPassFailure();
    }
    SmallVector<int64_t> forced;
    if (!tile.empty()) {
      auto fields = ir::parseGemmTile(tile);
      if (!fields) {
        module.emitError() << "icl-cuda-linear: " << llvm::toString(fields.takeError());
        return signalPassFailure();
      }
      forced = *fields;
    }
    SmallVector<ir::LinearOp> linears;
    module.walk([&](ir::LinearOp op) {
      if (supported(op))
        linears.push_back(op);
    });
    // A chain is taken when its linear is lowered: an earlier chain may have
    // replaced the values it reads (its residual, say).
    for (ir::LinearOp linear : linears)
      if (failed(lower(module, chainOf(linear), forced)))
        return signalPassFailure();
  }

  /// Static bf16/f16 (or f32, unless f32=off) operands of one type, rows
  /// of K a multiple of 16 bytes, sizes within the kernel's i32 indices and
  /// grid.
  bool supported(ir::LinearOp op) const {
    auto x = cast<RankedTensorType>(op.getInput().getType());
    auto w = cast<RankedTensorType>(op.getWeight().getType());
    auto out = cast<RankedTensorType>(op.getType());
    Type elt = out.getElementType();
    if (!(elt.isBF16() || elt.isF16() || (elt.isF32() && f32 != "off")) ||
        x.getElementType() != elt || w.getElementType() != elt || !x.hasStaticShape() ||
        !w.hasStaticShape() || !out.hasStaticShape() || out.getNumElements() == 0)
      return false;
    if (Value bias = op.getBias()) {
      auto type = cast<RankedTensorType>(bias.getType());
      if (type.getElementType() != elt || !type.hasStaticShape())
        return false;
    }
    int64_t k = w.getShape()[1], n = w.getShape()[0], m = out.getNumElements() / n;
    int64_t limit = std::numeric_limits<int32_t>::max();
    return k % (16 / (elt.getIntOrFloatBitWidth() / 8)) == 0 && m <= limit && n <= limit &&
           k <= limit && x.getNumElements() <= limit && w.getNumElements() <= limit &&
           out.getNumElements() <= limit && llvm::divideCeil(m, 16) <= 65535;
  }

  static GemmChain chainOf(ir::LinearOp linear) {
    GemmChain chain{linear, nullptr, nullptr, nullptr};
    Value value = linear.getResult();
    if (auto activation = soleUser<ir::ActivationOp>(value)) {
      chain.activation = activation;
      value = activation.getResult();
    }
    if (auto add = soleUser<arith::AddFOp>(value)) {
      Value other = add.getLhs() == value ? add.getRhs() : add.getLhs();
      if (other != value && other.getType() == value.getType() &&
          add.getType() == value.getType()) {
        chain.add = add;
        chain.residual = other;
      }
    }
    return chain;
  }

  LogicalResult lower(ModuleOp module, const GemmChain &chain, ArrayRef<int64_t> forced) {
    ir::LinearOp linear = chain.linear;
    auto out = cast<RankedTensorType>(linear.getType());
    auto w = cast<RankedTensorType>(linear.getWeight().getType());
    Type elt = out.getElementType();
    int64_t n = w.getShape()[0], k = w.getShape()[1], m = out.getNumElements() / n;
    ir::GemmConfig config(elt, m, n, k, multiprocessors);
    config.f32 = f32 == "tf32" ? ir::F32Gemm::Tf32 : ir::F32Gemm::Tf32x3;
    if (!forced.empty()) {
      config.blockM = forced[0];
      config.blockN = forced[1];
      config.blockK = forced[2];
      config.stages = forced[3];
      if (forced.size() == 6) {
        config.warpsM = forced[4];
        config.warpsN = forced[5];
      }
    }
    config.hasBias = bool(linear.getBias());
    if (ir::ActivationOp activation = chain.activation)
      config.activation = activation.getKind();
    config.hasResidual = bool(chain.add);
    if (llvm::divideCeil(m, config.blockM) > 65535)
      return linear.emitError() << "icl-cuda-linear: " << m << " rows need more than 65535 "
                                << "blocks of " << config.blockM << " (the grid's y limit)";

    std::string instance;
    llvm::raw_string_ostream os(instance);
    os << "icl_gemm_" << elt << "_" << config.blockM << "x" << config.blockN << "x"
       << config.blockK << "x" << config.stages << "_w" << config.warpsM << "x" << config.warpsN
       << (config.hasBias ? "_bias" : "") << (config.evenN ? "" : "_odd");
    if (elt.isF32())
      os << (config.f32 == ir::F32Gemm::Tf32 ? "_tf32" : "_tf32x3");
    if (config.activation != ir::Activation::none)
      os << "_" << ir::stringifyActivation(config.activation);
    if (config.hasResidual)
      os << "_residual";
    auto it = built.find(instance);
    if (it == built.end()) {
      FailureOr<ir::KernelLaunchSpec> spec =
          ir::buildGemm(ir::createKernelModule(module, instance), config);
      if (failed(spec))
        return failure();
      it = built.insert({instance, *spec}).first;
    }
    const ir::KernelLaunchSpec &spec = it->second;

    Operation *last = chain.last();
    OpBuilder b(last);
    Location loc = linear.getLoc();
    auto buffer = [&](Value tensor) { return ir::flatTensorBuffer(b, loc, tensor); };
    llvm::StringMap<Value> args;
    args["x"] = buffer(linear.getInput());
    args["w"] = buffer(linear.getWeight());
    if (Value bias = linear.getBias())
      args["bias"] = buffer(bias);
    if (chain.add)
      args["residual"] = buffer(chain.residual);
    Value result = memref::AllocOp::create(b, loc, MemRefType::get(out.getShape(), elt));
    args["out"] = ir::flatBuffer(b, loc, result);
    auto i32 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); };
    args["m"] = i32(m);
    args["n"] = i32(n);
    args["k"] = i32(k);
    auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    if (failed(ir::launchKernel(
            b, loc, "icl-cuda-linear", spec,
            {index(llvm::divideCeil(n, config.blockN)), index(llvm::divideCeil(m, config.blockM)),
             index(1)},
            args)))
      return failure();
    Value tensor = bufferization::ToTensorOp::create(b, loc, out, result, /*restrict=*/true,
                                                     /*writable=*/true);
    last->getResult(0).replaceAllUsesWith(tensor);
    if (chain.add)
      chain.add->erase();
    if (chain.activation)
      chain.activation->erase();
    linear->erase();
    return success();
  }
};

} // namespace
