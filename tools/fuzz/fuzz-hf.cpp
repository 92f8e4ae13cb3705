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
#include "tools/fuzz/FuzzSupport.h"
#include "tools/fuzz/ModelContext.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace icl;

namespace {
/// A copy of a test checkpoint, and the file an input replaces in it.
struct Fixture {
  const char *modelType; // matched in the input; the first fixture is the fallback
  const char *name;
  std::string dir;
  std::string config, index; // their original contents
};

std::string readText(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

llvm::MutableArrayRef<Fixture> fixtures() {
  static Fixture all[] = {{"", "gpt2-sharded"}, {"llama", "llama"}, {"mamba2", "mamba2"},
                          {"mamba", "mamba"}};
  static bool made = [] {
    for (Fixture &f : all) {
      f.dir = fuzz::scratchDir() + "/" + f.name;
      fuzz::copyDir(std::string(ICL_SOURCE_DIR) + "/test/Frontends/hf/Inputs/" + f.name, f.dir);
      f.config = readText(f.dir + "/config.json");
      f.index = readText(f.dir + "/model.safetensors.index.json");
    }
    return true;
  }();
  (void)made;
  return all;
}

/// Imports `fixture` with `file` (whose original is `original`) holding
/// `text`, then puts the original back.
void importWith(const Fixture &fixture, const char *file, const std::string &original,
                llvm::StringRef text) {
  const std::string path = fixture.dir + "/" + file;
  fuzz::writeBytes(path, text);
  {
    fuzz::ModelContext model;
    auto module = hf::importHuggingFace(fixture.dir, model.context);
    if (!module)
      fuzz::expectMessage(module.takeError());
  }
  fuzz::writeBytes(path, original);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text = fuzz::asText(data, size);
  llvm::MutableArrayRef<Fixture> all = fixtures();
  if (text.contains("weight_map")) {
    importWith(all[0], "model.safetensors.index.json", all[0].index, text);
    return 0;
  }
  const Fixture *fixture = &all[0];
  for (const Fixture &f : all.drop_front())
    if (text.contains(f.modelType)) {
      fixture = &f;
      break;
    }
  importWith(*fixture, "config.json", fixture->config, text);
  return 0;
}
