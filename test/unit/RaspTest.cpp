//===- RaspTest.cpp - Tests of the RASP front end -------------------------===//
//
// The lexer, every precedence level of the parser, every parser and
// interpreter error message, the semantics of aggregate, selectors and the
// elementwise operators, the graph the interpreter builds, the library, the
// INPUT/JSON text forms, and every program of examples/rasp on inputs whose
// results were worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/Interpreter.h"
#include "frontends/rasp/Json.h"
#include "frontends/rasp/Lexer.h"
#include "frontends/rasp/Parser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "test/unit/SourcePaths.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace icl::rasp;
using llvm::StringRef;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// How `expr` groups, fully parenthesized, or the parse error.
std::string grouping(StringRef expr) {
  auto module = parseSource((expr + ";").str(), "test.rasp");
  if (!module)
    return llvm::toString(module.takeError());
  return printExpr(*llvm::cast<ExprStmt>(*(*module)->statements.front()).expr);
}

/// `piece` written `times` times.
std::string repeat(StringRef piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i)
    out += piece;
  return out;
}

/// The error of parsing `source`, or "" when it parses.
std::string parseError(StringRef source) {
  auto module = parseSource(source.str(), "test.rasp");
  return module ? "" : llvm::toString(module.takeError());
}

/// Builds `source`, evaluates its s-op `name` on `input` (an INPUT argument)
/// and returns the one-line JSON result or the error message.
std::string run(const Program &program, StringRef name, StringRef input) {
  auto node = program.getSOp(name);
  if (!node)
    return llvm::toString(node.takeError());
  auto result = evaluate(**node, parseTokens(input));
  if (!result)
    return llvm::toString(result.takeError());
  return formatJson(*result);
}

std::string run(StringRef source, StringRef name, StringRef input) {
  auto program = Program::fromSource(source, "test.rasp");
  if (!program)
    return llvm::toString(program.takeError());
  return run(**program, name, input);
}

/// The error of building `source`, or "" when it builds.
std::string buildError(StringRef source) {
  auto program = Program::fromSource(source, "test.rasp");
  return program ? "" : llvm::toString(program.takeError());
}

/// The numbers `name` evaluates to; fails the test on errors or non-numbers.
std::vector<double> numbers(StringRef source, StringRef name, StringRef input) {
  std::vector<double> out;
  auto program = Program::fromSource(source, "test.rasp");
  if (!program) {
    ADD_FAILURE() << llvm::toString(program.takeError());
    return out;
  }
  auto node = (*program)->getSOp(name);
  if (!node) {
    ADD_FAILURE() << llvm::toString(node.takeError());
    return out;
  }
  auto result = evaluate(**node, parseTokens(input));
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return out;
  }
  for (const Atom &atom : *result) {
    EXPECT_TRUE(atom.isNumber()) << formatAtom(atom);
    out.push_back(atom.isNumber() ? atom.toDouble() : 0);
  }
  return out;
}

void expectNear(const std::vector<double> &actual, const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-9) << "at position " << i;
}

/// The selector `name` on `input` as rows of 0/1 per query, e.g. "100|110".
std::string selectorRows(StringRef source, StringRef name, StringRef input) {
  auto program = Program::fromSource(source, "test.rasp");
  if (!program)
    return llvm::toString(program.takeError());
  const Value *value = (*program)->lookup(name);
  if (!value || !value->isSelector())
    return "not a selector";
  Evaluator evaluator(parseTokens(input));
  auto matrix = evaluator.getSelector(*value->getNode());
  if (!matrix)
    return llvm::toString(matrix.takeError());
  std::string rows;
  for (size_t q = 0; q < (*matrix)->size(); ++q) {
    if (q)
      rows += "|";
    for (size_t k = 0; k < (*matrix)->size(); ++k)
      rows += (*matrix)->get(q, k) ? "1" : "0";
  }
  return rows;
}

using icl::test::examplePath;

std::string runExample(StringRef file, StringRef sop, StringRef input) {
  auto program = Program::fromFile(examplePath(file));
  if (!program)
    return llvm::toString(program.takeError());
  return run(**program, sop, input);
}

std::vector<TokenKind> kinds(StringRef source) {
  std::vector<TokenKind> out;
  auto tokens = lex(source, "test.rasp");
  if (!tokens) {
    ADD_FAILURE() << llvm::toString(tokens.takeError());
    return out;
  }
  for (const Token &token : *tokens)
    out.push_back(token.kind);
  return out;
}

