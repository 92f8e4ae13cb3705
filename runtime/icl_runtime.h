/*===- icl_runtime.h - The icl runtime C API ----------------------*- C -*-===*\
 *
 * Loads compiled icl model libraries and runs their functions. The runtime
 * links nothing but libc: a deployment machine needs no LLVM or MLIR, and the
 * CUDA driver is loaded only when a CUDA runtime is created, so one binary
 * runs with or without a GPU (docs/runtime.md).
 *
 *   icl_runtime *rt;  icl_module *m;  icl_function *f;
 *   icl_runtime_create(ICL_DEVICE_CPU, &rt);     (or ICL_DEVICE_CUDA)
 *   icl_module_load(rt, "libmodel.so", &m);
 *   icl_module_lookup(m, "forward", &f);
 *   icl_function_invoke(f, args, 1, results, 1);
 *   ... on any non-zero status: icl_runtime_error(rt) says what went wrong.
 *
 * A runtime object is meant for one thread at a time; several runtimes may
 * run in several threads.
 *
\*===----------------------------------------------------------------------===*/

#ifndef ICL_RUNTIME_H
#define ICL_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum icl_dtype {
  ICL_DTYPE_F16 = 0,
  ICL_DTYPE_BF16 = 1,
  ICL_DTYPE_F32 = 2,
  ICL_DTYPE_F64 = 3,
  ICL_DTYPE_I8 = 4,
  ICL_DTYPE_I16 = 5,
  ICL_DTYPE_I32 = 6,
  ICL_DTYPE_I64 = 7,
  ICL_DTYPE_U8 = 8,
  ICL_DTYPE_BOOL = 9,
  /* Not a dtype: makes every int a value of the type in C++, so that a
   * caller's bad value is refused rather than undefined. */
  ICL_DTYPE_MAX_ENUM = 0x7fffffff,
} icl_dtype;

typedef enum icl_device {
  ICL_DEVICE_CPU = 0,
  ICL_DEVICE_CUDA = 1,
  ICL_DEVICE_MAX_ENUM = 0x7fffffff, /* not a device, as ICL_DTYPE_MAX_ENUM */
} icl_device;

/* A dense row-major tensor the caller owns. */
typedef struct icl_tensor {
  icl_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
} icl_tensor;

typedef struct icl_runtime icl_runtime;
typedef struct icl_module icl_module;
typedef struct icl_function icl_function;

/* Every call returns 0 on success, non-zero on failure. A CUDA runtime fails
 * to create when there is no usable GPU (no driver, no device); *out is set
 * all the same, so icl_runtime_error says why, and must be destroyed. */
int icl_runtime_create(icl_device device, icl_runtime **out);
void icl_runtime_destroy(icl_runtime *runtime);
/* The message of the runtime's last failure ("" if none). */
const char *icl_runtime_error(const icl_runtime *runtime);

/* Loads a model library compiled for the runtime's device (--target=x86 for
 * a CPU runtime, --target=cuda for a CUDA one); a CUDA library's GPU code is
 * JIT-compiled for the GPU here. */
int icl_module_load(icl_runtime *runtime, const char *path, icl_module **out);
void icl_module_unload(icl_module *module);
/* Function names in the module. */
int icl_module_function_count(const icl_module *module);
const char *icl_module_function_name(const icl_module *module, int index);
int icl_module_lookup(icl_module *module, const char *name, icl_function **out);

/* Signature: argument and result tensors (data is NULL). */
int icl_function_arg_count(const icl_function *function);
int icl_function_result_count(const icl_function *function);
icl_tensor icl_function_arg(const icl_function *function, int index);
icl_tensor icl_function_result(const icl_function *function, int index);
/* For an argument holding token ids: the vocabulary size (ids must be in
 * [0, limit)); -1 for other arguments. */
int64_t icl_function_arg_id_limit(const icl_function *function, int index);

/* Runs the function on host data. Arguments and results must match the
 * signature exactly (dtype and shape); results are written into the caller's
 * buffers. A token id outside the vocabulary fails the call with "run-time
 * error: token id ... is outside the vocabulary 0..V-1" (CPU: any id the
 * function reads, and token_unmerge indices; CUDA: the token-id arguments,
 * checked before the call). On a CUDA runtime, arguments are copied to the
 * device, the function runs, the runtime waits for it and copies the results
 * back. */
int icl_function_invoke(icl_function *function, const icl_tensor *args, int num_args,
                        icl_tensor *results, int num_results);

/* Runs the function on device data: every data pointer is device memory (of
 * icl_runtime_device_alloc, or any CUDA allocation of the same device, such
 * as a PyTorch tensor's). Dtypes and shapes are checked; token ids are not
 * (an id out of range is clamped): the caller guarantees they are within the
 * vocabulary. Nothing is copied
 * and nothing waits: the work is queued on the runtime's stream, and results
 * are ready once icl_runtime_synchronize returns (or for later work on the
 * same stream). A failure the library reports at once (a launch error) makes
 * this return non-zero; a kernel failing while running shows in
 * icl_runtime_synchronize. On a CPU runtime, the same as icl_function_invoke. */
int icl_function_invoke_device(icl_function *function, const icl_tensor *args, int num_args,
                               icl_tensor *results, int num_results);

/* Waits for all work queued on the GPU; 0 at once on a CPU runtime. */
int icl_runtime_synchronize(icl_runtime *runtime);
/* The CUstream (a cudaStream_t is one) that the runtime's copies and the
 * launches of its functions go to; NULL, the default, is the legacy default
 * stream. No effect on a CPU runtime. */
void icl_runtime_set_stream(icl_runtime *runtime, void *cuda_stream);

/* Device memory for icl_function_invoke_device: pooled GPU memory on a CUDA
 * runtime (freeing returns it to the pool for later work on the same stream,
 * so a buffer may be freed while queued work still uses it), host memory on
 * a CPU runtime. Allocation returns NULL on failure. */
void *icl_runtime_device_alloc(icl_runtime *runtime, uint64_t bytes);
void icl_runtime_device_free(icl_runtime *runtime, void *ptr);
/* Copies bytes between host and device memory in any direction, after the
 * work queued on the runtime's stream, and returns when it is done. */
int icl_runtime_copy(icl_runtime *runtime, void *dst, const void *src, uint64_t bytes);

const char *icl_dtype_name(icl_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* ICL_RUNTIME_H */
