/* Calls llama_quant_decode_int8 (examples/llama-quantized-cache.json: an
 * int8 KV cache, one f16 scale per token) through the C API: the decode
 * step against a double-precision evaluation of q * s, then the entry
 * checks of the scales operands (length, dtype, rank) and of the int8
 * values. */
#include "llama.h"

#include "attn/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { HQ = 32, HKV = 8, D = 128, L = 45 };

static void report(const char *what, attn_status_t st) {
  printf("%s -> %s: %s\n", what, attn_status_code_name(attn_status_code(st)),
         attn_status_message(st));
  attn_status_free(st);
}

int main(void) {
  static float q[HQ * D], o[HQ * D];
  static int8_t k[HKV * L * D], v[HKV * L * D];
  static uint16_t ks[HKV * L], vs[HKV * L];
  unsigned s = 7;
  for (int i = 0; i < HQ * D; ++i)
    q[i] = (float)((s = s * 1103515245u + 12345u) >> 9) / (1u << 23) - 1.0f;
  for (int i = 0; i < HKV * L * D; ++i) {
    k[i] = (int8_t)((int)((s = s * 1103515245u + 12345u) >> 16) % 255 - 127);
    v[i] = (int8_t)((int)((s = s * 1103515245u + 12345u) >> 16) % 255 - 127);
  }
  for (int i = 0; i < HKV * L; ++i) {
    ks[i] = attn_f32_to_f16(0.001f + 0.0001f * (float)(i % 17));
    vs[i] = attn_f32_to_f16(0.002f + 0.0001f * (float)(i % 13));
  }
  attn_context_t *ctx = NULL;
  attn_status_t st = attn_context_create(NULL, &ctx);
  if (st) {
    report("context", st);
    return 1;
  }
  int64_t qshape[4] = {1, HQ, 1, D}, kvshape[4] = {1, HKV, L, D},
          sshape[4] = {1, HKV, L, 1};
  attn_tensor_t tq, tk, tv, tks, tvs, to;
  attn_tensor_init_contiguous(&tq, q, ATTN_DTYPE_F32, 4, qshape);
  attn_tensor_init_contiguous(&tk, k, ATTN_DTYPE_I8, 4, kvshape);
  attn_tensor_init_contiguous(&tv, v, ATTN_DTYPE_I8, 4, kvshape);
  attn_tensor_init_contiguous(&tks, ks, ATTN_DTYPE_F16, 4, sshape);
  attn_tensor_init_contiguous(&tvs, vs, ATTN_DTYPE_F16, 4, sshape);
  attn_tensor_init_contiguous(&to, o, ATTN_DTYPE_F32, 4, qshape);
  st = llama_quant_decode_int8(ctx, &tq, &tk, &tv, &tks, &tvs, &to);
  if (st) {
    report("decode", st);
    return 1;
  }
  /* The reference: K and V as q * s in double, softmax over the L keys. */
  double maxErr = 0;
  for (int h = 0; h < HQ; ++h) {
    int g = h / (HQ / HKV);
    double scores[L], m = -INFINITY, sum = 0;
    for (int j = 0; j < L; ++j) {
      double dot = 0;
      double sk = attn_f16_to_f32(ks[g * L + j]);
      for (int d = 0; d < D; ++d)
        dot += (double)q[h * D + d] * k[(g * L + j) * D + d] * sk;
      scores[j] = dot / sqrt((double)D);
      m = fmax(m, scores[j]);
    }
    for (int j = 0; j < L; ++j)
      sum += scores[j] = exp(scores[j] - m);
    for (int d = 0; d < D; ++d) {
      double acc = 0;
      for (int j = 0; j < L; ++j)
        acc += scores[j] * v[(g * L + j) * D + d] *
               (double)attn_f16_to_f32(vs[g * L + j]);
      maxErr = fmax(maxErr, fabs(acc / sum - o[h * D + d]));
    }
  }
  printf("decode max abs error %s 1e-4\n", maxErr <= 1e-4 ? "<=" : ">");

  /* A scale per token of 44 keys for a cache of 45. */
  int64_t shortShape[4] = {1, HKV, L - 1, 1};
  attn_tensor_t bad;
  attn_tensor_init_contiguous(&bad, ks, ATTN_DTYPE_F16, 4, shortShape);
  report("short key_scales",
         llama_quant_decode_int8(ctx, &tq, &tk, &tv, &bad, &tvs, &to));
  attn_tensor_init_contiguous(&bad, ks, ATTN_DTYPE_F32, 4, sshape);
  report("f32 value_scales",
         llama_quant_decode_int8(ctx, &tq, &tk, &tv, &tks, &bad, &to));
  attn_tensor_init_contiguous(&bad, ks, ATTN_DTYPE_F16, 3, sshape + 1);
  report("rank-3 key_scales",
         llama_quant_decode_int8(ctx, &tq, &tk, &tv, &bad, &tvs, &to));
  attn_tensor_init_contiguous(&bad, q, ATTN_DTYPE_F32, 4, kvshape);
  report("f32 key",
         llama_quant_decode_int8(ctx, &tq, &bad, &tv, &tks, &tvs, &to));
  attn_context_destroy(ctx);
  return 0;
}
