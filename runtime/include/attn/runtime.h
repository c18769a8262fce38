/*===- attn/runtime.h - libattnrt, the attnc runtime C API -----------------===*
 *
 * The C API that programs using attnc-compiled attention link against, and
 * that generated code calls into. Shaped like IREE's runtime API:
 *
 *  - Every call that can fail returns an attn_status_t. NULL means success;
 *    anything else is an owned status object holding a code and a message,
 *    which the caller must release with attn_status_free().
 *  - Objects are opaque handles with create/destroy pairs.
 *  - Out-parameters come last.
 *  - Options structs have an _initialize() function that sets the defaults;
 *    always call it before setting fields, so new fields get defaults.
 *
 * Thread safety is stated on each type.
 *
 * Generated code depends on this header only. See also attn/abi.h, the
 * contract between the compiler and the runtime (not for direct use).
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_RUNTIME_H
#define ATTN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

/** Error classes, in the spirit of absl/IREE status codes. */
typedef enum attn_status_code_e {
  ATTN_STATUS_OK = 0,
  /** An argument is malformed: NULL pointer, wrong dtype, wrong shape. */
  ATTN_STATUS_INVALID_ARGUMENT = 1,
  /** A size or index is outside what is supported. */
  ATTN_STATUS_OUT_OF_RANGE = 2,
  /** Memory or another resource could not be obtained. */
  ATTN_STATUS_RESOURCE_EXHAUSTED = 3,
  /** The operation is valid but not implemented on this device/build. */
  ATTN_STATUS_UNIMPLEMENTED = 4,
  /** The system is not in a state the call needs (wrong device kind, CPU
   *  lacking an instruction set the code was compiled for). */
  ATTN_STATUS_FAILED_PRECONDITION = 5,
  /** A device could not be reached or created. */
  ATTN_STATUS_UNAVAILABLE = 6,
  /** A bug in attnc or the runtime. */
  ATTN_STATUS_INTERNAL = 7,
} attn_status_code_t;

/** An owned status; NULL is OK. Not thread-safe: one owner at a time. */
typedef struct attn_status_s *attn_status_t;

/** Makes a status with a printf-style message. Returns NULL for
 *  ATTN_STATUS_OK. Never fails: on allocation failure it returns a static
 *  RESOURCE_EXHAUSTED status (which attn_status_free ignores). */
