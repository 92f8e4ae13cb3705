//===- fuzz-onnx.cpp - The ONNX importer under libFuzzer ------------------===//
//
// The input is a whole .onnx file, imported as `icl-compile model.onnx`
// would (importOnnx): protobuf parsing, the graph checks, import-time
// folding and emission. It is written to a scratch directory of its own, so
// external data can only name files there (and must be refused when it
// names anything outside). Seeds: the .onnx files of test/.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"
#include "lib/Driver/ModuleLoader.h"
#include "tools/fuzz/FuzzSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

using namespace icl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = fuzz::scratchDir() + "/model.onnx";
  fuzz::writeBytes(path, fuzz::asText(data, size));
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  mlir::DialectRegistry registry;
  registerModelDialects(registry);
  context.appendDialectRegistry(registry);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  OnnxImportOptions options;
  // The symbolic dimensions of the seed models.
  for (const char *dim : {"batch", "seq", "sequence", "N", "T", "B"})
    options.dimValues[dim] = 2;
  auto module = importOnnx(path, context, options);
  if (!module)
    fuzz::expectMessage(module.takeError());
  return 0;
}
