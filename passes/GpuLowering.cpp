//===- GpuLowering.cpp - Host/kernel split for the NVIDIA pipeline --------===//
//
// The passes of icl-cuda-pipeline between bufferization and serialization:
// mapping loops onto blocks and threads, device memory for host buffers, one
// gpu.module per model, libdevice-free math in kernels, and device-resident
// weights.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <numeric>

namespace mlir::icl {
#define GEN_PASS_DEF_GPUMAPLOOPS
#define GEN_PASS_DEF_GPUHOSTMEMORY
#define GEN_PASS_DEF_GPUMERGEMODULES
#define GEN_PASS_DEF_GPUPREPAREKERNELS
#define GEN_PASS_DEF_GPURESIDENTGLOBALS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// True for ops that run on the device once the pipeline is done.
bool onDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() || op->getParentOfType<gpu::GPUModuleOp>();
}

/// True if `op` reads or writes buffer elements (which host code cannot do
/// on the GPU target): a stack allocation, or an op whose memory effects
/// read or write a memref.
bool touchesElements(Operation *op) {
  if (isa<memref::AllocaOp>(op))
    return true;
  if (isa<gpu::LaunchFuncOp, gpu::LaunchOp>(op))
    return false;
  auto memory = dyn_cast<MemoryEffectOpInterface>(op);
  if (!memory)
    return isa<linalg::LinalgOp>(op);
  SmallVector<MemoryEffects::EffectInstance> effects;
  memory.getEffects(effects);
  return llvm::any_of(effects, [](const MemoryEffects::EffectInstance &effect) {
    Value value = effect.getValue();
    return isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect()) && value &&
           isa<BaseMemRefType>(value.getType());
  });
}

//===----------------------------------------------------------------------===//
// icl-gpu-map-loops
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// icl-gpu-host-memory
//===----------------------------------------------------------------------===//

struct GpuHostMemory : icl::impl::GpuHostMemoryBase<GpuHostMemory> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!onDevice(op) && !isa<gpu::LaunchOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (touchesElements(op)) {
        op->emitError() << "'" << op->getName()
                        << "' would access device memory from the host: icl cannot run "
                           "this computation on the GPU yet (compile with --target=x86)";
        return signalPassFailure();
      }
    }
  }
};

//===----------------------------------------------------------------------===//
// icl-gpu-merge-modules
//===----------------------------------------------------------------------===//

struct GpuMergeModules : icl::impl::GpuMergeModulesBase<GpuMergeModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    constexpr StringLiteral kName = "icl_kernels";
    SmallVector<gpu::GPUModuleOp> modules;
    gpu::GPUModuleOp merged;
    for (auto m : module.getOps<gpu::GPUModuleOp>()) {
      if (m.getName() == kName)
        merged = m;
      else
        modules.push_back(m);
    }
    if (modules.empty())
      return;
    OpBuilder builder(ctx);
    if (!merged) {
      builder.setInsertionPoint(modules.front());
      merged = gpu::GPUModuleOp::create(builder, modules.front().getLoc(), kName);
    }
    SymbolTable mergedSymbols(merged);
    // Old (module, kernel) -> new kernel name.
    llvm::StringMap<llvm::StringMap<std::string>> renamed;
    for (gpu::GPUModuleOp m : modules) {
      int kernels = llvm::count_if(m.getOps<gpu::GPUFuncOp>(),
                                   [](gpu::GPUFuncOp f) { return f.isKernel(); });
      for (Operation &op : llvm::make_early_inc_range(m.getBody()->without_terminator())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (auto func = dyn_cast<gpu::GPUFuncOp>(op); func && func.isKernel()) {
          // A module of one kernel (outlined, or a template instance) names
          // it; several kernels of one module keep their names after it.
          std::string old = func.getName().str();
          std::string base = kernels <= 1 ? m.getName().str()
                                          : (m.getName() + "_" +
                                             func.getName().drop_front(
                                                 func.getName().starts_with("icl_") ? 4 : 0))
                                                .str();
          std::string unique = base;
          for (int i = 1; mergedSymbols.lookup(unique); ++i)
            unique = base + "_" + std::to_string(i);
          op.remove();
          func.setName(unique);
          renamed[m.getName()][old] = unique;
          mergedSymbols.insert(func);
          continue;
        }
        if (symbol && mergedSymbols.lookup(symbol.getName())) {
          op.emitError() << "'" << symbol.getName()
                         << "' is defined in two GPU modules; kernels' helpers need distinct "
                            "names to share one module";
          return signalPassFailure();
        }
        op.remove();
        if (symbol)
          mergedSymbols.insert(&op);
        else
          merged.getBody()->getOperations().insert(merged.getBody()->getTerminator()->getIterator(),
                                                   &op);
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(launch.getKernelModuleName().getValue());
      if (it == renamed.end())
        return;
      auto kernel = it->second.find(launch.getKernelName().getValue());
      if (kernel == it->second.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          ctx, kName, {FlatSymbolRefAttr::get(ctx, kernel->second)}));
    });
    for (gpu::GPUModuleOp m : modules)
      m.erase();
  }
};

