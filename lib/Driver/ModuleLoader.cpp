//===- ModuleLoader.cpp - Load any model format as an icl module ----------===//

#include "lib/Driver/ModuleLoader.h"

#include "dialects/icl/IR/IclDialect.h"
#include "frontends/hf/HfImporter.h"
#include "frontends/onnx/OnnxImporter.h"
#include "lib/Support/Files.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

namespace icl {

void registerModelDialects(DialectRegistry &registry) {
  // scf and affine: a module may hold icl ops tiled into loops over slices
  // (TilingInterface, test/Dialect/icl/tiling.mlir), and looped models
  // (scf.for / scf.while over layers, cf.assert on their arguments).
  registry.insert<mlir::icl::IclDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  tensor::TensorDialect, linalg::LinalgDialect, scf::SCFDialect,
                  affine::AffineDialect, cf::ControlFlowDialect>();
}

static OwningOpRef<ModuleOp> parse(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                   MLIRContext &context) {
  DialectRegistry registry;
  registerModelDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

bool isCheckpoint(llvm::StringRef path) { return hf::isHuggingFaceDir(path); }

OwningOpRef<ModuleOp> loadModule(llvm::StringRef path, MLIRContext &context,
                                 const ImportShapes &shapes) {
  if (hf::isHuggingFaceDir(path)) {
    DialectRegistry registry;
    registerModelDialects(registry);
    context.appendDialectRegistry(registry);
    hf::HfImportOptions options;
    options.batch = shapes.batch;
    options.seqLen = shapes.seqLen;
    llvm::Expected<OwningOpRef<ModuleOp>> module = hf::importHuggingFace(path, context, options);
    if (!module) {
      llvm::WithColor::error() << llvm::toString(module.takeError()) << "\n";
      return nullptr;
    }
    return std::move(*module);
  }
  if (path.ends_with(".onnx")) {
    llvm::Expected<OwningOpRef<ModuleOp>> module = importOnnx(path, context);
    if (!module) {
      llvm::WithColor::error() << llvm::toString(module.takeError()) << "\n";
      return nullptr;
    }
    // Part of the input phase: exported graphs spell attention, norms and
    // GELU as primitive ops; icl's own ops lower and tile better.
    PassManager pm(&context);
    pm.addNestedPass<func::FuncOp>(mlir::icl::createRaiseFusedOps());
    if (failed(pm.run(**module))) {
      llvm::WithColor::error() << path << ": --icl-raise-fused-ops failed on the imported module\n";
      return nullptr;
    }
    return std::move(*module);
  }
  if (llvm::sys::fs::is_directory(path)) {
    llvm::WithColor::error() << path
                             << " is a directory without a config.json: give a .mlir module or a "
                                "Hugging Face model directory (config.json + model.safetensors)\n";
    return nullptr;
  }
  if (path == "-") {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getSTDIN();
    if (!buffer) {
      llvm::WithColor::error() << "cannot read standard input: " << buffer.getError().message()
                               << "\n";
      return nullptr;
    }
    return parse(std::move(*buffer), context);
  }
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = readFile(path);
  if (!buffer) {
    llvm::WithColor::error() << llvm::toString(buffer.takeError()) << "\n";
    return nullptr;
  }
  return parse(std::move(*buffer), context);
}

OwningOpRef<ModuleOp> parseModule(llvm::StringRef source, llvm::StringRef bufferName,
                                  MLIRContext &context) {
  return parse(llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), context);
}

llvm::Expected<func::FuncOp> findEntryFunction(ModuleOp module, llvm::StringRef name) {
  if (!name.empty()) {
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      return func;
    return llvm::createStringError("no function named '%s' in the module", name.str().c_str());
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (found)
      return llvm::createStringError(
          "the module has several public functions ('%s', '%s', ...): choose one with --function",
          found.getSymName().str().c_str(), func.getSymName().str().c_str());
    found = func;
  }
  if (!found)
    return llvm::createStringError("the module has no public function with a body");
  return found;
}

} // namespace icl
