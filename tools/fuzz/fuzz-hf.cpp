//===- fuzz-hf.cpp - The Hugging Face importer under libFuzzer ------------===//
//
// The input is a config.json, or a model.safetensors.index.json when it
// mentions "weight_map". It replaces that file in a copy of one of the test
// checkpoints (test/Frontends/hf/Inputs: the sharded GPT-2, Llama, Mamba or
// Mamba-2, picked by the model type the input names) and the directory is
// imported as `icl-compile` would (importHuggingFace), so the config checks,
// the index reader and every emitter see it. Seeds: the configs and index
// of those checkpoints.
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/HfImporter.h"
#include "lib/Driver/ModuleLoader.h"
#include "tools/fuzz/FuzzSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace icl;

namespace {
struct Fixture {
  const char *modelType; // matched in the input; the first fixture is the fallback
  const char *name;
  std::string dir;
};

Fixture *fixtures() {
  static Fixture all[] = {{"", "gpt2-sharded", ""},
                          {"llama", "llama", ""},
                          {"mamba2", "mamba2", ""},
                          {"mamba", "mamba", ""}};
  static bool made = [] {
    for (Fixture &f : all) {
      f.dir = fuzz::scratchDir() + "/" + f.name;
      fuzz::copyDir(std::string(ICL_SOURCE_DIR) + "/test/Frontends/hf/Inputs/" + f.name, f.dir);
    }
    return true;
  }();
  (void)made;
  return all;
}

void import(const std::string &dir) {
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  mlir::DialectRegistry registry;
  registerModelDialects(registry);
  context.appendDialectRegistry(registry);
  // Diagnostics of a module that fails to verify are expected output.
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  auto module = hf::importHuggingFace(dir, context);
  if (!module)
    fuzz::expectMessage(module.takeError());
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text = fuzz::asText(data, size);
  Fixture *all = fixtures();
  if (text.contains("weight_map")) {
    const std::string index = all[0].dir + "/model.safetensors.index.json";
    static const std::string original = [&] {
      auto buffer = llvm::MemoryBuffer::getFile(index);
      return buffer ? (*buffer)->getBuffer().str() : std::string();
    }();
    fuzz::writeBytes(index, text);
    import(all[0].dir);
    fuzz::writeBytes(index, original);
    return 0;
  }
  Fixture *fixture = &all[0];
  for (int i = 1; i < 4; ++i)
    if (text.contains(all[i].modelType)) {
      fixture = &all[i];
      break;
    }
  const std::string config = fixture->dir + "/config.json";
  static std::string originals[4];
  std::string &original = originals[fixture - all];
  if (original.empty()) {
    auto buffer = llvm::MemoryBuffer::getFile(config);
    original = buffer ? (*buffer)->getBuffer().str() : std::string("{}");
  }
  fuzz::writeBytes(config, text);
  import(fixture->dir);
  fuzz::writeBytes(config, original);
  return 0;
}
