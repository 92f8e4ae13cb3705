//===- Value.h - RASP values and the graph of RASP operations ---*- C++ -*-===//
//
// Values of the interpreter: compile-time atoms, lists, dicts and functions,
// and the two run-time kinds, s-ops and selectors. An s-op or selector value
// is a node of a Graph, a DAG of primitive RASP operations that a compiler
// can translate one node at a time into transformer layers:
//
//   Tokens         the input tokens (as strings, ints, floats or bools)
//   Indices        0, 1, ..., n-1
//   Constant       one atom at every position (an atom used as an s-op)
//   Map            f(x[i]) of one s-op, f a C++ callable over atoms
//   SequenceMap    f(x[i], y[i], ...) of several s-ops
//   Select         selector: query q selects key k iff keys[k] op queries[q]
//   SelectorAnd    elementwise and/or/not of selectors
//   SelectorOr
//   SelectorNot
//   Aggregate      per query: the default, the one selected value, or the
//                  mean of several selected values
//   SelectorWidth  per query: how many keys it selects
//
// Every node records the expression that produced it (file, line, column,
// text) and the calls through which that expression was reached, so errors
// about a node can point at the user's code. Operands always precede their
// users in the graph, so node ids are a topological order.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_VALUE_H
#define ICL_FRONTENDS_RASP_VALUE_H

#include "frontends/rasp/AST.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace icl::rasp {

//===----------------------------------------------------------------------===//
// Atoms
//===----------------------------------------------------------------------===//

/// A string, int, float or bool: the value at one position of an s-op and
/// the compile-time scalar of the language.
class Atom {
public:
  enum class Kind { String, Int, Float, Bool };

  static Atom string(std::string value) { return Atom(Storage(std::move(value))); }
  static Atom integer(int64_t value) { return Atom(Storage(value)); }
  static Atom real(double value) { return Atom(Storage(value)); }
  static Atom boolean(bool value) { return Atom(Storage(value)); }

  Kind getKind() const { return static_cast<Kind>(storage.index()); }
  bool isNumber() const { return getKind() == Kind::Int || getKind() == Kind::Float; }

  const std::string &getString() const { return std::get<std::string>(storage); }
  int64_t getInt() const { return std::get<int64_t>(storage); }
  double getFloat() const { return std::get<double>(storage); }
  bool getBool() const { return std::get<bool>(storage); }
  /// The value of an Int or Float as a double.
  double toDouble() const { return getKind() == Kind::Int ? double(getInt()) : getFloat(); }

private:
  // The order matches Kind.
  using Storage = std::variant<std::string, int64_t, double, bool>;
  explicit Atom(Storage storage) : storage(std::move(storage)) {}
  Storage storage;
};

/// "string", "int", "float" or "bool".
inline llvm::StringRef kindName(Atom::Kind kind) {
  static const char *const names[] = {"string", "int", "float", "bool"};
  return names[static_cast<int>(kind)];
}

//===----------------------------------------------------------------------===//
// Graph nodes
//===----------------------------------------------------------------------===//

/// Where an expression is in the source. Nodes own these (unlike SourceLoc)
/// so that a graph outlives the parsed modules.
struct SourceRef {
  std::string file;
  unsigned line = 0;
  unsigned col = 0;
  /// The expression's text, whitespace runs collapsed to one space.
  std::string text;
};

/// What produced a node: the expression, and the calls (outermost first)
/// through which the interpreter reached it. Library and user functions are
/// unrolled, so a node built inside `sort` is reached through the user's
/// call of `sort`.
struct Origin {
  SourceRef expr;
  std::vector<SourceRef> callSites;
};

/// Input token types, one node each: `tokens` / `tokens_str`, `tokens_int`,
/// `tokens_float`, `tokens_bool`.
enum class TokenType { String, Int, Float, Bool };

/// The function of a Map or SequenceMap: one atom per operand in, one out.
/// Failures (a type error, a division by zero) carry a message without
/// location; the evaluator adds the node's.
using AtomFn = std::function<llvm::Expected<Atom>(llvm::ArrayRef<Atom>)>;

class Node {
public:
  enum class Kind {
    Tokens,
    Indices,
    Constant,
    Map,
    SequenceMap,
    Select,
    SelectorAnd,
    SelectorOr,
    SelectorNot,
    Aggregate,
    SelectorWidth,
  };

  Node(Kind kind, unsigned id, std::vector<const Node *> operands, Origin origin)
      : kind(kind), id(id), operands(std::move(operands)), origin(std::move(origin)) {}
  virtual ~Node() = default;

  Kind getKind() const { return kind; }
  /// The position in the graph; every operand has a smaller id.
  unsigned getId() const { return id; }
  bool isSelector() const {
    return kind == Kind::Select || kind == Kind::SelectorAnd || kind == Kind::SelectorOr ||
           kind == Kind::SelectorNot;
  }
  llvm::ArrayRef<const Node *> getOperands() const { return operands; }
  const Origin &getOrigin() const { return origin; }
  /// The first variable the node was assigned to, or empty.
  llvm::StringRef getName() const { return name; }

private:
  friend class Graph;
  Kind kind;
  unsigned id;
  std::vector<const Node *> operands;
  Origin origin;
  std::string name;
};

