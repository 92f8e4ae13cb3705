//===- Layout.cpp - Layers and residual dimensions (schedule, allocate) ---===//

#include "frontends/rasp/compiler/CompilerImpl.h"

using namespace llvm;

namespace icl::rasp::detail {

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

} // namespace icl::rasp::detail
