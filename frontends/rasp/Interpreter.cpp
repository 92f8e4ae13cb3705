//===- Interpreter.cpp - Building and evaluating RASP programs ------------===//
//
// Three parts: the operations on atoms (shared by compile-time folding and
// the callables of Map nodes, so both phases agree), the ProgramBuilder that
// runs statements and builds the graph, and the Evaluator.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/Interpreter.h"

#include "frontends/rasp/Json.h"
#include "frontends/rasp/Parser.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <limits>

using namespace llvm;

namespace icl::rasp {

bool atomsEqual(const Atom &a, const Atom &b) {
  if (a.isNumber() && b.isNumber()) {
    if (a.getKind() == Atom::Kind::Int && b.getKind() == Atom::Kind::Int)
      return a.getInt() == b.getInt();
    return a.toDouble() == b.toDouble();
  }
  if (a.getKind() != b.getKind())
    return false;
  return a.getKind() == Atom::Kind::String ? a.getString() == b.getString()
                                           : a.getBool() == b.getBool();
}

std::optional<bool> compareAtoms(Comparison op, const Atom &a, const Atom &b) {
  if (op == Comparison::Eq)
    return atomsEqual(a, b);
  if (op == Comparison::Ne)
    return !atomsEqual(a, b);
  auto threeWay = [](const auto &x, const auto &y) { return x < y ? -1 : (y < x ? 1 : 0); };
  int order;
  if (a.getKind() == Atom::Kind::Int && b.getKind() == Atom::Kind::Int)
    order = threeWay(a.getInt(), b.getInt());
  else if (a.isNumber() && b.isNumber())
    order = threeWay(a.toDouble(), b.toDouble());
  else if (a.getKind() == Atom::Kind::String && b.getKind() == Atom::Kind::String)
    order = threeWay(a.getString(), b.getString());
  else if (a.getKind() == Atom::Kind::Bool && b.getKind() == Atom::Kind::Bool)
    order = threeWay(a.getBool(), b.getBool());
  else
    return std::nullopt;
  switch (op) {
  case Comparison::Lt:
    return order < 0;
  case Comparison::Gt:
    return order > 0;
  case Comparison::Le:
    return order <= 0;
  default:
    return order >= 0;
  }
}

namespace {

/// Equal atoms hash alike: numbers by their value as a double (so the int 1
/// and the float 1.0 meet), whatever the kind.
uint64_t hashAtom(const Atom &atom) {
  switch (atom.getKind()) {
  case Atom::Kind::String:
    return hash_value(atom.getString());
  case Atom::Kind::Bool:
    return atom.getBool();
  default: {
    double value = atom.toDouble();
    if (value == 0)
      value = 0; // -0.0 == 0.0
    return hash_value(llvm::bit_cast<uint64_t>(value));
  }
  }
}

} // namespace

int AtomIndex::find(const Atom &atom) const {
  auto it = buckets.find(hashAtom(atom));
  if (it == buckets.end())
    return -1;
  for (unsigned position : it->second)
    if (atomsEqual(atoms[position], atom))
      return static_cast<int>(position);
  return -1;
}

void AtomIndex::add(const Atom &atom) {
  buckets[hashAtom(atom)].push_back(static_cast<unsigned>(atoms.size()));
  atoms.push_back(atom);
}

const Value *Dict::find(const Atom &key) const {
  int position = keys.find(key);
  return position < 0 ? nullptr : &values[position];
}

void Dict::set(Atom key, Value value) {
  int position = keys.find(key);
  if (position >= 0) {
    values[position] = std::move(value);
    return;
  }
  keys.add(key);
  values.push_back(std::move(value));
}

namespace {

/// The library of RASP.md, run before every program. Definitions follow the
/// authors' rasplib, with mark_first_instance and average corrected and
/// count/contains built on selector_width, which counts exactly where a
/// mean times the length would be rounded.
const char *const kLibraryName = "<library>";
const char *const kLibrarySource = R"rasp(
full_s = select(1, 1, ==);

# Position 0 is 1/n of the positions.
length = round(1 / aggregate(full_s, indicator(indices == 0)));

def has_focus(sel) {
  return aggregate(sel, 1, 0) > 0;
}

def count(seq, atom) {
  return selector_width(select(seq, atom, ==));
}

def contains(seq, atom) {
  return has_focus(select(seq, atom, ==));
}

def max(a, b) {
  return a if a > b else b;
}

def min(a, b) {
  return a if a < b else b;
}

def average(seq) {
  return aggregate(full_s, seq);
}

def load_from_location(seq, loc) {
  return aggregate(select(indices, loc, ==), seq);
}

# Query q reads key q - n.
def shift(seq, n, filler) {
  return aggregate(select(indices + n, indices, ==), seq, filler);
}

def mark_last_instance(seq, val) {
  later_val = select(seq, val, ==) and select(indices, indices, >);
  return seq == val and not has_focus(later_val);
}

def mark_first_instance(seq, val) {
  earlier_val = select(seq, val, ==) and select(indices, indices, <);
  return seq == val and not has_focus(earlier_val);
}

def select_from_last(seq, val) {
  return select(mark_last_instance(seq, val), True, ==);
}

def select_from_first(seq, val) {
  return select(mark_first_instance(seq, val), True, ==);
}

# A position's place in the sorted order is the number of positions whose
# key is smaller, or equal and earlier (so the sort is stable).
def sort(seq, key) {
  before = select(key, key, <) or (select(key, key, ==) and select(indices, indices, <));
  target = selector_width(before);
  return aggregate(select(target, indices, ==), seq);
}

# The k-th occurrence of a value selects its (k+1)-th occurrence.
def select_next_identical(seq) {
  same = select(seq, seq, ==);
  earlier_same = selector_width(same and select(indices, indices, <));
  return same and select(earlier_same, earlier_same + 1, ==);
}
)rasp";

/// Unrolling a recursive function whose base case depends on an s-op would
/// never end; the limit turns that into an error.
constexpr size_t kMaxCallDepth = 100;
/// range( builds its list eagerly.
constexpr size_t kMaxRangeLength = size_t(1) << 20;

Error opError(const Twine &message) { return createStringError(inconvertibleErrorCode(), message); }

/// "1 element", "3 elements".
std::string plural(size_t n, StringRef noun) {
  return std::to_string(n) + " " + noun.str() + (n == 1 ? "" : "s");
}

/// The bytes of text a copy of `atom` makes: a string's.
uint64_t textBytes(const Atom &atom) {
  return atom.getKind() == Atom::Kind::String ? atom.getString().size() : 0;
}

/// The same for a value; lists and dicts are shared, not copied.
uint64_t stringBytes(const Value &value) { return value.isAtom() ? textBytes(value.getAtom()) : 0; }

/// What a list element or dict entry takes.
uint64_t elementBytes(const Value &value) { return sizeof(Value) + stringBytes(value); }

/// What a scope takes: the Env and a few variables.
constexpr uint64_t kScopeBytes = 256;

/// Re-reports an error without location (from an atom operation) at `loc`.
Error located(const SourceLoc &loc, Error err) { return makeError(loc, toString(std::move(err))); }

//===----------------------------------------------------------------------===//
// Operations on atoms
//===----------------------------------------------------------------------===//

/// "the int 3", "the string \"a\"".
std::string describe(const Atom &atom) {
  return ("the " + kindName(atom.getKind()) + " " + formatAtom(atom)).str();
}

/// `a op b`, or the language's type error.
Expected<bool> compareOrError(Comparison op, const Atom &a, const Atom &b) {
  if (std::optional<bool> result = compareAtoms(op, a, b))
    return *result;
  return opError("cannot compare " + describe(a) + " with " + describe(b) + " using '" +
                 spell(op) + "'");
}


Expected<Atom> finiteFloat(double value, StringRef op) {
  if (std::isnan(value))
    return opError("the result of '" + op + "' is not a real number");
  if (!std::isfinite(value))
    return opError("the result of '" + op + "' is too large for a float");
  return Atom::real(value);
}

Expected<bool> expectBool(const Atom &atom, StringRef op) {
  if (atom.getKind() != Atom::Kind::Bool)
    return opError("'" + op + "' expects a bool, got " + describe(atom));
  return atom.getBool();
}

Expected<Atom> applyUnary(UnaryOp op, const Atom &x) {
  if (op == UnaryOp::Not || op == UnaryOp::Indicator) {
    Expected<bool> value = expectBool(x, spell(op));
    if (!value)
      return value.takeError();
    return op == UnaryOp::Not ? Atom::boolean(!*value) : Atom::integer(*value ? 1 : 0);
  }
  if (!x.isNumber())
    return opError("'" + spell(op) + "' expects a number, got " + describe(x));
  switch (op) {
  case UnaryOp::Plus:
    return x;
  case UnaryOp::Neg:
    if (x.getKind() == Atom::Kind::Float)
      return Atom::real(-x.getFloat());
    if (x.getInt() == std::numeric_limits<int64_t>::min())
      return opError("integer overflow in '-'");
    return Atom::integer(-x.getInt());
  default: {
    if (x.getKind() == Atom::Kind::Int)
      return x;
    // The default rounding mode rounds halves to even, as Python's round()
    // in the authors' interpreter does.
    double rounded = std::nearbyint(x.getFloat());
    if (!(rounded >= -0x1p63 && rounded < 0x1p63))
      return opError("round( of " + describe(x) + " does not fit in an int");
    return Atom::integer(static_cast<int64_t>(rounded));
  }
  }
}

Expected<Atom> power(const Atom &base, const Atom &exponent) {
  if (base.getKind() == Atom::Kind::Int && exponent.getKind() == Atom::Kind::Int &&
      exponent.getInt() >= 0) {
    int64_t result = 1, factor = base.getInt();
    for (uint64_t e = exponent.getInt(); e; e >>= 1) {
      if ((e & 1) && MulOverflow(result, factor, result))
        return opError("integer overflow in '^'");
      if (e > 1 && MulOverflow(factor, factor, factor))
        return opError("integer overflow in '^'");
    }
    return Atom::integer(result);
  }
  double x = base.toDouble(), y = exponent.toDouble();
  if (x == 0 && y < 0)
    return opError("zero cannot be raised to a negative power");
  return finiteFloat(std::pow(x, y), "^");
}

Expected<Atom> applyBinary(BinaryOp op, const Atom &a, const Atom &b) {
  switch (op) {
  case BinaryOp::And:
  case BinaryOp::Or: {
    Expected<bool> x = expectBool(a, spell(op));
    if (!x)
      return x.takeError();
    Expected<bool> y = expectBool(b, spell(op));
    if (!y)
      return y.takeError();
    return Atom::boolean(op == BinaryOp::And ? *x && *y : *x || *y);
  }
  case BinaryOp::Eq:
  case BinaryOp::Lt:
  case BinaryOp::Gt:
  case BinaryOp::Le:
  case BinaryOp::Ge: {
    Comparison cmp = op == BinaryOp::Eq   ? Comparison::Eq
                     : op == BinaryOp::Lt ? Comparison::Lt
                     : op == BinaryOp::Gt ? Comparison::Gt
                     : op == BinaryOp::Le ? Comparison::Le
                                          : Comparison::Ge;
    Expected<bool> result = compareOrError(cmp, a, b);
    if (!result)
      return result.takeError();
    return Atom::boolean(*result);
  }
  default:
    break;
  }
  if (op == BinaryOp::Add && a.getKind() == Atom::Kind::String &&
      b.getKind() == Atom::Kind::String) {
    size_t size = a.getString().size() + b.getString().size();
    if (size > kMaxStringBytes)
      return opError("'+' would make a string of " + Twine(size) + " bytes, more than the limit, " +
                     Twine(kMaxStringBytes) + " (kMaxStringBytes in frontends/rasp/Interpreter.h)");
    return Atom::string(a.getString() + b.getString());
  }
  if (!a.isNumber() || !b.isNumber())
    return opError("cannot apply '" + spell(op) + "' to " + describe(a) + " and " + describe(b));
  bool ints = a.getKind() == Atom::Kind::Int && b.getKind() == Atom::Kind::Int;
  double x = a.toDouble(), y = b.toDouble();
  switch (op) {
  case BinaryOp::Add:
  case BinaryOp::Sub:
  case BinaryOp::Mul: {
    if (ints) {
      int64_t result;
      bool overflow = op == BinaryOp::Add   ? AddOverflow(a.getInt(), b.getInt(), result)
                      : op == BinaryOp::Sub ? SubOverflow(a.getInt(), b.getInt(), result)
                                            : MulOverflow(a.getInt(), b.getInt(), result);
      if (overflow)
        return opError("integer overflow in '" + spell(op) + "'");
      return Atom::integer(result);
    }
    return finiteFloat(op == BinaryOp::Add   ? x + y
                       : op == BinaryOp::Sub ? x - y
                                             : x * y,
                       spell(op));
  }
  case BinaryOp::Div:
    if (y == 0)
      return opError("division by zero");
    return finiteFloat(x / y, "/");
  case BinaryOp::Mod: {
    if (y == 0)
      return opError("modulo by zero");
    // The result takes the divisor's sign, as in Python.
    if (ints) {
      int64_t divisor = b.getInt();
      int64_t result = divisor == -1 ? 0 : a.getInt() % divisor;
      if (result != 0 && (result < 0) != (divisor < 0))
        result += divisor;
      return Atom::integer(result);
    }
    double result = std::fmod(x, y);
    if (result != 0 && (result < 0) != (y < 0))
      result += y;
    return finiteFloat(result, "%");
  }
  default:
    return power(a, b);
  }
}

/// The position `index` (negative counts from the end) of a list of `size`.
Expected<size_t> listIndex(const Atom &index, size_t size) {
  if (index.getKind() != Atom::Kind::Int)
    return opError("a list index must be an int, got " + describe(index));
  int64_t i = index.getInt(), n = static_cast<int64_t>(size);
  if (i < -n || i >= n)
    return opError("index " + Twine(i) + " is out of range for a list of " +
                   plural(size, "element"));
  return static_cast<size_t>(i < 0 ? i + n : i);
}

Expected<const Value *> dictLookup(const Dict &dict, const Atom &key) {
  if (const Value *value = dict.find(key))
    return value;
  return opError("key " + formatAtom(key) + " is not in the dict");
}

//===----------------------------------------------------------------------===//
// Source references
//===----------------------------------------------------------------------===//

std::string collapseSpace(StringRef text) {
  std::string out;
  bool pendingSpace = false;
  for (char c : text) {
    if (isSpace(c)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && !out.empty())
      out += ' ';
    pendingSpace = false;
    out += c;
  }
  return out;
}

std::string formatLoc(const SourceRef &ref) {
  return ref.file + ":" + std::to_string(ref.line) + ":" + std::to_string(ref.col);
}

/// An evaluation error of `node` at input position `position`.
Error nodeError(const Node &node, size_t position, Error err) {
  const Origin &origin = node.getOrigin();
  std::string context =
      "at position " + std::to_string(position) + ", in '" + origin.expr.text + "'";
  if (!origin.callSites.empty())
    context += ", reached from " + formatLoc(origin.callSites.front());
  return opError(formatLoc(origin.expr) + ": error: " + toString(std::move(err)) + " (" + context +
                 ")");
}

std::string describe(const Value &value) {
  switch (value.getKind()) {
  case Value::Kind::Atom:
    return describe(value.getAtom());
  case Value::Kind::List:
    return "a list of " + plural(value.getList().size(), "element");
  case Value::Kind::Dict:
    return "a dict";
  case Value::Kind::Function:
    return "the function '" + value.getFunction().name + "'";
  case Value::Kind::SOp:
    return "an s-op";
  case Value::Kind::Selector:
    return "a selector";
  }
  llvm_unreachable("unknown value kind");
}

} // namespace

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

