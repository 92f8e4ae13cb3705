//===- StorageDecisions.cpp - Storage decisions (decideNeeds, decideStorage) -===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

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

  // Maps of one root, by root.
  DenseMap<const Node *, std::vector<const Node *>> mapsOf;
  for (const Node *node : nodes)
    if (isa<MapNode>(node) && info(node).roots.size() == 1)
      mapsOf[info(node).roots[0]].push_back(node);
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
      for (const Node *user : mapsOf[node])
        wanted |= info(user).needCat || info(user).needSquare;
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
  // Each node once, without recursion: maps may share operands and chain
  // 100,000 deep.
  DenseSet<const Node *> seen;
  std::vector<const Node *> stack = {&node};
  while (!stack.empty()) {
    const Node *n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second)
      continue;
    SOpInfo &in = info(n);
    bool elementwise = isa<MapNode>(n) || n->getKind() == Node::Kind::SelectorWidth;
    if (elementwise && n != &node && cuts.contains(n)) {
      base.push_back(in.own);
      continue;
    }
    switch (n->getKind()) {
    case Node::Kind::Map:
    case Node::Kind::SequenceMap:
      llvm::append_range(stack, n->getOperands());
      break;
    case Node::Kind::SelectorWidth:
      for (size_t plan : widthTerms[n])
        base.push_back(plans[plan].raw);
      break;
    case Node::Kind::Constant:
      break;
    default:
      base.insert(base.end(), in.base.begin(), in.base.end());
      if (in.own)
        base.push_back(in.own);
    }
  }
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
  slotsEstimated = false;
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

void Compiler::estimateSlots() {
  slotsEstimated = true;
  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    if (node->getKind() == Node::Kind::SelectorWidth)
      for (size_t plan : widthTerms[node])
        readySlot(plans[plan].raw);
    SOpInfo &in = info(node);
    for (Storage *storage : {in.own, in.catCopy})
      if (storage)
        readySlot(storage);
  }
}

int Compiler::mlpSlot(const Node &node) {
  if (!slotsEstimated)
    estimateSlots();
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
      slot = headSlot(plans[aggregatePlans.lookup(node)]);
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
  // Depth first in operand order, with an explicit stack (chains of maps
  // may be 100,000 deep), each operand once.
  struct Frame {
    const Node *node;
    size_t operand;
  };
  std::vector<Frame> stack = {{&node, 0}};
  DenseSet<const Node *> seen;
  while (!stack.empty()) {
    Frame &frame = stack.back();
    if (frame.operand == frame.node->getOperands().size()) {
      stack.pop_back();
      continue;
    }
    const Node *operand = frame.node->getOperands()[frame.operand++];
    if ((!isa<MapNode>(operand) && operand->getKind() != Node::Kind::SelectorWidth) ||
        cuts.contains(operand))
      continue;
    if (fusedTuples(*operand) > kFusedTuples) {
      if (seen.insert(operand).second)
        stack.push_back({operand, 0});
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

} // namespace icl::rasp::detail
