/*===- abi.c - checking and binding the arguments of generated entries ----===*
 *
 * Implements attn_rt_bind_args (attn/abi.h): every shape, dtype, stride and
 * aliasing rule that an entry point's kernel relies on is checked here,
 * before the kernel touches memory, and reported as a status that names the
 * entry point, the argument and the dimension.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/abi.h"
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64
#define MAX_SYMBOLS 256
/* Entry points have one output (attn.diff's included); a few to spare. */
#define MAX_STAGED_OUTPUTS 4

/* Copies the `index`-th comma-separated name after the ':' of `names` (or the
 * entry name itself for index -1) into `out`. */
static void name_at(const char *names, int index, char *out, size_t size) {
  const char *p = names ? names : "";
  const char *colon = strchr(p, ':');
  const char *start = p, *end = colon ? colon : p + strlen(p);
  if (index >= 0) {
    start = colon ? colon + 1 : p + strlen(p);
    for (int i = 0; i < index && *start; ++i) {
      const char *comma = strchr(start, ',');
      start = comma ? comma + 1 : start + strlen(start);
    }
    end = strchr(start, ',');
    if (!end)
      end = start + strlen(start);
  }
  size_t n = (size_t)(end - start);
  if (n >= size)
    n = size - 1;
  memcpy(out, start, n);
  out[n] = '\0';
  if (n == 0)
    snprintf(out, size, index >= 0 ? "arg%d" : "<entry>", index);
}

/* Levels 1-15 are x86-64's, 16 and up AArch64's. */
static int is_aarch64_level(int64_t level) {
  return level >= ATTN_ABI_ISA_AARCH64_V8;
}

#if defined(__x86_64__) || defined(__i386__)
static int cpu_has_isa(int64_t level, const char **missing) {
  if (is_aarch64_level(level)) {
    *missing = "an AArch64 CPU";
    return 0;
  }
  if (level > ATTN_ABI_ISA_X86_64_V4_BF16) {
    *missing = "an x86-64 instruction-set level this libattnrt does not know "
               "(an object from a newer attnc)";
    return 0;
  }
  __builtin_cpu_init();
  /* The VNNI levels add one extension to a base level, the BF16 level two. */
  int64_t vnni = level;
  if (level == ATTN_ABI_ISA_X86_64_V4_VNNI ||
      level == ATTN_ABI_ISA_X86_64_V4_BF16)
    level = ATTN_ABI_ISA_X86_64_V4;
  else if (level == ATTN_ABI_ISA_X86_64_V3_VNNI)
    level = ATTN_ABI_ISA_X86_64_V3;
  if (level >= ATTN_ABI_ISA_X86_64_V2 && !__builtin_cpu_supports("sse4.2")) {
    *missing = "SSE4.2 (x86-64-v2)";
    return 0;
  }
  if (level >= ATTN_ABI_ISA_X86_64_V3 &&
      !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    *missing = "AVX2 and FMA (x86-64-v3)";
    return 0;
  }
  if (level >= ATTN_ABI_ISA_X86_64_V4 &&
      !(__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))) {
    *missing = "AVX-512 F/BW/DQ/VL (x86-64-v4)";
    return 0;
  }
  if ((vnni == ATTN_ABI_ISA_X86_64_V4_VNNI ||
       vnni == ATTN_ABI_ISA_X86_64_V4_BF16) &&
      !__builtin_cpu_supports("avx512vnni")) {
    *missing = "AVX-512 VNNI";
    return 0;
  }
  if (vnni == ATTN_ABI_ISA_X86_64_V4_BF16 &&
      !__builtin_cpu_supports("avx512bf16")) {
    *missing = "AVX-512 BF16";
    return 0;
  }
  if (vnni == ATTN_ABI_ISA_X86_64_V3_VNNI &&
      !__builtin_cpu_supports("avxvnni")) {
    *missing = "AVX-VNNI";
    return 0;
  }
  return 1;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_FPHP
