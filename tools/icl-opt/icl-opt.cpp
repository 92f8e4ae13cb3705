//===- icl-opt.cpp - The icl optimizer driver -----------------------------===//
//
// mlir-opt for icl: the icl dialect, the upstream dialects icl models and
// lowerings use, every upstream pass, and icl's own passes and pipelines.
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/IclDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::icl::registerIclPassesAndPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR.
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  mlir::icl::registerGpuExtensions(registry);
  registry.insert<mlir::icl::IclDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "icl optimizer driver\n", registry));
}
