//===- Json.h - RASP inputs and results as command-line text ----*- C++ -*-===//
//
// The text forms of the command-line contract (RASP.md): an INPUT or VOCAB
// argument is a JSON array of integers (int tokens; "[]" is the empty input)
// or else a plain string whose characters (UTF-8 code points) are the
// tokens. A result prints as one line of compact JSON: strings, ints,
// true/false and floats in their shortest round-trip form (so never fewer
// significant digits than the double holds), always with a '.' or an
// exponent so that they read back as floats.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_JSON_H
#define ICL_FRONTENDS_RASP_JSON_H

#include "frontends/rasp/Value.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace icl::rasp {

/// The tokens of an INPUT or VOCAB argument: Int atoms for a JSON array of
/// integers, String atoms of one character each otherwise.
std::vector<Atom> parseTokens(llvm::StringRef text);

/// One atom as JSON ("a" quoted and escaped, 3, 0.5, true).
std::string formatAtom(const Atom &atom);

/// A sequence as a one-line JSON array, e.g. ["d","c","b","a"].
std::string formatJson(llvm::ArrayRef<Atom> values);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_JSON_H
