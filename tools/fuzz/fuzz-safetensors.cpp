//===- fuzz-safetensors.cpp - The safetensors reader under libFuzzer ------===//
//
// The input is a whole safetensors file (SafeTensorsFile::fromBuffer, which
// open() and the Hugging Face importer use). Every entry that validates is
// read in full, so a bad offset shows up as a read out of bounds. Seeds: the
// .safetensors files of test/.
//
//===----------------------------------------------------------------------===//

#include "lib/Support/SafeTensors.h"
#include "tools/fuzz/FuzzSupport.h"

using namespace icl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(fuzz::asText(data, size), "fuzz.safetensors");
  llvm::Expected<std::unique_ptr<SafeTensorsFile>> file =
      SafeTensorsFile::fromBuffer(std::move(buffer));
  if (!file) {
    fuzz::expectMessage(file.takeError());
    return 0;
  }
  volatile uint8_t sum = 0;
  for (const SafeTensorsFile::Entry &entry : (*file)->entries()) {
    for (uint8_t byte : entry.data)
      sum += byte;
    (void)(*file)->lookup(entry.name);
  }
  return 0;
}
