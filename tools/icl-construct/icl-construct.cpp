//===- icl-construct.cpp - Build and verify in-context-learning constructions ===//
//
//   icl-construct gd|pgd|ridge|newton --dim d --examples N [--out-dim o]
//                 [--steps K] [--lr η] [--lambda λ] [--preconditioner Γ.npy]
//                 [--alpha α] [--batch B] [--looped [--readout-every-layer
//                 --max-steps M]] [--readout-every-layer] [-o OUT.mlir]
//                 [--report]
//   icl-construct verify gd|pgd|ridge|newton --dim d --examples N
//                 [--out-dim o] [--steps K] [--lr η] [--lambda λ]
//                 [--preconditioner Γ.npy] [--alpha α] [--looped
//                 [--max-steps M]] [--include-query-in-keys] [--tasks T]
//                 [--seed S] [--noise σ] [--bound X] [--csv FILE]
//   icl-construct verify MODEL.mlir [--tasks T] [--seed S] [--noise σ]
//                 [--bound X] [--csv FILE]
//
// Building writes the module (to -o, else to stdout; with -o, one JSON line
// of sizes goes to stdout); --report describes its layers on stderr. verify
// builds the model with B = T and every step read out (so it takes neither
// --batch, --readout-every-layer, -o nor --report), JIT-compiles it once for
// the host, runs it on seeded regression tasks and prints one JSON line
// comparing it step by step with the closed-form iterate
// (docs/constructions.md); it exits 1 when a prediction is off by more than
// X·max(1, |closed form|), X = --bound (default 1e-5). Errors: one line on
// stderr, exit 1, no file written.
//
//===----------------------------------------------------------------------===//

#include "frontends/constructions/ModelBuilder.h"
#include "frontends/constructions/Options.h"
#include "frontends/constructions/Plan.h"
#include "frontends/constructions/Verify.h"
#include "lib/Driver/Compile.h"
#include "lib/Driver/Jit.h"
#include "lib/Driver/ModuleLoader.h"
#include "lib/Support/Files.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace icl;
using namespace icl::construct;

