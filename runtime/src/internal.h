/*===- internal.h - what libattnrt's sources share, not exported ----------===*/

#ifndef ATTN_RUNTIME_INTERNAL_H
#define ATTN_RUNTIME_INTERNAL_H

#include "attn/runtime.h"

#include <stddef.h>

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

/* Opens a Vulkan device (vulkan.c); writes its name into `name`. */
attn_status_t attn_vulkan_open(const attn_vulkan_device_options_t *options,
                               attn_vulkan_t **out, char *name, size_t size);
void attn_vulkan_close(attn_vulkan_t *vulkan);

/* Records the device time of a context's last kernel (-1: unknown). */
void attn_context_set_device_time_ns(attn_context_t *context, int64_t ns);

#endif /* ATTN_RUNTIME_INTERNAL_H */