std::string lexError(StringRef source) {
  auto tokens = lex(source, "test.rasp");
  return tokens ? "" : llvm::toString(tokens.takeError());
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

using TK = TokenKind;

TEST(RaspLexer, TokensOfAStatement) {
  EXPECT_EQ(kinds("flip = select(indices, length - indices - 1, ==);"),
            (std::vector<TK>{TK::Identifier, TK::Assign, TK::KwSelect, TK::Identifier, TK::Comma,
                             TK::Identifier, TK::Minus, TK::Identifier, TK::Minus, TK::Int,
                             TK::Comma, TK::EqEq, TK::RParen, TK::Semicolon, TK::Eof}));
}

TEST(RaspLexer, OperatorsAndKeywords) {
  EXPECT_EQ(kinds("== != < > <= >= = + - * / % ^ ( ) [ ] { } , ; :"),
            (std::vector<TK>{TK::EqEq,      TK::NotEq,    TK::Less,   TK::Greater, TK::LessEq,
                             TK::GreaterEq, TK::Assign,   TK::Plus,   TK::Minus,   TK::Star,
                             TK::Slash,     TK::Percent,  TK::Caret,  TK::LParen,  TK::RParen,
                             TK::LBracket,  TK::RBracket, TK::LBrace, TK::RBrace,  TK::Comma,
                             TK::Semicolon, TK::Colon,    TK::Eof}));
  EXPECT_EQ(kinds("def return for in if else and or not load round indicator True tokens"),
            (std::vector<TK>{TK::KwDef, TK::KwReturn, TK::KwFor, TK::KwIn, TK::KwIf, TK::KwElse,
                             TK::KwAnd, TK::KwOr, TK::KwNot, TK::KwLoad, TK::KwRound,
                             TK::KwIndicator, TK::Identifier, TK::Identifier, TK::Eof}));
}

TEST(RaspLexer, KeywordsWithParenthesisAreSingleTokens) {
  EXPECT_EQ(
      kinds("select( aggregate( range( zip( len("),
      (std::vector<TK>{TK::KwSelect, TK::KwAggregate, TK::KwRange, TK::KwZip, TK::KwLen, TK::Eof}));
  // With a space they are names followed by '('.
  EXPECT_EQ(kinds("select (len"),
            (std::vector<TK>{TK::Identifier, TK::LParen, TK::Identifier, TK::Eof}));
  auto tokens = lex("aggregate(", "test.rasp");
  ASSERT_TRUE(bool(tokens));
  EXPECT_EQ((*tokens)[0].text, "aggregate(");
}

TEST(RaspLexer, LiteralsAndComments) {
  auto tokens = lex("12 0.5 \"a b\" # a comment \"x\" 3\nx_1", "test.rasp");
  ASSERT_TRUE(bool(tokens));
  ASSERT_EQ(tokens->size(), 5u);
  EXPECT_EQ((*tokens)[0].kind, TK::Int);
  EXPECT_EQ((*tokens)[0].text, "12");
  EXPECT_EQ((*tokens)[1].kind, TK::Float);
  EXPECT_EQ((*tokens)[1].text, "0.5");
  EXPECT_EQ((*tokens)[2].kind, TK::String);
  EXPECT_EQ((*tokens)[2].text, "\"a b\"");
  EXPECT_EQ((*tokens)[3].kind, TK::Identifier);
  EXPECT_EQ((*tokens)[3].text, "x_1");
  // Negative numbers are unary minus applied to a literal.
  EXPECT_EQ(kinds("-3"), (std::vector<TK>{TK::Minus, TK::Int, TK::Eof}));
}

TEST(RaspLexer, LinesAndColumns) {
  auto tokens = lex("a =\n  # comment\n\tb;", "test.rasp");
  ASSERT_TRUE(bool(tokens));
  EXPECT_EQ((*tokens)[0].loc.line, 1u);
  EXPECT_EQ((*tokens)[0].loc.col, 1u);
  EXPECT_EQ((*tokens)[1].loc.col, 3u);
  EXPECT_EQ((*tokens)[2].loc.line, 3u);
  EXPECT_EQ((*tokens)[2].loc.col, 2u);
  EXPECT_EQ((*tokens)[2].loc.file, "test.rasp");
}

TEST(RaspLexer, Errors) {
  EXPECT_EQ(lexError("x = \"abc;\ny"),
            "test.rasp:1:5: error: expected '\"' to end the string literal on the same line");
  EXPECT_EQ(lexError("x = 1.;"),
            "test.rasp:1:7: error: expected a digit after '.' in a float literal");
  EXPECT_EQ(lexError("x = a ! b;"),
            "test.rasp:1:7: error: expected '=' after '!' (the only use of '!' is '!=')");
  EXPECT_EQ(lexError("x = @;"), "test.rasp:1:5: error: unexpected character '@'");
  EXPECT_EQ(lexError("x = .5;"), "test.rasp:1:5: error: unexpected character '.'");
  EXPECT_EQ(lexError("x = \x01;"), "test.rasp:1:5: error: unexpected byte 0x1");
}

//===----------------------------------------------------------------------===//
// Precedence: one test per level, tightest first
//===----------------------------------------------------------------------===//

TEST(RaspPrecedence, PostfixBindsTighterThanUnary) {
  EXPECT_EQ(grouping("-a[0]"), "(-a[0])");
  EXPECT_EQ(grouping("not f(x)"), "(not f(x))");
  EXPECT_EQ(grouping("f(x)[1](y)"), "f(x)[1](y)");
  EXPECT_EQ(grouping("-(a + b)"), "(-(a + b))");
}

TEST(RaspPrecedence, UnaryBindsTighterThanPower) {
  EXPECT_EQ(grouping("-a ^ b"), "((-a) ^ b)");
  EXPECT_EQ(grouping("not a == b"), "((not a) == b)");
  EXPECT_EQ(grouping("- - a"), "(-(-a))");
  EXPECT_EQ(grouping("not not a and b"), "((not (not a)) and b)");
}

TEST(RaspPrecedence, RoundAndIndicatorBindTighterThanPower) {
  EXPECT_EQ(grouping("round(a) ^ b"), "(round(a) ^ b)");
  EXPECT_EQ(grouping("indicator(a == b) * c"), "(indicator((a == b)) * c)");
  EXPECT_EQ(grouping("-round(a + b)"), "(-round((a + b)))");
}

TEST(RaspPrecedence, PowerBindsTighterThanMulDiv) {
  EXPECT_EQ(grouping("a * b ^ c"), "(a * (b ^ c))");
  EXPECT_EQ(grouping("a ^ b / c"), "((a ^ b) / c)");
  // Left-associative, as in the authors' grammar.
  EXPECT_EQ(grouping("a ^ b ^ c"), "((a ^ b) ^ c)");
}

TEST(RaspPrecedence, MulDivBindTighterThanMod) {
  EXPECT_EQ(grouping("a % b * c"), "(a % (b * c))");
  EXPECT_EQ(grouping("a / b % c"), "((a / b) % c)");
  EXPECT_EQ(grouping("a * b / c"), "((a * b) / c)");
}

TEST(RaspPrecedence, ModBindsTighterThanAddSub) {
  EXPECT_EQ(grouping("a + b % c"), "(a + (b % c))");
  EXPECT_EQ(grouping("a % b - c"), "((a % b) - c)");
  EXPECT_EQ(grouping("a - b + c"), "((a - b) + c)");
}

TEST(RaspPrecedence, AddSubBindTighterThanComparisons) {
  EXPECT_EQ(grouping("a < b + c"), "(a < (b + c))");
  EXPECT_EQ(grouping("a - b == c"), "((a - b) == c)");
  EXPECT_EQ(grouping("a < b <= c"), "((a < b) <= c)");
}

TEST(RaspPrecedence, ComparisonsBindTighterThanSelectAndLogic) {
  EXPECT_EQ(grouping("a == b and c >= d"), "((a == b) and (c >= d))");
  EXPECT_EQ(grouping("select(a, b + 1, <) or c > d"), "(select(a, (b + 1), <) or (c > d))");
}

TEST(RaspPrecedence, SelectBindsTighterThanAndOr) {
  EXPECT_EQ(grouping("select(a, b, ==) and select(c, d, !=) or e"),
            "((select(a, b, ==) and select(c, d, !=)) or e)");
  EXPECT_EQ(grouping("select(a and b, c, ==)"), "select((a and b), c, ==)");
}

TEST(RaspPrecedence, AndOrShareALevelAndBindTighterThanConditional) {
  EXPECT_EQ(grouping("a or b and c"), "((a or b) and c)");
  EXPECT_EQ(grouping("a and b or c"), "((a and b) or c)");
  EXPECT_EQ(grouping("a and b if c or d else e"), "((a and b) if (c or d) else e)");
  EXPECT_EQ(grouping("a if b else c and d"), "(a if b else (c and d))");
}

TEST(RaspPrecedence, ConditionalBindsTighterThanIn) {
  EXPECT_EQ(grouping("a if b else c in d"), "((a if b else c) in d)");
  EXPECT_EQ(grouping("a in b if c else d"), "(a in (b if c else d))");
  // Left-associative: an unparenthesized chain nests in its first branch.
  EXPECT_EQ(grouping("a if b else c if d else e"), "((a if b else c) if d else e)");
  EXPECT_EQ(grouping("a if (b if c else d) else e"), "(a if (b if c else d) else e)");
}

TEST(RaspPrecedence, InIsLoosest) {
  EXPECT_EQ(grouping("a + b in c"), "((a + b) in c)");
  EXPECT_EQ(grouping("a in b and c"), "(a in (b and c))");
  EXPECT_EQ(grouping("a in b in c"), "((a in b) in c)");
}

TEST(RaspParser, PrimaryForms) {
  EXPECT_EQ(grouping("[1, \"a\", 0.5]"), "[1, \"a\", 0.5]");
  EXPECT_EQ(grouping("{\"a\": 1, 2: b}"), "{\"a\": 1, 2: b}");
  EXPECT_EQ(grouping("[x + 1 for x in xs]"), "[(x + 1) for x in xs]");
  EXPECT_EQ(grouping("{k: v for k, v in zip(ks, vs)}"), "{k: v for k, v in zip(ks, vs)}");
  EXPECT_EQ(grouping("aggregate(s, v, 0)"), "aggregate(s, v, 0)");
  EXPECT_EQ(grouping("range(1, n)"), "range(1, n)");
  EXPECT_EQ(grouping("len(xs)"), "len(xs)");
  EXPECT_EQ(grouping("[]"), "[]");
  EXPECT_EQ(grouping("{}"), "{}");
}

TEST(RaspParser, Statements) {
  auto module = parseSource(R"(
load "lib";
a, b = 1, 2;
def f(x) {
  def g(y) { return y; }
  for i in [1] { x = x + i; }
  return g(x), x;
}
f(1);
)",
                            "test.rasp");
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  const auto &stmts = (*module)->statements;
  ASSERT_EQ(stmts.size(), 4u);
  EXPECT_EQ(llvm::cast<LoadStmt>(*stmts[0]).name, "lib");
  const auto &assign = llvm::cast<AssignStmt>(*stmts[1]);
  EXPECT_EQ(assign.names.size(), 2u);
  EXPECT_EQ(assign.values.size(), 2u);
  const auto &def = llvm::cast<DefStmt>(*stmts[2]);
  EXPECT_EQ(def.name.name, "f");
  EXPECT_EQ(def.getLoc().line, 4u);
  ASSERT_EQ(def.body.size(), 2u);
  EXPECT_TRUE(llvm::isa<DefStmt>(*def.body[0]));
  EXPECT_TRUE(llvm::isa<ForStmt>(*def.body[1]));
  EXPECT_EQ(def.results.size(), 2u);
  const auto &call = llvm::cast<ExprStmt>(*stmts[3]);
  EXPECT_EQ(call.expr->getText(), "f(1)");
  EXPECT_EQ(call.expr->getLoc().line, 9u);
}

TEST(RaspParser, ExpressionsKeepTheirText) {
  auto module = parseSource("x = 1 +\n  round( y );", "test.rasp");
  ASSERT_TRUE(bool(module));
  const auto &value = *llvm::cast<AssignStmt>(*(*module)->statements[0]).values[0];
  EXPECT_EQ(value.getText(), "1 +\n  round( y )");
  EXPECT_EQ(value.getLoc().col, 5u);
  EXPECT_EQ(llvm::cast<BinaryExpr>(value).rhs->getText(), "round( y )");
}

//===----------------------------------------------------------------------===//
// Parser errors
//===----------------------------------------------------------------------===//

TEST(RaspParserErrors, StatementsAndBlocks) {
  EXPECT_EQ(parseError("x = 1"),
            "test.rasp:1:6: error: expected ';' after the assignment, got end of file");
  EXPECT_EQ(parseError("f(x) = 1;"),
            "test.rasp:1:6: error: expected ';' after the expression statement, got '='");
  EXPECT_EQ(parseError("a, 1 = 2;"), "test.rasp:1:4: error: expected a name to assign to, got '1'");
  EXPECT_EQ(parseError("a, b 1;"),
            "test.rasp:1:6: error: expected '=' after the names of an assignment, got '1'");
  EXPECT_EQ(parseError("load x;"),
            "test.rasp:1:6: error: expected a file name string after 'load', got 'x'");
  EXPECT_EQ(parseError("load \"x\""),
            "test.rasp:1:9: error: expected ';' after the load statement, got end of file");
  EXPECT_EQ(parseError("def f() { load \"x\"; return 1; }"),
            "test.rasp:1:11: error: 'load' is only allowed at the top level of a file");
  EXPECT_EQ(parseError("return 1;"), "test.rasp:1:1: error: 'return' is only allowed as the last "
                                     "statement of a function body");
}

TEST(RaspParserErrors, Definitions) {
  EXPECT_EQ(parseError("def (x) { return x; }"),
            "test.rasp:1:5: error: expected a name after 'def', got '('");
  EXPECT_EQ(parseError("def f x) {"),
            "test.rasp:1:7: error: expected '(' after the function name, got 'x'");
  EXPECT_EQ(parseError("def f(1) {"),
            "test.rasp:1:7: error: expected a name as a parameter, got '1'");
  EXPECT_EQ(parseError("def f(a, a) { return a; }"),
            "test.rasp:1:10: error: duplicate parameter 'a'");
  EXPECT_EQ(parseError("def f(a { return a; }"),
            "test.rasp:1:9: error: expected ')' after the parameters, got '{'");
  EXPECT_EQ(parseError("def f(a) return a; }"),
            "test.rasp:1:10: error: expected '{' to start the body of 'f', got 'return'");
  EXPECT_EQ(parseError("def f(a) { b = a; }"),
            "test.rasp:1:19: error: expected 'return' at the end of the body of 'f', got '}'");
  EXPECT_EQ(parseError("def f(a) { return a }"),
            "test.rasp:1:21: error: expected ';' after the returned value, got '}'");
  EXPECT_EQ(parseError("def f(a) { return a; b = 1; }"),
            "test.rasp:1:22: error: expected '}' after the return statement of 'f' (it must be "
            "the last statement), got 'b'");
}

