//===- AST.h - Syntax trees of RASP programs --------------------*- C++ -*-===//
//
// Expressions and statements exactly as written, each with its source
// location; expressions also keep their source text, which the interpreter
// copies into the graph so that a compiler can name the expression behind
// every operation it cannot express. Class hierarchies use LLVM-style RTTI
// (`isa`, `cast`, `dyn_cast`).
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_AST_H
#define ICL_FRONTENDS_RASP_AST_H

#include "frontends/rasp/Lexer.h"

#include "llvm/Support/Casting.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace icl::rasp {

/// The comparisons of `select(`; all but Ne are also elementwise operators.
enum class Comparison { Eq, Ne, Lt, Gt, Le, Ge };

enum class UnaryOp { Not, Neg, Plus, Round, Indicator };

enum class BinaryOp { Pow, Mul, Div, Mod, Add, Sub, Eq, Lt, Gt, Le, Ge, And, Or };

/// How the operators are written ("==", "not", "round", ...).
inline llvm::StringRef spell(Comparison op) {
  static const char *const names[] = {"==", "!=", "<", ">", "<=", ">="};
  return names[static_cast<int>(op)];
}
inline llvm::StringRef spell(UnaryOp op) {
  static const char *const names[] = {"not", "-", "+", "round", "indicator"};
  return names[static_cast<int>(op)];
}
inline llvm::StringRef spell(BinaryOp op) {
  static const char *const names[] = {
      "^", "*", "/", "%", "+", "-", "==", "<", ">", "<=", ">=", "and", "or"};
  return names[static_cast<int>(op)];
}

/// A name as written, with its location.
struct Ident {
  std::string name;
  SourceLoc loc;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind {
    Int,
    Float,
    String,
    Name,
    List,
    Dict,
    ListComp,
    DictComp,
    Unary,
    Binary,
    Select,
    Aggregate,
    Range,
    Zip,
    Len,
    Index,
    Call,
    Cond,
    In,
  };

  virtual ~Expr() = default;
  Kind getKind() const { return kind; }
  const SourceLoc &getLoc() const { return loc; }
  /// The expression's source text, as written (may span lines).
  llvm::StringRef getText() const { return text; }

protected:
  Expr(Kind kind, SourceLoc loc, llvm::StringRef text) : kind(kind), loc(loc), text(text) {}

private:
  Kind kind;
  SourceLoc loc;
  llvm::StringRef text;
};

using ExprPtr = std::unique_ptr<Expr>;

/// Expressions whose only data is their children build from this.
template <Expr::Kind K> class ExprOfKind : public Expr {
public:
  static bool classof(const Expr *e) { return e->getKind() == K; }

protected:
  ExprOfKind(SourceLoc loc, llvm::StringRef text) : Expr(K, loc, text) {}
};

class IntExpr : public ExprOfKind<Expr::Kind::Int> {
public:
  IntExpr(SourceLoc loc, llvm::StringRef text, int64_t value)
      : ExprOfKind(loc, text), value(value) {}
  int64_t value;
};

class FloatExpr : public ExprOfKind<Expr::Kind::Float> {
public:
  FloatExpr(SourceLoc loc, llvm::StringRef text, double value)
      : ExprOfKind(loc, text), value(value) {}
  double value;
};

class StringExpr : public ExprOfKind<Expr::Kind::String> {
public:
  StringExpr(SourceLoc loc, llvm::StringRef text, std::string value)
      : ExprOfKind(loc, text), value(std::move(value)) {}
  std::string value;
};

/// A variable, including the built-ins (`tokens`, `indices`, `True`, ...).
class NameExpr : public ExprOfKind<Expr::Kind::Name> {
public:
  NameExpr(SourceLoc loc, llvm::StringRef text, std::string name)
      : ExprOfKind(loc, text), name(std::move(name)) {}
  std::string name;
};

class ListExpr : public ExprOfKind<Expr::Kind::List> {
public:
  ListExpr(SourceLoc loc, llvm::StringRef text, std::vector<ExprPtr> elements)
      : ExprOfKind(loc, text), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
};

