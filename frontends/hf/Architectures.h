//===- Architectures.h - The emitters of each architecture -------*- C++ -*-===//
//
// One function per Hugging Face model_type. Each reads its hyperparameters
// from the config (rejecting fields it does not implement), builds the
// forward pass from `ids: [B, T]` (i64) and returns the logits [B, T, V]
// (f32), or a null value after recording an error in the builder.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_ARCHITECTURES_H
#define ICL_FRONTENDS_HF_ARCHITECTURES_H

#include "frontends/hf/ModelBuilder.h"

namespace icl::hf {

mlir::Value emitGpt2(ModelBuilder &mb, mlir::Value ids);
mlir::Value emitLlama(ModelBuilder &mb, mlir::Value ids);
mlir::Value emitMamba(ModelBuilder &mb, mlir::Value ids);
mlir::Value emitMamba2(ModelBuilder &mb, mlir::Value ids);

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_ARCHITECTURES_H
