//===- CudaAttention.cpp - icl.attention as fused GPU kernels -------------===//
//
// The kernels are MLIR templates (passes/cuda/*.mlir, embedded at build
// time): @NAME@ tokens are replaced for the element type and head dimension,
// the text is parsed, and its gpu.module joins the compiled module. Each
// attention op becomes one launch (prefill) or two (split-KV decode).
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/LinalgBuilder.h"
#include "passes/Passes.h"

#include "dialects/icl/IR/IclOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

namespace mlir::icl {
#define GEN_PASS_DEF_CUDAATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
namespace ir = mlir::icl;

namespace {

const char *const kFlashTemplate =
#include "passes/FlashAttention.inc"
    ;
const char *const kDecodeTemplate =
#include "passes/DecodeAttention.inc"
    ;

/// Launch parameters of the kernels, as their templates document them.
struct FlashShape {
  int64_t rows = 128;    // query rows per block (4 warps of 32)
  int64_t threads = 128; // threads per block
  static int64_t sharedBytes(int64_t d, int64_t eltBytes);
};

int64_t FlashShape::sharedBytes(int64_t d, int64_t eltBytes) {
  // The Q tile plus double-buffered K and V tiles of 64 keys, rows padded
  // by 8 elements.
  return (128 + 2 * 2 * 64) * (d + 8) * eltBytes;
}

/// Decode: at most this many query rows (group · Sq) per key/value head.
constexpr int64_t kDecodeRows = 16;
constexpr int64_t kDecodeThreads = 128;
constexpr int64_t kDecodeKeyTile = 64;
constexpr int64_t kDecodeMinChunk = 512;
constexpr int64_t kDecodeCombineThreads = 256;

/// `text` with every @NAME@ of `values` replaced.
std::string instantiate(StringRef text, ArrayRef<std::pair<StringRef, std::string>> values) {
  std::string out = text.str();
  for (auto &[name, value] : values) {
    std::string token = ("@" + name + "@").str();
    for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at))
      out.replace(at, token.size(), value), at += value.size();
  }
  return out;
}

struct CudaAttention : icl::impl::CudaAttentionBase<CudaAttention> {
  using CudaAttentionBase::CudaAttentionBase;

