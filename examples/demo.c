/* demo.c - call an attnc-compiled model from C.
 *
 *   attnc examples/tiny-bert.json -o attn.o      (writes attn.o and attn.h)
 *   cc -O2 -Iruntime/include demo.c attn.o libattnrt.a -lm -lpthread
 *
 * Runs both layers of tiny_bert on random inputs, checks each output against
 * a plain double-precision evaluation of attention, and prints the error and
 * the time per call.
 */
#include "attn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { B = 1, H = 12, L = 128, D = 64 };

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* softmax(Q K^T / sqrt(D)) V in double precision, causal or not. */
static double max_error(const float *q, const float *k, const float *v,
                        const float *o, int causal) {
  double worst = 0, s[L];
  for (int h = 0; h < H; ++h)
    for (int i = 0; i < L; ++i) {
      const float *qi = q + (h * L + i) * D;
      double m = -INFINITY, sum = 0;
      for (int j = 0; j < L; ++j) {
        double dot = 0;
        for (int d = 0; d < D; ++d)
          dot += (double)qi[d] * k[(h * L + j) * D + d];
        s[j] = (causal && j > i) ? -INFINITY : dot / sqrt((double)D);
        if (s[j] > m)
          m = s[j];
      }
      for (int j = 0; j < L; ++j) {
        s[j] = exp(s[j] - m);
        sum += s[j];
      }
      for (int e = 0; e < D; ++e) {
        double acc = 0;
        for (int j = 0; j < L; ++j)
          acc += s[j] * v[(h * L + j) * D + e];
        double err = fabs(acc / sum - o[(h * L + i) * D + e]);
        if (err > worst)
          worst = err;
      }
    }
  return worst;
}

static int check(attn_status_t status) {
  if (!status)
    return 0;
  fprintf(stderr, "error: %s: %s\n",
          attn_status_code_name(attn_status_code(status)),
          attn_status_message(status));
  attn_status_free(status);
  return 1;
}

int main(void) {
  const int64_t shape[4] = {B, H, L, D};
  const size_t n = (size_t)B * H * L * D;
  float *q = malloc(n * sizeof(float)), *k = malloc(n * sizeof(float)),
        *v = malloc(n * sizeof(float)), *o = malloc(n * sizeof(float));
  srand(42);
  for (size_t i = 0; i < n; ++i) {
    q[i] = (float)(2.0 * rand() / RAND_MAX - 1.0);
    k[i] = (float)(2.0 * rand() / RAND_MAX - 1.0);
    v[i] = (float)(2.0 * rand() / RAND_MAX - 1.0);
  }

  attn_context_t *ctx = NULL;
  if (check(attn_context_create(NULL, &ctx)))
    return 1;
  attn_tensor_t tq, tk, tv, to;
  attn_tensor_init_contiguous(&tq, q, ATTN_DTYPE_F32, 4, shape);
  attn_tensor_init_contiguous(&tk, k, ATTN_DTYPE_F32, 4, shape);
  attn_tensor_init_contiguous(&tv, v, ATTN_DTYPE_F32, 4, shape);
  attn_tensor_init_contiguous(&to, o, ATTN_DTYPE_F32, 4, shape);

  int failures = 0;
  for (int layer = 0; layer < 2; ++layer) {
    double best = INFINITY;
    for (int rep = 0; rep < 5; ++rep) {
      double t0 = now_ms();
      attn_status_t st = layer == 0 ? tiny_bert_layer0(ctx, &tq, &tk, &tv, &to)
                                    : tiny_bert_layer1(ctx, &tq, &tk, &tv, &to);
      double t = now_ms() - t0;
      if (check(st))
        return 1;
      if (t < best)
        best = t;
    }
    double err = max_error(q, k, v, o, layer == 1);
    int ok = err <= 1e-4;
    failures += !ok;
    printf("tiny_bert_layer%d (%s): max abs error vs fp64 reference %.2e "
           "(tolerance 1e-4, %s), best of 5: %.3f ms\n",
           layer, layer ? "causal" : "dense", err, ok ? "ok" : "TOO LARGE",
           best);
  }

  /* A shape mismatch is reported, not read out of bounds. */
  attn_tensor_t small = tk;
  small.sizes[2] = L / 2;
  attn_status_t st = tiny_bert_layer0(ctx, &tq, &small, &tv, &to);
  printf("wrong key length -> %s: %s\n",
         attn_status_code_name(attn_status_code(st)), attn_status_message(st));
  attn_status_free(st);

  attn_context_destroy(ctx);
  free(q);
  free(k);
  free(v);
  free(o);
  return failures ? 1 : 0;
}
