//===- CompilerImpl.h - The RASP compiler, shared by its phases -----------*- C++ -*-===//
//
// The data the phases of the RASP compiler share (formulas, storages, linear
// readouts, per-node facts) and the Compiler class whose methods the files of
// this folder define, one phase each: Values.cpp, Heads.cpp,
// StorageDecisions.cpp, Units.cpp, Layout.cpp, Weights.cpp; the driver is
// frontends/rasp/Compiler.cpp. Private to the compiler.
//
//===----------------------------------------------------------------------===//

#ifndef ICL_FRONTENDS_RASP_COMPILER_COMPILERIMPL_H
#define ICL_FRONTENDS_RASP_COMPILER_COMPILERIMPL_H

#include "frontends/rasp/Compiler.h"

#include "frontends/rasp/Json.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <memory>
#include <optional>
#include <random>
#include <set>

namespace icl::rasp::detail {

using namespace llvm;


/// A score gap of one selector part becomes a logit gap of kScoreScale. BOS
/// sits half a part below a match, so its weight next to a match is
/// e^-50 ≈ 2e-22: the softmax is exact to float precision.
constexpr double kScoreScale = 100;
/// Parts a PAD key loses; PAD positions hold arbitrary values.
constexpr double kPadPenalty = 1e4;
/// Limits that keep compilation fast; programs past them get an error.
/// One-hot s-ops take a dimension per value; any s-op's value list is
/// enumerated by the analysis.
constexpr size_t kMaxClasses = 1024;
constexpr size_t kMaxValues = size_t(1) << 16;
constexpr size_t kMaxTuples = size_t(1) << 16;
constexpr size_t kMaxMeanStates = size_t(1) << 16;
constexpr size_t kMaxMeanWork = size_t(1) << 24;
constexpr size_t kMaxHidden = size_t(1) << 15;
constexpr unsigned kMaxAtoms = 12;
/// The and/or/not operations of a selector, counting each use of a shared
/// selector: the formula is a tree, which a selector combined with itself
/// in a loop would make exponentially large and deep.
constexpr size_t kMaxFormulaOperations = 256;
/// Bytes the analysis may hold in tables over the (length, position) pairs:
/// each s-op's value classes at each pair (about 32 bytes), and each
/// selector atom's and aggregate's verdict at each (length, query, key), a
/// byte. They grow with the square and the cube of --max-len; past this a
/// program gets an error naming the s-op, not minutes of work and gigabytes.
constexpr size_t kMaxAnalysisBytes = size_t(1) << 30;
/// selector_width of a union of more clauses takes one head over tuples
/// instead of 2^clauses inclusion-exclusion heads.
constexpr size_t kMaxWidthClauses = 4;
/// Input tuples one MLP may fuse before intermediate maps are stored (a
/// layer deeper, but far narrower).
constexpr size_t kFusedTuples = 512;
/// A stored intermediate map with more numeric values than this is stored
/// as a number rather than one-hot.
constexpr size_t kMaxCutClasses = 16;
/// Integers up to this magnitude compare for equality through their squares
/// (logits up to about 100 · 4 · 64², exact in float32).
constexpr double kMaxSquareCompared = 64;
/// Numbers closer than this (relative) are one point to a discretizing MLP.
constexpr double kSamePoint = 1e-9;
/// The span of the number a discretizing MLP steps along, in units of its
/// smallest gap: float32 keeps the steps' margins (half a gap) past it.
constexpr double kMaxSpan = 1e6;
/// The rounding a discretizing MLP may add to an output: an indicator, a
/// number (relative to 1 + its magnitude). Bounds are float32's relative
/// precision times the sum of the magnitudes the output sums over (the
/// native code accumulates in float32).
constexpr double kStepErrorOneHot = 0.1;
constexpr double kStepErrorNumber = 0.01;
/// The rounding an equality-through-squares part may add to a score, in
/// parts (a match scores 1, BOS sits 1/2 below).
constexpr double kPartError = 0.25;

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

inline std::string formatLoc(const SourceRef &ref) {
  return ref.file + ":" + std::to_string(ref.line) + ":" + std::to_string(ref.col);
}

/// "file:line:col: error: cannot compile 'text': why (reached from ...)".
inline Error nodeError(const Node &node, const Twine &why) {
  const Origin &origin = node.getOrigin();
  std::string message =
      formatLoc(origin.expr) + ": error: cannot compile '" + origin.expr.text + "': " + why.str();
  if (!origin.callSites.empty())
    message += " (reached from " + formatLoc(origin.callSites.front()) + ")";
  return createStringError(inconvertibleErrorCode(), message);
}

/// The variable name of a node, else its expression, for reports.
inline std::string describe(const Node &node) {
  std::string text = node.getName().empty() ? node.getOrigin().expr.text : node.getName().str();
  if (text.size() > 48)
    text = text.substr(0, 45) + "...";
  return text;
}

//===----------------------------------------------------------------------===//
// Atoms
//===----------------------------------------------------------------------===//


/// The values an s-op can hold, one per class of `==` (so the int 1 and the
/// float 1.0 are one class, represented by the int: a model cannot tell
/// them apart and the language's `==` does not either).
class ValueList {
public:
  int find(const Atom &atom) const {
    auto it = index.find(key(atom));
    return it == index.end() ? -1 : it->second;
  }
  int insert(const Atom &atom) {
    auto [it, inserted] = index.try_emplace(key(atom), static_cast<int>(atoms.size()));
    if (inserted)
      atoms.push_back(atom);
    else if (atom.getKind() == Atom::Kind::Int)
      atoms[it->second] = atom;
    return it->second;
  }
  size_t size() const { return atoms.size(); }
  const Atom &operator[](size_t i) const { return atoms[i]; }
  ArrayRef<Atom> all() const { return atoms; }
  bool allNumbers() const {
    return llvm::all_of(atoms, [](const Atom &atom) { return atom.isNumber(); });
  }

private:
  static std::string key(const Atom &atom) {
    switch (atom.getKind()) {
    case Atom::Kind::String:
      return "s" + atom.getString();
    case Atom::Kind::Bool:
      return atom.getBool() ? "b1" : "b0";
    default: {
      double value = atom.toDouble();
      if (value == 0)
        value = 0; // -0.0 and 0.0 are one class.
      std::string bytes(sizeof(double), '\0');
      std::memcpy(bytes.data(), &value, sizeof(double));
      return "n" + bytes;
    }
    }
  }
  std::vector<Atom> atoms;
  StringMap<int> index;
};

//===----------------------------------------------------------------------===//
// Positions
//===----------------------------------------------------------------------===//

/// The (n, i) pairs of inputs of length n <= maxLen, numbered densely.
struct Positions {
  unsigned maxLen = 0;
  size_t count() const { return size_t(maxLen) * (maxLen + 1) / 2; }
  size_t index(unsigned n, unsigned i) const { return size_t(n) * (n - 1) / 2 + i; }
  template <typename F> void forEach(F f) const {
    for (unsigned n = 1; n <= maxLen; ++n)
      for (unsigned i = 0; i < n; ++i)
        f(n, i, index(n, i));
  }
};

/// Per position, the sorted classes an s-op can hold there.
using PosSets = std::vector<std::vector<int>>;

inline void sortUnique(std::vector<int> &classes) {
  llvm::sort(classes);
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
}

//===----------------------------------------------------------------------===//
// Selector formulas
//===----------------------------------------------------------------------===//

/// Three-valued truth: whether a query selects a key for every input that
/// reaches the position, for none, or it depends.
enum Tri : int8_t { kNo = 0, kYes = 1, kMaybe = 2 };

inline Tri triAnd(Tri a, Tri b) {
  if (a == kNo || b == kNo)
    return kNo;
  return a == kYes && b == kYes ? kYes : kMaybe;
}
inline Tri triOr(Tri a, Tri b) {
  if (a == kYes || b == kYes)
    return kYes;
  return a == kNo && b == kNo ? kNo : kMaybe;
}
inline Tri triNot(Tri a) { return a == kMaybe ? kMaybe : (a == kYes ? kNo : kYes); }

/// A selector as a boolean formula over its select( comparisons ("atoms").
struct Formula {
  enum class Kind { Atom, And, Or, Not, Const };
  Kind kind = Kind::Const;
  bool value = true;
  unsigned atom = 0;
  std::vector<Formula> operands;