namespace {

cl::OptionCategory category("icl-construct options");
cl::SubCommand gdCommand("gd", "Gradient descent as linear self-attention");
cl::SubCommand pgdCommand("pgd", "Preconditioned gradient descent (--preconditioner)");
cl::SubCommand ridgeCommand("ridge", "Ridge-regularised gradient descent (--lambda)");
cl::SubCommand newtonCommand("newton", "Newton's iteration for least squares (Newton-Schulz)");
cl::SubCommand verifyCommand(
    "verify", "Run a construction (built from the options, or MODEL.mlir) on seeded regression "
              "tasks and compare every step with the closed form: pass when every prediction "
              "is within --bound*max(1, |closed form|)");
cl::SubCommandGroup building({&gdCommand, &pgdCommand, &ridgeCommand, &newtonCommand});
cl::SubCommandGroup everything({&gdCommand, &pgdCommand, &ridgeCommand, &newtonCommand,
                                &verifyCommand});

cl::opt<std::string> verified(cl::Positional, cl::Required,
                              cl::desc("<gd|pgd|ridge|newton|MODEL.mlir>"),
                              cl::sub(verifyCommand), cl::cat(category));
cl::opt<int64_t> dim("dim", cl::desc("d, the size of x"), cl::value_desc("d"),
                     cl::sub(everything), cl::cat(category));
cl::opt<int64_t> outDim("out-dim", cl::desc("o, the size of y (default 1)"), cl::init(1),
                        cl::value_desc("o"), cl::sub(everything), cl::cat(category));
cl::opt<int64_t> examples("examples", cl::desc("N, the context examples before the query"),
                          cl::value_desc("N"), cl::sub(everything), cl::cat(category));
cl::opt<int64_t> steps("steps",
                       cl::desc("K, the optimiser's steps (stacked layers); with --looped the "
                                "model takes K at run time and this sets the steps verify "
                                "checks, 0..K (default: --max-steps, else 8)"),
                       cl::value_desc("K"), cl::sub(everything), cl::cat(category));
cl::opt<double> lr("lr", cl::desc("eta, the step size (gd, pgd, ridge; default 0.1)"),
                   cl::init(0.1), cl::value_desc("eta"), cl::sub(everything), cl::cat(category));
cl::opt<double> lambda("lambda", cl::desc("lambda >= 0, the ridge penalty (ridge; default 0)"),
                       cl::init(0.0), cl::value_desc("lambda"), cl::sub(everything),
                       cl::cat(category));
cl::opt<std::string> preconditioner(
    "preconditioner", cl::desc("Gamma, a d x d float32 or float64 .npy array (pgd)"),
    cl::value_desc("FILE.npy"), cl::sub(everything), cl::cat(category));
cl::opt<double> alpha("alpha",
                      cl::desc("alpha of M_0 = alpha*S (newton; default "
                               "1/(1 + sqrt(d/N) + sqrt(2 ln(1e4)/N))^4)"),
                      cl::value_desc("alpha"), cl::sub(everything), cl::cat(category));
cl::opt<int64_t> batch("batch", cl::desc("B, prompts per call (default 1)"), cl::init(1),
                       cl::value_desc("B"), cl::sub(building), cl::cat(category));
cl::opt<bool> looped("looped",
                     cl::desc("One block with tied weights looped K times, K being argument "
                              "1 (tensor<i64>)"),
                     cl::sub(everything), cl::cat(category));
cl::opt<int64_t> maxSteps("max-steps",
                          cl::desc("M, the rows of the per-step result of a looped model "
                                   "(needs K <= M)"),
                          cl::value_desc("M"), cl::sub(everything), cl::cat(category));
cl::opt<bool> readoutEveryLayer("readout-every-layer",
                                cl::desc("A second result: the prediction after each step"),
                                cl::sub(building), cl::cat(category));
cl::opt<bool> includeQueryInKeys(
    "include-query-in-keys",
    cl::desc("Deliberately wrong, for tests: keys and values over all N+1 tokens, the query "
             "included (breaks gd from K = 2 on)"),
    cl::sub(everything), cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Write the module here instead of stdout"),
                                cl::value_desc("OUT.mlir"), cl::sub(building), cl::cat(category));
cl::opt<bool> report("report",
                     cl::desc("Print the layers, what each implements and its weights' "
                              "shapes to stderr"),
                     cl::sub(building), cl::cat(category));
cl::opt<int64_t> tasks("tasks", cl::desc("Regression tasks to run (default 256)"), cl::init(256),
                       cl::value_desc("T"), cl::sub(verifyCommand), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("Seed of the tasks (default 0)"), cl::init(0),
                       cl::value_desc("S"), cl::sub(verifyCommand), cl::cat(category));
cl::opt<double> noise("noise", cl::desc("Standard deviation of the noise on y (default 0)"),
                      cl::init(0.0), cl::value_desc("sigma"), cl::sub(verifyCommand),
                      cl::cat(category));
cl::opt<double> bound(
    "bound",
    cl::desc("A step passes when every prediction is within X*max(1, |closed form|) (default "
             "1e-5: enough for gd, pgd and ridge up to N*d of about 5e5, and for newton with "
             "N >= 4d; float32 sums over larger N*d, and newton on ill-conditioned S (N close "
             "to d), need a larger X such as 1e-4; docs/constructions.md)"),
    cl::init(kRelativeBound), cl::value_desc("X"), cl::sub(verifyCommand), cl::cat(category));
cl::opt<std::string> csvPath("csv",
                             cl::desc("Also write the table construction,step,"
                                      "err_closed_form,err_least_squares"),
                             cl::value_desc("FILE.csv"), cl::sub(verifyCommand),
                             cl::cat(category));

int fail(const Twine &message) {
  errs() << "icl-construct: error: " << message << "\n";
  return 1;
}

int fail(Error err) { return fail(toString(std::move(err))); }

bool given(const cl::Option &option) { return option.getNumOccurrences() > 0; }

/// The flag of a parameter only some constructions take.
const cl::Option &flagOf(Parameter parameter) {
  switch (parameter) {
  case Parameter::LR:
    return lr;
  case Parameter::Lambda:
    return lambda;
  case Parameter::Preconditioner:
    return preconditioner;
  case Parameter::Alpha:
    return alpha;
  }
  llvm_unreachable("unknown parameter");
}

/// The options of the flags for a construction of `kind`; flags that do not
/// apply to it are errors. `batchFlag` names the flag that set --batch
/// (verify sets it from --tasks).
Expected<Options> optionsFromFlags(Kind kind, StringRef batchFlag = "--batch") {
  for (const ParameterInfo &parameter : parameterTable())
    if (given(flagOf(parameter.id)) && !takes(kind, parameter.id))
      return createStringError(formatv("--{0} applies to {1} only, not {2}: drop it",
                                       parameter.name, parameter.takenBy, kindName(kind)));
  if (!given(dim))
    return createStringError("--dim d is required (the size of x)");
  if (!given(examples))
    return createStringError("--examples N is required (the context examples before the query)");
  if (!given(steps) && !looped)
    return createStringError("--steps K is required (the optimiser's steps; or --looped, "
                             "which takes K at run time)");
  Options o;
  o.kind = kind;
  o.dim = dim;
  o.outDim = outDim;
  o.examples = examples;
  o.maxSteps = maxSteps;
  o.steps = given(steps) ? int64_t(steps) : (given(maxSteps) ? int64_t(maxSteps) : 8);
  o.batch = batch;
  o.lr = lr;
  o.lambda = lambda;
  if (given(alpha))
    o.alpha = alpha;
  o.looped = looped;
  o.readoutEveryLayer = readoutEveryLayer;
  o.includeQueryInKeys = includeQueryInKeys;
  if (kind == Kind::PGD && preconditioner.empty())
    return createStringError("pgd needs --preconditioner FILE.npy: Gamma, a d x d float32 or "
                             "float64 array");
  // Γ's file is read once d is known to be sane; validate() names a bad d.
  if (kind == Kind::PGD && o.dim >= 1 && o.dim <= kMaxDim) {
    Expected<std::vector<double>> gamma = readPreconditioner(preconditioner, o.dim);
    if (!gamma)
      return gamma.takeError();
    o.preconditioner = std::move(*gamma);
  }
  if (Error err = validate(o, batchFlag))
    return std::move(err);
  return o;
}

int buildMain(Kind kind) {
  Expected<Options> options = optionsFromFlags(kind);
  if (!options)
    return fail(options.takeError());
  if (report)
    errs() << construct::report(*options, planOf(*options));
  if (outputPath.empty()) {
    if (Error err = emitModule(*options, outs()))
      return fail(std::move(err));
    return 0;
  }
  // writeFile removes the file when emitModule fails.
  if (Error err = writeFile(outputPath,
                            [&](raw_pwrite_stream &os) { return emitModule(*options, os); }))
    return fail(std::move(err));
  Plan plan = planOf(*options);
  int64_t blocks = (plan.init ? 1 : 0) + (plan.readout ? 1 : 0);
  outs() << "{\"construction\":\"" << kindName(kind) << "\",\"width\":" << plan.width();
  if (options->looped)
    outs() << ",\"lsa_layers_outside_loop\":" << blocks << ",\"looped\":true}\n";
  else
    outs() << ",\"lsa_layers\":" << blocks + options->steps << ",\"looped\":false}\n";
  return 0;
}

/// The model verify runs: built from the flags with one prompt per task and
/// every step read out, or loaded from a file.
struct VerifiedModel {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  Options options;

