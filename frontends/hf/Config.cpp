//===- Config.cpp - A Hugging Face config.json ----------------------------===//

#include "frontends/hf/Config.h"
#include "lib/Support/Files.h"
#include "lib/Support/Json.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

using namespace llvm;

namespace icl::hf {

namespace {

/// Python's json module writes non-finite floats as bare `Infinity`,
/// `-Infinity` and `NaN` (Mamba-2's time_step_limit); strict JSON has no
/// spelling for them. Outside strings, they become 1e999 (which parses as
/// infinity) and {"__float__": "NaN"} (Config::numberValue reads it), so that
/// a NaN is refused where a number must be finite rather than taken as
/// absent.
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
      out += "{\"__float__\": \"NaN\"}";
      i += strlen("NaN") - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/// `value` as JSON text; a non-finite number as Python writes it.
std::string renderJson(const json::Value &value) {
  if (std::optional<double> n = Config::numberValue(value); n && !std::isfinite(*n))
    return std::isnan(*n) ? "NaN" : *n > 0 ? "Infinity" : "-Infinity";
  std::string s;
  raw_string_ostream os(s);
  os << value;
  return s;
}

} // namespace

Expected<Config> Config::load(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
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

std::string Config::render(StringRef key) const {
  return has(key) ? renderJson(*object.get(key)) : "null";
}

Error Config::unsupported(StringRef key, const Twine &supported) const {
  return error("'" + key + "' = " + render(key) + " is not supported by icl's importer (" +
               supported + ")");
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
    return error("'" + key + "' must be an integer, got " + render(key));
  return *v;
}

std::optional<double> Config::numberValue(const json::Value &value) {
  if (std::optional<double> n = value.getAsNumber())
    return n;
  const json::Object *o = value.getAsObject();
  std::optional<StringRef> text = o && o->size() == 1 ? o->getString("__float__") : std::nullopt;
  if (!text)
    return std::nullopt;
  if (*text == "Infinity")
    return std::numeric_limits<double>::infinity();
  if (*text == "-Infinity")
    return -std::numeric_limits<double>::infinity();
  if (*text == "NaN")
    return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

Expected<double> Config::number(StringRef key, double fallback) const {
  if (!has(key))
    return fallback;
  std::optional<double> v = numberValue(*object.get(key));
  if (!v)
    return error("'" + key + "' must be a number, got " + render(key));
  return *v;
}

Expected<bool> Config::boolean(StringRef key, bool fallback) const {
  if (!has(key))
    return fallback;
  std::optional<bool> v = object.get(key)->getAsBoolean();
  if (!v)
    return error("'" + key + "' must be true or false, got " + render(key));
  return *v;
}

Expected<std::string> Config::string(StringRef key, StringRef fallback) const {
  if (!has(key))
    return fallback.str();
  std::optional<StringRef> v = object.get(key)->getAsString();
  if (!v)
    return error("'" + key + "' must be a string, got " + render(key));
  return v->str();
}

} // namespace icl::hf

namespace icl::hf {

void ConfigReader::fail(Error err) {
  std::string message = toString(std::move(err));
  if (first.empty())
    first = std::move(message);
}

int64_t ConfigReader::size(StringRef key, int64_t fallback) {
  if (!config.has(key))
    return inRange(key, fallback, kMaxSize, /*defaulted=*/true);
  return inRange(key, config.integer(key), kMaxSize);
}

int64_t ConfigReader::inRange(StringRef key, Expected<int64_t> value, int64_t max,
                              bool defaulted) {
  if (!value) {
    fail(value.takeError());
    return 1;
  }
  if (*value >= 1 && *value <= max)
    return *value;
  std::string what = defaulted ? ("'" + key + "' is absent and its default here, " +
                                  Twine(*value) + ",")
                                     .str()
                               : ("'" + key + "' = " + Twine(*value)).str();
  if (*value < 1)
    fail(config.error(what + " is not positive" + (defaulted ? ": set it" : "")));
  else
    fail(config.error(what + " exceeds icl's limit of " + Twine(max) +
                      " (docs/security.md says how to raise it)"));
  return 1;
}

double ConfigReader::positive(StringRef key, double fallback) {
  Expected<double> value = config.number(key, fallback);
  if (!value) {
    fail(value.takeError());
    return fallback;
  }
  if (*value > 0 && std::isfinite(*value))
    return *value;
  fail(config.error("'" + key + "' must be a positive, finite number, got " + config.render(key)));
  return fallback;
}

Error ConfigReader::takeError() {
  if (first.empty())
    return Error::success();
  return createStringError(inconvertibleErrorCode(), std::exchange(first, std::string()));
}

} // namespace icl::hf
