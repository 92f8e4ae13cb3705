//===- AttentionKernelsTest.cpp - The fused attention kernels as IR -------===//
//
// Every kernel icl-cuda-attention builds (bf16/f16 x head dims 64/128,
// prefill and decode) verifies, and its launch spec agrees with the func:
// argument names and types, block size, shared memory as the kernels'
// launch contracts give them. Variants of the tuning knobs build and verify
// too; configurations the kernels cannot be laid out for fail with an error.
//
//===----------------------------------------------------------------------===//

#include "passes/cuda/AttentionKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

using namespace mlir;
using namespace mlir::icl;

namespace {

const std::vector<std::string> kAttentionInputs = {
    "mask",   "key_sizes", "hq",      "group",   "sq",      "skv",     "scale_log2",   "mask_kind",
    "window", "has_mask",  "mask_sb", "mask_sh", "mask_si", "mask_sj", "has_key_sizes"};

/// `before`, then the inputs every attention kernel takes, then `after`.
std::vector<std::string> attentionArguments(std::vector<std::string> before,
                                            const std::vector<std::string> &after = {}) {
  before.insert(before.end(), kAttentionInputs.begin(), kAttentionInputs.end());
  before.insert(before.end(), after.begin(), after.end());
  return before;
}

/// Bytes of the func's workgroup (static shared) buffers.
int64_t workgroupBytes(gpu::GPUFuncOp func) {
  int64_t bytes = 0;
  for (BlockArgument buffer : func.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(buffer.getType());
    bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
  }
  return bytes;
}

/// (bf16?, head dimension).
class AttentionKernelsTest : public ::testing::TestWithParam<std::tuple<bool, int64_t>> {
protected:
  AttentionKernelsTest() {
    context.loadDialect<arith::ArithDialect, gpu::GPUDialect, LLVM::LLVMDialect, NVVM::NVVMDialect,
                        math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                        vector::VectorDialect>();
    module = ModuleOp::create(UnknownLoc::get(&context));
    OpBuilder b = OpBuilder::atBlockEnd(module->getBody());
    kernels = gpu::GPUModuleOp::create(b, module->getLoc(), "kernels");
  }

  Type element() {
    return std::get<0>(GetParam()) ? Type(BFloat16Type::get(&context))
                                   : Type(Float16Type::get(&context));
  }
  int64_t headDim() { return std::get<1>(GetParam()); }

