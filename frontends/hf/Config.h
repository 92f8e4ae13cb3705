//===- Config.h - A Hugging Face config.json ---------------------*- C++ -*-===//
//
// Typed access to the fields of a checkpoint's config.json. Every error names
// the file and the field, so a user knows what to fix. A field that is absent
// or null takes the default the caller gives (Hugging Face's default).
//
// A config is untrusted input: ConfigReader's size, layers and positive
// readers hold every count, width and epsilon to the limits below
// (docs/security.md), so that no product of them overflows and no model is
// built with a layer count that would exhaust memory.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_HF_CONFIG_H
#define ICL_FRONTENDS_HF_CONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace icl::hf {

/// The most layers (n_layer, num_hidden_layers) icl imports.
constexpr int64_t kMaxLayers = 4096;
/// The largest width, head count, vocabulary, context length or other size
/// icl imports: 2^20. Products of two of them, and sums of a few such
/// products, stay far below 2^63.
constexpr int64_t kMaxSize = int64_t(1) << 20;

class Config {
public:
  /// Reads and parses `path`. Python's JSON extensions that Hugging Face
  /// writes (`Infinity`, `-Infinity`, `NaN`) are accepted as numbers.
  static llvm::Expected<Config> load(llvm::StringRef path);

  /// Parses config text; `path` names it in errors.
  static llvm::Expected<Config> parse(llvm::StringRef text, llvm::StringRef path);

  llvm::StringRef path() const { return filePath; }

  /// True when `key` is present and not null.
  bool has(llvm::StringRef key) const;

  /// A required integer field.
  llvm::Expected<int64_t> integer(llvm::StringRef key) const;
  /// An optional integer field.
  llvm::Expected<int64_t> integer(llvm::StringRef key, int64_t fallback) const;
  /// An optional number field: a JSON number, or a non-finite float in
  /// either spelling of numberValue.
  llvm::Expected<double> number(llvm::StringRef key, double fallback) const;
  llvm::Expected<bool> boolean(llvm::StringRef key, bool fallback) const;
  llvm::Expected<std::string> string(llvm::StringRef key, llvm::StringRef fallback) const;

  /// The raw value of `key` (null when absent).
  const llvm::json::Value *get(llvm::StringRef key) const { return object.get(key); }

  /// `value` as a number: a JSON number, or a non-finite float as recent
  /// transformers versions write it, {"__float__": "Infinity"} ("-Infinity",
  /// "NaN"). Bare Infinity and NaN, which older versions write, are
  /// rewritten to these forms when the file is parsed.
  static std::optional<double> numberValue(const llvm::json::Value &value);

  /// `key`'s value as JSON text ("null" when absent), for messages.
  std::string render(llvm::StringRef key) const;

  /// "<path>: <message>" as an error.
  llvm::Error error(const llvm::Twine &message) const;

  /// An error saying that `key` (with its value) is not supported, and what
  /// the importer does support.
  llvm::Error unsupported(llvm::StringRef key, const llvm::Twine &supported) const;

private:
  Config(llvm::json::Object object, std::string path)
      : object(std::move(object)), filePath(std::move(path)) {}

  llvm::json::Object object;
  std::string filePath;
};

/// Reads many fields and keeps the first error, so an emitter can read its
/// hyperparameters in a row and check once: `int64_t d = r.size("n_embd");
/// ... if (Error e = r.takeError()) return e;`. Failed reads return the default
/// (or 0; 1 for sizes and layer counts).
class ConfigReader {
public:
  explicit ConfigReader(const Config &config) : config(config) {}

  int64_t integer(llvm::StringRef key) { return keep(config.integer(key), 0); }
  int64_t integer(llvm::StringRef key, int64_t fallback) {
    return keep(config.integer(key, fallback), fallback);
  }
  double number(llvm::StringRef key, double fallback) {
    return keep(config.number(key, fallback), fallback);
  }
  bool boolean(llvm::StringRef key, bool fallback) {
    return keep(config.boolean(key, fallback), fallback);
  }
  std::string string(llvm::StringRef key, llvm::StringRef fallback) {
    return keep(config.string(key, fallback), fallback.str());
  }
  /// A required count or size: an integer in [1, kMaxSize].
  int64_t size(llvm::StringRef key) { return inRange(key, config.integer(key), kMaxSize); }
  /// An optional one: `fallback` when absent, which must lie in the same
  /// range (a default computed from other fields may not).
  int64_t size(llvm::StringRef key, int64_t fallback);
  /// The required layer count `key`: an integer in [1, kMaxLayers].
  int64_t layers(llvm::StringRef key) { return inRange(key, config.integer(key), kMaxLayers); }
  /// An optional positive, finite number (an epsilon, RoPE's theta).
  double positive(llvm::StringRef key, double fallback);

  /// Records `err` unless an earlier error is already kept.
  void fail(llvm::Error err);

  /// The first error kept, or success.
  llvm::Error takeError();
  bool failed() const { return !first.empty(); }

private:
  template <typename T, typename U> T keep(llvm::Expected<T> value, U fallback) {
    if (value)
      return std::move(*value);
    fail(value.takeError());
    return fallback;
  }
  /// `value` when it lies in [1, max]; otherwise records the error and
  /// returns 1, so that what an emitter computes from it stays in range.
  /// `defaulted`: `key` is absent and `value` is the default.
  int64_t inRange(llvm::StringRef key, llvm::Expected<int64_t> value, int64_t max,
                  bool defaulted = false);

  const Config &config;
  std::string first;
};

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_CONFIG_H