TEST(RaspParserErrors, Loops) {
  EXPECT_EQ(parseError("for x xs { }"),
            "test.rasp:1:7: error: expected 'in' after the loop variables, got 'xs'");
  EXPECT_EQ(parseError("for 1 in xs { }"),
            "test.rasp:1:5: error: expected a name as a loop variable, got '1'");
  EXPECT_EQ(parseError("for x in xs y = 1; }"),
            "test.rasp:1:13: error: expected '{' to start the loop body, got 'y'");
  EXPECT_EQ(parseError("for x in xs { y = 1;"),
            "test.rasp:1:21: error: expected '}' to end the loop body, got end of file");
  EXPECT_EQ(parseError("def f(xs) { for x in xs { return x; } return 1; }"),
            "test.rasp:1:27: error: 'return' is only allowed as the last statement of a "
            "function body");
}

TEST(RaspParserErrors, Expressions) {
  EXPECT_EQ(parseError("x = ;"), "test.rasp:1:5: error: expected an expression, got ';'");
  EXPECT_EQ(parseError("x = (1;"), "test.rasp:1:7: error: expected ')' to close '(', got ';'");
  EXPECT_EQ(parseError("f(1;"),
            "test.rasp:1:4: error: expected ')' to close the argument list, got ';'");
  EXPECT_EQ(parseError("x[1;"), "test.rasp:1:4: error: expected ']' to close the index, got ';'");
  EXPECT_EQ(parseError("x = a if b;"),
            "test.rasp:1:11: error: expected 'else' in the conditional expression, got ';'");
  EXPECT_EQ(parseError("x = a != b;"), "test.rasp:1:7: error: '!=' is only allowed inside "
                                       "select(; write 'not (a == b)' instead");
  EXPECT_EQ(parseError("x = 99999999999999999999;"),
            "test.rasp:1:5: error: integer literal '99999999999999999999' does not fit in 64 "
            "bits");
  EXPECT_EQ(parseError("x = round a;"),
            "test.rasp:1:11: error: expected '(' after 'round', got 'a'");
  EXPECT_EQ(parseError("x = indicator(a;"),
            "test.rasp:1:16: error: expected ')' to close 'indicator', got ';'");
  std::string deep = "x = " + std::string(300, '(') + "1" + std::string(300, ')') + ";";
  EXPECT_EQ(parseError(deep),
            "test.rasp:1:261: error: expression nested too deeply (more than 256 levels)");
  std::string negations = "x = " + std::string(300, '-') + "1;";
  EXPECT_EQ(parseError(negations),
            "test.rasp:1:260: error: expression nested too deeply (more than 256 levels)");
  EXPECT_EQ(parseError("x = 1" + repeat("+1", 300) + ";"),
            "test.rasp:1:515: error: expression nested too deeply (more than 256 levels)");
  // Calls and indexings applied in a chain nest too.
  EXPECT_EQ(parseError("x = tokens" + repeat("[0]", 300) + ";"),
            "test.rasp:1:774: error: expression nested too deeply (more than 256 levels)");
  EXPECT_EQ(parseError("x = f" + repeat("()", 300) + ";"),
            "test.rasp:1:516: error: expression nested too deeply (more than 256 levels)");
  EXPECT_EQ(parseError(repeat("def f() { ", 300)),
            "test.rasp:1:2571: error: blocks nested too deeply (more than 256 levels)");
}

TEST(RaspParserErrors, ListsDictsAndComprehensions) {
  EXPECT_EQ(parseError("x = [1, 2;"), "test.rasp:1:10: error: expected ']' to close the list, "
                                      "got ';'");
  EXPECT_EQ(parseError("x = [y for y ys];"),
            "test.rasp:1:14: error: expected 'in' after the comprehension variables, got 'ys'");
  EXPECT_EQ(parseError("x = [y for 1 in ys];"),
            "test.rasp:1:12: error: expected a name as a comprehension variable, got '1'");
  EXPECT_EQ(parseError("x = [y for y in ys;"),
            "test.rasp:1:19: error: expected ']' to close the list comprehension, got ';'");
  EXPECT_EQ(parseError("x = {1 2};"),
            "test.rasp:1:8: error: expected ':' after the dict key, got '2'");
  EXPECT_EQ(parseError("x = {1: 2;"),
            "test.rasp:1:10: error: expected '}' to close the dict, got ';'");
  EXPECT_EQ(parseError("x = {k: 1 for k in ks;"),
            "test.rasp:1:22: error: expected '}' to close the dict comprehension, got ';'");
}

TEST(RaspParserErrors, SelectAggregateAndListFunctions) {
  EXPECT_EQ(parseError("s = select(a b, ==);"),
            "test.rasp:1:14: error: expected ',' after the keys of select(, got 'b'");
  EXPECT_EQ(parseError("s = select(a, b c);"),
            "test.rasp:1:17: error: expected ',' after the queries of select(, got 'c'");
  EXPECT_EQ(parseError("s = select(a, b, =);"),
            "test.rasp:1:18: error: expected a comparison (==, !=, <, >, <=, >=) as the third "
            "argument of select(, got '='");
  EXPECT_EQ(parseError("s = select(a, b, ==;"),
            "test.rasp:1:20: error: expected ')' to close select(, got ';'");
  EXPECT_EQ(parseError("x = aggregate(s v);"),
            "test.rasp:1:17: error: expected ',' after the selector of aggregate(, got 'v'");
  EXPECT_EQ(parseError("x = aggregate(s, v;"),
            "test.rasp:1:19: error: expected ')' to close aggregate(, got ';'");
  EXPECT_EQ(parseError("x = range();"),
            "test.rasp:1:5: error: expected 1 to 3 arguments to 'range(', got 0");
  EXPECT_EQ(parseError("x = len(a, b);"),
            "test.rasp:1:5: error: expected 1 argument to 'len(', got 2");
  EXPECT_EQ(parseError("x = zip();"),
            "test.rasp:1:5: error: expected at least 1 argument to 'zip(', got 0");
  EXPECT_EQ(parseError("x = range(1;"),
            "test.rasp:1:12: error: expected ')' to close 'range(', got ';'");
}

TEST(RaspParserErrors, FileErrors) {
  auto module = parseFile("/nonexistent/x.rasp");
  ASSERT_FALSE(bool(module));
  EXPECT_EQ(llvm::toString(module.takeError()),
            "error: cannot read '/nonexistent/x.rasp': No such file or directory");
}

//===----------------------------------------------------------------------===//
// Interpreter: elementwise operations
//===----------------------------------------------------------------------===//

TEST(RaspInterpreter, ArithmeticOnSOpsAndAtoms) {
  EXPECT_EQ(run("x = indices + 1;", "x", "abc"), "[1,2,3]");
  EXPECT_EQ(run("x = 10 - indices * 2;", "x", "abc"), "[10,8,6]");
  EXPECT_EQ(run("x = indices / 2;", "x", "abc"), "[0.0,0.5,1.0]");
  EXPECT_EQ(run("x = indices ^ 2;", "x", "abcd"), "[0,1,4,9]");
  EXPECT_EQ(run("x = 2 ^ -1 + indices;", "x", "a"), "[0.5]");
  EXPECT_EQ(run("x = -indices + +1;", "x", "ab"), "[1,0]");
  EXPECT_EQ(run("x = indices * 0.5;", "x", "ab"), "[0.0,0.5]");
  EXPECT_EQ(run("x = tokens + \"!\";", "x", "ab"), "[\"a!\",\"b!\"]");
  // Modulo takes the divisor's sign, as in the authors' (Python) interpreter.
  EXPECT_EQ(run("x = (indices - 2) % 3;", "x", "abcde"), "[1,2,0,1,2]");
  EXPECT_EQ(run("x = indices % -3;", "x", "abcd"), "[0,-2,-1,0]");
  // round() rounds halves to even, like Python's round().
  EXPECT_EQ(run("x = round(indices / 2 + 0.25);", "x", "abcd"), "[0,1,1,2]");
  EXPECT_EQ(run("x = round(tokens_float);", "x", "[0,1,2]"), "[0,1,2]");
  EXPECT_EQ(run("x = round(indices + 0.5);", "x", "abcd"), "[0,2,2,4]");
}

TEST(RaspInterpreter, ComparisonsAndLogic) {
  EXPECT_EQ(run("x = indices < 2;", "x", "abc"), "[true,true,false]");
  EXPECT_EQ(run("x = indices >= 1 and indices <= 1;", "x", "abc"), "[false,true,false]");
  EXPECT_EQ(run("x = tokens == \"a\" or indices == 2;", "x", "abc"), "[true,false,true]");
  EXPECT_EQ(run("x = not (tokens == \"b\");", "x", "abc"), "[true,false,true]");
  EXPECT_EQ(run("x = tokens > \"a\";", "x", "abc"), "[false,true,true]");
  EXPECT_EQ(run("x = indicator(tokens == \"b\");", "x", "abc"), "[0,1,0]");
  // Ints and floats compare by value; other kinds only equal themselves.
  EXPECT_EQ(run("x = indices == 1.0;", "x", "ab"), "[false,true]");
  EXPECT_EQ(run("x = tokens == 1;", "x", "11"), "[false,false]");
}

