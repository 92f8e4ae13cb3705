/*===- icl_errors.h - Run-time errors of compiled model code ------*- C -*-===*\
 *
 * Compiled code reports an index out of range (an icl.embedding id outside
 * the vocabulary, an icl.token_unmerge index outside the merged tokens) by
 * calling icl_index_error, and a failed cf.assert by calling
 * icl_assertion_error; the error is kept per thread until it is taken.
 * Implemented in icl_errors.c, which every CPU model library carries a hidden
 * copy of and the JIT and the runtime link.
 *
\*===----------------------------------------------------------------------===*/

#ifndef ICL_ERRORS_H
#define ICL_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds of index (the first argument of icl_index_error). */
enum { ICL_INDEX_TOKEN_ID = 0, ICL_INDEX_SOURCE_TOKEN = 1 };

/* Writes "token id 70000 at index [0, 3] of argument 0 is outside the
 * vocabulary 0..50256" into `out`. `shape` (NULL when unknown) turns the
 * flat position into an index. */
void icl_format_index_error(char *out, size_t size, int32_t kind, const char *where,
                            const int64_t *shape, int64_t rank, int64_t value, int64_t position,
                            int64_t limit);

/* Called by compiled code for an index outside [0, limit); the first error
 * is kept until cleared. `where` and `shape` must outlive the error. */
void icl_index_error(int32_t kind, const char *where, const int64_t *shape, int64_t rank,
                     int64_t value, int64_t position, int64_t limit);

/* Called by compiled code for a failed cf.assert (icl-report-assertions):
 * `where` says which ("cf.assert at model.mlir:7:3"), `message` is the
 * assertion's. The first error is kept until cleared; both strings must
 * outlive it. */
void icl_assertion_error(const char *where, const char *message);

/* The pending error's message, or "" if there is none. */
const char *icl_run_time_error(void);

/* Drops the pending error. */
void icl_run_time_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* ICL_ERRORS_H */
