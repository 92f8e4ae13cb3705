//===- Values.cpp - Graph and value sets (inferValues, selectors as formulas) -===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

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

Expected<Atom> Compiler::evaluate(const Node *root, Leaf leaf, Memo &memo) const {
  // Depth first with an explicit stack, operands in order (so the first
  // failing one is reported), as a chain of maps may be 100,000 long.
  struct Frame {
    const Node *node;
    size_t operand;
  };
  std::vector<Frame> stack = {{root, 0}};
  while (!stack.empty()) {
    const Node *node = stack.back().node;
    if (stack.back().operand == 0) {
      if (memo.count(node)) {
        stack.pop_back();
        continue;
      }
      std::optional<Atom> value = leaf(node);
      if (!value)
        if (const auto *constant = dyn_cast<ConstantNode>(node))
          value = constant->getValue();
      if (value) {
        memo.try_emplace(node, std::move(*value));
        stack.pop_back();
        continue;
      }
      if (!isa<MapNode>(node))
        return createStringError(inconvertibleErrorCode(), "the value of '" + describe(*node) +
                                                               "' is not bound");
    }
    ArrayRef<const Node *> operands = node->getOperands();
    if (size_t next = stack.back().operand; next < operands.size()) {
      ++stack.back().operand;
      if (!memo.count(operands[next]))
        stack.push_back({operands[next], 0});
      continue;
    }
    std::vector<Atom> args;
    for (const Node *operand : operands)
      args.push_back(memo.find(operand)->second);
    Expected<Atom> result = cast<MapNode>(node)->getFunction()(args);
    if (!result)
      return result.takeError();
    memo.try_emplace(node, std::move(*result));
    stack.pop_back();
  }
  return memo.find(root)->second;
}

Error Compiler::reserve(const Node &node, size_t bytes, const char *what) {
  analysisBytes += bytes;
  if (analysisBytes <= kMaxAnalysisBytes)
    return Error::success();
  return nodeError(node, "at --max-len " + Twine(maxLen()) + ", its " + what +
                             " would take the analysis past " + Twine(kMaxAnalysisBytes >> 20) +
                             " MiB (kMaxAnalysisBytes in frontends/rasp/compiler/CompilerImpl.h; "
                             "they grow with the square and the cube of the length); use a "
                             "smaller --max-len");
}

