//===- Checkpoint.cpp - The tensors of a Hugging Face checkpoint ----------===//

#include "frontends/hf/Checkpoint.h"
#include "lib/Support/Files.h"
#include "lib/Support/Json.h"
#include "lib/Support/SafeTensors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>

using namespace llvm;

namespace icl::hf {

namespace {

/// Shard file name -> the tensors the index assigns to it.
Expected<std::map<std::string, std::vector<std::string>>> readIndex(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  Expected<json::Value> value = ::icl::parseJson((*buffer)->getBuffer());
  if (!value)
    return createStringError("%s is not valid JSON: %s", path.str().c_str(),
                             toString(value.takeError()).c_str());
  const json::Object *map = value->getAsObject() ? value->getAsObject()->getObject("weight_map")
                                                 : nullptr;
  if (!map)
    return createStringError("%s has no \"weight_map\" object mapping tensor names to files",
                             path.str().c_str());
  std::map<std::string, std::vector<std::string>> shards;
  for (const auto &[name, file] : *map) {
    std::optional<StringRef> f = file.getAsString();
    if (!f || f->empty() || sys::path::has_parent_path(*f))
      return createStringError("%s: the file of tensor '%s' must be a file name in the "
                               "checkpoint directory",
                               path.str().c_str(), name.str().c_str());
    shards[f->str()].push_back(name.str());
  }
  return shards;
}

} // namespace

Expected<Checkpoint> Checkpoint::open(StringRef dir) {
  Checkpoint ckpt;
  SmallString<256> absolute(dir);
  if (std::error_code ec = sys::fs::make_absolute(absolute))
    return createStringError(ec, "cannot resolve %s: %s", dir.str().c_str(),
                             ec.message().c_str());
  sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  ckpt.directory = absolute.str().str();

  auto inDir = [&](StringRef file) {
    SmallString<256> p(ckpt.directory);
    sys::path::append(p, file);
    return p.str().str();
  };
  // File name -> tensors the index puts there (empty: all of them).
  std::map<std::string, std::vector<std::string>> files;
  std::string single = inDir("model.safetensors");
  std::string index = inDir("model.safetensors.index.json");
  if (sys::fs::exists(single)) {
    files["model.safetensors"] = {};
    ckpt.single = single;
  } else if (sys::fs::exists(index)) {
    Expected<std::map<std::string, std::vector<std::string>>> shards = readIndex(index);
    if (!shards)
      return shards.takeError();
    files = std::move(*shards);
  } else {
    return createStringError("%s has no model.safetensors or model.safetensors.index.json "
                             "(only safetensors checkpoints are supported; convert a "
                             "pytorch_model.bin with `save_pretrained(safe_serialization=True)`)",
                             ckpt.directory.c_str());
  }

  for (const auto &[name, expected] : files) {
    std::string path = inDir(name);
    Expected<std::unique_ptr<SafeTensorsFile>> file = SafeTensorsFile::open(path);
    if (!file)
      return file.takeError();
    for (const SafeTensorsFile::Entry &e : (*file)->entries())
      ckpt.tensors[e.name] = Tensor{path, e.dtype, e.shape};
    for (const std::string &tensor : expected)
      if (!(*file)->lookup(tensor))
        return createStringError("%s lists tensor '%s' in %s, but that file does not hold it",
                                 index.c_str(), tensor.c_str(), path.c_str());
  }
  return ckpt;
}

const Checkpoint::Tensor *Checkpoint::lookup(StringRef name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

} // namespace icl::hf
