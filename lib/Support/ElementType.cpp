//===- ElementType.cpp - MLIR element types as icl dtypes -----------------===//

#include "lib/Support/ElementType.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace icl {

std::optional<DType> dtypeForElementType(Type type) {
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isIndex() || type.isInteger(64))
    return DType::I64;
  if (type.isInteger(32))
    return DType::I32;
  if (type.isInteger(16))
    return DType::I16;
  if (type.isInteger(8))
    return DType::I8;
  if (type.isInteger(1))
    return DType::Bool;
  return std::nullopt;
}

} // namespace icl