  static Formula constant(bool value) {
    Formula f;
    f.value = value;
    return f;
  }
  static Formula ofAtom(unsigned atom) {
    Formula f;
    f.kind = Kind::Atom;
    f.atom = atom;
    return f;
  }
  static Formula of(Kind kind, std::vector<Formula> operands) {
    Formula f;
    f.kind = kind;
    f.operands = std::move(operands);
    return f;
  }

  /// With atom j true iff bit j of `bits` is set.
  bool eval(uint32_t bits) const {
    switch (kind) {
    case Kind::Atom:
      return (bits >> atom) & 1;
    case Kind::And:
      return operands[0].eval(bits) && operands[1].eval(bits);
    case Kind::Or:
      return operands[0].eval(bits) || operands[1].eval(bits);
    case Kind::Not:
      return !operands[0].eval(bits);
    case Kind::Const:
      return value;
    }
    llvm_unreachable("unknown formula kind");
  }
  Tri eval3(ArrayRef<Tri> atoms) const {
    switch (kind) {
    case Kind::Atom:
      return atoms[atom];
    case Kind::And:
      return triAnd(operands[0].eval3(atoms), operands[1].eval3(atoms));
    case Kind::Or:
      return triOr(operands[0].eval3(atoms), operands[1].eval3(atoms));
    case Kind::Not:
      return triNot(operands[0].eval3(atoms));
    case Kind::Const:
      return value ? kYes : kNo;
    }
    llvm_unreachable("unknown formula kind");
  }
  void collectAtoms(std::set<unsigned> &out) const {
    if (kind == Kind::Atom)
      out.insert(atom);
    for (const Formula &operand : operands)
      operand.collectAtoms(out);
  }
};

/// One literal of a clause: an atom or its negation.
using Literal = std::pair<unsigned, bool>;
using Clause = std::vector<Literal>;

/// The clauses of `f` (negated when `negate`) in disjunctive normal form, or
/// nullopt past `cap` clauses.
inline std::optional<std::vector<Clause>> toDnf(const Formula &f, bool negate, size_t cap) {
  switch (f.kind) {
  case Formula::Kind::Const:
    if (f.value != negate)
      return std::vector<Clause>{Clause{}};
    return std::vector<Clause>{};
  case Formula::Kind::Atom:
    return std::vector<Clause>{Clause{{f.atom, !negate}}};
  case Formula::Kind::Not:
    return toDnf(f.operands[0], !negate, cap);
  default:
    break;
  }
  std::optional<std::vector<Clause>> lhs = toDnf(f.operands[0], negate, cap);
  std::optional<std::vector<Clause>> rhs = toDnf(f.operands[1], negate, cap);
  if (!lhs || !rhs)
    return std::nullopt;
  bool conjunction = (f.kind == Formula::Kind::And) != negate;
  std::vector<Clause> result;
  if (!conjunction) {
    result = *lhs;
    llvm::append_range(result, *rhs);
  } else {
    for (const Clause &a : *lhs) {
      for (const Clause &b : *rhs) {
        Clause merged = a;
        llvm::append_range(merged, b);
        result.push_back(std::move(merged));
      }
    }
  }
  if (result.size() > cap)
    return std::nullopt;
  return result;
}

/// A conjunction of literals as a formula.
inline Formula conjunctionOf(const Clause &clause) {
  Formula f = Formula::constant(true);
  for (auto [atom, positive] : clause) {
    Formula literal = Formula::ofAtom(atom);
    if (!positive)
      literal = Formula::of(Formula::Kind::Not, {literal});
    f = f.kind == Formula::Kind::Const ? literal : Formula::of(Formula::Kind::And, {f, literal});
  }
  return f;
}

//===----------------------------------------------------------------------===//
// Storage and linear readouts
//===----------------------------------------------------------------------===//

struct Unit;

/// Residual dimensions holding one value per position: a categorical value
/// as indicators of all classes but `implicit` (whose indicator is `notbos`
/// minus the others), or a number x as x - offset in one dimension (and,
/// with `square`, x² - offset² in a second, for equality tests).
struct Storage {
  enum class Kind { Categorical, Numeric };