attn_status_t attn_status_make(attn_status_code_t code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** The status's code; ATTN_STATUS_OK for NULL. */
attn_status_code_t attn_status_code(attn_status_t status);

/** The status's message ("" for NULL). Valid until the status is freed. */
const char *attn_status_message(attn_status_t status);

/** The name of a code: "INVALID_ARGUMENT", ... */
const char *attn_status_code_name(attn_status_code_t code);

/** Releases a status. NULL is accepted. */
void attn_status_free(attn_status_t status);

/*===----------------------------------------------------------------------===*
 * Element types and tensors
 *===----------------------------------------------------------------------===*/

/** Element types. The values are part of the compiled-code ABI. */
typedef enum attn_dtype_e {
  ATTN_DTYPE_INVALID = 0,
  ATTN_DTYPE_F32 = 1,
  ATTN_DTYPE_F16 = 2,
  ATTN_DTYPE_BF16 = 3,
  ATTN_DTYPE_F64 = 4,
  ATTN_DTYPE_I8 = 5,
  ATTN_DTYPE_I32 = 6,
} attn_dtype_t;

/** Bytes per element of `dtype`, 0 for ATTN_DTYPE_INVALID or unknown. */
size_t attn_dtype_size(attn_dtype_t dtype);

/** "f32", "f16", ...; "invalid" for unknown values. */
const char *attn_dtype_name(attn_dtype_t dtype);

/** The same names as attn_dtype_name, as an inline function, for code (the
 *  compiler) that shares this header without linking the runtime. */
static inline const char *attn_dtype_name_inline(attn_dtype_t dtype) {
  switch (dtype) {
  case ATTN_DTYPE_F32:
    return "f32";
  case ATTN_DTYPE_F16:
    return "f16";
  case ATTN_DTYPE_BF16:
    return "bf16";
  case ATTN_DTYPE_F64:
    return "f64";
  case ATTN_DTYPE_I8:
    return "i8";
  case ATTN_DTYPE_I32:
    return "i32";
  case ATTN_DTYPE_INVALID:
    return "invalid";
  }
  return "invalid";
}

#define ATTN_MAX_RANK 8

/**
 * A tensor passed to or from compiled code: a view of caller-owned memory.
 * `strides` are in elements (not bytes), may differ from the contiguous
 * row-major layout (e.g. a [B, L, H, D] buffer passed as [B, H, L, D] with
 * permuted strides) and must be non-negative; the last dimension must be
 * contiguous (stride 1), as for FlashAttention-style kernels elsewhere;
 * outputs must not overlap themselves or any input. A plain struct: fill it
 * directly or with attn_tensor_init_contiguous(). Thread-compatible (no
 * internal state).
 */
typedef struct attn_tensor_t {
  void *data;
  attn_dtype_t dtype;
  int32_t rank;
  int64_t sizes[ATTN_MAX_RANK];
  int64_t strides[ATTN_MAX_RANK];
} attn_tensor_t;

/** Describes `data` as a contiguous row-major tensor of `sizes`. */
attn_status_t attn_tensor_init_contiguous(attn_tensor_t *tensor, void *data,
                                          attn_dtype_t dtype, int32_t rank,
                                          const int64_t *sizes);

/** Number of elements (product of sizes). */
int64_t attn_tensor_element_count(const attn_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Devices
 *===----------------------------------------------------------------------===*/

/** What executes compiled code: the host CPU, or a Vulkan device (code
 *  compiled for a Vulkan target; attn_device_create_vulkan). NPU devices
 *  come with their target. */
typedef enum attn_device_kind_e {
  ATTN_DEVICE_CPU = 1,
  ATTN_DEVICE_VULKAN = 2,
  ATTN_DEVICE_NPU = 3,
} attn_device_kind_t;

/** A device handle. Immutable after creation: thread-safe. */
typedef struct attn_device_s attn_device_t;

/** Creates a handle for the host CPU. */
attn_status_t attn_device_create_cpu(attn_device_t **out_device);

/** Creates a device of `kind`; returns UNIMPLEMENTED for kinds this build of
 *  the runtime does not support. */
attn_status_t attn_device_create(attn_device_kind_t kind,
                                 attn_device_t **out_device);

/** Options of attn_device_create_vulkan(). */
typedef struct attn_vulkan_device_options_t {
  /** Index into the Vulkan loader's list of physical devices; -1 (the
   *  default) chooses: `name_contains` if set, else the environment
   *  variable ATTN_VULKAN_DEVICE (an index or part of a name), else the
   *  first discrete GPU, then integrated, virtual, and last a CPU device
   *  (Mesa's lavapipe). */
  int32_t physical_device_index;
  /** Choose the first device whose name contains this text; NULL: none. */
  const char *name_contains;
} attn_vulkan_device_options_t;

/** Sets `options` to the defaults (choose the best device). */
void attn_vulkan_device_options_initialize(
    attn_vulkan_device_options_t *options);

/**
 * Creates a Vulkan device: loads the Vulkan loader (libvulkan.so.1) at run
 * time, so programs that use only the CPU never need it. Returns
 * UNAVAILABLE, naming the Vulkan result, when no loader, no device or no
 * compute queue is found; UNIMPLEMENTED when this build of libattnrt has no
 * Vulkan support. The device owns a queue, a pipeline cache (one pipeline
 * per kernel, built on first use) and staging buffers; launches on it are
 * serialised by an internal lock, so the handle is thread-safe.
 */
attn_status_t
attn_device_create_vulkan(const attn_vulkan_device_options_t *options,
                          attn_device_t **out_device);

/** A human-readable name: "host CPU", or the Vulkan device's name
 *  ("llvmpipe (LLVM 15.0.6, 256 bits)"). */
const char *attn_device_name(const attn_device_t *device);

void attn_device_destroy(attn_device_t *device);

attn_device_kind_t attn_device_kind(const attn_device_t *device);

/** "cpu", "vulkan", "npu". */
const char *attn_device_kind_name(attn_device_kind_t kind);

/*===----------------------------------------------------------------------===*
 * Contexts
 *===----------------------------------------------------------------------===*/

/** Options of attn_context_create(). */
typedef struct attn_context_options_t {
  /** Threads used by parallel work, the calling thread included. 0 picks
   *  one per online CPU core. */
  int32_t thread_count;
  /** The device compiled code runs on; NULL means the host CPU. The context
   *  does not take ownership; the device must outlive it. */
  attn_device_t *device;
} attn_context_options_t;

/** Sets `options` to the defaults (all cores, host CPU). */
void attn_context_options_initialize(attn_context_options_t *options);

/**
 * The state compiled entry points run with: a device and a thread pool.
 * Thread-safe: entry points may be called on one context from several
 * threads; their parallel work is serialised on the context's pool.
 */
typedef struct attn_context_s attn_context_t;

attn_status_t attn_context_create(const attn_context_options_t *options,
                                  attn_context_t **out_context);

/** Joins the pool's threads and frees the context. NULL is accepted. */
void attn_context_destroy(attn_context_t *context);

/** Threads that parallel work uses, the caller included (>= 1). */
int32_t attn_context_thread_count(const attn_context_t *context);

/** Device time in nanoseconds of the last kernel run on the context, from
 *  the device's timestamps (Vulkan); -1 when unknown (CPU devices, or
 *  devices without compute timestamps). */
int64_t attn_context_last_device_time_ns(const attn_context_t *context);

/**
 * Caps the bytes of temporaries that compiled code running on the context
 * may hold at once (on the host: the allocations of CPU kernels, and a
 * staging copy of each output; on a Vulkan device: the buffers one launch
 * stages). 0, the default, sets no cap. A call that would exceed it, or
 * whose allocation fails, returns ATTN_STATUS_RESOURCE_EXHAUSTED, frees
 * what it allocated and leaves its outputs untouched (CPU kernels under a
 * cap write their outputs into the staging copies, which reach the caller's
 * tensors only when the kernel has finished; without a cap they write in
 * place, so a call whose malloc fails may have written part of its
 * outputs); see attn_context_scratch_bytes. OUT_OF_RANGE for a negative
 * limit.
 */
attn_status_t attn_context_set_scratch_limit(attn_context_t *context,
                                             int64_t bytes);

/** Bytes of temporaries compiled code holds on the context now (0 between
 *  calls). */
int64_t attn_context_scratch_bytes(const attn_context_t *context);

/** The context's device (the host CPU device when none was given). */
const attn_device_t *attn_context_device(const attn_context_t *context);

/** Body of a parallel loop: processes items [begin, end). */
typedef void (*attn_parallel_fn_t)(void *user_data, int64_t begin, int64_t end);

/**
 * Runs fn over [0, count) split into chunks of at most `grain` items (0
 * picks a split of about 4 chunks per thread) on the context's threads and
 * the caller's; returns when every item is done. Nested calls (from inside
 * fn) run inline on the calling thread. When memory compiled code
 * allocates inside fn runs out, the remaining chunks are skipped and the
 * failure is returned as ATTN_STATUS_RESOURCE_EXHAUSTED (or passed to the
 * compiled entry point that made the call).
 */
attn_status_t attn_context_parallel_for(attn_context_t *context, int64_t count,
                                        int64_t grain, attn_parallel_fn_t fn,
                                        void *user_data);

/*===----------------------------------------------------------------------===*
 * Memory of compiled code
 *===----------------------------------------------------------------------===*/

/** What compiled code has allocated through the runtime (its temporaries;
 *  inputs and outputs are the caller's). */
typedef struct attn_memory_stats_t {
  /** Bytes allocated and not yet freed. */
  int64_t current_bytes;
  /** The most bytes held at once since the last reset. */
  int64_t peak_bytes;
  /** Allocations since the last reset. */
  int64_t allocations;
} attn_memory_stats_t;

/** Reads the process-wide counters. Thread-safe. */
void attn_memory_stats(attn_memory_stats_t *out_stats);

/** Restarts the peak at the current usage and the allocation count at 0. */
void attn_memory_stats_reset_peak(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ATTN_RUNTIME_H */