#define HWCAP_FPHP (1 << 9)
#endif
#ifndef HWCAP_ASIMDHP
#define HWCAP_ASIMDHP (1 << 10)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1 << 14)
#endif
static int cpu_has_isa(int64_t level, const char **missing) {
  if (level != ATTN_ABI_ISA_ANY && !is_aarch64_level(level)) {
    *missing = "an x86-64 CPU";
    return 0;
  }
  if (level > ATTN_ABI_ISA_AARCH64_V86) {
    *missing = "an AArch64 instruction-set level this libattnrt does not "
               "know (an object from a newer attnc)";
    return 0;
  }
  unsigned long hwcap = getauxval(AT_HWCAP);
  if (level >= ATTN_ABI_ISA_AARCH64_V82 &&
      !((hwcap & HWCAP_ASIMDDP) && (hwcap & HWCAP_FPHP) &&
        (hwcap & HWCAP_ASIMDHP))) {
    *missing = "Armv8.2-A dotprod and fp16 (cortex-a76 class)";
    return 0;
  }
  unsigned long hwcap2 = getauxval(AT_HWCAP2);
  if (level >= ATTN_ABI_ISA_AARCH64_V86 &&
      !((hwcap2 & HWCAP2_BF16) && (hwcap2 & HWCAP2_I8MM))) {
    *missing = "Armv8.6-A bf16 and i8mm (neoverse-n2 class)";
    return 0;
  }
  return 1;
}
#else
static int cpu_has_isa(int64_t level, const char **missing) {
  if (level != ATTN_ABI_ISA_ANY) {
    *missing = is_aarch64_level(level) ? "an AArch64 CPU" : "an x86-64 CPU";
    return 0;
  }
  return 1;
}
#endif

/* The bytes from a non-empty tensor's first element to one past its last,
 * for non-negative sizes and strides; 0 when that does not fit in the
 * address space from its data pointer on (sizes times strides overflow). */
static uint64_t span_bytes(const attn_tensor_t *t) {
  uint64_t last = 0, term, bytes;
  for (int32_t d = 0; d < t->rank; ++d) {
    if (__builtin_mul_overflow((uint64_t)(t->sizes[d] - 1),
                               (uint64_t)t->strides[d], &term) ||
        __builtin_add_overflow(last, term, &last))
      return 0;
  }
  if (__builtin_add_overflow(last, 1, &last) ||
      __builtin_mul_overflow(last, (uint64_t)attn_dtype_size(t->dtype),
                             &bytes) ||
      bytes > (uint64_t)UINTPTR_MAX - (uint64_t)(uintptr_t)t->data)
    return 0;
  return bytes;
}

/* Lowest and one-past-highest byte address a tensor touches; empty tensors
 * give lo == hi. Only for tensors that passed the checks of
 * attn_rt_bind_args_on (span_bytes > 0 when not empty). */
static void byte_span(const attn_tensor_t *t, uintptr_t *lo, uintptr_t *hi) {
  uintptr_t base = (uintptr_t)t->data;
  for (int32_t d = 0; d < t->rank; ++d) {
    if (t->sizes[d] == 0) {
      *lo = *hi = base;
      return;
    }
  }
  *lo = base;
  *hi = base + (uintptr_t)span_bytes(t);
}

attn_status_t attn_rt_bind_args(attn_context_t *context, const int64_t *sig,
                                const char *names,
                                const attn_tensor_t *const *args,
                                int64_t *descriptors) {
  return attn_rt_bind_args_on(context, ATTN_DEVICE_CPU, sig, names, args,
                              descriptors);
}

