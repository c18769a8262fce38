/*===- attn/abi.h - the contract between generated code and libattnrt -----===*
 *
 * Not for direct use: attnc's generated entry points call these functions,
 * and attnc's compiler writes the tables they read. Both sides include this
 * header, so the encoding below is defined once.
 *
 * An entry point's signature table (an int64_t array in the object):
 *
 *   [0] ATTN_ABI_VERSION
 *   [1] required instruction-set level (attn_abi_isa_t)
 *   [2] number of tensor arguments N (inputs first, then outputs)
 *   [3] number of constraints C
 *   then per argument:  dtype, rank, is_output, then `rank` dimension codes
 *   then per constraint: kind, arg_a, dim_a, arg_b, dim_b
 *
 * A dimension code >= 0 is a static size; a code < 0 names a symbol,
 * -1 - code, whose value is bound by its first occurrence and checked at
 * every later one (so "the batch of key equals the batch of query").
 *
 * Each argument is bound to an MLIR strided memref descriptor written as
 * consecutive int64_t words: allocated pointer, aligned pointer, offset,
 * sizes[rank], strides[rank] (3 + 2 * rank words).
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_ABI_H
#define ATTN_ABI_H

#include "attn/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATTN_ABI_VERSION 1

/** Instruction-set levels an object can require of the CPU it runs on. */
typedef enum attn_abi_isa_e {
  ATTN_ABI_ISA_ANY = 0,
  ATTN_ABI_ISA_X86_64_V2 = 1,      /* SSE4.2, POPCNT */
  ATTN_ABI_ISA_X86_64_V3 = 2,      /* AVX2, FMA, F16C */
  ATTN_ABI_ISA_X86_64_V4 = 3,      /* AVX-512 F/BW/DQ/VL */
  ATTN_ABI_ISA_X86_64_V4_VNNI = 4, /* x86-64-v4 and AVX-512 VNNI */
  ATTN_ABI_ISA_X86_64_V3_VNNI = 5, /* x86-64-v3 and AVX-VNNI */
  ATTN_ABI_ISA_X86_64_V4_BF16 = 6, /* x86-64-v4, AVX-512 VNNI and BF16 */
  ATTN_ABI_ISA_AARCH64_V8 = 16,    /* AArch64 with NEON (Armv8.0-A) */
  ATTN_ABI_ISA_AARCH64_V82 = 17,   /* Armv8.2-A dotprod and fp16 arithmetic */
  ATTN_ABI_ISA_AARCH64_V86 = 18,   /* and Armv8.6-A bf16 and i8mm */
} attn_abi_isa_t;

/** Constraint kinds of a signature table. */
typedef enum attn_abi_constraint_e {
  /** dim_b of arg_b must be positive and divide dim_a of arg_a. */
  ATTN_ABI_CONSTRAINT_DIVISIBLE = 1,
  /** dim_a of arg_a must be twice dim_b of arg_b (differential attention's
   *  head pairs). */
  ATTN_ABI_CONSTRAINT_TWICE = 2,
  /** dim_a of arg_a must be a positive multiple of the constant in the
   *  arg_b field (Nystromformer's landmark segments); dim_b is unused. */
  ATTN_ABI_CONSTRAINT_MULTIPLE = 3,
} attn_abi_constraint_t;

/** Words of the memref descriptor of a rank-`rank` tensor. */
#define ATTN_ABI_DESCRIPTOR_WORDS(rank) (3 + 2 * (rank))

/**
 * Checks the tensors handed to an entry point against its signature table,
 * and writes one memref descriptor per tensor into `descriptors` (laid out
 * back to back). `names` is "entry:arg0,arg1,..." for messages. Returns
 * NULL when everything matches, an INVALID_ARGUMENT or FAILED_PRECONDITION
 * status naming the entry, the argument and the dimension otherwise.
 */
attn_status_t attn_rt_bind_args(attn_context_t *context,
                                const int64_t *signature, const char *names,
                                const attn_tensor_t *const *args,
                                int64_t *descriptors);

/** The kernel of a CPU entry point: the context and the descriptors that
 *  attn_rt_bind_args wrote. */
typedef void (*attn_rt_kernel_fn_t)(attn_context_t *context,
                                    int64_t *descriptors);

/**
 * Runs `kernel` under an allocation guard: when memory that compiled code
 * allocates runs out (malloc fails, or the context's scratch limit is
 * reached), on the calling thread or on a pool thread, the kernel is
 * abandoned, what it allocated is freed and RESOURCE_EXHAUSTED is
 * returned. NULL otherwise. `signature` and `names` are those given to
 * attn_rt_bind_args, which filled `descriptors`.
 *
 * When the context has a scratch limit, the kernel writes its outputs into
 * contiguous staging copies (charged to the limit) that are copied to the
 * caller's tensors only once it has finished: a call refused for memory
 * then leaves every output untouched. Without a limit, outputs are written
 * in place, and a call that runs out of memory may have written part of
 * them.
 */
attn_status_t attn_rt_run(attn_context_t *context, const int64_t *signature,
                          const char *names, attn_rt_kernel_fn_t kernel,
                          int64_t *descriptors);

/*===----------------------------------------------------------------------===*
 * Vulkan kernels
 *
 * A Vulkan entry point carries one SPIR-V module (shared by the entry points
 * of an object), the name of its kernel's entry point in it, and a launch
 * table (int64_t words):
 *
 *   [0..2] workgroup size x, y, z
 *   [3]    workgroup memory the kernel declares, in bytes
 *   [4]    device features it needs (attn_abi_vulkan_feature_t bits)
 *   [5]    P, the number of i32 words of its parameter buffer
 *   then for grid dimensions x, y, z in turn: a count n, then n triples
 *   (arg, dim, divisor); the dimension is the product over the triples of
 *   ceil(size of dimension `dim` of argument `arg` / divisor), 1 if n = 0;
 *   then a bound on the loop iterations one invocation executes: a count n,
 *   n quadruples (coefficient, arg, dim, divisor), then a constant; the
 *   bound is the constant plus the sum of coefficient x ceil(size / divisor).
 *   Devices that stop loops after a fixed number of iterations (lavapipe:
 *   65535 per invocation, every loop counted) refuse launches above it.
 *
 * Descriptor set 0 binds argument i as a storage buffer at binding i and
 * the parameter buffer at binding N (the number of arguments): for each
 * argument in order, its offset in elements into its buffer, then its sizes
 * and its strides in elements, 1 + 2 * rank i32 words.
 *===----------------------------------------------------------------------===*/

/** Device features a Vulkan kernel can require. */
typedef enum attn_abi_vulkan_feature_e {
  /** storageBuffer16BitAccess (16-bit tensors read and written in place). */
  ATTN_ABI_VULKAN_FEATURE_16BIT_STORAGE = 1,
} attn_abi_vulkan_feature_t;

/** Fixed words of a launch table before the grid. */
#define ATTN_ABI_VULKAN_LAUNCH_HEADER 6

/**
 * Checks the arguments as attn_rt_bind_args does (but for a context whose
 * device is a Vulkan device), checks the device against the kernel's launch
 * table, and runs the kernel `kernel` of the SPIR-V module (`spirv_words`
 * 32-bit words): uploads the arguments, dispatches, waits and downloads the
 * outputs. Returns NULL on success.
 */
attn_status_t attn_rt_vulkan_launch(attn_context_t *context,
                                    const int64_t *signature, const char *names,
                                    const attn_tensor_t *const *args,
                                    const uint32_t *spirv, int64_t spirv_words,
                                    const char *kernel, const int64_t *launch);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ATTN_ABI_H */