  unsigned size() const {
    if (kind == Kind::Numeric)
      return square ? 2 : 1;
    if (compressed)
      return static_cast<unsigned>(basis.size());
    return static_cast<unsigned>(values.size()) - 1;
  }
  /// What the storage holds for class `cls`: (component, value) pairs.
  std::vector<std::pair<unsigned, double>> encode(int cls) const {
    int old = component(cls);
    if (old < 0)
      return {};
    if (!compressed)
      return {{static_cast<unsigned>(old), 1.0}};
    std::vector<std::pair<unsigned, double>> result;
    for (unsigned b = 0; b < basis.size(); ++b)
      if (basis[b][old] != 0)
        result.push_back({b, basis[b][old]});
    return result;
  }
  /// The component of class `cls`, or -1 for the implicit class.
  int component(int cls) const {
    return cls == implicit ? -1 : (cls < implicit ? cls : cls - 1);
  }
  double number(int cls) const { return values[cls].toDouble(); }

  Kind kind = Kind::Categorical;
  std::string name;
  /// The s-op whose values it holds (null for raw tokens and raw widths).
  const Node *node = nullptr;
  ValueList values;
  PosSets at;
  /// Numeric values too many to list.
  bool unbounded = false;
  int implicit = 0;
  double offset = 0;
  bool square = false;
  /// A categorical storage whose readers apply only a few functionals of
  /// its indicators keeps just those: component b holds Σ_c basis[b][c] ·
  /// indicator c (c over the one-hot components above).
  bool compressed = false;
  std::vector<std::vector<double>> basis;
  /// Raw widths: the selector width of each class w/(w+1).
  std::vector<int64_t> widths;
  /// Raw widths: the head plan (index into the compiler's plans).
  int plan = -1;
  /// Tuples: the index into the compiler's tuples.
  int tuple = -1;