/// A scope: a program's globals, a function call, a comprehension step.
class Env {
public:
  explicit Env(Env *parent) : parent(parent) {}

  const Value *lookup(StringRef name) const {
    for (const Env *env = this; env; env = env->parent) {
      auto it = env->vars.find(name);
      if (it != env->vars.end())
        return &it->second;
    }
    return nullptr;
  }

  /// Binds `name` in this scope; true when it was not bound here before.
  bool set(StringRef name, Value value) {
    return vars.insert_or_assign(name, std::move(value)).second;
  }

private:
  Env *parent;
  StringMap<Value> vars;
};

//===----------------------------------------------------------------------===//
// Graph building
//===----------------------------------------------------------------------===//

/// Runs a program's statements, folding compile-time values and adding a
/// node for every operation on s-ops and selectors.
class ProgramBuilder {
public:
  explicit ProgramBuilder(Program &program) : program(program), graph(program.graph) {}

  Error build(std::unique_ptr<Module> main) {
    defineBuiltins();
    if (Error err = runLibrary())
      return err;
    globals = program.globals = newEnv(library);
    const Module &module = adopt(std::move(main));
    SmallString<256> real;
    if (!sys::fs::real_path(module.fileName, real))
      loading.push_back({real.str().str(), module.fileName});
    return execAll(module.statements, *globals);
  }

private:
  struct LoadingFile {
    std::string realPath;
    std::string shownPath;
  };

