//===- CudaRuntimeTest.cpp - The CUDA backend of the runtime --------------===//
//
// Without a GPU (CI machines have none), every entry must fail cleanly with a
// message saying why. With one, memory, copies, the pool, resident weights
// and hand-written PTX kernels run through the MLIR GPU runtime ABI.
//
//===----------------------------------------------------------------------===//

#include "runtime/icl_cuda.h"
#include "runtime/icl_runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

bool hasGpu() {
  static const bool gpu = [] {
    bool usable = icl_cuda_init() == 0;
    icl_cuda_clear_error();
    return usable;
  }();
  return gpu;
}

std::string pendingError() { return icl_cuda_error(); }

/// Every test starts and ends with no error pending on the default stream.
class CudaTest : public ::testing::Test {
protected:
  // hasGpu() probes the driver once and clears the error it leaves: do it
  // before the test makes errors of its own (ctest runs each test alone).
  void SetUp() override {
    (void)hasGpu();
    icl_cuda_clear_error();
  }
  void TearDown() override {
    icl_cuda_set_stream(nullptr);
    icl_cuda_clear_error();
  }
};

#define SKIP_WITH_GPU()                                                                            \
  if (hasGpu())                                                                                    \
  GTEST_SKIP() << "a GPU is present: the no-driver behaviour is not testable here"
#define SKIP_WITHOUT_GPU()                                                                         \
  if (!hasGpu())                                                                                   \
  GTEST_SKIP() << "no usable GPU: " << [] {                                                        \
    icl_cuda_init();                                                                               \
    return pendingError();                                                                         \
  }()

using CudaWithoutGpu = CudaTest;
using CudaAbi = CudaTest;
using CudaOnGpu = CudaTest;

TEST_F(CudaWithoutGpu, RuntimeCreateSaysWhyAndWhatToDo) {
  SKIP_WITH_GPU();
  icl_runtime *rt = nullptr;
  EXPECT_NE(icl_runtime_create(ICL_DEVICE_CUDA, &rt), 0);
  ASSERT_NE(rt, nullptr);
  std::string message = icl_runtime_error(rt);
  EXPECT_NE(message.find("--target=x86"), std::string::npos) << message;
  if (void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL))
    dlclose(driver);
  else
    EXPECT_NE(message.find("no NVIDIA driver: libcuda.so.1 cannot be loaded"), std::string::npos)
        << message;
  // The runtime object still reports, and loading anything says the same.
  icl_module *module = nullptr;
  EXPECT_NE(icl_module_load(rt, "libmodel.so", &module), 0);
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(std::string(icl_runtime_error(rt)), "cannot load libmodel.so: " + message);
  EXPECT_EQ(icl_runtime_device_alloc(rt, 64), nullptr);
  EXPECT_EQ(std::string(icl_runtime_error(rt)), message);
  icl_runtime_destroy(rt);
}

TEST_F(CudaWithoutGpu, EveryCallFailsCleanly) {
  SKIP_WITH_GPU();
  EXPECT_NE(icl_cuda_init(), 0);
  std::string message = pendingError();
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(icl_cuda_compute_capability(), -1);
  char name[64] = "unchanged";
  EXPECT_NE(icl_cuda_device_name(name, sizeof name), 0);
  EXPECT_STREQ(name, "");

  icl_cuda_clear_error();
  EXPECT_EQ(icl_cuda_alloc(1024), nullptr);
  EXPECT_EQ(pendingError(), message);
  icl_cuda_clear_error();
  char host[16] = {};
  EXPECT_NE(icl_cuda_copy(host, host + 8, 8), 0);
  EXPECT_NE(icl_cuda_synchronize(), 0);
  EXPECT_EQ(icl_cuda_resident(host, sizeof host), nullptr);
  EXPECT_EQ(mgpuMemAlloc(256, nullptr, false), nullptr);
  mgpuMemcpy(host, host + 8, 8, nullptr);
  mgpuMemset32(host, 0, 2, nullptr);
  mgpuMemset16(host, 0, 4, nullptr);
  mgpuStreamSynchronize(nullptr);
  EXPECT_EQ(pendingError(), message);
}

TEST_F(CudaAbi, InvalidPtxReturnsNullAndLeavesAnError) {
  char text[] = "this is not PTX";
  EXPECT_EQ(mgpuModuleLoadJIT(text, 2), nullptr);
  std::string message = pendingError();
  EXPECT_FALSE(message.empty());
  if (hasGpu()) {
    EXPECT_NE(message.find("JIT compilation of PTX (.version missing, .target missing)"),
              std::string::npos)
        << message;
  }
  // Functions of the missing module are NULL; the first error stays.
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "kernel"), nullptr);
  EXPECT_EQ(pendingError(), message);
  mgpuModuleUnload(nullptr);
}

