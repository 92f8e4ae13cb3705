//===- Json.cpp - JSON with a nesting limit -------------------------------===//

#include "lib/Support/Json.h"

#include <algorithm>

using namespace llvm;

namespace icl {

namespace {

/// The deepest nesting of [ and { in `text`, ignoring string contents; stops
/// counting past `limit`.
int jsonNesting(StringRef text, int limit) {
  int depth = 0, maxDepth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      maxDepth = std::max(maxDepth, ++depth);
      if (maxDepth > limit)
        return maxDepth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return maxDepth;
}

} // namespace

Expected<json::Value> parseJson(StringRef text) {
  if (jsonNesting(text, kMaxJsonNesting) > kMaxJsonNesting)
    return createStringError("nested more than " + Twine(kMaxJsonNesting) +
                             " levels deep (the limit of icl's JSON reader)");
  return json::parse(text);
}

} // namespace icl
