/* icl_cuda.c - the CUDA backend of the icl runtime (declared in icl_cuda.h).
 *
 * Two kinds of copies of this file run in a process. libicl_runtime.so
 * compiles it with default visibility for the runtime's own copies and
 * allocations. Every CUDA model library carries another copy: the compiler
 * pastes this text into the library's glue after `#define ICL_CUDA_EMBEDDED 1`,
 * which makes every function hidden, so the library's compiled host code (the
 * mgpu* calls of MLIR's GPU lowering, icl_cuda_resident for its weights) binds
 * to its own copy and libraries never clash. Each copy has its own driver
 * table, error, memory pool and weights; all use the device's primary
 * context, so device pointers and streams pass freely between them.
 *
 * The driver is loaded with dlopen at the first call, so the file depends on
 * libc, libdl and pthreads only. It has no static constructors: a library's
 * constructor, which JIT-loads the library's PTX, may be the first caller.
 */
#ifndef ICL_CUDA_EMBEDDED
#include "runtime/icl_cuda.h"
#endif

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ICL_CUDA_EMBEDDED
#define ICL_CUDA_API __attribute__((visibility("hidden")))
#else
#define ICL_CUDA_API __attribute__((visibility("default")))
#endif

/*===--- The driver API, declared here so no CUDA header is needed --------===*/

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;

enum {
  ICL_CU_ERROR_OUT_OF_MEMORY = 2,
  ICL_CU_ERROR_NO_BINARY_FOR_GPU = 209,
  ICL_CU_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  ICL_CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  ICL_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  ICL_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  ICL_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
  ICL_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  ICL_CU_JIT_INFO_LOG_BUFFER = 3,
  ICL_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  ICL_CU_JIT_ERROR_LOG_BUFFER = 5,
  ICL_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  ICL_CU_JIT_OPTIMIZATION_LEVEL = 7,
};

/* Launches asking for more dynamic shared memory than this need the
 * function's opt-in attribute. */
#define ICL_CUDA_DEFAULT_SHARED (48 * 1024)

static struct {
  CUresult (*cuInit)(unsigned int flags);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetName)(char *name, int size, CUdevice device);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuCtxGetCurrent)(CUcontext *context);
  CUresult (*cuCtxSetCurrent)(CUcontext context);
  CUresult (*cuCtxSynchronize)(void);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuMemAlloc)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr ptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void *src, size_t bytes);
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr dst, unsigned short value, size_t count,
                               CUstream stream);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image, unsigned int numOptions,
                                 int *options, void **values);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module, const char *name);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned int gridX, unsigned int gridY,
                             unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                             unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                             void **params, void **extra);
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
} icl_cu;

/* The symbol behind each entry: the _v2 names where the driver has them. */
static const struct {
  const char *name;
  void **slot;
} icl_cuda_symbols[] = {
    {"cuInit", (void **)&icl_cu.cuInit},
    {"cuDeviceGetCount", (void **)&icl_cu.cuDeviceGetCount},
    {"cuDeviceGet", (void **)&icl_cu.cuDeviceGet},
    {"cuDeviceGetName", (void **)&icl_cu.cuDeviceGetName},
    {"cuDeviceGetAttribute", (void **)&icl_cu.cuDeviceGetAttribute},
    {"cuDevicePrimaryCtxRetain", (void **)&icl_cu.cuDevicePrimaryCtxRetain},
    {"cuCtxGetCurrent", (void **)&icl_cu.cuCtxGetCurrent},
    {"cuCtxSetCurrent", (void **)&icl_cu.cuCtxSetCurrent},
    {"cuCtxSynchronize", (void **)&icl_cu.cuCtxSynchronize},
    {"cuStreamSynchronize", (void **)&icl_cu.cuStreamSynchronize},
    {"cuMemAlloc_v2", (void **)&icl_cu.cuMemAlloc},
    {"cuMemFree_v2", (void **)&icl_cu.cuMemFree},
    {"cuMemcpyHtoD_v2", (void **)&icl_cu.cuMemcpyHtoD},
    {"cuMemcpyAsync", (void **)&icl_cu.cuMemcpyAsync},
    {"cuMemsetD32Async", (void **)&icl_cu.cuMemsetD32Async},
    {"cuMemsetD16Async", (void **)&icl_cu.cuMemsetD16Async},
    {"cuModuleLoadDataEx", (void **)&icl_cu.cuModuleLoadDataEx},
    {"cuModuleUnload", (void **)&icl_cu.cuModuleUnload},
    {"cuModuleGetFunction", (void **)&icl_cu.cuModuleGetFunction},
    {"cuLaunchKernel", (void **)&icl_cu.cuLaunchKernel},
    {"cuFuncSetAttribute", (void **)&icl_cu.cuFuncSetAttribute},
    {"cuGetErrorName", (void **)&icl_cu.cuGetErrorName},
    {"cuGetErrorString", (void **)&icl_cu.cuGetErrorString},
};

/*===--- Errors -----------------------------------------------------------===*/

static pthread_mutex_t icl_cuda_error_lock = PTHREAD_MUTEX_INITIALIZER;
static char icl_cuda_message[16384];
static atomic_int icl_cuda_pending;