TEST_F(CudaAbi, LaunchWithoutKernelDoesNothing) {
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  std::string message = pendingError();
  EXPECT_FALSE(message.empty());
  if (hasGpu()) {
    EXPECT_NE(message.find("has no kernel"), std::string::npos) << message;
  }
  // A pending error keeps later launches from running.
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(pendingError(), message);
}

TEST_F(CudaAbi, StreamIsPerThreadAndEventsAreInert) {
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  void *stream = reinterpret_cast<void *>(0x1230);
  icl_cuda_set_stream(stream);
  EXPECT_EQ(mgpuStreamCreate(), stream);
  void *other = stream;
  std::thread([&] { other = mgpuStreamCreate(); }).join();
  EXPECT_EQ(other, nullptr);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  mgpuEventRecord(nullptr, stream);
  mgpuStreamWaitEvent(stream, nullptr);
  mgpuEventSynchronize(nullptr);
  mgpuEventDestroy(nullptr);
  EXPECT_EQ(pendingError(), "");
}

TEST_F(CudaAbi, FreeingForeignMemoryIsAnError) {
  icl_cuda_free(nullptr);
  mgpuMemFree(nullptr, nullptr);
  EXPECT_EQ(pendingError(), "");
  int local = 0;
  icl_cuda_free(&local);
  EXPECT_NE(pendingError().find("it was not allocated by this pool"), std::string::npos)
      << pendingError();
}

TEST(CudaCpuRuntime, DeviceHelpersUseHostMemory) {
  icl_runtime *rt = nullptr;
  ASSERT_EQ(icl_runtime_create(ICL_DEVICE_CPU, &rt), 0);
  icl_runtime_set_stream(rt, reinterpret_cast<void *>(0x1230));
  std::vector<float> in = {1.5f, -2.0f, 3.25f}, out(3);
  void *buffer = icl_runtime_device_alloc(rt, sizeof(float) * in.size());
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(icl_runtime_copy(rt, buffer, in.data(), sizeof(float) * in.size()), 0);
  EXPECT_EQ(icl_runtime_copy(rt, out.data(), buffer, sizeof(float) * in.size()), 0);
  EXPECT_EQ(out, in);
  EXPECT_EQ(icl_runtime_synchronize(rt), 0);
  icl_runtime_device_free(rt, buffer);
  icl_runtime_destroy(rt);
}

TEST(CudaCpuRuntime, UnknownDeviceIsRefused) {
  icl_runtime *rt = nullptr;
  EXPECT_NE(icl_runtime_create(static_cast<icl_device>(7), &rt), 0);
  EXPECT_NE(std::string(icl_runtime_error(rt)).find("unknown device 7"), std::string::npos);
  icl_runtime_destroy(rt);
}

//===--- With a GPU -------------------------------------------------------===//

/// out[i] = in[i] * scale for i < n.
const char kScalePtx[] = R"(
.version 7.0
.target sm_70
.address_size 64

.visible .entry icl_test_scale(.param .u64 p_out, .param .u64 p_in, .param .f32 p_scale,
                               .param .u32 p_n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p_out];
  ld.param.u64 %rd2, [p_in];
  ld.param.f32 %f1, [p_scale];
  ld.param.u32 %r1, [p_n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd3, %rd2;
  cvta.to.global.u64 %rd4, %rd1;
  mul.wide.u32 %rd5, %r5, 4;
  add.s64 %rd6, %rd3, %rd5;
  ld.global.f32 %f2, [%rd6];
  mul.f32 %f2, %f2, %f1;
  add.s64 %rd7, %rd4, %rd5;
  st.global.f32 [%rd7], %f2;
DONE:
  ret;
}
)";

/// One block: each thread stores in[tid] at the top of the dynamic shared
/// buffer of `words` floats and reads back its mirror's, so
/// out[tid] = in[ntid - 1 - tid] only if the whole buffer is there.
const char kSharedPtx[] = R"(
.version 7.0
.target sm_70
.address_size 64

.extern .shared .align 16 .b8 icl_test_dynamic[];

.visible .entry icl_test_mirror(.param .u64 p_out, .param .u64 p_in, .param .u32 p_words)
{
  .reg .b32 %r<12>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p_out];
  ld.param.u64 %rd2, [p_in];
  ld.param.u32 %r1, [p_words];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, icl_test_dynamic;
  sub.s32 %r5, %r1, %r3;
  add.s32 %r6, %r5, %r2;
  shl.b32 %r6, %r6, 2;
  add.s32 %r6, %r4, %r6;
  cvta.to.global.u64 %rd3, %rd2;
  mul.wide.u32 %rd4, %r2, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.global.f32 %f1, [%rd5];
  st.shared.f32 [%r6], %f1;
  bar.sync 0;
  sub.s32 %r7, %r3, 1;
  sub.s32 %r7, %r7, %r2;
  add.s32 %r8, %r5, %r7;
  shl.b32 %r8, %r8, 2;
  add.s32 %r8, %r4, %r8;
  ld.shared.f32 %f2, [%r8];
  cvta.to.global.u64 %rd6, %rd1;
  add.s64 %rd7, %rd6, %rd4;
  st.global.f32 [%rd7], %f2;
  ret;
}
)";

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