TEST(RaspInterpreter, ConditionalsMembershipAndLookups) {
  EXPECT_EQ(run("x = tokens if indices < 2 else \"_\";", "x", "abcd"), "[\"a\",\"b\",\"_\",\"_\"]");
  EXPECT_EQ(run("x = tokens in [\"a\", \"c\"];", "x", "abc"), "[true,false,true]");
  EXPECT_EQ(run("x = tokens in {\"b\": 0};", "x", "abc"), "[false,true,false]");
  EXPECT_EQ(run("x = {\"a\": 1, \"b\": 2}[tokens];", "x", "abba"), "[1,2,2,1]");
  EXPECT_EQ(run("x = [\"x\", \"y\", \"z\"][indices];", "x", "abc"), "[\"x\",\"y\",\"z\"]");
  EXPECT_EQ(run("x = [\"x\", \"y\", \"z\"][-1 - indices];", "x", "abc"), "[\"z\",\"y\",\"x\"]");
  // Keys and members compare with the language's `==`: the int 1 is the
  // float 1.0.
  EXPECT_EQ(run("x = tokens_int in [1.0, 3];", "x", "[1,2,3]"), "[true,false,true]");
  EXPECT_EQ(run("x = {1: \"a\", 2: \"b\", 1.0: \"c\"}[tokens_int];", "x", "[1,2]"),
            "[\"c\",\"b\"]");
  EXPECT_EQ(run("d = {1: 0, 1.0: 0}; x = indices + len(d);", "x", "a"), "[1]");
  // An atom in an s-op is the library's contains().
  EXPECT_EQ(run("x = \"b\" in tokens;", "x", "abc"), "[true,true,true]");
  EXPECT_EQ(run("x = \"z\" in tokens;", "x", "abc"), "[false,false,false]");
}

TEST(RaspInterpreter, IndexingAnSOpReadsOnePosition) {
  EXPECT_EQ(run("x = tokens[0];", "x", "abc"), "[\"a\",\"a\",\"a\"]");
  EXPECT_EQ(run("x = tokens[-1];", "x", "abc"), "[\"c\",\"c\",\"c\"]");
  EXPECT_EQ(run("x = tokens_int[-2];", "x", "[4,5,6]"), "[5,5,5]");
  // Out of range gives aggregate's default, 0.
  EXPECT_EQ(run("x = tokens[5];", "x", "abc"), "[0,0,0]");
  // sop[-1] reads the library's length even where the program has its own.
  EXPECT_EQ(run("length = 1; x = tokens[-1];", "x", "abc"), "[\"c\",\"c\",\"c\"]");
}

TEST(RaspInterpreter, CompileTimeValues) {
  const char *source = R"(
xs = [1, 2, 3];
squares = [x * x for x in xs];
table = {k: v for k, v in zip(["a", "b"], [10, 20])};
n = len(squares) + len(table);
total = 0;
for x in squares { total = total + x; }
pairs = [a + b for a, b in zip(range(3), range(10, 13))];
odd = [i for i in range(5, 0, -2)];
y = indices + total + n + table["b"] + pairs[-1] + odd[0];
)";
  EXPECT_EQ(run(source, "y", "ab"), "[58,59]");
  auto program = Program::fromSource(source, "test.rasp");
  ASSERT_TRUE(bool(program));
  EXPECT_EQ(formatAtom((*program)->lookup("total")->getAtom()), "14");
  EXPECT_EQ((*program)->lookup("odd")->getList().size(), 3u);
  EXPECT_EQ(formatAtom((*program)->lookup("odd")->getList()[2].getAtom()), "1");
  // Comprehension variables do not leak; loop variables do, as in Python.
  EXPECT_EQ((*program)->lookup("a"), nullptr);
  EXPECT_NE((*program)->lookup("x"), nullptr);
}

TEST(RaspInterpreter, FunctionsNestAndReturnTuples) {
  const char *source = R"(
def outer(seq) {
  def inner(s) { return s + 1; }
  return inner(seq), inner(inner(seq));
}
a, b = outer(indices);
pair = outer(1);
def fact(k) { return 1 if k == 0 else k * fact(k - 1); }
c = indices + fact(4);
)";
  EXPECT_EQ(run(source, "a", "ab"), "[1,2]");
  EXPECT_EQ(run(source, "b", "ab"), "[2,3]");
  EXPECT_EQ(run(source, "c", "ab"), "[24,25]");
  auto program = Program::fromSource(source, "test.rasp");
  ASSERT_TRUE(bool(program));
  EXPECT_EQ((*program)->lookup("pair")->getList().size(), 2u);
  // Functions close over their defining scope, not the caller's.
  EXPECT_EQ(
      run("k = 1; def f() { return indices + k; } def g(k) { return f(); } x = g(5);", "x", "ab"),
      "[1,2]");
}

//===----------------------------------------------------------------------===//
// Interpreter: aggregate and selectors
//===----------------------------------------------------------------------===//

TEST(RaspAggregate, NothingSelectedGivesTheDefault) {
  EXPECT_EQ(run("x = aggregate(select(indices, indices, <), tokens_int);", "x", "[5,7,9]"),
            "[0,5,6.0]");
  EXPECT_EQ(run("x = aggregate(select(indices, indices - 1, ==), tokens, \"-\");", "x", "abc"),
            "[\"-\",\"a\",\"b\"]");
  EXPECT_EQ(run("x = aggregate(select(indices, 9, ==), tokens, True);", "x", "ab"), "[true,true]");
}

TEST(RaspAggregate, OneSelectedGivesThatValueOfAnyType) {
  EXPECT_EQ(run("x = aggregate(select(indices, 1, ==), tokens);", "x", "abc"),
            "[\"b\",\"b\",\"b\"]");
  EXPECT_EQ(run("x = aggregate(select(indices, 0, ==), tokens == \"a\");", "x", "ab"),
            "[true,true]");
  EXPECT_EQ(run("x = aggregate(select(indices, 0, ==), tokens_float);", "x", "[3,4]"), "[3.0,3.0]");
}

TEST(RaspAggregate, SeveralSelectedGiveTheMean) {
  EXPECT_EQ(run("x = aggregate(select(1, 1, ==), tokens_int);", "x", "[1,2,6]"), "[3.0,3.0,3.0]");
  expectNear(numbers("x = aggregate(select(indices, indices, <=), indicator(tokens == \"a\"));",
                     "x", "abaa"),
             {1, 0.5, 2.0 / 3, 0.75});
  EXPECT_EQ(run("x = aggregate(select(indices, indices, <=), tokens_float);", "x", "[1,2]"),
            "[1.0,1.5]");
}

TEST(RaspAggregate, MeanOfNonNumbersIsAnError) {
  EXPECT_EQ(run("s = select(indices, indices, <=);\nx = aggregate(s, tokens);", "x", "ab"),
            "test.rasp:2:5: error: cannot average the string \"a\" (2 positions selected); a "
            "mean needs numbers (at position 1, in 'aggregate(s, tokens)')");
  EXPECT_EQ(run("x = aggregate(select(1, 1, ==), tokens == \"a\");", "x", "ab"),
            "test.rasp:1:5: error: cannot average bools (2 positions selected); wrap the s-op in "
            "indicator( to average 0/1 values (at position 0, in 'aggregate(select(1, 1, ==), "
            "tokens == \"a\")')");
}

TEST(RaspSelectors, QueryRowsSelectKeysWhereKeyOpQueryHolds) {
  EXPECT_EQ(selectorRows("s = select(indices, indices, <=);", "s", "abc"), "100|110|111");
  EXPECT_EQ(selectorRows("s = select(indices, indices, >);", "s", "abc"), "011|001|000");
  EXPECT_EQ(selectorRows("s = select(indices, 0, ==);", "s", "abc"), "100|100|100");
  EXPECT_EQ(selectorRows("s = select(1, indices, ==);", "s", "abc"), "000|111|000");
  EXPECT_EQ(selectorRows("s = select(tokens, tokens, !=);", "s", "aba"), "010|101|010");
  EXPECT_EQ(selectorRows("s = select(tokens, tokens, >=);", "s", "ba"), "10|11");
}

TEST(RaspSelectors, AndOrNot) {
  const char *source = R"(
before = select(indices, indices, <);
same = select(tokens, tokens, ==);
both = same and before;
either = same or before;
neither = not (same or before);
)";
  EXPECT_EQ(selectorRows(source, "both", "abab"), "0000|0000|1000|0100");
  EXPECT_EQ(selectorRows(source, "either", "abab"), "1010|1101|1110|1111");
  EXPECT_EQ(selectorRows(source, "neither", "abab"), "0101|0010|0001|0000");
  EXPECT_EQ(run(std::string(source) + "w = selector_width(both);", "w", "abab"), "[0,0,1,1]");
}

//===----------------------------------------------------------------------===//
// Interpreter errors
//===----------------------------------------------------------------------===//

TEST(RaspInterpreterErrors, Names) {
  EXPECT_EQ(buildError("x = y;"), "test.rasp:1:5: error: unknown name 'y'");
  EXPECT_EQ(buildError("tokens = 1;"),
            "test.rasp:1:1: error: cannot assign to the built-in name 'tokens'");
  EXPECT_EQ(buildError("def f(indices) { return 1; } x = f(1);"),
            "test.rasp:1:7: error: cannot assign to the built-in name 'indices'");
  EXPECT_EQ(buildError("for True in [1] { }"),
            "test.rasp:1:5: error: cannot assign to the built-in name 'True'");
}

TEST(RaspInterpreterErrors, Calls) {
  EXPECT_EQ(buildError("def f(a) { return a; }\nx = f(1, 2);"),
            "test.rasp:2:5: error: 'f' expects 1 argument, got 2");
  EXPECT_EQ(buildError("x = 1;\ny = x(2);"), "test.rasp:2:5: error: cannot call the int 1");
  EXPECT_EQ(buildError("def f(x) { return f(x); }\ny = f(1);"),
            "test.rasp:1:19: error: calls nested more than 100 deep; a recursive function needs "
            "a base case decided at compile time (on atoms, not s-ops)");
  EXPECT_EQ(buildError("x = selector_width(tokens);"),
            "test.rasp:1:5: error: selector_width expects one selector, got an s-op");
  EXPECT_EQ(buildError("x = selector_width();"),
            "test.rasp:1:5: error: selector_width expects one selector, got 0 arguments");
}

