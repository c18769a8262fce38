/*===- context.c - devices, contexts and the thread pool ------------------===*
 *
 * A context owns a fixed pool of worker threads. attn_context_parallel_for
 * publishes one job (a function and a range); the workers and the caller
 * claim chunks from an atomic counter until the range is exhausted.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/runtime.h"
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/* The device a context uses when its options name none. */
static const attn_device_t host_cpu_device = {ATTN_DEVICE_CPU, NULL,
                                              "host CPU"};

attn_status_t attn_device_create(attn_device_kind_t kind,
                                 attn_device_t **out_device) {
  if (!out_device)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_device_create: out_device is NULL");
  *out_device = NULL;
  if (kind == ATTN_DEVICE_VULKAN)
    return attn_device_create_vulkan(NULL, out_device);
  if (kind != ATTN_DEVICE_CPU)
    return attn_status_make(ATTN_STATUS_UNIMPLEMENTED,
                            "attn_device_create: %s devices are not supported "
                            "by this build of libattnrt",
                            attn_device_kind_name(kind));
  attn_device_t *device = calloc(1, sizeof(*device));
  if (!device)
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  *device = host_cpu_device;
  *out_device = device;
  return NULL;
}

attn_status_t attn_device_create_cpu(attn_device_t **out_device) {
  return attn_device_create(ATTN_DEVICE_CPU, out_device);
}

void attn_vulkan_device_options_initialize(
    attn_vulkan_device_options_t *options) {
  options->physical_device_index = -1;
  options->name_contains = NULL;
}

attn_status_t
attn_device_create_vulkan(const attn_vulkan_device_options_t *options,
                          attn_device_t **out_device) {
  if (!out_device)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_device_create_vulkan: out_device is NULL");
  *out_device = NULL;
  attn_vulkan_device_options_t defaults;
  attn_vulkan_device_options_initialize(&defaults);
  attn_device_t *device = calloc(1, sizeof(*device));
  if (!device)
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  device->kind = ATTN_DEVICE_VULKAN;
  attn_status_t status =
      attn_vulkan_open(options ? options : &defaults, &device->vulkan,
                       device->name, sizeof(device->name));
  if (status) {
    free(device);
    return status;
  }
  *out_device = device;
  return NULL;
}

const char *attn_device_name(const attn_device_t *device) {
  return device ? device->name : "";
}

void attn_device_destroy(attn_device_t *device) {
  if (!device)
    return;
  if (device->vulkan)
    attn_vulkan_close(device->vulkan);
  free(device);
}

attn_device_kind_t attn_device_kind(const attn_device_t *device) {
  return device->kind;
}

const char *attn_device_kind_name(attn_device_kind_t kind) {
  switch (kind) {
  case ATTN_DEVICE_CPU:
    return "cpu";
  case ATTN_DEVICE_VULKAN:
    return "vulkan";
  case ATTN_DEVICE_NPU:
    return "npu";
  }
  return "unknown";
}

/* One published loop. */
typedef struct job_t {
  attn_parallel_fn_t fn;
  void *user_data;
  int64_t count;
  int64_t grain;
  atomic_llong next; /* first unclaimed item */
  atomic_int active; /* threads still inside the job */
  /* Set by the first chunk whose allocation failed, with the bytes it asked
   * for and whether the context's limit refused them (read after the join). */
  atomic_int failed;
  size_t failed_bytes;
  int failed_by_limit;
} job_t;

struct attn_context_s {
  const attn_device_t *device;
  int32_t thread_count;
  pthread_t *workers; /* thread_count - 1 of them */
  pthread_mutex_t mutex;
  pthread_cond_t wake;        /* workers wait for a new generation or stop */
  pthread_cond_t done;        /* the caller waits for active == 0 */
  pthread_mutex_t call_mutex; /* serialises parallel_for callers */
  uint64_t generation;
  int stop;
  job_t job;
  atomic_llong device_time_ns; /* of the last kernel; -1 unknown */
  atomic_llong scratch_limit;  /* bytes; 0: none */
  atomic_llong scratch_bytes;  /* held by compiled code now */
};

/* Set on threads that are running a job, so nested loops run inline. */
static _Thread_local int in_parallel_region;

/* Runs items [begin, end) under an allocation guard; on failure records it
 * in the job and stops the job handing out further chunks. */
static void run_chunk(attn_context_t *ctx, job_t *job, int64_t begin,
                      int64_t end) {
  attn_rt_guard_t guard;
  attn_rt_guard_push(&guard, ctx);
  if (setjmp(guard.jump)) {
    attn_rt_guard_unwind(&guard);
    int none = 0;
    if (atomic_compare_exchange_strong(&job->failed, &none, 1)) {
      job->failed_bytes = guard.failed_bytes;
      job->failed_by_limit = guard.failed_by_limit;
    }
    atomic_store(&job->next, job->count);
    return;
  }
  job->fn(job->user_data, begin, end);
  attn_rt_guard_pop(&guard);
}

