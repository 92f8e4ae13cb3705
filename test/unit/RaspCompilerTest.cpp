//===- RaspCompilerTest.cpp - Tests of the RASP compiler ------------------===//
//
// Every program of examples/rasp (and constructions the examples do not
// reach: defaults, composite selectors, averages read as categories, maps of
// several s-ops) is compiled, emitted as an icl module, parsed, and run by
// the reference evaluator in float32 on every input up to a small length;
// the decoded outputs must equal the interpreter's. Then the sizes that
// docs/rasp.md reports, the weights' conventions, and every kind of error.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/Compiler.h"
#include "frontends/rasp/Interpreter.h"
#include "frontends/rasp/Json.h"
#include "frontends/rasp/ModelEmitter.h"
#include "lib/Reference/Evaluator.h"
#include "lib/Driver/ModuleLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Path.h"

#include "test/unit/SourcePaths.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <string>

using namespace icl::rasp;
using llvm::StringRef;

namespace {

using icl::test::examplePath;

/// The compiled model of `sop`, or the compiler's error message.
llvm::Expected<Transformer> compile(const Program &program, StringRef sop, StringRef vocab,
                                    unsigned maxLen, bool causal = false) {
  llvm::Expected<const Node *> node = program.getSOp(sop);
  if (!node)
    return node.takeError();
  CompileOptions options;
  options.vocab = parseTokens(vocab);
  options.maxLen = maxLen;
  options.causal = causal;
  return compileTransformer(**node, options);
}

/// Compiles `sop`, emits the module and runs it with the reference
/// evaluator on every input of 1..maxLen tokens over `vocab`, comparing
/// with the interpreter. The model goes to `out` when given.
testing::AssertionResult matchesInterpreter(const Program &program, StringRef sop,
                                            StringRef vocab, unsigned maxLen, bool causal = false,
                                            Transformer *out = nullptr) {
  llvm::Expected<Transformer> model = compile(program, sop, vocab, maxLen, causal);
  if (!model)
    return testing::AssertionFailure() << llvm::toString(model.takeError());
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(*model, sop, context);
  if (!module)
    return testing::AssertionFailure() << "the built module does not verify";
  llvm::Expected<mlir::func::FuncOp> func = icl::findEntryFunction(*module, sop);
  if (!func)
    return testing::AssertionFailure() << llvm::toString(func.takeError());
  const Node &node = **program.getSOp(sop);
  icl::ref::EvaluatorOptions evaluatorOptions;
  evaluatorOptions.precision = icl::ref::Precision::F32;
  size_t checked = 0;
  for (const std::vector<Atom> &input :
       verificationInputs(model->vocab, maxLen, std::numeric_limits<size_t>::max(), 0, 0).inputs) {
    llvm::Expected<Sequence> expected = evaluate(node, input);
    if (!expected) {
      llvm::consumeError(expected.takeError());
      continue;
    }
    std::vector<int64_t> ids = llvm::cantFail(model->encode(input));
    icl::HostArray array =
        icl::HostArray::fromInt64(icl::DType::I64, {1, int64_t(model->length())}, ids);
    llvm::Expected<std::vector<icl::HostArray>> outputs =
        icl::ref::evaluate(*func, {array}, evaluatorOptions);
    if (!outputs)
      return testing::AssertionFailure() << llvm::toString(outputs.takeError());
    Sequence actual = model->decode(outputs->front().toDouble(), input.size());
    for (size_t i = 0; i < input.size(); ++i)
      if (!sameValue((*expected)[i], actual[i]))
        return testing::AssertionFailure()
               << "on " << formatJson(input) << " the interpreter gives " << formatJson(*expected)
               << " but the transformer " << formatJson(actual);
    ++checked;
  }
  if (checked == 0)
    return testing::AssertionFailure() << "no input was checked";
  if (out)
    *out = std::move(*model);
  return testing::AssertionSuccess();
}

std::unique_ptr<Program> loadExample(StringRef file) {
  return llvm::cantFail(Program::fromFile(examplePath(file)));
}

std::unique_ptr<Program> loadSource(StringRef source) {
  return llvm::cantFail(Program::fromSource(source, "test.rasp"));
}

/// The compiler's error for `sop`, or "" when it compiles.
std::string compileError(const Program &program, StringRef sop, StringRef vocab,
                         unsigned maxLen, bool causal = false) {
  llvm::Expected<Transformer> model = compile(program, sop, vocab, maxLen, causal);
  return model ? "" : llvm::toString(model.takeError());
}

size_t headCount(const Transformer &model) {
  size_t heads = 0;
  for (const TransformerLayer &layer : model.layers)
    heads += layer.heads.size();
  return heads;
}

//===----------------------------------------------------------------------===//
// Examples against the interpreter; sizes as in docs/rasp.md
//===----------------------------------------------------------------------===//

TEST(RaspCompiler, Length) {
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*loadExample("length.rasp"), "input_length", "abc", 5,
                                 false, &model));
  EXPECT_EQ(model.layers.size(), 1u);
  EXPECT_EQ(model.width(), 3u);
}

