/* Stress test of libattnrt's contexts (run under ThreadSanitizer by
 * test/Execution/runtime-stress.test): THREADS threads call two compiled
 * entry points ITERATIONS times each, half of them on one shared context,
 * half on a context of their own, and one more thread on a context whose
 * scratch limit refuses every call. Every result is checked against an fp64
 * evaluation and must be bitwise identical to the first result of the same
 * entry (each output element is computed by one work item, in one order,
 * whatever thread runs it). Exits 1 on any mismatch. */
#include "stress.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, ITERATIONS = 40 };

typedef struct problem_t {
  const char *name;
  int64_t hq, hkv, lq, lk, d;
  int causal;
  float *q, *k, *v;
  double *expected;
  float *first; /* the first result, for the bitwise comparison */
  pthread_mutex_t first_mutex;
} problem_t;

static unsigned seed = 7;
static float uniform(void) {
  seed = seed * 1103515245u + 12345u;
  return (float)(seed >> 9) / (1u << 23) - 1.0f;
}

static void reference(problem_t *p) {
  int64_t group = p->hq / p->hkv;
  double *s = malloc(sizeof(double) * p->lk);
  for (int64_t h = 0; h < p->hq; ++h)
    for (int64_t i = 0; i < p->lq; ++i) {
      const float *qi = p->q + (h * p->lq + i) * p->d;
      int64_t kh = h / group, last = p->lk - 1;
      if (p->causal) /* bottom-right aligned */
        last = i + p->lk - p->lq;
      double m = -INFINITY, sum = 0;
      for (int64_t j = 0; j <= last; ++j) {
        double dot = 0;
        for (int64_t c = 0; c < p->d; ++c)
          dot += (double)qi[c] * p->k[(kh * p->lk + j) * p->d + c];
        s[j] = dot / sqrt((double)p->d);
        if (s[j] > m)
          m = s[j];
      }
      for (int64_t j = 0; j <= last; ++j)
        sum += (s[j] = exp(s[j] - m));
      double *out = p->expected + (h * p->lq + i) * p->d;
      for (int64_t c = 0; c < p->d; ++c) {
        double acc = 0;
        for (int64_t j = 0; j <= last; ++j)
          acc += s[j] * p->v[(kh * p->lk + j) * p->d + c];
        out[c] = acc / sum;
      }
    }
  free(s);
}

static void setup(problem_t *p, const char *name, int64_t hq, int64_t hkv,
                  int64_t lq, int64_t lk, int64_t d, int causal) {
  p->name = name, p->hq = hq, p->hkv = hkv, p->lq = lq, p->lk = lk, p->d = d;
  p->causal = causal;
  p->q = malloc(sizeof(float) * hq * lq * d);
  p->k = malloc(sizeof(float) * hkv * lk * d);
  p->v = malloc(sizeof(float) * hkv * lk * d);
  for (int64_t i = 0; i < hq * lq * d; ++i)
    p->q[i] = uniform();
  for (int64_t i = 0; i < hkv * lk * d; ++i)
    p->k[i] = uniform(), p->v[i] = uniform();
  p->expected = malloc(sizeof(double) * hq * lq * d);
  p->first = NULL;
  pthread_mutex_init(&p->first_mutex, NULL);
  reference(p);
}

static problem_t problems[2];

/* Calls problem `which` on `ctx`; returns the status and writes into `out`. */
static attn_status_t call(attn_context_t *ctx, int which, float *out) {
  problem_t *p = &problems[which];
  int64_t qs[4] = {1, p->hq, p->lq, p->d}, ks[4] = {1, p->hkv, p->lk, p->d};
  attn_tensor_t tq, tk, tv, to;
  attn_tensor_init_contiguous(&tq, p->q, ATTN_DTYPE_F32, 4, qs);
  attn_tensor_init_contiguous(&tk, p->k, ATTN_DTYPE_F32, 4, ks);
  attn_tensor_init_contiguous(&tv, p->v, ATTN_DTYPE_F32, 4, ks);
  attn_tensor_init_contiguous(&to, out, ATTN_DTYPE_F32, 4, qs);
  return which == 0 ? stress_causal(ctx, &tq, &tk, &tv, &to)
                    : stress_decode(ctx, &tq, &tk, &tv, &to);
}