static void run_chunks(attn_context_t *ctx, job_t *job) {
  for (;;) {
    int64_t begin = atomic_fetch_add(&job->next, job->grain);
    if (begin >= job->count)
      break;
    int64_t end = begin + job->grain;
    if (end > job->count)
      end = job->count;
    run_chunk(ctx, job, begin, end);
  }
}

/* After a job: passes a chunk's allocation failure on to the caller's guard
 * (compiled code ignores this function's status, so the failure must jump),
 * or returns it as a status when the caller runs under none. */
static attn_status_t finish_job(int failed, size_t bytes, int by_limit) {
  if (!failed)
    return NULL;
  attn_rt_guard_raise(bytes, by_limit);
  return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED,
                          "attn_context_parallel_for: out of memory "
                          "allocating %zu bytes%s",
                          bytes,
                          by_limit ? " (the context's scratch limit)" : "");
}

static void *worker_main(void *arg) {
  attn_context_t *ctx = arg;
  uint64_t seen = 0;
  in_parallel_region = 1;
  pthread_mutex_lock(&ctx->mutex);
  for (;;) {
    while (!ctx->stop && ctx->generation == seen)
      pthread_cond_wait(&ctx->wake, &ctx->mutex);
    if (ctx->stop)
      break;
    seen = ctx->generation;
    pthread_mutex_unlock(&ctx->mutex);
    run_chunks(ctx, &ctx->job);
    pthread_mutex_lock(&ctx->mutex);
    if (atomic_fetch_sub(&ctx->job.active, 1) == 1)
      pthread_cond_signal(&ctx->done);
  }
  pthread_mutex_unlock(&ctx->mutex);
  return NULL;
}

void attn_context_options_initialize(attn_context_options_t *options) {
  options->thread_count = 0;
  options->device = NULL;
}

attn_status_t attn_context_create(const attn_context_options_t *options,
                                  attn_context_t **out_context) {
  if (!out_context)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_context_create: out_context is NULL");
  *out_context = NULL;
  attn_context_options_t defaults;
  attn_context_options_initialize(&defaults);
  if (!options)
    options = &defaults;
  if (options->thread_count < 0 || options->thread_count > 1024)
    return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                            "attn_context_create: thread_count %d is outside "
                            "[0, 1024]",
                            (int)options->thread_count);
  int32_t threads = options->thread_count;
  if (threads == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int32_t)n : 1;
  }
  attn_context_t *ctx = calloc(1, sizeof(*ctx));
  if (!ctx)
    return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  ctx->device = options->device ? options->device : &host_cpu_device;
  atomic_init(&ctx->device_time_ns, -1);
  ctx->thread_count = threads;
  pthread_mutex_init(&ctx->mutex, NULL);
  pthread_mutex_init(&ctx->call_mutex, NULL);
  pthread_cond_init(&ctx->wake, NULL);
  pthread_cond_init(&ctx->done, NULL);
  if (threads > 1) {
    ctx->workers = calloc((size_t)threads - 1, sizeof(pthread_t));
    if (!ctx->workers) {
      attn_context_destroy(ctx);
      return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (int32_t i = 0; i < threads - 1; ++i) {
      if (pthread_create(&ctx->workers[i], NULL, worker_main, ctx) != 0) {
        ctx->thread_count = i + 1; /* the ones started, plus the caller */
        attn_context_destroy(ctx);
        return attn_status_make(ATTN_STATUS_RESOURCE_EXHAUSTED,
                                "attn_context_create: could not start worker "
                                "thread %d of %d",
                                (int)i + 1, (int)threads - 1);
      }
    }
  }
  *out_context = ctx;
  return NULL;
}

void attn_context_destroy(attn_context_t *ctx) {
  if (!ctx)
    return;
  if (ctx->workers) {
    pthread_mutex_lock(&ctx->mutex);
    ctx->stop = 1;
    pthread_cond_broadcast(&ctx->wake);
    pthread_mutex_unlock(&ctx->mutex);
    for (int32_t i = 0; i < ctx->thread_count - 1; ++i)
      pthread_join(ctx->workers[i], NULL);
    free(ctx->workers);
  }
  pthread_cond_destroy(&ctx->wake);
  pthread_cond_destroy(&ctx->done);
  pthread_mutex_destroy(&ctx->mutex);
  pthread_mutex_destroy(&ctx->call_mutex);
  free(ctx);
}