//===----------------------------------------------------------------------===//
// icl-gpu-prepare-kernels
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// icl-gpu-resident-globals
//===----------------------------------------------------------------------===//

struct GpuResidentGlobals : icl::impl::GpuResidentGlobalsBase<GpuResidentGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    DataLayout layout(module);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    constexpr StringLiteral kResident = "icl_cuda_resident";
    SmallVector<LLVM::AddressOfOp> uses;
    module.walk([&](LLVM::AddressOfOp addressOf) {
      if (addressOf->getParentOfType<gpu::GPUModuleOp>())
        return;
      auto global = dyn_cast_or_null<LLVM::GlobalOp>(
          SymbolTable::lookupSymbolIn(module, addressOf.getGlobalNameAttr()));
      if (global && global.getConstant() && global.getValueAttr() &&
          isa<ElementsAttr>(global.getValueAttr()))
        uses.push_back(addressOf);
    });
    if (uses.empty())
      return;
    OpBuilder builder(ctx);
    if (!module.lookupSymbol(kResident)) {
      builder.setInsertionPointToStart(module.getBody());
      LLVM::LLVMFuncOp::create(builder, module.getLoc(), kResident,
                               LLVM::LLVMFunctionType::get(ptr, {ptr, i64}));
    }
    for (LLVM::AddressOfOp addressOf : uses) {
      auto global = cast<LLVM::GlobalOp>(
          SymbolTable::lookupSymbolIn(module, addressOf.getGlobalNameAttr()));
      builder.setInsertionPointAfter(addressOf);
      Location loc = addressOf.getLoc();
      Value bytes = LLVM::ConstantOp::create(
          builder, loc, i64, static_cast<int64_t>(layout.getTypeSize(global.getType())));
      auto call = LLVM::CallOp::create(builder, loc, TypeRange{ptr}, kResident,
                                       ValueRange{addressOf.getResult(), bytes});
      addressOf.getResult().replaceAllUsesExcept(call.getResult(), call);
    }
  }
};

/// gpu.launch_func reads and writes its memref operands, and (once lowered to
/// pointers) memory in general: it is never dead. Launches of icl's attention
/// kernels exist before bufferization; buffer deallocation needs to know what
/// they do with their buffers.
struct LaunchFuncEffects
    : MemoryEffectOpInterface::ExternalModel<LaunchFuncEffects, gpu::LaunchFuncOp> {
  void getEffects(Operation *op,
                  SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects)
      const {
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<MemRefType>(operand.get().getType()))
        continue;
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    }
    effects.emplace_back(MemoryEffects::Read::get(), SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(), SideEffects::DefaultResource::get());
  }
};

} // namespace

void mlir::icl::registerGpuExtensions(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    gpu::LaunchFuncOp::attachInterface<LaunchFuncEffects>(*ctx);
  });
}