  /// Creation order, which orders storages wherever order matters.
  unsigned id = 0;
  /// Null for the embeddings.
  Unit *producer = nullptr;
  /// The last slot that reads it; -1: none, INT_MAX: the unembedding.
  int lastRead = -1;
  std::vector<unsigned> dims;
};

/// A linear function of the residual stream, over storage components and
/// the `notbos` and `pad` dimensions.
struct Lin {
  struct Term {
    Storage *storage;
    unsigned component;
    double coef;
  };
  double notbos = 0;
  double pad = 0;
  std::vector<Term> terms;

  void add(const Lin &other, double scale = 1) {
    notbos += scale * other.notbos;
    pad += scale * other.pad;
    for (const Term &term : other.terms)
      terms.push_back({term.storage, term.component, scale * term.coef});
  }
  bool isZero() const {
    return notbos == 0 && pad == 0 &&
           llvm::all_of(terms, [](const Term &term) { return term.coef == 0; });
  }
  static Lin ofNotbos(double coef) {
    Lin lin;
    lin.notbos = coef;
    return lin;
  }
};

inline Lin indicatorOf(Storage &storage, int cls) {
  assert(storage.kind == Storage::Kind::Categorical);
  Lin lin;
  int component = storage.component(cls);
  if (component >= 0) {
    lin.terms.push_back({&storage, static_cast<unsigned>(component), 1});
    return lin;
  }
  lin.notbos = 1;
  for (unsigned c = 0; c < storage.size(); ++c)
    lin.terms.push_back({&storage, c, -1});
  return lin;
}

/// Σ_cls coef(cls) · indicator(cls).
inline Lin weightedIndicators(Storage &storage, function_ref<double(int)> coef) {
  Lin lin;
  for (int cls = 0; cls < static_cast<int>(storage.values.size()); ++cls) {
    double c = coef(cls);
    if (c != 0)
      lin.add(indicatorOf(storage, cls), c);
  }
  return lin;
}

inline Lin numberOf(Storage &storage) {
  if (storage.kind == Storage::Kind::Categorical)
    return weightedIndicators(storage, [&](int cls) { return storage.number(cls); });
  Lin lin = Lin::ofNotbos(storage.offset);
  lin.terms.push_back({&storage, 0, 1});
  return lin;
}

/// The square of the number, where it is linear.
inline std::optional<Lin> squareOf(Storage &storage) {
  if (storage.kind == Storage::Kind::Categorical)
    return weightedIndicators(storage, [&](int cls) {
      return storage.number(cls) * storage.number(cls);
    });
  if (!storage.square)
    return std::nullopt;
  Lin lin = Lin::ofNotbos(storage.offset * storage.offset);
  lin.terms.push_back({&storage, 1, 1});
  return lin;
}

/// What an MLP hidden unit or a head writes: coefficients on storage
/// components.
using Write = std::vector<Lin::Term>;

/// One attention head or one MLP part, placed in one slot: attention of
/// layer l is slot 2l, its MLP slot 2l+1.
struct Unit {
  bool attention = false;
  std::string name;
  Storage *out = nullptr;
  int slot = -1;
  // Attention: score rows (query already scaled), value rows and the
  // component of `out` each value row writes.
  std::vector<Lin> query, key, value;
  std::vector<unsigned> valueComponents;
  bool futureFree = false;
  /// For (query index, key index) of the RASP input, maxLen × maxLen: the
  /// verdict of the parts that compare only positions; empty when none.
  std::vector<bool> positional;
  // MLP: one input and one output per hidden unit.
  std::vector<Lin> hidden;
  std::vector<Write> hiddenOut;
  /// MLPs of ReLU steps: a bound on the rounding of their outputs per unit
  /// of output change.
  double stepError = 0;

