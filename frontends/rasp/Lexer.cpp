//===- Lexer.cpp - Tokens of the RASP language ----------------------------===//

#include "frontends/rasp/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace llvm;

namespace icl::rasp {

Error makeError(const SourceLoc &loc, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), loc.file + ":" + Twine(loc.line) + ":" +
                                                         Twine(loc.col) + ": error: " + message);
}

std::string describeTokenKind(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Identifier:
    return "a name";
  case TokenKind::Int:
    return "an integer";
  case TokenKind::Float:
    return "a float";
  case TokenKind::String:
    return "a string";
  case TokenKind::KwDef:
    return "'def'";
  case TokenKind::KwReturn:
    return "'return'";
  case TokenKind::KwFor:
    return "'for'";
  case TokenKind::KwIn:
    return "'in'";
  case TokenKind::KwIf:
    return "'if'";
  case TokenKind::KwElse:
    return "'else'";
  case TokenKind::KwAnd:
    return "'and'";
  case TokenKind::KwOr:
    return "'or'";
  case TokenKind::KwNot:
    return "'not'";
  case TokenKind::KwLoad:
    return "'load'";
  case TokenKind::KwRound:
    return "'round'";
  case TokenKind::KwIndicator:
    return "'indicator'";
  case TokenKind::KwSelect:
    return "'select('";
  case TokenKind::KwAggregate:
    return "'aggregate('";
  case TokenKind::KwRange:
    return "'range('";
  case TokenKind::KwZip:
    return "'zip('";
  case TokenKind::KwLen:
    return "'len('";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Semicolon:
    return "';'";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Assign:
    return "'='";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Percent:
    return "'%'";
  case TokenKind::Caret:
    return "'^'";
  case TokenKind::EqEq:
    return "'=='";
  case TokenKind::NotEq:
    return "'!='";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::LessEq:
    return "'<='";
  case TokenKind::GreaterEq:
    return "'>='";
  }
  llvm_unreachable("unknown token kind");
}

std::string describeToken(const Token &token) {
  switch (token.kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Identifier:
  case TokenKind::Int:
  case TokenKind::Float:
    return ("'" + token.text + "'").str();
  case TokenKind::String:
    return token.text.str();
  default:
    return describeTokenKind(token.kind);
  }
}

namespace {

bool isIdentStart(char c) { return isAlpha(c) || c == '_'; }
bool isIdentChar(char c) { return isAlnum(c) || c == '_'; }

class Lexer {
public:
  Lexer(StringRef source, StringRef fileName) : source(source), fileName(fileName) {}

  Expected<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (true) {
      skipSpaceAndComments();
      Expected<Token> token = next();
      if (!token)
        return token.takeError();
      tokens.push_back(*token);
      if (token->kind == TokenKind::Eof)
        return tokens;
    }
  }

private:
  SourceLoc loc() const { return {fileName, line, col}; }
  char peek(size_t ahead = 0) const {
    return pos + ahead < source.size() ? source[pos + ahead] : '\0';
  }
  bool atEnd() const { return pos >= source.size(); }