TEST(RaspInterpreterErrors, Kinds) {
  EXPECT_EQ(buildError("x = aggregate(tokens, tokens);"),
            "test.rasp:1:15: error: the first argument of aggregate( must be a selector, got an "
            "s-op");
  EXPECT_EQ(buildError("s = select(1, 1, ==);\nx = aggregate(s, s);"),
            "test.rasp:2:18: error: the second argument of aggregate( must be an s-op or an "
            "atom, got a selector");
  EXPECT_EQ(buildError("x = aggregate(select(1, 1, ==), tokens, tokens);"),
            "test.rasp:1:41: error: the default of aggregate( must be an atom, got an s-op");
  EXPECT_EQ(buildError("x = select([1], indices, ==);"),
            "test.rasp:1:12: error: the keys of select( must be an s-op or an atom, got a list "
            "of 1 element");
  EXPECT_EQ(buildError("x = select(indices, {}, ==);"),
            "test.rasp:1:21: error: the queries of select( must be an s-op or an atom, got a "
            "dict");
  EXPECT_EQ(buildError("s = select(1, 1, ==);\nx = s + 1;"),
            "test.rasp:2:5: error: '+' cannot be applied to a selector");
  EXPECT_EQ(buildError("s = select(1, 1, ==);\nx = s and tokens;"),
            "test.rasp:2:5: error: 'and' combines two selectors or two s-ops/atoms, got a "
            "selector and an s-op");
  EXPECT_EQ(buildError("x = round([1]);"),
            "test.rasp:1:5: error: 'round' cannot be applied to a list of 1 element");
  EXPECT_EQ(buildError("s = select(1, 1, ==);\nx = 1 if s else 2;"),
            "test.rasp:2:10: error: the condition of 'if' must be a bool or an s-op, got a "
            "selector");
}

TEST(RaspInterpreterErrors, CompileTimeOperations) {
  EXPECT_EQ(buildError("x = 1 / 0;"), "test.rasp:1:5: error: division by zero");
  EXPECT_EQ(buildError("x = 1 % 0;"), "test.rasp:1:5: error: modulo by zero");
  EXPECT_EQ(buildError("x = 0 ^ -1;"),
            "test.rasp:1:5: error: zero cannot be raised to a negative power");
  EXPECT_EQ(buildError("x = 2 ^ 70;"), "test.rasp:1:5: error: integer overflow in '^'");
  EXPECT_EQ(buildError("x = \"a\" - 1;"),
            "test.rasp:1:5: error: cannot apply '-' to the string \"a\" and the int 1");
  EXPECT_EQ(buildError("x = not 1;"), "test.rasp:1:5: error: 'not' expects a bool, got the int 1");
  EXPECT_EQ(buildError("x = -\"a\";"),
            "test.rasp:1:5: error: '-' expects a number, got the string \"a\"");
  EXPECT_EQ(buildError("x = 1 < \"a\";"),
            "test.rasp:1:5: error: cannot compare the int 1 with the string \"a\" using '<'");
  EXPECT_EQ(buildError("x = 1 if 2 else 3;"),
            "test.rasp:1:10: error: 'if' expects a bool, got the int 2");
  EXPECT_EQ(buildError("x = (-8.0) ^ 0.5;"),
            "test.rasp:1:5: error: the result of '^' is not a real number");
  EXPECT_EQ(buildError("x = 10.0 ^ 400;"),
            "test.rasp:1:5: error: the result of '^' is too large for a float");
  EXPECT_EQ(buildError("x = 9223372036854775807 + 1;"),
            "test.rasp:1:5: error: integer overflow in '+'");
  EXPECT_EQ(buildError("x = -9223372036854775807 - 1;\ny = -x;"),
            "test.rasp:2:5: error: integer overflow in '-'");
  EXPECT_EQ(buildError("x = round(10.0 ^ 30);"),
            "test.rasp:1:5: error: round( of the float 1e+30 does not fit in an int");
  EXPECT_EQ(buildError("x = 1 and True;"),
            "test.rasp:1:5: error: 'and' expects a bool, got the int 1");
  EXPECT_EQ(buildError("x = indicator(1);"),
            "test.rasp:1:5: error: 'indicator' expects a bool, got the int 1");
}

TEST(RaspInterpreterErrors, ListsAndDicts) {
  EXPECT_EQ(buildError("x = [1, 2][5];"),
            "test.rasp:1:12: error: index 5 is out of range for a list of 2 elements");
  EXPECT_EQ(buildError("x = [1][\"a\"];"),
            "test.rasp:1:9: error: a list index must be an int, got the string \"a\"");
  EXPECT_EQ(buildError("x = {\"a\": 1}[\"b\"];"),
            "test.rasp:1:14: error: key \"b\" is not in the dict");
  EXPECT_EQ(buildError("x = {tokens: 1};"),
            "test.rasp:1:6: error: a dict key must be an atom, got an s-op");
  EXPECT_EQ(buildError("x = {tokens: 1 for k in [1]};"),
            "test.rasp:1:6: error: a dict key must be an atom, got an s-op");
  EXPECT_EQ(buildError("x = [[1]][indices];"),
            "test.rasp:1:5: error: a list indexed by an s-op must hold only atoms, but holds a "
            "list of 1 element");
  EXPECT_EQ(buildError("x = {1: [2]}[indices];"),
            "test.rasp:1:5: error: a dict indexed by an s-op must hold only atoms, but holds a "
            "list of 1 element");
  EXPECT_EQ(buildError("x = tokens[\"a\"];"),
            "test.rasp:1:12: error: an s-op can only be indexed by an int (as in sop[0] or "
            "sop[-1]), got the string \"a\"");
  EXPECT_EQ(buildError("x = 1;\ny = x[0];"), "test.rasp:2:5: error: cannot index the int 1");
  EXPECT_EQ(buildError("x = tokens in tokens;"),
            "test.rasp:1:5: error: 'in' with an s-op on the right needs an atom on the left, got "
            "an s-op");
  EXPECT_EQ(buildError("x = 1 in 2;"),
            "test.rasp:1:10: error: the right of 'in' must be a list, a dict or an s-op, got the "
            "int 2");
  EXPECT_EQ(buildError("x = 1 in [[1]];"),
            "test.rasp:1:10: error: the right of 'in' must hold only atoms, but holds a list of 1 "
            "element");
}

TEST(RaspInterpreterErrors, ListFunctionsLoopsAndAssignments) {
  EXPECT_EQ(buildError("x = range(\"a\");"),
            "test.rasp:1:11: error: range( expects ints, got the string \"a\"");
  EXPECT_EQ(buildError("x = range(0, 5, 0);"),
            "test.rasp:1:17: error: the step of range( must not be zero");
  EXPECT_EQ(buildError("x = range(2000000);"),
            "test.rasp:1:5: error: range( has more than 1048576 elements");
  EXPECT_EQ(buildError("x = zip([1], 2);"),
            "test.rasp:1:14: error: zip( expects lists, got the int 2");
  EXPECT_EQ(buildError("x = zip([1], [1, 2]);"),
            "test.rasp:1:14: error: zip( expects lists of one length, got 1 and 2");
  EXPECT_EQ(buildError("x = len(3);"),
            "test.rasp:1:9: error: len( expects a list or a dict, got the int 3");
  EXPECT_EQ(buildError("for x in tokens { }"),
            "test.rasp:1:10: error: can only iterate over a compile-time list or dict, got an "
            "s-op");
  EXPECT_EQ(buildError("x = [y for y in 3];"),
            "test.rasp:1:17: error: can only iterate over a compile-time list or dict, got the "
            "int 3");
  EXPECT_EQ(buildError("for a, b in [1, 2] { }"),
            "test.rasp:1:5: error: cannot unpack the int 1 into 2 variables");
  EXPECT_EQ(buildError("a, b = 1, 2, 3;"), "test.rasp:1:1: error: expected 2 values to assign, "
                                           "got 3");
  EXPECT_EQ(buildError("a, b = [1];"), "test.rasp:1:1: error: expected 2 values to assign, got 1");
}

TEST(RaspInterpreterErrors, EvaluationErrorsNameTheExpression) {
  EXPECT_EQ(run("x = 1 / indices;", "x", "ab"),
            "test.rasp:1:5: error: division by zero (at position 0, in '1 / indices')");
  EXPECT_EQ(run("d = {\"a\": 1};\nx = d[tokens];", "x", "ab"),
            "test.rasp:2:5: error: key \"b\" is not in the dict (at position 1, in 'd[tokens]')");
  EXPECT_EQ(run("s = select(tokens, 1, <);\nx = aggregate(s, indices);", "x", "a"),
            "test.rasp:1:5: error: cannot compare the string \"a\" with the int 1 using '<' (at "
            "position 0, in 'select(tokens, 1, <)')");
  EXPECT_EQ(run("x = tokens if indices else 1;", "x", "a"),
            "test.rasp:1:5: error: 'if' expects a bool, got the int 0 (at position 0, in 'tokens "
            "if indices else 1')");
  // Inside a library function the error also names the user's call.
  std::string message = run("x = 1;\ny = average(tokens);", "y", "ab");
  EXPECT_NE(message.find("cannot average the string \"a\""), std::string::npos) << message;
  EXPECT_NE(message.find("reached from test.rasp:2:5"), std::string::npos) << message;
}