/* Stores the first failure; later ones are usually its consequences. */
__attribute__((format(printf, 1, 2))) static void icl_cuda_fail(const char *format, ...) {
  pthread_mutex_lock(&icl_cuda_error_lock);
  if (!atomic_load(&icl_cuda_pending)) {
    va_list args;
    va_start(args, format);
    vsnprintf(icl_cuda_message, sizeof icl_cuda_message, format, args);
    va_end(args);
    atomic_store(&icl_cuda_pending, 1);
  }
  pthread_mutex_unlock(&icl_cuda_error_lock);
}

/* "CUDA_ERROR_INVALID_VALUE (invalid argument)". */
static const char *icl_cuda_describe(CUresult result, char *buf, size_t size) {
  const char *name = NULL, *text = NULL;
  if (icl_cu.cuGetErrorName)
    icl_cu.cuGetErrorName(result, &name);
  if (icl_cu.cuGetErrorString)
    icl_cu.cuGetErrorString(result, &text);
  if (name && text)
    snprintf(buf, size, "%s (%s)", name, text);
  else
    snprintf(buf, size, "CUDA error %d", result);
  return buf;
}

/* On an error result, stores "<what> failed: <error>"; true on success. */
__attribute__((format(printf, 2, 3))) static bool icl_cuda_check(CUresult result,
                                                                  const char *format, ...) {
  if (result == 0)
    return true;
  char what[1024], error[256];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof what, format, args);
  va_end(args);
  icl_cuda_fail("%s failed: %s", what, icl_cuda_describe(result, error, sizeof error));
  return false;
}

/* For waits: an error here is usually an earlier kernel's, failing while it
 * ran. */
static bool icl_cuda_check_wait(CUresult result, const char *what) {
  if (result == 0)
    return true;
  char error[256];
  icl_cuda_fail("%s failed: %s; a kernel queued before may have failed while running: run with "
                "ICL_CUDA_SYNC=1 to find which",
                what, icl_cuda_describe(result, error, sizeof error));
  return false;
}

/*===--- Initialisation ---------------------------------------------------===*/

static pthread_once_t icl_cuda_once = PTHREAD_ONCE_INIT;
static atomic_int icl_cuda_started;
/* A device chosen by mgpuSetDefaultDevice before the start; -1 if none. */
static atomic_int icl_cuda_requested_device = -1;
static bool icl_cuda_ready;
/* Why the backend is unusable, kept for every later call. */
static char icl_cuda_init_message[1024];
static bool icl_cuda_sync_mode;
static int icl_cuda_ordinal;
static CUdevice icl_cuda_device;
static CUcontext icl_cuda_context;
static int icl_cuda_capability = -1;
static int icl_cuda_sm_count;
static int icl_cuda_shared_optin;
static char icl_cuda_device_label[256];

__attribute__((format(printf, 1, 2))) static void icl_cuda_unusable(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(icl_cuda_init_message, sizeof icl_cuda_init_message, format, args);
  va_end(args);
}

#define ICL_CUDA_REMEDY "or compile for the CPU with --target=x86"

/* Picks the device: mgpuSetDefaultDevice's, else ICL_CUDA_DEVICE, else 0. */
static bool icl_cuda_choose_device(int count) {
  int requested = atomic_load(&icl_cuda_requested_device);
  if (requested >= 0) {
    if (requested >= count) {
      icl_cuda_unusable("mgpuSetDefaultDevice(%d): this machine has %d CUDA device%s (0 to %d)",
                        requested, count, count == 1 ? "" : "s", count - 1);
      return false;
    }
    icl_cuda_ordinal = requested;
    return true;
  }
  const char *env = getenv("ICL_CUDA_DEVICE");
  icl_cuda_ordinal = 0;
  if (!env || !*env)
    return true;
  char *end = NULL;
  long value = strtol(env, &end, 10);
  if (*end || value < 0 || value >= count) {
    icl_cuda_unusable("ICL_CUDA_DEVICE=%s is not a device of this machine: it has %d CUDA device%s "
                      "(0 to %d)",
                      env, count, count == 1 ? "" : "s", count - 1);
    return false;
  }
  icl_cuda_ordinal = (int)value;
  return true;
}

