//===- LibraryRun.cpp - Running model libraries from the tools ------------===//
//
// What icl-run and icl-run-lib share: running a function of a model library
// through the runtime C API, comparing results, writing .npy files and
// timing. Depends on the runtime and LLVM's Support library only (no MLIR).
//
//===----------------------------------------------------------------------===//

#include "tools/icl-run/LibraryRun.h"

#include "lib/Support/Npy.h"
#include "runtime/icl_runtime.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

using namespace llvm;

namespace icl::tool {

cl::OptionCategory toleranceCategory("Comparison (--check, --expect)");

static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("Bound of --check and --expect: each element within tol·(|ref| + rms(ref)) "
             "(default: from the result's dtype, 2 unit roundoffs of it plus 64 of f32: "
             "3.9e-6 for f32, 7.8e-3 for bf16, 9.8e-4 for f16; docs/testing.md)"),
    cl::value_desc("tol"), cl::cat(toleranceCategory));
static cl::opt<double> absTolerance(
    "atol", cl::desc("Compare with atol + rtol·|ref| instead: the absolute part (default 0)"),
    cl::cat(toleranceCategory));
static cl::opt<double> relTolerance(
    "rtol", cl::desc("Compare with atol + rtol·|ref| instead: the relative part (default 0)"),
    cl::cat(toleranceCategory));

Tolerance toleranceFromFlags() {
  Tolerance t;
  if (tolerance.getNumOccurrences())
    t.tol = tolerance;
  if (absTolerance.getNumOccurrences())
    t.atol = absTolerance;
  if (relTolerance.getNumOccurrences())
    t.rtol = relTolerance;
  return t;
}

int failWith(const RunSettings &s, const Twine &message) {
  WithColor::error(errs(), s.tool) << message << "\n";
  return 1;
}

/// One line per result: shape, dtype and a few statistics.
void summarise(unsigned index, const icl::HostArray &array) {
  std::vector<double> v = array.toDouble();
  outs() << "result " << index << ": " << icl::dtypeName(array.dtype)
         << icl::formatShape(array.shape);
  if (!v.empty()) {
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    double sum = 0;
    for (double x : v)
      sum += x;
    outs() << format(" min %.6g max %.6g mean %.6g", *lo, *hi, sum / v.size());
    outs() << " values [";
    for (size_t i = 0; i < std::min<size_t>(v.size(), 8); ++i)
      outs() << (i ? ", " : "") << format("%.6g", v[i]);
    outs() << (v.size() > 8 ? ", ...]" : "]");
  }
  outs() << "\n";
}

/// Prints the errors of `got` against `want` under `label` and returns
/// whether every element is within the settings' tolerance.
bool compare(const RunSettings &s, StringRef label, size_t index, const icl::HostArray &got,
             const icl::HostArray &want) {
  if (got.shape != want.shape) {
    WithColor::error(errs(), s.tool)
        << label << ": result " << index << " has shape " << icl::formatShape(got.shape)
        << " but the expected one has " << icl::formatShape(want.shape) << "\n";
    return false;
  }
  icl::Comparison c = icl::compareArrays(got, want, s.tolerance);
  outs() << label << ": result " << index << ": " << c.describe() << "\n";
  return c.within();
}

Error writeArray(StringRef path, const icl::HostArray &array) {
  if (array.dtype != icl::DType::BF16)
    return icl::writeNpy(path, array);
  return icl::writeNpy(path, icl::HostArray::fromDouble(icl::DType::F32, array.shape,
                                                        array.toDouble()));
}

int writeResults(const RunSettings &s, ArrayRef<icl::HostArray> results) {
  if (!s.outputs.empty() && s.outputs.size() != results.size())
    return failWith(s, "the function has " + Twine(results.size()) + " results but " +
                Twine(s.outputs.size()) + " --output files were given");
  for (auto [i, array] : enumerate(results)) {
    if (s.outputs.empty()) {
      summarise(i, array);
      continue;
    }
    if (Error err = writeArray(s.outputs[i], array))
      return failWith(s, toString(std::move(err)));
  }
  return 0;
}

/// With --expect: compares `results` with the given files.
int compareExpected(const RunSettings &s, ArrayRef<icl::HostArray> results) {
  if (s.expected.empty())
    return 0;
  if (s.expected.size() != results.size())
    return failWith(s, "the function has " + Twine(results.size()) + " results but " +
                Twine(s.expected.size()) + " --expect files were given");
  bool within = true;
  for (auto [i, path] : enumerate(s.expected)) {
    Expected<icl::HostArray> want = icl::readNpy(path);
    if (!want)
      return failWith(s, toString(want.takeError()));
    within &= compare(s, "expect", i, results[i], *want);
  }
  return within ? 0 : failWith(s, "the results differ from --expect beyond tolerance");
}

