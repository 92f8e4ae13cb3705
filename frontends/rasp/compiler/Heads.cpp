//===- Heads.cpp - Head plans (planHeads) ---------------------------------===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

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
      else
        aggregatePlans[node] = plans.size();
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

} // namespace icl::rasp::detail
