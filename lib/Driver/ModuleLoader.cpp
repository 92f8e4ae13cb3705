//===- ModuleLoader.cpp - Load any model format as an icl module ----------===//

#include "lib/Driver/ModuleLoader.h"

#include "dialects/icl/IR/IclDialect.h"
#include "frontends/hf/HfImporter.h"
#include "frontends/onnx/OnnxImporter.h"
#include "lib/Support/Files.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

namespace icl {

void registerModelDialects(DialectRegistry &registry) {
  // scf and affine: a module may hold icl ops tiled into loops over slices
  // (TilingInterface, test/Dialect/icl/tiling.mlir), and looped models
  // (scf.for / scf.while over layers, cf.assert on their arguments).
  registry.insert<mlir::icl::IclDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  tensor::TensorDialect, linalg::LinalgDialect, scf::SCFDialect,
                  affine::AffineDialect, cf::ControlFlowDialect>();
}

/// How deeply brackets, types and attributes may nest in a module's text.
/// MLIR's parser recurses once per level and overflows the stack on a few
/// ten thousand levels; icl's own modules nest about ten deep.
static constexpr int kMaxIrNesting = 256;

/// Whether `c` continues a name, or starts a value, symbol, block or alias
/// name (`%permutation = ...` is not the attribute).
static bool isNameChar(char c) {
  return llvm::isAlnum(c) || llvm::StringRef("_.$%@^#!").contains(c);
}

/// Whether `text` starts with `[` integers separated by commas `]`.
static bool isIntegerList(llvm::StringRef text) {
  if (!text.consume_front("["))
    return false;
  text = text.ltrim();
  if (text.consume_front("]"))
    return true;
  while (true) {
    text.consume_front("-");
    size_t digits = text.find_if_not(llvm::isDigit);
    if (digits == 0 || digits == llvm::StringRef::npos)
      return false;
    text = text.drop_front(digits).ltrim();
    if (text.consume_front("]"))
      return true;
    if (!text.consume_front(","))
      return false;
    text = text.ltrim();
  }
}

/// Refuses, before MLIR's parser sees it, text that would crash the parser
/// rather than give a diagnostic: nesting beyond kMaxIrNesting, a
/// `dialect_resources` blob whose alignment (its first four bytes) is not a
/// power of two, and a malformed `permutation`/`dimensions` list.
static LogicalResult checkBeforeParsing(const llvm::SourceMgr &sourceMgr) {
  const llvm::MemoryBuffer &buffer = *sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  llvm::StringRef text = buffer.getBuffer();
  // Without the source line, which may be megabytes long.
  auto fail = [&](size_t at, const llvm::Twine &message) {
    auto [line, column] =
        sourceMgr.getLineAndColumn(llvm::SMLoc::getFromPointer(text.data() + at));
    llvm::errs() << buffer.getBufferIdentifier() << ":" << line << ":" << column << ": ";
    llvm::WithColor::error() << message << "\n";
    return failure();
  };
  int depth = 0;
  bool inResources = false;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    if (c == '/' && text.substr(i).starts_with("//")) {
      i = std::min(text.find('\n', i), e);
      continue;
    }
    if (c == '"') {
      size_t start = i;
      for (++i; i < e && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      llvm::StringRef body = text.slice(start + 1, std::min(i, e));
      // A blob is "0x" then its alignment as 4 little-endian bytes in hex.
      if (inResources && body.starts_with("0x") && body.size() >= 10) {
        uint32_t alignment = 0;
        bool hex = true;
        for (int b = 3; b >= 0; --b) {
          unsigned byte;
          hex &= !body.substr(2 + 2 * b, 2).getAsInteger(16, byte);
          alignment = alignment << 8 | (hex ? byte : 0);
        }
        if (hex && !llvm::isPowerOf2_32(alignment))
          return fail(start, "the resource blob's alignment " + llvm::Twine(alignment) +
                                 " (its first four bytes) is not a power of two");
      }
      continue;
    }
    if (c == '{' && text.substr(i).starts_with("{-#"))
      inResources = true;
    // MLIR 22's parsers of linalg.transpose, broadcast and reduce crash
    // (after their diagnostic) when `permutation =` or `dimensions =` is not
    // followed by a list of integers.
    for (llvm::StringRef keyword : {"permutation", "dimensions"}) {
      if (!text.substr(i).starts_with(keyword) || (i > 0 && isNameChar(text[i - 1])))
        continue;
      llvm::StringRef rest = text.substr(i + keyword.size()).ltrim();
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (rest.starts_with("array<") || isIntegerList(rest))
        continue;
      return fail(i, "expected a list of integers such as [1, 0] after '" + keyword +
                         " =' (MLIR's linalg parsers crash on anything else)");
    }
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > kMaxIrNesting)
        return fail(i, "the module nests more than " + llvm::Twine(kMaxIrNesting) +
                           " levels deep (kMaxIrNesting in lib/Driver/ModuleLoader.cpp), "
                           "more than MLIR's parser can take");
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      // `->` and `>=` close nothing.
      if (!(c == '>' && i > 0 && (text[i - 1] == '-')) &&
          !(c == '>' && i + 1 < e && text[i + 1] == '='))
        --depth;
    }
  }
  return success();
}

