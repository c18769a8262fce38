/*===- memory.c - allocations of compiled code, with accounting -----------===*
 *
 * attnc lowers memref allocations to MLIR's generic allocation functions
 * (finalize-memref-to-llvm's use-generic-functions), implemented here so
 * that the runtime sees every byte compiled code allocates: attn-bench
 * reports the peak as a kernel's extra memory.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/runtime.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Stored just before every block handed out. */
typedef struct block_header_t {
  void *base;
  size_t size;
} block_header_t;

static atomic_llong current_bytes;
static atomic_llong peak_bytes;
static atomic_llong allocation_count;

static void note_alloc(size_t size) {
  long long now =
      atomic_fetch_add(&current_bytes, (long long)size) + (long long)size;
  long long peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
    ;
  atomic_fetch_add(&allocation_count, 1);
}

static void *allocate(size_t alignment, size_t size) {
  if (alignment < sizeof(block_header_t))
    alignment = sizeof(block_header_t);
  /* Alignment is a power of two in generated code; round up otherwise. */
  size_t a = 1;
  while (a < alignment)
    a <<= 1;
  size_t total;
  void *base = NULL;
  /* A size near SIZE_MAX must not wrap to a small block. */
  if (!__builtin_add_overflow(size, a + sizeof(block_header_t), &total))
    base = malloc(total);
  if (!base) {
    /* Compiled code cannot return a status from inside a kernel yet; fail
     * loudly rather than dereference NULL. */
    fprintf(stderr, "libattnrt: out of memory allocating %zu bytes\n", size);
    abort();
  }
  uintptr_t p = ((uintptr_t)base + sizeof(block_header_t) + a - 1) & ~(a - 1);
  block_header_t *h = (block_header_t *)p - 1;
  h->base = base;
  h->size = size;
  note_alloc(size);
  return (void *)p;
}

void *_mlir_memref_to_llvm_alloc(size_t size) { return allocate(16, size); }

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return allocate(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  block_header_t *h = (block_header_t *)ptr - 1;
  atomic_fetch_sub(&current_bytes, (long long)h->size);
  free(h->base);
}

void attn_memory_stats(attn_memory_stats_t *out) {
  out->current_bytes = atomic_load(&current_bytes);
  out->peak_bytes = atomic_load(&peak_bytes);
  out->allocations = atomic_load(&allocation_count);
}

void attn_memory_stats_reset_peak(void) {
  atomic_store(&peak_bytes, atomic_load(&current_bytes));
  atomic_store(&allocation_count, 0);
}
