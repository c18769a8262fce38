/* Calls the entry points attnc generated for examples/llama-gqa-decode.json
 * through the C API, checks the decode step against a double-precision
 * evaluation, and triggers each runtime shape check of generated code.
 * Built with -DATTN_TEST_VULKAN for an object compiled for a Vulkan target:
 * then the context runs on a Vulkan device, and a CPU context is refused. */
#include "llama.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HQ = 32, HKV = 8, D = 128, L = 37 };

static void report(const char *what, attn_status_t st) {
  printf("%s -> %s: %s\n", what, attn_status_code_name(attn_status_code(st)),
         attn_status_message(st));
  attn_status_free(st);
}

int main(void) {
  float *q = malloc(sizeof(float) * HQ * D);
  float *k = malloc(sizeof(float) * HKV * L * D);
  float *v = malloc(sizeof(float) * HKV * L * D);
  float *o = malloc(sizeof(float) * HQ * D);
  unsigned s = 1;
  for (int i = 0; i < HQ * D; ++i)
    q[i] = (float)((s = s * 1103515245u + 12345u) >> 9) / (1u << 23) - 1.0f;
  for (int i = 0; i < HKV * L * D; ++i)
    k[i] = (float)((s = s * 1103515245u + 12345u) >> 9) / (1u << 23) - 1.0f;
  for (int i = 0; i < HKV * L * D; ++i)
    v[i] = (float)((s = s * 1103515245u + 12345u) >> 9) / (1u << 23) - 1.0f;

  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = 2;
#ifdef ATTN_TEST_VULKAN
  attn_device_t *device = NULL;
  attn_status_t dst = attn_device_create_vulkan(NULL, &device);
  if (dst) {
    report("vulkan device", dst);
    return 1;
  }
  options.device = device;
#endif
  attn_context_t *ctx = NULL;
  attn_status_t st = attn_context_create(&options, &ctx);
  if (st) {
    report("context", st);
    return 1;
  }

  int64_t qs[4] = {1, HQ, 1, D}, ks[4] = {1, HKV, L, D};
  attn_tensor_t tq, tk, tv, to;
  attn_tensor_init_contiguous(&tq, q, ATTN_DTYPE_F32, 4, qs);
  attn_tensor_init_contiguous(&tk, k, ATTN_DTYPE_F32, 4, ks);
  attn_tensor_init_contiguous(&tv, v, ATTN_DTYPE_F32, 4, ks);
  attn_tensor_init_contiguous(&to, o, ATTN_DTYPE_F32, 4, qs);

  st = llama_gqa_decode(ctx, &tq, &tk, &tv, &to);
  if (st) {
    report("decode", st);
    return 1;
  }
  double worst = 0;
  for (int h = 0; h < HQ; ++h) {
    int kh = h / (HQ / HKV);
    double p[L], m = -INFINITY, sum = 0;
    for (int j = 0; j < L; ++j) {
      double dot = 0;
      for (int d = 0; d < D; ++d)
        dot += (double)q[h * D + d] * k[(kh * L + j) * D + d];
      p[j] = dot / sqrt((double)D);
      if (p[j] > m)
        m = p[j];
    }
    for (int j = 0; j < L; ++j) {
      p[j] = exp(p[j] - m);
      sum += p[j];
    }
    for (int e = 0; e < D; ++e) {
      double acc = 0;
      for (int j = 0; j < L; ++j)
        acc += p[j] * v[(kh * L + j) * D + e];
      double err = fabs(acc / sum - o[h * D + e]);
      if (err > worst)
        worst = err;
    }
  }
  printf("decode max abs error %s 1e-4\n", worst <= 1e-4 ? "<=" : ">");

  attn_tensor_t bad;
  bad = tk;
  bad.dtype = ATTN_DTYPE_F16;
  report("f16 key", llama_gqa_decode(ctx, &tq, &bad, &tv, &to));
  bad = tk;
  bad.rank = 3;
  report("rank-3 key", llama_gqa_decode(ctx, &tq, &bad, &tv, &to));
  bad = tq;
  bad.sizes[3] = 64;
  report("head dim 64", llama_gqa_decode(ctx, &bad, &tk, &tv, &to));
  bad = tv;
  bad.sizes[2] = L - 1;
  report("short value", llama_gqa_decode(ctx, &tq, &tk, &bad, &to));
  bad = to;
  bad.data = k;
  report("output over key", llama_gqa_decode(ctx, &tq, &tk, &tv, &bad));
  bad = to;
  bad.dtype = ATTN_DTYPE_F16;
  report("f16 out (decode)", llama_gqa_decode(ctx, &tq, &tk, &tv, &bad));
  report("no context", llama_gqa_decode(NULL, &tq, &tk, &tv, &to));
  report("null value", llama_gqa_decode(ctx, &tq, &tk, NULL, &to));

  /* The fixed-shape prefill layer rejects a decode-shaped query. */
  report("prefill with one token", llama_gqa_prefill(ctx, &tq, &tk, &tv, &to));

#ifdef ATTN_TEST_VULKAN
  printf("device time %s\n",
         attn_context_last_device_time_ns(ctx) >= 0 ? "measured" : "unknown");
  attn_context_t *cpu = NULL;
  attn_context_options_initialize(&options);
  options.thread_count = 1;
  if ((st = attn_context_create(&options, &cpu))) {
    report("cpu context", st);
    return 1;
  }
  report("cpu context", llama_gqa_decode(cpu, &tq, &tk, &tv, &to));
  attn_context_destroy(cpu);
#endif
  attn_context_destroy(ctx);
#ifdef ATTN_TEST_VULKAN
  attn_device_destroy(device);
#endif
  free(q);
  free(k);
  free(v);
  free(o);
  return 0;
}
