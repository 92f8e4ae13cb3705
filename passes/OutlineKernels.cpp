//===- OutlineKernels.cpp - One function per loop nest, duplicates merged -===//
//
// A transformer repeats one block per layer: after fusion and tiling, every
// layer holds the same loop nests on the same shapes, differing only in the
// weights they read. Outlining each top-level loop nest (or untiled linalg
// op) into a private function whose arguments are the tensors it reads makes
// the layers' copies identical functions, which upstream
// duplicate-function-elimination merges; everything after this point, LLVM
// included, compiles each kernel once.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::icl {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;

namespace {

/// A kernel: a loop nest or a linalg op on tensors.
bool isKernel(Operation *op) {
  return isa<scf::ForallOp, scf::ForOp, linalg::LinalgOp>(op) &&
         llvm::all_of(op->getResultTypes(), [](Type t) { return isa<RankedTensorType>(t); }) &&
         op->getNumResults() > 0;
}

/// Values a kernel recreates instead of taking them as arguments: constants
/// that are not tensors (scalars, vectors) and tensor.empty, which carries
/// no data.
bool recreatedInKernel(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def || def->getNumOperands() != 0 || def->getNumRegions() != 0 || !isMemoryEffectFree(def))
    return false;
  return isa<tensor::EmptyOp>(def) || !isa<TensorType>(v.getType());
}

struct OutlineKernelsPass : public mlir::icl::impl::OutlineKernelsBase<OutlineKernelsPass> {
  void outline(func::FuncOp parent, Operation *op, unsigned index, SymbolTable &symbols) {
    llvm::SetVector<Value> used(op->getOperands().begin(), op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
    SmallVector<Value> args;
    llvm::SetVector<Operation *> recreated;
    for (Value v : used) {
      if (recreatedInKernel(v))
        recreated.insert(v.getDefiningOp());
      else
        args.push_back(v);
    }
    OpBuilder b(parent);
    auto kernel = func::FuncOp::create(
        b, op->getLoc(), (parent.getSymName() + "_kernel" + Twine(index)).str(),
        b.getFunctionType(ValueRange(args).getTypes(), op->getResultTypes()));
    kernel.setPrivate();
    // Each kernel is compiled once however many times it is called; LLVM
    // must not inline the copies back.
    kernel->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    symbols.insert(kernel);
    Block *entry = kernel.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    map.map(args, entry->getArguments());
    for (Operation *def : recreated)
      b.clone(*def, map);
    Operation *body = b.clone(*op, map);
    func::ReturnOp::create(b, op->getLoc(), body->getResults());
    b.setInsertionPoint(op);
    auto call = func::CallOp::create(b, op->getLoc(), kernel, args);
    op->replaceAllUsesWith(call.getResults());
    op->erase();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      SmallVector<Operation *> kernels;
      for (Operation &op : func.getBody().getOps())
        if (isKernel(&op))
          kernels.push_back(&op);
      // A function that is one kernel already is one.
      if (kernels.size() < 2)
        continue;
      for (auto [i, op] : llvm::enumerate(kernels))
        outline(func, op, i, symbols);
    }
  }
};

} // namespace
