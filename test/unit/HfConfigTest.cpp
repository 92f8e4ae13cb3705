//===- HfConfigTest.cpp - Tests of the Hugging Face config reader ---------===//
//
// Typed fields with defaults, errors that name the file and the field, and
// the non-finite numbers Python's json module writes.
//
//===----------------------------------------------------------------------===//

#include "frontends/hf/Config.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace icl::hf;

namespace {

Config parse(llvm::StringRef text) {
  llvm::Expected<Config> config = Config::parse(text, "dir/config.json");
  EXPECT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  return std::move(*config);
}

std::string errorOf(llvm::Error err) { return llvm::toString(std::move(err)); }

TEST(HfConfig, FieldsAndDefaults) {
  Config c =
      parse(R"({"n_embd": 64, "eps": 1e-5, "tie": false, "act": "gelu_new", "n_inner": null})");
  EXPECT_EQ(*c.integer("n_embd"), 64);
  EXPECT_EQ(*c.integer("n_inner", 256), 256);
  EXPECT_EQ(*c.integer("absent", 7), 7);
  EXPECT_DOUBLE_EQ(*c.number("eps", 0), 1e-5);
  EXPECT_FALSE(*c.boolean("tie", true));
  EXPECT_EQ(*c.string("act", ""), "gelu_new");
  EXPECT_TRUE(c.has("n_embd"));
  EXPECT_FALSE(c.has("n_inner"));
}

TEST(HfConfig, ErrorsNameFileAndField) {
  Config c = parse(R"({"n_head": "four", "rope_scaling": {"factor": 8}})");
  EXPECT_EQ(errorOf(c.integer("n_head").takeError()),
            "dir/config.json: 'n_head' must be an integer, got \"four\"");
  EXPECT_EQ(errorOf(c.integer("n_layer").takeError()),
            "dir/config.json: missing the integer field 'n_layer'");
  EXPECT_EQ(errorOf(c.unsupported("rope_scaling", "only null")),
            "dir/config.json: 'rope_scaling' = {\"factor\":8} is not supported by icl's "
            "importer (only null)");
  EXPECT_EQ(errorOf(Config::parse("[1]", "x.json").takeError()), "x.json must hold a JSON object");
  EXPECT_NE(errorOf(Config::parse("{", "x.json").takeError()).find("x.json is not valid JSON"),
            std::string::npos);
}

TEST(HfConfig, PythonNonFiniteNumbers) {
  Config c = parse(R"({"limit": [0.0, Infinity], "low": -Infinity, "bad": NaN,
                       "text": "Infinity \"NaN\""})");
  const llvm::json::Array *limit = c.get("limit")->getAsArray();
  ASSERT_TRUE(limit);
  EXPECT_TRUE(std::isinf(*(*limit)[1].getAsNumber()));
  EXPECT_LT(*c.number("low", 0), 0);
  EXPECT_TRUE(std::isinf(*c.number("low", 0)));
  EXPECT_FALSE(c.has("bad"));
  EXPECT_EQ(*c.string("text", ""), "Infinity \"NaN\"");
}

TEST(HfConfig, ReaderKeepsFirstError) {
  Config c = parse(R"({"a": "x", "b": "y", "c": 3})");
  ConfigReader r(c);
  EXPECT_EQ(r.integer("c"), 3);
  EXPECT_EQ(r.integer("a"), 0);
  EXPECT_EQ(r.integer("b", 5), 5);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(errorOf(r.takeError()), "dir/config.json: 'a' must be an integer, got \"x\"");
  EXPECT_FALSE(r.failed());
}

} // namespace