  void advance() {
    if (source[pos] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    ++pos;
  }

  void skipSpaceAndComments() {
    while (!atEnd()) {
      char c = peek();
      if (c == '#') {
        while (!atEnd() && peek() != '\n')
          advance();
      } else if (isSpace(c)) {
        advance();
      } else {
        return;
      }
    }
  }

  Token make(TokenKind kind, SourceLoc start, size_t begin) const {
    return {kind, source.slice(begin, pos), start};
  }

  Expected<Token> next() {
    SourceLoc start = loc();
    size_t begin = pos;
    if (atEnd())
      return make(TokenKind::Eof, start, begin);
    char c = peek();
    if (isIdentStart(c))
      return identifierOrKeyword(start, begin);
    if (isDigit(c))
      return number(start, begin);
    if (c == '"')
      return string(start, begin);
    return punctuation(start, begin);
  }

  Token identifierOrKeyword(SourceLoc start, size_t begin) {
    while (!atEnd() && isIdentChar(peek()))
      advance();
    StringRef word = source.slice(begin, pos);
    // The authors' grammar spells these five with their parenthesis: only
    // `select(` is the keyword, `select (` is a name followed by '('.
    TokenKind withParen = StringSwitch<TokenKind>(word)
                              .Case("select", TokenKind::KwSelect)
                              .Case("aggregate", TokenKind::KwAggregate)
                              .Case("range", TokenKind::KwRange)
                              .Case("zip", TokenKind::KwZip)
                              .Case("len", TokenKind::KwLen)
                              .Default(TokenKind::Identifier);
    if (withParen != TokenKind::Identifier && peek() == '(') {
      advance();
      return make(withParen, start, begin);
    }
    TokenKind kind = StringSwitch<TokenKind>(word)
                         .Case("def", TokenKind::KwDef)
                         .Case("return", TokenKind::KwReturn)
                         .Case("for", TokenKind::KwFor)
                         .Case("in", TokenKind::KwIn)
                         .Case("if", TokenKind::KwIf)
                         .Case("else", TokenKind::KwElse)
                         .Case("and", TokenKind::KwAnd)
                         .Case("or", TokenKind::KwOr)
                         .Case("not", TokenKind::KwNot)
                         .Case("load", TokenKind::KwLoad)
                         .Case("round", TokenKind::KwRound)
                         .Case("indicator", TokenKind::KwIndicator)
                         .Default(TokenKind::Identifier);
    return make(kind, start, begin);
  }

  Expected<Token> number(SourceLoc start, size_t begin) {
    while (isDigit(peek()))
      advance();
    if (peek() != '.')
      return make(TokenKind::Int, start, begin);
    advance();
    if (!isDigit(peek()))
      return makeError(loc(), "expected a digit after '.' in a float literal");
    while (isDigit(peek()))
      advance();
    return make(TokenKind::Float, start, begin);
  }

  Expected<Token> string(SourceLoc start, size_t begin) {
    advance();
    while (!atEnd() && peek() != '"' && peek() != '\n' && peek() != '\r')
      advance();
    if (peek() != '"')
      return makeError(start, "expected '\"' to end the string literal on the same line");
    advance();
    return make(TokenKind::String, start, begin);
  }

  Expected<Token> punctuation(SourceLoc start, size_t begin) {
    char c = peek();
    char c2 = peek(1);
    auto one = [&](TokenKind kind) {
      advance();
      return make(kind, start, begin);
    };
    auto two = [&](TokenKind kind) {
      advance();
      advance();
      return make(kind, start, begin);
    };
    switch (c) {
    case '(':
      return one(TokenKind::LParen);
    case ')':
      return one(TokenKind::RParen);
    case '[':
      return one(TokenKind::LBracket);
    case ']':
      return one(TokenKind::RBracket);
    case '{':
      return one(TokenKind::LBrace);
    case '}':
      return one(TokenKind::RBrace);
    case ',':
      return one(TokenKind::Comma);
    case ';':
      return one(TokenKind::Semicolon);
    case ':':
      return one(TokenKind::Colon);
    case '+':
      return one(TokenKind::Plus);
    case '-':
      return one(TokenKind::Minus);
    case '*':
      return one(TokenKind::Star);
    case '/':
      return one(TokenKind::Slash);
    case '%':
      return one(TokenKind::Percent);
    case '^':
      return one(TokenKind::Caret);
    case '=':
      return c2 == '=' ? two(TokenKind::EqEq) : one(TokenKind::Assign);
    case '<':
      return c2 == '=' ? two(TokenKind::LessEq) : one(TokenKind::Less);
    case '>':
      return c2 == '=' ? two(TokenKind::GreaterEq) : one(TokenKind::Greater);
    case '!':
      if (c2 == '=')
        return two(TokenKind::NotEq);
      return makeError(start, "expected '=' after '!' (the only use of '!' is '!=')");
    default:
      if (isPrint(c))
        return makeError(start, Twine("unexpected character '") + Twine(c) + "'");
      return makeError(start, "unexpected byte 0x" + utohexstr(uint8_t(c)));
    }
  }

  StringRef source;
  StringRef fileName;
  size_t pos = 0;
  unsigned line = 1;
  unsigned col = 1;
};

} // namespace

Expected<std::vector<Token>> lex(StringRef source, StringRef fileName) {
  return Lexer(source, fileName).run();
}

} // namespace icl::rasp