  void forEachRead(function_ref<void(Storage *)> f) const {
    for (const auto *rows : {&query, &key, &value, &hidden})
      for (const Lin &lin : *rows)
        for (const Lin::Term &term : lin.terms)
          f(term.storage);
  }
};

//===----------------------------------------------------------------------===//
// Per-node facts
//===----------------------------------------------------------------------===//

struct SOpInfo {
  ValueList values;
  PosSets at;
  bool unbounded = false;
  /// Elementwise nodes: the non-elementwise s-ops they are a function of.
  std::vector<const Node *> roots;
  /// Maps, while values are inferred: the value at each tuple of classes of
  /// `roots` met (a class, or -1 - f for the failure `failures[f]`), so that
  /// the maps reading this one look it up rather than evaluate the chain
  /// below again (which made a chain's inference quadratic in its length).
  /// Freed once the last of them is inferred.
  std::map<std::vector<int>, int> byRoots;
  std::vector<std::string> failures;
  /// A function of the position alone (indices, constants, maps of them).
  bool positional = false;

  // Aggregates.
  /// A one-hot copy is exact: at most one key selected, or all agree.
  bool canCopy = true;
  bool categorical = false;

  // Storage decisions.
  bool needCat = false;
  bool needNum = false;
  /// Readers need the square of the number (equality through squares).
  bool needSquare = false;
  Storage *own = nullptr;
  /// A categorical copy of a numeric aggregate.
  Storage *catCopy = nullptr;
  /// Virtual s-ops: the storages they are read from.
  std::vector<Storage *> base;
};

/// A select( comparison of a selector.
struct SelectAtom {
  const SelectNode *node;
  /// The compared s-ops; null for an atom (a Constant node).
  const Node *keyVar, *queryVar;
  /// [key class][query class] of the operands' value lists: 1 true, 0
  /// false, -1 a type error.
  std::vector<int8_t> table;
  size_t queryClasses;
  /// Per (position (n, i), key k): the atom's verdict.
  std::vector<Tri> verdict;

  int8_t compare(int keyClass, int queryClass) const {
    return table[keyClass * queryClasses + queryClass];
  }
};

struct Selector {
  std::vector<SelectAtom> atoms;
  Formula formula;
};

/// A group of atoms comparing the same key and query s-ops (or only
/// positions: the mask part), with the part's truth table over its atoms.
/// A side that compares several s-ops reads a stored tuple of them.
struct Part {
  std::vector<const Node *> keyVars, queryVars;
  bool positional = false;
  std::vector<unsigned> atoms;
  std::vector<bool> truth;
  /// Indices into the compiler's tuples, for sides of several s-ops.
  int keyTuple = -1, queryTuple = -1;
  /// Integer equality of one key and one query s-op: scored 1 - (q - k)²
  /// from each side's number and square rather than from indicators.
  bool quadratic = false;