Error Compiler::inferValues() {
  // The last map that reads each map (see SOpInfo::byRoots).
  DenseMap<const Node *, const Node *> lastReader;
  for (const Node *node : nodes)
    if (isa<MapNode>(node))
      for (const Node *operand : node->getOperands())
        if (isa<MapNode>(operand))
          lastReader[operand] = node;
  auto release = [&](const Node *map) {
    SOpInfo &in = info(map);
    in.byRoots.clear();
    in.failures.clear();
  };
  for (const Node *node : nodes) {
    if (node->isSelector())
      continue;
    SOpInfo &self = info(node);
    if (Error err = reserve(*node, pos.count() * 32, "values at each (length, position)"))
      return err;
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
    if (isa<MapNode>(node)) {
      for (const Node *operand : node->getOperands())
        if (lastReader.lookup(operand) == node)
          release(operand);
      if (!lastReader.count(node))
        release(node);
    }
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
  // Where an operand's value comes from in a tuple of the roots: a root's
  // class, or the table of a map at the roots it shares with this one.
  struct Read {
    int root = -1;
    std::vector<size_t> shared;
  };
  std::vector<Read> reads;
  for (const Node *operand : operands) {
    Read read;
    if (isa<MapNode>(operand))
      for (const Node *root : info(operand).roots)
        read.shared.push_back(llvm::find(self.roots, root) - self.roots.begin());
    else
      read.root = llvm::find(self.roots, operand) - self.roots.begin();
    reads.push_back(std::move(read));
  }
  std::string firstFailure;
  // -1 - f for the failure `why`, recorded once.
  auto failure = [&](std::string why) {
    if (firstFailure.empty())
      firstFailure = why;
    auto it = llvm::find(self.failures, why);
    if (it == self.failures.end())
      it = self.failures.insert(it, std::move(why));
    return -1 - static_cast<int>(it - self.failures.begin());
  };
  // The class of the map's value for a tuple of classes of the roots (or
  // of the operands), or a failure; a combination the map fails on never
  // occurs in a run that succeeds.
  auto classAt = [&](bool byRoots, ArrayRef<int> tuple) -> int {
    std::vector<Atom> args;
    size_t next = 0;
    for (const Node *operand : node.getOperands()) {
      if (const auto *constant = dyn_cast<ConstantNode>(operand)) {
        args.push_back(constant->getValue());
        continue;
      }
      const Read &read = reads[next];
      SOpInfo &in = info(operand);
      if (!byRoots || read.root >= 0) {
        args.push_back(in.values[tuple[byRoots ? read.root : next]]);
        ++next;
        continue;
      }
      ++next;
      std::vector<int> key;
      for (size_t root : read.shared)
        key.push_back(tuple[root]);
      // The operand met every tuple of its roots, which take no more
      // combinations than this map's.
      auto entry = in.byRoots.find(key);
      assert(entry != in.byRoots.end() && "an operand meets every tuple of its roots");
      int cls = entry->second;
      if (cls < 0)
        return failure(in.failures[-1 - cls]);
      args.push_back(in.values[cls]);
    }
    Expected<Atom> value = cast<MapNode>(node).getFunction()(args);
    if (!value)
      return failure(toString(value.takeError()));
    return self.values.insert(*value);
  };
  std::map<std::vector<int>, int> byOperands;
  std::vector<const std::vector<int> *> sets;
  for (size_t p = 0; p < pos.count(); ++p) {
    bool byRoots = true;
    for (bool roots : {true, false}) {
      byRoots = roots;
      ArrayRef<const Node *> leaves =
          roots ? ArrayRef<const Node *>(self.roots) : ArrayRef<const Node *>(operands);
      sets.clear();
      for (const Node *leaf : leaves)
        sets.push_back(&info(leaf).at[p]);
      if (productSize(sets) <= kMaxTuples)
        break;
      if (!roots)
        return nodeError(node, "its inputs take too many combinations of values to list");
    }
    std::map<std::vector<int>, int> &cache = byRoots ? self.byRoots : byOperands;
    std::vector<int> &result = self.at[p];
    forEachTuple(sets, [&](ArrayRef<int> tuple) {
      auto [it, inserted] = cache.try_emplace(tuple.vec());
      if (inserted)
        it->second = classAt(byRoots, tuple);
      if (it->second >= 0)
        result.push_back(it->second);
    });
    // Failing on every value its inputs can take here, the program fails on
    // every input of this length: the compiled model would give numbers
    // where the program has none.
    if (result.empty() && productSize(sets) > 0) {
      unsigned length = 1;
      while (pos.index(length + 1, 0) <= p)
        ++length;
      std::string where =
          length == 1 ? "" : " of " + std::to_string(length) + " tokens (--max-len " +
                                 std::to_string(length - 1) + " stops before them)";
      return nodeError(node, "it fails on every input" + where + ": " + firstFailure);
    }
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
  // Counted before they are built, so the recursion stays shallow.
  size_t operations = 0;
  std::function<Expected<Formula>(const Node *)> build =
      [&](const Node *node) -> Expected<Formula> {
    if (node->getKind() != Node::Kind::Select && ++operations > kMaxFormulaOperations)
      return nodeError(user, "its selector combines select( comparisons with more than " +
                                 Twine(kMaxFormulaOperations) +
                                 " and/or/not operations (counting each use of a shared "
                                 "selector)");
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
    if (Error err = reserve(user, pos.count() * maxLen(), "selector's table over (length, "
                                                          "query, key)")) {
      selectors.erase(&selectorNode);
      return std::move(err);
    }
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
  if (Error err = reserve(node, pos.count() * maxLen(), "selection over (length, query, key)"))
    return err;
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
  if (Error err = reserve(node, pos.count() * maxLen(), "selection over (length, query, key)"))
    return err;
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

} // namespace icl::rasp::detail