TEST_F(CudaOnGpu, DescribesTheDevice) {
  SKIP_WITHOUT_GPU();
  char name[256];
  ASSERT_EQ(icl_cuda_device_name(name, sizeof name), 0);
  EXPECT_NE(std::string(name).find("(sm_"), std::string::npos) << name;
  EXPECT_GE(icl_cuda_compute_capability(), 50);
  icl_runtime *rt = nullptr;
  EXPECT_EQ(icl_runtime_create(ICL_DEVICE_CUDA, &rt), 0) << icl_runtime_error(rt);
  icl_runtime_destroy(rt);
}

TEST_F(CudaOnGpu, CopiesRoundTrip) {
  SKIP_WITHOUT_GPU();
  std::vector<float> in = randomFloats(300001, 1), out(in.size());
  size_t bytes = in.size() * sizeof(float);
  void *a = icl_cuda_alloc(bytes), *b = icl_cuda_alloc(bytes);
  ASSERT_TRUE(a && b) << pendingError();
  EXPECT_EQ(icl_cuda_copy(a, in.data(), bytes), 0) << pendingError();
  EXPECT_EQ(icl_cuda_copy(b, a, bytes), 0) << pendingError();
  EXPECT_EQ(icl_cuda_copy(out.data(), b, bytes), 0) << pendingError();
  EXPECT_EQ(out, in);
  icl_cuda_free(a);
  icl_cuda_free(b);
  EXPECT_EQ(icl_cuda_synchronize(), 0) << pendingError();
}

TEST_F(CudaOnGpu, PoolReusesBlocksOfTheSameStream) {
  SKIP_WITHOUT_GPU();
  void *p = icl_cuda_alloc(4096);
  ASSERT_NE(p, nullptr) << pendingError();
  icl_cuda_free(p);
  void *small = icl_cuda_alloc(1000); // a quarter: not worth the block
  EXPECT_NE(small, p);
  void *q = icl_cuda_alloc(2100); // within 2x: the freed block
  EXPECT_EQ(q, p);
  icl_cuda_free(q);
  icl_cuda_free(small);
  // Freed on another stream: not reused for this one.
  void *r = icl_cuda_alloc(1 << 20);
  icl_cuda_set_stream(reinterpret_cast<void *>(0x1230));
  icl_cuda_free(r);
  icl_cuda_set_stream(nullptr);
  void *s = icl_cuda_alloc(1 << 20);
  EXPECT_NE(s, r);
  icl_cuda_free(s);
  EXPECT_EQ(pendingError(), "");
}

TEST_F(CudaOnGpu, ResidentWeightsUploadOnce) {
  SKIP_WITHOUT_GPU();
  static const std::vector<float> weights = randomFloats(4097, 2);
  size_t bytes = weights.size() * sizeof(float);
  void *first = icl_cuda_resident(weights.data(), bytes);
  ASSERT_NE(first, nullptr) << pendingError();
  EXPECT_EQ(icl_cuda_resident(weights.data(), bytes), first);
  std::vector<float> back(weights.size());
  EXPECT_EQ(icl_cuda_copy(back.data(), first, bytes), 0) << pendingError();
  EXPECT_EQ(back, weights);
}

