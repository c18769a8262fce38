/*===- memory.c - allocations of compiled code, with accounting -----------===*
 *
 * attnc lowers memref allocations to MLIR's generic allocation functions
 * (finalize-memref-to-llvm's use-generic-functions), implemented here so
 * that the runtime sees every byte compiled code allocates: attn-bench
 * reports the peak as a kernel's extra memory, and a context's scratch
 * limit applies to them. An allocation that fails (malloc, or the limit)
 * does not return: it jumps to the allocating thread's innermost guard
 * (internal.h), which frees what was allocated under it.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/runtime.h"
#include "internal.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Stored just before every block handed out. */
typedef struct attn_block_header_s {
  void *base;
  size_t size;
  attn_rt_guard_t *guard;  /* the guard it was allocated under, or NULL */
  attn_context_t *context; /* charged for it, or NULL */
  struct attn_block_header_s *prev, *next; /* in guard->blocks */
} block_header_t;

static atomic_llong current_bytes;
static atomic_llong peak_bytes;
static atomic_llong allocation_count;

static _Thread_local attn_rt_guard_t *innermost_guard;

static void lock_guard(attn_rt_guard_t *g) {
  while (atomic_flag_test_and_set_explicit(&g->lock, memory_order_acquire))
    ;
}

static void unlock_guard(attn_rt_guard_t *g) {
  atomic_flag_clear_explicit(&g->lock, memory_order_release);
}

void attn_rt_guard_push(attn_rt_guard_t *guard, attn_context_t *context) {
  guard->context = context;
  guard->outer = innermost_guard;
  guard->blocks = NULL;
  atomic_flag_clear(&guard->lock);
  guard->failed_bytes = 0;
  guard->failed_by_limit = 0;
  innermost_guard = guard;
}

void attn_rt_guard_pop(attn_rt_guard_t *guard) {
  innermost_guard = guard->outer;
  lock_guard(guard);
  for (block_header_t *h = guard->blocks; h; h = h->next)
    h->guard = NULL;
  guard->blocks = NULL;
  unlock_guard(guard);
}

static void release(block_header_t *h) {
  atomic_fetch_sub(&current_bytes, (long long)h->size);
  if (h->context)
    attn_context_release_scratch(h->context, h->size);
  free(h->base);
}

void attn_rt_guard_unwind(attn_rt_guard_t *guard) {
  innermost_guard = guard->outer;
  lock_guard(guard);
  block_header_t *h = guard->blocks;
  guard->blocks = NULL;
  unlock_guard(guard);
  while (h) {
    block_header_t *next = h->next;
    release(h);
    h = next;
  }
}

void attn_rt_guard_raise(size_t bytes, int by_limit) {
  attn_rt_guard_t *g = innermost_guard;
  if (!g)
    return;
  g->failed_bytes = bytes;
  g->failed_by_limit = by_limit;
  longjmp(g->jump, 1);
}

static void note_alloc(size_t size) {
  long long now =
      atomic_fetch_add(&current_bytes, (long long)size) + (long long)size;
  long long peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
    ;
  atomic_fetch_add(&allocation_count, 1);
}

/* Never returns NULL: a failure jumps to the thread's innermost guard. */
static void *allocate(size_t alignment, size_t size) {
  attn_rt_guard_t *g = innermost_guard;
  attn_context_t *ctx = g ? g->context : NULL;
  if (alignment < sizeof(block_header_t))
    alignment = sizeof(block_header_t);
  /* Alignment is a power of two in generated code; round up otherwise. */
  size_t a = 1;
  while (a < alignment)
    a <<= 1;
  if (ctx && !attn_context_reserve_scratch(ctx, size))
    attn_rt_guard_raise(size, 1); /* does not return: ctx implies a guard */
  size_t total;
  void *base = NULL;
  /* A size near SIZE_MAX must not wrap to a small block. */
  if (!__builtin_add_overflow(size, a + sizeof(block_header_t), &total))
    base = malloc(total);
  if (!base) {
    if (ctx)
      attn_context_release_scratch(ctx, size);
    attn_rt_guard_raise(size, 0);
    /* No guard: the hooks were called by code other than an attnc entry
     * point (which always runs under one), and the caller cannot take a
     * NULL. */
    fprintf(stderr,
            "libattnrt: out of memory allocating %zu bytes outside "
            "an entry point\n",
            size);
    abort();
  }
  uintptr_t p = ((uintptr_t)base + sizeof(block_header_t) + a - 1) & ~(a - 1);
  block_header_t *h = (block_header_t *)p - 1;
  h->base = base;
  h->size = size;
  h->guard = g;
  h->context = ctx;
  h->prev = NULL;
  if (g) {
    lock_guard(g);
    h->next = g->blocks;
    if (h->next)
      h->next->prev = h;
    g->blocks = h;
    unlock_guard(g);
  } else {
    h->next = NULL;
  }
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
  attn_rt_guard_t *g = h->guard;
  if (g) {
    lock_guard(g);
    if (h->prev)
      h->prev->next = h->next;
    else
      g->blocks = h->next;
    if (h->next)
      h->next->prev = h->prev;
    unlock_guard(g);
  }
  release(h);
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