class TokensNode : public Node {
public:
  TokensNode(unsigned id, TokenType type, Origin origin)
      : Node(Kind::Tokens, id, {}, std::move(origin)), type(type) {}
  static bool classof(const Node *n) { return n->getKind() == Kind::Tokens; }
  TokenType getType() const { return type; }

private:
  TokenType type;
};

class ConstantNode : public Node {
public:
  ConstantNode(unsigned id, Atom value, Origin origin)
      : Node(Kind::Constant, id, {}, std::move(origin)), value(std::move(value)) {}
  static bool classof(const Node *n) { return n->getKind() == Kind::Constant; }
  const Atom &getValue() const { return value; }

private:
  Atom value;
};

/// Map (one operand) or SequenceMap (several, all distinct).
class MapNode : public Node {
public:
  MapNode(unsigned id, const std::vector<const Node *> &operands, AtomFn fn, Origin origin)
      : Node(operands.size() == 1 ? Kind::Map : Kind::SequenceMap, id, operands, std::move(origin)),
        fn(std::move(fn)) {}
  static bool classof(const Node *n) {
    return n->getKind() == Kind::Map || n->getKind() == Kind::SequenceMap;
  }
  const AtomFn &getFunction() const { return fn; }

private:
  AtomFn fn;
};

class SelectNode : public Node {
public:
  SelectNode(unsigned id, const Node *keys, const Node *queries, Comparison cmp, Origin origin)
      : Node(Kind::Select, id, {keys, queries}, std::move(origin)), cmp(cmp) {}
  static bool classof(const Node *n) { return n->getKind() == Kind::Select; }
  const Node *getKeys() const { return getOperands()[0]; }
  const Node *getQueries() const { return getOperands()[1]; }
  Comparison getComparison() const { return cmp; }

private:
  Comparison cmp;
};

class AggregateNode : public Node {
public:
  AggregateNode(unsigned id, const Node *selector, const Node *sop, Atom defaultValue,
                Origin origin)
      : Node(Kind::Aggregate, id, {selector, sop}, std::move(origin)),
        defaultValue(std::move(defaultValue)) {}
  static bool classof(const Node *n) { return n->getKind() == Kind::Aggregate; }
  const Node *getSelector() const { return getOperands()[0]; }
  const Node *getSOp() const { return getOperands()[1]; }
  const Atom &getDefault() const { return defaultValue; }

private:
  Atom defaultValue;
};

/// Owns the nodes of one program. Indices, SelectorAnd/Or/Not and
/// SelectorWidth carry no data beyond their operands and are plain Nodes.
class Graph {
public:
  const Node *addTokens(TokenType type, Origin origin) {
    return add(std::make_unique<TokensNode>(nextId(), type, std::move(origin)));
  }
  const Node *addIndices(Origin origin) {
    return add(std::make_unique<Node>(Node::Kind::Indices, nextId(), std::vector<const Node *>(),
                                      std::move(origin)));
  }
  const Node *addConstant(Atom value, Origin origin) {
    return add(std::make_unique<ConstantNode>(nextId(), std::move(value), std::move(origin)));
  }
  const Node *addMap(std::vector<const Node *> operands, AtomFn fn, Origin origin) {
    assert(!operands.empty() && "a map needs an operand");
    return add(std::make_unique<MapNode>(nextId(), operands, std::move(fn), std::move(origin)));
  }
  const Node *addSelect(const Node *keys, const Node *queries, Comparison cmp, Origin origin) {
    assert(!keys->isSelector() && !queries->isSelector());
    return add(std::make_unique<SelectNode>(nextId(), keys, queries, cmp, std::move(origin)));
  }
  /// SelectorAnd and SelectorOr take two selectors, SelectorNot one.
  const Node *addSelectorLogic(Node::Kind kind, std::vector<const Node *> operands, Origin origin) {
    assert((kind == Node::Kind::SelectorNot ? operands.size() == 1 : operands.size() == 2) &&
           (kind == Node::Kind::SelectorAnd || kind == Node::Kind::SelectorOr ||
            kind == Node::Kind::SelectorNot));
    return add(std::make_unique<Node>(kind, nextId(), std::move(operands), std::move(origin)));
  }
  const Node *addAggregate(const Node *selector, const Node *sop, Atom defaultValue,
                           Origin origin) {
    assert(selector->isSelector() && !sop->isSelector());
    return add(std::make_unique<AggregateNode>(nextId(), selector, sop, std::move(defaultValue),
                                               std::move(origin)));
  }
  const Node *addSelectorWidth(const Node *selector, Origin origin) {
    assert(selector->isSelector());
    return add(std::make_unique<Node>(Node::Kind::SelectorWidth, nextId(),
                                      std::vector<const Node *>{selector}, std::move(origin)));
  }