int32_t attn_context_thread_count(const attn_context_t *ctx) {
  return ctx->thread_count;
}

const attn_device_t *attn_context_device(const attn_context_t *ctx) {
  return ctx->device;
}

void attn_context_set_device_time_ns(attn_context_t *ctx, int64_t ns) {
  atomic_store(&ctx->device_time_ns, ns);
}

int64_t attn_context_last_device_time_ns(const attn_context_t *ctx) {
  return ctx ? atomic_load(&((attn_context_t *)ctx)->device_time_ns) : -1;
}

attn_status_t attn_context_parallel_for(attn_context_t *ctx, int64_t count,
                                        int64_t grain, attn_parallel_fn_t fn,
                                        void *user_data) {
  if (!ctx || !fn)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_context_parallel_for: NULL %s",
                            ctx ? "fn" : "context");
  if (count < 0 || grain < 0)
    return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                            "attn_context_parallel_for: negative %s",
                            count < 0 ? "count" : "grain");
  if (count == 0)
    return NULL;
  if (grain == 0) {
    grain = count / (4 * (int64_t)ctx->thread_count);
    if (grain < 1)
      grain = 1;
  }
  /* Single thread, nested call or a single chunk: run here. */
  if (ctx->thread_count == 1 || in_parallel_region || grain >= count) {
    job_t inline_job = {
        .fn = fn, .user_data = user_data, .count = count, .grain = count};
    atomic_init(&inline_job.next, count);
    atomic_init(&inline_job.active, 0);
    atomic_init(&inline_job.failed, 0);
    run_chunk(ctx, &inline_job, 0, count);
    return finish_job(atomic_load(&inline_job.failed), inline_job.failed_bytes,
                      inline_job.failed_by_limit);
  }
  pthread_mutex_lock(&ctx->call_mutex);
  pthread_mutex_lock(&ctx->mutex);
  ctx->job.fn = fn;
  ctx->job.user_data = user_data;
  ctx->job.count = count;
  ctx->job.grain = grain;
  atomic_store(&ctx->job.next, 0);
  atomic_store(&ctx->job.active, ctx->thread_count - 1);
  atomic_store(&ctx->job.failed, 0);
  ctx->generation++;
  pthread_cond_broadcast(&ctx->wake);
  pthread_mutex_unlock(&ctx->mutex);

  in_parallel_region = 1;
  run_chunks(ctx, &ctx->job);
  in_parallel_region = 0;

  pthread_mutex_lock(&ctx->mutex);
  while (atomic_load(&ctx->job.active) != 0)
    pthread_cond_wait(&ctx->done, &ctx->mutex);
  pthread_mutex_unlock(&ctx->mutex);
  /* The next caller may reuse the job once call_mutex is released. */
  int failed = atomic_load(&ctx->job.failed);
  size_t failed_bytes = ctx->job.failed_bytes;
  int failed_by_limit = ctx->job.failed_by_limit;
  pthread_mutex_unlock(&ctx->call_mutex);
  return finish_job(failed, failed_bytes, failed_by_limit);
}

attn_status_t attn_context_set_scratch_limit(attn_context_t *ctx,
                                             int64_t bytes) {
  if (!ctx)
    return attn_status_make(ATTN_STATUS_INVALID_ARGUMENT,
                            "attn_context_set_scratch_limit: NULL context");
  if (bytes < 0)
    return attn_status_make(ATTN_STATUS_OUT_OF_RANGE,
                            "attn_context_set_scratch_limit: negative limit "
                            "%lld",
                            (long long)bytes);
  atomic_store(&ctx->scratch_limit, bytes);
  return NULL;
}

int64_t attn_context_scratch_limit(const attn_context_t *ctx) {
  return atomic_load(&((attn_context_t *)ctx)->scratch_limit);
}

int64_t attn_context_scratch_bytes(const attn_context_t *ctx) {
  return ctx ? atomic_load(&((attn_context_t *)ctx)->scratch_bytes) : 0;
}

int attn_context_reserve_scratch(attn_context_t *ctx, size_t bytes) {
  long long limit = atomic_load(&ctx->scratch_limit);
  if (limit > 0 && bytes > (size_t)limit)
    return 0;
  long long now = atomic_fetch_add(&ctx->scratch_bytes, (long long)bytes) +
                  (long long)bytes;
  if (limit > 0 && now > limit) {
    atomic_fetch_sub(&ctx->scratch_bytes, (long long)bytes);
    return 0;
  }
  return 1;
}

void attn_context_release_scratch(attn_context_t *ctx, size_t bytes) {
  atomic_fetch_sub(&ctx->scratch_bytes, (long long)bytes);
}