  /// Counts `steps` and `bytes` against kMaxBuildSteps and kMaxBuildBytes;
  /// `loc` is where the program is when a limit is passed.
  Error charge(const SourceLoc &loc, uint64_t steps, uint64_t bytes = 0) {
    stepsUsed += steps;
    bytesUsed += bytes;
    if (stepsUsed > kMaxBuildSteps)
      return makeError(loc, "the program takes more than " + Twine(kMaxBuildSteps) +
                                " steps to run (statements, expressions, loop iterations, list "
                                "elements), the limit (kMaxBuildSteps in "
                                "frontends/rasp/Interpreter.h)");
    if (bytesUsed > kMaxBuildBytes)
      return makeError(loc, "the program makes more than " + Twine(kMaxBuildBytes) +
                                " bytes of values (strings, lists, dicts, scopes, graph nodes), "
                                "the limit (kMaxBuildBytes in frontends/rasp/Interpreter.h)");
    return Error::success();
  }

  /// Values kept or made (in a binding, as an expression's result) must not
  /// nest so deeply that destroying them overflows the stack.
  Error checkNesting(const SourceLoc &loc, const Value &value) {
    if (value.getNesting() <= kMaxValueNesting)
      return Error::success();
    return makeError(loc, "lists and dicts nested more than " + Twine(kMaxValueNesting) +
                              " deep, the limit (kMaxValueNesting in "
                              "frontends/rasp/Interpreter.h)");
  }

  /// A scope that lives as long as the program (a function defined in it
  /// keeps it); counted here and checked by the next charge.
  Env *newEnv(Env *parent) {
    bytesUsed += kScopeBytes;
    program.envs.push_back(std::make_unique<Env>(parent));
    return program.envs.back().get();
  }

  const Module &adopt(std::unique_ptr<Module> module) {
    program.modules.push_back(std::move(module));
    return *program.modules.back();
  }

  const Function *newFunction(Function function) {
    program.functions.push_back(std::make_unique<Function>(std::move(function)));
    return program.functions.back().get();
  }

  SourceRef sourceRef(const Expr &expr) const {
    const SourceLoc &loc = expr.getLoc();
    return {loc.file.str(), loc.line, loc.col, collapseSpace(expr.getText())};
  }

  /// The origin of a node made for `expr`. Nodes are counted here, with the
  /// text they keep, and checked by the next charge.
  Origin origin(const Expr &expr) {
    Origin result{sourceRef(expr), callSites};
    bytesUsed += sizeof(MapNode) + result.expr.file.size() + result.expr.text.size();
    for (const SourceRef &ref : result.callSites)
      bytesUsed += sizeof(SourceRef) + ref.file.size() + ref.text.size();
    return result;
  }

  //===--------------------------------------------------------------------===//
  // Built-ins and the library
  //===--------------------------------------------------------------------===//

  void defineBuiltins() {
    builtins = newEnv(nullptr);
    auto define = [&](StringRef name, const Node *node) {
      builtins->set(name, node);
      graph.nameNode(node, name);
    };
    auto builtinOrigin = [](StringRef name) {
      return Origin{SourceRef{"<builtin>", 0, 0, name.str()}, {}};
    };
    const Node *strings = graph.addTokens(TokenType::String, builtinOrigin("tokens"));
    define("tokens", strings);
    define("tokens_str", strings);
    define("tokens_int", graph.addTokens(TokenType::Int, builtinOrigin("tokens_int")));
    define("tokens_float", graph.addTokens(TokenType::Float, builtinOrigin("tokens_float")));
    define("tokens_bool", graph.addTokens(TokenType::Bool, builtinOrigin("tokens_bool")));
    indices = graph.addIndices(builtinOrigin("indices"));
    define("indices", indices);
    builtins->set("True", Atom::boolean(true));
    builtins->set("False", Atom::boolean(false));
  }

  Error runLibrary() {
    library = newEnv(builtins);
    library->set("selector_width",
                 newFunction({Function::Kind::SelectorWidth, "selector_width", nullptr, nullptr}));
    Expected<std::unique_ptr<Module>> module = parseSource(kLibrarySource, kLibraryName);
    if (!module)
      return module.takeError();
    if (Error err = execAll(adopt(std::move(*module)).statements, *library))
      return err;
    length = library->lookup("length")->getNode();
    return Error::success();
  }

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  Error execAll(ArrayRef<StmtPtr> statements, Env &env) {
    for (const StmtPtr &stmt : statements)
      if (Error err = exec(*stmt, env))
        return err;
    return Error::success();
  }

  Error exec(const Stmt &stmt, Env &env) {
    if (Error err = charge(stmt.getLoc(), 1))
      return err;
    switch (stmt.getKind()) {
    case Stmt::Kind::Assign:
      return execAssign(cast<AssignStmt>(stmt), env);
    case Stmt::Kind::Expr:
      return eval(*cast<ExprStmt>(stmt).expr, env).takeError();
    case Stmt::Kind::Def: {
      const auto &def = cast<DefStmt>(stmt);
      return bind(def.name, newFunction({Function::Kind::User, def.name.name, &def, &env}), env);
    }
    case Stmt::Kind::For:
      return execFor(cast<ForStmt>(stmt), env);
    case Stmt::Kind::Load:
      return load(cast<LoadStmt>(stmt));
    }
    llvm_unreachable("unknown statement kind");
  }

  Error bind(const Ident &name, Value value, Env &env) {
    if (builtins->lookup(name.name))
      return makeError(name.loc, "cannot assign to the built-in name '" + name.name + "'");
    if (Error err = charge(name.loc, 0, stringBytes(value)))
      return err;
    if (Error err = checkNesting(name.loc, value))
      return err;
    if (env.set(name.name, std::move(value)) && &env == globals)
      program.names.push_back(name.name);
    return Error::success();
  }

