//===- Generate.cpp - Greedy decoding with a fixed-shape model ------------===//

#include "lib/Driver/Generate.h"

namespace icl {

llvm::Expected<std::vector<int64_t>>
greedyGenerate(llvm::function_ref<llvm::Expected<HostArray>(const HostArray &ids)> forward,
               llvm::ArrayRef<int64_t> prompt, int64_t seqLen, unsigned count) {
  if (prompt.empty())
    return llvm::createStringError("greedy generation needs a prompt of at least one token");
  if (static_cast<int64_t>(prompt.size() + count) > seqLen + 1)
    return llvm::createStringError(
        "a prompt of %zu tokens and %u generated ones do not fit the model's %lld positions",
        prompt.size(), count, static_cast<long long>(seqLen));
  std::vector<int64_t> ids(prompt.begin(), prompt.end()), generated;
  for (unsigned step = 0; step < count; ++step) {
    std::vector<int64_t> padded(ids);
    padded.resize(seqLen, 0);
    llvm::Expected<HostArray> logits =
        forward(HostArray::fromInt64(DType::I64, {1, seqLen}, padded));
    if (!logits)
      return logits.takeError();
    if (logits->shape.size() != 3 || logits->shape[0] != 1 || logits->shape[1] != seqLen)
      return llvm::createStringError("greedy generation needs logits of shape [1, %lld, V], got %s",
                                     static_cast<long long>(seqLen),
                                     formatShape(logits->shape).c_str());
    int64_t vocab = logits->shape[2];
    std::vector<double> values = logits->toDouble();
    const double *row = values.data() + (ids.size() - 1) * vocab;
    int64_t best = 0;
    for (int64_t v = 1; v < vocab; ++v)
      if (row[v] > row[best])
        best = v;
    ids.push_back(best);
    generated.push_back(best);
  }
  return generated;
}

} // namespace icl
