//===- Parser.cpp - Parsing RASP source into syntax trees -----------------===//

#include "frontends/rasp/Parser.h"
#include "lib/Support/Files.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <optional>

using namespace llvm;

namespace icl::rasp {

namespace {

/// Hostile inputs such as 100000 nested parentheses, or a chain of 100000
/// additions, must not overflow the stack of the recursive descent or of the
/// passes over the tree; this bounds the depth of every syntax tree.
constexpr unsigned kMaxNesting = 256;

/// Binary precedence levels, loosest first; 0 means "not a binary operator".
enum Level : unsigned {
  NotBinary = 0,
  InLevel,
  CondLevel,
  LogicLevel,
  CompareLevel,
  AddLevel,
  ModLevel,
  MulLevel,
  PowLevel,
};

Level binaryLevel(TokenKind kind) {
  switch (kind) {
  case TokenKind::KwIn:
    return InLevel;
  case TokenKind::KwIf:
    return CondLevel;
  case TokenKind::KwAnd:
  case TokenKind::KwOr:
    return LogicLevel;
  case TokenKind::EqEq:
  case TokenKind::Less:
  case TokenKind::Greater:
  case TokenKind::LessEq:
  case TokenKind::GreaterEq:
    return CompareLevel;
  case TokenKind::Plus:
  case TokenKind::Minus:
    return AddLevel;
  case TokenKind::Percent:
    return ModLevel;
  case TokenKind::Star:
  case TokenKind::Slash:
    return MulLevel;
  case TokenKind::Caret:
    return PowLevel;
  default:
    return NotBinary;
  }
}

BinaryOp binaryOp(TokenKind kind) {
  switch (kind) {
  case TokenKind::Caret:
    return BinaryOp::Pow;
  case TokenKind::Star:
    return BinaryOp::Mul;
  case TokenKind::Slash:
    return BinaryOp::Div;
  case TokenKind::Percent:
    return BinaryOp::Mod;
  case TokenKind::Plus:
    return BinaryOp::Add;
  case TokenKind::Minus:
    return BinaryOp::Sub;
  case TokenKind::EqEq:
    return BinaryOp::Eq;
  case TokenKind::Less:
    return BinaryOp::Lt;
  case TokenKind::Greater:
    return BinaryOp::Gt;
  case TokenKind::LessEq:
    return BinaryOp::Le;
  case TokenKind::GreaterEq:
    return BinaryOp::Ge;
  case TokenKind::KwAnd:
    return BinaryOp::And;
  case TokenKind::KwOr:
    return BinaryOp::Or;
  default:
    llvm_unreachable("not a binary operator token");
  }
}

std::optional<Comparison> comparison(TokenKind kind) {
  switch (kind) {
  case TokenKind::EqEq:
    return Comparison::Eq;
  case TokenKind::NotEq:
    return Comparison::Ne;
  case TokenKind::Less:
    return Comparison::Lt;
  case TokenKind::Greater:
    return Comparison::Gt;
  case TokenKind::LessEq:
    return Comparison::Le;
  case TokenKind::GreaterEq:
    return Comparison::Ge;
  default:
    return std::nullopt;
  }
}

class Parser {
public:
  Parser(Module &module, std::vector<Token> tokens) : module(module), tokens(std::move(tokens)) {}

  Error parseModule() {
    while (peek().kind != TokenKind::Eof) {
      Expected<StmtPtr> stmt = parseStatement(/*topLevel=*/true);
      if (!stmt)
        return stmt.takeError();
      module.statements.push_back(std::move(*stmt));
    }
    return Error::success();
  }

private:
  //===--------------------------------------------------------------------===//
  // Token helpers
  //===--------------------------------------------------------------------===//

  const Token &peek(size_t ahead = 0) const {
    return tokens[std::min(pos + ahead, tokens.size() - 1)];
  }

  const Token &take() {
    const Token &token = tokens[pos];
    if (token.kind != TokenKind::Eof)
      ++pos;
    return token;
  }

  bool consumeIf(TokenKind kind) {
    if (peek().kind != kind)
      return false;
    take();
    return true;
  }

  /// "expected <what>, got <next token>" at the next token.
  Error expected(const Twine &what) const {
    return makeError(peek().loc, "expected " + what + ", got " + describeToken(peek()));
  }

