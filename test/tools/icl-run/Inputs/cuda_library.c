/* A CUDA model library written by hand, laid out the way icl-compile
 * --target=cuda builds one: the runtime's CUDA backend pasted in (hidden),
 * PTX JIT-loaded by a constructor, and one function mul(x: f32[4]) -> x * w
 * whose packed entry takes device pointers and launches one kernel on the
 * calling thread's stream, with w a weight made resident on the GPU. */
#define ICL_CUDA_EMBEDDED 1
#include "runtime/icl_cuda.c"
#include "runtime/icl_library.h"

static const char ptx[] = "\n\
.version 7.0\n\
.target sm_70\n\
.address_size 64\n\
.visible .entry icl_test_mul(.param .u64 p_out, .param .u64 p_a, .param .u64 p_b,\n\
                             .param .u32 p_n)\n\
{\n\
  .reg .pred %p<2>;\n\
  .reg .b32 %r<3>;\n\
  .reg .f32 %f<4>;\n\
  .reg .b64 %rd<8>;\n\
  ld.param.u64 %rd1, [p_out];\n\
  ld.param.u64 %rd2, [p_a];\n\
  ld.param.u64 %rd3, [p_b];\n\
  ld.param.u32 %r1, [p_n];\n\
  mov.u32 %r2, %tid.x;\n\
  setp.ge.u32 %p1, %r2, %r1;\n\
  @%p1 bra DONE;\n\
  mul.wide.u32 %rd4, %r2, 4;\n\
  cvta.to.global.u64 %rd5, %rd2;\n\
  add.s64 %rd5, %rd5, %rd4;\n\
  ld.global.f32 %f1, [%rd5];\n\
  cvta.to.global.u64 %rd6, %rd3;\n\
  add.s64 %rd6, %rd6, %rd4;\n\
  ld.global.f32 %f2, [%rd6];\n\
  mul.f32 %f3, %f1, %f2;\n\
  cvta.to.global.u64 %rd7, %rd1;\n\
  add.s64 %rd7, %rd7, %rd4;\n\
  st.global.f32 [%rd7], %f3;\n\
DONE:\n\
  ret;\n\
}\n";

static void *module, *kernel;

__attribute__((constructor)) static void load(void) {
  module = mgpuModuleLoadJIT((void *)ptx, 4);
  kernel = mgpuModuleGetFunction(module, "icl_test_mul");
}

__attribute__((destructor)) static void unload(void) { mgpuModuleUnload(module); }

static const float weights[4] = {1.0f, 2.0f, -3.0f, 0.5f};

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
} memref_1d;

static void packed_mul(void **args) {
  memref_1d *x = *(memref_1d **)args[0], *y = *(memref_1d **)args[1];
  void *in = x->aligned + x->offset, *out = y->aligned + y->offset;
  void *w = icl_cuda_resident(weights, sizeof weights);
  uint32_t n = 4;
  void *params[] = {&out, &in, &w, &n};
  void *stream = mgpuStreamCreate();
  mgpuLaunchKernel(kernel, 1, 1, 1, 32, 1, 1, 0, stream, params, NULL, 4);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

static const int64_t shape[] = {4};
static const icl_library_tensor mul_args[] = {{2, 1, shape, -1}};
static const icl_library_tensor mul_results[] = {{2, 1, shape, -1}};
static const icl_library_function functions[] = {
    {"mul", packed_mul, 1, 1, mul_args, mul_results}};
static const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION, "icl test", 1, functions,
                                      1, icl_cuda_error, icl_cuda_clear_error,
                                      icl_cuda_set_stream};

__attribute__((visibility("default"))) const icl_library_info *icl_library_get_info(void) {
  return &info;
}
