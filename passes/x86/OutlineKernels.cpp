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
#include "passes/LinalgUtils.h"

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

/// The data-moving ops at the top level of `parent` that produce only an
/// initial value of `op` (its DPS inits, or the shared outputs of a forall).
/// A fill or broadcast that only initialises the next kernel belongs in it,
/// which then writes its result in place instead of copying an argument it
/// may not overwrite.
SmallVector<Operation *> initProducers(Operation *op) {
  OperandRange inits = op->getOperands().take_back(0);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    inits = dps.getDpsInits();
  else if (auto forall = dyn_cast<scf::ForallOp>(op))
    inits = forall.getOutputs();
  SmallVector<Operation *> producers;
  for (Value init : inits) {
    Operation *def = init.getDefiningOp();
    if (def && def->getBlock() == op->getBlock() && def->hasOneUse() && isa<linalg::LinalgOp>(def) &&
        mlir::icl::detail::onlyMovesData(cast<linalg::LinalgOp>(def)) &&
        !llvm::is_contained(producers, def))
      producers.push_back(def);
  }
  return producers;
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
  /// Moves `ops` (in order; the last one's results are the kernel's) into a
  /// new private function called in their place.
  void outline(func::FuncOp parent, ArrayRef<Operation *> ops, unsigned index,
               SymbolTable &symbols) {
    Operation *op = ops.back();
    llvm::SetVector<Value> used;
    for (Operation *member : ops) {
      used.insert(member->getOperands().begin(), member->getOperands().end());
      getUsedValuesDefinedAbove(member->getRegions(), used);
    }
    SmallVector<Value> args;
    llvm::SetVector<Operation *> recreated;
    for (Value v : used) {
      if (Operation *def = v.getDefiningOp(); def && llvm::is_contained(ops, def))
        continue;
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
    Operation *body = nullptr;
    for (Operation *member : ops)
      body = b.clone(*member, map);
    func::ReturnOp::create(b, op->getLoc(), body->getResults());
    b.setInsertionPoint(op);
    auto call = func::CallOp::create(b, op->getLoc(), kernel, args);
    op->replaceAllUsesWith(call.getResults());
    for (Operation *member : llvm::reverse(ops))
      member->erase();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      SmallVector<SmallVector<Operation *>> kernels;
      llvm::DenseSet<Operation *> absorbed;
      for (Operation &op : llvm::reverse(func.getBody().front())) {
        if (!isKernel(&op) || absorbed.contains(&op))
          continue;
        SmallVector<Operation *> members = initProducers(&op);
        absorbed.insert(members.begin(), members.end());
        members.push_back(&op);
        kernels.push_back(std::move(members));
      }
      // A function that is one kernel already is one.
      if (kernels.size() < 2)
        continue;
      for (auto [i, members] : llvm::enumerate(llvm::reverse(kernels)))
        outline(func, members, i, symbols);
    }
  }
};

} // namespace
