//===- SourcePaths.h - Files of the source tree for unit tests ---*- C++ -*-===//

#ifndef ICL_TEST_UNIT_SOURCEPATHS_H
#define ICL_TEST_UNIT_SOURCEPATHS_H

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <string>

namespace icl::test {

/// examples/rasp/<name> in the source tree (ICL_SOURCE_DIR, set by CMake:
/// __FILE__ may be relative when ccache rewrites paths).
inline std::string examplePath(llvm::StringRef name) {
  llvm::SmallString<256> path(ICL_SOURCE_DIR);
  llvm::sys::path::append(path, "examples", "rasp", name);
  return std::string(path);
}

} // namespace icl::test

#endif // ICL_TEST_UNIT_SOURCEPATHS_H
