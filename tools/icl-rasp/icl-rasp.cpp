//===- icl-rasp.cpp - Interpret, compile, run and verify RASP programs ----===//
//
//   icl-rasp eval    PROG.rasp --sop NAME --input INPUT
//   icl-rasp compile PROG.rasp --sop NAME --vocab VOCAB --max-len N [--causal]
//                    [-o OUT.mlir | -o libOUT.so [--target x86|cuda]] [--report]
//   icl-rasp run     PROG.rasp --sop NAME --vocab VOCAB --max-len N --input INPUT
//                    [--target x86|cuda] [--causal]
//   icl-rasp verify  PROG.rasp --sop NAME --vocab VOCAB --max-len N [--samples K]
//                    [--causal] [--model MODULE.mlir]
//
// The command-line contract of design/RASP.md: eval and run print one JSON
// array; compile writes the module (to -o, else to stdout) and, when it
// goes to a file, one JSON line of the model's sizes; verify prints one
// JSON line of counts. Everything else goes to stderr; errors exit 1.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/Compiler.h"
#include "frontends/rasp/Interpreter.h"
#include "frontends/rasp/Json.h"
#include "frontends/rasp/ModelEmitter.h"
#include "lib/Driver/Compile.h"
#include "lib/Driver/Jit.h"
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/Files.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace icl;
using namespace icl::rasp;

namespace {

cl::OptionCategory category("icl-rasp options");
cl::SubCommand evalCommand("eval", "Run a RASP program with the interpreter");
cl::SubCommand compileCommand("compile", "Compile an s-op into a transformer (icl MLIR)");
cl::SubCommand runCommand("run", "Compile an s-op and run the transformer's native code");
cl::SubCommand verifyCommand("verify",
                             "Compare the compiled transformer with the interpreter");
cl::SubCommandGroup allCommands({&evalCommand, &compileCommand, &runCommand, &verifyCommand});
cl::SubCommandGroup compiling({&compileCommand, &runCommand, &verifyCommand});
cl::SubCommandGroup withInput({&evalCommand, &runCommand});

cl::opt<std::string> programPath(cl::Positional, cl::Required, cl::desc("<program.rasp>"),
                                 cl::sub(allCommands), cl::cat(category));
cl::opt<std::string> sopName("sop", cl::Required, cl::desc("The s-op to evaluate or compile"),
                             cl::value_desc("NAME"), cl::sub(allCommands), cl::cat(category));
cl::opt<std::string> inputText("input", cl::Required,
                               cl::desc("A string of one-character tokens or a JSON array of "
                                        "ints"),
                               cl::value_desc("INPUT"), cl::sub(withInput), cl::cat(category));
cl::opt<std::string> vocabText("vocab", cl::Required,
                               cl::desc("The vocabulary, written like INPUT"),
                               cl::value_desc("VOCAB"), cl::sub(compiling), cl::cat(category));
cl::opt<unsigned> maxLen("max-len", cl::Required, cl::desc("The longest input"),
                         cl::value_desc("N"), cl::sub(compiling), cl::cat(category));
cl::opt<bool> causal("causal", cl::desc("Compile a causal model (queries see only earlier "
                                        "positions)"),
                     cl::sub(compiling), cl::cat(category));
cl::opt<std::string> outputPath(
    "o",
    cl::desc("Write the module here instead of stdout; a path ending in .so gets a model "
             "library (+ .h) for --target instead, like icl-compile's"),
    cl::value_desc("OUT.mlir|libOUT.so"), cl::sub(compileCommand), cl::cat(category));
cl::opt<bool> report("report",
                     cl::desc("Print layers, heads per layer, residual and MLP width to stderr"),
                     cl::sub(compileCommand), cl::cat(category));
cl::SubCommandGroup targeted({&compileCommand, &runCommand});
cl::opt<std::string> target("target",
                            cl::desc("Where the transformer runs: x86 or cuda (compile: the "
                                     "target of a -o library)"),
                            cl::init("x86"), cl::value_desc("x86|cuda"), cl::sub(targeted),
                            cl::cat(category));
cl::opt<size_t> samples("samples",
                        cl::desc("Check this many random inputs when there are more than "
                                 "10000 (default 200)"),
                        cl::init(200), cl::value_desc("K"), cl::sub(verifyCommand), cl::cat(category));
cl::opt<std::string> modelPath(
    "model",
    cl::desc("Verify this module instead of the freshly compiled one: a transformer written by "
             "`icl-rasp compile -o` with the same options, e.g. after icl-opt passes (token "
             "pruning, approximate attention) that may change what it computes"),
    cl::value_desc("MODULE.mlir"), cl::sub(verifyCommand), cl::cat(category));

/// Inputs verify checks one by one before it samples.
constexpr size_t kExhaustiveLimit = 10000;

int fail(Error err) {
  errs() << toString(std::move(err)) << "\n";
  return 1;
}

Expected<const Node *> loadSOp(std::unique_ptr<Program> &program) {
  Expected<std::unique_ptr<Program>> loaded = Program::fromFile(programPath);
  if (!loaded)
    return loaded.takeError();
  program = std::move(*loaded);
  return program->getSOp(sopName);
}

/// The named s-op of the program, compiled for --vocab/--max-len/--causal.
struct CompiledSOp {
  std::unique_ptr<Program> program;
  const Node *sop = nullptr;
  Transformer model;
};

Expected<CompiledSOp> loadAndCompile() {
  CompiledSOp compiled;
  Expected<const Node *> sop = loadSOp(compiled.program);
  if (!sop)
    return sop.takeError();
  compiled.sop = *sop;
  rasp::CompileOptions options;
  options.vocab = parseTokens(vocabText);
  options.maxLen = maxLen;
  options.causal = causal;
  Expected<Transformer> model = compileTransformer(**sop, options);
  if (!model)
    return model.takeError();
  compiled.model = std::move(*model);
  return compiled;
}

/// The compiled transformer's native code, with the context it lives in.
struct NativeModel {
  mlir::MLIRContext context;
  std::unique_ptr<JitFunction> function;