/// With --benchmark N: times N calls of `run` (after the caller's warm-up
/// run) and prints min/median/max.
Error timeRuns(const RunSettings &s, function_ref<Error()> run) {
  if (!s.benchmark)
    return Error::success();
  std::vector<double> ms;
  for (unsigned i = 0; i < s.benchmark; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (Error err = run())
      return err;
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(ms.begin(), ms.end());
  outs() << format("benchmark: %u runs, min %.3f ms, median %.3f ms, max %.3f ms\n",
                   s.benchmark, ms.front(), ms[ms.size() / 2], ms.back());
  return Error::success();
}

Expected<std::vector<icl::HostArray>> runLibrary(const RunSettings &s, StringRef path,
                                                 StringRef function,
                                                 std::vector<icl::HostArray> &args) {
  bool randomArgs = s.randomSeed.has_value();
  icl_runtime *rt = nullptr;
  auto error = [&](const Twine &context) {
    std::string message = (context + icl_runtime_error(rt)).str();
    return createStringError(inconvertibleErrorCode(), message);
  };
  std::unique_ptr<icl_runtime, void (*)(icl_runtime *)> owner(nullptr, icl_runtime_destroy);
  int status = icl_runtime_create(s.cuda ? ICL_DEVICE_CUDA : ICL_DEVICE_CPU, &rt);
  owner.reset(rt);
  if (status)
    return error("");
  icl_module *module = nullptr;
  if (icl_module_load(rt, path.str().c_str(), &module))
    return error("");
  std::unique_ptr<icl_module, void (*)(icl_module *)> moduleOwner(module, icl_module_unload);
  std::string name = function.str();
  if (name.empty()) {
    if (icl_module_function_count(module) != 1)
      return createStringError(inconvertibleErrorCode(),
                               "the library has several functions: choose one with --function");
    name = icl_module_function_name(module, 0);
  }
  icl_function *fn = nullptr;
  if (icl_module_lookup(module, name.c_str(), &fn))
    return error("");
  if (randomArgs) {
    std::mt19937_64 rng(*s.randomSeed);
    for (int i = 0; i < icl_function_arg_count(fn); ++i) {
      icl_tensor t = icl_function_arg(fn, i);
      std::vector<int64_t> shape(t.shape, t.shape + t.rank);
      int64_t limit = icl_function_arg_id_limit(fn, i);
      args.push_back(icl::randomArray(static_cast<icl::DType>(t.dtype), std::move(shape),
                                      limit > 0 ? limit : 16, rng));
    }
  }
  // Inputs of another integer (or float) width are converted, as the JIT
  // does: int32 token ids feed an int64 entry point.
  for (int i = 0; i < std::min<int>(icl_function_arg_count(fn), args.size()); ++i) {
    auto want = static_cast<icl::DType>(icl_function_arg(fn, i).dtype);
    icl::HostArray &a = args[i];
    if (a.dtype != want && icl::isFloat(a.dtype) == icl::isFloat(want))
      a = icl::isFloat(want) ? icl::HostArray::fromDouble(want, a.shape, a.toDouble())
                             : icl::HostArray::fromInt64(want, a.shape, a.toInt64());
  }
  std::vector<icl_tensor> in, out;
  for (icl::HostArray &a : args)
    in.push_back({static_cast<icl_dtype>(a.dtype), static_cast<int32_t>(a.shape.size()),
                  a.shape.data(), a.bytes.data()});
  std::vector<icl::HostArray> results;
  for (int i = 0; i < icl_function_result_count(fn); ++i) {
    icl_tensor t = icl_function_result(fn, i);
    icl::HostArray r{static_cast<icl::DType>(t.dtype), std::vector<int64_t>(t.shape, t.shape + t.rank),
                     {}};
    r.bytes.assign(r.numel() * icl::dtypeSize(r.dtype), 0);
    results.push_back(std::move(r));
  }
  for (icl::HostArray &r : results)
    out.push_back({static_cast<icl_dtype>(r.dtype), static_cast<int32_t>(r.shape.size()),
                   r.shape.data(), r.bytes.data()});
  auto invoke = [&]() {
    return icl_function_invoke(fn, in.data(), static_cast<int>(in.size()), out.data(),
                               static_cast<int>(out.size()));
  };
  if (invoke())
    return error("");
  if (Error err = timeRuns(s, [&]() -> Error {
        return invoke() ? error("") : Error::success();
      }))
    return std::move(err);
  return results;
}

} // namespace icl::tool
