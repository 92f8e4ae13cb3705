//===- fuzz-rasp.cpp - The RASP frontend under libFuzzer ------------------===//
//
// The input is a RASP program, taken as `icl-rasp` takes one: parsed and
// run to build its graph (Program::fromSource, under the interpreter's
// budgets), then each of its last few s-ops evaluated on short inputs of
// characters and of integers and compiled into a transformer for a small
// vocabulary (compileTransformer). The input is also read as an --input /
// --vocab argument (parseTokens). Seeds: examples/rasp and the programs of
// test/Frontends/rasp.
//
//===----------------------------------------------------------------------===//

#include "frontends/rasp/Compiler.h"
#include "frontends/rasp/Interpreter.h"
#include "frontends/rasp/Json.h"
#include "tools/fuzz/FuzzSupport.h"

using namespace icl;
using namespace icl::rasp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text = fuzz::asText(data, size);
  (void)parseTokens(text);
  auto program = Program::fromSource(text, fuzz::scratchDir() + "/fuzz.rasp");
  if (!program) {
    fuzz::expectMessage(program.takeError());
    return 0;
  }
  llvm::ArrayRef<std::string> names = (*program)->getNames();
  int tried = 0;
  for (size_t i = names.size(); i-- > 0 && tried < 2;) {
    llvm::Expected<const Node *> sop = (*program)->getSOp(names[i]);
    if (!sop) {
      llvm::consumeError(sop.takeError());
      continue;
    }
    ++tried;
    for (const char *tokens : {"abca", "[2, 0, 1]"}) {
      llvm::Expected<Sequence> out = evaluate(**sop, parseTokens(tokens));
      if (!out)
        fuzz::expectMessage(out.takeError());
    }
    for (const char *vocab : {"abc", "[0, 1, 2]"}) {
      CompileOptions options;
      options.vocab = parseTokens(vocab);
      options.maxLen = 3;
      llvm::Expected<Transformer> model = compileTransformer(**sop, options);
      if (!model)
        fuzz::expectMessage(model.takeError());
    }
  }
  return 0;
}
