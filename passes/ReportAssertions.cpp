//===- ReportAssertions.cpp - cf.assert as a reported run-time error ------===//
//
// A failed cf.assert calls the runtime's icl_assertion_error
// (runtime/icl_errors.c) instead of aborting the process, and the rest of its
// block does not run (its results are zeros); the caller of the model reports
// the error after the call.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/RuntimeCalls.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::icl {
#define GEN_PASS_DEF_REPORTASSERTIONS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// The runtime's entry, as runtime/icl_errors.c declares it.
constexpr llvm::StringLiteral kReport = "icl_assertion_error";

/// Whether zeroOf makes a zero of `type`: a statically shaped tensor of
/// integers, indices or floats, or such a scalar.
bool zeroable(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor ? tensor.hasStaticShape() && tensor.getElementType().isIntOrIndexOrFloat()
                : type.isIntOrIndexOrFloat();
}

/// A zero of a zeroable `type`.
Value zeroOf(OpBuilder &b, Location loc, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  TypedAttr zero = b.getZeroAttr(tensor ? tensor.getElementType() : type);
  return tensor ? arith::ConstantOp::create(b, loc, DenseElementsAttr::get(tensor, zero))
                : arith::ConstantOp::create(b, loc, zero);
}

struct ReportAssertionsPass : public mlir::icl::impl::ReportAssertionsBase<ReportAssertionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    for (auto [site, op] : llvm::enumerate(asserts))
      lower(op, site);
  }

  /// Replaces `op` with the report of its failure and, where the rest of its
  /// block has results that can be zeroed, guards that rest: a failed
  /// assertion leaves the block with zeros instead of running what it
  /// protects (a loop to a count out of range, say).
  void lower(cf::AssertOp op, size_t site) {
    Block *block = op->getBlock();
    SmallVector<Operation *> rest;
    for (Operation *next = op->getNextNode(); next && next != block->getTerminator();
         next = next->getNextNode())
      rest.push_back(next);
    // The rest's values that the block's terminator reads.
    llvm::SetVector<Value> escaping;
    for (Operation *inner : rest)
      for (Value result : inner->getResults())
        for (Operation *user : result.getUsers())
          if (!llvm::is_contained(rest, block->findAncestorOpInBlock(*user)))
            escaping.insert(result);
    OpBuilder b(op);
    Location loc = op.getLoc();
    bool guard = !rest.empty() &&
                 llvm::all_of(escaping, [](Value v) { return zeroable(v.getType()); });
    if (!guard) {
      Value failed = arith::XOrIOp::create(b, loc, op.getArg(),
                                           arith::ConstantIntOp::create(b, loc, 1, 1));
      auto branch = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
      b.setInsertionPointToStart(branch.thenBlock());
      report(b, op, site);
      op.erase();
      return;
    }
    SmallVector<Type> types;
    for (Value v : escaping)
      types.push_back(v.getType());
    auto branch = scf::IfOp::create(b, loc, types, op.getArg(), /*withElseRegion=*/true);
    for (auto [value, result] : llvm::zip_equal(escaping, branch.getResults()))
      Value(value).replaceUsesWithIf(result, [&](OpOperand &use) {
        return !branch->isAncestor(use.getOwner());
      });
    // Then: the rest, as it was.
    Block *then = branch.thenBlock();
    for (Operation *inner : rest)
      inner->moveBefore(then, then->end());
    b.setInsertionPointToEnd(then);
    scf::YieldOp::create(b, loc, escaping.getArrayRef());
    // Else: the report, and zeros.
    b.setInsertionPointToStart(branch.elseBlock());
    report(b, op, site);
    SmallVector<Value> zeros;
    for (Type type : types)
      zeros.push_back(zeroOf(b, loc, type));
    scf::YieldOp::create(b, loc, zeros);
    op.erase();
  }

  /// The call of icl_assertion_error for `op`.
  void report(OpBuilder &b, cf::AssertOp op, size_t site) {
    Location loc = op.getLoc();
    auto pointer = LLVM::LLVMPointerType::get(&getContext());
    std::string name = "icl_assert" + std::to_string(site);
    std::string where = "cf.assert";
    if (std::string at = mlir::icl::sourcePosition(loc); !at.empty())
      where += " at " + at;
    SmallVector<Value> operands = {
        LLVM::createGlobalString(loc, b, name + "_where", where + '\0', LLVM::Linkage::Private),
        LLVM::createGlobalString(loc, b, name + "_message", op.getMsg().str() + '\0',
                                 LLVM::Linkage::Private)};
    func::FuncOp function = mlir::icl::declareRuntimeFunction(
        getOperation(), kReport, b.getFunctionType({pointer, pointer}, {}));
    func::CallOp::create(b, loc, function, operands);
  }
};

} // namespace
