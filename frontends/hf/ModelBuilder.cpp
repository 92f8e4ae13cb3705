//===- ModelBuilder.cpp - Building icl modules from checkpoints -----------===//

#include "frontends/hf/ModelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

#include <numeric>

using namespace mlir;
namespace ir = mlir::icl;

namespace icl::hf {

std::optional<ir::Activation> activationNamed(StringRef name) {
  return llvm::StringSwitch<std::optional<ir::Activation>>(name)
      .Case("gelu", ir::Activation::gelu)
      .Cases({"gelu_new", "gelu_pytorch_tanh", "gelu_fast"}, ir::Activation::gelu_tanh)
      .Case("relu", ir::Activation::relu)
      .Cases({"silu", "swish"}, ir::Activation::silu)
      .Case("sigmoid", ir::Activation::sigmoid)
      .Default(std::nullopt);
}

namespace {

RankedTensorType f32(OpBuilder &b, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

} // namespace

Value ModelBuilder::weight(StringRef name, ArrayRef<int64_t> shape) {
  auto placeholder = [&] { return tensor::EmptyOp::create(b, shape, b.getF32Type()).getResult(); };
  const Checkpoint::Tensor *t = checkpoint.lookup(name);
  if (!t) {
    fail(llvm::createStringError("%s has no tensor '%s', which a %s checkpoint with this "
                                 "config.json needs",
                                 checkpoint.dir().str().c_str(), name.str().c_str(),
                                 modelType.c_str()));
    return placeholder();
  }
  if (!isFloat(t->dtype)) {
    fail(llvm::createStringError("tensor '%s' in %s has dtype %s; weights must be f32, f16 or "
                                 "bf16 (or f64)",
                                 name.str().c_str(), t->file.c_str(),
                                 dtypeName(t->dtype).str().c_str()));
    return placeholder();
  }
  if (ArrayRef<int64_t>(t->shape) != shape) {
    fail(llvm::createStringError("tensor '%s' in %s has shape %s, but %s implies %s for a %s "
                                 "model: the config and the weights disagree",
                                 name.str().c_str(), t->file.c_str(),
                                 formatShape(t->shape).c_str(), config.path().str().c_str(),
                                 formatShape(shape).c_str(), modelType.c_str()));
    return placeholder();
  }
  StringAttr file = checkpoint.singleFile().empty() ? b.getStringAttr(t->file) : StringAttr();
  return ir::WeightOp::create(b, f32(b, shape), b.getStringAttr(name), file).getResult();
}

Value ModelBuilder::linearLayer(Value x, StringRef layer, int64_t n, int64_t k, bool bias) {
  Value w = weight((layer + ".weight").str(), {n, k});
  return linear(x, w, bias ? weight((layer + ".bias").str(), {n}) : Value());
}

Value ModelBuilder::lmHead(Value x, Value embedding, bool tied) {
  at("lm_head");
  Value head = tied && !hasTensor("lm_head.weight")
                   ? embedding
                   : weight("lm_head.weight", shapeOf(embedding));
  return linear(x, head);
}

Value ModelBuilder::fail(llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  if (firstError.empty())
    firstError = std::move(message);
  return Value();
}

llvm::Error ModelBuilder::takeError() {
  if (firstError.empty())
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 std::exchange(firstError, std::string()));
}

} // namespace icl::hf
