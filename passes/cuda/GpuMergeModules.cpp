//===- GpuMergeModules.cpp - One gpu.module per model ---------------------===//

#include "passes/Passes.h"

#include "mlir/IR/SymbolTable.h"


namespace mlir::icl {
#define GEN_PASS_DEF_GPUMERGEMODULES
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

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

} // namespace