  /// The gpu.module of a template instance, parsed and added on first use.
  FailureOr<gpu::GPUModuleOp> kernels(ModuleOp module, Location loc, StringRef kind,
                                      StringRef text, Type elt, int64_t d) {
    std::string eltName = elt.isBF16() ? "bf16" : "f16";
    std::string base = (kind + "_" + eltName + "_d" + Twine(d)).str();
    for (auto existing : module.getOps<gpu::GPUModuleOp>())
      if (auto tag = existing->getAttrOfType<StringAttr>("icl.kernel_template");
          tag && tag.getValue() == base)
        return existing;
    // A symbol of the user's with that name: pick another.
    std::string name = base;
    for (int i = 1; module.lookupSymbol(name); ++i)
      name = base + "_" + std::to_string(i);
    // FRAG: how nvvm.mma.sync takes a pair of elements.
    std::string source = instantiate(text, {{"ELT", eltName},
                                            {"FRAG", elt.isBF16() ? "i32" : "vector<2xf16>"},
                                            {"D", std::to_string(d)}});
    ParserConfig config(module.getContext());
    OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(source, config, name);
    if (!parsed) {
      emitError(loc) << "icl's " << kind << " kernel template does not parse for " << eltName
                         << ", D=" << d << " (a compiler bug)";
      return failure();
    }
    auto ops = parsed->getOps<gpu::GPUModuleOp>();
    if (ops.empty()) {
      emitError(loc) << "icl's " << kind << " kernel template has no gpu.module";
      return failure();
    }
    gpu::GPUModuleOp instance = *ops.begin();
    instance->remove();
    instance.setName(name);
    instance->setAttr("icl.kernel_template", StringAttr::get(&getContext(), base));
    module.push_back(instance);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), UnitAttr::get(&getContext()));
    return instance;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
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
      if (type.getElementType() != eltType) {
        auto wider = type.clone(eltType);
        tensor = arith::ExtFOp::create(b, loc, wider, tensor);
        type = wider;
      }
      auto memrefType = MemRefType::get(type.getShape(), eltType);
      Value buffer = bufferization::ToBufferOp::create(b, loc, memrefType, tensor, /*readOnly=*/true);
      return toFlat(b, loc, buffer);
    };
    // One never-read buffer stands in for an absent mask and key sizes.
    Value unused;
    auto dummy = [&]() -> Value {
      if (!unused)
        unused = memref::CastOp::create(b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
                                        memref::AllocOp::create(b, loc, MemRefType::get({1}, f32)));
      return unused;
    };

    Value qb = flat(op.getQuery(), elt), kb = flat(op.getKey(), elt), vb = flat(op.getValue(), elt);
    Value bSize = dim(op.getQuery(), 0), sq = dim(op.getQuery(), 2), skv = dim(op.getKey(), 2);

    // The additive mask, broadcast with element strides (0 on size-1 dims).
    Value mask, hasMask = int32(0);
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
      mask = flat(m, f32);
      hasMask = int32(1);
    } else {
      mask = dummy();
    }
    Value sizes, hasSizes = int32(0);
    if (Value s = op.getKeySizes()) {
      sizes = flat(s, f32);
      hasSizes = int32(1);
    } else {
      sizes = dummy();
    }

    double scale = *ir::detail::softmaxScale(op);
    Value scaleLog2 = arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32),
                                                     APFloat(static_cast<float>(scale * M_LOG2E)));
    int64_t kindCode = op.getMaskKind() == ir::MaskKind::none     ? 0
                       : op.getMaskKind() == ir::MaskKind::causal ? 1
                                                                  : 2;
    Value kind = int32(kindCode);
    // Windows beyond 2^30 keys see every causal key (the kernels' bound).
    Value window = int32(
        op.getWindow() ? std::min<int64_t>(static_cast<int64_t>(*op.getWindow()), 1 << 30) : 0);

    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> resultSizes;
    for (int64_t i = 0; i < 4; ++i)
      if (resultType.isDynamicDim(i))
        resultSizes.push_back(dim(op.getQuery(), i));
    Value out = memref::AllocOp::create(b, loc, MemRefType::get(resultType.getShape(), elt),
                                        resultSizes);
    Value ob = toFlat(b, loc, out);
    auto ceilDiv = [&](Value a, int64_t c) -> Value {
      return arith::CeilDivUIOp::create(b, loc, a, index(c));
    };

    // Few query rows per key/value head and a static Sq: split-KV decode.
    int64_t sqStatic = qType.getDimSize(2);
    bool decode = !ShapedType::isDynamic(sqStatic) && group * sqStatic <= kDecodeRows;
    if (!decode) {
      FailureOr<gpu::GPUModuleOp> m = kernels(module, loc, "icl_flash_attention", kFlashTemplate, elt, d);
      if (failed(m))
        return failure();
      auto kernel = (*m).lookupSymbol<gpu::GPUFuncOp>("icl_flash_attention");
      if (!kernel)
        return op.emitError("icl's flash attention template lacks @icl_flash_attention");
      FlashShape shape;
      gpu::KernelDim3 grid{ceilDiv(sq, shape.rows), index(hq), bSize};
      gpu::KernelDim3 block{index(shape.threads), index(1), index(1)};
      Value smem = int32(FlashShape::sharedBytes(d, elt.getIntOrFloatBitWidth() / 8));
      gpu::LaunchFuncOp::create(b, loc, kernel, grid, block, smem,
                                ValueRange{qb, kb, vb, ob, mask, sizes, int32(hq), int32(group),
                                           toI32(sq), toI32(skv), scaleLog2, kind, window, hasMask,
                                           maskStrides[0], maskStrides[1], maskStrides[2],
                                           maskStrides[3], hasSizes});
    } else {
      FailureOr<gpu::GPUModuleOp> m =
          kernels(module, loc, "icl_decode_attention", kDecodeTemplate, elt, d);
      if (failed(m))
        return failure();
      auto partial = (*m).lookupSymbol<gpu::GPUFuncOp>("icl_decode_partial");
      auto combine = (*m).lookupSymbol<gpu::GPUFuncOp>("icl_decode_combine");
      if (!partial || !combine)
        return op.emitError("icl's decode attention template lacks its kernels");
      // Splits (the template's rule): two resident blocks per multiprocessor
      // over all (batch, kv head) pairs, at least 512 keys, whole key tiles.
      Value pairs = arith::MulIOp::create(b, loc, bSize, index(hkv));
      Value wanted = arith::MaxUIOp::create(
          b, loc, index(1), arith::DivUIOp::create(b, loc, index(2 * multiprocessors), pairs));
      Value chunk = arith::CeilDivUIOp::create(b, loc, skv, wanted);
      chunk = arith::MulIOp::create(b, loc, ceilDiv(chunk, kDecodeKeyTile), index(kDecodeKeyTile));
      chunk = arith::MaxUIOp::create(b, loc, chunk, index(kDecodeMinChunk));
      Value splits = arith::CeilDivUIOp::create(b, loc, skv, chunk);
      int64_t rows = group * sqStatic;
      Value partsO = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
          ValueRange{arith::MulIOp::create(b, loc, arith::MulIOp::create(b, loc, pairs, splits),
                                           index(rows * d))});
      Value partsML = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, f32),
          ValueRange{arith::MulIOp::create(b, loc, arith::MulIOp::create(b, loc, pairs, splits),
                                           index(rows * 2))});
      gpu::KernelDim3 grid{splits, index(hkv), bSize};
      gpu::KernelDim3 block{index(kDecodeThreads), index(1), index(1)};
      gpu::LaunchFuncOp::create(b, loc, partial, grid, block, int32(0),
                                ValueRange{qb, kb, vb, partsO, partsML, mask, sizes, int32(hq),
                                           int32(group), toI32(sq), toI32(skv), scaleLog2, kind,
                                           window, hasMask, maskStrides[0], maskStrides[1],
                                           maskStrides[2], maskStrides[3], hasSizes,
                                           toI32(chunk), toI32(splits)});
      gpu::KernelDim3 combineGrid{index(hq * sqStatic), bSize, index(1)};
      gpu::KernelDim3 combineBlock{index(kDecodeCombineThreads), index(1), index(1)};
      gpu::LaunchFuncOp::create(b, loc, combine, combineGrid, combineBlock, int32(0),
                                ValueRange{partsO, partsML, ob, int32(hq), int32(group),
                                           toI32(sq), toI32(splits)});
    }
    Value result = bufferization::ToTensorOp::create(b, loc, resultType, out, /*restrict=*/true,
                                                     /*writable=*/true);
    op.replaceAllUsesWith(result);
    op.erase();
    return success();
  }

  /// A contiguous buffer as memref<?xT>.
  static Value toFlat(OpBuilder &b, Location loc, Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      all[0].push_back(i);
    Value flat = type.getRank() == 1 ? buffer : memref::CollapseShapeOp::create(b, loc, buffer, all);
    auto dynamic = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
    return flat.getType() == dynamic ? flat : memref::CastOp::create(b, loc, dynamic, flat);
  }
};

} // namespace