/* 0 when `out` is within 1e-4 of the reference and bitwise equal to the
 * entry's first result. */
static int check(int which, const float *out) {
  problem_t *p = &problems[which];
  size_t n = (size_t)(p->hq * p->lq * p->d);
  for (size_t i = 0; i < n; ++i)
    if (!(fabs(out[i] - p->expected[i]) <= 1e-4)) {
      fprintf(stderr, "%s: element %zu is %g, expected %g\n", p->name, i,
              out[i], p->expected[i]);
      return 1;
    }
  pthread_mutex_lock(&p->first_mutex);
  int bad = 0;
  if (!p->first) {
    p->first = malloc(sizeof(float) * n);
    memcpy(p->first, out, sizeof(float) * n);
  } else if (memcmp(p->first, out, sizeof(float) * n) != 0) {
    fprintf(stderr, "%s: not bitwise identical to the first result\n", p->name);
    bad = 1;
  }
  pthread_mutex_unlock(&p->first_mutex);
  return bad;
}

static attn_context_t *make_context(int threads, int64_t scratch_limit) {
  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = threads;
  attn_context_t *ctx = NULL;
  if (attn_context_create(&options, &ctx))
    return NULL;
  attn_status_free(attn_context_set_scratch_limit(ctx, scratch_limit));
  return ctx;
}

typedef struct worker_t {
  int index;
  attn_context_t *shared; /* NULL: use a context of its own */
  int64_t scratch_limit;
  int calls, refused, failures;
} worker_t;

static void *work(void *arg) {
  worker_t *w = arg;
  attn_context_t *own = w->shared ? NULL : make_context(2, w->scratch_limit);
  attn_context_t *ctx = w->shared ? w->shared : own;
  if (!ctx) {
    w->failures++;
    return NULL;
  }
  size_t most = (size_t)(4 * 203 * 64);
  float *out = malloc(sizeof(float) * most);
  for (int it = 0; it < ITERATIONS; ++it) {
    int which = (it + w->index) % 2;
    attn_status_t st = call(ctx, which, out);
    w->calls++;
    if (attn_status_code(st) == ATTN_STATUS_RESOURCE_EXHAUSTED &&
        w->scratch_limit > 0) {
      w->refused++;
    } else if (st) {
      fprintf(stderr, "thread %d: %s\n", w->index, attn_status_message(st));
      w->failures++;
    } else if (w->scratch_limit > 0) {
      fprintf(stderr, "thread %d: the scratch limit did not refuse a call\n",
              w->index);
      w->failures++;
    } else {
      w->failures += check(which, out);
    }
    attn_status_free(st);
    if (attn_context_scratch_bytes(ctx) != 0 && !w->shared) {
      fprintf(stderr, "thread %d: scratch held between calls\n", w->index);
      w->failures++;
    }
  }
  free(out);
  attn_context_destroy(own);
  return NULL;
}

int main(void) {
  setup(&problems[0], "stress_causal", 4, 2, 203, 203, 64, 1);
  setup(&problems[1], "stress_decode", 8, 2, 1, 1777, 64, 0);
  attn_context_t *shared = make_context(3, 0);
  if (!shared)
    return 1;
  worker_t workers[THREADS + 1];
  pthread_t threads[THREADS + 1];
  for (int i = 0; i <= THREADS; ++i) {
    worker_t w = {
        i, i < THREADS / 2 ? shared : NULL, i == THREADS ? 1000 : 0, 0, 0, 0};
    workers[i] = w;
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  int calls = 0, refused = 0, failures = 0;
  for (int i = 0; i <= THREADS; ++i) {
    pthread_join(threads[i], NULL);
    calls += workers[i].calls;
    refused += workers[i].refused;
    failures += workers[i].failures;
  }
  attn_memory_stats_t stats;
  attn_memory_stats(&stats);
  if (stats.current_bytes != 0) {
    fprintf(stderr, "%lld bytes of temporaries left\n",
            (long long)stats.current_bytes);
    failures++;
  }
  attn_context_destroy(shared);
  printf("stress: %d threads, %d calls (%d on a shared context), %d refused "
         "by a scratch limit, %d failures\n",
         THREADS + 1, calls, THREADS / 2 * ITERATIONS, refused, failures);
  return failures ? 1 : 0;
}