static void icl_cuda_initialize(void) {
  atomic_store(&icl_cuda_started, 1);
  const char *sync = getenv("ICL_CUDA_SYNC");
  icl_cuda_sync_mode = sync && *sync && strcmp(sync, "0") != 0;

  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver) {
    const char *why = dlerror();
    icl_cuda_unusable("no NVIDIA driver: libcuda.so.1 cannot be loaded (%s); install the NVIDIA "
                      "driver, " ICL_CUDA_REMEDY,
                      why ? why : "no reason given");
    return;
  }
  for (size_t i = 0; i < sizeof icl_cuda_symbols / sizeof icl_cuda_symbols[0]; ++i) {
    *icl_cuda_symbols[i].slot = dlsym(driver, icl_cuda_symbols[i].name);
    if (!*icl_cuda_symbols[i].slot) {
      icl_cuda_unusable("the NVIDIA driver is too old: libcuda.so.1 has no %s; update the driver, "
                        ICL_CUDA_REMEDY,
                        icl_cuda_symbols[i].name);
      memset(&icl_cu, 0, sizeof icl_cu);
      return;
    }
  }

  char error[256];
  CUresult result = icl_cu.cuInit(0);
  if (result) {
    icl_cuda_unusable("the NVIDIA driver cannot start: cuInit failed: %s; check the GPU and its "
                      "driver with nvidia-smi, " ICL_CUDA_REMEDY,
                      icl_cuda_describe(result, error, sizeof error));
    return;
  }
  int count = 0;
  result = icl_cu.cuDeviceGetCount(&count);
  if (result) {
    icl_cuda_unusable("cuDeviceGetCount failed: %s; check the GPU and its driver with nvidia-smi, "
                      ICL_CUDA_REMEDY,
                      icl_cuda_describe(result, error, sizeof error));
    return;
  }
  if (count == 0) {
    icl_cuda_unusable("no CUDA device: the NVIDIA driver sees no GPU (CUDA_VISIBLE_DEVICES may "
                      "hide them); check with nvidia-smi, " ICL_CUDA_REMEDY);
    return;
  }
  if (!icl_cuda_choose_device(count))
    return;
  result = icl_cu.cuDeviceGet(&icl_cuda_device, icl_cuda_ordinal);
  if (result) {
    icl_cuda_unusable("cuDeviceGet(%d) failed: %s", icl_cuda_ordinal,
                      icl_cuda_describe(result, error, sizeof error));
    return;
  }
  result = icl_cu.cuDevicePrimaryCtxRetain(&icl_cuda_context, icl_cuda_device);
  if (result) {
    icl_cuda_unusable("CUDA device %d has no usable context: cuDevicePrimaryCtxRetain failed: %s; "
                      "another process may hold the GPU in exclusive mode (see the compute mode "
                      "in nvidia-smi -q)",
                      icl_cuda_ordinal, icl_cuda_describe(result, error, sizeof error));
    return;
  }
  int major = 0, minor = 0;
  icl_cu.cuDeviceGetAttribute(&major, ICL_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                              icl_cuda_device);
  icl_cu.cuDeviceGetAttribute(&minor, ICL_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                              icl_cuda_device);
  icl_cu.cuDeviceGetAttribute(&icl_cuda_sm_count, ICL_CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                              icl_cuda_device);
  icl_cu.cuDeviceGetAttribute(&icl_cuda_shared_optin,
                              ICL_CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                              icl_cuda_device);
  icl_cuda_capability = 10 * major + minor;
  char name[200] = "";
  if (icl_cu.cuDeviceGetName(name, sizeof name, icl_cuda_device))
    snprintf(name, sizeof name, "CUDA device %d", icl_cuda_ordinal);
  snprintf(icl_cuda_device_label, sizeof icl_cuda_device_label, "%s (sm_%d, %d SMs)", name,
           icl_cuda_capability, icl_cuda_sm_count);
  icl_cuda_ready = true;
}

/* Starts the backend once; false (and the reason as the error) if unusable. */
static bool icl_cuda_start(void) {
  pthread_once(&icl_cuda_once, icl_cuda_initialize);
  if (!icl_cuda_ready)
    icl_cuda_fail("%s", icl_cuda_init_message);
  return icl_cuda_ready;
}

/* Makes the device's context current in this thread (the driver's context is
 * per thread, and callers may come from any thread). */
static bool icl_cuda_enter(void) {
  if (!icl_cuda_start())
    return false;
  CUcontext current = NULL;
  if (icl_cu.cuCtxGetCurrent(&current) == 0 && current == icl_cuda_context)
    return true;
  return icl_cuda_check(icl_cu.cuCtxSetCurrent(icl_cuda_context),
                        "making the context of CUDA device %d current (cuCtxSetCurrent)",
                        icl_cuda_ordinal);
}

/* Entered, with no error pending: work may be queued. */
static bool icl_cuda_may_work(void) { return icl_cuda_enter() && !atomic_load(&icl_cuda_pending); }

/* The stream the calling thread's work goes to; NULL is the legacy default. */
static _Thread_local CUstream icl_cuda_stream;

/*===--- Hash tables keyed by pointers ------------------------------------===*/

#define ICL_CUDA_BUCKETS_LOG2 12
#define ICL_CUDA_BUCKETS (1u << ICL_CUDA_BUCKETS_LOG2)

static size_t icl_cuda_hash(uintptr_t key) {
  return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - ICL_CUDA_BUCKETS_LOG2));
}

/*===--- The memory pool --------------------------------------------------===*/

/* A block of device memory: live (handed out), or free and kept for reuse by
 * later work on the stream it was freed on. */
typedef struct icl_cuda_block {
  struct icl_cuda_block *next;
  CUdeviceptr ptr;
  size_t size;
  CUstream stream;
} icl_cuda_block;

/* Free blocks by floor(log2(size)); live blocks by address. */
#define ICL_CUDA_SIZE_CLASSES 64
static pthread_mutex_t icl_cuda_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static icl_cuda_block *icl_cuda_free_blocks[ICL_CUDA_SIZE_CLASSES];
static icl_cuda_block *icl_cuda_live_blocks[ICL_CUDA_BUCKETS];
static size_t icl_cuda_live_bytes;

/* Requests beyond this are refused before the size rounding could wrap. */
#define ICL_CUDA_MAX_BYTES (1ull << 56)

static int icl_cuda_log2(size_t value) { return 63 - __builtin_clzll((unsigned long long)value); }

/* Sizes round up to 256 B; above 1 MiB to a quarter of their power of two,
 * so a reused block wastes at most a quarter of itself. */
static size_t icl_cuda_round_size(uint64_t bytes) {
  size_t size = ((size_t)(bytes ? bytes : 1) + 255) & ~(size_t)255;
  if (size > ((size_t)1 << 20)) {
    size_t quarter = (size_t)1 << (icl_cuda_log2(size) - 2);
    size = (size + quarter - 1) & ~(quarter - 1);
  }
  return size;
}

