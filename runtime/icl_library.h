/*===- icl_library.h - The ABI of compiled icl model libraries ----*- C -*-===*\
 *
 * A model library built by `icl-compile --target=x86` exports
 * `icl_library_get_info`, describing its format version, the compiler that
 * built it and its functions. The runtime refuses a library whose format
 * version differs from its own. Bump ICL_LIBRARY_FORMAT_VERSION whenever
 * these structs or the calling convention change.
 *
 * Calling convention: `packed(args)` where args[i] points to a pointer to a
 * strided memref descriptor {allocated, aligned, offset, sizes[rank],
 * strides[rank]} (all 64-bit); arguments come first, then one descriptor per
 * result, which the function writes into.
 *
\*===----------------------------------------------------------------------===*/

#ifndef ICL_LIBRARY_H
#define ICL_LIBRARY_H

#include <stdint.h>

#define ICL_LIBRARY_FORMAT_VERSION 1u

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
} icl_library_info;

typedef const icl_library_info *(*icl_library_get_info_fn)(void);

#endif /* ICL_LIBRARY_H */
