//===- Generate.h - Greedy decoding with a fixed-shape model -----*- C++ -*-===//

#ifndef ICL_LIB_DRIVER_GENERATE_H
#define ICL_LIB_DRIVER_GENERATE_H

#include "lib/Support/HostArray.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace icl {

/// Generates `count` tokens greedily after `prompt` with a causal language
/// model of static shape: `forward` maps ids [1, seqLen] (i64) to logits
/// [1, seqLen, V]. Each step pads the ids so far with token 0 to seqLen —
/// in a causal model later positions do not change earlier logits — and
/// appends the argmax of the logits at the last real position (ties: the
/// lowest id). Needs prompt.size() + count <= seqLen + 1 and a non-empty prompt.
llvm::Expected<std::vector<int64_t>>
greedyGenerate(llvm::function_ref<llvm::Expected<HostArray>(const HostArray &ids)> forward,
               llvm::ArrayRef<int64_t> prompt, int64_t seqLen, unsigned count);

} // namespace icl

#endif // ICL_LIB_DRIVER_GENERATE_H
