//===- InlineWeights.cpp - icl.weight -> dense resources ------------------===//

#include "passes/Passes.h"

#include "dialects/icl/IR/IclOps.h"
#include "lib/Support/ElementType.h"
#include "lib/Support/SafeTensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Path.h"

#include <map>

namespace mlir::icl {
#define GEN_PASS_DEF_INLINEWEIGHTS
#include "passes/Passes.h.inc"
} // namespace mlir::icl

using namespace mlir;
using namespace mlir::icl;

namespace {

struct InlineWeightsPass : public mlir::icl::impl::InlineWeightsBase<InlineWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::map<std::string, std::unique_ptr<::icl::SafeTensorsFile>> files;
    WalkResult result = getOperation().walk([&](WeightOp op) {
      if (failed(inlineWeight(op, files)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult inlineWeight(WeightOp op,
                             std::map<std::string, std::unique_ptr<::icl::SafeTensorsFile>> &files) {
    SmallString<256> path(op.getWeightsFile());
    if (!llvm::sys::path::is_absolute(path) && !weightsDir.empty()) {
      SmallString<256> full(weightsDir);
      llvm::sys::path::append(full, path);
      path = full;
    }
    std::unique_ptr<::icl::SafeTensorsFile> &file = files[std::string(path)];
    if (!file) {
      auto opened = ::icl::SafeTensorsFile::open(path);
      if (!opened)
        return op.emitOpError("cannot load its weights: ") << llvm::toString(opened.takeError());
      file = std::move(*opened);
    }
    auto array = file->read(op.getName());
    if (!array)
      return op.emitOpError() << llvm::toString(array.takeError());
    auto type = cast<RankedTensorType>(op.getType());
    if (llvm::ArrayRef<int64_t>(array->shape) != type.getShape())
      return op.emitOpError() << "weight '" << op.getName() << "' has shape "
                              << ::icl::formatShape(array->shape) << " in " << path
                              << " but the op expects " << type;
    std::optional<::icl::DType> dtype = ::icl::dtypeForElementType(type.getElementType());
    if (!dtype || !::icl::isFloat(*dtype) || !::icl::isFloat(array->dtype))
      return op.emitOpError() << "can only inline floating-point weights";
    ::icl::HostArray converted =
        array->dtype == *dtype ? std::move(*array)
                               : ::icl::HostArray::fromDouble(*dtype, array->shape,
                                                              array->toDouble());
    ArrayRef<char> bytes(reinterpret_cast<const char *>(converted.bytes.data()),
                         converted.bytes.size());
    AsmResourceBlob blob =
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, ::icl::dtypeSize(*dtype));
    auto attr = DenseResourceElementsAttr::get(type, op.getName(), std::move(blob));
    OpBuilder builder(op);
    auto constant = arith::ConstantOp::create(builder, op.getLoc(), type, attr);
    op.replaceAllUsesWith(constant.getResult());
    op.erase();
    return success();
  }
};

} // namespace