  /// The spec names, types and block size are the func's.
  void expectConsistent(const KernelLaunchSpec &spec, const std::vector<std::string> &names) {
    gpu::GPUFuncOp func = spec.func;
    ASSERT_TRUE(func);
    EXPECT_TRUE(func.isKernel());
    EXPECT_EQ(std::vector<std::string>(spec.arguments.begin(), spec.arguments.end()), names);
    ASSERT_EQ(func.getNumArguments(), spec.arguments.size());
    for (auto [i, name] : llvm::enumerate(spec.arguments)) {
      auto loc = dyn_cast<NameLoc>(func.getArgument(i).getLoc());
      ASSERT_TRUE(loc) << "argument " << name << " has no name";
      EXPECT_EQ(loc.getName().str(), name);
    }
    std::optional<ArrayRef<int32_t>> block = func.getKnownBlockSize();
    ASSERT_TRUE(block.has_value());
    EXPECT_EQ(std::vector<int32_t>(block->begin(), block->end()),
              (std::vector<int32_t>{static_cast<int32_t>(spec.threads), 1, 1}));
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  gpu::GPUModuleOp kernels;
};

TEST_P(AttentionKernelsTest, Flash) {
  FailureOr<KernelLaunchSpec> spec =
      buildFlashAttention(kernels, FlashAttentionConfig(element(), headDim()));
  ASSERT_TRUE(succeeded(spec));
  ASSERT_TRUE(succeeded(verify(*module)));
  expectConsistent(*spec, attentionArguments({"q", "k", "v", "o"}));
  EXPECT_EQ(spec->func.getName(), "icl_flash_attention");
  EXPECT_EQ(spec->threads, 128);
  EXPECT_EQ(spec->rowsPerBlock, 128);
  // (BM + 4 BN) (D + 8) 2: D = 64: 55296 bytes, D = 128: 104448 bytes.
  EXPECT_EQ(spec->sharedBytes, (128 + 4 * 64) * (headDim() + 8) * 2);
  EXPECT_EQ(spec->sharedBytes, headDim() == 64 ? 55296 : 104448);
  EXPECT_TRUE(spec->func.getWorkgroupAttributions().empty());
  // The element type is the memrefs' and the mma multiplicands'.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(cast<MemRefType>(spec->func.getArgumentTypes()[i]).getElementType(), element());
}

TEST_P(AttentionKernelsTest, Decode) {
  FailureOr<DecodeAttentionKernels> decode =
      buildDecodeAttention(kernels, DecodeAttentionConfig(element(), headDim()));
  ASSERT_TRUE(succeeded(decode));
  ASSERT_TRUE(succeeded(verify(*module)));
  expectConsistent(decode->partial,
                   attentionArguments({"q", "k", "v", "o_part", "ml_part"}, {"chunk", "splits"}));
  expectConsistent(decode->combine, {"o_part", "ml_part", "o", "hq", "group", "sq", "splits"});
  EXPECT_EQ(decode->partial.func.getName(), "icl_decode_partial");
  EXPECT_EQ(decode->combine.func.getName(), "icl_decode_combine");
  EXPECT_EQ(decode->partial.threads, 128);
  EXPECT_EQ(decode->partial.rowsPerBlock, DecodeAttentionConfig::maxRows);
  EXPECT_EQ(decode->partial.sharedBytes, 0);
  EXPECT_EQ(decode->combine.threads, 256);
  EXPECT_EQ(decode->combine.rowsPerBlock, 1);
  EXPECT_EQ(decode->combine.sharedBytes, 0);
  EXPECT_EQ(decode->keyTile, 64);
  EXPECT_EQ(decode->minChunk, 512);
  EXPECT_EQ(decode->residentBlocks, 2);
  EXPECT_EQ(decode->partialValuesPerRow, headDim());
  EXPECT_EQ(decode->partialStatesPerRow, 2);
  // Static shared memory: 4*16*D*4 + 512 bytes, and 4224 bytes.
  EXPECT_EQ(workgroupBytes(decode->partial.func), 4 * 16 * headDim() * 4 + 512);
  EXPECT_EQ(workgroupBytes(decode->combine.func), 4224);
}

TEST_P(AttentionKernelsTest, FlashVariants) {
  FlashAttentionConfig config(element(), headDim());
  config.warps = 8;
  config.mTiles = 1;
  config.keyTile = 32;
  config.queryInRegisters = !config.queryInRegisters;
  config.skipRescale = true;
  config.lazyRescale = 0;
  config.minBlocksPerMultiprocessor = 1;
  FailureOr<KernelLaunchSpec> spec = buildFlashAttention(kernels, config);
  ASSERT_TRUE(succeeded(spec));
  ASSERT_TRUE(succeeded(verify(*module)));
  expectConsistent(*spec, attentionArguments({"q", "k", "v", "o"}));
  EXPECT_EQ(spec->threads, 256);
  EXPECT_EQ(spec->rowsPerBlock, 128);
  EXPECT_EQ(spec->sharedBytes, (128 + 4 * 32) * (headDim() + 8) * 2);
  EXPECT_TRUE(spec->func->hasAttr("nvvm.minctasm"));
}

TEST_P(AttentionKernelsTest, DecodeVariants) {
  DecodeAttentionConfig config(element(), headDim());
  config.keysPerWarpStep = 32;
  config.minBlocksPerMultiprocessor = 3;
  FailureOr<DecodeAttentionKernels> decode = buildDecodeAttention(kernels, config);
  ASSERT_TRUE(succeeded(decode));
  ASSERT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(decode->keyTile, 128);
  EXPECT_TRUE(decode->partial.func->hasAttr("nvvm.minctasm"));
}

TEST_P(AttentionKernelsTest, UnsupportedConfigs) {
  std::vector<std::string> errors;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    errors.push_back(diagnostic.str());
    return success();
  });
  FlashAttentionConfig flash(element(), headDim() + 8);
  EXPECT_TRUE(failed(buildFlashAttention(kernels, flash)));
  DecodeAttentionConfig decode(element(), headDim());
  decode.keysPerWarpStep = 24;
  EXPECT_TRUE(failed(buildDecodeAttention(kernels, decode)));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("no flash attention kernel"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("no decode attention kernels"), std::string::npos) << errors[1];
  EXPECT_TRUE(kernels.getBody()->empty());
}

INSTANTIATE_TEST_SUITE_P(ElementAndHeadDim, AttentionKernelsTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Values<int64_t>(64, 128)),
                         [](const auto &info) {
                           return std::string(std::get<0>(info.param) ? "bf16" : "f16") + "_d" +
                                  std::to_string(std::get<1>(info.param));
                         });

} // namespace