class DictExpr : public ExprOfKind<Expr::Kind::Dict> {
public:
  DictExpr(SourceLoc loc, llvm::StringRef text, std::vector<ExprPtr> keys,
           std::vector<ExprPtr> values)
      : ExprOfKind(loc, text), keys(std::move(keys)), values(std::move(values)) {}
  /// Parallel vectors: entry i is keys[i]: values[i].
  std::vector<ExprPtr> keys;
  std::vector<ExprPtr> values;
};

/// `[element for vars in iterable]`.
class ListCompExpr : public ExprOfKind<Expr::Kind::ListComp> {
public:
  ListCompExpr(SourceLoc loc, llvm::StringRef text, ExprPtr element, std::vector<Ident> vars,
               ExprPtr iterable)
      : ExprOfKind(loc, text), element(std::move(element)), vars(std::move(vars)),
        iterable(std::move(iterable)) {}
  ExprPtr element;
  std::vector<Ident> vars;
  ExprPtr iterable;
};

/// `{key: value for vars in iterable}`.
class DictCompExpr : public ExprOfKind<Expr::Kind::DictComp> {
public:
  DictCompExpr(SourceLoc loc, llvm::StringRef text, ExprPtr key, ExprPtr value,
               std::vector<Ident> vars, ExprPtr iterable)
      : ExprOfKind(loc, text), key(std::move(key)), value(std::move(value)), vars(std::move(vars)),
        iterable(std::move(iterable)) {}
  ExprPtr key;
  ExprPtr value;
  std::vector<Ident> vars;
  ExprPtr iterable;
};

/// `not e`, `-e`, `+e`, `round(e)`, `indicator(e)`.
class UnaryExpr : public ExprOfKind<Expr::Kind::Unary> {
public:
  UnaryExpr(SourceLoc loc, llvm::StringRef text, UnaryOp op, ExprPtr operand)
      : ExprOfKind(loc, text), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
};

class BinaryExpr : public ExprOfKind<Expr::Kind::Binary> {
public:
  BinaryExpr(SourceLoc loc, llvm::StringRef text, BinaryOp op, ExprPtr lhs, ExprPtr rhs)
      : ExprOfKind(loc, text), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
};

/// `select(keys, queries, op)`.
class SelectExpr : public ExprOfKind<Expr::Kind::Select> {
public:
  SelectExpr(SourceLoc loc, llvm::StringRef text, ExprPtr keys, ExprPtr queries, Comparison op)
      : ExprOfKind(loc, text), keys(std::move(keys)), queries(std::move(queries)), op(op) {}
  ExprPtr keys;
  ExprPtr queries;
  Comparison op;
};

/// `aggregate(selector, sop[, defaultValue])`.
class AggregateExpr : public ExprOfKind<Expr::Kind::Aggregate> {
public:
  AggregateExpr(SourceLoc loc, llvm::StringRef text, ExprPtr selector, ExprPtr sop,
                ExprPtr defaultValue)
      : ExprOfKind(loc, text), selector(std::move(selector)), sop(std::move(sop)),
        defaultValue(std::move(defaultValue)) {}
  ExprPtr selector;
  ExprPtr sop;
  /// Null when omitted.
  ExprPtr defaultValue;
};

/// The compile-time list built-ins `range(`, `zip(` and `len(`; the kind says
/// which.
class ListFnExpr : public Expr {
public:
  ListFnExpr(Kind kind, SourceLoc loc, llvm::StringRef text, std::vector<ExprPtr> args)
      : Expr(kind, loc, text), args(std::move(args)) {}
  static bool classof(const Expr *e) {
    return e->getKind() == Kind::Range || e->getKind() == Kind::Zip || e->getKind() == Kind::Len;
  }
  std::vector<ExprPtr> args;
};

/// `base[index]`.
class IndexExpr : public ExprOfKind<Expr::Kind::Index> {
public:
  IndexExpr(SourceLoc loc, llvm::StringRef text, ExprPtr base, ExprPtr index)
      : ExprOfKind(loc, text), base(std::move(base)), index(std::move(index)) {}
  ExprPtr base;
  ExprPtr index;
};

