//===- IclDialect.h - The icl dialect ---------------------------*- C++ -*-===//

#ifndef ICL_DIALECTS_ICL_IR_ICLDIALECT_H
#define ICL_DIALECTS_ICL_IR_ICLDIALECT_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dialects/icl/IR/IclDialect.h.inc"

#endif // ICL_DIALECTS_ICL_IR_ICLDIALECT_H