static OwningOpRef<ModuleOp> parse(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                   MLIRContext &context) {
  DialectRegistry registry;
  registerModelDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (failed(checkBeforeParsing(sourceMgr)))
    return nullptr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

bool isCheckpoint(llvm::StringRef path) { return hf::isHuggingFaceDir(path); }

OwningOpRef<ModuleOp> loadModule(llvm::StringRef path, MLIRContext &context,
                                 const ImportShapes &shapes) {
  if (hf::isHuggingFaceDir(path)) {
    DialectRegistry registry;
    registerModelDialects(registry);
    context.appendDialectRegistry(registry);
    hf::HfImportOptions options;
    options.batch = shapes.batch;
    options.seqLen = shapes.seqLen;
    llvm::Expected<OwningOpRef<ModuleOp>> module = hf::importHuggingFace(path, context, options);
    if (!module) {
      llvm::WithColor::error() << llvm::toString(module.takeError()) << "\n";
      return nullptr;
    }
    return std::move(*module);
  }
  if (path.ends_with(".onnx")) {
    llvm::Expected<OwningOpRef<ModuleOp>> module = importOnnx(path, context);
    if (!module) {
      llvm::WithColor::error() << llvm::toString(module.takeError()) << "\n";
      return nullptr;
    }
    // Part of the input phase: exported graphs spell attention, norms and
    // GELU as primitive ops; icl's own ops lower and tile better.
    PassManager pm(&context);
    pm.addNestedPass<func::FuncOp>(mlir::icl::createRaiseFusedOps());
    if (failed(pm.run(**module))) {
      llvm::WithColor::error() << path << ": --icl-raise-fused-ops failed on the imported module\n";
      return nullptr;
    }
    return std::move(*module);
  }
  if (llvm::sys::fs::is_directory(path)) {
    llvm::WithColor::error() << path
                             << " is a directory without a config.json: give a .mlir module or a "
                                "Hugging Face model directory (config.json + model.safetensors)\n";
    return nullptr;
  }
  if (path == "-") {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getSTDIN();
    if (!buffer) {
      llvm::WithColor::error() << "cannot read standard input: " << buffer.getError().message()
                               << "\n";
      return nullptr;
    }
    return parse(std::move(*buffer), context);
  }
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer = readFile(path);
  if (!buffer) {
    llvm::WithColor::error() << llvm::toString(buffer.takeError()) << "\n";
    return nullptr;
  }
  return parse(std::move(*buffer), context);
}

OwningOpRef<ModuleOp> parseModule(llvm::StringRef source, llvm::StringRef bufferName,
                                  MLIRContext &context) {
  return parse(llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), context);
}

llvm::Expected<func::FuncOp> findEntryFunction(ModuleOp module, llvm::StringRef name) {
  if (!name.empty()) {
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      return func;
    return llvm::createStringError("no function named '%s' in the module", name.str().c_str());
  }
  func::FuncOp found;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    if (found)
      return llvm::createStringError(
          "the module has several public functions ('%s', '%s', ...): choose one with --function",
          found.getSymName().str().c_str(), func.getSymName().str().c_str());
    found = func;
  }
  if (!found)
    return llvm::createStringError("the module has no public function with a body");
  return found;
}

} // namespace icl