/// `callee(args)`.
class CallExpr : public ExprOfKind<Expr::Kind::Call> {
public:
  CallExpr(SourceLoc loc, llvm::StringRef text, ExprPtr callee, std::vector<ExprPtr> args)
      : ExprOfKind(loc, text), callee(std::move(callee)), args(std::move(args)) {}
  ExprPtr callee;
  std::vector<ExprPtr> args;
};

/// `thenValue if cond else elseValue`.
class CondExpr : public ExprOfKind<Expr::Kind::Cond> {
public:
  CondExpr(SourceLoc loc, llvm::StringRef text, ExprPtr thenValue, ExprPtr cond, ExprPtr elseValue)
      : ExprOfKind(loc, text), thenValue(std::move(thenValue)), cond(std::move(cond)),
        elseValue(std::move(elseValue)) {}
  ExprPtr thenValue;
  ExprPtr cond;
  ExprPtr elseValue;
};

/// `element in container`.
class InExpr : public ExprOfKind<Expr::Kind::In> {
public:
  InExpr(SourceLoc loc, llvm::StringRef text, ExprPtr element, ExprPtr container)
      : ExprOfKind(loc, text), element(std::move(element)), container(std::move(container)) {}
  ExprPtr element;
  ExprPtr container;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

class Stmt {
public:
  enum class Kind { Assign, Expr, Def, For, Load };

  virtual ~Stmt() = default;
  Kind getKind() const { return kind; }
  const SourceLoc &getLoc() const { return loc; }

protected:
  Stmt(Kind kind, SourceLoc loc) : kind(kind), loc(loc) {}

private:
  Kind kind;
  SourceLoc loc;
};

using StmtPtr = std::unique_ptr<Stmt>;

/// `a, b = e1, e2;` (one or more names, one or more values).
class AssignStmt : public Stmt {
public:
  AssignStmt(SourceLoc loc, std::vector<Ident> names, std::vector<ExprPtr> values)
      : Stmt(Kind::Assign, loc), names(std::move(names)), values(std::move(values)) {}
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Assign; }
  std::vector<Ident> names;
  std::vector<ExprPtr> values;
};

/// `expr;`, evaluated for its errors only.
class ExprStmt : public Stmt {
public:
  ExprStmt(SourceLoc loc, ExprPtr expr) : Stmt(Kind::Expr, loc), expr(std::move(expr)) {}
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Expr; }
  ExprPtr expr;
};

/// `def name(params) { body; return results; }`.
class DefStmt : public Stmt {
public:
  DefStmt(SourceLoc loc, Ident name, std::vector<Ident> params, std::vector<StmtPtr> body,
          std::vector<ExprPtr> results)
      : Stmt(Kind::Def, loc), name(std::move(name)), params(std::move(params)),
        body(std::move(body)), results(std::move(results)) {}
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Def; }
  Ident name;
  std::vector<Ident> params;
  std::vector<StmtPtr> body;
  /// Several results make a tuple (a list value).
  std::vector<ExprPtr> results;
};

/// `for vars in iterable { body }`.
class ForStmt : public Stmt {
public:
  ForStmt(SourceLoc loc, std::vector<Ident> vars, ExprPtr iterable, std::vector<StmtPtr> body)
      : Stmt(Kind::For, loc), vars(std::move(vars)), iterable(std::move(iterable)),
        body(std::move(body)) {}
  static bool classof(const Stmt *s) { return s->getKind() == Kind::For; }
  std::vector<Ident> vars;
  ExprPtr iterable;
  std::vector<StmtPtr> body;
};

/// `load "name";` (top level only).
class LoadStmt : public Stmt {
public:
  LoadStmt(SourceLoc loc, std::string name) : Stmt(Kind::Load, loc), name(std::move(name)) {}
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Load; }
  std::string name;
};

/// One parsed file. Locations and expression texts point into `fileName` and
/// `source`, so a module never moves them once parsed.
struct Module {
  std::string fileName;
  std::string source;
  std::vector<StmtPtr> statements;
};

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_AST_H