/* The smallest free block of the stream holding size..2*size bytes. */
static icl_cuda_block *icl_cuda_pool_take(size_t size, CUstream stream) {
  icl_cuda_block **best = NULL;
  int first = icl_cuda_log2(size);
  for (int c = first; c <= first + 1 && c < ICL_CUDA_SIZE_CLASSES; ++c)
    for (icl_cuda_block **link = &icl_cuda_free_blocks[c]; *link; link = &(*link)->next) {
      icl_cuda_block *block = *link;
      if (block->stream == stream && block->size >= size && block->size <= 2 * size &&
          (!best || block->size < (*best)->size))
        best = link;
    }
  if (!best)
    return NULL;
  icl_cuda_block *block = *best;
  *best = block->next;
  return block;
}

static void icl_cuda_live_insert(icl_cuda_block *block) {
  icl_cuda_block **head = &icl_cuda_live_blocks[icl_cuda_hash((uintptr_t)block->ptr)];
  block->next = *head;
  *head = block;
  icl_cuda_live_bytes += block->size;
}

static icl_cuda_block *icl_cuda_live_remove(CUdeviceptr ptr) {
  for (icl_cuda_block **link = &icl_cuda_live_blocks[icl_cuda_hash((uintptr_t)ptr)]; *link;
       link = &(*link)->next)
    if ((*link)->ptr == ptr) {
      icl_cuda_block *block = *link;
      *link = block->next;
      icl_cuda_live_bytes -= block->size;
      return block;
    }
  return NULL;
}

/* Gives every free block back to the driver, once the work that may still
 * use them is done. Returns the bytes released. */
static size_t icl_cuda_pool_release(void) {
  icl_cuda_block *blocks = NULL;
  pthread_mutex_lock(&icl_cuda_pool_lock);
  for (int c = 0; c < ICL_CUDA_SIZE_CLASSES; ++c)
    while (icl_cuda_free_blocks[c]) {
      icl_cuda_block *block = icl_cuda_free_blocks[c];
      icl_cuda_free_blocks[c] = block->next;
      block->next = blocks;
      blocks = block;
    }
  pthread_mutex_unlock(&icl_cuda_pool_lock);
  if (!blocks)
    return 0;
  icl_cu.cuCtxSynchronize();
  size_t released = 0;
  while (blocks) {
    icl_cuda_block *block = blocks;
    blocks = block->next;
    icl_cu.cuMemFree(block->ptr);
    released += block->size;
    free(block);
  }
  return released;
}

/* cuMemAlloc; when the device is full, the pool's free blocks go back to the
 * driver and it tries once more. */
static CUresult icl_cuda_device_alloc(CUdeviceptr *ptr, size_t size, size_t *released) {
  *released = 0;
  CUresult result = icl_cu.cuMemAlloc(ptr, size);
  if (result != ICL_CU_ERROR_OUT_OF_MEMORY)
    return result;
  *released = icl_cuda_pool_release();
  return icl_cu.cuMemAlloc(ptr, size);
}

static void *icl_cuda_pool_alloc(uint64_t bytes, CUstream stream) {
  if (!icl_cuda_may_work())
    return NULL;
  if (bytes > ICL_CUDA_MAX_BYTES) {
    icl_cuda_fail("cannot allocate %llu bytes of device memory", (unsigned long long)bytes);
    return NULL;
  }
  size_t size = icl_cuda_round_size(bytes);
  pthread_mutex_lock(&icl_cuda_pool_lock);
  icl_cuda_block *block = icl_cuda_pool_take(size, stream);
  if (block)
    icl_cuda_live_insert(block);
  pthread_mutex_unlock(&icl_cuda_pool_lock);
  if (block)
    return (void *)(uintptr_t)block->ptr;

  block = (icl_cuda_block *)malloc(sizeof *block);
  if (!block) {
    icl_cuda_fail("out of host memory while allocating %zu bytes of device memory", size);
    return NULL;
  }
  CUdeviceptr ptr = 0;
  size_t released = 0;
  CUresult result = icl_cuda_device_alloc(&ptr, size, &released);
  if (result) {
    free(block);
    pthread_mutex_lock(&icl_cuda_pool_lock);
    size_t live = icl_cuda_live_bytes;
    pthread_mutex_unlock(&icl_cuda_pool_lock);
    char error[256];
    icl_cuda_fail("allocating %zu bytes of device memory on %s failed: %s; this pool has %zu bytes "
                  "in use and released %zu cached bytes before the last try",
                  size, icl_cuda_device_label, icl_cuda_describe(result, error, sizeof error),
                  live, released);
    return NULL;
  }
  block->ptr = ptr;
  block->size = size;
  block->stream = stream;
  pthread_mutex_lock(&icl_cuda_pool_lock);
  icl_cuda_live_insert(block);
  pthread_mutex_unlock(&icl_cuda_pool_lock);
  return (void *)(uintptr_t)ptr;
}

/* Back to the pool, for later work on `stream` (ordered after the uses so
 * far); not to the driver, as a launch using the block may still run. */
static void icl_cuda_pool_free(void *ptr, CUstream stream) {
  if (!ptr)
    return;
  pthread_mutex_lock(&icl_cuda_pool_lock);
  icl_cuda_block *block = icl_cuda_live_remove((CUdeviceptr)(uintptr_t)ptr);
  if (block) {
    block->stream = stream;
    icl_cuda_block **head = &icl_cuda_free_blocks[icl_cuda_log2(block->size)];
    block->next = *head;
    *head = block;
  }
  pthread_mutex_unlock(&icl_cuda_pool_lock);
  if (!block)
    icl_cuda_fail("freeing device memory at %p failed: it was not allocated by this pool "
                  "(icl_cuda_alloc or mgpuMemAlloc), or it was freed already",
                  ptr);
}