TEST(RaspInterpreterErrors, InputsAndNames) {
  EXPECT_EQ(run("x = tokens_int + 1;", "x", "1a"),
            "error: input token \"a\" at position 1 is not an int (the program reads tokens_int)");
  EXPECT_EQ(run("x = tokens_float;", "x", "x"),
            "error: input token \"x\" at position 0 is not a number (the program reads "
            "tokens_float)");
  EXPECT_EQ(run("x = 1;", "y", "a"), "error: no top-level name 'y' in the program");
  EXPECT_EQ(run("x = 1;", "x", "a"), "error: 'x' is the int 1, not an s-op");
  EXPECT_EQ(run("x = select(1, 1, ==);", "x", "a"), "error: 'x' is a selector, not an s-op");
}

//===----------------------------------------------------------------------===//
// Tokens and the graph
//===----------------------------------------------------------------------===//

TEST(RaspInterpreter, TokenBuiltins) {
  EXPECT_EQ(run("x = tokens;", "x", "[1,-2]"), "[\"1\",\"-2\"]");
  EXPECT_EQ(run("x = tokens_str;", "x", "ab"), "[\"a\",\"b\"]");
  EXPECT_EQ(run("x = tokens_int * 2;", "x", "[3,-4]"), "[6,-8]");
  EXPECT_EQ(run("x = tokens_int;", "x", "709"), "[7,0,9]");
  EXPECT_EQ(run("x = tokens_float / 2;", "x", "[3]"), "[1.5]");
  EXPECT_EQ(run("x = tokens_bool;", "x", "[0,2]"), "[false,true]");
  EXPECT_EQ(run("x = indices;", "x", "[]"), "[]");
  EXPECT_EQ(run("x = length;", "x", ""), "[]");
}

TEST(RaspGraph, ProgramsBecomeGraphsOfPrimitives) {
  auto program = Program::fromSource(R"(
def double(x) { return x + x; }
a = double(indices);
b = double(indices);
hist = selector_width(select(tokens, tokens, ==));
both = tokens_int + indices;
sorted = sort(tokens, tokens);
)",
                                     "test.rasp");
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  EXPECT_EQ(llvm::ArrayRef<std::string>((*program)->getNames()),
            llvm::ArrayRef<std::string>({"double", "a", "b", "hist", "both", "sorted"}));
  const Node *a = *(*program)->getSOp("a");
  const Node *b = *(*program)->getSOp("b");
  // Each call unrolls into its own nodes; `x + x` reads its operand once.
  EXPECT_NE(a, b);
  EXPECT_EQ(a->getKind(), Node::Kind::Map);
  EXPECT_EQ(a->getOperands().size(), 1u);
  EXPECT_EQ(a->getOperands()[0]->getKind(), Node::Kind::Indices);
  EXPECT_EQ(a->getName(), "a");
  EXPECT_EQ(a->getOrigin().expr.text, "x + x");
  EXPECT_EQ(a->getOrigin().expr.line, 2u);
  ASSERT_EQ(a->getOrigin().callSites.size(), 1u);
  EXPECT_EQ(a->getOrigin().callSites[0].line, 3u);
  EXPECT_EQ(a->getOrigin().callSites[0].text, "double(indices)");

  const Node *hist = *(*program)->getSOp("hist");
  EXPECT_EQ(hist->getKind(), Node::Kind::SelectorWidth);
  const auto *select = llvm::cast<SelectNode>(hist->getOperands()[0]);
  EXPECT_EQ(select->getComparison(), Comparison::Eq);
  EXPECT_EQ(llvm::cast<TokensNode>(select->getKeys())->getType(), TokenType::String);

  const Node *both = *(*program)->getSOp("both");
  EXPECT_EQ(both->getKind(), Node::Kind::SequenceMap);
  EXPECT_EQ(both->getOperands().size(), 2u);

  const Node *sorted = *(*program)->getSOp("sorted");
  EXPECT_EQ(sorted->getKind(), Node::Kind::Aggregate);
  EXPECT_EQ(sorted->getOrigin().expr.file, "<library>");
  EXPECT_EQ(sorted->getOrigin().callSites.front().text, "sort(tokens, tokens)");

  // Operands come first, and only primitive kinds occur.
  for (const auto &node : (*program)->getGraph().getNodes())
    for (const Node *operand : node->getOperands())
      EXPECT_LT(operand->getId(), node->getId());
}

TEST(RaspGraph, MapFunctionsWorkOnAtoms) {
  auto program = Program::fromSource("x = 3 * indices - 1;", "test.rasp");
  ASSERT_TRUE(bool(program));
  // A compiler can tabulate each callable over a value set.
  const auto *outer = llvm::cast<MapNode>(*(*program)->getSOp("x"));
  EXPECT_EQ(outer->getOrigin().expr.text, "3 * indices - 1");
  auto minusOne = outer->getFunction()({Atom::integer(4)});
  ASSERT_TRUE(bool(minusOne));
  EXPECT_EQ(minusOne->getInt(), 3);
  const auto *inner = llvm::cast<MapNode>(outer->getOperands()[0]);
  EXPECT_EQ(inner->getKind(), Node::Kind::Map);
  EXPECT_EQ(inner->getOrigin().expr.text, "3 * indices");
  auto timesThree = inner->getFunction()({Atom::integer(4)});
  ASSERT_TRUE(bool(timesThree));
  EXPECT_EQ(timesThree->getInt(), 12);
  const auto *constant = llvm::cast<ConstantNode>(
      llvm::cast<SelectNode>((*program)->lookup("full_s")->getNode())->getKeys());
  EXPECT_EQ(constant->getValue().getInt(), 1);
}

TEST(RaspGraph, EvaluatorSharesWorkAcrossNodes) {
  auto program = Program::fromSource("a = indices + 1;\nb = a * 2;", "test.rasp");
  ASSERT_TRUE(bool(program));
  Evaluator evaluator(parseTokens("abc"));
  auto b = evaluator.getSOp(**(*program)->getSOp("b"));
  ASSERT_TRUE(bool(b));
  EXPECT_EQ(formatJson(**b), "[2,4,6]");
  auto a = evaluator.getSOp(**(*program)->getSOp("a"));
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(formatJson(**a), "[1,2,3]");
}

TEST(RaspGraph, LongUnrolledChainsEvaluate) {
  EXPECT_EQ(run("x = indices;\nfor i in range(5000) { x = x + 1; }", "x", "ab"), "[5000,5001]");
}

//===----------------------------------------------------------------------===//
// Limits on the work of a program (Interpreter.h)
//===----------------------------------------------------------------------===//

TEST(RaspLimits, BuildingStopsAfterItsSteps) {
  // 9·10^6 iterations; the error names where the inner loop runs out.
  EXPECT_EQ(buildError("x = 1;\nfor a in range(3000) {\n  for b in range(3000) { y = a; }\n}"),
            "test.rasp:3:12: error: the program takes more than 4194304 steps to run "
            "(statements, expressions, loop iterations, list elements), the limit "
            "(kMaxBuildSteps in frontends/rasp/Interpreter.h)");
  // A loop without a body counts its iterations.
  EXPECT_NE(buildError("for a in range(3000) { for b in range(3000) { } }").find("kMaxBuildSteps"),
            std::string::npos);
  EXPECT_NE(buildError("l = zip(range(1000000), range(1000000), range(1000000), "
                       "range(1000000), range(1000000));")
                .find("kMaxBuildSteps"),
            std::string::npos);
}

TEST(RaspLimits, BuildingStopsAfterItsBytes) {
  // Each call doubles the calls below it, and every node they make keeps the
  // call sites it was reached through.
  EXPECT_EQ(buildError("def f(k) { return tokens_int if k == 0 else f(k - 1) + f(k - 1); }\n"
                       "x = f(30);"),
            "test.rasp:1:45: error: the program makes more than 268435456 bytes of values "
            "(strings, lists, dicts, scopes, graph nodes), the limit (kMaxBuildBytes in "
            "frontends/rasp/Interpreter.h)");
}

TEST(RaspLimits, StringsStopAtTheirLength) {
  EXPECT_EQ(buildError("s = \"ab\";\nfor i in range(64) { s = s + s; }"),
            "test.rasp:2:26: error: '+' would make a string of 2097152 bytes, more than the "
            "limit, 1048576 (kMaxStringBytes in frontends/rasp/Interpreter.h)");
  // An s-op doubled in a loop fails where it is evaluated.
  EXPECT_EQ(run("x = tokens;\nfor i in range(64) { x = x + x; }", "x", "ab"),
            "test.rasp:2:26: error: '+' would make a string of 2097152 bytes, more than the "
            "limit, 1048576 (kMaxStringBytes in frontends/rasp/Interpreter.h) (at position 0, "
            "in 'x + x')");
}

TEST(RaspLimits, ValuesNestBoundedly) {
  // Destroying a list nested 200,000 deep overflowed the stack.
  EXPECT_EQ(buildError("l = [];\nfor i in range(200000) { l = [l]; }"),
            "test.rasp:2:30: error: lists and dicts nested more than 256 deep, the limit "
            "(kMaxValueNesting in frontends/rasp/Interpreter.h)");
  EXPECT_EQ(buildError("d = {};\nfor i in range(200000) { d = {1: d}; }"),
            "test.rasp:2:30: error: lists and dicts nested more than 256 deep, the limit "
            "(kMaxValueNesting in frontends/rasp/Interpreter.h)");
  EXPECT_EQ(buildError("t = 1;\nfor i in range(200000) { t = t, t; }"),
            "test.rasp:2:26: error: lists and dicts nested more than 256 deep, the limit "
            "(kMaxValueNesting in frontends/rasp/Interpreter.h)");
  EXPECT_EQ(buildError("l = [];\nfor i in range(255) { l = [l]; }"), "");
}

TEST(RaspLimits, EvaluationStopsBeforeItsWork) {
  // A selector on 40,000 tokens has 1.6·10^9 cells: refused before any is
  // allocated.
  std::string input(40000, 'a');
  EXPECT_EQ(run("x = aggregate(select(indices, indices, ==), tokens);", "x", input),
            "test.rasp:1:15: error: evaluating 'select(indices, indices, ==)' on an input of "
            "40000 tokens takes more than 1073741824 steps, the limit (kMaxEvaluationSteps in "
            "frontends/rasp/Interpreter.h)");
}

