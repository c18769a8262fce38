/*===- vulkan_launch.c - a Vulkan launch checked against a device's limits -===*
 *
 * The part of a Vulkan launch that needs no device: from the kernel's
 * launch table (attn/abi.h, "Vulkan kernels"), the bound arguments and the
 * device's limits, the grid, each argument's byte span, the parameter
 * words, and every refusal (workgroup size, workgroup memory, 16-bit
 * storage, grid counts, lavapipe's loop limit, buffer range, the context's
 * scratch limit) as a status. vulkan.c calls it before it touches the
 * device; the launch fuzzer (test/fuzz/FuzzLaunch.cpp) calls it with
 * made-up limits and sizes. Every product and sum is overflow-checked:
 * sizes come from the caller.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/abi.h"
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* ceil(size / divisor) for size >= 0 and divisor > 0, without overflow. */
static int64_t ceil_div(int64_t size, int64_t divisor) {
  return size / divisor + (size % divisor != 0);
}

/* a * b + c into *out; 0 on overflow. */
static int mul_add(int64_t a, int64_t b, int64_t c, int64_t *out) {
  int64_t product;
  return !__builtin_mul_overflow(a, b, &product) &&
         !__builtin_add_overflow(product, c, out);
}

/* A (arg, dim) reference of the launch table, checked against the
 * signature's arguments: INTERNAL for a table attnc would not write. */
static attn_status_t size_at(const char *entry, const int64_t *sig,
                             const attn_tensor_t *const *args, int64_t arg,
                             int64_t dim, int64_t divisor, int64_t *size) {
  if (arg < 0 || arg >= sig[2] || dim < 0 || dim >= args[arg]->rank ||
      divisor <= 0)
    return attn_status_make(ATTN_STATUS_INTERNAL,
                            "%s: the launch table refers to dimension %lld "
                            "of argument %lld (divisor %lld), which the "
                            "signature does not have",
                            entry, (long long)dim, (long long)arg,
                            (long long)divisor);
  *size = args[arg]->sizes[dim];
  return NULL;
}