  Error execAssign(const AssignStmt &stmt, Env &env) {
    Expected<std::vector<Value>> values = evalAll(stmt.values, env);
    if (!values)
      return values.takeError();
    std::vector<Value> parts;
    if (stmt.names.size() == 1)
      parts.push_back(values->size() == 1 ? values->front() : Value::list(*values));
    else if (values->size() == 1 && values->front().getKind() == Value::Kind::List)
      parts = values->front().getList();
    else
      parts = *values;
    if (parts.size() != stmt.names.size())
      return makeError(stmt.getLoc(), "expected " + Twine(stmt.names.size()) +
                                          " values to assign, got " + Twine(parts.size()));
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].isSOp() || parts[i].isSelector())
        graph.nameNode(parts[i].getNode(), stmt.names[i].name);
      if (Error err = bind(stmt.names[i], parts[i], env))
        return err;
    }
    return Error::success();
  }

  /// What a loop or comprehension visits: a list's elements or a dict's
  /// keys, read from the list or dict rather than copied.
  struct Elements {
    Value container;
    size_t size() const {
      return container.getKind() == Value::Kind::List ? container.getList().size()
                                                      : container.getDict().size();
    }
    Value operator[](size_t i) const {
      return container.getKind() == Value::Kind::List ? container.getList()[i]
                                                      : Value(container.getDict().getKeys()[i]);
    }
  };

  Expected<Elements> elementsOf(const Expr &iterable, Env &env) {
    Expected<Value> value = eval(iterable, env);
    if (!value)
      return value.takeError();
    if (value->getKind() == Value::Kind::List || value->getKind() == Value::Kind::Dict)
      return Elements{std::move(*value)};
    return makeError(iterable.getLoc(),
                     "can only iterate over a compile-time list or dict, got " + describe(*value));
  }

  Error bindVars(ArrayRef<Ident> vars, const Value &item, Env &env) {
    if (vars.size() == 1)
      return bind(vars.front(), item, env);
    if (item.getKind() != Value::Kind::List || item.getList().size() != vars.size())
      return makeError(vars.front().loc, "cannot unpack " + describe(item) + " into " +
                                             Twine(vars.size()) + " variables");
    for (size_t i = 0; i < vars.size(); ++i)
      if (Error err = bind(vars[i], item.getList()[i], env))
        return err;
    return Error::success();
  }

  Error execFor(const ForStmt &stmt, Env &env) {
    Expected<Elements> items = elementsOf(*stmt.iterable, env);
    if (!items)
      return items.takeError();
    for (size_t i = 0; i < items->size(); ++i) {
      if (Error err = charge(stmt.getLoc(), 1))
        return err;
      if (Error err = bindVars(stmt.vars, (*items)[i], env))
        return err;
      if (Error err = execAll(stmt.body, env))
        return err;
    }
    return Error::success();
  }

  /// Runs `name.rasp` (next to the loading file, else in the working
  /// directory) in the global scope, once per program.
  Error load(const LoadStmt &stmt) {
    std::string fileName = stmt.name + ".rasp";
    SmallString<256> nextToLoader(sys::path::parent_path(stmt.getLoc().file));
    sys::path::append(nextToLoader, fileName);
    std::string path;
    SmallString<256> real;
    for (StringRef candidate : {StringRef(nextToLoader), StringRef(fileName)}) {
      if (!sys::fs::real_path(candidate, real)) {
        path = candidate.str();
        break;
      }
    }
    if (path.empty())
      return makeError(stmt.getLoc(), "cannot find '" + fileName + "' next to '" +
                                          stmt.getLoc().file + "' or in the working directory");
    auto inProgress = llvm::find_if(
        loading, [&](const LoadingFile &file) { return file.realPath == real.str(); });
    if (inProgress != loading.end()) {
      std::string cycle;
      for (auto it = inProgress; it != loading.end(); ++it)
        cycle += it->shownPath + " -> ";
      return makeError(stmt.getLoc(), "load cycle: " + cycle + path);
    }
    if (loaded.contains(real))
      return Error::success();
    Expected<std::unique_ptr<Module>> module = parseFile(path);
    if (!module)
      return module.takeError();
    loading.push_back({real.str().str(), path});
    if (Error err = execAll(adopt(std::move(*module)).statements, *globals))
      return err;
    loading.pop_back();
    loaded.insert(real);
    return Error::success();
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  Expected<std::vector<Value>> evalAll(ArrayRef<ExprPtr> exprs, Env &env) {
    std::vector<Value> values;
    for (const ExprPtr &expr : exprs) {
      Expected<Value> value = eval(*expr, env);
      if (!value)
        return value.takeError();
      values.push_back(std::move(*value));
    }
    return values;
  }

  /// Evaluates `expr`, counting the step and the text its value copies.
  Expected<Value> eval(const Expr &expr, Env &env) {
    if (Error err = charge(expr.getLoc(), 1))
      return err;
    Expected<Value> value = evalExpr(expr, env);
    if (!value)
      return value.takeError();
    if (Error err = charge(expr.getLoc(), 0, stringBytes(*value)))
      return err;
    if (Error err = checkNesting(expr.getLoc(), *value))
      return err;
    return value;
  }

  Expected<Value> evalExpr(const Expr &expr, Env &env) {
    switch (expr.getKind()) {
    case Expr::Kind::Int:
      return Value(Atom::integer(cast<IntExpr>(expr).value));
    case Expr::Kind::Float:
      return Value(Atom::real(cast<FloatExpr>(expr).value));
    case Expr::Kind::String:
      return Value(Atom::string(cast<StringExpr>(expr).value));
    case Expr::Kind::Name: {
      const std::string &name = cast<NameExpr>(expr).name;
      if (const Value *value = env.lookup(name))
        return *value;
      return makeError(expr.getLoc(), "unknown name '" + name + "'");
    }
    case Expr::Kind::List: {
      Expected<std::vector<Value>> elements = evalAll(cast<ListExpr>(expr).elements, env);
      if (!elements)
        return elements.takeError();
      if (Error err = charge(expr.getLoc(), 0, elements->size() * sizeof(Value)))
        return err;
      return Value::list(std::move(*elements));
    }
    case Expr::Kind::Dict:
      return evalDict(cast<DictExpr>(expr), env);
    case Expr::Kind::ListComp:
      return evalListComp(cast<ListCompExpr>(expr), env);
    case Expr::Kind::DictComp:
      return evalDictComp(cast<DictCompExpr>(expr), env);
    case Expr::Kind::Unary:
      return evalUnary(cast<UnaryExpr>(expr), env);
    case Expr::Kind::Binary:
      return evalBinary(cast<BinaryExpr>(expr), env);
    case Expr::Kind::Select:
      return evalSelect(cast<SelectExpr>(expr), env);
    case Expr::Kind::Aggregate:
      return evalAggregate(cast<AggregateExpr>(expr), env);
    case Expr::Kind::Range:
    case Expr::Kind::Zip:
    case Expr::Kind::Len:
      return evalListFn(cast<ListFnExpr>(expr), env);
    case Expr::Kind::Index:
      return evalIndex(cast<IndexExpr>(expr), env);
    case Expr::Kind::Call:
      return evalCall(cast<CallExpr>(expr), env);
    case Expr::Kind::Cond:
      return evalCond(cast<CondExpr>(expr), env);
    case Expr::Kind::In:
      return evalIn(cast<InExpr>(expr), env);
    }
    llvm_unreachable("unknown expression kind");
  }

  /// Applies `fn` elementwise to `operands` (s-ops and atoms, atoms
  /// broadcast): folded when all are atoms, else a Map over the distinct
  /// s-ops (a SequenceMap when there are several).
  Expected<Value> elementwise(const Expr &expr, ArrayRef<Value> operands, StringRef opName,
                              AtomFn fn) {
    std::vector<const Node *> nodes;
    std::vector<Atom> args;
    // Per operand: its index in `nodes`, or -1 for an atom.
    std::vector<int> nodeIndex;
    for (const Value &operand : operands) {
      if (operand.isAtom()) {
        args.push_back(operand.getAtom());
        nodeIndex.push_back(-1);
        continue;
      }
      if (!operand.isSOp())
        return makeError(expr.getLoc(),
                         "'" + opName + "' cannot be applied to " + describe(operand));
      auto it = llvm::find(nodes, operand.getNode());
      nodeIndex.push_back(static_cast<int>(it - nodes.begin()));
      if (it == nodes.end())
        nodes.push_back(operand.getNode());
      // A placeholder, replaced by the s-op's value at each position.
      args.push_back(Atom::integer(0));
    }
    if (nodes.empty()) {
      Expected<Atom> result = fn(args);
      if (!result)
        return located(expr.getLoc(), result.takeError());
      return Value(std::move(*result));
    }
    AtomFn perPosition = [fn = std::move(fn), args = std::move(args),
                          nodeIndex = std::move(nodeIndex)](ArrayRef<Atom> values) {
      std::vector<Atom> full = args;
      for (size_t i = 0; i < full.size(); ++i)
        if (nodeIndex[i] >= 0)
          full[i] = values[nodeIndex[i]];
      return fn(full);
    };
    return Value(graph.addMap(std::move(nodes), std::move(perPosition), origin(expr)));
  }

  /// An atom becomes a Constant node (atoms broadcast).
  Expected<const Node *> toSOp(const Expr &expr, const Value &value, StringRef role) {
    if (value.isSOp())
      return value.getNode();
    if (value.isAtom())
      return graph.addConstant(value.getAtom(), origin(expr));
    return makeError(expr.getLoc(), role + " must be an s-op or an atom, got " + describe(value));
  }

  /// The atoms of a list, or the keys of a dict, for `in` and lookups.
  Expected<std::vector<Atom>> atomsOf(const Expr &expr, ArrayRef<Value> values, StringRef role) {
    std::vector<Atom> atoms;
    for (const Value &value : values) {
      if (!value.isAtom())
        return makeError(expr.getLoc(),
                         role + " must hold only atoms, but holds " + describe(value));
      if (Error err = charge(expr.getLoc(), 1, elementBytes(value)))
        return err;
      atoms.push_back(value.getAtom());
    }
    return atoms;
  }

  Expected<Value> evalDict(const DictExpr &expr, Env &env) {
    Dict dict;
    for (size_t i = 0; i < expr.keys.size(); ++i) {
      Expected<Value> key = eval(*expr.keys[i], env);
      if (!key)
        return key.takeError();
      if (!key->isAtom())
        return makeError(expr.keys[i]->getLoc(),
                         "a dict key must be an atom, got " + describe(*key));
      Expected<Value> value = eval(*expr.values[i], env);
      if (!value)
        return value.takeError();
      if (Error err = setEntry(dict, expr, key->getAtom(), std::move(*value)))
        return err;
    }
    return Value::dict(std::move(dict));
  }

  /// Sets a dict entry, counting the copy.
  Error setEntry(Dict &dict, const Expr &expr, Atom key, Value value) {
    if (Error err = charge(expr.getLoc(), 1, elementBytes(key) + elementBytes(value)))
      return err;
    dict.set(std::move(key), std::move(value));
    return Error::success();
  }

  Expected<Value> evalListComp(const ListCompExpr &expr, Env &env) {
    Expected<Elements> items = elementsOf(*expr.iterable, env);
    if (!items)
      return items.takeError();
    std::vector<Value> result;
    for (size_t i = 0; i < items->size(); ++i) {
      // Each step gets a scope, so comprehension variables do not leak; no
      // function is defined in it, so nothing outlives the step.
      Env scope(&env);
      if (Error err = bindVars(expr.vars, (*items)[i], scope))
        return err;
      Expected<Value> element = eval(*expr.element, scope);
      if (!element)
        return element.takeError();
      if (Error err = charge(expr.getLoc(), 1, elementBytes(*element)))
        return err;
      result.push_back(std::move(*element));
    }
    return Value::list(std::move(result));
  }

  Expected<Value> evalDictComp(const DictCompExpr &expr, Env &env) {
    Expected<Elements> items = elementsOf(*expr.iterable, env);
    if (!items)
      return items.takeError();
    Dict dict;
    for (size_t i = 0; i < items->size(); ++i) {
      Env scope(&env);
      if (Error err = bindVars(expr.vars, (*items)[i], scope))
        return err;
      Expected<Value> key = eval(*expr.key, scope);
      if (!key)
        return key.takeError();
      if (!key->isAtom())
        return makeError(expr.key->getLoc(), "a dict key must be an atom, got " + describe(*key));
      Expected<Value> value = eval(*expr.value, scope);
      if (!value)
        return value.takeError();
      if (Error err = setEntry(dict, expr, key->getAtom(), std::move(*value)))
        return err;
    }
    return Value::dict(std::move(dict));
  }

  Expected<Value> evalUnary(const UnaryExpr &expr, Env &env) {
    Expected<Value> operand = eval(*expr.operand, env);
    if (!operand)
      return operand.takeError();
    if (expr.op == UnaryOp::Not && operand->isSelector())
      return Value(
          graph.addSelectorLogic(Node::Kind::SelectorNot, {operand->getNode()}, origin(expr)));
    UnaryOp op = expr.op;
    return elementwise(expr, {*operand}, spell(op),
                       [op](ArrayRef<Atom> x) { return applyUnary(op, x[0]); });
  }

  Expected<Value> evalBinary(const BinaryExpr &expr, Env &env) {
    Expected<Value> lhs = eval(*expr.lhs, env);
    if (!lhs)
      return lhs.takeError();
    Expected<Value> rhs = eval(*expr.rhs, env);
    if (!rhs)
      return rhs.takeError();
    BinaryOp op = expr.op;
    bool logic = op == BinaryOp::And || op == BinaryOp::Or;
    if (logic && (lhs->isSelector() || rhs->isSelector())) {
      if (!lhs->isSelector() || !rhs->isSelector())
        return makeError(expr.getLoc(), "'" + spell(op) +
                                            "' combines two selectors or two s-ops/atoms, got " +
                                            describe(*lhs) + " and " + describe(*rhs));
      Node::Kind kind = op == BinaryOp::And ? Node::Kind::SelectorAnd : Node::Kind::SelectorOr;
      return Value(graph.addSelectorLogic(kind, {lhs->getNode(), rhs->getNode()}, origin(expr)));
    }
    return elementwise(expr, {*lhs, *rhs}, spell(op),
                       [op](ArrayRef<Atom> x) { return applyBinary(op, x[0], x[1]); });
  }

  Expected<Value> evalSelect(const SelectExpr &expr, Env &env) {
    Expected<Value> keys = eval(*expr.keys, env);
    if (!keys)
      return keys.takeError();
    Expected<Value> queries = eval(*expr.queries, env);
    if (!queries)
      return queries.takeError();
    Expected<const Node *> keyNode = toSOp(*expr.keys, *keys, "the keys of select(");
    if (!keyNode)
      return keyNode.takeError();
    Expected<const Node *> queryNode = toSOp(*expr.queries, *queries, "the queries of select(");
    if (!queryNode)
      return queryNode.takeError();
    return Value(graph.addSelect(*keyNode, *queryNode, expr.op, origin(expr)));
  }

  Expected<Value> evalAggregate(const AggregateExpr &expr, Env &env) {
    Expected<Value> selector = eval(*expr.selector, env);
    if (!selector)
      return selector.takeError();
    if (!selector->isSelector())
      return makeError(expr.selector->getLoc(),
                       "the first argument of aggregate( must be a selector, got " +
                           describe(*selector));
    Expected<Value> sop = eval(*expr.sop, env);
    if (!sop)
      return sop.takeError();
    Expected<const Node *> sopNode = toSOp(*expr.sop, *sop, "the second argument of aggregate(");
    if (!sopNode)
      return sopNode.takeError();
    Atom defaultValue = Atom::integer(0);
    if (expr.defaultValue) {
      Expected<Value> value = eval(*expr.defaultValue, env);
      if (!value)
        return value.takeError();
      if (!value->isAtom())
        return makeError(expr.defaultValue->getLoc(),
                         "the default of aggregate( must be an atom, got " + describe(*value));
      defaultValue = value->getAtom();
    }
    return Value(
        graph.addAggregate(selector->getNode(), *sopNode, std::move(defaultValue), origin(expr)));
  }

  Expected<Value> evalListFn(const ListFnExpr &expr, Env &env) {
    Expected<std::vector<Value>> args = evalAll(expr.args, env);
    if (!args)
      return args.takeError();
    switch (expr.getKind()) {
    case Expr::Kind::Range:
      return evalRange(expr, *args);
    case Expr::Kind::Zip: {
      size_t size = 0;
      for (size_t i = 0; i < args->size(); ++i) {
        const Value &list = (*args)[i];
        if (list.getKind() != Value::Kind::List)
          return makeError(expr.args[i]->getLoc(), "zip( expects lists, got " + describe(list));
        if (i == 0)
          size = list.getList().size();
        else if (list.getList().size() != size)
          return makeError(expr.args[i]->getLoc(), "zip( expects lists of one length, got " +
                                                       Twine(size) + " and " +
                                                       Twine(list.getList().size()));
      }
      std::vector<Value> tuples;
      for (size_t j = 0; j < size; ++j) {
        std::vector<Value> tuple;
        for (const Value &list : *args) {
          tuple.push_back(list.getList()[j]);
          if (Error err = charge(expr.getLoc(), 1, elementBytes(tuple.back())))
            return err;
        }
        tuples.push_back(Value::list(std::move(tuple)));
      }
      if (Error err = charge(expr.getLoc(), 0, tuples.size() * sizeof(Value)))
        return err;
      return Value::list(std::move(tuples));
    }
    default: {
      const Value &value = args->front();
      if (value.getKind() == Value::Kind::List)
        return Value(Atom::integer(value.getList().size()));
      if (value.getKind() == Value::Kind::Dict)
        return Value(Atom::integer(value.getDict().size()));
      return makeError(expr.args.front()->getLoc(),
                       "len( expects a list or a dict, got " + describe(value));
    }
    }
  }

  Expected<Value> evalRange(const ListFnExpr &expr, ArrayRef<Value> args) {
    int64_t bounds[3] = {0, 0, 1};
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].isAtom() || args[i].getAtom().getKind() != Atom::Kind::Int)
        return makeError(expr.args[i]->getLoc(), "range( expects ints, got " + describe(args[i]));
      // range(stop) and range(start, stop[, step]).
      bounds[args.size() == 1 ? 1 : i] = args[i].getAtom().getInt();
    }
    auto [start, stop, step] = bounds;
    if (step == 0)
      return makeError(expr.args[2]->getLoc(), "the step of range( must not be zero");
    std::vector<Value> values;
    for (int64_t v = start; step > 0 ? v < stop : v > stop;) {
      if (values.size() == kMaxRangeLength)
        return makeError(expr.getLoc(),
                         "range( has more than " + Twine(kMaxRangeLength) + " elements");
      values.push_back(Atom::integer(v));
      if (AddOverflow(v, step, v))
        break;
    }
    if (Error err = charge(expr.getLoc(), values.size(), values.size() * sizeof(Value)))
      return err;
    return Value::list(std::move(values));
  }

  Expected<Value> evalIndex(const IndexExpr &expr, Env &env) {
    Expected<Value> base = eval(*expr.base, env);
    if (!base)
      return base.takeError();
    Expected<Value> index = eval(*expr.index, env);
    if (!index)
      return index.takeError();
    switch (base->getKind()) {
    case Value::Kind::List: {
      const std::vector<Value> &list = base->getList();
      if (index->isAtom()) {
        Expected<size_t> position = listIndex(index->getAtom(), list.size());
        if (!position)
          return located(expr.index->getLoc(), position.takeError());
        return list[*position];
      }
      Expected<std::vector<Atom>> atoms = atomsOf(*expr.base, list, "a list indexed by an s-op");
      if (!atoms)
        return atoms.takeError();
      return elementwise(expr, {*index}, "[]",
                         [atoms = std::move(*atoms)](ArrayRef<Atom> x) -> Expected<Atom> {
                           Expected<size_t> position = listIndex(x[0], atoms.size());
                           if (!position)
                             return position.takeError();
                           return atoms[*position];
                         });
    }
    case Value::Kind::Dict: {
      const Dict &dict = base->getDict();
      if (index->isAtom()) {
        Expected<const Value *> value = dictLookup(dict, index->getAtom());
        if (!value)
          return located(expr.index->getLoc(), value.takeError());
        return **value;
      }
      if (Error err =
              atomsOf(*expr.base, dict.getValues(), "a dict indexed by an s-op").takeError())
        return err;
      // The map shares the dict.
      return elementwise(expr, {*index}, "[]", [table = *base](ArrayRef<Atom> x) -> Expected<Atom> {
        Expected<const Value *> value = dictLookup(table.getDict(), x[0]);
        if (!value)
          return value.takeError();
        return (*value)->getAtom();
      });
    }
    case Value::Kind::SOp:
      if (!index->isAtom() || index->getAtom().getKind() != Atom::Kind::Int)
        return makeError(expr.index->getLoc(),
                         "an s-op can only be indexed by an int (as in sop[0] or sop[-1]), got " +
                             describe(*index));
      return Value(loadPosition(expr, base->getNode(), index->getAtom().getInt()));
    default:
      return makeError(expr.getLoc(), "cannot index " + describe(*base));
    }
  }

  /// `sop[index]`: every position reads position `index` of `sop`, counted
  /// from the end (through the library's `length`) when negative; 0 where
  /// it is out of range.
  const Node *loadPosition(const Expr &expr, const Node *sop, int64_t index) {
    Origin here = origin(expr);
    const Node *target = index >= 0
                             ? graph.addConstant(Atom::integer(index), here)
                             : graph.addMap(
                                   {length},
                                   [index](ArrayRef<Atom> n) {
                                     return applyBinary(BinaryOp::Add, n[0], Atom::integer(index));
                                   },
                                   here);
    const Node *selector = graph.addSelect(indices, target, Comparison::Eq, here);
    return graph.addAggregate(selector, sop, Atom::integer(0), here);
  }

  Expected<Value> evalCall(const CallExpr &expr, Env &env) {
    Expected<Value> callee = eval(*expr.callee, env);
    if (!callee)
      return callee.takeError();
    if (callee->getKind() != Value::Kind::Function)
      return makeError(expr.getLoc(), "cannot call " + describe(*callee));
    Expected<std::vector<Value>> args = evalAll(expr.args, env);
    if (!args)
      return args.takeError();
    return call(expr, callee->getFunction(), std::move(*args));
  }

  /// Calls `function` at `site`: a user function's body runs now, in a new
  /// scope under its defining scope, so the call leaves only primitive nodes.
  Expected<Value> call(const Expr &site, const Function &function, std::vector<Value> args) {
    if (function.kind == Function::Kind::SelectorWidth) {
      if (args.size() != 1 || !args.front().isSelector())
        return makeError(site.getLoc(), "selector_width expects one selector, got " +
                                            (args.size() == 1 ? describe(args.front())
                                                              : plural(args.size(), "argument")));
      return Value(graph.addSelectorWidth(args.front().getNode(), origin(site)));
    }
    const DefStmt &def = *function.def;
    if (args.size() != def.params.size())
      return makeError(site.getLoc(), "'" + function.name + "' expects " +
                                          plural(def.params.size(), "argument") + ", got " +
                                          Twine(args.size()));
    if (callSites.size() == kMaxCallDepth)
      return makeError(site.getLoc(),
                       "calls nested more than " + Twine(kMaxCallDepth) +
                           " deep; a recursive function needs a base case decided at compile "
                           "time (on atoms, not s-ops)");
    Env &scope = *newEnv(function.env);
    for (size_t i = 0; i < args.size(); ++i)
      if (Error err = bind(def.params[i], std::move(args[i]), scope))
        return err;
    callSites.push_back(sourceRef(site));
    scope_exit popCallSite([&] { callSites.pop_back(); });
    if (Error err = execAll(def.body, scope))
      return err;
    Expected<std::vector<Value>> results = evalAll(def.results, scope);
    if (!results)
      return results.takeError();
    return results->size() == 1 ? results->front() : Value::list(std::move(*results));
  }

  Expected<Value> evalCond(const CondExpr &expr, Env &env) {
    Expected<Value> cond = eval(*expr.cond, env);
    if (!cond)
      return cond.takeError();
    // A compile-time condition evaluates only the chosen branch, which is
    // what lets recursive functions stop.
    if (cond->isAtom()) {
      Expected<bool> chosen = expectBool(cond->getAtom(), "if");
      if (!chosen)
        return located(expr.cond->getLoc(), chosen.takeError());
      return eval(*chosen ? *expr.thenValue : *expr.elseValue, env);
    }
    if (!cond->isSOp())
      return makeError(expr.cond->getLoc(),
                       "the condition of 'if' must be a bool or an s-op, got " + describe(*cond));
    Expected<Value> thenValue = eval(*expr.thenValue, env);
    if (!thenValue)
      return thenValue.takeError();
    Expected<Value> elseValue = eval(*expr.elseValue, env);
    if (!elseValue)
      return elseValue.takeError();
    return elementwise(expr, {*cond, *thenValue, *elseValue}, "if",
                       [](ArrayRef<Atom> x) -> Expected<Atom> {
                         Expected<bool> chosen = expectBool(x[0], "if");
                         if (!chosen)
                           return chosen.takeError();
                         return *chosen ? x[1] : x[2];
                       });
  }

  Expected<Value> evalIn(const InExpr &expr, Env &env) {
    Expected<Value> element = eval(*expr.element, env);
    if (!element)
      return element.takeError();
    Expected<Value> container = eval(*expr.container, env);
    if (!container)
      return container.takeError();
    switch (container->getKind()) {
    case Value::Kind::List:
    case Value::Kind::Dict: {
      AtomIndex members;
      if (container->getKind() == Value::Kind::Dict) {
        for (const Atom &key : container->getDict().getKeys()) {
          if (Error err = charge(expr.getLoc(), 1, elementBytes(key)))
            return err;
          members.add(key);
        }
      } else {
        Expected<std::vector<Atom>> atoms =
            atomsOf(*expr.container, container->getList(), "the right of 'in'");
        if (!atoms)
          return atoms.takeError();
        for (const Atom &atom : *atoms)
          members.add(atom);
      }
      return elementwise(expr, {*element}, "in", [members = std::move(members)](ArrayRef<Atom> x) {
        return Atom::boolean(members.find(x[0]) >= 0);
      });
    }
    case Value::Kind::SOp:
      if (!element->isAtom())
        return makeError(expr.element->getLoc(),
                         "'in' with an s-op on the right needs an atom on the left, got " +
                             describe(*element));
      return call(expr, library->lookup("contains")->getFunction(), {*container, *element});
    default:
      return makeError(expr.container->getLoc(),
                       "the right of 'in' must be a list, a dict or an s-op, got " +
                           describe(*container));
    }
  }

  Program &program;
  Graph &graph;
  Env *builtins = nullptr;
  Env *library = nullptr;
  Env *globals = nullptr;
  const Node *indices = nullptr;
  /// The library's `length`, which sop[-k] reads even where a program
  /// defines its own `length`.
  const Node *length = nullptr;
  /// The calls being unrolled, outermost first.
  std::vector<SourceRef> callSites;
  /// The files being run, outermost first, to detect load cycles.
  std::vector<LoadingFile> loading;
  StringSet<> loaded;
  /// The work done so far (see charge).
  uint64_t stepsUsed = 0;
  uint64_t bytesUsed = 0;
};