  /// Whether the part holds when its atoms take these class pairs.
  bool holds(const Selector &selector, function_ref<int(const Node *)> keyClass,
             function_ref<int(const Node *)> queryClass) const {
    uint32_t bits = 0;
    for (auto [j, atom] : llvm::enumerate(atoms)) {
      const SelectAtom &a = selector.atoms[atom];
      int8_t result = a.compare(keyClass(a.node->getKeys()), queryClass(a.node->getQueries()));
      if (result < 0)
        return false; // The interpreter reports a type error.
      bits |= uint32_t(result) << j;
    }
    return truth[bits];
  }
};

/// A tuple of s-ops stored one-hot, so one head can score any formula of
/// them: each class is a tuple of the components' classes.
struct TupleVar {
  std::vector<const Node *> components;
  std::vector<std::vector<int>> classes;
  std::map<std::vector<int>, int> index;
  PosSets at;
  Storage *storage = nullptr;
};

/// How factor groups atoms into parts: one part per pair of compared s-ops;
/// all non-positional atoms in one part; or all atoms in one.
enum class Grouping { Pairs, Joint, All };

/// One head to build: an aggregate, or one inclusion-exclusion term of a
/// selector_width.
struct HeadPlan {
  const Node *origin;
  const Selector *selector;
  Formula formula;
  std::vector<Part> parts;
  std::vector<Tri> verdict;
  bool width = false;
  int sign = 1;
  /// The number of non-positional parts, and whether nothing can be
  /// selected.
  unsigned scoredParts = 0;
  bool never = false;
  Storage *raw = nullptr;
};

/// What an MLP reads: stored s-ops, or one numeric s-op read linearly from
/// several stored ones (then the MLP discretizes that one number rather
/// than the tuples of its terms), and the tuples of classes that occur.
struct MlpInputs {
  std::vector<Storage *> storages;
  const Node *linear = nullptr;
  std::vector<std::vector<int>> tuples;
};

inline void sortStorages(std::vector<Storage *> &storages) {
  llvm::sort(storages, [](const Storage *a, const Storage *b) { return a->id < b->id; });
  storages.erase(std::unique(storages.begin(), storages.end()), storages.end());
}

using Memo = DenseMap<const Node *, Atom>;
using Leaf = function_ref<std::optional<Atom>(const Node *)>;

//===----------------------------------------------------------------------===//
// The compiler
//===----------------------------------------------------------------------===//

/// Helpers the phases share (defined with the phase that uses them first).
/// Calls `f` with every tuple of the product of `sets` (one class each).
void forEachTuple(ArrayRef<const std::vector<int> *> sets, function_ref<void(ArrayRef<int>)> f);
/// The number of tuples of the product of `sets`, or kMaxTuples + 1 when it
/// is larger.
size_t productSize(ArrayRef<const std::vector<int> *> sets);
/// The smallest gap between the distinct numbers of `numbers` (0: one
/// number), and their range.
std::pair<double, double> gapAndRange(std::vector<double> numbers);
/// Attention runs in even slots (2l for layer l), MLPs in odd ones.
int nextSlot(int after, bool attention);

class Compiler {
public:
  explicit Compiler(const CompileOptions &options) : options(options) {
    pos.maxLen = options.maxLen;
  }

  Expected<Transformer> run(const Node &output);

private:
  SOpInfo &info(const Node *node) { return *infos[node->getId()]; }
  unsigned maxLen() const { return options.maxLen; }

  // Phases.
  void collect(const Node &output);
  Error inferValues();
  Error inferTokens(const TokensNode &node);
  Error inferMap(const Node &node);
  Error inferAggregate(const AggregateNode &node);
  Error inferWidth(const Node &node);
  Expected<const Selector *> selectorOf(const Node &selectorNode, const Node &user);
  /// Per ((n, i), key): whether `formula` selects. Exact per part when the
  /// formula is a conjunction of parts, else atom by atom.
  std::vector<Tri> selection(const Selector &selector, const Formula &formula) const;
  Tri partVerdict(const Selector &selector, const Part &part, unsigned n, unsigned query,
                  unsigned key) const;
  Error planHeads();
  /// The tuple of `components` (made once), for a selector of `user`.
  Expected<int> tupleOf(ArrayRef<const Node *> components, const Node &user);
  std::vector<Part> factor(const Selector &selector, const Formula &formula, Grouping grouping,
                           bool &isProduct) const;
  Error decideNeeds();
  Error decideStorage();
  size_t fusedTuples(const Node &node);
  bool splitLargeMlps();
  bool chooseCuts(const Node &node, int before);
  /// The slot in which `storage` would be written, placing heads and MLPs
  /// as early as their inputs allow (as `schedule` will).
  int readySlot(Storage *storage);
  /// readySlot of every storage in graph order, so that each finds the
  /// estimates of its inputs made and the recursion stays shallow however
  /// long the program.
  void estimateSlots();
  int headSlot(const HeadPlan &plan);
  int mlpSlot(const Node &node);
  Error buildUnits();
  Error buildHead(HeadPlan &plan);
  /// An MLP storing `node` (or, from its numeric storage, a one-hot copy).
  Error buildNodeMlp(const Node &node, Storage &out, bool fromNumericCopy);
  std::optional<MlpInputs> tupleInputs(const TupleVar &tuple);
  Error buildTupleMlp(TupleVar &tuple, const Node &user);
  /// An MLP writing `out` from `inputs`, whose tuples of classes
  /// `evaluateTuple` maps to a value of `out`; errors name `errorNode`.
  Error buildMlp(const Node &errorNode, std::string name, Storage &out, const MlpInputs &inputs,
                 function_ref<Expected<Atom>(ArrayRef<int>)> evaluateTuple);
  void schedule();
  void compress();
  void allocate();
  Transformer buildTransformer();