  Error build(Kind kind) {
    // --tasks is checked before it becomes the batch; validate() then names
    // it, not --batch.
    batch = tasks;
    readoutEveryLayer = true;
    if (looped && !given(maxSteps))
      maxSteps = given(steps) ? int64_t(steps) : 8;
    Expected<Options> o = optionsFromFlags(kind, "--tasks");
    if (!o)
      return o.takeError();
    options = *o;
    module = buildModule(options, context);
    if (!module)
      return createStringError("the built module does not verify (a bug of icl-construct)");
    return Error::success();
  }

  Error load(StringRef path) {
    std::vector<const cl::Option *> parameters{&dim,   &outDim,   &examples,
                                               &steps, &looped,   &maxSteps,
                                               &includeQueryInKeys};
    for (const ParameterInfo &parameter : parameterTable())
      parameters.push_back(&flagOf(parameter.id));
    for (const cl::Option *option : parameters)
      if (given(*option))
        return createStringError("verify MODEL.mlir takes the construction's parameters from "
                                 "the module: drop --" +
                                 option->ArgStr);
    // Looped models assert on K; the loader may not know cf yet.
    context.loadDialect<mlir::cf::ControlFlowDialect>();
    if (Error err = checkRegularFile(path))
      return err;
    module = loadModule(path, context);
    if (!module)
      return createStringError("cannot load the model '" + path + "'");
    Expected<Options> o = optionsOf(*module);
    if (!o)
      return createStringError(path + ": " + toString(o.takeError()));
    options = *o;
    return Error::success();
  }
};

int verifyMain() {
  VerifyOptions settings;
  settings.tasks = tasks;
  settings.seed = seed;
  settings.noise = noise;
  settings.bound = bound;
  if (Error err = checkSettings(settings))
    return fail(std::move(err));
  VerifiedModel model;
  std::optional<Kind> kind = parseKind(verified);
  if (Error err = kind ? model.build(*kind) : model.load(verified))
    return fail(std::move(err));
  // Before compiling: a loaded model's batch may leave T·(N+1)·C too large.
  if (Error err = checkTaskCount(model.options, settings))
    return fail(std::move(err));
  Expected<mlir::func::FuncOp> func = findEntryFunction(*model.module, kindName(model.options.kind));
  if (!func)
    return fail(func.takeError());
  Expected<std::unique_ptr<JitFunction>> jit = JitFunction::compile(*func);
  if (!jit)
    return fail(jit.takeError());
  Expected<Verification> result =
      verifyModel(model.options, settings, [&](ArrayRef<HostArray> inputs) {
        return (*jit)->run(inputs);
      });
  if (!result)
    return fail(result.takeError());
  printJson(*result, outs());
  if (!csvPath.empty())
    if (Error err = writeFile(csvPath, [&](raw_pwrite_stream &os) {
          printCsv(*result, os);
          return Error::success();
        }))
      return fail(std::move(err));
  return result->ok ? 0 : 1;
}

/// Everything main does but the final check of standard output.
int run(int argc, char **argv) {
  icl::registerPassManagerCommandLineOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "icl-construct: transformers of linear self-attention that run "
                              "an optimiser on the regression task in their prompt "
                              "(docs/constructions.md)\n");
  for (auto [command, kind] : {std::pair{&gdCommand, Kind::GD}, {&pgdCommand, Kind::PGD},
                               {&ridgeCommand, Kind::Ridge}, {&newtonCommand, Kind::Newton}})
    if (*command)
      return buildMain(kind);
  if (verifyCommand)
    return verifyMain();
  return fail("expected a command: gd, pgd, ridge, newton or verify (see icl-construct --help)");
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  int rc = run(argc, argv);
  if (Error err = flushStandardOutput())
    return fail(std::move(err));
  return rc;
}