TEST(RaspCompiler, Histogram) {
  Transformer model;
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("histogram.rasp"), "histogram", "abc", 5, false, &model));
  EXPECT_EQ(model.layers.size(), 1u);
  EXPECT_EQ(model.width(), 5u);
}

TEST(RaspCompiler, Reverse) {
  Transformer model;
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("reverse.rasp"), "reverse", "abc", 5, false, &model));
  // Tracr: 4 layers. The length and `length - indices - 1` fuse into one
  // MLP after the head that averages `indices == 0`; the index is compared
  // through its square, so three functions of it fill the position
  // embedding instead of a one-hot.
  EXPECT_EQ(model.layers.size(), 2u);
  EXPECT_EQ(model.width(), 11u);
}

TEST(RaspCompiler, Sort) {
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*loadExample("sort.rasp"), "sorted", "abc", 5, false, &model));
  // The `or` of the ordering splits into two counting heads in one layer.
  EXPECT_EQ(model.layers.size(), 2u);
  EXPECT_EQ(model.layers[0].heads.size(), 2u);
}

TEST(RaspCompiler, SortInt) {
  std::unique_ptr<Program> program = loadExample("sort_int.rasp");
  EXPECT_TRUE(matchesInterpreter(*program, "sorted_ints", "[1,2,3]", 5));
  EXPECT_TRUE(matchesInterpreter(*program, "sorted_ints_desc", "[1,2,3]", 5));
}

TEST(RaspCompiler, SortFreq) {
  Transformer model;
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("sort_freq.rasp"), "sort_freq", "abc", 5, false, &model));
  EXPECT_EQ(model.layers.size(), 3u);
}

TEST(RaspCompiler, FracPrevs) {
  Transformer model;
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("frac_prevs.rasp"), "frac_x", "xab", 5, false, &model));
  // One causal head averaging a map of the tokens; no MLP.
  ASSERT_EQ(model.layers.size(), 1u);
  EXPECT_EQ(model.layers[0].mlpIn.rows, 0u);
  EXPECT_EQ(model.layers[0].heads[0].mask, AttentionHead::Mask::Causal);
  // notbos, `tokens == "x"` (all the head reads of the tokens), the mean.
  EXPECT_EQ(model.width(), 3u);
}

TEST(RaspCompiler, PairBalance) {
  Transformer model;
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("pair_balance.rasp"), "balance", "()", 7, false, &model));
  // The difference of two averages is read linearly: two heads, no MLP.
  ASSERT_EQ(model.layers.size(), 1u);
  EXPECT_EQ(model.layers[0].heads.size(), 2u);
  EXPECT_EQ(model.mlpWidth(), 0u);
}

TEST(RaspCompiler, Dyck) {
  EXPECT_TRUE(matchesInterpreter(*loadExample("dyck1.rasp"), "dyck1", "()", 7));
  EXPECT_TRUE(matchesInterpreter(*loadExample("dyck2.rasp"), "dyck2", "(){}", 4));
}

TEST(RaspCompiler, ShuffleDyck) {
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*loadExample("shuffle_dyck.rasp"), "shuffle_dyck", "(){}", 4,
                                 false, &model));
  // Fusing the whole output into one MLP would take thousands of units;
  // storing its parts keeps every MLP small.
  EXPECT_LT(model.mlpWidth(), 300u);
}

