//===- TokenCount.cpp - Propagate a changed token count -------------------===//

#include "passes/TokenCount.h"

#include "dialects/icl/IR/IclOps.h"
#include "dialects/icl/IR/LinalgBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

namespace {

/// The expand_shape of `src` (whose token count changed) with the same
/// reassociation: a dim that its group alone holds follows the source.
FailureOr<Value> reexpand(RewriterBase &rewriter, tensor::ExpandShapeOp op, Value src) {
  auto srcType = cast<RankedTensorType>(src.getType());
  SmallVector<int64_t> shape(op.getResultType().getShape());
  for (auto [i, group] : llvm::enumerate(op.getReassociationIndices())) {
    int64_t product = 1;
    for (int64_t d : group)
      product *= shape[d];
    if (product == srcType.getDimSize(i))
      continue;
    if (group.size() != 1)
      return op.emitOpError("splits a dimension whose size the token reduction changed"),
             failure();
    shape[group[0]] = srcType.getDimSize(i);
  }
  auto type = RankedTensorType::get(shape, srcType.getElementType());
  rewriter.setInsertionPoint(op);
  return tensor::ExpandShapeOp::create(rewriter, op.getLoc(), type, src,
                                       op.getReassociationIndices())
      .getResult();
}

} // namespace

arith::AddFOp mlir::icl::detail::residualAfter(Value v) {
  for (int step = 0; step < 8; ++step) {
    if (!v.hasOneUse())
      return nullptr;
    Operation *user = *v.getUsers().begin();
    if (auto add = dyn_cast<arith::AddFOp>(user))
      return add;
    if (!isa<linalg::TransposeOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp,
             mlir::icl::LinearOp>(user))
      return nullptr;
    v = user->getResult(0);
  }
  return nullptr;
}

LogicalResult mlir::icl::detail::propagateTokenCount(RewriterBase &rewriter, Operation *start,
                                                     llvm::DenseSet<Value> changed) {
  auto readsChanged = [&](Operation *op) {
    return llvm::any_of(op->getOperands(), [&](Value v) { return changed.contains(v); });
  };
  for (Operation *op = start->getNextNode(); op;) {
    Operation *next = op->getNextNode();
    if (!readsChanged(op)) {
      op = next;
      continue;
    }
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      auto func = ret->getParentOfType<func::FuncOp>();
      func.setType(FunctionType::get(op->getContext(), func.getArgumentTypes(),
                                     ret.getOperandTypes()));
      break;
    }
    SmallVector<Value> replacements;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      FailureOr<Value> v = reexpand(rewriter, expand, expand.getSrc());
      if (failed(v))
        return failure();
      replacements.push_back(*v);
    } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
      rewriter.setInsertionPoint(op);
      replacements.push_back(tensor::CollapseShapeOp::create(rewriter, op->getLoc(),
                                                             collapse.getSrc(),
                                                             collapse.getReassociationIndices()));
    } else if (auto transpose = dyn_cast<linalg::TransposeOp>(op);
               transpose && !changed.contains(transpose.getInit())) {
      rewriter.setInsertionPoint(op);
      replacements.push_back(mlir::icl::detail::Emitter(rewriter, op->getLoc())
                                 .transpose(transpose.getInput(), transpose.getPermutation()));
    } else if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
      SmallVector<Type> types;
      if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                        op->getRawDictionaryAttrs(),
                                        op->getPropertiesStorage(), op->getRegions(), types)))
        return op->emitOpError("cannot be retyped for the reduced token count"), failure();
      for (auto [result, type] : llvm::zip(op->getResults(), types))
        result.setType(type);
      for (Value r : op->getResults())
        changed.insert(r);
      op = next;
      continue;
    } else if (op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
               op->hasTrait<OpTrait::Elementwise>()) {
      for (Value r : op->getResults())
        r.setType(op->getOperand(0).getType());
      for (Value r : op->getResults())
        changed.insert(r);
      op = next;
      continue;
    } else {
      return op->emitOpError("reads an activation whose token count a token reduction changed, "
                             "and its type cannot be recomputed; reduce tokens after it or "
                             "before a supported op (icl ops, elementwise ops, reshapes, "
                             "linalg.transpose)"),
             failure();
    }
    rewriter.replaceOp(op, replacements);
    for (Value r : replacements)
      changed.insert(r);
    op = next;
  }
  return success();
}
