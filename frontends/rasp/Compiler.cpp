//===- Compiler.cpp - RASP programs to transformer weights ----------------===//
//
// The phases of Compiler.h, in order: value sets (inferValues), selectors as
// formulas and their per-position verdicts (Selector, selection), head plans
// (planHeads), storage decisions (decideNeeds, decideStorage), the units
// that write storages (buildUnits: heads, MLPs), scheduling and residual
// allocation (schedule, allocate), and the weights (buildTransformer).
//
//===----------------------------------------------------------------------===//

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

using namespace llvm;

namespace icl::rasp {

namespace {

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

std::string formatLoc(const SourceRef &ref) {
  return ref.file + ":" + std::to_string(ref.line) + ":" + std::to_string(ref.col);
}

/// "file:line:col: error: cannot compile 'text': why (reached from ...)".
Error nodeError(const Node &node, const Twine &why) {
  const Origin &origin = node.getOrigin();
  std::string message =
      formatLoc(origin.expr) + ": error: cannot compile '" + origin.expr.text + "': " + why.str();
  if (!origin.callSites.empty())
    message += " (reached from " + formatLoc(origin.callSites.front()) + ")";
  return createStringError(inconvertibleErrorCode(), message);
}

/// The variable name of a node, else its expression, for reports.
std::string describe(const Node &node) {
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

void sortUnique(std::vector<int> &classes) {
  llvm::sort(classes);
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
}

//===----------------------------------------------------------------------===//
// Selector formulas
//===----------------------------------------------------------------------===//

/// Three-valued truth: whether a query selects a key for every input that
/// reaches the position, for none, or it depends.
enum Tri : int8_t { kNo = 0, kYes = 1, kMaybe = 2 };

Tri triAnd(Tri a, Tri b) {
  if (a == kNo || b == kNo)
    return kNo;
  return a == kYes && b == kYes ? kYes : kMaybe;
}
Tri triOr(Tri a, Tri b) {
  if (a == kYes || b == kYes)
    return kYes;
  return a == kNo && b == kNo ? kNo : kMaybe;
}
Tri triNot(Tri a) { return a == kMaybe ? kMaybe : (a == kYes ? kNo : kYes); }

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
std::optional<std::vector<Clause>> toDnf(const Formula &f, bool negate, size_t cap) {
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
Formula conjunctionOf(const Clause &clause) {
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

Lin indicatorOf(Storage &storage, int cls) {
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
Lin weightedIndicators(Storage &storage, function_ref<double(int)> coef) {
  Lin lin;
  for (int cls = 0; cls < static_cast<int>(storage.values.size()); ++cls) {
    double c = coef(cls);
    if (c != 0)
      lin.add(indicatorOf(storage, cls), c);
  }
  return lin;
}

Lin numberOf(Storage &storage) {
  if (storage.kind == Storage::Kind::Categorical)
    return weightedIndicators(storage, [&](int cls) { return storage.number(cls); });
  Lin lin = Lin::ofNotbos(storage.offset);
  lin.terms.push_back({&storage, 0, 1});
  return lin;
}

/// The square of the number, where it is linear.
std::optional<Lin> squareOf(Storage &storage) {
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

void sortStorages(std::vector<Storage *> &storages) {
  llvm::sort(storages, [](const Storage *a, const Storage *b) { return a->id < b->id; });
  storages.erase(std::unique(storages.begin(), storages.end()), storages.end());
}

using Memo = DenseMap<const Node *, Atom>;
using Leaf = function_ref<std::optional<Atom>(const Node *)>;

//===----------------------------------------------------------------------===//
// The compiler
//===----------------------------------------------------------------------===//

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

  std::vector<HeadPlan> plans;
  std::vector<std::unique_ptr<TupleVar>> tuples;
  /// Selector widths: their plans (by index into `plans`).
  DenseMap<const Node *, std::vector<size_t>> widthTerms;

  std::vector<std::unique_ptr<Storage>> storages;
  std::vector<std::unique_ptr<Unit>> units;
  Storage *rawTokens = nullptr;
  bool needPad = false;
  /// The unembedding: one row per output class, or the output number.
  std::vector<Lin> readout;
  /// What each residual dimension holds.
  std::vector<std::string> dimNames;
};

//===----------------------------------------------------------------------===//
// Graph and value sets
//===----------------------------------------------------------------------===//

void Compiler::collect(const Node &root) {
  output = &root;
  DenseSet<const Node *> seen;
  std::vector<const Node *> stack = {&root};
  unsigned maxId = 0;
  while (!stack.empty()) {
    const Node *node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second)
      continue;
    nodes.push_back(node);
    maxId = std::max(maxId, node->getId());
    llvm::append_range(stack, node->getOperands());
  }
  llvm::sort(nodes, [](const Node *a, const Node *b) { return a->getId() < b->getId(); });
  infos.resize(maxId + 1);
  for (const Node *node : nodes)
    if (!node->isSelector())
      infos[node->getId()] = std::make_unique<SOpInfo>();
}

Expected<Atom> Compiler::evaluate(const Node *node, Leaf leaf, Memo &memo) const {
  if (auto it = memo.find(node); it != memo.end())
    return it->second;
  if (std::optional<Atom> value = leaf(node)) {
    memo.try_emplace(node, *value);
    return *value;
  }
  if (const auto *constant = dyn_cast<ConstantNode>(node))
    return constant->getValue();
  const auto *map = dyn_cast<MapNode>(node);
  if (!map)
    return createStringError(inconvertibleErrorCode(), "the value of '" + describe(*node) +
                                                           "' is not bound");
  std::vector<Atom> args;
  for (const Node *operand : map->getOperands()) {
    Expected<Atom> value = evaluate(operand, leaf, memo);
    if (!value)
      return value.takeError();
    args.push_back(std::move(*value));
  }
  Expected<Atom> result = map->getFunction()(args);
  if (result)
    memo.try_emplace(node, *result);
  return result;
}

Error Compiler::inferValues() {
  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    SOpInfo &self = info(node);
    self.at.resize(pos.count());
    Error err = Error::success();
    switch (node->getKind()) {
    case Node::Kind::Tokens:
      err = inferTokens(*cast<TokensNode>(node));
      break;
    case Node::Kind::Indices:
      indicesNode = node;
      self.positional = true;
      pos.forEach([&](unsigned, unsigned i, size_t p) {
        self.at[p] = {self.values.insert(Atom::integer(i))};
      });
      break;
    case Node::Kind::Constant: {
      self.positional = true;
      int cls = self.values.insert(cast<ConstantNode>(node)->getValue());
      for (std::vector<int> &classes : self.at)
        classes = {cls};
      break;
    }
    case Node::Kind::Map:
    case Node::Kind::SequenceMap:
      err = inferMap(*node);
      break;
    case Node::Kind::Aggregate:
      err = inferAggregate(*cast<AggregateNode>(node));
      break;
    case Node::Kind::SelectorWidth:
      err = inferWidth(*node);
      break;
    default:
      llvm_unreachable("selectors have no values");
    }
    if (err)
      return err;
    if (self.values.size() > kMaxValues)
      return nodeError(*node, "it can take more than " + Twine(kMaxValues) +
                                  " different values; use a smaller --max-len or vocabulary");
  }
  return Error::success();
}

Error Compiler::inferTokens(const TokensNode &node) {
  SOpInfo &self = info(&node);
  std::vector<Atom> &converted = tokenValues[&node];
  std::vector<int> all;
  for (const Atom &raw : options.vocab) {
    // The interpreter's own conversion, on a one-token input.
    Expected<Sequence> value = rasp::evaluate(node, {raw});
    if (!value) {
      consumeError(value.takeError());
      static const char *const kinds[] = {"a string", "an int", "a number", "an int"};
      return createStringError(inconvertibleErrorCode(),
                               "error: the vocabulary token " + formatAtom(raw) + " is not " +
                                   kinds[static_cast<int>(node.getType())] +
                                   ", but the program reads " + node.getOrigin().expr.text);
    }
    converted.push_back(value->front());
    all.push_back(self.values.insert(value->front()));
  }
  sortUnique(all);
  for (std::vector<int> &classes : self.at)
    classes = all;
  return Error::success();
}

/// Calls `f` with every tuple of the product of `sets` (one class each).
void forEachTuple(ArrayRef<const std::vector<int> *> sets,
                  function_ref<void(ArrayRef<int>)> f) {
  if (llvm::any_of(sets, [](const std::vector<int> *set) { return set->empty(); }))
    return;
  SmallVector<int, 8> tuple(sets.size());
  SmallVector<size_t, 8> digit(sets.size(), 0);
  while (true) {
    for (size_t j = 0; j < sets.size(); ++j)
      tuple[j] = (*sets[j])[digit[j]];
    f(tuple);
    size_t j = 0;
    for (; j < sets.size(); ++j) {
      if (++digit[j] < sets[j]->size())
        break;
      digit[j] = 0;
    }
    if (j == sets.size())
      return;
  }
}

size_t productSize(ArrayRef<const std::vector<int> *> sets) {
  size_t product = 1;
  for (const std::vector<int> *set : sets) {
    product *= std::max<size_t>(set->size(), 1);
    if (product > kMaxTuples)
      return kMaxTuples + 1;
  }
  return product;
}

Error Compiler::inferMap(const Node &node) {
  SOpInfo &self = info(&node);
  // Roots: the non-elementwise s-ops the map depends on. Enumerating their
  // values keeps correlations between operands that share a root.
  std::set<const Node *> roots;
  bool positional = true;
  for (const Node *operand : node.getOperands()) {
    const SOpInfo &in = info(operand);
    positional &= in.positional;
    if (isa<MapNode>(operand))
      roots.insert(in.roots.begin(), in.roots.end());
    else if (!isa<ConstantNode>(operand))
      roots.insert(operand);
  }
  self.roots.assign(roots.begin(), roots.end());
  llvm::sort(self.roots, [](const Node *a, const Node *b) { return a->getId() < b->getId(); });
  for (const Node *root : self.roots)
    if (info(root).unbounded)
      return nodeError(node, "it maps '" + describe(*root) +
                                 "', whose values (averages) are too many to list");

  // Where the roots take too many combinations, the operands' own values
  // (inferred already, each from its roots) combine instead.
  std::vector<const Node *> operands;
  for (const Node *operand : node.getOperands())
    if (!isa<ConstantNode>(operand))
      operands.push_back(operand);
  std::map<std::pair<bool, std::vector<int>>, std::optional<int>> cache;
  std::vector<const std::vector<int> *> sets;
  for (size_t p = 0; p < pos.count(); ++p) {
    bool byRoots = true;
    ArrayRef<const Node *> leaves = self.roots;
    for (bool roots : {true, false}) {
      byRoots = roots;
      leaves = roots ? ArrayRef<const Node *>(self.roots) : ArrayRef<const Node *>(operands);
      sets.clear();
      for (const Node *leaf : leaves)
        sets.push_back(&info(leaf).at[p]);
      if (productSize(sets) <= kMaxTuples)
        break;
      if (!roots)
        return nodeError(node, "its inputs take too many combinations of values to list");
    }
    std::vector<int> &result = self.at[p];
    forEachTuple(sets, [&](ArrayRef<int> tuple) {
      auto [it, inserted] = cache.try_emplace({byRoots, tuple.vec()});
      if (inserted) {
        Memo memo;
        Expected<Atom> value = evaluate(
            &node,
            [&](const Node *n) -> std::optional<Atom> {
              auto leaf = llvm::find(leaves, n);
              if (leaf == leaves.end())
                return std::nullopt;
              return info(n).values[tuple[leaf - leaves.begin()]];
            },
            memo);
        // A combination the map fails on never occurs in a run that
        // succeeds.
        if (value)
          it->second = self.values.insert(*value);
        else
          consumeError(value.takeError());
      }
      if (it->second)
        result.push_back(*it->second);
    });
    sortUnique(result);
  }
  // A positional s-op holds one value per index, whatever the length.
  self.positional = positional && llvm::all_of(self.at, [](const std::vector<int> &classes) {
                      return classes.size() == 1;
                    });
  return Error::success();
}

Expected<const Selector *> Compiler::selectorOf(const Node &selectorNode, const Node &user) {
  auto [it, inserted] = selectors.try_emplace(&selectorNode);
  if (!inserted)
    return it->second.get();
  auto selector = std::make_unique<Selector>();
  DenseMap<const Node *, unsigned> atomIndex;
  std::function<Expected<Formula>(const Node *)> build =
      [&](const Node *node) -> Expected<Formula> {
    switch (node->getKind()) {
    case Node::Kind::Select: {
      const auto *select = cast<SelectNode>(node);
      const Node *keys = select->getKeys(), *queries = select->getQueries();
      bool keyConst = isa<ConstantNode>(keys), queryConst = isa<ConstantNode>(queries);
      if (keyConst && queryConst) {
        std::optional<bool> result =
            compareAtoms(select->getComparison(), cast<ConstantNode>(keys)->getValue(),
                         cast<ConstantNode>(queries)->getValue());
        if (!result)
          return nodeError(*node, "it compares atoms of different kinds");
        return Formula::constant(*result);
      }
      auto [slot, fresh] = atomIndex.try_emplace(node, selector->atoms.size());
      if (fresh) {
        SelectAtom atom;
        atom.node = select;
        atom.keyVar = keyConst ? nullptr : keys;
        atom.queryVar = queryConst ? nullptr : queries;
        const SOpInfo &k = info(keys), &q = info(queries);
        if (k.unbounded || q.unbounded)
          return nodeError(*node, "it compares averages too many to list");
        atom.queryClasses = q.values.size();
        atom.table.resize(k.values.size() * q.values.size());
        for (size_t kc = 0; kc < k.values.size(); ++kc)
          for (size_t qc = 0; qc < q.values.size(); ++qc) {
            std::optional<bool> result =
                compareAtoms(select->getComparison(), k.values[kc], q.values[qc]);
            atom.table[kc * atom.queryClasses + qc] = result ? int8_t(*result) : int8_t(-1);
          }
        selector->atoms.push_back(std::move(atom));
        if (selector->atoms.size() > kMaxAtoms)
          return nodeError(user, "its selector has more than " + Twine(kMaxAtoms) +
                                     " comparisons");
      }
      return Formula::ofAtom(slot->second);
    }
    case Node::Kind::SelectorNot: {
      Expected<Formula> operand = build(node->getOperands()[0]);
      if (!operand)
        return operand.takeError();
      return Formula::of(Formula::Kind::Not, {std::move(*operand)});
    }
    default: {
      Expected<Formula> lhs = build(node->getOperands()[0]);
      if (!lhs)
        return lhs.takeError();
      Expected<Formula> rhs = build(node->getOperands()[1]);
      if (!rhs)
        return rhs.takeError();
      return Formula::of(node->getKind() == Node::Kind::SelectorAnd ? Formula::Kind::And
                                                                    : Formula::Kind::Or,
                         {std::move(*lhs), std::move(*rhs)});
    }
    }
  };
  Expected<Formula> formula = build(&selectorNode);
  if (!formula) {
    selectors.erase(&selectorNode);
    return formula.takeError();
  }
  selector->formula = std::move(*formula);

  // Each atom's verdict at every (n, i, k).
  for (SelectAtom &atom : selector->atoms) {
    const Node *keys = atom.node->getKeys(), *queries = atom.node->getQueries();
    const SOpInfo &k = info(keys), &q = info(queries);
    Comparison op = atom.node->getComparison();
    bool reflexive = op == Comparison::Eq || op == Comparison::Le || op == Comparison::Ge;
    atom.verdict.assign(pos.count() * maxLen(), kNo);
    pos.forEach([&](unsigned n, unsigned i, size_t p) {
      for (unsigned key = 0; key < n; ++key) {
        Tri &verdict = atom.verdict[p * maxLen() + key];
        // An s-op compared with itself at one position.
        if (keys == queries && key == i && atom.keyVar) {
          verdict = reflexive ? kYes : kNo;
          continue;
        }
        bool anyTrue = false, anyFalse = false;
        for (int kc : k.at[pos.index(n, key)])
          for (int qc : q.at[p]) {
            int8_t result = atom.compare(kc, qc);
            anyTrue |= result == 1;
            anyFalse |= result == 0;
          }
        verdict = anyTrue ? (anyFalse ? kMaybe : kYes) : kNo;
      }
    });
  }
  it = selectors.find(&selectorNode);
  it->second = std::move(selector);
  return it->second.get();
}

Tri Compiler::partVerdict(const Selector &selector, const Part &part, unsigned n,
                          unsigned query, unsigned key) const {
  size_t queryPos = pos.index(n, query), keyPos = pos.index(n, key);
  std::vector<const std::vector<int> *> sets;
  for (const Node *var : part.keyVars)
    sets.push_back(&infos[var->getId()]->at[keyPos]);
  for (const Node *var : part.queryVars)
    sets.push_back(&infos[var->getId()]->at[queryPos]);
  size_t keys = part.keyVars.size();
  bool anyTrue = false, anyFalse = false;
  forEachTuple(sets, [&](ArrayRef<int> classes) {
    // An s-op compared with itself at one position holds one value.
    if (key == query)
      for (size_t k = 0; k < keys; ++k)
        for (size_t q = 0; q < part.queryVars.size(); ++q)
          if (part.keyVars[k] == part.queryVars[q] && classes[k] != classes[keys + q])
            return;
    auto classOf = [&](ArrayRef<const Node *> vars, size_t offset) {
      return [&, vars, offset](const Node *var) {
        auto it = llvm::find(vars, var);
        return it == vars.end() ? 0 : classes[offset + (it - vars.begin())];
      };
    };
    bool holds = part.holds(selector, classOf(part.keyVars, 0), classOf(part.queryVars, keys));
    (holds ? anyTrue : anyFalse) = true;
  });
  return anyTrue ? (anyFalse ? kMaybe : kYes) : kNo;
}

std::vector<Tri> Compiler::selection(const Selector &selector, const Formula &formula) const {
  std::vector<Tri> result(pos.count() * maxLen(), kNo);
  bool isProduct = false;
  std::vector<Part> parts;
  for (Grouping grouping : {Grouping::Pairs, Grouping::Joint, Grouping::All})
    if (!isProduct)
      parts = factor(selector, formula, grouping, isProduct);
  // Enumerating a part's values jointly is exact but costs their product.
  for (const Part &part : parts) {
    size_t combinations = 1;
    for (const auto *vars : {&part.keyVars, &part.queryVars})
      for (const Node *var : *vars)
        combinations *= std::max<size_t>(1, infos[var->getId()]->values.size());
    isProduct &= combinations <= kMaxTuples;
  }
  std::vector<Tri> atoms(selector.atoms.size());
  pos.forEach([&](unsigned n, unsigned i, size_t p) {
    for (unsigned key = 0; key < n; ++key) {
      size_t at = p * maxLen() + key;
      if (isProduct) {
        Tri verdict = kYes;
        for (const Part &part : parts)
          if ((verdict = triAnd(verdict, partVerdict(selector, part, n, i, key))) == kNo)
            break;
        result[at] = verdict;
        continue;
      }
      for (size_t j = 0; j < atoms.size(); ++j)
        atoms[j] = selector.atoms[j].verdict[at];
      result[at] = formula.eval3(atoms);
    }
  });
  return result;
}

Error Compiler::inferAggregate(const AggregateNode &node) {
  SOpInfo &self = info(&node);
  Expected<const Selector *> selector = selectorOf(*node.getSelector(), node);
  if (!selector)
    return selector.takeError();
  std::vector<Tri> verdict = selection(**selector, (*selector)->formula);
  const SOpInfo &src = info(node.getSOp());
  int defaultClass = -1;
  auto defaultOnce = [&] {
    if (defaultClass < 0)
      defaultClass = self.values.insert(node.getDefault());
    return defaultClass;
  };
  bool srcNumbers = src.unbounded || src.values.allNumbers();
  bool anyMean = false;
  std::map<std::vector<int>, std::vector<std::set<int64_t>>> sumsets;
  size_t work = 0;
  for (unsigned n = 1; n <= maxLen() && !self.unbounded; ++n) {
    for (unsigned i = 0; i < n && !self.unbounded; ++i) {
      size_t p = pos.index(n, i);
      std::vector<unsigned> sure, maybe;
      std::vector<int> gathered;
      for (unsigned key = 0; key < n; ++key) {
        Tri t = verdict[p * maxLen() + key];
        if (t == kNo)
          continue;
        (t == kYes ? sure : maybe).push_back(key);
        const std::vector<int> &values = src.at[pos.index(n, key)];
        gathered.insert(gathered.end(), values.begin(), values.end());
      }
      sortUnique(gathered);
      std::vector<int> &result = self.at[p];
      if (sure.empty())
        result.push_back(defaultOnce());
      bool several = sure.size() + maybe.size() >= 2;
      bool agree = gathered.size() <= 1 && !src.unbounded;
      if (!several || agree || !srcNumbers) {
        // One value copied (a mean of equal values is that value).
        if (several && !agree && !srcNumbers &&
            llvm::any_of(gathered, [&](int cls) { return src.values[cls].isNumber(); }))
          return nodeError(node, "it may average several values of which some are numbers "
                                 "and some are not");
        for (int cls : gathered)
          result.push_back(self.values.insert(src.values[cls]));
        sortUnique(result);
        continue;
      }
      self.canCopy = false;
      anyMean = true;
      if (src.unbounded) {
        self.unbounded = true;
        break;
      }
      // A single selected key gives its value unchanged.
      if (sure.size() <= 1)
        for (unsigned key : sure.empty() ? maybe : sure)
          for (int cls : src.at[pos.index(n, key)])
            result.push_back(self.values.insert(src.values[cls]));
      // Keys that all hold the same integers: the sums of c of them are the
      // c-fold sumset of those integers, exact in any order.
      bool sameIntegers = llvm::all_of(gathered, [&](int cls) {
        double x = src.values[cls].toDouble();
        return x == std::round(x) && std::abs(x) < 0x1p52;
      });
      for (unsigned key = 0; key < n && sameIntegers; ++key)
        if (verdict[p * maxLen() + key] != kNo)
          sameIntegers = src.at[pos.index(n, key)] == gathered;
      if (sameIntegers) {
        std::vector<std::set<int64_t>> &sums = sumsets[gathered];
        if (sums.empty())
          sums.push_back({0});
        size_t most = sure.size() + maybe.size();
        while (sums.size() <= most && !self.unbounded) {
          std::set<int64_t> next;
          for (int64_t sum : sums.back())
            for (int cls : gathered)
              next.insert(sum + int64_t(src.values[cls].toDouble()));
          self.unbounded = next.size() > kMaxMeanStates;
          sums.push_back(std::move(next));
        }
        for (size_t count = std::max<size_t>(2, sure.size()); count <= most && !self.unbounded;
             ++count)
          for (int64_t sum : sums[count])
            result.push_back(self.values.insert(Atom::real(double(sum) / count)));
      } else {
        // Sums of two or more selected values, added in key order as the
        // interpreter adds them, so the means are bit-identical.
        std::set<std::pair<unsigned, double>> states = {{0, 0.0}};
        for (unsigned key = 0; key < n && !self.unbounded; ++key) {
          Tri t = verdict[p * maxLen() + key];
          if (t == kNo)
            continue;
          std::set<std::pair<unsigned, double>> next;
          if (t == kMaybe)
            next = states;
          for (auto [count, sum] : states)
            for (int cls : src.at[pos.index(n, key)])
              next.insert({count + 1, sum + src.values[cls].toDouble()});
          states = std::move(next);
          work += states.size();
          self.unbounded = states.size() > kMaxMeanStates || work > kMaxMeanWork;
        }
        for (auto [count, sum] : states)
          if (count >= 2 && !self.unbounded)
            result.push_back(self.values.insert(Atom::real(sum / count)));
      }
      if (self.unbounded)
        break;
      sortUnique(result);
    }
  }
  if (self.unbounded) {
    self.values = ValueList();
    for (std::vector<int> &classes : self.at)
      classes.clear();
  }
  self.categorical = !srcNumbers || !self.values.allNumbers();
  if (anyMean && self.categorical)
    return nodeError(node, "it may average several values, but its values are not all numbers");
  return Error::success();
}

Error Compiler::inferWidth(const Node &node) {
  SOpInfo &self = info(&node);
  Expected<const Selector *> selector = selectorOf(*node.getOperands()[0], node);
  if (!selector)
    return selector.takeError();
  std::vector<Tri> verdict = selection(**selector, (*selector)->formula);
  pos.forEach([&](unsigned n, unsigned, size_t p) {
    unsigned sure = 0, maybe = 0;
    for (unsigned key = 0; key < n; ++key) {
      sure += verdict[p * maxLen() + key] == kYes;
      maybe += verdict[p * maxLen() + key] == kMaybe;
    }
    for (unsigned w = sure; w <= sure + maybe; ++w)
      self.at[p].push_back(self.values.insert(Atom::integer(w)));
    sortUnique(self.at[p]);
  });
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Heads
//===----------------------------------------------------------------------===//

std::vector<Part> Compiler::factor(const Selector &selector, const Formula &formula,
                                   Grouping grouping, bool &isProduct) const {
  std::set<unsigned> used;
  formula.collectAtoms(used);
  std::vector<Part> parts;
  auto isPositional = [&](const Node *var) { return !var || infos[var->getId()]->positional; };
  auto addTo = [&](Part &part, const SelectAtom &a, unsigned atom) {
    part.atoms.push_back(atom);
    if (a.keyVar && !llvm::is_contained(part.keyVars, a.keyVar))
      part.keyVars.push_back(a.keyVar);
    if (a.queryVar && !llvm::is_contained(part.queryVars, a.queryVar))
      part.queryVars.push_back(a.queryVar);
  };
  auto partWhere = [&](function_ref<bool(const Part &)> match, bool positional) -> Part & {
    auto it = llvm::find_if(parts, match);
    if (it != parts.end())
      return *it;
    parts.emplace_back();
    parts.back().positional = positional;
    return parts.back();
  };
  // Pairs first, so that comparisons with an atom join the pair that reads
  // the same s-op.
  for (bool pairs : {true, false}) {
    for (unsigned atom : used) {
      const SelectAtom &a = selector.atoms[atom];
      bool positional =
          grouping != Grouping::All && isPositional(a.keyVar) && isPositional(a.queryVar);
      if (positional || grouping != Grouping::Pairs) {
        if (pairs)
          addTo(partWhere([&](const Part &p) { return p.positional == positional; }, positional),
                a, atom);
        continue;
      }
      bool pair = a.keyVar && a.queryVar;
      if (pair != pairs)
        continue;
      auto sameSide = [](ArrayRef<const Node *> vars, const Node *var) {
        return var && vars.size() == 1 && vars[0] == var;
      };
      addTo(partWhere(
                [&](const Part &p) {
                  if (p.positional)
                    return false;
                  if (pair)
                    return sameSide(p.keyVars, a.keyVar) && sameSide(p.queryVars, a.queryVar);
                  return sameSide(p.keyVars, a.keyVar) || sameSide(p.queryVars, a.queryVar);
                },
                false),
            a, atom);
    }
  }
  // Atom numbers in `formula` become bits of one assignment.
  std::vector<unsigned> order(used.begin(), used.end());
  auto bitOf = [&](unsigned atom) { return llvm::find(order, atom) - order.begin(); };
  for (Part &part : parts)
    part.truth.assign(size_t(1) << part.atoms.size(), false);
  // Remap the formula's atoms to dense bits.
  std::function<Formula(const Formula &)> remap = [&](const Formula &f) {
    Formula g = f;
    if (f.kind == Formula::Kind::Atom)
      g.atom = static_cast<unsigned>(bitOf(f.atom));
    for (Formula &operand : g.operands)
      operand = remap(operand);
    return g;
  };
  Formula dense = remap(formula);
  auto project = [&](const Part &part, uint32_t bits) {
    uint32_t local = 0;
    for (auto [j, atom] : llvm::enumerate(part.atoms))
      local |= ((bits >> bitOf(atom)) & 1) << j;
    return local;
  };
  uint32_t assignments = uint32_t(1) << order.size();
  for (uint32_t bits = 0; bits < assignments; ++bits)
    if (dense.eval(bits))
      for (Part &part : parts)
        part.truth[project(part, bits)] = true;
  isProduct = true;
  for (uint32_t bits = 0; bits < assignments && isProduct; ++bits) {
    bool product = true;
    for (const Part &part : parts)
      product &= part.truth[project(part, bits)];
    isProduct = product == dense.eval(bits);
  }
  return parts;
}

Expected<int> Compiler::tupleOf(ArrayRef<const Node *> components, const Node &user) {
  for (size_t t = 0; t < tuples.size(); ++t)
    if (ArrayRef<const Node *>(tuples[t]->components) == components)
      return static_cast<int>(t);
  auto tuple = std::make_unique<TupleVar>();
  tuple->components = components.vec();
  tuple->at.resize(pos.count());
  std::string names;
  for (const Node *component : components) {
    names += (names.empty() ? "'" : ", '") + describe(*component) + "'";
    if (info(component).unbounded)
      return nodeError(user, "its selector compares " + names +
                                 "', whose values (averages) are too many to list");
  }
  std::vector<const std::vector<int> *> sets(components.size());
  for (size_t p = 0; p < pos.count(); ++p) {
    for (size_t j = 0; j < components.size(); ++j)
      sets[j] = &info(components[j]).at[p];
    if (productSize(sets) > kMaxTuples)
      return nodeError(user, "its selector compares " + names +
                                 " jointly, which take too many combinations of values");
    forEachTuple(sets, [&](ArrayRef<int> classes) {
      auto [it, inserted] = tuple->index.try_emplace(classes.vec(), tuple->classes.size());
      if (inserted)
        tuple->classes.push_back(classes.vec());
      tuple->at[p].push_back(it->second);
    });
    sortUnique(tuple->at[p]);
  }
  if (tuple->classes.size() > kMaxClasses)
    return nodeError(user, "its selector compares " + names + " jointly, which take " +
                               Twine(tuple->classes.size()) +
                               " combinations of values, more than " + Twine(kMaxClasses) +
                               " one-hot dimensions");
  tuples.push_back(std::move(tuple));
  return static_cast<int>(tuples.size() - 1);
}

Error Compiler::planHeads() {
  for (const Node *node : nodes) {
    bool width = node->getKind() == Node::Kind::SelectorWidth;
    if (node->getKind() != Node::Kind::Aggregate && !width)
      continue;
    Expected<const Selector *> selector = selectorOf(*node->getOperands()[0], *node);
    if (!selector)
      return selector.takeError();
    auto addPlan = [&](Formula formula, int sign, Grouping grouping) -> Error {
      HeadPlan plan{node, *selector, std::move(formula), {}, {}, width, sign};
      plan.verdict = selection(**selector, plan.formula);
      // A head that selects nothing scores every key below BOS.
      plan.never = llvm::all_of(plan.verdict, [](Tri t) { return t == kNo; });
      if (!plan.never) {
        bool isProduct;
        plan.parts = factor(**selector, plan.formula, grouping, isProduct);
        assert(isProduct && "a head plan is a product of its parts");
        (void)isProduct;
      }
      for (Part &part : plan.parts) {
        plan.scoredParts += !part.positional;
        part.quadratic = isIntegerEquality(**selector, part);
        for (auto [vars, tuple] : {std::pair(&part.keyVars, &part.keyTuple),
                                   std::pair(&part.queryVars, &part.queryTuple)}) {
          if (part.positional || vars->size() < 2)
            continue;
          Expected<int> index = tupleOf(*vars, *node);
          if (!index)
            return index.takeError();
          *tuple = *index;
        }
      }
      if (width)
        widthTerms[node].push_back(plans.size());
      plans.push_back(std::move(plan));
      return Error::success();
    };
    const Formula &formula = (*selector)->formula;
    bool pairs;
    factor(**selector, formula, Grouping::Pairs, pairs);
    if (pairs) {
      if (Error err = addPlan(formula, 1, Grouping::Pairs))
        return err;
      continue;
    }
    // Inclusion-exclusion: the width of a union of clauses is the signed
    // sum of the widths of their intersections, each a conjunction (one
    // head each, all in one layer).
    std::optional<std::vector<Clause>> clauses =
        width ? toDnf(formula, false, kMaxWidthClauses) : std::nullopt;
    if (clauses) {
      std::map<std::set<Literal>, int> terms;
      for (unsigned subset = 1; subset < (1u << clauses->size()); ++subset) {
        std::set<Literal> literals;
        for (unsigned c = 0; c < clauses->size(); ++c)
          if ((subset >> c) & 1)
            literals.insert((*clauses)[c].begin(), (*clauses)[c].end());
        bool contradictory = llvm::any_of(literals, [&](const Literal &l) {
          return literals.count({l.first, !l.second});
        });
        if (!contradictory)
          terms[literals] += llvm::popcount(subset) % 2 ? 1 : -1;
      }
      for (auto &[literals, sign] : terms) {
        if (sign == 0)
          continue;
        Formula term = conjunctionOf(Clause(literals.begin(), literals.end()));
        std::vector<Tri> verdict = selection(**selector, term);
        if (llvm::all_of(verdict, [](Tri t) { return t == kNo; }))
          continue;
        if (Error err = addPlan(std::move(term), sign, Grouping::Pairs))
          return err;
      }
      // Terms that select nothing were dropped; a width of nothing is still
      // one head (which reads BOS alone).
      if (widthTerms[node].empty())
        if (Error err = addPlan(Formula::constant(false), 1, Grouping::Pairs))
          return err;
      continue;
    }
    // One head scoring a table over tuples of the compared s-ops, stored
    // one-hot by an MLP first.
    bool joint;
    factor(**selector, formula, Grouping::Joint, joint);
    if (Error err = addPlan(formula, 1, joint ? Grouping::Joint : Grouping::All))
      return err;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Storage decisions
//===----------------------------------------------------------------------===//

Storage *Compiler::newStorage(Storage::Kind kind, std::string name, const Node *node) {
  storages.push_back(std::make_unique<Storage>());
  Storage &storage = *storages.back();
  storage.kind = kind;
  storage.name = std::move(name);
  storage.node = node;
  storage.id = static_cast<unsigned>(storages.size() - 1);
  return &storage;
}

Expected<Storage *> Compiler::storageForNode(const Node &node, Storage::Kind kind,
                                             std::string name) {
  const SOpInfo &self = info(&node);
  if (kind == Storage::Kind::Categorical && self.values.size() > kMaxClasses)
    return nodeError(node, "it is read as categories (one dimension each) but can take " +
                               Twine(self.values.size()) + " different values, more than " +
                               Twine(kMaxClasses) + "; use a smaller --max-len or vocabulary");
  Storage *storage = newStorage(kind, std::move(name), &node);
  storage->values = self.values;
  storage->at = self.at;
  storage->unbounded = self.unbounded;
  return storage;
}

std::optional<Atom> Compiler::positionalValue(const Node *node, unsigned index) const {
  Memo memo;
  Expected<Atom> value = evaluate(
      node,
      [&](const Node *n) -> std::optional<Atom> {
        if (n->getKind() == Node::Kind::Indices)
          return Atom::integer(index);
        return std::nullopt;
      },
      memo);
  if (!value) {
    consumeError(value.takeError());
    return std::nullopt;
  }
  return *value;
}

Error Compiler::decideNeeds() {
  // Selector parts read their s-ops' indicators (a tuple reads them in the
  // MLP that stores it).
  for (const HeadPlan &plan : plans)
    for (const Part &part : plan.parts)
      if (!part.positional)
        for (const auto *vars : {&part.keyVars, &part.queryVars})
          if (vars->size() == 1) {
            SOpInfo &var = info(vars->front());
            if (part.quadratic)
              var.needNum = var.needSquare = true;
            else
              var.needCat = true;
          }
  SOpInfo &out = info(output);
  (out.unbounded || out.values.allNumbers() ? out.needNum : out.needCat) = true;

  // Later readers first, so an aggregate knows how its values are read
  // before it decides how to average them.
  for (const Node *node : llvm::reverse(nodes)) {
    const auto *aggregate = dyn_cast<AggregateNode>(node);
    if (!aggregate)
      continue;
    SOpInfo &self = info(node);
    if (!self.categorical && self.canCopy) {
      // A copy is worth its dimensions when readers need indicators of it or
      // of a map of it alone: then they read them linearly, no MLP.
      bool wanted = self.needCat || self.needSquare;
      for (const Node *user : nodes) {
        const SOpInfo *u = user->isSelector() ? nullptr : &info(user);
        if (!u || !isa<MapNode>(user) || u->roots.size() != 1 || u->roots[0] != node)
          continue;
        wanted |= u->needCat || u->needSquare;
      }
      self.categorical = wanted;
    }
    const Node *src = aggregate->getSOp();
    if (!isa<ConstantNode>(src))
      (self.categorical ? info(src).needCat : info(src).needNum) = true;
  }
  return Error::success();
}

std::vector<Storage *> Compiler::linearBase(const Node &node) {
  std::vector<Storage *> base;
  for (const Node *operand : node.getOperands()) {
    SOpInfo &in = info(operand);
    if (in.catCopy || in.own)
      base.push_back(in.catCopy ? in.catCopy : in.own);
    else
      base.insert(base.end(), in.base.begin(), in.base.end());
  }
  sortStorages(base);
  return base;
}

std::vector<Storage *> Compiler::expandedBase(const Node &node) {
  std::vector<Storage *> base;
  std::function<void(const Node *)> visit = [&](const Node *n) {
    SOpInfo &in = info(n);
    bool elementwise = isa<MapNode>(n) || n->getKind() == Node::Kind::SelectorWidth;
    if (elementwise && n != &node && cuts.contains(n)) {
      base.push_back(in.own);
      return;
    }
    switch (n->getKind()) {
    case Node::Kind::Map:
    case Node::Kind::SequenceMap:
      for (const Node *operand : n->getOperands())
        visit(operand);
      return;
    case Node::Kind::SelectorWidth:
      for (size_t plan : widthTerms[n])
        base.push_back(plans[plan].raw);
      return;
    case Node::Kind::Constant:
      return;
    default:
      base.insert(base.end(), in.base.begin(), in.base.end());
      if (in.own)
        base.push_back(in.own);
    }
  };
  visit(&node);
  sortStorages(base);
  return base;
}

Expected<Atom> Compiler::evaluateStored(const Node *node,
                                        const DenseMap<Storage *, int> &binding) const {
  Memo memo;
  return evaluate(
      node,
      [&](const Node *n) -> std::optional<Atom> {
        const SOpInfo &in = *infos[n->getId()];
        for (Storage *storage : {in.own, in.catCopy})
          if (storage)
            if (auto it = binding.find(storage); it != binding.end())
              return storage->values[it->second];
        if (n->getKind() == Node::Kind::Tokens) {
          auto it = binding.find(rawTokens);
          if (it == binding.end())
            return std::nullopt;
          return tokenValues.find(n)->second[it->second];
        }
        if (n->getKind() == Node::Kind::SelectorWidth) {
          int64_t width = 0;
          for (size_t index : widthTerms.find(n)->second) {
            const HeadPlan &plan = plans[index];
            auto it = binding.find(plan.raw);
            if (it == binding.end())
              return std::nullopt;
            width += plan.sign * plan.raw->widths[it->second];
          }
          return Atom::integer(width);
        }
        return std::nullopt;
      },
      memo);
}

bool Compiler::catLinear(const Node &node) const {
  const SOpInfo &self = *infos[node.getId()];
  if (self.catCopy || self.own)
    return self.catCopy || self.own->kind == Storage::Kind::Categorical;
  return self.base.empty() ||
         (self.base.size() == 1 && self.base[0]->kind == Storage::Kind::Categorical);
}

std::optional<Lin> Compiler::numericReadout(const Node &node) {
  SOpInfo &self = info(&node);
  if (self.own)
    return numberOf(*self.own);
  if (self.catCopy)
    return numberOf(*self.catCopy);
  return additiveReadout(node);
}

std::optional<Lin> Compiler::additiveReadout(const Node &node) {
  SOpInfo &self = info(&node);
  if (!self.values.allNumbers() || self.unbounded)
    return std::nullopt;
  // node = c + Σ_j g_j(base_j) over the whole product of base classes.
  ArrayRef<Storage *> base = self.base;
  std::vector<std::vector<int>> all(base.size());
  std::vector<const std::vector<int> *> sets;
  for (size_t j = 0; j < base.size(); ++j) {
    if (base[j]->unbounded)
      return std::nullopt;
    for (int cls = 0; cls < static_cast<int>(base[j]->values.size()); ++cls)
      all[j].push_back(cls);
    sets.push_back(&all[j]);
  }
  if (productSize(sets) > kMaxTuples)
    return std::nullopt;
  auto valueAt = [&](ArrayRef<int> tuple) -> std::optional<double> {
    DenseMap<Storage *, int> binding;
    for (size_t j = 0; j < base.size(); ++j)
      binding[base[j]] = tuple[j];
    Expected<Atom> value = evaluateStored(&node, binding);
    if (!value) {
      consumeError(value.takeError());
      return std::nullopt;
    }
    if (!value->isNumber())
      return std::nullopt;
    return value->toDouble();
  };
  std::vector<int> origin(base.size(), 0);
  std::optional<double> constant = valueAt(origin);
  if (!constant)
    return std::nullopt;
  std::vector<std::vector<double>> parts(base.size());
  for (size_t j = 0; j < base.size(); ++j) {
    for (int cls : all[j]) {
      std::vector<int> tuple = origin;
      tuple[j] = cls;
      std::optional<double> value = valueAt(tuple);
      if (!value)
        return std::nullopt;
      parts[j].push_back(*value - *constant);
    }
  }
  bool additive = true;
  forEachTuple(sets, [&](ArrayRef<int> tuple) {
    if (!additive)
      return;
    std::optional<double> value = valueAt(tuple);
    double sum = *constant;
    for (size_t j = 0; j < base.size(); ++j)
      sum += parts[j][tuple[j]];
    additive = value && std::abs(*value - sum) <= kSamePoint * (1 + std::abs(*value));
  });
  if (!additive)
    return std::nullopt;
  Lin lin = Lin::ofNotbos(*constant);
  for (size_t j = 0; j < base.size(); ++j) {
    Storage &storage = *base[j];
    if (storage.kind == Storage::Kind::Categorical) {
      lin.add(weightedIndicators(storage, [&](int cls) { return parts[j][cls]; }));
      continue;
    }
    // A numeric input must enter affinely: g(x) = a·x + b.
    size_t classes = storage.values.size();
    double slope = 0;
    for (size_t cls = 1; cls < classes; ++cls)
      if (storage.number(cls) != storage.number(0)) {
        slope = (parts[j][cls] - parts[j][0]) / (storage.number(cls) - storage.number(0));
        break;
      }
    double intercept = classes ? parts[j][0] - slope * storage.number(0) : 0;
    for (size_t cls = 0; cls < classes; ++cls) {
      double y = parts[j][cls];
      if (std::abs(slope * storage.number(cls) + intercept - y) > kSamePoint * (1 + std::abs(y)))
        return std::nullopt;
    }
    lin.add(numberOf(storage), slope);
    lin.notbos += intercept;
  }
  return lin;
}

/// The rounding of `lin` from the step MLPs that wrote what it reads.
double roundingOf(const Lin &lin) {
  double rounding = 0;
  for (const Lin::Term &term : lin.terms)
    if (term.storage->producer)
      rounding += std::abs(term.coef) * term.storage->producer->stepError;
  return rounding;
}

double Compiler::quadraticRounding(const Node &keys, const Node &queries) {
  auto largest = [&](const Node &node) {
    double m = 0;
    for (const Atom &value : info(&node).values.all())
      m = std::max(m, std::abs(value.toDouble()));
    return m;
  };
  return 2 * largest(queries) * roundingOf(*numericReadout(keys)) +
         2 * largest(keys) * roundingOf(*numericReadout(queries)) +
         roundingOf(*squareReadout(keys)) + roundingOf(*squareReadout(queries));
}

bool Compiler::isIntegerEquality(const Selector &selector, const Part &part) const {
  if (part.positional || part.keyVars.size() != 1 || part.queryVars.size() != 1)
    return false;
  const SOpInfo &keys = *infos[part.keyVars[0]->getId()];
  const SOpInfo &queries = *infos[part.queryVars[0]->getId()];
  auto integers = [](const SOpInfo &in) {
    return !in.unbounded && llvm::all_of(in.values.all(), [](const Atom &value) {
      double x = value.isNumber() ? value.toDouble() : 0.5;
      return x == std::round(x) && std::abs(x) <= kMaxSquareCompared;
    });
  };
  if (!integers(keys) || !integers(queries))
    return false;
  for (int k = 0; k < static_cast<int>(keys.values.size()); ++k)
    for (int q = 0; q < static_cast<int>(queries.values.size()); ++q) {
      bool holds = part.holds(
          selector, [&](const Node *var) { return var == part.keyVars[0] ? k : 0; },
          [&](const Node *var) { return var == part.queryVars[0] ? q : 0; });
      if (holds != (keys.values[k].toDouble() == queries.values[q].toDouble()))
        return false;
    }
  return true;
}

std::optional<Lin> Compiler::squareReadout(const Node &node) {
  SOpInfo &self = info(&node);
  for (Storage *storage : {self.catCopy, self.own})
    if (storage)
      if (std::optional<Lin> square = squareOf(*storage))
        return square;
  if (self.own || !self.values.allNumbers() || self.unbounded || self.base.size() > 1)
    return std::nullopt;
  auto valueAt = [&](Storage *base, int cls) -> std::optional<double> {
    DenseMap<Storage *, int> binding;
    if (base)
      binding[base] = cls;
    Expected<Atom> value = evaluateStored(&node, binding);
    if (!value) {
      consumeError(value.takeError());
      return std::nullopt;
    }
    return value->toDouble();
  };
  if (self.base.empty()) {
    std::optional<double> value = valueAt(nullptr, 0);
    return value ? std::optional<Lin>(Lin::ofNotbos(*value * *value)) : std::nullopt;
  }
  Storage &base = *self.base[0];
  if (base.kind == Storage::Kind::Categorical)
    return weightedIndicators(base, [&](int cls) {
      std::optional<double> value = valueAt(&base, cls);
      return value ? *value * *value : 0.0;
    });
  // node = a·x + b of a number x stored with its square:
  // node² = a²·x² + 2ab·x + b².
  std::optional<Lin> baseSquare = squareOf(base);
  if (!baseSquare || base.values.size() == 0)
    return std::nullopt;
  std::optional<double> first = valueAt(&base, 0);
  if (!first)
    return std::nullopt;
  double a = 0;
  for (int cls = 1; cls < static_cast<int>(base.values.size()); ++cls)
    if (base.number(cls) != base.number(0)) {
      std::optional<double> value = valueAt(&base, cls);
      if (!value)
        return std::nullopt;
      a = (*value - *first) / (base.number(cls) - base.number(0));
      break;
    }
  double b = *first - a * base.number(0);
  for (int cls = 0; cls < static_cast<int>(base.values.size()); ++cls) {
    std::optional<double> value = valueAt(&base, cls);
    if (!value || std::abs(a * base.number(cls) + b - *value) > kSamePoint * (1 + std::abs(*value)))
      return std::nullopt;
  }
  Lin lin;
  lin.add(*baseSquare, a * a);
  lin.add(numberOf(base), 2 * a * b);
  lin.notbos += b * b;
  return lin;
}

std::vector<Lin> Compiler::categoricalReadout(const Node &node) {
  SOpInfo &self = info(&node);
  std::vector<Lin> result(self.values.size());
  Storage *stored = self.catCopy ? self.catCopy
                                 : (self.own && self.own->kind == Storage::Kind::Categorical
                                        ? self.own
                                        : nullptr);
  if (stored) {
    for (int cls = 0; cls < static_cast<int>(result.size()); ++cls)
      result[cls] = indicatorOf(*stored, cls);
    return result;
  }
  assert(catLinear(node) && "indicators are read only where they are linear");
  if (self.base.empty()) {
    Expected<Atom> value = evaluateStored(&node, DenseMap<Storage *, int>());
    if (value) {
      int cls = self.values.find(*value);
      if (cls >= 0)
        result[cls] = Lin::ofNotbos(1);
    } else {
      consumeError(value.takeError());
    }
    return result;
  }
  Storage &base = *self.base[0];
  for (int cls = 0; cls < static_cast<int>(base.values.size()); ++cls) {
    Expected<Atom> value = evaluateStored(&node, {{&base, cls}});
    if (!value) {
      consumeError(value.takeError());
      continue;
    }
    int target = self.values.find(*value);
    if (target >= 0)
      result[target].add(indicatorOf(base, cls));
  }
  return result;
}

Error Compiler::decideStorage() {
  slotEstimates.clear();
  storages.clear();
  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    SOpInfo &self = info(node);
    self.own = self.catCopy = nullptr;
    self.base.clear();
  }
  rawTokens = newStorage(Storage::Kind::Categorical, "tokens", nullptr);
  for (const Atom &token : options.vocab)
    rawTokens->values.insert(token);
  std::vector<int> all(rawTokens->values.size());
  for (size_t c = 0; c < all.size(); ++c)
    all[c] = static_cast<int>(c);
  rawTokens->at.assign(pos.count(), all);

  for (HeadPlan &plan : plans) {
    if (!plan.width)
      continue;
    // The head reads w/(w+1); its classes are the widths it can see.
    Storage *raw =
        newStorage(Storage::Kind::Numeric, "width(" + describe(*plan.origin) + ")", nullptr);
    raw->at.resize(pos.count());
    pos.forEach([&](unsigned n, unsigned, size_t p) {
      unsigned sure = 0, maybe = 0;
      for (unsigned key = 0; key < n; ++key) {
        sure += plan.verdict[p * maxLen() + key] == kYes;
        maybe += plan.verdict[p * maxLen() + key] == kMaybe;
      }
      for (unsigned w = sure; w <= sure + maybe; ++w) {
        int cls = raw->values.insert(Atom::real(double(w) / (w + 1)));
        if (static_cast<size_t>(cls) == raw->widths.size())
          raw->widths.push_back(w);
        raw->at[p].push_back(cls);
      }
      sortUnique(raw->at[p]);
    });
    plan.raw = raw;
    raw->plan = static_cast<int>(&plan - plans.data());
  }

  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    SOpInfo &self = info(node);
    auto store = [&](Storage *&slot, Storage::Kind kind, std::string name) -> Error {
      Expected<Storage *> storage = storageForNode(*node, kind, std::move(name));
      if (!storage)
        return storage.takeError();
      slot = *storage;
      return Error::success();
    };
    // An MLP stores a map one-hot where it is read as categories, or where
    // it is an intermediate with few values; else as a number (with its
    // square where equality tests read it, when that is narrower).
    auto storeComputed = [&]() -> Error {
      bool oneHot = self.needCat ||
                    (self.needSquare ? self.values.size() <= 3
                                     : !self.needNum && (!self.values.allNumbers() ||
                                                         self.values.size() <= kMaxCutClasses));
      if (Error err = store(self.own, oneHot ? Storage::Kind::Categorical
                                             : Storage::Kind::Numeric,
                            describe(*node)))
        return err;
      self.own->square = !oneHot && self.needSquare;
      return Error::success();
    };
    Error err = Error::success();
    switch (node->getKind()) {
    case Node::Kind::Tokens:
      self.base = {rawTokens};
      break;
    case Node::Kind::Indices:
      err = store(self.own, Storage::Kind::Categorical, "indices");
      break;
    case Node::Kind::Constant:
      break;
    case Node::Kind::Aggregate:
      if ((err = store(self.own,
                       self.categorical ? Storage::Kind::Categorical : Storage::Kind::Numeric,
                       describe(*node))))
        break;
      // Nothing selected reads BOS, whose residual is zero: the default is
      // the class without a dimension.
      self.own->implicit =
          std::max(0, self.values.find(cast<AggregateNode>(node)->getDefault()));
      if (!self.categorical && (self.needCat || self.needSquare)) {
        if (self.unbounded)
          return nodeError(*node, "its values are read as categories (by a select( or a "
                                  "lookup) but are averages too many to list");
        err = store(self.catCopy, Storage::Kind::Categorical, describe(*node));
      }
      break;
    case Node::Kind::SelectorWidth:
      for (size_t plan : widthTerms[node])
        self.base.push_back(plans[plan].raw);
      // Decoding w/(w+1) is not linear.
      if (self.needCat || self.needNum || self.needSquare || cuts.contains(node))
        err = storeComputed();
      break;
    default: {
      self.base = linearBase(*node);
      bool linear = (!self.needCat || catLinear(*node)) &&
                    (!self.needNum || numericReadout(*node).has_value()) &&
                    (!self.needSquare || squareReadout(*node).has_value());
      if (!linear || cuts.contains(node)) {
        if (self.unbounded)
          return nodeError(*node, "its values are averages too many to list");
        err = storeComputed();
      }
      break;
    }
    }
    if (err)
      return err;
  }
  for (auto [index, tuple] : llvm::enumerate(tuples)) {
    std::string name = "(";
    for (const Node *component : tuple->components)
      name += (name.size() > 1 ? ", " : "") + describe(*component);
    tuple->storage = newStorage(Storage::Kind::Categorical, name + ")", nullptr);
    tuple->storage->tuple = static_cast<int>(index);
    tuple->storage->at = tuple->at;
    for (const std::vector<int> &classes : tuple->classes) {
      std::string label = "(";
      for (auto [component, cls] : llvm::zip(tuple->components, classes))
        label += (label.size() > 1 ? ", " : "") + formatAtom(info(component).values[cls]);
      tuple->storage->values.insert(Atom::string(label + ")"));
    }
  }
  return Error::success();
}

/// The smallest gap between the distinct numbers of `numbers` (0: one
/// number), and their range.
std::pair<double, double> gapAndRange(std::vector<double> numbers) {
  llvm::sort(numbers);
  double gap = 0;
  for (size_t c = 1; c < numbers.size(); ++c) {
    double d = numbers[c] - numbers[c - 1];
    if (d > kSamePoint * (1 + std::abs(numbers[c])) && (gap == 0 || d < gap))
      gap = d;
  }
  return {gap, numbers.empty() ? 0 : numbers.back() - numbers.front()};
}

size_t Compiler::fusedTuples(const Node &node) {
  std::optional<MlpInputs> inputs = mlpInputs(node, /*fromNumericCopy=*/false);
  if (!inputs)
    return std::numeric_limits<size_t>::max();
  // Numeric inputs are steps along one number numbering their tuples apart:
  // its span, Π (range / gap + 1) over the inputs, must stay well inside
  // float precision.
  std::vector<const ValueList *> numeric;
  if (inputs->linear)
    numeric.push_back(&info(inputs->linear).values);
  for (Storage *storage : inputs->storages)
    if (storage->kind == Storage::Kind::Numeric)
      numeric.push_back(&storage->values);
  double span = 1;
  for (Storage *storage : inputs->storages)
    if (storage->kind == Storage::Kind::Categorical)
      span *= storage->values.size();
  for (const ValueList *values : numeric) {
    std::vector<double> numbers;
    for (const Atom &value : values->all())
      numbers.push_back(value.toDouble());
    auto [gap, range] = gapAndRange(std::move(numbers));
    span *= gap == 0 ? 1 : range / gap + 1;
  }
  if (!numeric.empty() && span > kMaxSpan)
    return std::numeric_limits<size_t>::max();
  return inputs->tuples.size();
}

/// Attention runs in even slots (2l for layer l), MLPs in odd ones.
int nextSlot(int after, bool attention) {
  int slot = after + 1;
  return (slot % 2 == 0) == attention ? slot : slot + 1;
}

int Compiler::headSlot(const HeadPlan &plan) {
  int ready = -1;
  auto readsOf = [&](const Node *node) {
    SOpInfo &in = info(node);
    for (Storage *storage : {in.own, in.catCopy})
      if (storage)
        ready = std::max(ready, readySlot(storage));
    for (Storage *storage : in.base)
      ready = std::max(ready, readySlot(storage));
  };
  for (const Part &part : plan.parts) {
    if (part.positional)
      continue;
    for (auto [vars, tuple] : {std::pair(&part.keyVars, part.keyTuple),
                               std::pair(&part.queryVars, part.queryTuple)}) {
      if (tuple >= 0)
        ready = std::max(ready, readySlot(tuples[tuple]->storage));
      else if (vars->size() == 1)
        readsOf(vars->front());
    }
  }
  if (const auto *aggregate = dyn_cast<AggregateNode>(plan.origin))
    readsOf(aggregate->getSOp());
  return nextSlot(ready, /*attention=*/true);
}

int Compiler::mlpSlot(const Node &node) {
  int ready = -1;
  for (Storage *storage : expandedBase(node))
    ready = std::max(ready, readySlot(storage));
  return nextSlot(ready, /*attention=*/false);
}

int Compiler::readySlot(Storage *storage) {
  if (auto it = slotEstimates.find(storage); it != slotEstimates.end())
    return it->second;
  int slot = -1;
  if (storage->plan >= 0) {
    slot = headSlot(plans[storage->plan]);
  } else if (storage->tuple >= 0) {
    int ready = -1;
    if (std::optional<MlpInputs> inputs = tupleInputs(*tuples[storage->tuple]))
      for (Storage *input : inputs->storages)
        ready = std::max(ready, readySlot(input));
    slot = nextSlot(ready, /*attention=*/false);
  } else if (const Node *node = storage->node) {
    SOpInfo &in = info(node);
    if (storage == in.catCopy)
      slot = nextSlot(readySlot(in.own), /*attention=*/false);
    else if (isa<AggregateNode>(node))
      slot = headSlot(*llvm::find_if(plans, [&](const HeadPlan &p) { return p.origin == node; }));
    else if (node->getKind() != Node::Kind::Indices)
      slot = mlpSlot(*node);
  }
  slotEstimates[storage] = slot;
  return slot;
}

/// Stores operands of `node` (or of its operands, recursively) whose own
/// MLP is small and runs before slot `before`, so that `node` reads them
/// instead of their inputs.
bool Compiler::chooseCuts(const Node &node, int before) {
  bool changed = false;
  for (const Node *operand : node.getOperands()) {
    if ((!isa<MapNode>(operand) && operand->getKind() != Node::Kind::SelectorWidth) ||
        cuts.contains(operand))
      continue;
    if (fusedTuples(*operand) > kFusedTuples) {
      changed |= chooseCuts(*operand, before);
      continue;
    }
    // A map of one categorical s-op adds no inputs when fused; stored, a
    // map of numbers is discretized once, into its own values.
    std::vector<Storage *> base = expandedBase(*operand);
    bool numeric = llvm::any_of(
        base, [](Storage *storage) { return storage->kind == Storage::Kind::Numeric; });
    if ((base.size() >= 2 || numeric) && mlpSlot(*operand) < before) {
      cuts.insert(operand);
      changed = true;
    }
  }
  return changed;
}

bool Compiler::splitLargeMlps() {
  for (const Node *node : llvm::reverse(nodes)) {
    if (node->isSelector() || !info(node).own ||
        (!isa<MapNode>(node) && node->getKind() != Node::Kind::SelectorWidth) ||
        fusedTuples(*node) <= kFusedTuples)
      continue;
    // Cuts that cost no layer first; else any, a layer deeper.
    if (chooseCuts(*node, mlpSlot(*node)) ||
        chooseCuts(*node, std::numeric_limits<int>::max()))
      return true;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Units: heads and MLPs
//===----------------------------------------------------------------------===//

Error Compiler::buildHead(HeadPlan &plan) {
  units.push_back(std::make_unique<Unit>());
  Unit &unit = *units.back();
  unit.attention = true;
  const Node &origin = *plan.origin;
  unit.name = (plan.width ? "width " : "") + describe(origin);
  if (plan.width && widthTerms[&origin].size() > 1)
    unit.name += formatv(" (term {0}{1})", plan.sign > 0 ? "+" : "-",
                         llvm::find(widthTerms[&origin], &plan - plans.data()) -
                             widthTerms[&origin].begin());
  const Selector &selector = *plan.selector;

  // Future keys: a causal model must not need them; a head that never
  // selects them is masked causally, which also hides PAD keys.
  unit.futureFree = true;
  std::string example;
  pos.forEach([&](unsigned n, unsigned i, size_t p) {
    for (unsigned key = i + 1; key < n && unit.futureFree; ++key)
      if (plan.verdict[p * maxLen() + key] != kNo) {
        unit.futureFree = false;
        example = formatv("query {0} may select key {1} for inputs of length {2}", i, key, n);
      }
  });
  if (options.causal && !unit.futureFree)
    return nodeError(origin, "its selector may select a key after the query position (" + example +
                                 "), which a causal model cannot see");
  needPad |= !unit.futureFree;

  // Score rows: one per query class of each part (or per key class when
  // there are fewer), plus the row that shifts every real key.
  double shift = plan.never   ? -1.0
                 : plan.width ? -double(plan.scoredParts)
                              : -(double(plan.scoredParts) - 0.5);
  for (const Part &part : plan.parts) {
    if (part.positional) {
      unit.positional.assign(size_t(maxLen()) * maxLen(), false);
      for (unsigned i = 0; i < maxLen(); ++i)
        for (unsigned k = 0; k < maxLen(); ++k) {
          auto classAt = [&](unsigned index) {
            return [&, index](const Node *n) -> int {
              std::optional<Atom> value = positionalValue(n, index);
              return value ? info(n).values.find(*value) : -1;
            };
          };
          bool valid = true;
          for (unsigned atom : part.atoms) {
            const SelectAtom &a = selector.atoms[atom];
            valid &= classAt(k)(a.node->getKeys()) >= 0 && classAt(i)(a.node->getQueries()) >= 0;
          }
          unit.positional[i * maxLen() + k] =
              valid && part.holds(selector, classAt(k), classAt(i));
        }
      continue;
    }
    const Node *keyVar = part.keyVars.empty() ? nullptr : part.keyVars[0];
    const Node *queryVar = part.queryVars.empty() ? nullptr : part.queryVars[0];
    if (part.quadratic && quadraticRounding(*keyVar, *queryVar) > kPartError) {
      // Squares multiply the rounding of values computed by steps; the
      // indicators of a one-hot value do not.
      if (!catLinear(*keyVar) || !catLinear(*queryVar))
        return nodeError(origin, "its selector compares '" + describe(*keyVar) + "' and '" +
                                     describe(*queryVar) +
                                     "' through their squares, more coarsely than float "
                                     "precision allows");
    } else if (part.quadratic) {
      // 1 - (q - k)² = 2qk + (1 - k²) - q²: 1 where equal, at most 0 else.
      const Node &keys = *keyVar, &queries = *queryVar;
      Lin q0, k1 = Lin::ofNotbos(1), q2, k2 = Lin::ofNotbos(1);
      q0.add(*numericReadout(queries), 2);
      k1.add(*squareReadout(keys), -1);
      q2.add(*squareReadout(queries), -1);
      unit.query.insert(unit.query.end(), {std::move(q0), Lin::ofNotbos(1), std::move(q2)});
      unit.key.insert(unit.key.end(), {*numericReadout(keys), std::move(k1), std::move(k2)});
      continue;
    }
    // Each side's indicators, and per class the classes of its s-ops.
    auto sideOf = [&](ArrayRef<const Node *> vars, int tuple,
                      std::vector<std::vector<int>> &classes) {
      std::vector<Lin> indicators;
      if (tuple >= 0) {
        const TupleVar &t = *tuples[tuple];
        for (int cls = 0; cls < static_cast<int>(t.classes.size()); ++cls)
          indicators.push_back(indicatorOf(*t.storage, cls));
        classes = t.classes;
      } else if (vars.empty()) {
        indicators = {Lin::ofNotbos(1)};
        classes = {{}};
      } else {
        indicators = categoricalReadout(*vars.front());
        for (int cls = 0; cls < static_cast<int>(indicators.size()); ++cls)
          classes.push_back({cls});
      }
      return indicators;
    };
    std::vector<std::vector<int>> keyClasses, queryClasses;
    std::vector<Lin> keyInd = sideOf(part.keyVars, part.keyTuple, keyClasses);
    std::vector<Lin> queryInd = sideOf(part.queryVars, part.queryTuple, queryClasses);
    auto holds = [&](int queryClass, int keyClass) {
      auto classOf = [](ArrayRef<const Node *> vars, ArrayRef<int> classes) {
        return [vars, classes](const Node *n) {
          auto it = llvm::find(vars, n);
          return it == vars.end() ? 0 : classes[it - vars.begin()];
        };
      };
      return part.holds(selector, classOf(part.keyVars, keyClasses[keyClass]),
                        classOf(part.queryVars, queryClasses[queryClass]));
    };
    bool byQuery = queryInd.size() <= keyInd.size();
    size_t rows = byQuery ? queryInd.size() : keyInd.size();
    size_t cols = byQuery ? keyInd.size() : queryInd.size();
    for (size_t r = 0; r < rows; ++r) {
      Lin q, k;
      for (size_t c = 0; c < cols; ++c) {
        int queryClass = static_cast<int>(byQuery ? r : c);
        int keyClass = static_cast<int>(byQuery ? c : r);
        if (!holds(queryClass, keyClass))
          continue;
        (byQuery ? k : q).add(byQuery ? keyInd[keyClass] : queryInd[queryClass]);
      }
      if ((byQuery ? k : q).isZero())
        continue;
      (byQuery ? q : k).add(byQuery ? queryInd[r] : keyInd[r]);
      unit.query.push_back(std::move(q));
      unit.key.push_back(std::move(k));
    }
  }
  Lin shiftKey = Lin::ofNotbos(shift);
  if (!unit.futureFree)
    shiftKey.pad = -kPadPenalty;
  unit.query.push_back(Lin::ofNotbos(1));
  unit.key.push_back(std::move(shiftKey));
  for (Lin &q : unit.query) {
    Lin scaled;
    scaled.add(q, kScoreScale);
    q = std::move(scaled);
  }

  // Values.
  if (plan.width) {
    unit.out = plan.raw;
    unit.value.push_back(Lin::ofNotbos(1));
    unit.valueComponents.push_back(0);
    return Error::success();
  }
  const auto &aggregate = cast<AggregateNode>(origin);
  SOpInfo &self = info(&origin);
  Storage &out = *self.own;
  unit.out = &out;
  const Node *src = aggregate.getSOp();
  if (out.kind == Storage::Kind::Numeric) {
    // Stored as the mean minus the default, so reading BOS gives the default.
    std::optional<Lin> number = numericReadout(*src);
    assert(number && "the values of a numeric aggregate are read linearly");
    double fallback = aggregate.getDefault().isNumber() ? aggregate.getDefault().toDouble() : 0;
    out.offset = fallback;
    number->notbos -= fallback;
    unit.value.push_back(std::move(*number));
    unit.valueComponents.push_back(0);
    return Error::success();
  }
  std::vector<Lin> indicators = categoricalReadout(*src);
  const SOpInfo &in = info(src);
  for (int cls = 0; cls < static_cast<int>(out.values.size()); ++cls) {
    int component = out.component(cls);
    int srcClass = in.values.find(out.values[cls]);
    if (component < 0 || srcClass < 0 || indicators[srcClass].isZero())
      continue;
    unit.value.push_back(indicators[srcClass]);
    unit.valueComponents.push_back(static_cast<unsigned>(component));
  }
  return Error::success();
}

bool Compiler::realizableTuples(ArrayRef<const PosSets *> inputs,
                                std::vector<std::vector<int>> &tuples) const {
  std::set<std::vector<int>> seen;
  std::vector<const std::vector<int> *> sets(inputs.size());
  for (size_t p = 0; p < pos.count(); ++p) {
    for (size_t j = 0; j < inputs.size(); ++j)
      sets[j] = &(*inputs[j])[p];
    if (productSize(sets) > kMaxTuples)
      return false;
    forEachTuple(sets, [&](ArrayRef<int> tuple) { seen.insert(tuple.vec()); });
    if (seen.size() > kMaxTuples)
      return false;
  }
  tuples.assign(seen.begin(), seen.end());
  return true;
}

std::optional<MlpInputs> Compiler::mlpInputs(const Node &node, bool fromNumericCopy) {
  auto atOf = [](ArrayRef<Storage *> storages) {
    std::vector<const PosSets *> sets;
    for (Storage *storage : storages)
      sets.push_back(&storage->at);
    return sets;
  };
  // The stored s-ops the node is computed from, through every map in
  // between (one MLP for the chain), unless that takes too many tuples.
  MlpInputs inputs;
  inputs.storages =
      fromNumericCopy ? std::vector<Storage *>{info(&node).own} : expandedBase(node);
  if (!realizableTuples(atOf(inputs.storages), inputs.tuples)) {
    inputs.storages = linearBase(node);
    if (!realizableTuples(atOf(inputs.storages), inputs.tuples))
      return std::nullopt;
  }
  if (fromNumericCopy)
    return inputs;
  // A number the node is a function of, read linearly from several
  // storages, has fewer values than their tuples.
  for (const Node *candidate = &node;;) {
    SOpInfo &in = info(candidate);
    if (in.base.size() >= 2 && in.values.size() < inputs.tuples.size() &&
        additiveReadout(*candidate)) {
      MlpInputs linear;
      linear.linear = candidate;
      if (realizableTuples({&in.at}, linear.tuples))
        return linear;
    }
    const Node *next = nullptr;
    for (const Node *operand : candidate->getOperands())
      if (!isa<ConstantNode>(operand))
        next = next ? nullptr : operand;
    if (!isa<MapNode>(candidate) || !next || !isa<MapNode>(next) || info(next).own)
      break;
    candidate = next;
  }
  return inputs;
}

Error Compiler::buildNodeMlp(const Node &node, Storage &out, bool fromNumericCopy) {
  std::optional<MlpInputs> inputs = mlpInputs(node, fromNumericCopy);
  if (!inputs)
    return nodeError(node, "its inputs take too many combinations of values for an MLP");
  return buildMlp(node, describe(node), out, *inputs, [&](ArrayRef<int> tuple) -> Expected<Atom> {
    if (inputs->linear) {
      Memo memo;
      return evaluate(
          &node,
          [&](const Node *n) -> std::optional<Atom> {
            if (n == inputs->linear)
              return info(n).values[tuple[0]];
            return std::nullopt;
          },
          memo);
    }
    DenseMap<Storage *, int> binding;
    for (size_t j = 0; j < tuple.size(); ++j)
      binding[inputs->storages[j]] = tuple[j];
    return evaluateStored(&node, binding);
  });
}

std::optional<MlpInputs> Compiler::tupleInputs(const TupleVar &tuple) {
  MlpInputs inputs;
  for (const Node *component : tuple.components)
    llvm::append_range(inputs.storages, expandedBase(*component));
  sortStorages(inputs.storages);
  std::vector<const PosSets *> sets;
  for (Storage *storage : inputs.storages)
    sets.push_back(&storage->at);
  if (!realizableTuples(sets, inputs.tuples))
    return std::nullopt;
  return inputs;
}

Error Compiler::buildTupleMlp(TupleVar &tuple, const Node &user) {
  std::optional<MlpInputs> inputs = tupleInputs(tuple);
  if (!inputs)
    return nodeError(user, "the s-ops its selector compares take too many combinations of values "
                          "for an MLP");
  return buildMlp(user, tuple.storage->name, *tuple.storage, *inputs,
                  [&](ArrayRef<int> classes) -> Expected<Atom> {
                    DenseMap<Storage *, int> binding;
                    for (size_t j = 0; j < classes.size(); ++j)
                      binding[inputs->storages[j]] = classes[j];
                    std::vector<int> components;
                    for (const Node *component : tuple.components) {
                      Expected<Atom> value = evaluateStored(component, binding);
                      if (!value)
                        return value.takeError();
                      components.push_back(info(component).values.find(*value));
                    }
                    auto it = tuple.index.find(components);
                    if (it == tuple.index.end())
                      return createStringError(inconvertibleErrorCode(),
                                               "a combination that never occurs");
                    return tuple.storage->values[it->second];
                  });
}

Error Compiler::buildMlp(const Node &errorNode, std::string name, Storage &out,
                         const MlpInputs &inputs,
                         function_ref<Expected<Atom>(ArrayRef<int>)> evaluateTuple) {
  units.push_back(std::make_unique<Unit>());
  Unit &unit = *units.back();
  unit.name = std::move(name);
  unit.out = &out;
  out.producer = &unit;
  for (Storage *input : inputs.storages)
    if (input->unbounded)
      return nodeError(errorNode, "it reads averages too many to list");
  const std::vector<std::vector<int>> &tuples = inputs.tuples;
  // Digits of the inputs: one number per class, and its linear readout.
  struct Digit {
    const ValueList *values;
    bool categorical;
    Storage *storage;
    Lin number;
  };
  std::vector<Digit> digits;
  if (inputs.linear) {
    digits.push_back({&info(inputs.linear).values, false, nullptr,
                      *additiveReadout(*inputs.linear)});
  } else {
    for (Storage *storage : inputs.storages) {
      bool categorical = storage->kind == Storage::Kind::Categorical;
      digits.push_back({&storage->values, categorical, storage,
                        categorical ? weightedIndicators(*storage,
                                                         [&](int cls) { return double(cls); })
                                    : numberOf(*storage)});
    }
  }
  // The number of class `cls` of digit j: its index for a categorical
  // input (the readout `number` weighs indicators so), else its value.
  auto digitNumber = [&](size_t j, size_t cls) {
    return digits[j].categorical ? double(cls) : (*digits[j].values)[cls].toDouble();
  };

  // The output class (or number) of every tuple; -1: the tuple never
  // occurs in a successful run.
  bool numeric = out.kind == Storage::Kind::Numeric;
  std::vector<int> outClass(tuples.size(), -1);
  std::vector<double> outNumber(tuples.size(), 0);
  std::vector<size_t> counts(out.values.size(), 0);
  for (size_t t = 0; t < tuples.size(); ++t) {
    Expected<Atom> value = evaluateTuple(tuples[t]);
    if (!value) {
      consumeError(value.takeError());
      continue;
    }
    outClass[t] = out.values.find(*value);
    if (outClass[t] >= 0) {
      ++counts[outClass[t]];
      if (numeric)
        outNumber[t] = value->toDouble();
    }
  }
  if (!numeric)
    out.implicit = static_cast<int>(std::max_element(counts.begin(), counts.end()) -
                                    counts.begin());
  auto encode = [&](size_t t) {
    Write write;
    if (outClass[t] < 0)
      return write;
    if (numeric) {
      double y = outNumber[t];
      if (y - out.offset != 0)
        write.push_back({&out, 0, y - out.offset});
      if (out.square && y * y - out.offset * out.offset != 0)
        write.push_back({&out, 1, y * y - out.offset * out.offset});
      return write;
    }
    int component = out.component(outClass[t]);
    if (component >= 0)
      write.push_back({&out, static_cast<unsigned>(component), 1});
    return write;
  };
  auto sameWrite = [](const Write &a, const Write &b) {
    return a.size() == b.size() &&
           llvm::all_of(llvm::zip(a, b), [](auto pair) {
             const auto &[x, y] = pair;
             return x.storage == y.storage && x.component == y.component && x.coef == y.coef;
           });
  };

  // AND units: one per categorical input tuple with a non-zero output.
  bool allCategorical =
      llvm::all_of(digits, [](const Digit &digit) { return digit.categorical; });
  size_t andUnits = 0;
  for (size_t t = 0; t < tuples.size(); ++t)
    andUnits += !encode(t).empty();

  // Step units: a scalar z numbering the tuples apart (inputs as digits,
  // the smallest gap of each digit one unit above the span of the digits
  // below), a ReLU step between consecutive z where the output changes.
  // The order of the digits decides how often the output changes along z.
  std::vector<Write> writes;
  for (size_t t = 0; t < tuples.size(); ++t)
    writes.push_back(encode(t));
  struct StepPlan {
    std::vector<double> scale;
    /// (z, tuple) of each distinct point, ascending.
    std::vector<std::pair<double, size_t>> points;
    size_t units = 0;
    double span = 0;
    /// A bound on the float32 rounding error of the outputs at the points:
    /// every step below a point is active with pre-activations of size
    /// |z - t| / g, whose products with the step's output cancel.
    double error = 0;
  };
  auto planSteps = [&](ArrayRef<size_t> order) -> Expected<StepPlan> {
    StepPlan plan;
    plan.scale.assign(digits.size(), 1);
    for (size_t j : order) {
      std::vector<double> numbers;
      for (size_t cls = 0; cls < digits[j].values->size(); ++cls)
        numbers.push_back(digitNumber(j, cls));
      auto [gap, range] = gapAndRange(std::move(numbers));
      plan.scale[j] = gap == 0 ? 1 : (plan.span + 1) / gap;
      plan.span += plan.scale[j] * range;
    }
    std::vector<std::pair<double, size_t>> points;
    for (size_t t = 0; t < tuples.size(); ++t) {
      double z = 0;
      for (size_t j = 0; j < digits.size(); ++j)
        z += plan.scale[j] * digitNumber(j, tuples[t][j]);
      points.push_back({z, t});
    }
    llvm::sort(points);
    // Tuples at one point (numbers too close to tell apart) must agree.
    for (const auto &point : points) {
      if (!plan.points.empty() &&
          point.first - plan.points.back().first <= kSamePoint * (1 + std::abs(point.first))) {
        if (!sameWrite(writes[point.second], writes[plan.points.back().second]))
          return nodeError(errorNode, "two of its input values are too close to tell apart but give "
                                "different results");
        continue;
      }
      plan.points.push_back(point);
    }
    plan.units = writes[plan.points.front().second].empty() ? 0 : 1;
    // Σ over active steps of D·((z - t)/g + 1), D the step's largest
    // output, kept as running sums so the sweep is linear.
    double sumOverG = 0, sumTOverG = 0, sum = 0;
    for (size_t p = 1; p < plan.points.size(); ++p) {
      const Write &now = writes[plan.points[p].second], &before = writes[plan.points[p - 1].second];
      if (!sameWrite(now, before)) {
        plan.units += 2;
        double largest = 0;
        for (const Write *write : {&now, &before})
          for (const Lin::Term &term : *write)
            largest = std::max(largest, std::abs(term.coef));
        double mid = (plan.points[p].first + plan.points[p - 1].first) / 2;
        double half = (plan.points[p].first - plan.points[p - 1].first) / 2;
        sumOverG += 2 * largest / half;
        sumTOverG += 2 * largest * mid / half;
        sum += 2 * largest;
      }
      double z = plan.points[p].first;
      plan.error = std::max(plan.error, (z * sumOverG - sumTOverG + sum) * 0x1p-23);
    }
    return plan;
  };
  if (tuples.empty())
    return Error::success();
  std::vector<size_t> order(digits.size());
  std::iota(order.begin(), order.end(), 0);
  std::optional<StepPlan> best;
  do {
    Expected<StepPlan> plan = planSteps(order);
    if (!plan)
      return plan.takeError();
    if (!best || plan->units < best->units)
      best = std::move(*plan);
  } while (digits.size() <= 4 && std::next_permutation(order.begin(), order.end()));
  size_t stepUnits = best->units;
  bool steps = !allCategorical || andUnits > stepUnits;
  // What rounding the readers tolerate: indicators feed thresholds and
  // scores with margins of 1/2; numbers are decoded to 2% and squares
  // compared within a fraction of a score part.
  double largest = 0;
  for (size_t t = 0; t < tuples.size(); ++t)
    if (outClass[t] >= 0 && numeric)
      largest = std::max(largest, std::abs(outNumber[t]));
  // A number stored with its square enters equality scores as 2qk - k²:
  // its rounding grows with the numbers compared (those of the other side,
  // bounded here by its own with a factor 2 to spare).
  double tolerance = !numeric     ? kStepErrorOneHot
                     : out.square ? kPartError / (2 * (2 * largest + 1))
                                  : kStepErrorNumber * (1 + largest);
  if (steps && (best->span > kMaxSpan || best->error > tolerance)) {
    // Large outputs multiply the rounding; indicators do not.
    if (numeric && out.values.size() <= kMaxClasses) {
      std::string name = std::move(unit.name);
      units.pop_back();
      out.kind = Storage::Kind::Categorical;
      out.square = false;
      return buildMlp(errorNode, std::move(name), out, inputs, evaluateTuple);
    }
    imprecise = &errorNode;
    return nodeError(errorNode, "its numeric inputs need a finer discretization than float "
                                "precision allows");
  }
  unit.stepError = steps ? best->error : 0;

  if (!steps) {
    for (size_t t = 0; t < tuples.size(); ++t) {
      const Write &write = writes[t];
      if (write.empty())
        continue;
      Lin in = Lin::ofNotbos(-(double(digits.size()) - 1));
      for (size_t j = 0; j < digits.size(); ++j)
        in.add(indicatorOf(*digits[j].storage, tuples[t][j]));
      unit.hidden.push_back(std::move(in));
      unit.hiddenOut.push_back(write);
    }
  } else {
    Lin z;
    for (size_t j = 0; j < digits.size(); ++j)
      z.add(digits[j].number, best->scale[j]);
    const std::vector<std::pair<double, size_t>> &points = best->points;
    const Write &first = writes[points.front().second];
    if (!first.empty()) {
      unit.hidden.push_back(Lin::ofNotbos(1));
      unit.hiddenOut.push_back(first);
    }
    for (size_t p = 1; p < points.size(); ++p) {
      const Write &now = writes[points[p].second], &before = writes[points[p - 1].second];
      if (sameWrite(now, before))
        continue;
      // step = relu((z - t)/g + 1/2) - relu((z - t)/g - 1/2): 0 at the point
      // below, 1 at this one.
      double mid = (points[p].first + points[p - 1].first) / 2;
      double half = (points[p].first - points[p - 1].first) / 2;
      Write delta;
      for (const Lin::Term &term : now)
        delta.push_back(term);
      for (const Lin::Term &term : before)
        delta.push_back({term.storage, term.component, -term.coef});
      Write negated = delta;
      for (Lin::Term &term : negated)
        term.coef = -term.coef;
      for (double bias : {0.5, -0.5}) {
        Lin in;
        in.add(z, 1 / half);
        in.notbos += -mid / half + bias;
        unit.hidden.push_back(std::move(in));
        unit.hiddenOut.push_back(bias > 0 ? delta : negated);
      }
    }
  }
  if (unit.hidden.size() > kMaxHidden)
    return nodeError(errorNode, "it needs " + Twine(unit.hidden.size()) +
                              " hidden units, more than the limit of " + Twine(kMaxHidden));
  return Error::success();
}

Error Compiler::buildUnits() {
  // A head comes after the MLPs that store the tuples it compares.
  auto head = [&](HeadPlan &plan) -> Error {
    for (const Part &part : plan.parts)
      for (int tuple : {part.keyTuple, part.queryTuple})
        if (tuple >= 0 && !tuples[tuple]->storage->producer)
          if (Error err = buildTupleMlp(*tuples[tuple], *plan.origin))
            return err;
    if (Error err = buildHead(plan))
      return err;
    units.back()->out->producer = units.back().get();
    return Error::success();
  };
  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    SOpInfo &self = info(node);
    switch (node->getKind()) {
    case Node::Kind::Aggregate:
      if (Error err = head(*llvm::find_if(
              plans, [&](const HeadPlan &plan) { return plan.origin == node; })))
        return err;
      if (self.catCopy)
        if (Error err = buildNodeMlp(*node, *self.catCopy, /*fromNumericCopy=*/true))
          return err;
      break;
    case Node::Kind::SelectorWidth:
      for (size_t index : widthTerms[node])
        if (Error err = head(plans[index]))
          return err;
      [[fallthrough]];
    case Node::Kind::Map:
    case Node::Kind::SequenceMap:
      if (self.own)
        if (Error err = buildNodeMlp(*node, *self.own, /*fromNumericCopy=*/false))
          return err;
      break;
    default:
      break;
    }
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Layers and residual dimensions
//===----------------------------------------------------------------------===//

void Compiler::schedule() {
  for (const std::unique_ptr<Unit> &unit : units) {
    int ready = -1;
    unit->forEachRead([&](Storage *storage) {
      ready = std::max(ready, storage->producer ? storage->producer->slot : -1);
    });
    int slot = nextSlot(ready, unit->attention);
    unit->slot = slot;
    unit->forEachRead([&](Storage *storage) {
      storage->lastRead = std::max(storage->lastRead, slot);
    });
  }
}

void Compiler::compress() {
  std::vector<Lin *> lins;
  for (const std::unique_ptr<Unit> &unit : units)
    for (auto *rows : {&unit->query, &unit->key, &unit->value, &unit->hidden})
      for (Lin &lin : *rows)
        lins.push_back(&lin);
  for (Lin &lin : readout)
    lins.push_back(&lin);
  // The part of `lin` on each categorical storage, over its components.
  auto partsOf = [](const Lin &lin) {
    std::map<Storage *, std::vector<double>> parts;
    for (const Lin::Term &term : lin.terms)
      if (term.storage->kind == Storage::Kind::Categorical) {
        std::vector<double> &part = parts[term.storage];
        part.resize(term.storage->size(), 0.0);
        part[term.component] += term.coef;
      }
    return parts;
  };
  std::map<Storage *, std::vector<std::vector<double>>> functionals;
  for (Lin *lin : lins)
    for (auto &[storage, part] : partsOf(*lin))
      functionals[storage].push_back(std::move(part));

  // A basis of each storage's functionals in reduced row echelon form, so
  // a functional's coefficient on basis row b is its value at b's pivot.
  std::map<Storage *, std::vector<unsigned>> pivots;
  for (auto &[storage, rows] : functionals) {
    size_t width = storage->size();
    std::vector<std::vector<double>> basis;
    std::vector<unsigned> pivotOf;
    for (const std::vector<double> &row : rows) {
      std::vector<double> r = row;
      for (size_t b = 0; b < basis.size(); ++b)
        if (r[pivotOf[b]] != 0) {
          double factor = r[pivotOf[b]];
          for (size_t c = 0; c < width; ++c)
            r[c] -= factor * basis[b][c];
        }
      size_t pivot = std::max_element(r.begin(), r.end(),
                                      [](double a, double b) { return std::abs(a) < std::abs(b); }) -
                     r.begin();
      if (width == 0 || std::abs(r[pivot]) <= kSamePoint)
        continue;
      double scale = r[pivot];
      for (double &v : r)
        v /= scale;
      for (size_t b = 0; b < basis.size(); ++b) {
        double factor = basis[b][pivot];
        for (size_t c = 0; c < width; ++c)
          basis[b][c] -= factor * r[c];
      }
      basis.push_back(std::move(r));
      pivotOf.push_back(static_cast<unsigned>(pivot));
    }
    // Exact representation of every functional, or no compression.
    bool exact = basis.size() < width;
    for (const std::vector<double> &row : rows)
      for (size_t c = 0; c < width && exact; ++c) {
        double value = 0;
        for (size_t b = 0; b < basis.size(); ++b)
          value += row[pivotOf[b]] * basis[b][c];
        exact = std::abs(value - row[c]) <= kSamePoint * (1 + std::abs(row[c]));
      }
    // Readers of a compressed storage weigh its components by their
    // coefficients on the basis: the rounding of steps would grow with them.
    if (!exact || (storage->producer && storage->producer->stepError > 0))
      continue;
    storage->basis = std::move(basis);
    pivots[storage] = std::move(pivotOf);
  }

  // Readers: coefficients on the basis. Writers: old components mapped
  // through it (component b holds basis row b applied to the indicators).
  for (Lin *lin : lins) {
    std::map<Storage *, std::vector<double>> parts = partsOf(*lin);
    llvm::erase_if(lin->terms, [&](const Lin::Term &term) { return pivots.count(term.storage); });
    for (auto &[storage, part] : parts) {
      auto it = pivots.find(storage);
      if (it == pivots.end())
        continue;
      for (auto [b, pivot] : llvm::enumerate(it->second))
        if (part[pivot] != 0)
          lin->terms.push_back({storage, static_cast<unsigned>(b), part[pivot]});
    }
  }
  auto mapped = [&](const Lin::Term &term, function_ref<void(unsigned, double)> emit) {
    for (unsigned b = 0; b < term.storage->basis.size(); ++b)
      if (double coef = term.storage->basis[b][term.component] * term.coef)
        emit(b, coef);
  };
  for (const std::unique_ptr<Unit> &unit : units) {
    for (Write &write : unit->hiddenOut) {
      Write rewritten;
      for (const Lin::Term &term : write) {
        if (!pivots.count(term.storage)) {
          rewritten.push_back(term);
          continue;
        }
        mapped(term, [&](unsigned b, double coef) {
          rewritten.push_back({term.storage, b, coef});
        });
      }
      write = std::move(rewritten);
    }
    if (!unit->attention || !pivots.count(unit->out))
      continue;
    std::vector<Lin> rows(unit->out->basis.size());
    for (size_t r = 0; r < unit->value.size(); ++r)
      mapped({unit->out, unit->valueComponents[r], 1.0},
             [&](unsigned b, double coef) { rows[b].add(unit->value[r], coef); });
    unit->value.clear();
    unit->valueComponents.clear();
    for (unsigned b = 0; b < rows.size(); ++b) {
      if (rows[b].isZero())
        continue;
      unit->value.push_back(std::move(rows[b]));
      unit->valueComponents.push_back(b);
    }
  }
  for (auto &[storage, pivotOf] : pivots)
    storage->compressed = true;
}

void Compiler::allocate() {
  dimNames = {"notbos"};
  if (needPad)
    dimNames.push_back("pad");
  // The unembedding reads last.
  for (const Lin &lin : readout)
    for (const Lin::Term &term : lin.terms)
      term.storage->lastRead = std::numeric_limits<int>::max();

  std::vector<Storage *> order;
  for (const std::unique_ptr<Storage> &storage : storages)
    if (storage->lastRead >= 0 && storage->size() > 0)
      order.push_back(storage.get());
  auto writeSlot = [](const Storage *s) { return s->producer ? s->producer->slot : -1; };
  llvm::stable_sort(order, [&](Storage *a, Storage *b) { return writeSlot(a) < writeSlot(b); });

  // Dimensions free for a writer at slot w: those erased before w.
  std::vector<std::pair<unsigned, int>> freed;
  std::vector<Storage *> live;
  for (Storage *storage : order) {
    int w = writeSlot(storage);
    bool mlpWriter = storage->producer && !storage->producer->attention;
    std::vector<unsigned> available;
    auto takeFreed = [&] {
      for (auto it = freed.begin(); it != freed.end() && available.size() < storage->size();) {
        if (it->second < w || (it->second == w && mlpWriter)) {
          available.push_back(it->first);
          it = freed.erase(it);
        } else {
          ++it;
        }
      }
    };
    takeFreed();
    // Erase values no longer read, oldest reads first, until enough fit.
    llvm::stable_sort(live, [](Storage *a, Storage *b) { return a->lastRead < b->lastRead; });
    for (auto it = live.begin(); it != live.end() && available.size() < storage->size();) {
      Storage *dead = *it;
      int erase = dead->lastRead % 2 ? dead->lastRead : dead->lastRead + 1;
      if (dead->lastRead == std::numeric_limits<int>::max() ||
          !(erase < w || (erase == w && mlpWriter))) {
        ++it;
        continue;
      }
      units.push_back(std::make_unique<Unit>());
      Unit &unit = *units.back();
      unit.name = "erase " + dead->name;
      unit.slot = erase;
      // relu(x) = x for indicators; a number (or a combination of
      // indicators) needs relu(x) - relu(-x).
      for (unsigned c = 0; c < dead->size(); ++c) {
        for (double sign : {1.0, -1.0}) {
          if (sign < 0 && dead->kind == Storage::Kind::Categorical && !dead->compressed)
            continue;
          Lin in;
          in.terms.push_back({dead, c, sign});
          unit.hidden.push_back(std::move(in));
          unit.hiddenOut.push_back({{dead, c, -sign}});
        }
        freed.push_back({dead->dims[c], erase});
      }
      it = live.erase(it);
      takeFreed();
    }
    while (available.size() < storage->size()) {
      available.push_back(static_cast<unsigned>(dimNames.size()));
      dimNames.push_back("");
    }
    llvm::sort(available);
    storage->dims = available;
    for (unsigned c = 0; c < storage->size(); ++c) {
      std::string label = storage->name;
      if (storage->compressed) {
        label += "#" + std::to_string(c);
      } else if (storage->kind == Storage::Kind::Categorical) {
        int cls = c < static_cast<unsigned>(storage->implicit) ? int(c) : int(c) + 1;
        label += "=" + formatAtom(storage->values[cls]);
      } else if (c == 1) {
        label += "^2";
      }
      std::string &slot = dimNames[available[c]];
      slot = slot.empty() ? label : slot + " | " + label;
    }
    live.push_back(storage);
  }
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

Transformer Compiler::buildTransformer() {
  Transformer model;
  model.outputName = describe(*output);
  model.maxLen = maxLen();
  model.causal = options.causal;
  model.vocab = options.vocab;
  model.dimNames = dimNames;
  size_t d = dimNames.size();
  unsigned padDim = 1;
  auto dense = [&](const Lin &lin, Matrix &matrix, size_t row, double scale) {
    matrix.at(row, 0) += scale * lin.notbos;
    if (lin.pad != 0)
      matrix.at(row, padDim) += scale * lin.pad;
    for (const Lin::Term &term : lin.terms)
      matrix.at(row, term.storage->dims[term.component]) += scale * term.coef;
  };

  // Embeddings: the token one-hot (BOS is all zero), `notbos` and index
  // one-hot by position.
  model.tokenEmbedding = Matrix(options.vocab.size() + 2, d);
  if (needPad)
    model.tokenEmbedding.at(Transformer::kPadId, padDim) = 1;
  if (!rawTokens->dims.empty())
    for (size_t j = 0; j < options.vocab.size(); ++j)
      for (auto [component, value] : rawTokens->encode(rawTokens->values.find(options.vocab[j])))
        model.tokenEmbedding.at(j + 2, rawTokens->dims[component]) = value;
  model.positionEmbedding = Matrix(model.length(), d);
  Storage *indices = indicesNode ? info(indicesNode).own : nullptr;
  for (unsigned p = 1; p < model.length(); ++p) {
    model.positionEmbedding.at(p, 0) = 1;
    if (indices && !indices->dims.empty())
      for (auto [component, value] : indices->encode(indices->values.find(Atom::integer(p - 1))))
        model.positionEmbedding.at(p, indices->dims[component]) = value;
  }

  // A unit whose storage nobody reads (or that has no dimensions) writes
  // nothing.
  auto kept = [](const Unit &unit) { return !unit.out || !unit.out->dims.empty(); };
  int maxSlot = -1;
  for (const std::unique_ptr<Unit> &unit : units)
    if (kept(*unit))
      maxSlot = std::max(maxSlot, unit->slot);
  model.layers.resize(maxSlot < 0 ? 0 : maxSlot / 2 + 1);
  for (size_t l = 0; l < model.layers.size(); ++l) {
    TransformerLayer &layer = model.layers[l];
    std::vector<const Unit *> heads, mlps;
    for (const std::unique_ptr<Unit> &unit : units) {
      if (!kept(*unit))
        continue;
      if (unit->slot == int(2 * l) && unit->attention)
        heads.push_back(unit.get());
      if (unit->slot == int(2 * l + 1) && !unit->attention)
        mlps.push_back(unit.get());
    }
    size_t dk = 1, dv = 1;
    for (const Unit *unit : heads) {
      dk = std::max(dk, unit->query.size());
      dv = std::max(dv, unit->value.size());
    }
    // The attention op divides logits by sqrt(dk); undo it in the queries.
    double fold = std::sqrt(double(dk));
    unsigned L = model.length();
    for (const Unit *unit : heads) {
      AttentionHead head;
      head.name = unit->name;
      head.query = Matrix(dk, d);
      head.key = Matrix(dk, d);
      head.value = Matrix(dv, d);
      head.output = Matrix(d, dv);
      for (size_t r = 0; r < unit->query.size(); ++r) {
        dense(unit->query[r], head.query, r, fold);
        dense(unit->key[r], head.key, r, 1);
      }
      for (size_t r = 0; r < unit->value.size(); ++r) {
        dense(unit->value[r], head.value, r, 1);
        head.output.at(unit->out->dims[unit->valueComponents[r]], r) = 1;
      }
      if (unit->positional.empty() && (unit->futureFree || L == 1)) {
        head.mask = AttentionHead::Mask::Causal;
      } else {
        // BOS sees only itself (its residual stays zero); every query sees
        // BOS; the positional parts decide the rest.
        head.mask = AttentionHead::Mask::Table;
        head.visible.assign(size_t(L) * L, false);
        for (unsigned q = 0; q < L; ++q) {
          head.visible[q * L] = true;
          for (unsigned k = 1; q > 0 && k < L; ++k) {
            bool visible = !unit->futureFree || k <= q;
            if (!unit->positional.empty())
              visible &= unit->positional[(q - 1) * maxLen() + (k - 1)];
            head.visible[q * L + k] = visible;
          }
        }
        // A table that is the causal mask (`k <= q` selects) is one.
        bool causalTable = true;
        for (unsigned q = 0; q < L; ++q)
          for (unsigned k = 0; k < L; ++k)
            causalTable &= head.visible[q * L + k] == (k <= q);
        if (causalTable) {
          head.mask = AttentionHead::Mask::Causal;
          head.visible.clear();
        }
      }
      layer.heads.push_back(std::move(head));
    }
    size_t m = 0;
    for (const Unit *unit : mlps)
      m += unit->hidden.size();
    layer.mlpIn = Matrix(m, d);
    layer.mlpOut = Matrix(d, m);
    size_t row = 0;
    for (const Unit *unit : mlps) {
      layer.mlpParts.push_back(unit->name);
      for (size_t h = 0; h < unit->hidden.size(); ++h, ++row) {
        dense(unit->hidden[h], layer.mlpIn, row, 1);
        for (const Lin::Term &term : unit->hiddenOut[h])
          layer.mlpOut.at(term.storage->dims[term.component], row) += term.coef;
      }
    }
  }

  // Unembedding: logits over the output's classes, or its number.
  SOpInfo &out = info(output);
  model.numericOutput = !out.needCat;
  model.unembedding = Matrix(readout.size(), d);
  for (size_t row = 0; row < readout.size(); ++row)
    dense(readout[row], model.unembedding, row, 1);
  if (!out.unbounded)
    model.outputValues = out.values.all().vec();
  return model;
}

Expected<Transformer> Compiler::run(const Node &root) {
  if (options.maxLen == 0)
    return createStringError(inconvertibleErrorCode(), "error: --max-len must be at least 1");
  std::vector<Atom> vocab;
  for (const Atom &token : options.vocab)
    if (llvm::none_of(vocab, [&](const Atom &seen) { return atomsEqual(seen, token); }))
      vocab.push_back(token);
  if (vocab.empty())
    return createStringError(inconvertibleErrorCode(), "error: the vocabulary is empty");
  options.vocab = std::move(vocab);
  collect(root);
  if (Error err = inferValues())
    return err;
  if (Error err = planHeads())
    return err;
  if (Error err = decideNeeds())
    return err;
  // Store intermediate maps until every fused MLP is small and, built,
  // precise enough.
  while (true) {
    do {
      if (Error err = decideStorage())
        return err;
    } while (splitLargeMlps());
    imprecise = nullptr;
    Error err = buildUnits();
    if (!err)
      break;
    if (!imprecise || !chooseCuts(*imprecise, std::numeric_limits<int>::max()))
      return err;
    consumeError(std::move(err));
    units.clear();
    needPad = false;
  }
  SOpInfo &out = info(output);
  if (out.needNum && !out.own && !numericReadout(*output))
    return nodeError(*output, "its value cannot be read out linearly");
  if (out.needCat)
    readout = categoricalReadout(*output);
  else
    readout = {*numericReadout(*output)};
  schedule();
  compress();
  allocate();
  return buildTransformer();
}

} // namespace

//===----------------------------------------------------------------------===//
// Transformer
//===----------------------------------------------------------------------===//

size_t Transformer::mlpWidth() const {
  size_t widest = 0;
  for (const TransformerLayer &layer : layers)
    widest = std::max(widest, layer.mlpIn.rows);
  return widest;
}

Expected<std::vector<int64_t>> Transformer::encode(ArrayRef<Atom> input) const {
  if (input.size() > maxLen)
    return createStringError(inconvertibleErrorCode(),
                             "error: the input has " + Twine(input.size()) +
                                 " tokens, but the model was compiled for at most " +
                                 Twine(maxLen) + " (--max-len)");
  std::vector<int64_t> ids(length(), kPadId);
  ids[0] = kBosId;
  for (size_t i = 0; i < input.size(); ++i) {
    auto it = llvm::find_if(vocab, [&](const Atom &token) { return atomsEqual(token, input[i]); });
    if (it == vocab.end())
      return createStringError(inconvertibleErrorCode(),
                               "error: input token " + formatAtom(input[i]) + " at position " +
                                   Twine(i) + " is not in the vocabulary");
    ids[i + 1] = 2 + (it - vocab.begin());
  }
  return ids;
}

Sequence Transformer::decode(ArrayRef<double> out, size_t n) const {
  Sequence result;
  size_t k = outputSize();
  for (size_t i = 1; i <= n; ++i) {
    ArrayRef<double> row = out.slice(i * k, k);
    if (!numericOutput) {
      result.push_back(outputValues[std::max_element(row.begin(), row.end()) - row.begin()]);
      continue;
    }
    double x = row[0];
    const Atom *nearest = nullptr;
    for (const Atom &value : outputValues)
      if (!nearest || std::abs(value.toDouble() - x) < std::abs(nearest->toDouble() - x))
        nearest = &value;
    if (!nearest || std::abs(nearest->toDouble() - x) > 0.02 * (1 + std::abs(x))) {
      result.push_back(Atom::real(x));
      continue;
    }
    // Values that differ only in the last bits (sums added in another
    // order) are one value to the model; print the shortest.
    const Atom *shortest = nearest;
    for (const Atom &value : outputValues)
      if (std::abs(value.toDouble() - nearest->toDouble()) <=
              kSamePoint * (1 + std::abs(x)) &&
          formatAtom(value).size() < formatAtom(*shortest).size())
        shortest = &value;
    result.push_back(*shortest);
  }
  return result;
}

std::string Transformer::report() const {
  std::string text;
  raw_string_ostream os(text);
  os << "layers: " << layers.size() << "\n";
  for (size_t l = 0; l < layers.size(); ++l) {
    const TransformerLayer &layer = layers[l];
    os << "  layer " << l << ": " << layer.heads.size() << " head"
       << (layer.heads.size() == 1 ? "" : "s");
    for (const AttentionHead &head : layer.heads)
      os << " [" << head.name << "]";
    os << "; MLP " << layer.mlpIn.rows << " hidden";
    for (const std::string &part : layer.mlpParts)
      os << " [" << part << "]";
    os << "\n";
  }
  os << "residual width: " << width() << "\n";
  os << "MLP width: " << mlpWidth() << "\n";
  return text;
}

std::string Transformer::reportJson() const {
  std::string heads;
  for (const TransformerLayer &layer : layers)
    heads += (heads.empty() ? "" : ",") + std::to_string(layer.heads.size());
  return formatv("{{\"layers\":{0},\"heads\":[{1}],\"residual_width\":{2},\"mlp_width\":{3}}",
                 layers.size(), heads, width(), mlpWidth())
      .str();
}

Expected<Transformer> compileTransformer(const Node &sop, const CompileOptions &options) {
  return Compiler(options).run(sop);
}

bool sameValue(const Atom &expected, const Atom &actual) {
  if (expected.isNumber() && actual.isNumber()) {
    double a = expected.toDouble(), b = actual.toDouble();
    return std::abs(a - b) <= 1e-4 * std::max(1.0, std::abs(a));
  }
  return atomsEqual(expected, actual);
}

VerificationInputs verificationInputs(ArrayRef<Atom> vocab, unsigned maxLen, size_t limit,
                                      size_t samples, uint64_t seed) {
  VerificationInputs result;
  size_t total = 0, power = 1;
  for (unsigned n = 1; n <= maxLen && total <= limit; ++n) {
    power = std::min(power * vocab.size(), limit + 1);
    total += power;
  }
  result.exhaustive = total <= limit;
  if (result.exhaustive) {
    for (unsigned n = 1; n <= maxLen; ++n) {
      std::vector<size_t> digits(n, 0);
      while (true) {
        std::vector<Atom> input;
        for (size_t digit : digits)
          input.push_back(vocab[digit]);
        result.inputs.push_back(std::move(input));
        size_t j = 0;
        for (; j < n && ++digits[j] == vocab.size(); ++j)
          digits[j] = 0;
        if (j == n)
          break;
      }
    }
    return result;
  }
  std::mt19937_64 random(seed);
  for (size_t s = 0; s < samples; ++s) {
    size_t n = 1 + random() % maxLen;
    std::vector<Atom> input;
    for (size_t i = 0; i < n; ++i)
      input.push_back(vocab[random() % vocab.size()]);
    result.inputs.push_back(std::move(input));
  }
  return result;
}

} // namespace icl::rasp
