//===- KernelBuilder.h - Writing GPU kernels op by op -----------*- C++ -*-===//
//
// A thin layer over OpBuilder for kernels whose fragment code is fully
// unrolled in C++ (the attention and GEMM kernels): constants
// created once at the kernel's entry, integer and float arithmetic, byte
// offsets of LLVM pointers, and the NVVM warp-level ops (ldmatrix, mma.sync,
// cp.async, shuffles, ex2/lg2) in the forms NVPTX lowers without libdevice.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_PASSES_CUDA_KERNELBUILDER_H
#define ICL_PASSES_CUDA_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

#include <array>

namespace mlir::icl {

/// Builds the body of a kernel at the insertion point of `b`. Constants are
/// created once each, in the order of first use, at the start of the entry
/// block, so that they dominate every use in nested regions. `element` is the
/// 16-bit float type of the tensor-core multiplicands (bf16 or f16).
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, Block &entry, Type element)
      : b(b), loc(loc), entry(entry), element(element) {}

  /// Where the ops go (the kernel code moves it into nested regions), and
  /// their location.
  OpBuilder &b;
  Location loc;

  //===--------------------------------------------------------------------===//
  // Constants
  //===--------------------------------------------------------------------===//

  /// The constant `value`, created at the entry on first use.
  Value constant(TypedAttr value) {
    Value &slot = constants[value];
    if (!slot) {
      OpBuilder::InsertionGuard guard(b);
      if (lastConstant)
        b.setInsertionPointAfter(lastConstant);
      else
        b.setInsertionPointToStart(&entry);
      lastConstant = arith::ConstantOp::create(b, loc, value);
      slot = lastConstant->getResult(0);
    }
    return slot;
  }
  /// An integer (or index) constant of `type`.
  Value constant(Type type, int64_t value) { return constant(b.getIntegerAttr(type, value)); }
  Value i32(int64_t value) { return constant(b.getI32Type(), value); }
  Value i64(int64_t value) { return constant(b.getI64Type(), value); }
  Value index(int64_t value) { return constant(b.getIndexType(), value); }
  Value f32(double value) { return constant(b.getF32FloatAttr(static_cast<float>(value))); }
  Value boolean(bool value) { return constant(b.getBoolAttr(value)); }
  /// A vector or tensor constant of zeros.
  Value zeros(ShapedType type) { return constant(cast<TypedAttr>(b.getZeroAttr(type))); }

  //===--------------------------------------------------------------------===//
  // Integer arithmetic: both operands of one type (i32, i64 or index)
  //===--------------------------------------------------------------------===//

  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divui(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value divsi(Value x, Value y) { return arith::DivSIOp::create(b, loc, x, y); }
  Value ceildivsi(Value x, Value y) { return arith::CeilDivSIOp::create(b, loc, x, y); }
  Value remui(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value shrui(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value xori(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value minsi(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value maxsi(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value cmpi(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }
  /// `x + k` (x itself for k == 0).
  Value addc(Value x, int64_t k) { return k == 0 ? x : add(x, constant(x.getType(), k)); }
  /// `x · k` (x itself for k == 1).
  Value mulc(Value x, int64_t k) { return k == 1 ? x : mul(x, constant(x.getType(), k)); }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  /// A signed i32 as i64.
  Value ext64(Value x) { return arith::ExtSIOp::create(b, loc, b.getI64Type(), x); }
  /// An integer as index, or the other way round.
  Value indexCast(Type type, Value x) { return arith::IndexCastOp::create(b, loc, type, x); }

  //===--------------------------------------------------------------------===//
  // Float arithmetic
  //===--------------------------------------------------------------------===//

  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value negf(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value cmpf(arith::CmpFPredicate predicate, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, predicate, x, y);
  }
  /// x · y + z.
  Value fma(Value x, Value y, Value z) { return math::FmaOp::create(b, loc, x, y, z); }
  /// max(x, y) as llvm.intr.maxnum: arith.maxnumf would become a libdevice
  /// call (__nv_fmaxf) in convert-gpu-to-nvvm.
  Value fmax(Value x, Value y) { return LLVM::MaxNumOp::create(b, loc, x, y); }
  /// 2^x, approximated (ex2.approx.ftz.f32).
  Value ex2(Value x) { return intrinsic("llvm.nvvm.ex2.approx.ftz.f", x); }
  /// log2(x), approximated (lg2.approx.f32).
  Value lg2(Value x) { return intrinsic("llvm.nvvm.lg2.approx.f", x); }
  /// sqrt(x), correctly rounded (sqrt.rn.f32; llvm.intr.sqrt is illegal in
  /// the NVVM lowering, which would call libdevice).
  Value sqrt(Value x) { return intrinsic("llvm.nvvm.sqrt.rn.f", x); }
  /// The f32 `x` of the lane whose id is this lane's xor `mask`.
  Value shuffleXor(Value x, int64_t mask) {
    return gpu::ShuffleOp::create(b, loc, x.getType(), b.getI1Type(), x, i32(mask), i32(32),
                                  gpu::ShuffleModeAttr::get(b.getContext(), gpu::ShuffleMode::XOR))
        .getShuffleResult();
  }

  //===--------------------------------------------------------------------===//
  // Pointers: byte offsets (i64) of !llvm.ptr values
  //===--------------------------------------------------------------------===//

  /// `pointer` + `bytes`.
  Value gep(Value pointer, Value bytes) {
    return LLVM::GEPOp::create(b, loc, pointer.getType(), b.getI8Type(), pointer,
                               ValueRange{bytes});
  }
  /// `pointer` + `bytes` (pointer itself for 0).
  Value gepc(Value pointer, int64_t bytes) {
    return bytes == 0 ? pointer : gep(pointer, i64(bytes));
  }
  /// A memref<?xT> argument as an !llvm.ptr<1> to its first element (the
  /// aligned pointer plus the offset).
  Value globalPointer(Value memref) {
    MLIRContext *ctx = b.getContext();
    Type i64Type = b.getI64Type();
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value aligned = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    Value generic = LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(ctx),
                                             indexCast(i64Type, aligned));
    Value global =
        LLVM::AddrSpaceCastOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 1), generic);
    int64_t bytes = cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
    return gep(global, mulc(indexCast(i64Type, metadata.getOffset()), bytes));
  }
  /// The kernel's dynamic shared memory as an !llvm.ptr<3>.
  Value dynamicShared() {
    MLIRContext *ctx = b.getContext();
    auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    Value shared = gpu::DynamicSharedMemoryOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), nullptr, workgroup));
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, shared);
    return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 3),
                                    indexCast(b.getI64Type(), address));
  }
  Value load(Type type, Value pointer, unsigned alignment) {
    return LLVM::LoadOp::create(b, loc, type, pointer, alignment);
  }
  void store(Value value, Value pointer, unsigned alignment) {
    LLVM::StoreOp::create(b, loc, value, pointer, alignment);
  }

  //===--------------------------------------------------------------------===//
  // Warp-level matrix ops (mma.sync m16n8k16 with f32 accumulators)
  //===--------------------------------------------------------------------===//

  /// Four 8x8 matrices of 16-bit elements from shared memory, one 32-bit
  /// register each (ldmatrix.x4, transposed for the B operand of P·V).
  std::array<Value, 4> ldmatrix(Value pointer, bool transposed) {
    MLIRContext *ctx = b.getContext();
    Type i32Type = b.getI32Type();
    auto type = LLVM::LLVMStructType::getLiteral(ctx, {i32Type, i32Type, i32Type, i32Type});
    Value matrices = NVVM::LdMatrixOp::create(
        b, loc, type, pointer, /*num=*/4, transposed ? NVVM::MMALayout::col : NVVM::MMALayout::row,
        NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8), NVVM::LdStMatrixEltType::B16);
    return extract4(matrices);
  }
  /// D = A·B + C for a 16x16 A (four registers of two elements), a 16x8 B (two
  /// registers) and f32 C, D (four values a lane). A and B come as i32
  /// registers; f16 multiplicands are passed to the op as vector<2xf16>.
  std::array<Value, 4> mma(ArrayRef<Value> a, ArrayRef<Value> bOperand, ArrayRef<Value> c) {
    MLIRContext *ctx = b.getContext();
    SmallVector<Value> aFragments = fragments(a), bFragments = fragments(bOperand);
    Type f32Type = b.getF32Type();
    auto type = LLVM::LLVMStructType::getLiteral(ctx, {f32Type, f32Type, f32Type, f32Type});
    auto ptxType =
        NVVM::MMATypesAttr::get(ctx, element.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16);
    Value d =
        NVVM::MmaOp::create(b, loc, type, NVVM::MMAShapeAttr::get(ctx, 16, 8, 16),
                            /*b1Op=*/nullptr, /*intOverflowBehavior=*/nullptr, NVVM::MMALayout::row,
                            NVVM::MMALayout::col, ptxType, ptxType, aFragments, bFragments, c);
    return extract4(d);
  }
  /// D = A·B + C for a 16x8 tf32 A (four i32 registers), an 8x8 tf32 B (two)
  /// and f32 C, D (mma.sync m16n8k8).
  std::array<Value, 4> mmaTf32(ArrayRef<Value> a, ArrayRef<Value> bOperand, ArrayRef<Value> c) {
    MLIRContext *ctx = b.getContext();
    Type f32Type = b.getF32Type();
    auto type = LLVM::LLVMStructType::getLiteral(ctx, {f32Type, f32Type, f32Type, f32Type});
    auto tf32 = NVVM::MMATypesAttr::get(ctx, NVVM::MMATypes::tf32);
    Value d = NVVM::MmaOp::create(b, loc, type, NVVM::MMAShapeAttr::get(ctx, 16, 8, 8),
                                  /*b1Op=*/nullptr, /*intOverflowBehavior=*/nullptr,
                                  NVVM::MMALayout::row, NVVM::MMALayout::col, tf32, tf32, a,
                                  bOperand, c);
    return extract4(d);
  }
  /// The f32 `x` rounded to tf32 (cvt.rna.tf32.f32), in an i32 register.
  Value tf32(Value x) {
    return NVVM::ConvertFloatToTF32Op::create(b, loc, b.getI32Type(), x,
                                              NVVM::FPRoundingMode::RNA,
                                              NVVM::SaturationMode::NONE, /*relu=*/false);
  }
  /// The bits of `x` as `type` (of the same width).
  Value bitcast(Type type, Value x) { return LLVM::BitcastOp::create(b, loc, type, x); }
  /// A 16-byte cp.async (cache at L2 only) from global to shared memory; with
  /// `sourceBytes` (i32), only that many bytes are read and the rest is zeroed.
  void cpAsync(Value shared, Value global, Value sourceBytes = {}) {
    NVVM::CpAsyncOp::create(b, loc, shared, global, /*size=*/16, NVVM::LoadCacheModifierKind::CG,
                            sourceBytes);
  }

  //===--------------------------------------------------------------------===//
  // Structured control flow
  //===--------------------------------------------------------------------===//

  /// scf.if without results.
  void ifThen(Value condition, function_ref<void()> thenBody,
              function_ref<void()> elseBody = nullptr) {
    auto op = scf::IfOp::create(b, loc, condition, /*withElseRegion=*/bool(elseBody));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    thenBody();
    if (elseBody) {
      b.setInsertionPoint(op.elseBlock()->getTerminator());
      elseBody();
    }
  }
  /// scf.if with the results the branches yield.
  SmallVector<Value> ifElse(Value condition, function_ref<SmallVector<Value>()> thenBody,
                            function_ref<SmallVector<Value>()> elseBody) {
    auto branch = [&](function_ref<SmallVector<Value>()> body) {
      return [body](OpBuilder &nested, Location at) { scf::YieldOp::create(nested, at, body()); };
    };
    auto op = scf::IfOp::create(b, loc, condition, branch(thenBody), branch(elseBody));
    return llvm::to_vector_of<Value>(op->getResults());
  }
  /// scf.for over [lower, upper) whose body yields the next iteration values.
  SmallVector<Value> forLoop(Value lower, Value upper, Value step, ValueRange initial,
                             function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto op =
        scf::ForOp::create(b, loc, lower, upper, step, initial,
                           [&](OpBuilder &nested, Location at, Value iv, ValueRange iterArgs) {
                             scf::YieldOp::create(nested, at, body(iv, iterArgs));
                           });
    return llvm::to_vector_of<Value>(op->getResults());
  }

private:
  Value intrinsic(StringRef name, Value x) {
    return LLVM::CallIntrinsicOp::create(b, loc, x.getType(), b.getStringAttr(name), x)
        .getResult(0);
  }
  std::array<Value, 4> extract4(Value structure) {
    std::array<Value, 4> values;
    for (int64_t i = 0; i < 4; ++i)
      values[i] = LLVM::ExtractValueOp::create(b, loc, structure, i);
    return values;
  }
  /// Registers as mma.sync takes them: i32 for bf16, vector<2xf16> for f16.
  SmallVector<Value> fragments(ArrayRef<Value> registers) {
    if (element.isBF16())
      return llvm::to_vector(registers);
    auto pair = VectorType::get({2}, element);
    return llvm::map_to_vector(
        registers, [&](Value r) -> Value { return LLVM::BitcastOp::create(b, loc, pair, r); });
  }

  Block &entry;
  Type element;
  DenseMap<Attribute, Value> constants;
  Operation *lastConstant = nullptr;
};

} // namespace mlir::icl

#endif // ICL_PASSES_CUDA_KERNELBUILDER_H
