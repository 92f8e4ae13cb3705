//===- OnnxNodeTest.cpp - ONNX backend node tests through icl --------------===//
//
// Runs the node tests of Debian's libonnx-testdata (one ONNX op each, with
// reference inputs and outputs) for the ops the importer supports: each
// model is imported, run natively (JIT) and by the reference evaluator, and
// both results are compared with ONNX's expected outputs. Integer and bool
// inputs (shapes, axes, indices) are given to the importer as constants;
// float inputs are function arguments.
//
// kNodeTests lists the tests that must pass. The disabled test
// DISABLED_Scan runs every node test whose ops are all supported and prints
// which pass, for keeping the list up to date:
//   icl-unit-tests --gtest_also_run_disabled_tests --gtest_filter='*Scan*'
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"
#include "lib/Driver/Jit.h"
#include "lib/Reference/Evaluator.h"
#include "lib/Driver/ModuleLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

using namespace icl;

namespace {

const char *const kNodeTestDir = "/usr/share/libonnx-testdata/data/node";

const char *const kNodeTests[] = {
#include "OnnxNodeTests.inc"
};

/// Compares every result with the expected arrays; an empty string on
/// success, else what differs.
std::string compare(llvm::ArrayRef<HostArray> got, llvm::ArrayRef<HostArray> want,
                    const char *what) {
  if (got.size() != want.size())
    return std::string(what) + ": " + std::to_string(got.size()) + " results, expected " +
           std::to_string(want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].shape != want[i].shape)
      return std::string(what) + ": result " + std::to_string(i) + " has shape " +
             formatShape(got[i].shape) + ", expected " + formatShape(want[i].shape);
    std::vector<double> g = got[i].toDouble(), w = want[i].toDouble();
    for (size_t k = 0; k < g.size(); ++k) {
      bool same = (std::isnan(g[k]) && std::isnan(w[k])) || g[k] == w[k] ||
                  std::fabs(g[k] - w[k]) <= 1e-4 + 1e-3 * std::fabs(w[k]);
      if (!same)
        return std::string(what) + ": result " + std::to_string(i) + " element " +
               std::to_string(k) + " is " + std::to_string(g[k]) + ", expected " +
               std::to_string(w[k]);
    }
  }
  return "";
}

/// Imports and runs one node test; an empty string when it passes.
std::string runNodeTest(llvm::StringRef name, bool *supported = nullptr) {
  llvm::SmallString<256> dir(kNodeTestDir);
  llvm::sys::path::append(dir, name);
  llvm::SmallString<256> model(dir), data(dir);
  llvm::sys::path::append(model, "model.onnx");
  llvm::sys::path::append(data, "test_data_set_0");

  OnnxImportOptions options;
  std::vector<HostArray> args, expected;
  for (int i = 0;; ++i) {
    llvm::SmallString<256> in(data);
    llvm::sys::path::append(in, "input_" + std::to_string(i) + ".pb");
    if (!llvm::sys::fs::exists(in))
      break;
    std::string inputName;
    llvm::Expected<HostArray> a = readOnnxTensorFile(in, &inputName);
    if (!a)
      return llvm::toString(a.takeError());
    if (isFloat(a->dtype))
      args.push_back(std::move(*a));
    else
      options.constantInputs[inputName] = std::move(*a);
  }
  for (int i = 0;; ++i) {
    llvm::SmallString<256> out(data);
    llvm::sys::path::append(out, "output_" + std::to_string(i) + ".pb");
    if (!llvm::sys::fs::exists(out))
      break;
    llvm::Expected<HostArray> a = readOnnxTensorFile(out);
    if (!a)
      return llvm::toString(a.takeError());
    expected.push_back(std::move(*a));
  }

  if (supported)
    *supported = true;
  // Native code needs tensors with elements.
  auto empty = [](const HostArray &a) { return a.numel() == 0; };
  if (llvm::any_of(args, empty) || llvm::any_of(expected, empty)) {
    if (supported)
      *supported = false;
    return "has a tensor without elements";
  }

  mlir::MLIRContext context;
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = importOnnx(model, context, options);
  if (!module) {
    std::string message = llvm::toString(module.takeError());
    if (supported)
      *supported = llvm::none_of(
          std::initializer_list<const char *>{"not supported", "does not support",
                                              "does not import", "static shapes"},
          [&](const char *m) { return message.find(m) != std::string::npos; });
    return "import: " + message;
  }
  llvm::Expected<mlir::func::FuncOp> func = findEntryFunction(**module, "");
  if (!func)
    return llvm::toString(func.takeError());

  llvm::Expected<std::vector<HostArray>> reference = ref::evaluate(*func, args);
  if (!reference)
    return "reference evaluator: " + llvm::toString(reference.takeError());
  if (std::string diff = compare(*reference, expected, "reference evaluator"); !diff.empty())
    return diff;
  llvm::Expected<std::unique_ptr<JitFunction>> jit = JitFunction::compile(*func);
  if (!jit)
    return "jit: " + llvm::toString(jit.takeError());
  llvm::Expected<std::vector<HostArray>> native = (*jit)->run(args);
  if (!native)
    return "jit run: " + llvm::toString(native.takeError());
  return compare(*native, expected, "native code");
}

class OnnxNodeTest : public ::testing::TestWithParam<const char *> {};

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
  if (!llvm::sys::fs::is_directory(kNodeTestDir))
    GTEST_SKIP() << kNodeTestDir << " is missing: install Debian's libonnx-testdata";
  std::string failure = runNodeTest(GetParam());
  EXPECT_TRUE(failure.empty()) << GetParam() << ": " << failure;
}

INSTANTIATE_TEST_SUITE_P(LibOnnxTestdata, OnnxNodeTest, ::testing::ValuesIn(kNodeTests),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           return std::string(info.param);
                         });

TEST(OnnxNodeScan, DISABLED_Scan) {
  std::vector<std::string> names;
  // Control flow, sequences and optionals have no tensor inputs to read.
  for (const auto &entry : std::filesystem::directory_iterator(kNodeTestDir)) {
    std::string name = entry.path().filename().string();
    if (name.find("loop") == std::string::npos && name.find("seq") == std::string::npos &&
        name.find("optional") == std::string::npos && name.find("_if") == std::string::npos &&
        name.find("scan") == std::string::npos)
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const std::string &name : names) {
    bool supported = false;
    std::string failure = runNodeTest(name, &supported);
    if (!supported)
      continue;
    std::printf("%s %s%s\n", failure.empty() ? "PASS" : "FAIL", name.c_str(),
                failure.empty() ? "" : (": " + failure.substr(0, 300)).c_str());
    std::fflush(stdout);
  }
}

} // namespace
