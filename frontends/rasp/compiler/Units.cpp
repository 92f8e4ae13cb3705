//===- Units.cpp - Units that write storages: heads and MLPs (buildUnits) -===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

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
      if (Error err = head(plans[aggregatePlans.lookup(node)]))
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

} // namespace icl::rasp::detail
