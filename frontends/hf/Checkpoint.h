//===- Checkpoint.h - The tensors of a Hugging Face checkpoint ---*- C++ -*-===//
//
// A checkpoint directory holds model.safetensors, or shards listed by
// model.safetensors.index.json ({"weight_map": {tensor name: shard file}}).
// Opening one validates every file's header against the file's size (a
// truncated file or a header that lies about sizes is an error naming the
// file); tensor data is never read here — the module refers to it by name.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_CHECKPOINT_H
#define ICL_FRONTENDS_HF_CHECKPOINT_H

#include "lib/Support/HostArray.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace icl::hf {

class Checkpoint {
public:
  struct Tensor {
    /// Absolute path of the safetensors file holding it.
    std::string file;
    DType dtype;
    std::vector<int64_t> shape;
  };

  /// Reads the headers of the checkpoint in `dir`.
  static llvm::Expected<Checkpoint> open(llvm::StringRef dir);

  /// The tensor `name`, or null.
  const Tensor *lookup(llvm::StringRef name) const;

  /// The single file of an unsharded checkpoint; empty when sharded.
  llvm::StringRef singleFile() const { return single; }

  /// What the checkpoint is, for messages: its directory.
  llvm::StringRef dir() const { return directory; }

private:
  std::string directory;
  std::string single;
  llvm::StringMap<Tensor> tensors;
};

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_CHECKPOINT_H
