//===- Json.h - JSON with a nesting limit -----------------------*- C++ -*-===//
//
// Every JSON icl reads (safetensors headers, config.json, the safetensors
// index, RASP inputs and vocabularies) goes through parseJson: LLVM's parser
// recurses once per level, so deeply nested hostile text would overflow the
// stack; it is refused first (docs/security.md).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_LIB_SUPPORT_JSON_H
#define ICL_LIB_SUPPORT_JSON_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

namespace icl {

/// The deepest nesting of arrays and objects accepted.
constexpr int kMaxJsonNesting = 64;

/// `text` as JSON, or an error saying why not (invalid, or nested more than
/// kMaxJsonNesting levels deep).
llvm::Expected<llvm::json::Value> parseJson(llvm::StringRef text);

} // namespace icl

#endif // ICL_LIB_SUPPORT_JSON_H