attn_status_t attn_rt_bind_args_on(attn_context_t *context,
                                   attn_device_kind_t expected,
                                   const int64_t *sig, const char *names,
                                   const attn_tensor_t *const *args,
                                   int64_t *descriptors) {
  char entry[128], arg_name[128], other_name[128];
  name_at(names, -1, entry, sizeof(entry));

  if (!context)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "%s: the context is NULL", entry);
  attn_device_kind_t kind = attn_device_kind(attn_context_device(context));
  if (kind != expected)
    return attn_status_make(
        ATTN_STATUS_FAILED_PRECONDITION,
        "%s: compiled for %s, but the context's "
        "device is %s%s",
        entry, expected == ATTN_DEVICE_CPU ? "the CPU" : "a Vulkan device",
        attn_device_kind_name(kind),
        expected == ATTN_DEVICE_VULKAN
            ? " (create it with attn_device_create_vulkan)"
            : "");
  if (sig[0] != ATTN_ABI_VERSION)
    return attn_status_make(ATTN_STATUS_FAILED_PRECONDITION,
                            "%s: compiled for runtime ABI version %lld, but "
                            "this libattnrt implements version %d",
                            entry, (long long)sig[0], ATTN_ABI_VERSION);
  const char *missing = NULL;
  if (!cpu_has_isa(sig[1], &missing))
    return attn_status_make(ATTN_STATUS_FAILED_PRECONDITION,
                            "%s: compiled for a CPU with %s, which this CPU "
                            "does not have; recompile with another --target",
                            entry, missing);
  int64_t num_args = sig[2], num_constraints = sig[3];
  if (num_args > MAX_ARGS)
    return attn_status_make(ATTN_STATUS_INTERNAL,
                            "%s: %lld arguments exceed the runtime's limit %d",
                            entry, (long long)num_args, MAX_ARGS);

  /* Symbol values and where each was first bound. */
  int64_t sym_value[MAX_SYMBOLS];
  int sym_arg[MAX_SYMBOLS], sym_dim[MAX_SYMBOLS];
  for (int i = 0; i < MAX_SYMBOLS; ++i)
    sym_value[i] = -1;
  const int64_t *arg_sig[MAX_ARGS];

  const int64_t *p = sig + 4;
  int64_t *desc = descriptors;
  for (int64_t a = 0; a < num_args; ++a) {
    arg_sig[a] = p;
    attn_dtype_t dtype = (attn_dtype_t)p[0];
    int32_t rank = (int32_t)p[1];
    int is_output = (int)p[2];
    const int64_t *dims = p + 3;
    p += 3 + rank;
    name_at(names, (int)a, arg_name, sizeof(arg_name));
    const attn_tensor_t *t = args[a];
    if (!t)
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: argument '%s' is NULL", entry, arg_name);
    if (t->dtype != dtype)
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: argument '%s' has dtype %s, expected %s",
                              entry, arg_name, attn_dtype_name(t->dtype),
                              attn_dtype_name(dtype));
    if (t->rank != rank)
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: argument '%s' has rank %d, expected %d",
                              entry, arg_name, (int)t->rank, (int)rank);
    /* A tensor without elements has nothing that could overlap. */
    int64_t elements = 1;
    int too_many = 0;
    for (int32_t d = 0; d < rank; ++d)
      too_many |= __builtin_mul_overflow(
          elements, t->sizes[d] > 0 ? t->sizes[d] : 0, &elements);
    for (int32_t d = 0; d < rank; ++d) {
      int64_t size = t->sizes[d], stride = t->strides[d];
      if (size < 0)
        return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                "%s: argument '%s' dimension %d has negative "
                                "size %lld",
                                entry, arg_name, (int)d, (long long)size);
      if (stride < 0)
        return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                "%s: argument '%s' dimension %d has negative "
                                "stride %lld; strides must be >= 0",
                                entry, arg_name, (int)d, (long long)stride);
      if (d == rank - 1 && stride != 1 && size > 1 && elements > 0)
        return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                "%s: argument '%s' must be contiguous in its "
                                "last dimension (stride 1), found stride %lld",
                                entry, arg_name, (long long)stride);
      if (is_output && stride == 0 && size > 1 && elements > 0)
        return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                "%s: output '%s' dimension %d has stride 0, "
                                "so its elements overlap",
                                entry, arg_name, (int)d);
      int64_t code = dims[d];
      if (code >= 0) {
        if (size != code)
          return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                  "%s: argument '%s' dimension %d has size "
                                  "%lld, expected %lld",
                                  entry, arg_name, (int)d, (long long)size,
                                  (long long)code);
      } else {
        int64_t sym = -1 - code;
        if (sym >= MAX_SYMBOLS)
          return attn_status_make(ATTN_STATUS_INTERNAL,
                                  "%s: symbol %lld exceeds the runtime's "
                                  "limit %d",
                                  entry, (long long)sym, MAX_SYMBOLS);
        if (sym_value[sym] < 0) {
          sym_value[sym] = size;
          sym_arg[sym] = (int)a;
          sym_dim[sym] = (int)d;
        } else if (sym_value[sym] != size) {
          name_at(names, sym_arg[sym], other_name, sizeof(other_name));
          return attn_status_make(
              ATTN_STATUS_INVALID_ARGUMENT,
              "%s: argument '%s' dimension %d has size %lld, but it must "
              "equal dimension %d of '%s', which is %lld",
              entry, arg_name, (int)d, (long long)size, sym_dim[sym],
              other_name, (long long)sym_value[sym]);
        }
      }
    }
    if (too_many || (elements > 0 && span_bytes(t) == 0))
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: argument '%s' spans more memory than the "
                              "address space holds (its sizes times its "
                              "strides overflow)",
                              entry, arg_name);
    if (!t->data && elements > 0)
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: argument '%s' has %lld elements but a NULL "
                              "data pointer",
                              entry, arg_name, (long long)elements);
    desc[0] = (int64_t)(intptr_t)t->data;
    desc[1] = (int64_t)(intptr_t)t->data;
    desc[2] = 0;
    for (int32_t d = 0; d < rank; ++d) {
      desc[3 + d] = t->sizes[d];
      desc[3 + rank + d] = t->strides[d];
    }
    /* Kernels are compiled for a unit last stride; where the last dimension
     * holds at most one element (or none) the stride is never used. */
    if (rank > 0)
      desc[3 + 2 * rank - 1] = 1;
    desc += ATTN_ABI_DESCRIPTOR_WORDS(rank);
  }

  /* Outputs must not overlap inputs or other outputs. */
  for (int64_t a = 0; a < num_args; ++a) {
    if (!arg_sig[a][2])
      continue;
    uintptr_t lo, hi;
    byte_span(args[a], &lo, &hi);
    for (int64_t b = 0; b < num_args; ++b) {
      if (b == a)
        continue;
      uintptr_t blo, bhi;
      byte_span(args[b], &blo, &bhi);
      if (lo < hi && blo < bhi && lo < bhi && blo < hi) {
        name_at(names, (int)a, arg_name, sizeof(arg_name));
        name_at(names, (int)b, other_name, sizeof(other_name));
        return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                                "%s: output '%s' overlaps argument '%s'; "
                                "entry points do not run in place",
                                entry, arg_name, other_name);
      }
    }
  }

  for (int64_t c = 0; c < num_constraints; ++c, p += 5) {
    int64_t lhs = args[p[1]]->sizes[p[2]];
    if (p[0] == ATTN_ABI_CONSTRAINT_MULTIPLE) {
      if (p[3] > 0 && lhs > 0 && lhs % p[3] == 0)
        continue;
      name_at(names, (int)p[1], arg_name, sizeof(arg_name));
      return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                              "%s: dimension %d of '%s' (%lld) must be a "
                              "positive multiple of %lld",
                              entry, (int)p[2], arg_name, (long long)lhs,
                              (long long)p[3]);
    }
    int64_t rhs = args[p[3]]->sizes[p[4]];
    int ok;
    if (p[0] == ATTN_ABI_CONSTRAINT_DIVISIBLE)
      ok = rhs > 0 && lhs % rhs == 0;
    else if (p[0] == ATTN_ABI_CONSTRAINT_TWICE)
      ok = lhs % 2 == 0 && lhs / 2 == rhs;
    else
      return attn_status_make(ATTN_STATUS_INTERNAL,
                              "%s: unknown constraint kind %lld", entry,
                              (long long)p[0]);
    if (ok)
      continue;
    name_at(names, (int)p[1], arg_name, sizeof(arg_name));
    name_at(names, (int)p[3], other_name, sizeof(other_name));
    if (p[0] == ATTN_ABI_CONSTRAINT_TWICE)
      return attn_status_make(
          ATTN_STATUS_INVALID_ARGUMENT,
          "%s: dimension %d of '%s' (%lld) must be twice dimension %d of "
          "'%s' (%lld)",
          entry, (int)p[2], arg_name, (long long)lhs, (int)p[4], other_name,
          (long long)rhs);
    return attn_status_make(
        ATTN_STATUS_INVALID_ARGUMENT,
        "%s: dimension %d of '%s' (%lld) must be a positive divisor of "
        "dimension %d of '%s' (%lld)",
        entry, (int)p[4], other_name, (long long)rhs, (int)p[2], arg_name,
        (long long)lhs);
  }
  return NULL;
}

