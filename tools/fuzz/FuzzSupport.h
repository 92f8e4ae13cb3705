//===- FuzzSupport.h - What the fuzz targets share ---------------*- C++ -*-===//
//
// The fuzz targets of tools/fuzz (README.md): a scratch directory per
// process for readers that take a path, and a check that a reader's error
// is a message rather than silence.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_TOOLS_FUZZ_FUZZSUPPORT_H
#define ICL_TOOLS_FUZZ_FUZZSUPPORT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace icl::fuzz {

/// A directory of this process's own, made on first use and removed at exit.
const std::string &scratchDir();

/// Writes `bytes` to `path` (replacing it); aborts if it cannot, since the
/// fuzz run would test nothing.
void writeBytes(const std::string &path, llvm::StringRef bytes);

/// Copies every regular file of `from` into `to` (made if missing).
void copyDir(const std::string &from, const std::string &to);

/// Consumes `result`'s error, aborting if it is empty: a reader that fails
/// must say why (docs/security.md).
void expectMessage(llvm::Error error);

/// The input as a StringRef.
inline llvm::StringRef asText(const uint8_t *data, size_t size) {
  return llvm::StringRef(reinterpret_cast<const char *>(data), size);
}

} // namespace icl::fuzz

#endif // ICL_TOOLS_FUZZ_FUZZSUPPORT_H