  // Evaluation and readouts.
  Expected<Atom> evaluate(const Node *node, Leaf leaf, Memo &memo) const;
  /// The value of `node` when `binding` gives the class of each storage.
  Expected<Atom> evaluateStored(const Node *node, const DenseMap<Storage *, int> &binding) const;
  std::vector<Storage *> linearBase(const Node &node);
  std::vector<Storage *> expandedBase(const Node &node);
  bool catLinear(const Node &node) const;
  std::optional<Lin> numericReadout(const Node &node);
  /// The number of a virtual s-op as a sum of terms, one per storage it
  /// reads; nullopt when it is not such a sum.
  std::optional<Lin> additiveReadout(const Node &node);
  std::vector<Lin> categoricalReadout(const Node &node);
  std::optional<Lin> squareReadout(const Node &node);
  /// A bound on the rounding of 2qk - k² - q² for one key and one query
  /// s-op, from the rounding of the step MLPs their readouts read.
  double quadraticRounding(const Node &keys, const Node &queries);
  /// Whether `part` compares two integer s-ops for equality and nothing else.
  bool isIntegerEquality(const Selector &selector, const Part &part) const;
  std::optional<Atom> positionalValue(const Node *node, unsigned index) const;
  Storage *newStorage(Storage::Kind kind, std::string name, const Node *node);
  Expected<Storage *> storageForNode(const Node &node, Storage::Kind kind, std::string name);
  bool realizableTuples(ArrayRef<const PosSets *> inputs,
                        std::vector<std::vector<int>> &tuples) const;
  std::optional<MlpInputs> mlpInputs(const Node &node, bool fromNumericCopy);

  CompileOptions options;
  Positions pos;
  /// Bytes of tables taken so far, against kMaxAnalysisBytes.
  size_t analysisBytes = 0;
  /// Takes `bytes` more for `node`, or fails when that passes the budget.
  Error reserve(const Node &node, size_t bytes, const char *what);
  const Node *output = nullptr;
  std::vector<const Node *> nodes;
  std::vector<std::unique_ptr<SOpInfo>> infos;
  DenseMap<const Node *, std::unique_ptr<Selector>> selectors;
  /// Tokens nodes: the converted value of each raw vocabulary class.
  DenseMap<const Node *, std::vector<Atom>> tokenValues;
  const Node *indicesNode = nullptr;

  /// Maps stored only to keep fused MLPs small.
  DenseSet<const Node *> cuts;
  /// The node whose MLP lost too much float precision, to cut and retry.
  const Node *imprecise = nullptr;
  DenseMap<Storage *, int> slotEstimates;
  bool slotsEstimated = false;

  std::vector<HeadPlan> plans;
  std::vector<std::unique_ptr<TupleVar>> tuples;
  /// Selector widths: their plans (by index into `plans`).
  DenseMap<const Node *, std::vector<size_t>> widthTerms;
  /// Aggregates: their plan.
  DenseMap<const Node *, size_t> aggregatePlans;

  std::vector<std::unique_ptr<Storage>> storages;
  std::vector<std::unique_ptr<Unit>> units;
  Storage *rawTokens = nullptr;
  bool needPad = false;
  /// The unembedding: one row per output class, or the output number.
  std::vector<Lin> readout;
  /// What each residual dimension holds.
  std::vector<std::string> dimNames;
};

} // namespace icl::rasp::detail

#endif // ICL_FRONTENDS_RASP_COMPILER_COMPILERIMPL_H