/* An output staged in scratch while a kernel runs under a scratch limit:
 * the kernel writes the copy (contiguous), and the caller's tensor gets it
 * only once the kernel has finished, so a refused call leaves it untouched. */
typedef struct staged_output_s {
  int64_t *desc; /* the output's descriptor words (rewritten) */
  int64_t rank;
  size_t elt;   /* bytes an element */
  size_t bytes; /* of the contiguous copy */
  char *copy;
  int64_t saved[3 + 2 * ATTN_MAX_RANK]; /* the caller's descriptor */
} staged_output_t;

/* Copies the contiguous `out->copy` into the caller's (strided, last
 * dimension contiguous) output that `out->saved` describes. */
static void unstage(const staged_output_t *out) {
  const int64_t *d = out->saved, rank = out->rank;
  const int64_t *sizes = d + 3, *strides = d + 3 + rank;
  if (out->bytes == 0)
    return;
  char *base = (char *)(intptr_t)d[1] + (size_t)d[2] * out->elt;
  size_t row = rank > 0 ? (size_t)sizes[rank - 1] * out->elt : out->elt;
  int64_t rows = 1, index[ATTN_MAX_RANK] = {0};
  for (int64_t i = 0; i + 1 < rank; ++i)
    rows *= sizes[i];
  const char *src = out->copy;
  for (int64_t r = 0; r < rows; ++r, src += row) {
    int64_t offset = 0;
    for (int64_t i = 0; i + 1 < rank; ++i)
      offset += index[i] * strides[i];
    memcpy(base + (size_t)offset * out->elt, src, row);
    for (int64_t i = rank - 2; i >= 0; --i) { /* next row index */
      if (++index[i] < sizes[i])
        break;
      index[i] = 0;
    }
  }
}