  Error expect(TokenKind kind, const Twine &context) {
    if (consumeIf(kind))
      return Error::success();
    return expected(describeTokenKind(kind) + " " + context);
  }

  Expected<Ident> expectIdent(const Twine &context) {
    if (peek().kind != TokenKind::Identifier)
      return expected("a name " + context);
    const Token &token = take();
    return Ident{token.text.str(), token.loc};
  }

  /// The source text from the start of token `first` to the end of the last
  /// consumed token.
  StringRef textFrom(size_t first) const {
    const char *begin = tokens[first].text.data();
    const Token &last = tokens[pos - 1];
    return StringRef(begin, last.text.data() + last.text.size() - begin);
  }

  /// Counts tree depth for the lifetime of a parse function; `enter` adds a
  /// level (an operator applied in a chain adds one too).
  class NestingGuard {
  public:
    explicit NestingGuard(Parser &parser) : parser(parser) {}
    ~NestingGuard() { parser.nesting -= levels; }
    bool enter() {
      ++levels;
      return ++parser.nesting <= kMaxNesting;
    }

  private:
    Parser &parser;
    unsigned levels = 0;
  };

  Error nestingError(StringRef what) const {
    return makeError(peek().loc,
                     what + " nested too deeply (more than " + Twine(kMaxNesting) + " levels)");
  }

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  Expected<StmtPtr> parseStatement(bool topLevel) {
    const Token &first = peek();
    switch (first.kind) {
    case TokenKind::KwDef:
      return parseDef();
    case TokenKind::KwFor:
      return parseFor();
    case TokenKind::KwLoad:
      if (!topLevel)
        return makeError(first.loc, "'load' is only allowed at the top level of a file");
      return parseLoad();
    case TokenKind::KwReturn:
      return makeError(first.loc,
                       "'return' is only allowed as the last statement of a function body");
    case TokenKind::Identifier:
      if (peek(1).kind == TokenKind::Assign || peek(1).kind == TokenKind::Comma)
        return parseAssign();
      break;
    default:
      break;
    }
    Expected<ExprPtr> expr = parseExpr();
    if (!expr)
      return expr.takeError();
    if (Error err = expect(TokenKind::Semicolon, "after the expression statement"))
      return err;
    return std::make_unique<ExprStmt>(first.loc, std::move(*expr));
  }

  Expected<std::vector<Ident>> parseIdentList(const Twine &context) {
    std::vector<Ident> names;
    do {
      Expected<Ident> name = expectIdent(context);
      if (!name)
        return name.takeError();
      names.push_back(std::move(*name));
    } while (consumeIf(TokenKind::Comma));
    return names;
  }

  Expected<std::vector<ExprPtr>> parseExprList() {
    std::vector<ExprPtr> exprs;
    do {
      Expected<ExprPtr> expr = parseExpr();
      if (!expr)
        return expr.takeError();
      exprs.push_back(std::move(*expr));
    } while (consumeIf(TokenKind::Comma));
    return exprs;
  }

  Expected<StmtPtr> parseAssign() {
    SourceLoc loc = peek().loc;
    Expected<std::vector<Ident>> names = parseIdentList("to assign to");
    if (!names)
      return names.takeError();
    if (Error err = expect(TokenKind::Assign, "after the names of an assignment"))
      return err;
    Expected<std::vector<ExprPtr>> values = parseExprList();
    if (!values)
      return values.takeError();
    if (Error err = expect(TokenKind::Semicolon, "after the assignment"))
      return err;
    return std::make_unique<AssignStmt>(loc, std::move(*names), std::move(*values));
  }

  Expected<StmtPtr> parseLoad() {
    SourceLoc loc = take().loc;
    if (peek().kind != TokenKind::String)
      return expected("a file name string after 'load'");
    StringRef quoted = take().text;
    if (Error err = expect(TokenKind::Semicolon, "after the load statement"))
      return err;
    return std::make_unique<LoadStmt>(loc, quoted.drop_front().drop_back().str());
  }