TEST(RaspLimits, LargeDictsAndListsCostLinearTime) {
  // Lookups hash: 200,000 entries used to take quadratic time.
  EXPECT_EQ(run("d = {i: i * 2 for i in range(200000)};\nl = range(200000);\n"
                "x = tokens_int + d[199999] + len(l);\ny = tokens_int in l;",
                "x", "[1]"),
            "[599999]");
  EXPECT_EQ(run("l = range(200000); y = tokens_int in l;", "y", "[1,-1]"), "[true,false]");
}

//===----------------------------------------------------------------------===//
// Library
//===----------------------------------------------------------------------===//

TEST(RaspLibrary, FullSLengthAndSelectorWidth) {
  EXPECT_EQ(selectorRows("s = full_s;", "s", "abc"), "111|111|111");
  EXPECT_EQ(run("x = length;", "x", "abcde"), "[5,5,5,5,5]");
  EXPECT_EQ(run("x = length;", "x", "a"), "[1]");
  EXPECT_EQ(run("x = selector_width(select(indices, indices, <));", "x", "abcd"), "[0,1,2,3]");
  EXPECT_EQ(run("x = selector_width(select(indices, 7, ==));", "x", "ab"), "[0,0]");
}

TEST(RaspLibrary, FocusCountAndContains) {
  EXPECT_EQ(run("x = has_focus(select(tokens, \"a\", ==));", "x", "ba"), "[true,true]");
  EXPECT_EQ(run("x = has_focus(select(tokens, indices, ==));", "x", "bb"), "[false,false]");
  EXPECT_EQ(run("x = has_focus(select(indices, indices, <));", "x", "abc"), "[false,true,true]");
  EXPECT_EQ(run("x = count(tokens, \"a\");", "x", "abca"), "[2,2,2,2]");
  EXPECT_EQ(run("x = count(tokens_int, 3);", "x", "[1,2]"), "[0,0]");
  EXPECT_EQ(run("x = contains(tokens, \"c\");", "x", "abc"), "[true,true,true]");
  EXPECT_EQ(run("x = contains(tokens, \"c\");", "x", "ab"), "[false,false]");
}

TEST(RaspLibrary, MaxMinAverageAndLoadFromLocation) {
  EXPECT_EQ(run("x = max(indices, 1);", "x", "abc"), "[1,1,2]");
  EXPECT_EQ(run("x = min(tokens_int, 2);", "x", "[3,1,2]"), "[2,1,2]");
  EXPECT_EQ(run("x = max(tokens_int, indices);", "x", "[3,0,5]"), "[3,1,5]");
  EXPECT_EQ(run("m = max(3, 5);\nx = indices + m;", "x", "a"), "[5]");
  EXPECT_EQ(run("x = average(tokens_int);", "x", "[1,2,3,6]"), "[3.0,3.0,3.0,3.0]");
  EXPECT_EQ(run("x = load_from_location(tokens, 2);", "x", "abcd"), "[\"c\",\"c\",\"c\",\"c\"]");
  EXPECT_EQ(run("x = load_from_location(tokens, length - indices - 1);", "x", "abc"),
            "[\"c\",\"b\",\"a\"]");
}

TEST(RaspLibrary, Shift) {
  EXPECT_EQ(run("x = shift(tokens, 1, \"_\");", "x", "abc"), "[\"_\",\"a\",\"b\"]");
  EXPECT_EQ(run("x = shift(tokens, 2, \"_\");", "x", "abc"), "[\"_\",\"_\",\"a\"]");
  EXPECT_EQ(run("x = shift(tokens_int, -1, 0);", "x", "[1,2,3]"), "[2,3,0]");
  EXPECT_EQ(run("x = shift(tokens, 0, \"_\");", "x", "ab"), "[\"a\",\"b\"]");
}

TEST(RaspLibrary, MarkAndSelectInstances) {
  EXPECT_EQ(run("x = mark_last_instance(tokens, \"a\");", "x", "abaca"),
            "[false,false,false,false,true]");
  EXPECT_EQ(run("x = mark_first_instance(tokens, \"a\");", "x", "baca"),
            "[false,true,false,false]");
  EXPECT_EQ(run("x = mark_first_instance(tokens, \"z\");", "x", "ab"), "[false,false]");
  EXPECT_EQ(run("x = aggregate(select_from_last(tokens, \"b\"), indices);", "x", "abcb"),
            "[3,3,3,3]");
  EXPECT_EQ(run("x = aggregate(select_from_first(tokens, \"b\"), indices);", "x", "abcb"),
            "[1,1,1,1]");
}

TEST(RaspLibrary, SortIsStableAndAscending) {
  EXPECT_EQ(run("x = sort(tokens, tokens);", "x", "dcab"), "[\"a\",\"b\",\"c\",\"d\"]");
  EXPECT_EQ(run("x = sort(indices, tokens);", "x", "bab"), "[1,0,2]");
  EXPECT_EQ(run("x = sort(tokens_int, tokens_int);", "x", "[5,-1,5,0]"), "[-1,0,5,5]");
  EXPECT_EQ(run("x = sort(tokens, -indices);", "x", "abc"), "[\"c\",\"b\",\"a\"]");
}

TEST(RaspLibrary, SelectNextIdentical) {
  const char *source = "s = select_next_identical(tokens);\n"
                       "x = aggregate(s, indices, -1);";
  EXPECT_EQ(selectorRows(source, "s", "abab"), "0010|0001|0000|0000");
  EXPECT_EQ(run(source, "x", "aaba"), "[1,3,-1,-1]");
}

TEST(RaspLibrary, ProgramsMayShadowLibraryNames) {
  const char *source = R"(
def count(x) { return x + 100; }
full_s = 3;
a = count(indices);
b = contains(tokens, "a");
c = "a" in tokens;
)";
  EXPECT_EQ(run(source, "a", "ab"), "[100,101]");
  EXPECT_EQ(run(source, "b", "ab"), "[true,true]");
  EXPECT_EQ(run(source, "c", "bb"), "[false,false]");
}

//===----------------------------------------------------------------------===//
// Loading files
//===----------------------------------------------------------------------===//

class RaspLoadTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("icl-rasp-test", dir);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_FALSE(llvm::sys::fs::create_directory(file("sub")));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string file(StringRef name) const {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  }

  void write(StringRef name, StringRef text) {
    std::error_code ec;
    llvm::raw_fd_ostream os(file(name), ec);
    ASSERT_FALSE(ec) << ec.message();
    os << text;
  }

  llvm::SmallString<256> dir;
};

TEST_F(RaspLoadTest, LoadsRelativeToTheLoadingFile) {
  write("sub/lib.rasp", "load \"deeper\";\nplus_one = indices + one;\n");
  write("sub/deeper.rasp", "one = 1;\n");
  write("main.rasp", "load \"sub/lib\";\nx = plus_one * 2;\n");
  auto program = Program::fromFile(file("main.rasp"));
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  EXPECT_EQ(run(**program, "x", "abc"), "[2,4,6]");
  EXPECT_EQ(llvm::ArrayRef<std::string>((*program)->getNames()),
            llvm::ArrayRef<std::string>({"one", "plus_one", "x"}));
}

TEST_F(RaspLoadTest, LoadsEachFileOnce) {
  write("shared.rasp", "bumped = indices + 1;\n");
  write("left.rasp", "load \"shared\";\nleft = bumped;\n");
  write("right.rasp", "load \"shared\";\nright = bumped;\n");
  write("main.rasp", "load \"left\";\nload \"right\";\nsame = left == right;\n");
  auto program = Program::fromFile(file("main.rasp"));
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  EXPECT_EQ(*(*program)->getSOp("left"), *(*program)->getSOp("right"));
}

TEST_F(RaspLoadTest, FallsBackToTheWorkingDirectory) {
  write("here.rasp", "here = indices;\n");
  llvm::SmallString<256> saved;
  ASSERT_FALSE(llvm::sys::fs::current_path(saved));
  ASSERT_FALSE(llvm::sys::fs::set_current_path(dir));
  auto program = Program::fromSource("load \"here\";\nx = here;", "sub/main.rasp");
  ASSERT_FALSE(llvm::sys::fs::set_current_path(saved));
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  EXPECT_EQ(run(**program, "x", "ab"), "[0,1]");
}

TEST_F(RaspLoadTest, ReportsCyclesAndMissingFiles) {
  write("a.rasp", "load \"b\";\n");
  write("b.rasp", "x = 1;\nload \"a\";\n");
  auto cyclic = Program::fromFile(file("a.rasp"));
  ASSERT_FALSE(bool(cyclic));
  EXPECT_EQ(llvm::toString(cyclic.takeError()),
            file("b.rasp") + ":2:1: error: load cycle: " + file("a.rasp") + " -> " +
                file("b.rasp") + " -> " + file("a.rasp"));

  write("c.rasp", "\n  load \"nope\";\n");
  auto missing = Program::fromFile(file("c.rasp"));
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            file("c.rasp") + ":2:3: error: cannot find 'nope.rasp' next to '" + file("c.rasp") +
                "' or in the working directory");

  write("d.rasp", "load \"e\";\n");
  write("e.rasp", "x = ;\n");
  auto broken = Program::fromFile(file("d.rasp"));
  ASSERT_FALSE(bool(broken));
  EXPECT_EQ(llvm::toString(broken.takeError()),
            file("e.rasp") + ":1:5: error: expected an expression, got ';'");
}

//===----------------------------------------------------------------------===//
// Text forms
//===----------------------------------------------------------------------===//