  /// Records `name` as the node's name unless it already has one.
  void nameNode(const Node *node, llvm::StringRef name) {
    Node &owned = *nodes[node->getId()];
    if (owned.name.empty())
      owned.name = name.str();
  }

  /// All nodes in creation (topological) order.
  llvm::ArrayRef<std::unique_ptr<Node>> getNodes() const { return nodes; }

private:
  unsigned nextId() const { return static_cast<unsigned>(nodes.size()); }
  const Node *add(std::unique_ptr<Node> node) {
    nodes.push_back(std::move(node));
    return nodes.back().get();
  }
  std::vector<std::unique_ptr<Node>> nodes;
};

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

class Env;
class Value;

/// A function value: a user (or library) `def` closed over the scope it was
/// defined in, or the primitive `selector_width`, which has its own node
/// kind because compilers implement it specially.
struct Function {
  enum class Kind { User, SelectorWidth };
  Kind kind = Kind::User;
  std::string name;
  /// For User functions: the definition and its defining scope.
  const DefStmt *def = nullptr;
  Env *env = nullptr;
};

/// Atoms found by the language's `==` (ints and floats equal by value) in
/// constant time, so that dicts and `in` over long lists cost no more per
/// lookup than short ones.
class AtomIndex {
public:
  /// The position of the first added atom equal to `atom`, or -1.
  int find(const Atom &atom) const;
  /// Adds `atom` at position size().
  void add(const Atom &atom);
  size_t size() const { return atoms.size(); }
  llvm::ArrayRef<Atom> getAtoms() const { return atoms; }

private:
  std::vector<Atom> atoms;
  /// Positions of the atoms by hash, ascending.
  llvm::DenseMap<uint64_t, llvm::SmallVector<unsigned, 1>> buckets;
};

/// A dict keeps its entries in insertion order, like the authors' (Python)
/// interpreter; keys are atoms and unique.
class Dict {
public:
  /// The value of the key equal to `key`, or null.
  const Value *find(const Atom &key) const;
  /// Sets the value of `key`; a new key goes last.
  void set(Atom key, Value value);
  size_t size() const { return keys.size(); }
  llvm::ArrayRef<Atom> getKeys() const { return keys.getAtoms(); }
  llvm::ArrayRef<Value> getValues() const;

private:
  AtomIndex keys;
  std::vector<Value> values;
};

class Value {
public:
  enum class Kind { Atom, List, Dict, Function, SOp, Selector };

  Value(Atom atom) : storage(std::move(atom)) {}
  Value(const Node *node) : storage(node) {}
  Value(const Function *function) : storage(function) {}
  static Value list(std::vector<Value> elements) {
    unsigned nesting = deepest(elements);
    Value value(std::make_shared<const std::vector<Value>>(std::move(elements)));
    value.nesting = nesting + 1;
    return value;
  }
  static Value dict(Dict entries) {
    unsigned nesting = deepest(entries.getValues());
    Value value(std::make_shared<const Dict>(std::move(entries)));
    value.nesting = nesting + 1;
    return value;
  }

  Kind getKind() const {
    switch (storage.index()) {
    case 0:
      return Kind::Atom;
    case 1:
      return Kind::List;
    case 2:
      return Kind::Dict;
    case 3:
      return Kind::Function;
    default:
      return getNode()->isSelector() ? Kind::Selector : Kind::SOp;
    }
  }
  bool isAtom() const { return getKind() == Kind::Atom; }
  bool isSOp() const { return getKind() == Kind::SOp; }
  bool isSelector() const { return getKind() == Kind::Selector; }

  const Atom &getAtom() const { return std::get<Atom>(storage); }
  const std::vector<Value> &getList() const { return *std::get<ListPtr>(storage); }
  const Dict &getDict() const { return *std::get<DictPtr>(storage); }
  const Function &getFunction() const { return *std::get<const Function *>(storage); }
  /// The node of an s-op or selector.
  const Node *getNode() const { return std::get<const Node *>(storage); }
  /// How deeply lists and dicts nest in the value: 0 for an atom, 1 for a
  /// list of atoms. Destroying a value recurses once per level.
  unsigned getNesting() const { return nesting; }

private:
  using ListPtr = std::shared_ptr<const std::vector<Value>>;
  using DictPtr = std::shared_ptr<const Dict>;
  explicit Value(ListPtr list) : storage(std::move(list)) {}
  explicit Value(DictPtr dict) : storage(std::move(dict)) {}
  static unsigned deepest(llvm::ArrayRef<Value> values) {
    unsigned nesting = 0;
    for (const Value &value : values)
      nesting = std::max(nesting, value.nesting);
    return nesting;
  }
  // The order matches getKind.
  std::variant<Atom, ListPtr, DictPtr, const Function *, const Node *> storage;
  unsigned nesting = 0;
};

inline llvm::ArrayRef<Value> Dict::getValues() const { return values; }

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_VALUE_H
