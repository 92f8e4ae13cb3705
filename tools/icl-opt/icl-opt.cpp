//===- icl-opt.cpp - The icl optimizer driver -----------------------------===//
//
// mlir-opt for icl: the icl dialect, the upstream dialects icl models and
// lowerings use, every upstream pass, and icl's own passes and pipelines.
//
//===----------------------------------------------------------------------===//

#include "dialects/icl/IR/IclDialect.h"
#include "lib/Support/Files.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/WithColor.h"

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

  auto [inputFile, outputFile] =
      mlir::registerAndParseCLIOptions(argc, argv, "icl optimizer driver\n", registry);
  // MLIR's driver reads its input whole: a FIFO or a device is refused first
  // (docs/security.md).
  if (inputFile != "-") {
    if (llvm::Error err = icl::checkRegularFile(inputFile)) {
      llvm::WithColor::error(llvm::errs(), "icl-opt") << llvm::toString(std::move(err)) << "\n";
      return 1;
    }
  }
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, inputFile, outputFile, registry));
}
