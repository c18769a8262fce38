/*===- HalideBaseline.h - attention in Halide, behind a C boundary --------===*
 *
 * The C interface of libattn-halide.so, which attn-bench loads with dlopen:
 * Halide 14 brings its own LLVM 14, so it stays in a library of its own
 * rather than being linked into tools that use attnc's LLVM 22.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_TOOLS_ATTNBENCH_HALIDEBASELINE_H
#define ATTN_TOOLS_ATTNBENCH_HALIDEBASELINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct attn_halide_s attn_halide_t;

/** JIT-compiles attention for one shape (f32, contiguous [B, H, L, D]):
 *  `autoschedule` 0 uses the hand schedule, 1 Halide's Mullapudi2016
 *  autoscheduler. Returns NULL and writes a message to `error` on failure. */
attn_halide_t *attn_halide_create(int64_t batch, int64_t heads,
                                  int64_t kv_heads, int64_t q_len,
                                  int64_t kv_len, int64_t head_dim,
                                  int64_t value_dim, int causal,
                                  int autoschedule, int threads, char *error,
                                  size_t error_size);

/** Runs it; 0 on success. */
int attn_halide_run(attn_halide_t *h, const float *q, const float *k,
                    const float *v, float *out);

void attn_halide_destroy(attn_halide_t *h);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_TOOLS_ATTNBENCH_HALIDEBASELINE_H */
