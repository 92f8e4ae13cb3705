//===- ReportAssertions.cpp - cf.assert as a reported run-time error ------===//
//
// A failed cf.assert calls the runtime's icl_assertion_error
// (runtime/icl_errors.c) instead of aborting the process; the caller of the
// model reports the error after the call.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/RuntimeCalls.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace mlir::icl {
#define GEN_PASS_DEF_REPORTASSERTIONS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// The runtime's entry, as runtime/icl_errors.c declares it.
constexpr llvm::StringLiteral kReport = "icl_assertion_error";

struct ReportAssertionsPass : public mlir::icl::impl::ReportAssertionsBase<ReportAssertionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    auto pointer = LLVM::LLVMPointerType::get(&getContext());
    for (auto [site, op] : llvm::enumerate(asserts)) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value failed = arith::XOrIOp::create(b, loc, op.getArg(),
                                           arith::ConstantIntOp::create(b, loc, 1, 1));
      auto branch = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
      b.setInsertionPointToStart(branch.thenBlock());
      std::string name = "icl_assert" + std::to_string(site);
      std::string where = "cf.assert";
      if (std::string at = mlir::icl::sourcePosition(loc); !at.empty())
        where += " at " + at;
      SmallVector<Value> operands = {
          LLVM::createGlobalString(loc, b, name + "_where", where + '\0', LLVM::Linkage::Private),
          LLVM::createGlobalString(loc, b, name + "_message", op.getMsg().str() + '\0',
                                   LLVM::Linkage::Private)};
      func::FuncOp report = mlir::icl::declareRuntimeFunction(
          module, kReport, b.getFunctionType({pointer, pointer}, {}));
      func::CallOp::create(b, loc, report, operands);
      op.erase();
    }
  }
};

} // namespace
