//===- CudaAttention.cpp - icl.attention as fused GPU kernels -------------===//
//
// The kernels are built as IR (AttentionKernels.cpp) for the element type and
// head dimension, one gpu.module per instance; their launch specs say how to
// launch them. Each attention op becomes one launch (prefill) or two (split-KV
// decode).
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/LinalgBuilder.h"
#include "passes/Passes.h"
#include "passes/cuda/AttentionKernels.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

namespace mlir::icl {
#define GEN_PASS_DEF_CUDAATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

struct CudaAttention : icl::impl::CudaAttentionBase<CudaAttention> {
  using CudaAttentionBase::CudaAttentionBase;

  /// The kernels of every (kind, element type, head dimension) built so far.
  llvm::StringMap<ir::KernelLaunchSpec> builtFlash;
  llvm::StringMap<ir::DecodeAttentionKernels> builtDecode;

  /// The kernels `build` makes for `Config(elt, d)`, built into a gpu.module
  /// of their own on first use and remembered in `built`.
  template <typename Kernels, typename Config>
  FailureOr<Kernels> buildOnce(ModuleOp module, llvm::StringMap<Kernels> &built, StringRef kind,
                               Type elt, int64_t d,
                               FailureOr<Kernels> (*build)(gpu::GPUModuleOp, const Config &)) {
    std::string instance = (kind + "_" + (elt.isBF16() ? "bf16" : "f16") + "_d" + Twine(d)).str();
    if (auto it = built.find(instance); it != built.end())
      return it->second;
    FailureOr<Kernels> result = build(ir::createKernelModule(module, instance), Config(elt, d));
    if (succeeded(result))
      built[instance] = *result;
    return result;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    builtFlash.clear();
    builtDecode.clear();
    SmallVector<ir::AttentionOp> ops;
    module.walk([&](ir::AttentionOp op) {
      if (supported(op))
        ops.push_back(op);
    });
    for (ir::AttentionOp op : ops)
      if (failed(lower(module, op)))
        return signalPassFailure();
  }

  /// bf16/f16 with D == Dv in {64, 128} and a known scale.
  static bool supported(ir::AttentionOp op) {
    auto q = cast<RankedTensorType>(op.getQuery().getType());
    auto k = cast<RankedTensorType>(op.getKey().getType());
    auto v = cast<RankedTensorType>(op.getValue().getType());
    Type elt = q.getElementType();
    if (!(elt.isBF16() || elt.isF16()) || k.getElementType() != elt ||
        v.getElementType() != elt)
      return false;
    int64_t d = q.getDimSize(3);
    if ((d != 64 && d != 128) || k.getDimSize(3) != d || v.getDimSize(3) != d)
      return false;
    if (ShapedType::isDynamic(q.getDimSize(1)) || ShapedType::isDynamic(k.getDimSize(1)))
      return false;
    // Empty shapes (no work, or no keys: zeros) and rank-0 masks are left
    // to the decomposition.
    for (Value operand : op->getOperands())
      if (llvm::is_contained(cast<RankedTensorType>(operand.getType()).getShape(), 0))
        return false;
    if (Value mask = op.getMask(); mask && cast<RankedTensorType>(mask.getType()).getRank() == 0)
      return false;
    // The kernels' running maxima assume a positive scale, finite in f32.
    std::optional<double> scale = ir::detail::softmaxScale(op);
    if (!scale)
      return false;
    float log2Scale = static_cast<float>(*scale * M_LOG2E);
    return log2Scale > 0 && std::isfinite(log2Scale);
  }

  LogicalResult lower(ModuleOp module, ir::AttentionOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto qType = cast<RankedTensorType>(op.getQuery().getType());
    Type elt = qType.getElementType();
    int64_t d = qType.getDimSize(3);
    int64_t hq = qType.getDimSize(1);
    int64_t hkv = cast<RankedTensorType>(op.getKey().getType()).getDimSize(1);
    int64_t group = hq / hkv;
    Type i32 = b.getI32Type(), i64 = b.getI64Type(), f32 = b.getF32Type();
    auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    auto int32 = [&](int64_t v) -> Value { return arith::ConstantIntOp::create(b, loc, i32, v); };
    auto int64 = [&](int64_t v) -> Value { return arith::ConstantIntOp::create(b, loc, i64, v); };
    auto toI32 = [&](Value v) -> Value { return arith::IndexCastOp::create(b, loc, i32, v); };
    auto dim = [&](Value t, int64_t i) -> Value {
      return getValueOrCreateConstantIndexOp(b, loc, tensor::getMixedSize(b, loc, t, i));
    };

    // A tensor as a flat 1-D buffer (the kernels index it themselves).
    auto flat = [&](Value tensor, Type eltType) -> Value {
      auto type = cast<RankedTensorType>(tensor.getType());
      if (type.getElementType() != eltType)
        tensor = arith::ExtFOp::create(b, loc, type.clone(eltType), tensor);
      return ir::flatTensorBuffer(b, loc, tensor);
    };
    // One never-read buffer stands in for an absent mask and key sizes.
    Value unused;
    auto dummy = [&]() -> Value {
      if (!unused)
        unused = memref::CastOp::create(b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
                                        memref::AllocOp::create(b, loc, MemRefType::get({1}, f32)));
      return unused;
    };

    // The kernels' arguments, by name.
    llvm::StringMap<Value> args;
    args["q"] = flat(op.getQuery(), elt);
    args["k"] = flat(op.getKey(), elt);
    args["v"] = flat(op.getValue(), elt);
    Value bSize = dim(op.getQuery(), 0), sq = dim(op.getQuery(), 2), skv = dim(op.getKey(), 2);

    // The additive mask, broadcast with element strides (0 on size-1 dims).
    args["has_mask"] = int32(0);
    SmallVector<Value> maskStrides(4, int64(0));
    if (Value m = op.getMask()) {
      auto mType = cast<RankedTensorType>(m.getType());
      unsigned offset = 4 - mType.getRank();
      Value stride = index(1);
      for (int64_t i = mType.getRank() - 1; i >= 0; --i) {
        Value size = dim(m, i);
        Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, index(1));
        Value s = arith::SelectOp::create(b, loc, isOne, index(0), stride);
        maskStrides[offset + i] = arith::IndexCastOp::create(b, loc, i64, s);
        stride = arith::MulIOp::create(b, loc, stride, size);
      }
      args["mask"] = flat(m, f32);
      args["has_mask"] = int32(1);
    } else {
      args["mask"] = dummy();
    }
    args["mask_sb"] = maskStrides[0];
    args["mask_sh"] = maskStrides[1];
    args["mask_si"] = maskStrides[2];
    args["mask_sj"] = maskStrides[3];
    args["has_key_sizes"] = int32(0);
    if (Value s = op.getKeySizes()) {
      args["key_sizes"] = flat(s, f32);
      args["has_key_sizes"] = int32(1);
    } else {
      args["key_sizes"] = dummy();
    }

