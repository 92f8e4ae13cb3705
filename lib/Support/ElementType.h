//===- ElementType.h - MLIR element types as icl dtypes ----------*- C++ -*-===//
//
// The one place in lib/Support that knows MLIR: the mapping from builtin
// element types to the dtypes of HostArray, for every layer that moves data
// between MLIR values and host arrays (weights, the evaluator, the JIT).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_ELEMENTTYPE_H
#define ICL_LIB_SUPPORT_ELEMENTTYPE_H

#include "lib/Support/HostArray.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace icl {

/// The HostArray element type for an MLIR element type (f16, bf16, f32, f64,
/// index and i64, i32, i16, i8, i1), if there is one.
std::optional<DType> dtypeForElementType(mlir::Type type);

} // namespace icl

#endif // ICL_LIB_SUPPORT_ELEMENTTYPE_H