static void free_staged(attn_context_t *context, staged_output_t *outs,
                        int count) {
  for (int i = 0; i < count; ++i) {
    free(outs[i].copy);
    attn_context_release_scratch(context, outs[i].bytes);
  }
}

/* Runs `kernel` under an allocation guard (nothing here lives across the
 * longjmp but the guard itself). */
static attn_status_t run_guarded(attn_context_t *context, int entry_len,
                                 const char *names, attn_rt_kernel_fn_t kernel,
                                 int64_t *descriptors) {
  attn_rt_guard_t guard;
  attn_rt_guard_push(&guard, context);
  if (setjmp(guard.jump)) {
    attn_rt_guard_unwind(&guard);
    if (guard.failed_by_limit)
      return attn_status_make(
          ATTN_STATUS_RESOURCE_EXHAUSTED,
          "%.*s: a temporary of %zu bytes would take the temporaries past "
          "the context's scratch limit of %lld bytes",
          entry_len, names, guard.failed_bytes,
          (long long)attn_context_scratch_limit(context));
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED,
                            "%.*s: out of memory allocating a temporary of "
                            "%zu bytes",
                            entry_len, names, guard.failed_bytes);
  }
  kernel(context, descriptors);
  attn_rt_guard_pop(&guard);
  return NULL;
}

