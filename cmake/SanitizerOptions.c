/* The default AddressSanitizer options of every program of a sanitizer build
 * (-DICL_SANITIZE, docs/testing.md); ASAN_OPTIONS still overrides them.
 *
 * allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the slabs it
 * allocates and unpoisons each allocation, but only where it is compiled with
 * ASan. icl's code (instrumented) and libMLIR (not) share allocators, so a
 * slab one side poisoned is handed out by the other without unpoisoning, and
 * every later access would be reported. Heap, stack and global checks stay. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allow_user_poisoning=0"; }