TEST(RaspCompiler, OtherExamples) {
  std::unique_ptr<Program> counting = loadExample("counting.rasp");
  EXPECT_TRUE(matchesInterpreter(*counting, "count_a", "abc", 5));
  EXPECT_TRUE(matchesInterpreter(*counting, "running_count_a", "abc", 5));
  EXPECT_TRUE(matchesInterpreter(*loadExample("detect_pattern.rasp"), "detect_abc", "abc", 5));
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("double_histogram.rasp"), "double_histogram", "abc", 5));
  EXPECT_TRUE(matchesInterpreter(*loadExample("prefix_sum.rasp"), "prefix_sum", "[0,1,2]", 5));
  std::unique_ptr<Program> shift = loadExample("shift.rasp");
  EXPECT_TRUE(matchesInterpreter(*shift, "shift_right", "abc", 5));
  EXPECT_TRUE(matchesInterpreter(*shift, "shift_left", "abc", 5));
}

TEST(RaspCompiler, Causal) {
  std::unique_ptr<Program> dyck1 = loadExample("dyck1.rasp");
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*dyck1, "dyck1", "()", 7, /*causal=*/true, &model));
  for (const TransformerLayer &layer : model.layers)
    for (const AttentionHead &head : layer.heads)
      EXPECT_EQ(head.mask, AttentionHead::Mask::Causal);
  EXPECT_TRUE(
      matchesInterpreter(*loadExample("frac_prevs.rasp"), "frac_x", "xab", 5, /*causal=*/true));
}

//===----------------------------------------------------------------------===//
// Constructions
//===----------------------------------------------------------------------===//

TEST(RaspCompiler, Defaults) {
  std::unique_ptr<Program> program = loadSource(R"rasp(
earlier_mean = aggregate(select(indices, indices, <), tokens_int, 7);
previous = aggregate(select(indices, indices - 1, ==), tokens, "none");
later_sum = aggregate(select(indices, indices, >), tokens_int, -2) * (length - indices - 1);
)rasp");
  EXPECT_TRUE(matchesInterpreter(*program, "earlier_mean", "[1,2,5]", 5));
  EXPECT_TRUE(matchesInterpreter(*program, "previous", "ab", 5));
  EXPECT_TRUE(matchesInterpreter(*program, "later_sum", "[0,3]", 5));
}

TEST(RaspCompiler, CompositeSelectors) {
  std::unique_ptr<Program> program = loadSource(R"rasp(
# One pair of s-ops: any formula is one score table.
unequal = selector_width(select(tokens, tokens, <) or select(tokens, tokens, >));
# Conjunctions over several pairs and comparisons with atoms: one head.
other_as_before = aggregate(not select(indices, indices, ==) and select(tokens, "a", ==) and
                            select(indices, indices, <), indicator(tokens == "b"));
# A negated conjunction over two pairs, counted by inclusion-exclusion.
not_same_or_later = selector_width(not (select(tokens, tokens, ==) and
                                        select(indices, indices, <=)));
)rasp");
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*program, "unequal", "abc", 5, false, &model));
  EXPECT_EQ(headCount(model), 1u);
  EXPECT_TRUE(matchesInterpreter(*program, "other_as_before", "abc", 5, false, &model));
  EXPECT_EQ(headCount(model), 1u);
  EXPECT_TRUE(matchesInterpreter(*program, "not_same_or_later", "abc", 5));
}

TEST(RaspCompiler, SelectorsOverTuples) {
  // Not a conjunction of per-pair parts: one head scores a table over
  // stored (query tuple, key tuple) one-hots.
  std::unique_ptr<Program> program = loadSource(R"rasp(
before = select(tokens_int, tokens_int, <) or
         (select(tokens_int, tokens_int, ==) and select(indices, indices, <));
mean_before = aggregate(before, tokens_int);
a_or_here = aggregate(select(tokens, "a", ==) or select(indices, indices, ==),
                      indicator(tokens == "b"));
)rasp");
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*program, "mean_before", "[1,2,3]", 5, false, &model));
  EXPECT_EQ(headCount(model), 1u);
  EXPECT_TRUE(matchesInterpreter(*program, "a_or_here", "abc", 5, false, &model));
  EXPECT_EQ(headCount(model), 1u);
}

TEST(RaspCompiler, AveragesReadAsCategories) {
  // A mean compared with itself needs its one-hot form: an MLP stores it.
  std::unique_ptr<Program> program = loadSource(R"rasp(
frac = aggregate(select(indices, indices, <=), indicator(tokens == "a"));
same_frac = selector_width(select(frac, frac, ==));
)rasp");
  EXPECT_TRUE(matchesInterpreter(*program, "same_frac", "ab", 6));
}

