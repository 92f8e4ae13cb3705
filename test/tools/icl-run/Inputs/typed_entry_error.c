/* Calls the typed entry point of run-time-errors.mlir's library with an id
 * outside the vocabulary, then with good ids: the first call returns 1 and
 * the library's last_error says which id; the second returns 0. */
#include "librun_time_errors.h"
#include "runtime/icl_library.h"

#include <stdio.h>

int main(void) {
  int64_t bad[4] = {0, 2, 7, -1}, good[4] = {0, 2, 1, 1};
  float out[4 * 2];
  int status = icl_model_embed(bad, out);
  printf("bad ids: %d: %s\n", status, icl_library_get_info()->last_error());
  status = icl_model_embed(good, out);
  printf("good ids: %d: '%s'\n", status, icl_library_get_info()->last_error());
  return 0;
}