    double scale = *ir::detail::softmaxScale(op);
    args["scale_log2"] = arith::ConstantFloatOp::create(
        b, loc, cast<FloatType>(f32), APFloat(static_cast<float>(scale * M_LOG2E)));
    int64_t kindCode = op.getMaskKind() == ir::MaskKind::none     ? 0
                       : op.getMaskKind() == ir::MaskKind::causal ? 1
                                                                  : 2;
    args["mask_kind"] = int32(kindCode);
    // Windows beyond 2^30 keys see every causal key (the kernels' bound).
    args["window"] = int32(
        op.getWindow() ? std::min<int64_t>(static_cast<int64_t>(*op.getWindow()), 1 << 30) : 0);
    args["hq"] = int32(hq);
    args["group"] = int32(group);
    args["sq"] = toI32(sq);
    args["skv"] = toI32(skv);

    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> resultSizes;
    for (int64_t i = 0; i < 4; ++i)
      if (resultType.isDynamicDim(i))
        resultSizes.push_back(dim(op.getQuery(), i));
    Value out = memref::AllocOp::create(b, loc, MemRefType::get(resultType.getShape(), elt),
                                        resultSizes);
    args["o"] = ir::flatBuffer(b, loc, out);
    auto ceilDiv = [&](Value a, int64_t c) -> Value {
      return arith::CeilDivUIOp::create(b, loc, a, index(c));
    };

    // Few query rows per key/value head and a static Sq: split-KV decode.
    int64_t sqStatic = qType.getDimSize(2);
    bool decode = !ShapedType::isDynamic(sqStatic) &&
                  group * sqStatic <= ir::DecodeAttentionConfig::maxRows;
    if (!decode) {
      FailureOr<ir::KernelLaunchSpec> kernel =
          buildOnce(module, builtFlash, "icl_flash_attention", elt, d, &ir::buildFlashAttention);
      if (failed(kernel) ||
          failed(launch(b, loc, *kernel, {ceilDiv(sq, kernel->rowsPerBlock), index(hq), bSize},
                        args)))
        return failure();
    } else {
      FailureOr<ir::DecodeAttentionKernels> kernels =
          buildOnce(module, builtDecode, "icl_decode_attention", elt, d, &ir::buildDecodeAttention);
      if (failed(kernels))
        return failure();
      // Splits (DecodeAttentionKernels): resident blocks on every
      // multiprocessor over all (batch, kv head) pairs, at least the minimum
      // chunk, whole key tiles.
      Value pairs = arith::MulIOp::create(b, loc, bSize, index(hkv));
      Value wanted = arith::MaxUIOp::create(
          b, loc, index(1),
          arith::DivUIOp::create(b, loc, index(kernels->residentBlocks * multiprocessors),
                                 pairs));
      Value chunk = arith::CeilDivUIOp::create(b, loc, skv, wanted);
      chunk = arith::MulIOp::create(b, loc, ceilDiv(chunk, kernels->keyTile),
                                    index(kernels->keyTile));
      chunk = arith::MaxUIOp::create(b, loc, chunk, index(kernels->minChunk));
      Value splits = arith::CeilDivUIOp::create(b, loc, skv, chunk);
      int64_t rows = group * sqStatic;
      auto partials = [&](int64_t perRow) -> Value {
        Value size = arith::MulIOp::create(b, loc, arith::MulIOp::create(b, loc, pairs, splits),
                                           index(rows * perRow));
        return memref::AllocOp::create(b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
                                       ValueRange{size});
      };
      args["o_part"] = partials(kernels->partialValuesPerRow);
      args["ml_part"] = partials(kernels->partialStatesPerRow);
      args["chunk"] = toI32(chunk);
      args["splits"] = toI32(splits);
      if (failed(launch(b, loc, kernels->partial, {splits, index(hkv), bSize}, args)) ||
          failed(launch(b, loc, kernels->combine,
                        {index(llvm::divideCeil(hq * sqStatic, kernels->combine.rowsPerBlock)),
                         bSize, index(1)},
                        args)))
        return failure();
    }
    Value result = bufferization::ToTensorOp::create(b, loc, resultType, out, /*restrict=*/true,
                                                     /*writable=*/true);
    op.replaceAllUsesWith(result);
    op.erase();
    return success();
  }

  static LogicalResult launch(OpBuilder &b, Location loc, const ir::KernelLaunchSpec &spec,
                              gpu::KernelDim3 grid, const llvm::StringMap<Value> &args) {
    return ir::launchKernel(b, loc, "icl-cuda-attention", spec, grid, args);
  }
};

} // namespace
