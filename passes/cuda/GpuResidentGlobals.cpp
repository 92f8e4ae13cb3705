//===- GpuResidentGlobals.cpp - Device-resident weights -------------------===//

#include "passes/Passes.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"


namespace mlir::icl {
#define GEN_PASS_DEF_GPURESIDENTGLOBALS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

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
      // Host calls read their arguments on the host (the shape of the ids in
      // an icl_index_error report): only data for kernels moves.
      bool hostOnly = llvm::all_of(addressOf->getUsers(), llvm::IsaPred<LLVM::CallOp>);
      if (global && global.getConstant() && global.getValueAttr() &&
          isa<ElementsAttr>(global.getValueAttr()) && !hostOnly)
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

} // namespace
