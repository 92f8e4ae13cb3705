/*===- icl_library.h - The ABI of compiled icl model libraries ----*- C -*-===*\
 *
 * A model library built by `icl-compile` exports `icl_library_get_info`,
 * describing its format version, the compiler that built it, the device its
 * functions run on and the functions. The runtime refuses a library whose
 * format version differs from its own, or that was built for another device.
 * Bump ICL_LIBRARY_FORMAT_VERSION whenever these structs or the calling
 * convention change.
 *
 * Calling convention: `packed(args)` where args[i] points to a pointer to a
 * strided memref descriptor {allocated, aligned, offset, sizes[rank],
 * strides[rank]} (all 64-bit); arguments come first, then one descriptor per
 * result, whose buffer the function writes into.
 *
 * CPU libraries (--target=x86): the descriptors hold host pointers and
 * `packed` returns when the results are written. A token id outside the
 * vocabulary (or a token_unmerge index outside the merged tokens) leaves a
 * run-time error pending in the calling thread (runtime/icl_errors.c):
 * `last_error` says which, `clear_error` drops it; the results are not valid.
 *
 * CUDA libraries (--target=cuda): the descriptors hold DEVICE pointers.
 * `packed` queues the function's kernels on the calling thread's CUDA stream
 * (set through `set_stream`) and returns without waiting for them. Each
 * library carries its own hidden copy of runtime/icl_cuda.c; its PTX is
 * JIT-loaded by the library's constructor at dlopen, so the loader checks
 * `last_error` right after dlopen. An error stays pending (and later calls
 * do nothing) until `clear_error`.
 *
\*===----------------------------------------------------------------------===*/

#ifndef ICL_LIBRARY_H
#define ICL_LIBRARY_H

#include <stdint.h>

#define ICL_LIBRARY_FORMAT_VERSION 2u

typedef struct icl_library_tensor {
  int32_t dtype; /* an icl_dtype */
  int32_t rank;
  const int64_t *shape;
  /* For integer arguments used as token ids: the vocabulary size (ids must
   * be in [0, id_limit)); -1 otherwise. */
  int64_t id_limit;
} icl_library_tensor;

typedef struct icl_library_function {
  const char *name;
  void (*packed)(void **args);
  int32_t num_args;
  int32_t num_results;
  const icl_library_tensor *args;
  const icl_library_tensor *results;
} icl_library_function;

typedef struct icl_library_info {
  uint32_t format_version;
  const char *compiler_version;
  int32_t num_functions;
  const icl_library_function *functions;
  /* Where the functions run: an icl_device (0 CPU, 1 CUDA). */
  int32_t device;
  /* The library's pending error message ("" if none): icl_cuda_error in
   * CUDA libraries, icl_run_time_error in CPU libraries (NULL in those of
   * earlier compilers, which report none). */
  const char *(*last_error)(void);
  /* Drops the pending error: icl_cuda_clear_error, icl_run_time_error_clear.
   * NULL in a CUDA library leaves a failed library failed. */
  void (*clear_error)(void);
  /* CUDA libraries: the library's icl_cuda_set_stream, choosing the CUstream
   * the calling thread's launches go to. NULL in CPU libraries; NULL in a
   * CUDA library confines it to the legacy default stream. */
  void (*set_stream)(void *cuda_stream);
} icl_library_info;

typedef const icl_library_info *(*icl_library_get_info_fn)(void);

#endif /* ICL_LIBRARY_H */
