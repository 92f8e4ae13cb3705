//===- Parser.h - Parsing RASP source into syntax trees ---------*- C++ -*-===//
//
// A recursive-descent parser for the textual RASP language of RASP.md. Binary
// operators are parsed by precedence climbing with the authors' precedence,
// tightest first:
//   () indexing calls; unary not - +; round( ) indicator( ); ^; * /; %; + -;
//   comparisons; select(; and or; x if c else y; in
// Every binary level, and the conditional, is left-associative as in the
// authors' ANTLR grammar: `a ^ b ^ c` is `(a ^ b) ^ c` and
// `a if b else c if d else e` is `(a if b else c) if d else e`. Prefix
// operators bind tighter than every binary one: `not a == b` is
// `(not a) == b` and `-a ^ b` is `(-a) ^ b`.
//
// Errors read "file:line:col: error: expected X ..., got Y".
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_PARSER_H
#define ICL_FRONTENDS_RASP_PARSER_H

#include "frontends/rasp/AST.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace icl::rasp {

/// Parses `source`; `fileName` names the module in locations and errors.
llvm::Expected<std::unique_ptr<Module>> parseSource(std::string source, std::string fileName);

/// Reads and parses the file at `path`.
llvm::Expected<std::unique_ptr<Module>> parseFile(llvm::StringRef path);

/// Prints `expr` with every compound subexpression parenthesized, e.g.
/// `((a + b) * c)`, so that tests and messages can show how it grouped.
std::string printExpr(const Expr &expr);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_PARSER_H
