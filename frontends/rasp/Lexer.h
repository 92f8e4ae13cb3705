//===- Lexer.h - Tokens of the RASP language --------------------*- C++ -*-===//
//
// Splits RASP source text into tokens (docs: /work/shared/design/RASP.md).
// `select(`, `aggregate(`, `range(`, `zip(`, `len(` are single tokens, as in
// the authors' grammar: written with a space before the parenthesis they are
// ordinary names. `#` starts a comment that runs to the end of the line.
// Literals: non-negative integers, floats with digits on both sides of the
// dot and double-quoted strings without escapes or line breaks.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_LEXER_H
#define ICL_FRONTENDS_RASP_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace icl::rasp {

/// A position in a source file; lines and columns count from 1, columns in
/// bytes. `file` refers to a name owned by the parsed module.
struct SourceLoc {
  llvm::StringRef file;
  unsigned line = 0;
  unsigned col = 0;
};

/// The error every stage reports: "file:line:col: error: <message>".
llvm::Error makeError(const SourceLoc &loc, const llvm::Twine &message);

enum class TokenKind {
  Eof,
  Identifier,
  Int,
  Float,
  String,
  // Keywords.
  KwDef,
  KwReturn,
  KwFor,
  KwIn,
  KwIf,
  KwElse,
  KwAnd,
  KwOr,
  KwNot,
  KwLoad,
  KwRound,
  KwIndicator,
  // Keywords that include their opening parenthesis.
  KwSelect,
  KwAggregate,
  KwRange,
  KwZip,
  KwLen,
  // Punctuation and operators.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Semicolon,
  Colon,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
  EqEq,
  NotEq,
  Less,
  Greater,
  LessEq,
  GreaterEq,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The spelling in the source buffer (a string literal keeps its quotes).
  llvm::StringRef text;
  SourceLoc loc;
};

/// How a token of `kind` is written, quoted for messages ("';'", "'select('",
/// "a name", "end of file").
std::string describeTokenKind(TokenKind kind);

/// Describes `token` for "expected X, got Y" messages.
std::string describeToken(const Token &token);

/// Tokenizes `source`; the last token is always Eof. Error locations name
/// `fileName`, which must outlive the tokens.
llvm::Expected<std::vector<Token>> lex(llvm::StringRef source, llvm::StringRef fileName);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_LEXER_H