/*===--- Resident weights -------------------------------------------------===*/

typedef struct icl_cuda_weight {
  struct icl_cuda_weight *next;
  const void *host;
  uint64_t bytes;
  CUdeviceptr ptr;
} icl_cuda_weight;

static pthread_mutex_t icl_cuda_weights_lock = PTHREAD_MUTEX_INITIALIZER;
static icl_cuda_weight *icl_cuda_weights[ICL_CUDA_BUCKETS];

/* Uploads one weight; called with the weights' lock held, so no weight is
 * uploaded twice. */
static CUdeviceptr icl_cuda_upload(const void *host, uint64_t bytes) {
  CUdeviceptr ptr = 0;
  size_t released = 0;
  CUresult result = icl_cuda_device_alloc(&ptr, (size_t)(bytes ? bytes : 1), &released);
  const char *step = "allocating device memory";
  if (!result && bytes) {
    step = "copying";
    result = icl_cu.cuMemcpyHtoD(ptr, host, (size_t)bytes);
  }
  if (!result) {
    /* A copy from pageable memory may still be in flight when cuMemcpyHtoD
     * returns, and kernels on other streams are not ordered after it. */
    step = "waiting for the copy";
    result = icl_cu.cuCtxSynchronize();
  }
  if (!result)
    return ptr;
  if (ptr)
    icl_cu.cuMemFree(ptr);
  char error[256];
  icl_cuda_fail("uploading a weight of %llu bytes (host address %p) to %s failed while %s: %s",
                (unsigned long long)bytes, host, icl_cuda_device_label, step,
                icl_cuda_describe(result, error, sizeof error));
  return 0;
}

/*===--- Kernels ----------------------------------------------------------===*/

/* What the launch path needs to know about a function: its name for
 * messages, and the dynamic shared memory it has been allowed so far. */
typedef struct icl_cuda_kernel {
  struct icl_cuda_kernel *next;
  CUfunction function;
  CUmodule module;
  int32_t shared_limit;
  char name[];
} icl_cuda_kernel;

static pthread_mutex_t icl_cuda_kernels_lock = PTHREAD_MUTEX_INITIALIZER;
static icl_cuda_kernel *icl_cuda_kernels[ICL_CUDA_BUCKETS];

/* Call with the kernels' lock held. */
static icl_cuda_kernel *icl_cuda_kernel_find(CUfunction function) {
  for (icl_cuda_kernel *k = icl_cuda_kernels[icl_cuda_hash((uintptr_t)function)]; k; k = k->next)
    if (k->function == function)
      return k;
  return NULL;
}

/* Call with the kernels' lock held. NULL if out of host memory (only the
 * messages and the shared-memory cache lose). */
static icl_cuda_kernel *icl_cuda_kernel_add(CUfunction function, CUmodule module,
                                            const char *name) {
  icl_cuda_kernel *k = icl_cuda_kernel_find(function);
  if (k)
    return k;
  size_t length = strlen(name);
  k = (icl_cuda_kernel *)malloc(sizeof *k + length + 1);
  if (!k)
    return NULL;
  k->function = function;
  k->module = module;
  k->shared_limit = ICL_CUDA_DEFAULT_SHARED;
  memcpy(k->name, name, length + 1);
  icl_cuda_kernel **head = &icl_cuda_kernels[icl_cuda_hash((uintptr_t)function)];
  k->next = *head;
  *head = k;
  return k;
}

/* Drops the kernels of an unloaded module, whose handles the driver reuses. */
static void icl_cuda_kernels_forget(CUmodule module) {
  pthread_mutex_lock(&icl_cuda_kernels_lock);
  for (size_t b = 0; b < ICL_CUDA_BUCKETS; ++b)
    for (icl_cuda_kernel **link = &icl_cuda_kernels[b]; *link;) {
      icl_cuda_kernel *k = *link;
      if (k->module == module) {
        *link = k->next;
        free(k);
      } else {
        link = &k->next;
      }
    }
  pthread_mutex_unlock(&icl_cuda_kernels_lock);
}

static void icl_cuda_kernel_name(CUfunction function, char *buf, size_t size) {
  pthread_mutex_lock(&icl_cuda_kernels_lock);
  icl_cuda_kernel *k = icl_cuda_kernel_find(function);
  snprintf(buf, size, "%s", k && k->name[0] ? k->name : "<unnamed kernel>");
  pthread_mutex_unlock(&icl_cuda_kernels_lock);
}

/* "64x32x4", "64x32", "64": trailing unit dimensions are left out. */
static void icl_cuda_dims(char *buf, size_t size, intptr_t x, intptr_t y, intptr_t z) {
  if (z != 1)
    snprintf(buf, size, "%lldx%lldx%lld", (long long)x, (long long)y, (long long)z);
  else if (y != 1)
    snprintf(buf, size, "%lldx%lld", (long long)x, (long long)y);
  else
    snprintf(buf, size, "%lld", (long long)x);
}

/* Allows `function` up to `shared` bytes of dynamic shared memory (needed
 * beyond 48 KiB); each function's attribute is set once per size increase. */
