//===- HfImporter.h - Hugging Face checkpoints as icl modules ----*- C++ -*-===//
//
// Imports a Hugging Face model directory (config.json + model.safetensors, or
// shards listed by model.safetensors.index.json) of a supported architecture
// — gpt2, llama, mamba, mamba2 — as an icl module whose public function
// takes `input_ids: [B, T]` (i64) and returns logits `[B, T, V]` (f32).
// Weights are `icl.weight` references into the checkpoint's files (absolute
// paths), never copies; f16/bf16 weights are converted to f32 when loaded.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_HFIMPORTER_H
#define ICL_FRONTENDS_HF_HFIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace icl::hf {

/// Context length of imported modules when none is asked for: the model's
/// own (max_position_embeddings / n_positions) when smaller.
constexpr int64_t kDefaultSeqLen = 128;

struct HfImportOptions {
  /// Batch size B of the entry point (shapes are static).
  int64_t batch = 1;
  /// Sequence length T; 0 picks min(the model's context length, kDefaultSeqLen).
  int64_t seqLen = 0;
  /// Name of the entry function.
  std::string functionName = "forward";
};

/// True when `path` is a directory holding a config.json.
bool isHuggingFaceDir(llvm::StringRef path);

/// Imports the checkpoint in `dir`. Errors name the file and the field or
/// tensor at fault: an unknown model_type or config value, a missing tensor,
/// a shape or dtype that disagrees with the config, a truncated file.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importHuggingFace(llvm::StringRef dir, mlir::MLIRContext &context,
                  const HfImportOptions &options = {});

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_HFIMPORTER_H