  /// Statements up to (not including) `}` or, in a function body, `return`.
  Expected<std::vector<StmtPtr>> parseBlockStatements() {
    NestingGuard guard(*this);
    if (!guard.enter())
      return nestingError("blocks");
    std::vector<StmtPtr> body;
    while (peek().kind != TokenKind::RBrace && peek().kind != TokenKind::KwReturn &&
           peek().kind != TokenKind::Eof) {
      Expected<StmtPtr> stmt = parseStatement(/*topLevel=*/false);
      if (!stmt)
        return stmt.takeError();
      body.push_back(std::move(*stmt));
    }
    return body;
  }

  Expected<StmtPtr> parseDef() {
    SourceLoc loc = take().loc;
    Expected<Ident> name = expectIdent("after 'def'");
    if (!name)
      return name.takeError();
    if (Error err = expect(TokenKind::LParen, "after the function name"))
      return err;
    std::vector<Ident> params;
    if (peek().kind != TokenKind::RParen) {
      Expected<std::vector<Ident>> list = parseIdentList("as a parameter");
      if (!list)
        return list.takeError();
      params = std::move(*list);
    }
    StringSet<> seen;
    for (const Ident &param : params)
      if (!seen.insert(param.name).second)
        return makeError(param.loc, "duplicate parameter '" + param.name + "'");
    if (Error err = expect(TokenKind::RParen, "after the parameters"))
      return err;
    if (Error err = expect(TokenKind::LBrace, "to start the body of '" + name->name + "'"))
      return err;
    Expected<std::vector<StmtPtr>> body = parseBlockStatements();
    if (!body)
      return body.takeError();
    if (!consumeIf(TokenKind::KwReturn))
      return expected("'return' at the end of the body of '" + name->name + "'");
    Expected<std::vector<ExprPtr>> results = parseExprList();
    if (!results)
      return results.takeError();
    if (Error err = expect(TokenKind::Semicolon, "after the returned value"))
      return err;
    if (Error err = expect(TokenKind::RBrace, "after the return statement of '" + name->name +
                                                  "' (it must be the last statement)"))
      return err;
    return std::make_unique<DefStmt>(loc, std::move(*name), std::move(params), std::move(*body),
                                     std::move(*results));
  }