TEST(RaspCompiler, MapsOfSeveralSOps) {
  std::unique_ptr<Program> program = loadSource(R"rasp(
pairs = tokens + shift(tokens, 1, "_");
scaled = round(aggregate(select(indices, indices, <=), tokens_int) * 10) % 7;
mixed = tokens_int * selector_width(select(tokens_int, tokens_int, <)) - indices;
)rasp");
  EXPECT_TRUE(matchesInterpreter(*program, "pairs", "ab", 5));
  EXPECT_TRUE(matchesInterpreter(*program, "scaled", "[0,1,2]", 5));
  EXPECT_TRUE(matchesInterpreter(*program, "mixed", "[1,2,3]", 5));
}

TEST(RaspCompiler, InputsWithoutLayers) {
  std::unique_ptr<Program> program = loadSource(R"rasp(
upper = tokens == "a";
position = indices * 2;
)rasp");
  Transformer model;
  EXPECT_TRUE(matchesInterpreter(*program, "upper", "ab", 4, false, &model));
  EXPECT_TRUE(model.layers.empty());
  EXPECT_TRUE(matchesInterpreter(*program, "position", "ab", 4, false, &model));
  EXPECT_TRUE(model.layers.empty());
}

//===----------------------------------------------------------------------===//
// Conventions of the weights
//===----------------------------------------------------------------------===//

TEST(RaspCompiler, BosAndPadding) {
  Transformer model =
      llvm::cantFail(compile(*loadExample("reverse.rasp"), "reverse", "abc", 5));
  EXPECT_EQ(model.length(), 6u);
  EXPECT_EQ(llvm::cantFail(model.encode(parseTokens("ca"))),
            (std::vector<int64_t>{Transformer::kBosId, 4, 2, Transformer::kPadId,
                                  Transformer::kPadId, Transformer::kPadId}));
  // BOS (id 0 at position 0) embeds to zero: its residual stays zero.
  for (size_t c = 0; c < model.width(); ++c) {
    EXPECT_EQ(model.tokenEmbedding.at(Transformer::kBosId, c), 0.0);
    EXPECT_EQ(model.positionEmbedding.at(0, c), 0.0);
  }
}

TEST(RaspCompiler, QueryScaleFolded) {
  // The attention op divides logits by sqrt(dk); the queries undo it, so a
  // match scores 100 per part whatever the head size.
  Transformer model =
      llvm::cantFail(compile(*loadExample("histogram.rasp"), "histogram", "abcd", 5));
  const AttentionHead &head = model.layers[0].heads[0];
  double largest = 0;
  for (double w : head.query.data)
    largest = std::max(largest, std::abs(w));
  EXPECT_DOUBLE_EQ(largest, 100 * std::sqrt(double(head.query.rows)));
  EXPECT_GT(head.query.rows, 1u);
}