TEST_F(CudaOnGpu, RunsPtxKernelsAndMemsets) {
  SKIP_WITHOUT_GPU();
  std::string ptx = kScalePtx;
  void *module = mgpuModuleLoadJIT(ptx.data(), 3);
  ASSERT_NE(module, nullptr) << pendingError();
  void *kernel = mgpuModuleGetFunction(module, "icl_test_scale");
  ASSERT_NE(kernel, nullptr) << pendingError();

  uint32_t n = 10000;
  std::vector<float> in = randomFloats(n, 3), out(n);
  void *stream = mgpuStreamCreate();
  void *dIn = mgpuMemAlloc(n * sizeof(float), stream, false);
  void *dOut = mgpuMemAlloc(n * sizeof(float), stream, false);
  ASSERT_TRUE(dIn && dOut) << pendingError();
  mgpuMemcpy(dIn, in.data(), n * sizeof(float), stream);
  float scale = -1.5f;
  void *params[] = {&dOut, &dIn, &scale, &n};
  mgpuLaunchKernel(kernel, (n + 255) / 256, 1, 1, 256, 1, 1, 0, stream, params, nullptr, 4);
  mgpuStreamSynchronize(stream);
  ASSERT_EQ(icl_cuda_copy(out.data(), dOut, n * sizeof(float)), 0) << pendingError();
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(out[i], in[i] * scale) << "at " << i;

  mgpuMemset32(dOut, 0x3f800000u, n, stream); // 1.0f
  ASSERT_EQ(icl_cuda_copy(out.data(), dOut, n * sizeof(float)), 0) << pendingError();
  EXPECT_EQ(out, std::vector<float>(n, 1.0f));
  std::vector<uint16_t> halves(2 * n);
  mgpuMemset16(dOut, 0xabcd, 2 * n, stream);
  ASSERT_EQ(icl_cuda_copy(halves.data(), dOut, n * sizeof(float)), 0) << pendingError();
  EXPECT_EQ(halves, std::vector<uint16_t>(2 * n, 0xabcd));

  mgpuMemFree(dIn, stream);
  mgpuMemFree(dOut, stream);
  mgpuModuleUnload(module);
  EXPECT_EQ(pendingError(), "");
}

TEST_F(CudaOnGpu, LaunchesWithMoreThan48KiBOfSharedMemory) {
  SKIP_WITHOUT_GPU();
  std::string ptx = kSharedPtx;
  void *module = mgpuModuleLoadJIT(ptx.data(), 4);
  ASSERT_NE(module, nullptr) << pendingError();
  void *kernel = mgpuModuleGetFunction(module, "icl_test_mirror");
  ASSERT_NE(kernel, nullptr) << pendingError();
  uint32_t threads = 256, words = 96 * 1024 / 4;
  std::vector<float> in = randomFloats(threads, 4), out(threads);
  void *dIn = icl_cuda_alloc(threads * sizeof(float)), *dOut = icl_cuda_alloc(threads * sizeof(float));
  ASSERT_EQ(icl_cuda_copy(dIn, in.data(), threads * sizeof(float)), 0) << pendingError();
  void *params[] = {&dOut, &dIn, &words};
  for (int launch = 0; launch < 2; ++launch) // the second finds the attribute set
    mgpuLaunchKernel(kernel, 1, 1, 1, threads, 1, 1, static_cast<int32_t>(words * 4), nullptr,
                     params, nullptr, 3);
  ASSERT_EQ(icl_cuda_synchronize(), 0) << pendingError();
  ASSERT_EQ(icl_cuda_copy(out.data(), dOut, threads * sizeof(float)), 0) << pendingError();
  for (uint32_t i = 0; i < threads; ++i)
    ASSERT_EQ(out[i], in[threads - 1 - i]) << "at " << i;
  icl_cuda_free(dIn);
  icl_cuda_free(dOut);
  mgpuModuleUnload(module);
}

TEST_F(CudaOnGpu, LaunchErrorsNameTheKernelAndItsConfiguration) {
  SKIP_WITHOUT_GPU();
  std::string ptx = kScalePtx;
  void *module = mgpuModuleLoadJIT(ptx.data(), 3);
  void *kernel = mgpuModuleGetFunction(module, "icl_test_scale");
  ASSERT_NE(kernel, nullptr) << pendingError();
  void *buffer = icl_cuda_alloc(4);
  float scale = 1;
  uint32_t n = 1;
  void *params[] = {&buffer, &buffer, &scale, &n};
  mgpuLaunchKernel(kernel, 64, 32, 4, 4096, 1, 1, 0, nullptr, params, nullptr, 4);
  std::string message = pendingError();
  EXPECT_NE(message.find("cuLaunchKernel of 'icl_test_scale' (grid 64x32x4, block 4096, 0 B "
                         "shared) failed: CUDA_ERROR_INVALID_VALUE"),
            std::string::npos)
      << message;
  icl_cuda_clear_error();
  mgpuLaunchKernel(kernel, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr, 4);
  EXPECT_EQ(icl_cuda_synchronize(), 0) << pendingError();
  icl_cuda_free(buffer);
  mgpuModuleUnload(module);
}

TEST_F(CudaOnGpu, JitErrorsCarryTheLog) {
  SKIP_WITHOUT_GPU();
  char ptx[] = ".version 7.0\n.target sm_70\n.address_size 64\n"
               ".visible .entry broken()\n{\n  bogus.instruction;\n  ret;\n}\n";
  EXPECT_EQ(mgpuModuleLoadJIT(ptx, 4), nullptr);
  std::string message = pendingError();
  EXPECT_NE(message.find("JIT compilation of PTX (.version 7.0, .target sm_70) for device"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("line 6"), std::string::npos) << message;
}

} // namespace