TEST(RaspJson, ParsesInputs) {
  EXPECT_EQ(formatJson(parseTokens("abc")), "[\"a\",\"b\",\"c\"]");
  EXPECT_EQ(formatJson(parseTokens("[1, 2, -3]")), "[1,2,-3]");
  EXPECT_EQ(formatJson(parseTokens("[]")), "[]");
  EXPECT_EQ(formatJson(parseTokens("")), "[]");
  // Anything but an array of ints is a string of characters.
  EXPECT_EQ(formatJson(parseTokens("[1,a]")), "[\"[\",\"1\",\",\",\"a\",\"]\"]");
  EXPECT_EQ(parseTokens("[1,\"a\"]").size(), 7u);
  EXPECT_EQ(formatJson(parseTokens("[()]")), "[\"[\",\"(\",\")\",\"]\"]");
  EXPECT_EQ(formatJson(parseTokens("h\xC3\xA9!")), "[\"h\",\"\xC3\xA9\",\"!\"]");
}

TEST(RaspJson, FormatsResults) {
  EXPECT_EQ(formatJson({Atom::string("a\"b\\"), Atom::string("\n")}),
            "[\"a\\\"b\\\\\",\"\\u000a\"]");
  EXPECT_EQ(formatJson({Atom::integer(-7), Atom::boolean(true), Atom::boolean(false)}),
            "[-7,true,false]");
  EXPECT_EQ(formatJson({Atom::real(0.5), Atom::real(2), Atom::real(1e20), Atom::real(1.0 / 3)}),
            "[0.5,2.0,1e+20,0.3333333333333333]");
  EXPECT_EQ(formatJson({}), "[]");
}

//===----------------------------------------------------------------------===//
// Example programs
//===----------------------------------------------------------------------===//

TEST(RaspExamples, Length) {
  EXPECT_EQ(runExample("length.rasp", "input_length", "hello"), "[5,5,5,5,5]");
  EXPECT_EQ(runExample("length.rasp", "input_length", "a"), "[1]");
  EXPECT_EQ(runExample("length.rasp", "input_length", "[7,7,7]"), "[3,3,3]");
}

TEST(RaspExamples, Reverse) {
  EXPECT_EQ(runExample("reverse.rasp", "reverse", "abcd"), "[\"d\",\"c\",\"b\",\"a\"]");
  EXPECT_EQ(runExample("reverse.rasp", "reverse", "xyz"), "[\"z\",\"y\",\"x\"]");
  EXPECT_EQ(runExample("reverse.rasp", "reverse", "a"), "[\"a\"]");
}

TEST(RaspExamples, Histogram) {
  EXPECT_EQ(runExample("histogram.rasp", "histogram", "abca"), "[2,1,1,2]");
  EXPECT_EQ(runExample("histogram.rasp", "histogram", "aaa"), "[3,3,3]");
  EXPECT_EQ(runExample("histogram.rasp", "histogram", "hello"), "[1,1,2,2,1]");
}

TEST(RaspExamples, DoubleHistogram) {
  EXPECT_EQ(runExample("double_histogram.rasp", "double_histogram", "aabbc"), "[2,2,2,2,1]");
  EXPECT_EQ(runExample("double_histogram.rasp", "double_histogram", "aaabbc"), "[1,1,1,1,1,1]");
  EXPECT_EQ(runExample("double_histogram.rasp", "double_histogram", "abcab"), "[2,2,1,2,2]");
}

TEST(RaspExamples, Sort) {
  EXPECT_EQ(runExample("sort.rasp", "sorted", "dbca"), "[\"a\",\"b\",\"c\",\"d\"]");
  EXPECT_EQ(runExample("sort.rasp", "sorted", "banana"), "[\"a\",\"a\",\"a\",\"b\",\"n\",\"n\"]");
  EXPECT_EQ(runExample("sort.rasp", "sorted", "z"), "[\"z\"]");
}

TEST(RaspExamples, SortByFrequency) {
  EXPECT_EQ(runExample("sort_freq.rasp", "sort_freq", "abbccc"),
            "[\"c\",\"c\",\"c\",\"b\",\"b\",\"a\"]");
  EXPECT_EQ(runExample("sort_freq.rasp", "sort_freq", "aabcb"), "[\"a\",\"a\",\"b\",\"b\",\"c\"]");
  EXPECT_EQ(runExample("sort_freq.rasp", "sort_freq", "cab"), "[\"c\",\"a\",\"b\"]");
}

TEST(RaspExamples, FracPrevs) {
  EXPECT_EQ(runExample("frac_prevs.rasp", "frac_x", "xaxb"), "[1,0.5,0.6666666666666666,0.5]");
  EXPECT_EQ(runExample("frac_prevs.rasp", "frac_x", "aax"), "[0,0.0,0.3333333333333333]");
  EXPECT_EQ(runExample("frac_prevs.rasp", "frac_x", "xx"), "[1,1.0]");
}

TEST(RaspExamples, PairBalance) {
  auto program = Program::fromFile(examplePath("pair_balance.rasp"));
  ASSERT_TRUE(bool(program)) << llvm::toString(program.takeError());
  auto balance = [&](StringRef input) {
    std::vector<double> out;
    auto result = evaluate(**(*program)->getSOp("balance"), parseTokens(input));
    EXPECT_TRUE(bool(result));
    if (result)
      for (const Atom &atom : *result)
        out.push_back(atom.toDouble());
    return out;
  };
  expectNear(balance("(()"), {1, 1, 1.0 / 3});
  expectNear(balance("())("), {1, 0, -1.0 / 3, 0});
  expectNear(balance("()()"), {1, 0, 1.0 / 3, 0});
}

TEST(RaspExamples, Dyck1) {
  EXPECT_EQ(runExample("dyck1.rasp", "dyck1", "())("), "[\"P\",\"T\",\"F\",\"F\"]");
  EXPECT_EQ(runExample("dyck1.rasp", "dyck1", "(())"), "[\"P\",\"P\",\"P\",\"T\"]");
  EXPECT_EQ(runExample("dyck1.rasp", "dyck1", ")("), "[\"F\",\"F\"]");
  EXPECT_EQ(runExample("dyck1.rasp", "dyck1", "()(()"), "[\"P\",\"T\",\"P\",\"P\",\"P\"]");
}

TEST(RaspExamples, Dyck2) {
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "({})"), "[\"P\",\"P\",\"P\",\"T\"]");
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "({)}"), "[\"P\",\"P\",\"F\",\"F\"]");
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "(){}"), "[\"P\",\"T\",\"P\",\"T\"]");
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "}{"), "[\"F\",\"F\"]");
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "{(()"), "[\"P\",\"P\",\"P\",\"P\"]");
  EXPECT_EQ(runExample("dyck2.rasp", "dyck2", "({}(})"), "[\"P\",\"P\",\"P\",\"P\",\"F\",\"F\"]");
}

TEST(RaspExamples, ShuffleDyck) {
  EXPECT_EQ(runExample("shuffle_dyck.rasp", "shuffle_dyck", "({)}"), "[\"P\",\"P\",\"P\",\"T\"]");
  EXPECT_EQ(runExample("shuffle_dyck.rasp", "shuffle_dyck", "(}"), "[\"P\",\"F\"]");
  EXPECT_EQ(runExample("shuffle_dyck.rasp", "shuffle_dyck", "{()}"), "[\"P\",\"P\",\"P\",\"T\"]");
  EXPECT_EQ(runExample("shuffle_dyck.rasp", "shuffle_dyck", "())("), "[\"P\",\"T\",\"F\",\"F\"]");
}

TEST(RaspExamples, DetectPattern) {
  EXPECT_EQ(runExample("detect_pattern.rasp", "detect_abc", "aabcabc"),
            "[false,false,false,true,false,false,true]");
  EXPECT_EQ(runExample("detect_pattern.rasp", "detect_abc", "abc"), "[false,false,true]");
  EXPECT_EQ(runExample("detect_pattern.rasp", "detect_abc", "cba"), "[false,false,false]");
}

TEST(RaspExamples, Counting) {
  EXPECT_EQ(runExample("counting.rasp", "count_a", "banana"), "[3,3,3,3,3,3]");
  EXPECT_EQ(runExample("counting.rasp", "running_count_a", "banana"), "[0,1,1,2,2,3]");
  EXPECT_EQ(runExample("counting.rasp", "count_a", "xyz"), "[0,0,0]");
}

TEST(RaspExamples, Shift) {
  EXPECT_EQ(runExample("shift.rasp", "shift_right", "abcd"), "[\"_\",\"a\",\"b\",\"c\"]");
  EXPECT_EQ(runExample("shift.rasp", "shift_left", "abcd"), "[\"b\",\"c\",\"d\",\"_\"]");
  EXPECT_EQ(runExample("shift.rasp", "shift_right", "a"), "[\"_\"]");
}

TEST(RaspExamples, SortIntegers) {
  EXPECT_EQ(runExample("sort_int.rasp", "sorted_ints", "[3,1,2]"), "[1,2,3]");
  EXPECT_EQ(runExample("sort_int.rasp", "sorted_ints", "[10,-5,7,-5]"), "[-5,-5,7,10]");
  EXPECT_EQ(runExample("sort_int.rasp", "sorted_ints_desc", "[3,1,2,3]"), "[3,3,2,1]");
}

TEST(RaspExamples, PrefixSum) {
  EXPECT_EQ(runExample("prefix_sum.rasp", "prefix_sum", "[1,2,3,4]"), "[1,3,6,10]");
  EXPECT_EQ(runExample("prefix_sum.rasp", "prefix_sum", "[5,-2,0]"), "[5,3,3]");
  EXPECT_EQ(runExample("prefix_sum.rasp", "prefix_sum", "[7]"), "[7]");
}

} // namespace
