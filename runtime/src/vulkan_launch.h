/*===- vulkan_launch.h - a Vulkan launch checked against device limits ---===*
 *
 * Internal to libattnrt (vulkan_launch.c, vulkan.c), and included by the
 * launch fuzzer and the unit tests, hence C and C++ clean.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_RUNTIME_VULKAN_LAUNCH_H
#define ATTN_RUNTIME_VULKAN_LAUNCH_H

#include "attn/runtime.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATTN_VULKAN_MAX_BINDINGS 65
#define ATTN_VULKAN_MAX_PARAM_WORDS 2048
/* lavapipe stops every loop of an invocation after this many iterations. */
#define ATTN_VULKAN_LAVAPIPE_LOOP_LIMIT 65535

/* What a launch is checked against: a device's limits and features. */
typedef struct attn_vulkan_limits_s {
  const char *device_name;
  uint32_t max_workgroup_invocations;
  uint32_t max_workgroup_size_x;
  uint32_t max_shared_memory;
  uint32_t max_workgroup_count[3];
  uint32_t max_storage_buffer_range;
  int has_16bit_storage;
  int stops_loops; /* lavapipe: ATTN_VULKAN_LAVAPIPE_LOOP_LIMIT applies */
} attn_vulkan_limits_t;

/* One argument's bytes, from its first element. */
typedef struct attn_vulkan_span_s {
  const char *base;
  int64_t elements; /* 1 + sum (size - 1) * stride, 0 if empty */
  size_t bytes;
} attn_vulkan_span_t;

/* What a checked launch dispatches and stages. */
typedef struct attn_vulkan_plan_s {
  uint32_t grid[3];
  int empty; /* no output element: nothing to dispatch */
  attn_vulkan_span_t spans[ATTN_VULKAN_MAX_BINDINGS];
  int32_t params[ATTN_VULKAN_MAX_PARAM_WORDS];
  int64_t num_params;
  size_t staged; /* bytes of every staged buffer, parameters included */
} attn_vulkan_plan_t;

/* Checks the launch of a kernel with launch table `launch` (attn/abi.h) on
 * arguments bound by attn_rt_bind_args_on (`descriptors`) against `limits`
 * and the context's scratch limit (0: none), and fills `plan`. Returns NULL
 * or the refusal; reads no device. */
attn_status_t
attn_vulkan_plan_launch(const attn_vulkan_limits_t *limits, const char *entry,
                        const int64_t *sig, const attn_tensor_t *const *args,
                        const int64_t *descriptors, const int64_t *launch,
                        int64_t scratch_limit, attn_vulkan_plan_t *plan);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_RUNTIME_VULKAN_LAUNCH_H */
