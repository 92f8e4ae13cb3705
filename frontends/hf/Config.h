//===- Config.h - A Hugging Face config.json ---------------------*- C++ -*-===//
//
// Typed access to the fields of a checkpoint's config.json. Every error names
// the file and the field, so a user knows what to fix. A field that is absent
// or null takes the default the caller gives (Hugging Face's default).
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
  llvm::Expected<double> number(llvm::StringRef key, double fallback) const;
  llvm::Expected<bool> boolean(llvm::StringRef key, bool fallback) const;
  llvm::Expected<std::string> string(llvm::StringRef key, llvm::StringRef fallback) const;

  /// The raw value of `key` (null when absent).
  const llvm::json::Value *get(llvm::StringRef key) const { return object.get(key); }

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
/// hyperparameters in a row and check once: `int64_t d = r.integer("n_embd");
/// ... if (Error e = r.takeError()) return e;`. Failed reads return the default
/// (or 0).
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
  /// Records `err` unless an earlier error is already kept.
  void fail(llvm::Error err);
  /// A positivity check on a field that was read: records "'key' must be
  /// positive" when `value <= 0`.
  void requirePositive(llvm::StringRef key, int64_t value);

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

  const Config &config;
  std::string first;
};

} // namespace icl::hf

#endif // ICL_FRONTENDS_HF_CONFIG_H