TEST(RaspCompiler, Decode) {
  Transformer model =
      llvm::cantFail(compile(*loadExample("frac_prevs.rasp"), "frac_x", "xab", 3));
  // A number near a listed value decodes to it; far from all, to itself.
  std::vector<double> out = {0, 1.0000001, 0.4999999, 0.25};
  Sequence values = model.decode(out, 3);
  EXPECT_EQ(formatJson(values), "[1,0.5,0.25]");
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(RaspCompiler, InexpressibleSelector) {
  // A head over the tuple (tokens_int, indices) would need 40 * 30 one-hot
  // dimensions.
  std::unique_ptr<Program> program = loadSource(R"rasp(
smaller_or_here = select(tokens_int, tokens_int, <) or select(indices, indices, ==);
mean = aggregate(smaller_or_here, tokens_int);
)rasp");
  std::string vocab = "[0";
  for (int v = 1; v < 40; ++v)
    vocab += "," + std::to_string(v);
  vocab += "]";
  EXPECT_EQ(compileError(*program, "mean", vocab, 30),
            "test.rasp:3:8: error: cannot compile 'aggregate(smaller_or_here, tokens_int)': its "
            "selector compares 'tokens_int', 'indices' jointly, which take 1200 combinations of "
            "values, more than 1024 one-hot dimensions");
}

TEST(RaspCompiler, MixedAverage) {
  std::unique_ptr<Program> program =
      loadSource("mixed = aggregate(select(indices, indices, <=), 1 if indices == 0 else \"a\");");
  EXPECT_EQ(compileError(*program, "mixed", "ab", 3),
            "test.rasp:1:9: error: cannot compile 'aggregate(select(indices, indices, <=), 1 if "
            "indices == 0 else \"a\")': it may average several values of which some are numbers "
            "and some are not");
}

TEST(RaspCompiler, CausalNeedsFuture) {
  std::string error = compileError(*loadExample("sort_int.rasp"), "sorted_ints", "[1,2]", 3,
                                   /*causal=*/true);
  EXPECT_NE(error.find("<library>:62:12: error: cannot compile 'selector_width(before)': its "
                       "selector may select a key after the query position (query 0 may select "
                       "key 1 for inputs of length 2), which a causal model cannot see (reached "
                       "from "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("sort_int.rasp:6:15)"), std::string::npos) << error;
}

TEST(RaspCompiler, LongChains) {
  // Each map of a chain reads the values of the one before instead of
  // evaluating the chain again (quadratic), without recursion.
  std::string chain = "x = tokens_int;\n";
  for (int i = 0; i < 20000; ++i)
    chain += "x = x + 1;\n";
  chain += "y = x * indices;\n";
  std::unique_ptr<Program> program = loadSource(chain);
  EXPECT_TRUE(matchesInterpreter(*program, "x", "[1,2]", 3));
  EXPECT_TRUE(matchesInterpreter(*program, "y", "[1,2]", 3));
  // Maps that read a map twice: visited once each, not 2^30 times.
  std::unique_ptr<Program> shared = loadSource(
      "x = tokens_int;\nfor i in range(30) { y = x + 1; x = x + y; }\nz = x * indices;");
  EXPECT_TRUE(matchesInterpreter(*shared, "z", "[1,2]", 3));
}

TEST(RaspCompiler, SelectorFormulaSize) {
  // A selector combined with itself nine times is a formula of 511
  // operations.
  std::unique_ptr<Program> program = loadSource(
      "s = select(indices, indices, ==);\nfor i in range(9) { s = s and s; }\n"
      "x = aggregate(s, tokens);");
  EXPECT_EQ(compileError(*program, "x", "ab", 3),
            "test.rasp:3:5: error: cannot compile 'aggregate(s, tokens)': its selector combines "
            "select( comparisons with more than 256 and/or/not operations (counting each use of "
            "a shared selector)");
}

TEST(RaspCompiler, VocabularyOfWrongType) {
  EXPECT_EQ(compileError(*loadExample("sort_int.rasp"), "sorted_ints", "1a", 3),
            "error: the vocabulary token \"a\" is not an int, but the program reads tokens_int");
}

TEST(RaspCompiler, TooManyCategories) {
  std::unique_ptr<Program> program = loadSource(R"rasp(
code = tokens_int * 1000 + indices;
same = selector_width(select(code, code, ==));
)rasp");
  std::string vocab = "[0";
  for (int v = 1; v < 40; ++v)
    vocab += "," + std::to_string(v);
  vocab += "]";
  EXPECT_EQ(compileError(*program, "same", vocab, 30),
            "test.rasp:2:8: error: cannot compile 'tokens_int * 1000 + indices': it is read as "
            "categories (one dimension each) but can take 1200 different values, more than "
            "1024; use a smaller --max-len or vocabulary");
}

TEST(RaspCompiler, BadInputs) {
  Transformer model =
      llvm::cantFail(compile(*loadExample("reverse.rasp"), "reverse", "abc", 3));
  llvm::Expected<std::vector<int64_t>> unknown = model.encode(parseTokens("abz"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(llvm::toString(unknown.takeError()),
            "error: input token \"z\" at position 2 is not in the vocabulary");
  llvm::Expected<std::vector<int64_t>> tooLong = model.encode(parseTokens("abca"));
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(llvm::toString(tooLong.takeError()),
            "error: the input has 4 tokens, but the model was compiled for at most 3 "
            "(--max-len)");
  EXPECT_EQ(compileError(*loadExample("reverse.rasp"), "reverse", "", 3),
            "error: the vocabulary is empty");
}

} // namespace
