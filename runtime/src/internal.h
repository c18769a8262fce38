/*===- internal.h - what libattnrt's sources share, not exported ----------===*/

#ifndef ATTN_RUNTIME_INTERNAL_H
#define ATTN_RUNTIME_INTERNAL_H

#include "attn/runtime.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* A Vulkan device's state (vulkan.c); NULL for other devices. */
typedef struct attn_vulkan_s attn_vulkan_t;

struct attn_device_s {
  attn_device_kind_t kind;
  attn_vulkan_t *vulkan;
  char name[256];
};

/* attn_rt_bind_args for code compiled for a device of kind `expected`. */
attn_status_t attn_rt_bind_args_on(attn_context_t *context,
                                   attn_device_kind_t expected,
                                   const int64_t *signature, const char *names,
                                   const attn_tensor_t *const *args,
                                   int64_t *descriptors);

#include "vulkan_launch.h"

/* Opens a Vulkan device (vulkan.c); writes its name into `name`. */
attn_status_t attn_vulkan_open(const attn_vulkan_device_options_t *options,
                               attn_vulkan_t **out, char *name, size_t size);
void attn_vulkan_close(attn_vulkan_t *vulkan);

/* Records the device time of a context's last kernel (-1: unknown). */
void attn_context_set_device_time_ns(attn_context_t *context, int64_t ns);

/*
 * Allocation guards (memory.c). Compiled code allocates its temporaries
 * through _mlir_memref_to_llvm_alloc and cannot test for NULL, so a failed
 * allocation never returns: it jumps back to the innermost guard of the
 * allocating thread, which frees what was allocated under it and turns the
 * failure into a status. attn_rt_run establishes one around every compiled
 * entry; the thread pool establishes one around every chunk it runs.
 */
struct attn_block_header_s;
typedef struct attn_rt_guard_s {
  jmp_buf jump;
  attn_context_t *context; /* charged for the scratch bytes; may be NULL */
  struct attn_rt_guard_s *outer;
  struct attn_block_header_s *blocks; /* live blocks allocated under it */
  atomic_flag lock;                   /* protects `blocks` */
  size_t failed_bytes;                /* the request that failed */
  int failed_by_limit;                /* 1: the context's limit, 0: malloc */
} attn_rt_guard_t;

/* Makes `guard` the calling thread's innermost guard. */
void attn_rt_guard_push(attn_rt_guard_t *guard, attn_context_t *context);
/* Ends `guard` normally: blocks still live stay allocated (their frees later
 * find no guard). */
void attn_rt_guard_pop(attn_rt_guard_t *guard);
/* Ends `guard` after a failure jumped to it: frees its live blocks. */
void attn_rt_guard_unwind(attn_rt_guard_t *guard);
/* Reports an allocation failure of `bytes` to the innermost guard (does not
 * return when there is one; returns when there is none). */
void attn_rt_guard_raise(size_t bytes, int by_limit);

/* The context's scratch accounting (context.c): reserves `bytes` against the
 * limit set by attn_context_set_scratch_limit (0 when none was set) */
int attn_context_reserve_scratch(attn_context_t *context, size_t bytes);
void attn_context_release_scratch(attn_context_t *context, size_t bytes);
int64_t attn_context_scratch_limit(const attn_context_t *context);

#endif /* ATTN_RUNTIME_INTERNAL_H */
