#include "elementwise.h"
#include <stdio.h>
int main(void) {
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, c[4] = {0};
  int64_t n[1] = {4};
  attn_context_t *ctx;
  attn_context_create(NULL, &ctx);
  attn_tensor_t ta, tb, tc;
  attn_tensor_init_contiguous(&ta, a, ATTN_DTYPE_F32, 1, n);
  attn_tensor_init_contiguous(&tb, b, ATTN_DTYPE_F32, 1, n);
  attn_tensor_init_contiguous(&tc, c, ATTN_DTYPE_F32, 1, n);
  attn_status_t st = add(ctx, &ta, &tb, &tc);
  printf("%s %g %g %g %g\n", st ? attn_status_message(st) : "ok", c[0], c[1],
         c[2], c[3]);
  attn_context_destroy(ctx);
  return 0;
}
