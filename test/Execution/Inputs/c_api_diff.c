/* Calls a differential-attention entry point with run-time head counts and
 * lengths (test/Execution/Inputs/diff-dynamic.json): consistent shapes run,
 * each broken relation between them is an error status. */
#include "diff.h"

#include <stdio.h>
#include <stdlib.h>

enum { D = 8, MAXH = 8, MAXL = 16 };

static float data[6][2 * MAXH * MAXL * 2 * D];

static void report(const char *what, attn_status_t st) {
  if (!st) {
    printf("%s -> OK\n", what);
    return;
  }
  printf("%s -> %s: %s\n", what, attn_status_code_name(attn_status_code(st)),
         attn_status_message(st));
  attn_status_free(st);
}

/* H output heads, Hkv KV heads; qPairs/kPairs: query/key head counts. */
static attn_status_t call(attn_context_t *ctx, int64_t h, int64_t hkv,
                          int64_t qHeads, int64_t kHeads, int64_t lq,
                          int64_t lk) {
  int64_t qs[4] = {1, qHeads, lq, D}, ks[4] = {1, kHeads, lk, D};
  int64_t vs[4] = {1, hkv, lk, 2 * D}, os[4] = {1, h, lq, 2 * D};
  int64_t d = D, d2 = 2 * D;
  attn_tensor_t t[9];
  attn_tensor_init_contiguous(&t[0], data[0], ATTN_DTYPE_F32, 4, qs);
  attn_tensor_init_contiguous(&t[1], data[1], ATTN_DTYPE_F32, 4, ks);
  attn_tensor_init_contiguous(&t[2], data[2], ATTN_DTYPE_F32, 4, vs);
  for (int i = 0; i < 4; ++i)
    attn_tensor_init_contiguous(&t[3 + i], data[3] + i * D, ATTN_DTYPE_F32, 1,
                                &d);
  attn_tensor_init_contiguous(&t[7], data[4], ATTN_DTYPE_F32, 1, &d2);
  attn_tensor_init_contiguous(&t[8], data[5], ATTN_DTYPE_F32, 4, os);
  return dyn_diff_layer(ctx, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6],
                        &t[7], &t[8]);
}

int main(void) {
  for (int a = 0; a < 6; ++a)
    for (int i = 0; i < 2 * MAXH * MAXL * 2 * D; ++i)
      data[a][i] = (float)((i * 7 + a * 3) % 11) / 11.0f;
  attn_context_t *ctx = NULL;
  attn_status_t st = attn_context_create(NULL, &ctx);
  if (st) {
    report("context", st);
    return 1;
  }
  report("4 heads on 2, 5 x 9", call(ctx, 4, 2, 8, 4, 5, 9));
  report("odd query heads", call(ctx, 4, 2, 7, 4, 5, 9));
  report("key heads not pairs", call(ctx, 4, 2, 8, 3, 5, 9));
  report("3 heads on 2", call(ctx, 3, 2, 6, 4, 5, 9));
  attn_context_destroy(ctx);
  return 0;
}