//===----------------------------------------------------------------------===//
// Program
//===----------------------------------------------------------------------===//

Program::Program() = default;
Program::~Program() = default;

Expected<std::unique_ptr<Program>> Program::build(std::unique_ptr<Module> main) {
  std::unique_ptr<Program> program(new Program());
  if (Error err = ProgramBuilder(*program).build(std::move(main)))
    return err;
  return program;
}

Expected<std::unique_ptr<Program>> Program::fromFile(StringRef path) {
  Expected<std::unique_ptr<Module>> module = parseFile(path);
  if (!module)
    return module.takeError();
  return build(std::move(*module));
}

Expected<std::unique_ptr<Program>> Program::fromSource(StringRef source, StringRef fileName) {
  Expected<std::unique_ptr<Module>> module = parseSource(source.str(), fileName.str());
  if (!module)
    return module.takeError();
  return build(std::move(*module));
}

const Value *Program::lookup(StringRef name) const { return globals->lookup(name); }

Expected<const Node *> Program::getSOp(StringRef name) const {
  const Value *value = lookup(name);
  if (!value)
    return opError("error: no top-level name '" + name + "' in the program");
  if (!value->isSOp())
    return opError("error: '" + name + "' is " + describe(*value) + ", not an s-op");
  return value->getNode();
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

Evaluator::Evaluator(std::vector<Atom> input) : input(std::move(input)) {}

Expected<const Sequence *> Evaluator::getSOp(const Node &node) {
  assert(!node.isSelector() && "not an s-op");
  if (Error err = computeWithOperands(node))
    return err;
  return &sops.find(&node)->second;
}

Expected<const SelectorMatrix *> Evaluator::getSelector(const Node &node) {
  assert(node.isSelector() && "not a selector");
  if (Error err = computeWithOperands(node))
    return err;
  return &selectors.find(&node)->second;
}

Error Evaluator::computeWithOperands(const Node &root) {
  // Operands have smaller ids, so computing in id order needs no recursion,
  // however deep the graph.
  std::vector<const Node *> pending, stack = {&root};
  DenseSet<const Node *> seen;
  while (!stack.empty()) {
    const Node *node = stack.back();
    stack.pop_back();
    if (sops.count(node) || selectors.count(node) || !seen.insert(node).second)
      continue;
    pending.push_back(node);
    llvm::append_range(stack, node->getOperands());
  }
  llvm::sort(pending, [](const Node *a, const Node *b) { return a->getId() < b->getId(); });
  for (const Node *node : pending)
    if (Error err = compute(*node))
      return err;
  return Error::success();
}

Error Evaluator::charge(const Node &node, uint64_t steps, uint64_t bytes) {
  stepsUsed += steps;
  bytesUsed += bytes;
  std::string what;
  if (stepsUsed > kMaxEvaluationSteps)
    what = "takes more than " + std::to_string(kMaxEvaluationSteps) +
           " steps, the limit (kMaxEvaluationSteps in frontends/rasp/Interpreter.h)";
  else if (bytesUsed > kMaxEvaluationBytes)
    what = "needs more than " + std::to_string(kMaxEvaluationBytes) +
           " bytes of s-op values and selector matrices, the limit (kMaxEvaluationBytes in "
           "frontends/rasp/Interpreter.h)";
  else
    return Error::success();
  const Origin &origin = node.getOrigin();
  std::string message = formatLoc(origin.expr) + ": error: evaluating '" + origin.expr.text +
                        "' on an input of " + plural(input.size(), "token") + " " + what;
  if (!origin.callSites.empty())
    message += " (reached from " + formatLoc(origin.callSites.front()) + ")";
  return opError(message);
}

Error Evaluator::compute(const Node &node) {
  size_t n = input.size();
  auto sop = [&](const Node *operand) -> const Sequence & { return sops.find(operand)->second; };
  auto selector = [&](const Node *operand) -> const SelectorMatrix & {
    return selectors.find(operand)->second;
  };
  // Counted before anything is allocated: an s-op holds n atoms (and their
  // strings, counted as they are made), a selector n² flags; aggregates and
  // widths read n² flags.
  bool quadratic = node.getKind() != Node::Kind::Tokens &&
                   node.getKind() != Node::Kind::Indices &&
                   node.getKind() != Node::Kind::Constant && !isa<MapNode>(node);
  uint64_t cells = quadratic ? uint64_t(n) * n : n;
  if (Error err = charge(node, cells, node.isSelector() ? cells : n * sizeof(Atom)))
    return err;
  auto chargeString = [&](const Atom &atom) { return charge(node, 0, textBytes(atom)); };
  switch (node.getKind()) {
  case Node::Kind::Tokens: {
    Expected<Sequence> tokens = computeTokens(cast<TokensNode>(node).getType());
    if (!tokens)
      return tokens.takeError();
    for (const Atom &token : *tokens)
      if (Error err = chargeString(token))
        return err;
    sops.try_emplace(&node, std::move(*tokens));
    return Error::success();
  }
  case Node::Kind::Indices: {
    Sequence result;
    for (size_t i = 0; i < n; ++i)
      result.push_back(Atom::integer(static_cast<int64_t>(i)));
    sops.try_emplace(&node, std::move(result));
    return Error::success();
  }
  case Node::Kind::Constant: {
    const Atom &value = cast<ConstantNode>(node).getValue();
    if (Error err = charge(node, 0, n * textBytes(value)))
      return err;
    sops.try_emplace(&node, Sequence(n, value));
    return Error::success();
  }
  case Node::Kind::Map:
  case Node::Kind::SequenceMap: {
    std::vector<const Sequence *> operands;
    for (const Node *operand : node.getOperands())
      operands.push_back(&sop(operand));
    const AtomFn &fn = cast<MapNode>(node).getFunction();
    Sequence result;
    std::vector<Atom> args;
    for (size_t i = 0; i < n; ++i) {
      args.clear();
      for (const Sequence *operand : operands)
        args.push_back((*operand)[i]);
      Expected<Atom> value = fn(args);
      if (!value)
        return nodeError(node, i, value.takeError());
      if (Error err = chargeString(*value))
        return err;
      result.push_back(std::move(*value));
    }
    sops.try_emplace(&node, std::move(result));
    return Error::success();
  }
  case Node::Kind::Select: {
    const auto &select = cast<SelectNode>(node);
    const Sequence &keys = sop(select.getKeys());
    const Sequence &queries = sop(select.getQueries());
    SelectorMatrix result(n);
    for (size_t q = 0; q < n; ++q) {
      for (size_t k = 0; k < n; ++k) {
        Expected<bool> selected = compareOrError(select.getComparison(), keys[k], queries[q]);
        if (!selected)
          return nodeError(node, q, selected.takeError());
        result.set(q, k, *selected);
      }
    }
    selectors.try_emplace(&node, std::move(result));
    return Error::success();
  }
  case Node::Kind::SelectorAnd:
  case Node::Kind::SelectorOr:
  case Node::Kind::SelectorNot: {
    const SelectorMatrix &lhs = selector(node.getOperands().front());
    SelectorMatrix result(n);
    for (size_t q = 0; q < n; ++q) {
      for (size_t k = 0; k < n; ++k) {
        bool a = lhs.get(q, k);
        if (node.getKind() == Node::Kind::SelectorNot)
          result.set(q, k, !a);
        else if (node.getKind() == Node::Kind::SelectorAnd)
          result.set(q, k, a && selector(node.getOperands()[1]).get(q, k));
        else
          result.set(q, k, a || selector(node.getOperands()[1]).get(q, k));
      }
    }
    selectors.try_emplace(&node, std::move(result));
    return Error::success();
  }
  case Node::Kind::Aggregate: {
    Expected<Sequence> result = computeAggregate(cast<AggregateNode>(node));
    if (!result)
      return result.takeError();
    for (const Atom &value : *result)
      if (Error err = chargeString(value))
        return err;
    sops.try_emplace(&node, std::move(*result));
    return Error::success();
  }
  case Node::Kind::SelectorWidth: {
    const SelectorMatrix &matrix = selector(node.getOperands().front());
    Sequence result;
    for (size_t q = 0; q < n; ++q) {
      int64_t width = 0;
      for (size_t k = 0; k < n; ++k)
        width += matrix.get(q, k);
      result.push_back(Atom::integer(width));
    }
    sops.try_emplace(&node, std::move(result));
    return Error::success();
  }
  }
  llvm_unreachable("unknown node kind");
}

Expected<Sequence> Evaluator::computeTokens(TokenType type) const {
  Sequence result;
  for (size_t i = 0; i < input.size(); ++i) {
    const Atom &token = input[i];
    std::string text =
        token.getKind() == Atom::Kind::String ? token.getString() : formatAtom(token);
    auto notA = [&](StringRef what, StringRef builtin) {
      return opError("error: input token " + formatAtom(Atom::string(text)) + " at position " +
                     Twine(i) + " is not " + what + " (the program reads " + builtin + ")");
    };
    switch (type) {
    case TokenType::String:
      result.push_back(Atom::string(text));
      break;
    case TokenType::Int:
    case TokenType::Bool: {
      int64_t value;
      if (token.getKind() == Atom::Kind::Int)
        value = token.getInt();
      else if (StringRef(text).getAsInteger(10, value))
        return notA("an int", type == TokenType::Int ? "tokens_int" : "tokens_bool");
      result.push_back(type == TokenType::Int ? Atom::integer(value) : Atom::boolean(value != 0));
      break;
    }
    case TokenType::Float: {
      double value;
      if (token.isNumber())
        value = token.toDouble();
      else if (StringRef(text).getAsDouble(value) || !std::isfinite(value))
        return notA("a number", "tokens_float");
      result.push_back(Atom::real(value));
      break;
    }
    }
  }
  return result;
}

Expected<Sequence> Evaluator::computeAggregate(const AggregateNode &node) const {
  const SelectorMatrix &matrix = selectors.find(node.getSelector())->second;
  const Sequence &values = sops.find(node.getSOp())->second;
  Sequence result;
  std::vector<size_t> chosen;
  for (size_t q = 0; q < input.size(); ++q) {
    chosen.clear();
    for (size_t k = 0; k < input.size(); ++k)
      if (matrix.get(q, k))
        chosen.push_back(k);
    if (chosen.empty()) {
      result.push_back(node.getDefault());
      continue;
    }
    if (chosen.size() == 1) {
      result.push_back(values[chosen.front()]);
      continue;
    }
    double sum = 0;
    for (size_t k : chosen) {
      const Atom &value = values[k];
      if (value.getKind() == Atom::Kind::Bool)
        return nodeError(node, q,
                         opError("cannot average bools (" + Twine(chosen.size()) +
                                 " positions selected); wrap the s-op in indicator( to "
                                 "average 0/1 values"));
      if (!value.isNumber())
        return nodeError(node, q,
                         opError("cannot average " + describe(value) + " (" + Twine(chosen.size()) +
                                 " positions selected); a mean needs numbers"));
      sum += value.toDouble();
    }
    result.push_back(Atom::real(sum / static_cast<double>(chosen.size())));
  }
  return result;
}

Expected<Sequence> evaluate(const Node &sop, ArrayRef<Atom> input) {
  Evaluator evaluator(input.vec());
  Expected<const Sequence *> result = evaluator.getSOp(sop);
  if (!result)
    return result.takeError();
  return **result;
}

} // namespace icl::rasp