  Expected<StmtPtr> parseFor() {
    SourceLoc loc = take().loc;
    Expected<std::vector<Ident>> vars = parseIdentList("as a loop variable");
    if (!vars)
      return vars.takeError();
    if (Error err = expect(TokenKind::KwIn, "after the loop variables"))
      return err;
    Expected<ExprPtr> iterable = parseExpr();
    if (!iterable)
      return iterable.takeError();
    if (Error err = expect(TokenKind::LBrace, "to start the loop body"))
      return err;
    Expected<std::vector<StmtPtr>> body = parseBlockStatements();
    if (!body)
      return body.takeError();
    if (peek().kind == TokenKind::KwReturn)
      return makeError(peek().loc,
                       "'return' is only allowed as the last statement of a function body");
    if (Error err = expect(TokenKind::RBrace, "to end the loop body"))
      return err;
    return std::make_unique<ForStmt>(loc, std::move(*vars), std::move(*iterable), std::move(*body));
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  /// Precedence climbing: parses operators of level `minLevel` or tighter.
  Expected<ExprPtr> parseExpr(unsigned minLevel = InLevel) {
    NestingGuard guard(*this);
    if (!guard.enter())
      return nestingError("expression");
    size_t first = pos;
    SourceLoc loc = peek().loc;
    Expected<ExprPtr> lhs = parseUnary();
    if (!lhs)
      return lhs.takeError();
    while (true) {
      const Token &op = peek();
      if (op.kind == TokenKind::NotEq)
        return makeError(op.loc, "'!=' is only allowed inside select(; write 'not (a == b)' "
                                 "instead");
      unsigned level = binaryLevel(op.kind);
      if (level == NotBinary || level < minLevel)
        return lhs;
      if (!guard.enter())
        return nestingError("expression");
      take();
      if (op.kind == TokenKind::KwIf) {
        Expected<ExprPtr> cond = parseExpr();
        if (!cond)
          return cond.takeError();
        if (Error err = expect(TokenKind::KwElse, "in the conditional expression"))
          return err;
        Expected<ExprPtr> elseValue = parseExpr(level + 1);
        if (!elseValue)
          return elseValue.takeError();
        lhs = std::make_unique<CondExpr>(loc, textFrom(first), std::move(*lhs), std::move(*cond),
                                         std::move(*elseValue));
        continue;
      }
      Expected<ExprPtr> rhs = parseExpr(level + 1);
      if (!rhs)
        return rhs.takeError();
      if (op.kind == TokenKind::KwIn)
        lhs = std::make_unique<InExpr>(loc, textFrom(first), std::move(*lhs), std::move(*rhs));
      else
        lhs = std::make_unique<BinaryExpr>(loc, textFrom(first), binaryOp(op.kind), std::move(*lhs),
                                           std::move(*rhs));
    }
  }

  Expected<ExprPtr> parseUnary() {
    size_t first = pos;
    const Token &token = peek();
    std::optional<UnaryOp> op;
    if (token.kind == TokenKind::KwNot)
      op = UnaryOp::Not;
    else if (token.kind == TokenKind::Minus)
      op = UnaryOp::Neg;
    else if (token.kind == TokenKind::Plus)
      op = UnaryOp::Plus;
    if (!op)
      return parsePostfix();
    NestingGuard guard(*this);
    if (!guard.enter())
      return nestingError("expression");
    take();
    Expected<ExprPtr> operand = parseUnary();
    if (!operand)
      return operand.takeError();
    return std::make_unique<UnaryExpr>(token.loc, textFrom(first), *op, std::move(*operand));
  }

  Expected<ExprPtr> parsePostfix() {
    size_t first = pos;
    SourceLoc loc = peek().loc;
    Expected<ExprPtr> base = parsePrimary();
    if (!base)
      return base.takeError();
    // Each call or index applied in a chain (`f()()`, `x[0][0]`) nests the
    // tree one level deeper.
    NestingGuard guard(*this);
    while (true) {
      if (peek().kind != TokenKind::LParen && peek().kind != TokenKind::LBracket)
        return base;
      if (!guard.enter())
        return nestingError("expression");
      if (consumeIf(TokenKind::LParen)) {
        std::vector<ExprPtr> args;
        if (peek().kind != TokenKind::RParen) {
          Expected<std::vector<ExprPtr>> list = parseExprList();
          if (!list)
            return list.takeError();
          args = std::move(*list);
        }
        if (Error err = expect(TokenKind::RParen, "to close the argument list"))
          return err;
        base = std::make_unique<CallExpr>(loc, textFrom(first), std::move(*base), std::move(args));
      } else {
        take();
        Expected<ExprPtr> index = parseExpr();
        if (!index)
          return index.takeError();
        if (Error err = expect(TokenKind::RBracket, "to close the index"))
          return err;
        base =
            std::make_unique<IndexExpr>(loc, textFrom(first), std::move(*base), std::move(*index));
      }
    }
  }

  Expected<ExprPtr> parsePrimary() {
    size_t first = pos;
    const Token &token = peek();
    switch (token.kind) {
    case TokenKind::Int: {
      take();
      int64_t value;
      if (token.text.getAsInteger(10, value))
        return makeError(token.loc, "integer literal '" + token.text + "' does not fit in 64 bits");
      return std::make_unique<IntExpr>(token.loc, token.text, value);
    }
    case TokenKind::Float: {
      take();
      double value = 0;
      token.text.getAsDouble(value);
      return std::make_unique<FloatExpr>(token.loc, token.text, value);
    }
    case TokenKind::String:
      take();
      return std::make_unique<StringExpr>(token.loc, token.text,
                                          token.text.drop_front().drop_back().str());
    case TokenKind::Identifier:
      take();
      return std::make_unique<NameExpr>(token.loc, token.text, token.text.str());
    case TokenKind::LParen: {
      take();
      Expected<ExprPtr> inner = parseExpr();
      if (!inner)
        return inner.takeError();
      if (Error err = expect(TokenKind::RParen, "to close '('"))
        return err;
      return inner;
    }
    case TokenKind::LBracket:
      return parseListOrComprehension(first);
    case TokenKind::LBrace:
      return parseDictOrComprehension(first);
    case TokenKind::KwRound:
    case TokenKind::KwIndicator:
      return parseRoundOrIndicator(first);
    case TokenKind::KwSelect:
      return parseSelect(first);
    case TokenKind::KwAggregate:
      return parseAggregate(first);
    case TokenKind::KwRange:
    case TokenKind::KwZip:
    case TokenKind::KwLen:
      return parseListFn(first);
    default:
      return expected("an expression");
    }
  }

  /// `for vars in iterable` of a comprehension, after the element.
  Error parseComprehensionTail(std::vector<Ident> &vars, ExprPtr &iterable) {
    take();
    Expected<std::vector<Ident>> names = parseIdentList("as a comprehension variable");
    if (!names)
      return names.takeError();
    vars = std::move(*names);
    if (Error err = expect(TokenKind::KwIn, "after the comprehension variables"))
      return err;
    Expected<ExprPtr> list = parseExpr();
    if (!list)
      return list.takeError();
    iterable = std::move(*list);
    return Error::success();
  }

  Expected<ExprPtr> parseListOrComprehension(size_t first) {
    SourceLoc loc = take().loc;
    std::vector<ExprPtr> elements;
    if (consumeIf(TokenKind::RBracket))
      return std::make_unique<ListExpr>(loc, textFrom(first), std::move(elements));
    Expected<ExprPtr> head = parseExpr();
    if (!head)
      return head.takeError();
    if (peek().kind == TokenKind::KwFor) {
      std::vector<Ident> vars;
      ExprPtr iterable;
      if (Error err = parseComprehensionTail(vars, iterable))
        return err;
      if (Error err = expect(TokenKind::RBracket, "to close the list comprehension"))
        return err;
      return std::make_unique<ListCompExpr>(loc, textFrom(first), std::move(*head), std::move(vars),
                                            std::move(iterable));
    }
    elements.push_back(std::move(*head));
    while (consumeIf(TokenKind::Comma)) {
      Expected<ExprPtr> element = parseExpr();
      if (!element)
        return element.takeError();
      elements.push_back(std::move(*element));
    }
    if (Error err = expect(TokenKind::RBracket, "to close the list"))
      return err;
    return std::make_unique<ListExpr>(loc, textFrom(first), std::move(elements));
  }

  /// `key: value`, the entry of a dict or the head of a dict comprehension.
  Error parseDictEntry(std::vector<ExprPtr> &keys, std::vector<ExprPtr> &values) {
    Expected<ExprPtr> key = parseExpr();
    if (!key)
      return key.takeError();
    if (Error err = expect(TokenKind::Colon, "after the dict key"))
      return err;
    Expected<ExprPtr> value = parseExpr();
    if (!value)
      return value.takeError();
    keys.push_back(std::move(*key));
    values.push_back(std::move(*value));
    return Error::success();
  }

  Expected<ExprPtr> parseDictOrComprehension(size_t first) {
    SourceLoc loc = take().loc;
    std::vector<ExprPtr> keys, values;
    if (consumeIf(TokenKind::RBrace))
      return std::make_unique<DictExpr>(loc, textFrom(first), std::move(keys), std::move(values));
    if (Error err = parseDictEntry(keys, values))
      return err;
    if (peek().kind == TokenKind::KwFor) {
      std::vector<Ident> vars;
      ExprPtr iterable;
      if (Error err = parseComprehensionTail(vars, iterable))
        return err;
      if (Error err = expect(TokenKind::RBrace, "to close the dict comprehension"))
        return err;
      return std::make_unique<DictCompExpr>(loc, textFrom(first), std::move(keys.front()),
                                            std::move(values.front()), std::move(vars),
                                            std::move(iterable));
    }
    while (consumeIf(TokenKind::Comma))
      if (Error err = parseDictEntry(keys, values))
        return err;
    if (Error err = expect(TokenKind::RBrace, "to close the dict"))
      return err;
    return std::make_unique<DictExpr>(loc, textFrom(first), std::move(keys), std::move(values));
  }

  Expected<ExprPtr> parseRoundOrIndicator(size_t first) {
    const Token &keyword = take();
    UnaryOp op = keyword.kind == TokenKind::KwRound ? UnaryOp::Round : UnaryOp::Indicator;
    if (Error err = expect(TokenKind::LParen, "after " + describeTokenKind(keyword.kind)))
      return err;
    Expected<ExprPtr> operand = parseExpr();
    if (!operand)
      return operand.takeError();
    if (Error err = expect(TokenKind::RParen, "to close " + describeTokenKind(keyword.kind)))
      return err;
    return std::make_unique<UnaryExpr>(keyword.loc, textFrom(first), op, std::move(*operand));
  }

  Expected<ExprPtr> parseSelect(size_t first) {
    SourceLoc loc = take().loc;
    Expected<ExprPtr> keys = parseExpr();
    if (!keys)
      return keys.takeError();
    if (Error err = expect(TokenKind::Comma, "after the keys of select("))
      return err;
    Expected<ExprPtr> queries = parseExpr();
    if (!queries)
      return queries.takeError();
    if (Error err = expect(TokenKind::Comma, "after the queries of select("))
      return err;
    std::optional<Comparison> op = comparison(peek().kind);
    if (!op)
      return expected("a comparison (==, !=, <, >, <=, >=) as the third argument of select(");
    take();
    if (Error err = expect(TokenKind::RParen, "to close select("))
      return err;
    return std::make_unique<SelectExpr>(loc, textFrom(first), std::move(*keys), std::move(*queries),
                                        *op);
  }

  Expected<ExprPtr> parseAggregate(size_t first) {
    SourceLoc loc = take().loc;
    Expected<ExprPtr> selector = parseExpr();
    if (!selector)
      return selector.takeError();
    if (Error err = expect(TokenKind::Comma, "after the selector of aggregate("))
      return err;
    Expected<ExprPtr> sop = parseExpr();
    if (!sop)
      return sop.takeError();
    ExprPtr defaultValue;
    if (consumeIf(TokenKind::Comma)) {
      Expected<ExprPtr> value = parseExpr();
      if (!value)
        return value.takeError();
      defaultValue = std::move(*value);
    }
    if (Error err = expect(TokenKind::RParen, "to close aggregate("))
      return err;
    return std::make_unique<AggregateExpr>(loc, textFrom(first), std::move(*selector),
                                           std::move(*sop), std::move(defaultValue));
  }

  Expected<ExprPtr> parseListFn(size_t first) {
    const Token &keyword = take();
    std::vector<ExprPtr> args;
    if (peek().kind != TokenKind::RParen) {
      Expected<std::vector<ExprPtr>> list = parseExprList();
      if (!list)
        return list.takeError();
      args = std::move(*list);
    }
    if (Error err = expect(TokenKind::RParen, "to close " + describeTokenKind(keyword.kind)))
      return err;
    // range(stop) / range(start, stop[, step]); zip(list, ...); len(list).
    struct Arity {
      Expr::Kind kind;
      size_t min, max;
      std::string text;
    };
    Arity arity = keyword.kind == TokenKind::KwRange
                      ? Arity{Expr::Kind::Range, 1, 3, "1 to 3 arguments"}
                  : keyword.kind == TokenKind::KwZip
                      ? Arity{Expr::Kind::Zip, 1, SIZE_MAX, "at least 1 argument"}
                      : Arity{Expr::Kind::Len, 1, 1, "1 argument"};
    if (args.size() < arity.min || args.size() > arity.max)
      return makeError(keyword.loc, "expected " + arity.text + " to " +
                                        describeTokenKind(keyword.kind) + ", got " +
                                        Twine(args.size()));
    return std::make_unique<ListFnExpr>(arity.kind, keyword.loc, textFrom(first), std::move(args));
  }

  Module &module;
  std::vector<Token> tokens;
  size_t pos = 0;
  unsigned nesting = 0;
};

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

std::string join(ArrayRef<ExprPtr> exprs) {
  std::string out;
  for (const ExprPtr &expr : exprs) {
    if (!out.empty())
      out += ", ";
    out += printExpr(*expr);
  }
  return out;
}

std::string joinNames(ArrayRef<Ident> names) {
  std::string out;
  for (const Ident &name : names) {
    if (!out.empty())
      out += ", ";
    out += name.name;
  }
  return out;
}

} // namespace

std::string printExpr(const Expr &expr) {
  switch (expr.getKind()) {
  case Expr::Kind::Int:
  case Expr::Kind::Float:
  case Expr::Kind::String:
  case Expr::Kind::Name:
    return expr.getText().str();
  case Expr::Kind::List:
    return "[" + join(cast<ListExpr>(expr).elements) + "]";
  case Expr::Kind::Dict: {
    const auto &dict = cast<DictExpr>(expr);
    std::string out;
    for (size_t i = 0; i < dict.keys.size(); ++i)
      out += (i ? ", " : "") + printExpr(*dict.keys[i]) + ": " + printExpr(*dict.values[i]);
    return "{" + out + "}";
  }
  case Expr::Kind::ListComp: {
    const auto &comp = cast<ListCompExpr>(expr);
    return "[" + printExpr(*comp.element) + " for " + joinNames(comp.vars) + " in " +
           printExpr(*comp.iterable) + "]";
  }
  case Expr::Kind::DictComp: {
    const auto &comp = cast<DictCompExpr>(expr);
    return "{" + printExpr(*comp.key) + ": " + printExpr(*comp.value) + " for " +
           joinNames(comp.vars) + " in " + printExpr(*comp.iterable) + "}";
  }
  case Expr::Kind::Unary: {
    const auto &unary = cast<UnaryExpr>(expr);
    std::string operand = printExpr(*unary.operand);
    switch (unary.op) {
    case UnaryOp::Round:
    case UnaryOp::Indicator:
      return (spell(unary.op) + "(" + operand + ")").str();
    case UnaryOp::Not:
      return "(not " + operand + ")";
    case UnaryOp::Neg:
    case UnaryOp::Plus:
      return ("(" + spell(unary.op) + operand + ")").str();
    }
    llvm_unreachable("unknown unary operator");
  }
  case Expr::Kind::Binary: {
    const auto &binary = cast<BinaryExpr>(expr);
    return ("(" + printExpr(*binary.lhs) + " " + spell(binary.op) + " " + printExpr(*binary.rhs) +
            ")")
        .str();
  }
  case Expr::Kind::Select: {
    const auto &select = cast<SelectExpr>(expr);
    return ("select(" + printExpr(*select.keys) + ", " + printExpr(*select.queries) + ", " +
            spell(select.op) + ")")
        .str();
  }
  case Expr::Kind::Aggregate: {
    const auto &aggregate = cast<AggregateExpr>(expr);
    std::string out =
        "aggregate(" + printExpr(*aggregate.selector) + ", " + printExpr(*aggregate.sop);
    if (aggregate.defaultValue)
      out += ", " + printExpr(*aggregate.defaultValue);
    return out + ")";
  }
  case Expr::Kind::Range:
    return "range(" + join(cast<ListFnExpr>(expr).args) + ")";
  case Expr::Kind::Zip:
    return "zip(" + join(cast<ListFnExpr>(expr).args) + ")";
  case Expr::Kind::Len:
    return "len(" + join(cast<ListFnExpr>(expr).args) + ")";
  case Expr::Kind::Index: {
    const auto &index = cast<IndexExpr>(expr);
    return printExpr(*index.base) + "[" + printExpr(*index.index) + "]";
  }
  case Expr::Kind::Call: {
    const auto &call = cast<CallExpr>(expr);
    return printExpr(*call.callee) + "(" + join(call.args) + ")";
  }
  case Expr::Kind::Cond: {
    const auto &cond = cast<CondExpr>(expr);
    return "(" + printExpr(*cond.thenValue) + " if " + printExpr(*cond.cond) + " else " +
           printExpr(*cond.elseValue) + ")";
  }
  case Expr::Kind::In: {
    const auto &in = cast<InExpr>(expr);
    return "(" + printExpr(*in.element) + " in " + printExpr(*in.container) + ")";
  }
  }
  llvm_unreachable("unknown expression kind");
}

Expected<std::unique_ptr<Module>> parseSource(std::string source, std::string fileName) {
  auto module = std::make_unique<Module>();
  module->fileName = std::move(fileName);
  module->source = std::move(source);
  Expected<std::vector<Token>> tokens = lex(module->source, module->fileName);
  if (!tokens)
    return tokens.takeError();
  if (Error err = Parser(*module, std::move(*tokens)).parseModule())
    return err;
  return module;
}

Expected<std::unique_ptr<Module>> parseFile(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readFile(path);
  if (!buffer)
    return createStringError("error: " + toString(buffer.takeError()));
  return parseSource((*buffer)->getBuffer().str(), path.str());
}

} // namespace icl::rasp
