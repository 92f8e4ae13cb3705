//===- IclDialect.cpp - The icl dialect -----------------------------------===//

#include "dialects/icl/IR/IclDialect.h"
#include "dialects/icl/IR/IclOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::icl;

#include "dialects/icl/IR/IclDialect.cpp.inc"
#include "dialects/icl/IR/IclEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/icl/IR/IclAttrs.cpp.inc"

void IclDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/icl/IR/IclAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/icl/IR/IclOps.cpp.inc"
      >();
  attachTilingInterfaces(getContext());
}