static bool icl_cuda_allow_shared(CUfunction function, int32_t shared) {
  pthread_mutex_lock(&icl_cuda_kernels_lock);
  icl_cuda_kernel *k = icl_cuda_kernel_find(function);
  bool allowed = k && k->shared_limit >= shared;
  pthread_mutex_unlock(&icl_cuda_kernels_lock);
  if (allowed)
    return true;
  CUresult result = icl_cu.cuFuncSetAttribute(
      function, ICL_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, shared);
  if (result) {
    char name[256], error[256];
    icl_cuda_kernel_name(function, name, sizeof name);
    icl_cuda_fail("allowing kernel '%s' %d B of dynamic shared memory (cuFuncSetAttribute) failed: "
                  "%s; %s allows at most %d B per block",
                  name, shared, icl_cuda_describe(result, error, sizeof error),
                  icl_cuda_device_label, icl_cuda_shared_optin);
    return false;
  }
  pthread_mutex_lock(&icl_cuda_kernels_lock);
  k = icl_cuda_kernel_add(function, NULL, "");
  if (k && k->shared_limit < shared)
    k->shared_limit = shared;
  pthread_mutex_unlock(&icl_cuda_kernels_lock);
  return true;
}

/*===--- Modules ----------------------------------------------------------===*/

/* Copies the rest of the line after `directive` in PTX text ("sm_90a"). */
static void icl_cuda_ptx_directive(const char *ptx, const char *directive, char *buf,
                                   size_t size) {
  buf[0] = 0;
  const char *at = strstr(ptx, directive);
  if (!at)
    return;
  at += strlen(directive);
  while (*at == ' ' || *at == '\t')
    ++at;
  size_t n = strcspn(at, "\r\n/");
  while (n && (at[n - 1] == ' ' || at[n - 1] == '\t'))
    --n;
  snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), at);
}

/* cuModuleLoadDataEx with the JIT's logs; optLevel < 0 leaves the driver's
 * default (binary images). */
static void *icl_cuda_load_module(const void *image, int optLevel, bool isPtx) {
  if (!icl_cuda_enter())
    return NULL;
  if (!image) {
    icl_cuda_fail("loading a GPU module failed: the image is missing (NULL)");
    return NULL;
  }
  char errors[8192] = "", info[4096] = "";
  int options[5] = {ICL_CU_JIT_ERROR_LOG_BUFFER, ICL_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                    ICL_CU_JIT_INFO_LOG_BUFFER, ICL_CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
                    ICL_CU_JIT_OPTIMIZATION_LEVEL};
  int level = optLevel < 0 ? 0 : optLevel > 4 ? 4 : optLevel;
  void *values[5] = {errors, (void *)(uintptr_t)sizeof errors, info, (void *)(uintptr_t)sizeof info,
                     (void *)(uintptr_t)level};
  CUmodule module = NULL;
  CUresult result =
      icl_cu.cuModuleLoadDataEx(&module, image, optLevel < 0 ? 4 : 5, options, values);
  if (!result)
    return module;

  char what[256], error[256];
  if (isPtx) {
    char version[32], target[64];
    icl_cuda_ptx_directive((const char *)image, ".version", version, sizeof version);
    icl_cuda_ptx_directive((const char *)image, ".target", target, sizeof target);
    snprintf(what, sizeof what, "JIT compilation of PTX (.version %s, .target %s)",
             version[0] ? version : "missing", target[0] ? target : "missing");
  } else {
    snprintf(what, sizeof what, "loading a GPU binary image");
  }
  const char *hint = "";
  if (result == ICL_CU_ERROR_UNSUPPORTED_PTX_VERSION)
    hint = "; the PTX is newer than this driver understands: update the NVIDIA driver";
  else if (result == ICL_CU_ERROR_NO_BINARY_FOR_GPU)
    hint = "; the image has no code for this GPU: compile for its architecture";
  const char *log = errors[0] ? errors : info;
  icl_cuda_fail("%s for device %d, %s failed: %s%s%s%s", what, icl_cuda_ordinal,
                icl_cuda_device_label, icl_cuda_describe(result, error, sizeof error), hint,
                log[0] ? "\n" : "", log);
  return NULL;
}

/*===--- icl's functions --------------------------------------------------===*/

ICL_CUDA_API int icl_cuda_init(void) { return icl_cuda_start() ? 0 : 1; }

ICL_CUDA_API const char *icl_cuda_error(void) {
  return atomic_load(&icl_cuda_pending) ? icl_cuda_message : "";
}

ICL_CUDA_API void icl_cuda_clear_error(void) {
  pthread_mutex_lock(&icl_cuda_error_lock);
  icl_cuda_message[0] = 0;
  atomic_store(&icl_cuda_pending, 0);
  pthread_mutex_unlock(&icl_cuda_error_lock);
}

ICL_CUDA_API int icl_cuda_device_name(char *buf, int size) {
  if (!buf || size <= 0)
    return 1;
  buf[0] = 0;
  if (!icl_cuda_start())
    return 1;
  snprintf(buf, (size_t)size, "%s", icl_cuda_device_label);
  return 0;
}

ICL_CUDA_API int icl_cuda_compute_capability(void) {
  return icl_cuda_start() ? icl_cuda_capability : -1;
}

ICL_CUDA_API void *icl_cuda_alloc(uint64_t bytes) {
  return icl_cuda_pool_alloc(bytes, icl_cuda_stream);
}

ICL_CUDA_API void icl_cuda_free(void *ptr) { icl_cuda_pool_free(ptr, icl_cuda_stream); }