attn_status_t attn_rt_run(attn_context_t *context, const int64_t *sig,
                          const char *names, attn_rt_kernel_fn_t kernel,
                          int64_t *descriptors) {
  const char *colon = names ? strchr(names, ':') : NULL;
  int entry_len = colon ? (int)(colon - names) : 0;
  /* Under a scratch limit, outputs are staged (their bytes count against
   * the limit), so that a call refused for memory writes nothing. */
  staged_output_t staged[MAX_STAGED_OUTPUTS];
  int num_staged = 0;
  if (attn_context_scratch_limit(context) > 0) {
    const int64_t *p = sig + 4;
    int64_t *desc = descriptors;
    for (int64_t a = 0; a < sig[2] && a < MAX_ARGS; ++a) {
      int64_t rank = p[1];
      int is_output = p[2] != 0;
      size_t elt = attn_dtype_size((attn_dtype_t)p[0]);
      p += 3 + rank;
      if (is_output && num_staged == MAX_STAGED_OUTPUTS) {
        free_staged(context, staged, num_staged);
        return attn_status_make(ATTN_STATUS_INTERNAL,
                                "%.*s: more than %d outputs to stage",
                                entry_len, names, MAX_STAGED_OUTPUTS);
      }
      if (is_output) {
        staged_output_t *out = &staged[num_staged];
        out->desc = desc;
        out->rank = rank;
        out->elt = elt;
        memcpy(out->saved, desc,
               sizeof(int64_t) * (size_t)ATTN_ABI_DESCRIPTOR_WORDS(rank));
        /* The binder checked sizes x strides, so this cannot overflow. */
        size_t elements = 1;
        for (int64_t d = 0; d < rank; ++d)
          elements *= (size_t)desc[3 + d];
        out->bytes = elements * elt;
        out->copy = NULL;
        if (!attn_context_reserve_scratch(context, out->bytes)) {
          free_staged(context, staged, num_staged);
          return attn_status_make(
              ATTN_STATUS_RESOURCE_EXHAUSTED,
              "%.*s: staging output %lld (%zu bytes) would take the "
              "temporaries past the context's scratch limit of %lld bytes",
              entry_len, names, (long long)a, out->bytes,
              (long long)attn_context_scratch_limit(context));
        }
        out->copy = out->bytes ? malloc(out->bytes) : NULL;
        ++num_staged;
        if (out->bytes && !out->copy) {
          free_staged(context, staged, num_staged);
          return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED,
                                  "%.*s: out of memory staging output %lld "
                                  "(%zu bytes)",
                                  entry_len, names, (long long)a, out->bytes);
        }
        /* The kernel writes the contiguous copy instead. */
        desc[0] = desc[1] = (int64_t)(intptr_t)out->copy;
        desc[2] = 0;
        int64_t stride = 1;
        for (int64_t d = rank - 1; d >= 0; --d) {
          desc[3 + rank + d] = stride;
          stride *= desc[3 + d];
        }
      }
      desc += ATTN_ABI_DESCRIPTOR_WORDS(rank);
    }
  }

  attn_status_t status =
      run_guarded(context, entry_len, names, kernel, descriptors);
  if (!status)
    for (int i = 0; i < num_staged; ++i)
      unstage(&staged[i]);
  free_staged(context, staged, num_staged);
  return status;
}
