//===- Json.cpp - RASP inputs and results as command-line text ------------===//

#include "frontends/rasp/Json.h"
#include "lib/Support/Json.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <charconv>

using namespace llvm;

namespace icl::rasp {

std::vector<Atom> parseTokens(StringRef text) {
  std::vector<Atom> tokens;
  Expected<json::Value> parsed = ::icl::parseJson(text);
  if (parsed) {
    if (const json::Array *array = parsed->getAsArray()) {
      bool allInts = llvm::all_of(
          *array, [](const json::Value &element) { return element.getAsInteger().has_value(); });
      if (allInts) {
        for (const json::Value &element : *array)
          tokens.push_back(Atom::integer(*element.getAsInteger()));
        return tokens;
      }
    }
  } else {
    // Not JSON: the argument is a plain string.
    consumeError(parsed.takeError());
  }
  for (size_t pos = 0; pos < text.size();) {
    size_t length = std::clamp<size_t>(getNumBytesForUTF8(text[pos]), 1, text.size() - pos);
    tokens.push_back(Atom::string(text.substr(pos, length).str()));
    pos += length;
  }
  return tokens;
}

std::string formatAtom(const Atom &atom) {
  switch (atom.getKind()) {
  case Atom::Kind::String: {
    std::string out = "\"";
    for (char c : atom.getString()) {
      if (c == '"' || c == '\\')
        out += std::string("\\") + c;
      else if (static_cast<unsigned char>(c) < 0x20)
        out += "\\u00" + utohexstr(static_cast<unsigned char>(c), /*LowerCase=*/true, 2);
      else
        out += c;
    }
    return out + "\"";
  }
  case Atom::Kind::Int:
    return std::to_string(atom.getInt());
  case Atom::Kind::Float: {
    char buffer[64];
    std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), atom.getFloat());
    std::string out(buffer, result.ptr);
    // "2" would read back as an int.
    if (out.find_first_of(".eni") == std::string::npos)
      out += ".0";
    return out;
  }
  case Atom::Kind::Bool:
    return atom.getBool() ? "true" : "false";
  }
  llvm_unreachable("unknown atom kind");
}

std::string formatJson(ArrayRef<Atom> values) {
  std::string out = "[";
  for (const Atom &value : values) {
    if (out.size() > 1)
      out += ",";
    out += formatAtom(value);
  }
  return out + "]";
}

} // namespace icl::rasp
