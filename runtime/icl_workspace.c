/* icl_workspace.c - the allocator behind compiled model code.
 *
 * Compiled code allocates its intermediate buffers on every call, with the same
 * sizes each time. glibc maps large blocks fresh and unmaps them on free, so
 * every call would fault all their pages in again (a third of a GPT-2-style
 * forward pass). Freed blocks are kept here by size and reused: after the
 * first call no large allocation reaches the system. Memory held is the
 * model's peak working set. Compiled code calls these through MLIR's generic
 * allocation functions (finalize-memref-to-llvm use-generic-functions); every
 * model library carries its own copy, hidden, and the JIT registers this one.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ICL_WS_HIDDEN __attribute__((visibility("hidden")))

/* Blocks below this size go straight to malloc, which serves them from its
 * own free lists without touching page tables. */
#define ICL_WS_CACHED_MIN (64 * 1024)
#define ICL_WS_BUCKETS 64
/* Every block starts with a header; user memory begins after it, 64-byte
 * aligned like malloc'ed vectors want. */
#define ICL_WS_HEADER 64

typedef struct icl_ws_block {
  struct icl_ws_block *next;
  size_t size;
} icl_ws_block;

static icl_ws_block *icl_ws_free_lists[ICL_WS_BUCKETS];
static pthread_mutex_t icl_ws_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t icl_ws_bucket(size_t size) { return (size >> 12) % ICL_WS_BUCKETS; }

ICL_WS_HIDDEN void *_mlir_memref_to_llvm_alloc(size_t size) {
  size = (size + ICL_WS_HEADER - 1) / ICL_WS_HEADER * ICL_WS_HEADER;
  icl_ws_block *block = NULL;
  if (size >= ICL_WS_CACHED_MIN) {
    pthread_mutex_lock(&icl_ws_lock);
    icl_ws_block **link = &icl_ws_free_lists[icl_ws_bucket(size)];
    for (; *link; link = &(*link)->next)
      if ((*link)->size == size) {
        block = *link;
        *link = block->next;
        break;
      }
    pthread_mutex_unlock(&icl_ws_lock);
  }
  if (!block) {
    block = (icl_ws_block *)aligned_alloc(ICL_WS_HEADER, ICL_WS_HEADER + size);
    if (!block)
      return NULL;
    block->size = size;
  }
  return (char *)block + ICL_WS_HEADER;
}

ICL_WS_HIDDEN void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  icl_ws_block *block = (icl_ws_block *)((char *)ptr - ICL_WS_HEADER);
  if (block->size < ICL_WS_CACHED_MIN) {
    free(block);
    return;
  }
  pthread_mutex_lock(&icl_ws_lock);
  icl_ws_block **head = &icl_ws_free_lists[icl_ws_bucket(block->size)];
  block->next = *head;
  *head = block;
  pthread_mutex_unlock(&icl_ws_lock);
}
