/* icl_errors.c - run-time errors of compiled model code.
 *
 * Compiled code cannot stop on a bad index: icl.embedding and
 * icl.token_unmerge clamp their ids so that no read leaves the table, and
 * code from icl-check-indices (x86) calls icl_index_error for the first id
 * outside its range; code from icl-report-assertions calls
 * icl_assertion_error for a failed cf.assert. The error is kept per thread until the caller takes it:
 * the JIT and the runtime after each call, a model library's typed entry
 * point through its return value and icl_library_get_info()->last_error.
 * Every model library carries its own copy, hidden; the JIT registers this
 * one, and the runtime formats its own checks of host ids with it.
 */
#ifndef ICL_ERRORS_H /* a model library's glue pastes the header first */
#include "runtime/icl_errors.h"
#endif

#include <inttypes.h>
#include <stdio.h>

#define ICL_ERR_HIDDEN __attribute__((visibility("hidden")))

typedef struct icl_index_error_record {
  int pending;
  int32_t kind;
  const char *where;
  const int64_t *shape;
  int64_t rank, value, position, limit;
  const char *message; /* a failed assertion's; NULL for an index */
} icl_index_error_record;

static _Thread_local icl_index_error_record icl_err_record;
static _Thread_local char icl_err_message[1024];

ICL_ERR_HIDDEN void icl_format_index_error(char *out, size_t size, int32_t kind, const char *where,
                                           const int64_t *shape, int64_t rank, int64_t value,
                                           int64_t position, int64_t limit) {
  char at[512];
  size_t used = 0;
  if (shape && rank > 0 && rank <= 64) {
    int64_t index[64];
    int64_t rest = position;
    for (int64_t d = rank - 1; d >= 0; --d) {
      index[d] = shape[d] > 0 ? rest % shape[d] : 0;
      rest = shape[d] > 0 ? rest / shape[d] : 0;
    }
    used += (size_t)snprintf(at, sizeof at, "at index [");
    for (int64_t d = 0; d < rank && used < sizeof at; ++d)
      used += (size_t)snprintf(at + used, sizeof at - used, "%s%" PRId64, d ? ", " : "", index[d]);
    if (used < sizeof at)
      snprintf(at + used, sizeof at - used, "]");
  } else {
    snprintf(at, sizeof at, "at flat position %" PRId64, position);
  }
  const char *what = kind == ICL_INDEX_SOURCE_TOKEN ? "source token" : "token id";
  const char *range = kind == ICL_INDEX_SOURCE_TOKEN ? "the merged tokens" : "the vocabulary";
  if (limit > 0)
    snprintf(out, size, "%s %" PRId64 " %s of %s is outside %s 0..%" PRId64, what, value, at, where,
             range, limit - 1);
  else
    snprintf(out, size, "%s %" PRId64 " %s of %s is outside %s, which is empty", what, value, at,
             where, range);
}

ICL_ERR_HIDDEN void icl_index_error(int32_t kind, const char *where, const int64_t *shape,
                                    int64_t rank, int64_t value, int64_t position, int64_t limit) {
  if (icl_err_record.pending)
    return;
  icl_index_error_record record = {1, kind, where, shape, rank, value, position, limit, NULL};
  icl_err_record = record;
}

ICL_ERR_HIDDEN void icl_assertion_error(const char *where, const char *message) {
  if (icl_err_record.pending)
    return;
  icl_index_error_record record = {1, 0, where, NULL, 0, 0, 0, 0, message};
  icl_err_record = record;
}

ICL_ERR_HIDDEN const char *icl_run_time_error(void) {
  const icl_index_error_record *r = &icl_err_record;
  if (!r->pending)
    return "";
  if (r->message) {
    snprintf(icl_err_message, sizeof icl_err_message, "%s (%s)", r->message, r->where);
    return icl_err_message;
  }
  icl_format_index_error(icl_err_message, sizeof icl_err_message, r->kind, r->where, r->shape,
                         r->rank, r->value, r->position, r->limit);
  return icl_err_message;
}

ICL_ERR_HIDDEN void icl_run_time_error_clear(void) { icl_err_record.pending = 0; }