attn_status_t
attn_vulkan_plan_launch(const attn_vulkan_limits_t *limits, const char *entry,
                        const int64_t *sig, const attn_tensor_t *const *args,
                        const int64_t *descriptors, const int64_t *launch,
                        int64_t scratch_limit, attn_vulkan_plan_t *plan) {
  const char *device = limits->device_name;
  int64_t num_args = sig[2];
  memset(plan->grid, 0, sizeof(plan->grid));
  plan->empty = 0;
  plan->num_params = 0;
  plan->staged = 0;
  if (num_args < 0 || num_args + 1 > ATTN_VULKAN_MAX_BINDINGS)
    return attn_status_make(ATTN_STATUS_INTERNAL,
                            "%s: %lld arguments exceed the Vulkan runtime's "
                            "limit %d",
                            entry, (long long)num_args,
                            ATTN_VULKAN_MAX_BINDINGS - 1);

  /* What the kernel needs of the device. */
  int64_t invocations = 0;
  if (!mul_add(launch[0], launch[1], 0, &invocations) ||
      !mul_add(invocations, launch[2], 0, &invocations) || launch[0] < 0 ||
      invocations < 0 ||
      invocations > (int64_t)limits->max_workgroup_invocations ||
      launch[0] > (int64_t)limits->max_workgroup_size_x)
    return attn_status_make(ATTN_STATUS_FAILED_PRECONDITION,
                            "%s: the kernel uses workgroups of %lld x %lld x "
                            "%lld invocations; device '%s' allows %u (%u "
                            "along x) (compile for a smaller profile, e.g. "
                            "--target=vulkan)",
                            entry, (long long)launch[0], (long long)launch[1],
                            (long long)launch[2], device,
                            limits->max_workgroup_invocations,
                            limits->max_workgroup_size_x);
  if (launch[3] > (int64_t)limits->max_shared_memory)
    return attn_status_make(ATTN_STATUS_FAILED_PRECONDITION,
                            "%s: the kernel uses %lld bytes of workgroup "
                            "memory; device '%s' has %u (compile for a "
                            "smaller profile, e.g. --target=vulkan)",
                            entry, (long long)launch[3], device,
                            limits->max_shared_memory);
  if ((launch[4] & ATTN_ABI_VULKAN_FEATURE_16BIT_STORAGE) &&
      !limits->has_16bit_storage)
    return attn_status_make(ATTN_STATUS_FAILED_PRECONDITION,
                            "%s: the kernel needs 16-bit storage buffers, "
                            "which device '%s' does not have",
                            entry, device);

  /* The grid, from the table after the header. */
  const int64_t *g = launch + ATTN_ABI_VULKAN_LAUNCH_HEADER;
  attn_status_t status;
  for (int i = 0; i < 3; ++i) {
    int64_t n = *g++, count = 1;
    int overflow = 0;
    for (int64_t f = 0; f < n; ++f, g += 3) {
      int64_t size = 0;
      if ((status = size_at(entry, sig, args, g[0], g[1], g[2], &size)))
        return status;
      overflow |= !mul_add(count, ceil_div(size, g[2]), 0, &count);
    }
    if (!overflow && count == 0)
      plan->empty = 1;
    if (overflow || count > (int64_t)limits->max_workgroup_count[i]) {
      if (overflow)
        return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                                "%s: the launch needs more than 2^63 "
                                "workgroups in dimension %d; device '%s' "
                                "allows %u",
                                entry, i, device,
                                limits->max_workgroup_count[i]);
      return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                              "%s: the launch needs %lld workgroups in "
                              "dimension %d; device '%s' allows %u",
                              entry, (long long)count, i, device,
                              limits->max_workgroup_count[i]);
    }
    plan->grid[i] = (uint32_t)count;
  }
  /* lavapipe (llvmpipe) ends every loop of an invocation, silently, once
   * 65535 loop iterations have run in it (Mesa's loop limiter): refuse a
   * launch whose bound exceeds that rather than return a wrong answer. The
   * bound saturates: past 2^63 it is simply too many. */
  int64_t loops = 0, terms = *g++;
  for (int64_t t = 0; t < terms; ++t, g += 4) {
    int64_t size = 0;
    if ((status = size_at(entry, sig, args, g[1], g[2], g[3], &size)))
      return status;
    if (!mul_add(g[0], ceil_div(size, g[3]), loops, &loops))
      loops = INT64_MAX;
  }
  if (loops != INT64_MAX && __builtin_add_overflow(loops, *g, &loops))
    loops = INT64_MAX;
  if (!plan->empty && loops > ATTN_VULKAN_LAVAPIPE_LOOP_LIMIT &&
      limits->stops_loops)
    return attn_status_make(
        ATTN_STATUS_OUT_OF_RANGE,
        "%s: the kernel runs up to %lld loop iterations per invocation at "
        "these sizes; device '%s' (Mesa's lavapipe) stops every loop of an "
        "invocation after %d in all, which would give a wrong result "
        "(use shorter key lengths on this device, or a hardware GPU)",
        entry, (long long)loops, device, ATTN_VULKAN_LAVAPIPE_LOOP_LIMIT);
  if (plan->empty)
    return NULL; /* no output element to compute */

  /* Each argument's span, and the parameter words. */
  int64_t w = 0;
  const int64_t *desc = descriptors;
  const int64_t *p = sig + 4;
  size_t staged = 0;
  for (int64_t a = 0; a < num_args; ++a) {
    int32_t rank = (int32_t)p[1];
    size_t elt = attn_dtype_size((attn_dtype_t)p[0]);
    p += 3 + rank;
    int64_t elements = 1;
    int overflow = 0;
    for (int32_t d = 0; d < rank; ++d) {
      if (desc[3 + d] == 0) {
        elements = 0;
        break;
      }
      overflow |=
          !mul_add(desc[3 + d] - 1, desc[3 + rank + d], elements, &elements);
    }
    size_t bytes = 0;
    overflow |=
        elements < 0 || __builtin_mul_overflow((size_t)elements, elt, &bytes);
    plan->spans[a].base = (const char *)(intptr_t)desc[1];
    plan->spans[a].elements = elements;
    plan->spans[a].bytes = bytes;
    if (overflow || elements > INT32_MAX ||
        bytes > (size_t)limits->max_storage_buffer_range)
      return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                              "%s: argument %lld spans %s%zu bytes; device "
                              "'%s' binds at most %u bytes per buffer",
                              entry, (long long)a, overflow ? "over " : "",
                              overflow ? SIZE_MAX : bytes, device,
                              limits->max_storage_buffer_range);
    staged += bytes;
    if (w + 1 + 2 * rank > ATTN_VULKAN_MAX_PARAM_WORDS)
      return attn_status_make(ATTN_STATUS_INTERNAL,
                              "%s: too many parameter words", entry);
    plan->params[w++] = 0; /* each span is uploaded from its first element */
    /* The kernel indexes in i32. A stride of a size-1 dimension is never
     * multiplied by anything but 0, so it goes in as 0; every other stride
     * of a non-empty tensor is within its span. A size is not bounded by
     * the span where its stride is 0 (a broadcast), so it is checked. */
    for (int32_t d = 0; d < rank; ++d)
      if (desc[3 + d] > INT32_MAX)
        return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                                "%s: dimension %d of argument %lld has %lld "
                                "elements; Vulkan kernels index in 32 bits",
                                entry, d, (long long)a, (long long)desc[3 + d]);
    for (int32_t d = 0; d < rank; ++d)
      plan->params[w++] = (int32_t)desc[3 + d];
    for (int32_t d = 0; d < rank; ++d)
      plan->params[w++] = desc[3 + d] == 1 ? 0 : (int32_t)desc[3 + rank + d];
    desc += ATTN_ABI_DESCRIPTOR_WORDS(rank);
  }
  if (w != launch[5])
    return attn_status_make(ATTN_STATUS_INTERNAL,
                            "%s: the kernel expects %lld parameter words, the "
                            "signature gives %lld",
                            entry, (long long)launch[5], (long long)w);
  plan->num_params = w;
  staged += (size_t)w * sizeof(int32_t);
  plan->staged = staged;
  /* The context's scratch limit bounds the buffers this launch stages
   * (checked before anything is uploaded, so outputs stay untouched). */
  if (scratch_limit > 0 && staged > (size_t)scratch_limit)
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED,
                            "%s: the launch stages %zu bytes of buffers, "
                            "over the context's scratch limit of %lld bytes",
                            entry, staged, (long long)scratch_limit);
  return NULL;
}