ICL_CUDA_API int icl_cuda_copy(void *dst, const void *src, uint64_t bytes) {
  if (!icl_cuda_may_work())
    return 1;
  if (!bytes)
    return 0;
  CUstream stream = icl_cuda_stream;
  if (!icl_cuda_check(icl_cu.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                           (CUdeviceptr)(uintptr_t)src, (size_t)bytes, stream),
                      "copying %llu bytes from %p to %p (cuMemcpyAsync)",
                      (unsigned long long)bytes, src, dst))
    return 1;
  return icl_cuda_check_wait(icl_cu.cuStreamSynchronize(stream),
                             "waiting for a copy (cuStreamSynchronize)")
             ? 0
             : 1;
}

ICL_CUDA_API int64_t icl_cuda_read_scalar(int64_t address, int32_t bytes) {
  uint64_t value = 0;
  if (bytes < 1 || bytes > 8 || icl_cuda_copy(&value, (const void *)(uintptr_t)address, (uint64_t)bytes))
    return 0;
  return (int64_t)value;
}

ICL_CUDA_API int icl_cuda_synchronize(void) {
  if (!icl_cuda_enter())
    return 1;
  icl_cuda_check_wait(icl_cu.cuCtxSynchronize(), "waiting for the GPU (cuCtxSynchronize)");
  return atomic_load(&icl_cuda_pending) ? 1 : 0;
}

ICL_CUDA_API void icl_cuda_set_stream(void *stream) { icl_cuda_stream = (CUstream)stream; }

ICL_CUDA_API void *icl_cuda_resident(const void *host, uint64_t bytes) {
  if (!icl_cuda_may_work())
    return NULL;
  icl_cuda_weight **head = &icl_cuda_weights[icl_cuda_hash((uintptr_t)host)];
  CUdeviceptr ptr = 0;
  pthread_mutex_lock(&icl_cuda_weights_lock);
  for (icl_cuda_weight *w = *head; w && !ptr; w = w->next)
    if (w->host == host && w->bytes == bytes)
      ptr = w->ptr;
  if (!ptr) {
    icl_cuda_weight *w = (icl_cuda_weight *)malloc(sizeof *w);
    ptr = w ? icl_cuda_upload(host, bytes) : 0;
    if (ptr) {
      w->host = host;
      w->bytes = bytes;
      w->ptr = ptr;
      w->next = *head;
      *head = w;
    } else {
      if (!w)
        icl_cuda_fail("out of host memory while uploading a weight of %llu bytes",
                      (unsigned long long)bytes);
      free(w);
    }
  }
  pthread_mutex_unlock(&icl_cuda_weights_lock);
  return (void *)(uintptr_t)ptr;
}

/*===--- The MLIR GPU runtime ABI -----------------------------------------===*/

ICL_CUDA_API void *mgpuModuleLoadJIT(void *ptx, int optLevel) {
  return icl_cuda_load_module(ptx, optLevel < 0 ? 0 : optLevel, true);
}

ICL_CUDA_API void *mgpuModuleLoad(void *data, size_t size) {
  (void)size; /* the driver reads the image's own size */
  return icl_cuda_load_module(data, -1, false);
}

/* Runs from a library's destructor, at exit too, when the driver may be shut
 * down: failures are ignored. */
ICL_CUDA_API void mgpuModuleUnload(void *module) {
  if (!module || !icl_cuda_ready)
    return;
  icl_cuda_kernels_forget((CUmodule)module);
  CUcontext current = NULL;
  if (icl_cu.cuCtxGetCurrent(&current))
    return;
  if (current != icl_cuda_context && icl_cu.cuCtxSetCurrent(icl_cuda_context))
    return;
  icl_cu.cuModuleUnload((CUmodule)module);
}

ICL_CUDA_API void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!module) {
    icl_cuda_fail("kernel '%s' is not available: its GPU module did not load", name);
    return NULL;
  }
  if (!icl_cuda_enter())
    return NULL;
  CUfunction function = NULL;
  if (!icl_cuda_check(icl_cu.cuModuleGetFunction(&function, (CUmodule)module, name),
                      "looking up kernel '%s' in its GPU module (cuModuleGetFunction)", name))
    return NULL;
  pthread_mutex_lock(&icl_cuda_kernels_lock);
  icl_cuda_kernel_add(function, (CUmodule)module, name);
  pthread_mutex_unlock(&icl_cuda_kernels_lock);
  return function;
}

