/* A model library from a future format version, for the runtime's check. */
#include <stdint.h>
#include <stddef.h>
typedef struct {
  uint32_t format_version;
  const char *compiler_version;
  int32_t num_functions;
  const void *functions;
} info_t;
static const info_t info = {999u, "icl 99.0", 0, NULL};
const info_t *icl_library_get_info(void) { return &info; }
