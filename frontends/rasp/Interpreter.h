//===- Interpreter.h - Building and evaluating RASP programs ----*- C++ -*-===//
//
// Interpretation happens in two phases, so that a compiler sees the program
// as a dataflow graph:
//
// 1. Program::fromFile runs the program's statements once, at graph-build
//    time. Compile-time values (atoms, lists, dicts, functions) are computed
//    directly; `for` loops, comprehensions and calls of user and library
//    functions are unrolled; every operation on an s-op or selector adds a
//    node to the program's Graph (see Value.h). The result binds each
//    top-level name to a value, s-ops and selectors to graph nodes.
//
// 2. An Evaluator computes node values for one input (a sequence of tokens),
//    each node once. Run-time type errors (the mean of strings, comparing a
//    string with an int, a division by zero) are reported with the location
//    and text of the expression that built the failing node.
//
// The library of RASP.md (full_s, length, has_focus, count, contains, max,
// min, average, load_from_location, shift, mark_last_instance,
// mark_first_instance, select_from_last, select_from_first, sort,
// select_next_identical) is RASP source run before every program, so its
// nodes are the same primitives as user code; selector_width is the one
// primitive function. Library names can be shadowed by a program without
// affecting the library.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_INTERPRETER_H
#define ICL_FRONTENDS_RASP_INTERPRETER_H

#include "frontends/rasp/AST.h"
#include "frontends/rasp/Value.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace icl::rasp {

//===----------------------------------------------------------------------===//
// Limits
//===----------------------------------------------------------------------===//
//
// A program is untrusted input. These bound the work and the memory of
// running it, so that nested loops, a string doubled in a loop or a function
// that calls itself twice stop with an error that names the place and the
// limit, instead of running without end or exhausting memory. To raise one,
// change the constant here.

/// Steps of building a program's graph (Program::fromFile): statements run,
/// expressions evaluated, loop iterations, and list and dict elements made.
/// The examples take a few hundred; a chain of 100,000 statements
/// `x = x + 1;` about 400,000.
constexpr uint64_t kMaxBuildSteps = uint64_t(1) << 22;
/// Bytes of the values building a graph makes: strings, lists, dicts,
/// scopes and graph nodes (with the text of their expressions and calls).
/// A chain of 100,000 maps takes about 23 MB.
constexpr uint64_t kMaxBuildBytes = uint64_t(1) << 28;
/// Steps of one evaluation (Evaluator): one per position of each s-op
/// computed, and one per query-key pair of each selector, aggregate and
/// selector_width.
constexpr uint64_t kMaxEvaluationSteps = uint64_t(1) << 30;
/// Bytes of the s-op values and selector matrices of one evaluation; a
/// selector on n tokens takes n² bytes.
constexpr uint64_t kMaxEvaluationBytes = uint64_t(1) << 30;
/// The longest string `+` may make.
constexpr size_t kMaxStringBytes = size_t(1) << 20;
/// Lists and dicts nested in each other, as `l = [l];` in a loop makes
/// them.
constexpr unsigned kMaxValueNesting = 256;

class Env;

/// A RASP program after graph building: its graph and top-level names.
class Program {
public:
  /// Parses and runs the file at `path` (and the files it loads).
  static llvm::Expected<std::unique_ptr<Program>> fromFile(llvm::StringRef path);
  /// Parses and runs `source`; `fileName` names it in errors, and `load`
  /// resolves relative to its directory.
  static llvm::Expected<std::unique_ptr<Program>> fromSource(llvm::StringRef source,
                                                             llvm::StringRef fileName);
  ~Program();

  const Graph &getGraph() const { return graph; }
  /// The names assigned at the top level of the program and the files it
  /// loads, in order of first assignment (library names are not listed).
  llvm::ArrayRef<std::string> getNames() const { return names; }
  /// The value of a top-level or library name, or null.
  const Value *lookup(llvm::StringRef name) const;
  /// The node of the s-op `name`; an error when it is unknown or not an s-op.
  llvm::Expected<const Node *> getSOp(llvm::StringRef name) const;

private:
  friend class ProgramBuilder;
  Program();
  static llvm::Expected<std::unique_ptr<Program>> build(std::unique_ptr<Module> main);

  Graph graph;
  std::vector<std::unique_ptr<Module>> modules;
  std::vector<std::unique_ptr<Env>> envs;
  std::vector<std::unique_ptr<Function>> functions;
  Env *globals = nullptr;
  std::vector<std::string> names;
};

/// The values of an s-op on one input, one per position.
using Sequence = std::vector<Atom>;

/// The value of a selector on an input of length n: whether each query
/// position selects each key position.
class SelectorMatrix {
public:
  explicit SelectorMatrix(size_t n) : n(n), bits(n * n, 0) {}
  size_t size() const { return n; }
  bool get(size_t query, size_t key) const { return bits[query * n + key]; }
  void set(size_t query, size_t key, bool value) { bits[query * n + key] = value; }

private:
  size_t n;
  std::vector<char> bits;
};

/// Evaluates graph nodes on one input, computing each node at most once.
class Evaluator {
public:
  /// `input` holds the tokens: String atoms for a string input or Int atoms
  /// for an int array (see parseTokens). The tokens_* built-ins convert
  /// them: tokens_int parses strings as integers, tokens_float as numbers,
  /// tokens_bool is tokens_int != 0, tokens_str prints ints in decimal.
  explicit Evaluator(std::vector<Atom> input);

  llvm::Expected<const Sequence *> getSOp(const Node &node);
  llvm::Expected<const SelectorMatrix *> getSelector(const Node &node);

private:
  /// Computes `root` and every node it depends on that is not yet known.
  llvm::Error computeWithOperands(const Node &root);
  llvm::Error compute(const Node &node);
  llvm::Expected<Sequence> computeTokens(TokenType type) const;
  llvm::Expected<Sequence> computeAggregate(const AggregateNode &node) const;

  /// Counts the work of computing `node` against kMaxEvaluationSteps and
  /// kMaxEvaluationBytes.
  llvm::Error charge(const Node &node, uint64_t steps, uint64_t bytes);

  std::vector<Atom> input;
  llvm::DenseMap<const Node *, Sequence> sops;
  llvm::DenseMap<const Node *, SelectorMatrix> selectors;
  uint64_t stepsUsed = 0;
  uint64_t bytesUsed = 0;
};

/// Evaluates the s-op `sop` on `input`.
/// The language's `==`: ints and floats compare by value, other kinds only
/// equal themselves.
bool atomsEqual(const Atom &a, const Atom &b);

/// `a op b` as `select(` and the comparison operators compute it; nullopt
/// where the language reports a type error (e.g. a string against a number).
std::optional<bool> compareAtoms(Comparison op, const Atom &a, const Atom &b);

llvm::Expected<Sequence> evaluate(const Node &sop, llvm::ArrayRef<Atom> input);

} // namespace icl::rasp

#endif // ICL_FRONTENDS_RASP_INTERPRETER_H
