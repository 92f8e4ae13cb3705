//===- HfConfigTest.cpp - Tests of the Hugging Face config reader ---------===//
//
// Typed fields with defaults, errors that name the file and the field, the
// non-finite numbers Python's json module writes, and the limits on sizes,
// layer counts and epsilons (docs/security.md).
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
                       "text": "Infinity \"NaN\"", "new": {"__float__": "Infinity"}})");
  const llvm::json::Array *limit = c.get("limit")->getAsArray();
  ASSERT_TRUE(limit);
  EXPECT_TRUE(std::isinf(*Config::numberValue((*limit)[1])));
  EXPECT_LT(*c.number("low", 0), 0);
  EXPECT_TRUE(std::isinf(*c.number("low", 0)));
  // A NaN is a value, not an absent field: readers that need a finite
  // number refuse it.
  EXPECT_TRUE(c.has("bad"));
  EXPECT_TRUE(std::isnan(*c.number("bad", 0)));
  EXPECT_EQ(c.render("bad"), "NaN");
  EXPECT_TRUE(std::isinf(*c.number("new", 0)));
  EXPECT_EQ(c.render("new"), "Infinity");
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

TEST(HfConfig, SizesAndLayerCountsAreBounded) {
  Config c = parse(R"({"n_embd": 64, "n_layer": 4096, "huge": 1e9, "zero": 0, "wide": 1048577,
                       "text": "8"})");
  auto firstError = [&](auto read) {
    ConfigReader r(c);
    int64_t value = read(r);
    EXPECT_EQ(value, 1) << "a failed read returns 1";
    return errorOf(r.takeError());
  };
  ConfigReader ok(c);
  EXPECT_EQ(ok.size("n_embd"), 64);
  EXPECT_EQ(ok.layers("n_layer"), kMaxLayers);
  EXPECT_EQ(ok.size("absent", 4 * 64), 256);
  EXPECT_FALSE(ok.failed());

  EXPECT_EQ(firstError([](ConfigReader &r) { return r.layers("huge"); }),
            "dir/config.json: 'huge' = 1000000000 exceeds icl's limit of 4096 (docs/security.md "
            "says how to raise it)");
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.size("wide"); }),
            "dir/config.json: 'wide' = 1048577 exceeds icl's limit of 1048576 (docs/security.md "
            "says how to raise it)");
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.layers("zero"); }),
            "dir/config.json: 'zero' = 0 is not positive");
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.layers("absent"); }),
            "dir/config.json: missing the integer field 'absent'");
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.size("text"); }),
            "dir/config.json: 'text' must be an integer, got \"8\"");
  // A default computed from other fields is held to the same limits.
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.size("absent", 4 * kMaxSize); }),
            "dir/config.json: 'absent' is absent and its default here, 4194304, exceeds icl's "
            "limit of 1048576 (docs/security.md says how to raise it)");
  EXPECT_EQ(firstError([](ConfigReader &r) { return r.size("absent", 0); }),
            "dir/config.json: 'absent' is absent and its default here, 0, is not positive: set it");
}

TEST(HfConfig, PositiveNumbersAreFinite) {
  Config c = parse(R"({"eps": 1e-5, "nan": NaN, "inf": Infinity, "neg": -1, "zero": 0.0})");
  ConfigReader ok(c);
  EXPECT_DOUBLE_EQ(ok.positive("eps", 1.0), 1e-5);
  EXPECT_DOUBLE_EQ(ok.positive("absent", 2.5), 2.5);
  EXPECT_FALSE(ok.failed());
  for (auto [key, shown] : {std::pair{"nan", "NaN"}, {"inf", "Infinity"}, {"neg", "-1"},
                            {"zero", "0"}}) {
    ConfigReader r(c);
    EXPECT_DOUBLE_EQ(r.positive(key, 3.0), 3.0);
    EXPECT_EQ(errorOf(r.takeError()), "dir/config.json: '" + std::string(key) +
                                          "' must be a positive, finite number, got " + shown);
  }
}

} // namespace
