/* Model libraries whose descriptors the runtime must refuse before reading
 * through them; -D picks the defect. */
#include "icl_library.h"
#include <stddef.h>

static void entry(void **args) { (void)args; }
static const icl_library_function one[1] = {{"f", entry, 0, 0, NULL, NULL}};
#if defined(NULL_INFO)
const icl_library_info *icl_library_get_info(void) { return NULL; }
#else
#if defined(COUNT_BEYOND)
static const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION, "icl test", 1000000, one, 0,
                                      NULL, NULL, NULL};
#elif defined(NULL_NAME)
static const icl_library_function unnamed[1] = {{NULL, entry, 0, 0, NULL, NULL}};
static const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION, "icl test", 1, unnamed, 0,
                                      NULL, NULL, NULL};
#elif defined(NULL_VERSION)
static const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION + 1, NULL, 1, one, 0,
                                      NULL, NULL, NULL};
#elif defined(BAD_RANK)
static const icl_library_tensor tensor[1] = {{0, 3, NULL, -1}};
static const icl_library_function ranked[1] = {{"f", entry, 1, 0, tensor, NULL}};
static const icl_library_info info = {ICL_LIBRARY_FORMAT_VERSION, "icl test", 1, ranked, 0,
                                      NULL, NULL, NULL};
#endif
const icl_library_info *icl_library_get_info(void) { return &info; }
#endif