ICL_CUDA_API void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                   intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                                   intptr_t blockZ, int32_t smem, void *stream, void **params,
                                   void **extra, size_t paramsCount) {
  (void)paramsCount; /* the driver reads the parameters the kernel declares */
  if (!icl_cuda_may_work())
    return;
  if (!function) {
    icl_cuda_fail("a kernel launch has no kernel: its GPU module did not load");
    return;
  }
  CUfunction f = (CUfunction)function;
  /* An empty grid has no work (a loop over a zero-size dimension). */
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  const intptr_t dims[6] = {gridX, gridY, gridZ, blockX, blockY, blockZ};
  bool valid = smem >= 0;
  for (int i = 0; i < 6; ++i)
    valid = valid && dims[i] >= 1 && (uint64_t)dims[i] <= UINT32_MAX;
  CUresult result = 0;
  bool running = false;
  if (valid && smem > ICL_CUDA_DEFAULT_SHARED && !icl_cuda_allow_shared(f, smem))
    return;
  if (valid) {
    result = icl_cu.cuLaunchKernel(f, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
                                   (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ,
                                   (unsigned)smem, (CUstream)stream, params, extra);
    if (!result && icl_cuda_sync_mode) {
      running = true;
      result = icl_cu.cuStreamSynchronize((CUstream)stream);
    }
    if (!result)
      return;
  }
  char name[256], grid[96], block[96], error[256];
  icl_cuda_kernel_name(f, name, sizeof name);
  icl_cuda_dims(grid, sizeof grid, gridX, gridY, gridZ);
  icl_cuda_dims(block, sizeof block, blockX, blockY, blockZ);
  if (!valid)
    icl_cuda_fail("launching '%s' (grid %s, block %s, %d B shared) failed: every grid and block "
                  "dimension must be in [1, 2^32) and the shared memory non-negative",
                  name, grid, block, smem);
  else if (running)
    icl_cuda_fail("kernel '%s' (grid %s, block %s, %d B shared) failed while running "
                  "(ICL_CUDA_SYNC=1): %s",
                  name, grid, block, smem, icl_cuda_describe(result, error, sizeof error));
  else
    icl_cuda_fail("cuLaunchKernel of '%s' (grid %s, block %s, %d B shared) failed: %s", name, grid,
                  block, smem, icl_cuda_describe(result, error, sizeof error));
}

ICL_CUDA_API void *mgpuStreamCreate(void) { return icl_cuda_stream; }

ICL_CUDA_API void mgpuStreamDestroy(void *stream) { (void)stream; }

ICL_CUDA_API void mgpuStreamSynchronize(void *stream) {
  if (!icl_cuda_may_work() || !icl_cuda_sync_mode)
    return;
  icl_cuda_check(icl_cu.cuStreamSynchronize((CUstream)stream),
                 "waiting for stream %p (cuStreamSynchronize, ICL_CUDA_SYNC=1)", stream);
}

ICL_CUDA_API void mgpuStreamWaitEvent(void *stream, void *event) {
  (void)stream;
  (void)event;
}

ICL_CUDA_API void *mgpuEventCreate(void) { return NULL; }

ICL_CUDA_API void mgpuEventDestroy(void *event) { (void)event; }

ICL_CUDA_API void mgpuEventSynchronize(void *event) { (void)event; }

ICL_CUDA_API void mgpuEventRecord(void *event, void *stream) {
  (void)event;
  (void)stream;
}

ICL_CUDA_API void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  (void)isHostShared; /* compiled code never reads device buffers from the host */
  return icl_cuda_pool_alloc(sizeBytes, (CUstream)stream);
}

ICL_CUDA_API void mgpuMemFree(void *ptr, void *stream) { icl_cuda_pool_free(ptr, (CUstream)stream); }

ICL_CUDA_API void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (!sizeBytes || !icl_cuda_may_work())
    return;
  icl_cuda_check(icl_cu.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src,
                                      sizeBytes, (CUstream)stream),
                 "copying %zu bytes from %p to %p (cuMemcpyAsync)", sizeBytes, src, dst);
}

ICL_CUDA_API void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (!count || !icl_cuda_may_work())
    return;
  icl_cuda_check(
      icl_cu.cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count, (CUstream)stream),
      "setting %zu 32-bit words at %p to 0x%x (cuMemsetD32Async)", count, dst, value);
}

ICL_CUDA_API void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  if (!count || !icl_cuda_may_work())
    return;
  icl_cuda_check(
      icl_cu.cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count, (CUstream)stream),
      "setting %zu 16-bit words at %p to 0x%x (cuMemsetD16Async)", count, dst, (unsigned)value);
}

ICL_CUDA_API void mgpuSetDefaultDevice(int32_t device) {
  if (!atomic_load(&icl_cuda_started)) {
    atomic_store(&icl_cuda_requested_device, device);
    return;
  }
  if (icl_cuda_start() && device != icl_cuda_ordinal)
    icl_cuda_fail("mgpuSetDefaultDevice(%d) after the CUDA backend started on device %d: choose "
                  "the device with ICL_CUDA_DEVICE before the first CUDA call",
                  (int)device, icl_cuda_ordinal);
}

/*===--- Unloading --------------------------------------------------------===*/

/* A model library's copy goes away with the library: its pooled memory and
 * weights return to the driver (the primary context stays, as other copies
 * use it). At exit the driver may be shut down already; its calls then fail,
 * which is ignored. */
__attribute__((destructor)) static void icl_cuda_unload(void) {
  if (!icl_cuda_ready)
    return;
  CUcontext current = NULL;
  if (icl_cu.cuCtxGetCurrent(&current) ||
      (current != icl_cuda_context && icl_cu.cuCtxSetCurrent(icl_cuda_context)))
    return;
  icl_cu.cuCtxSynchronize();
  icl_cuda_pool_release();
  for (size_t b = 0; b < ICL_CUDA_BUCKETS; ++b) {
    while (icl_cuda_live_blocks[b]) {
      icl_cuda_block *block = icl_cuda_live_blocks[b];
      icl_cuda_live_blocks[b] = block->next;
      icl_cu.cuMemFree(block->ptr);
      free(block);
    }
    while (icl_cuda_weights[b]) {
      icl_cuda_weight *w = icl_cuda_weights[b];
      icl_cuda_weights[b] = w->next;
      icl_cu.cuMemFree(w->ptr);
      free(w);
    }
  }
  icl_cuda_live_bytes = 0;
}
