/*===- icl_runtime.h - The icl runtime C API ----------------------*- C -*-===*\
 *
 * Loads compiled icl model libraries and runs their functions. The runtime
 * links nothing but libc: a deployment machine needs no LLVM or MLIR.
 *
 *   icl_runtime *rt;  icl_module *m;  icl_function *f;
 *   icl_runtime_create(ICL_DEVICE_CPU, &rt);
 *   icl_module_load(rt, "libmodel.so", &m);
 *   icl_module_lookup(m, "forward", &f);
 *   icl_function_invoke(f, args, 1, results, 1);
 *   ... on any non-zero status: icl_runtime_error(rt) says what went wrong.
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
} icl_dtype;

typedef enum icl_device { ICL_DEVICE_CPU = 0, ICL_DEVICE_CUDA = 1 } icl_device;

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

/* Every call returns 0 on success, non-zero on failure. */
int icl_runtime_create(icl_device device, icl_runtime **out);
void icl_runtime_destroy(icl_runtime *runtime);
/* The message of the runtime's last failure ("" if none). */
const char *icl_runtime_error(const icl_runtime *runtime);

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

/* Runs the function. Arguments and results must match the signature exactly
 * (dtype and shape); results are written into the caller's buffers. */
int icl_function_invoke(icl_function *function, const icl_tensor *args, int num_args,
                        icl_tensor *results, int num_results);

const char *icl_dtype_name(icl_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* ICL_RUNTIME_H */