  /// JIT-compiles the transformer, or the module at `path` when one is given.
  Error load(const Transformer &model, StringRef path = "") {
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (path.empty()) {
      module = buildModule(model, sopName, context);
      if (!module)
        return createStringError("error: the built module does not verify (a compiler bug)");
    } else {
      module = loadModule(path, context);
      if (!module)
        return createStringError("error: cannot load the model '" + path.str() + "'");
    }
    Expected<mlir::func::FuncOp> func = findEntryFunction(*module, sopName);
    if (!func)
      return func.takeError();
    Expected<std::unique_ptr<JitFunction>> jit = JitFunction::compile(*func);
    if (!jit)
      return jit.takeError();
    function = std::move(*jit);
    return Error::success();
  }

  Expected<Sequence> run(const Transformer &model, ArrayRef<Atom> input) {
    Expected<std::vector<int64_t>> ids = model.encode(input);
    if (!ids)
      return ids.takeError();
    HostArray array = HostArray::fromInt64(DType::I64, {1, int64_t(model.length())}, *ids);
    Expected<std::vector<HostArray>> outputs = function->run({array});
    if (!outputs)
      return outputs.takeError();
    return model.decode(outputs->front().toDouble(), input.size());
  }
};

int evalMain() {
  std::unique_ptr<Program> program;
  Expected<const Node *> sop = loadSOp(program);
  if (!sop)
    return fail(sop.takeError());
  Expected<Sequence> result = evaluate(**sop, parseTokens(inputText));
  if (!result)
    return fail(result.takeError());
  outs() << formatJson(*result) << "\n";
  return 0;
}

int compileMain() {
  Expected<CompiledSOp> compiled = loadAndCompile();
  if (!compiled)
    return fail(compiled.takeError());
  const Transformer &model = compiled->model;
  if (report)
    errs() << model.report();
  if (outputPath.empty()) {
    emitModule(model, sopName, outs());
    return 0;
  }
  if (StringRef(outputPath).ends_with(".so")) {
    // A model library, as icl-compile writes one: entry point `sopName`
    // taking the ids [1, N] (BOS first) and giving the output scores.
    if (target != "x86" && target != "cuda")
      return fail(createStringError("error: unknown --target '" + target + "' (x86 or cuda)"));
    mlir::MLIRContext context;
    mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(model, sopName, context);
    if (!module)
      return fail(createStringError("error: the built module does not verify (a compiler bug)"));
    icl::CompileOptions options;
    options.output = outputPath;
    options.sourceName = sys::path::filename(programPath).str();
    options.pipeline.target = target == "cuda" ? icl::Target::Cuda : icl::Target::X86;
    if (Error err = compileModule(*module, options))
      return fail(createStringError("error: " + toString(std::move(err))));
    outs() << model.reportJson() << "\n";
    return 0;
  }
  if (target != "x86")
    return fail(createStringError("error: --target applies to a library (-o libOUT.so); the "
                                  "module is the same for both targets"));
  if (Error err = writeFile(outputPath, [&](raw_pwrite_stream &os) {
        emitModule(model, sopName, os);
        return Error::success();
      }))
    return fail(createStringError("error: " + toString(std::move(err))));
  outs() << model.reportJson() << "\n";
  return 0;
}

int runMain() {
  if (target != "x86")
    return fail(createStringError(
        target == "cuda" ? "error: --target cuda is not available: compiled RASP models run "
                           "on x86 in this build"
                         : "error: unknown --target '" + target + "' (x86 or cuda)"));
  Expected<CompiledSOp> compiled = loadAndCompile();
  if (!compiled)
    return fail(compiled.takeError());
  const Transformer &model = compiled->model;
  std::vector<Atom> input = parseTokens(inputText);
  // Bad input is reported before the (slower) native compilation.
  if (Error err = model.encode(input).takeError())
    return fail(std::move(err));
  NativeModel native;
  if (Error err = native.load(model))
    return fail(std::move(err));
  Expected<Sequence> result = native.run(model, input);
  if (!result)
    return fail(result.takeError());
  outs() << formatJson(*result) << "\n";
  return 0;
}

int verifyMain() {
  Expected<CompiledSOp> compiled = loadAndCompile();
  if (!compiled)
    return fail(compiled.takeError());
  const Transformer &model = compiled->model;
  const Node &sop = *compiled->sop;
  NativeModel native;
  if (Error err = native.load(model, modelPath))
    return fail(std::move(err));
  VerificationInputs checks =
      verificationInputs(model.vocab, maxLen, kExhaustiveLimit, samples, /*seed=*/1);
  size_t mismatches = 0, interpreterErrors = 0;
  for (const std::vector<Atom> &input : checks.inputs) {
    Expected<Sequence> expected = evaluate(sop, input);
    if (!expected) {
      // No right answer to compare with.
      consumeError(expected.takeError());
      ++interpreterErrors;
      continue;
    }
    Expected<Sequence> actual = native.run(model, input);
    if (!actual)
      return fail(actual.takeError());
    bool same = expected->size() == actual->size() &&
                llvm::all_of(llvm::zip(*expected, *actual), [](auto pair) {
                  return sameValue(std::get<0>(pair), std::get<1>(pair));
                });
    if (same)
      continue;
    if (++mismatches <= 5)
      errs() << "mismatch on " << formatJson(input) << ": interpreter " << formatJson(*expected)
             << ", transformer " << formatJson(*actual) << "\n";
  }
  outs() << "{\"checked\":" << checks.inputs.size() - interpreterErrors
         << ",\"mismatches\":" << mismatches << ",\"interpreter_errors\":" << interpreterErrors
         << ",\"exhaustive\":" << (checks.exhaustive ? "true" : "false") << "}\n";
  return mismatches ? 1 : 0;
}

/// Everything main does but the final check of standard output.
int run(int argc, char **argv) {
  // The JIT's phases honour MLIR's pass-manager options (crash reproducer,
  // timing).
  icl::registerPassManagerCommandLineOptions();
  // The libraries' own options are not this tool's.
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "icl-rasp: interpret RASP programs, compile them into "
                              "transformers, run and verify those\n");
  if (evalCommand)
    return evalMain();
  if (compileCommand)
    return compileMain();
  if (runCommand)
    return runMain();
  if (verifyCommand)
    return verifyMain();
  errs() << "error: expected a command: eval, compile, run or verify (see icl-rasp --help)\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  int rc = run(argc, argv);
  if (Error err = flushStandardOutput())
    return fail(createStringError("error: " + toString(std::move(err))));
  return rc;
}
