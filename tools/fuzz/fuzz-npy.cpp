//===- fuzz-npy.cpp - The .npy reader under libFuzzer ---------------------===//
//
// The input is a whole .npy file (parseNpy: what readNpy reads for
// --input, --expect and the weights a module names). Seeds: the .npy files
// of test/.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/Npy.h"
#include "tools/fuzz/FuzzSupport.h"

using namespace icl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<HostArray> array = parseNpy(fuzz::asText(data, size), "fuzz.npy");
  if (!array) {
    fuzz::expectMessage(array.takeError());
    return 0;
  }
  // A parsed array must round-trip: its bytes are read in full.
  llvm::Expected<std::string> again = serializeNpy(*array);
  if (!again)
    fuzz::expectMessage(again.takeError());
  return 0;
}
