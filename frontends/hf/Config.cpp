//===- Config.cpp - A Hugging Face config.json ----------------------------===//

#include "frontends/hf/Config.h"
#include "lib/Support/Json.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <utility>

using namespace llvm;

namespace icl::hf {

namespace {

/// Python's json module writes non-finite floats as bare `Infinity`,
/// `-Infinity` and `NaN` (Mamba-2's time_step_limit); strict JSON has no
/// spelling for them. Outside strings, they become 1e999 (which parses as
/// infinity) and null.
std::string acceptPythonNumbers(StringRef text) {
  std::string out;
  out.reserve(text.size());
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    StringRef rest = text.substr(i);
    if (c == '"') {
      inString = true;
      out += c;
    } else if (rest.starts_with("Infinity")) {
      out += "1e999";
      i += strlen("Infinity") - 1;
    } else if (rest.starts_with("NaN")) {
      out += "null";
      i += strlen("NaN") - 1;
    } else {
      out += c;
    }
  }
  return out;
}

std::string render(const json::Value &value) {
  std::string s;
  raw_string_ostream os(s);
  os << value;
  return s;
}

} // namespace

Expected<Config> Config::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return createStringError(buffer.getError(), "cannot read %s: %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  return parse((*buffer)->getBuffer(), path);
}

Expected<Config> Config::parse(StringRef text, StringRef path) {
  Expected<json::Value> value = ::icl::parseJson(acceptPythonNumbers(text));
  if (!value)
    return createStringError("%s is not valid JSON: %s", path.str().c_str(),
                             toString(value.takeError()).c_str());
  json::Object *object = value->getAsObject();
  if (!object)
    return createStringError("%s must hold a JSON object", path.str().c_str());
  return Config(std::move(*object), path.str());
}

bool Config::has(StringRef key) const {
  const json::Value *v = object.get(key);
  return v && v->kind() != json::Value::Null;
}

Error Config::error(const Twine &message) const {
  return createStringError(inconvertibleErrorCode(), (filePath + ": " + message).str());
}

Error Config::unsupported(StringRef key, const Twine &supported) const {
  std::string value = has(key) ? render(*object.get(key)) : "null";
  return error("'" + key + "' = " + value + " is not supported by icl's importer (" + supported +
               ")");
}

Expected<int64_t> Config::integer(StringRef key) const {
  if (!has(key))
    return error("missing the integer field '" + key + "'");
  return integer(key, 0);
}

Expected<int64_t> Config::integer(StringRef key, int64_t fallback) const {
  if (!has(key))
    return fallback;
  std::optional<int64_t> v = object.get(key)->getAsInteger();
  if (!v)
    return error("'" + key + "' must be an integer, got " + render(*object.get(key)));
  return *v;
}

Expected<double> Config::number(StringRef key, double fallback) const {
  if (!has(key))
    return fallback;
  std::optional<double> v = object.get(key)->getAsNumber();
  if (!v)
    return error("'" + key + "' must be a number, got " + render(*object.get(key)));
  return *v;
}

Expected<bool> Config::boolean(StringRef key, bool fallback) const {
  if (!has(key))
    return fallback;
  std::optional<bool> v = object.get(key)->getAsBoolean();
  if (!v)
    return error("'" + key + "' must be true or false, got " + render(*object.get(key)));
  return *v;
}

Expected<std::string> Config::string(StringRef key, StringRef fallback) const {
  if (!has(key))
    return fallback.str();
  std::optional<StringRef> v = object.get(key)->getAsString();
  if (!v)
    return error("'" + key + "' must be a string, got " + render(*object.get(key)));
  return v->str();
}

} // namespace icl::hf

namespace icl::hf {

void ConfigReader::fail(Error err) {
  std::string message = toString(std::move(err));
  if (first.empty())
    first = std::move(message);
}

void ConfigReader::requirePositive(StringRef key, int64_t value) {
  if (value <= 0)
    fail(config.error("'" + key + "' must be positive, got " + Twine(value)));
}

Error ConfigReader::takeError() {
  if (first.empty())
    return Error::success();
  return createStringError(inconvertibleErrorCode(), std::exchange(first, std::string()));
}

} // namespace icl::hf
