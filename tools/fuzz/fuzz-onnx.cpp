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
#include "tools/fuzz/FuzzSupport.h"
#include "tools/fuzz/ModelContext.h"

#include "mlir/IR/BuiltinOps.h"

using namespace icl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = fuzz::scratchDir() + "/model.onnx";
  fuzz::writeBytes(path, fuzz::asText(data, size));
  fuzz::ModelContext model;
  OnnxImportOptions options;
  // The symbolic dimensions of the seed models.
  for (const char *dim : {"batch", "seq", "sequence", "N", "T", "B"})
    options.dimValues[dim] = 2;
  auto module = importOnnx(path, model.context, options);
  if (!module)
    fuzz::expectMessage(module.takeError());
  return 0;
}
