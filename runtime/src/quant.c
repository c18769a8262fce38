/*===- quant.c - llama.cpp block formats for KV caches --------------------===*
 *
 * See attn/quant.h. The quantizers follow llama.cpp's reference ones
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref) step by step, in f32.
 *
 *===----------------------------------------------------------------------===*/

#include "attn/quant.h"

#include <math.h>
#include <string.h>

enum { kBlock = 32 };

int64_t attn_block_values(attn_block_format_t format) {
  return format == ATTN_BLOCK_FORMAT_Q8_0 || format == ATTN_BLOCK_FORMAT_Q4_0
             ? kBlock
             : 0;
}

int64_t attn_block_bytes(attn_block_format_t format) {
  switch (format) {
  case ATTN_BLOCK_FORMAT_Q8_0:
    return 2 + kBlock;
  case ATTN_BLOCK_FORMAT_Q4_0:
    return 2 + kBlock / 2;
  default:
    return 0;
  }
}

int64_t attn_block_row_bytes(attn_block_format_t format, int64_t values) {
  int64_t block = attn_block_values(format);
  if (block == 0 || values <= 0 || values % block != 0)
    return 0;
  return values / block * attn_block_bytes(format);
}

const char *attn_block_format_name(attn_block_format_t format) {
  switch (format) {
  case ATTN_BLOCK_FORMAT_Q8_0:
    return "q8_0";
  case ATTN_BLOCK_FORMAT_Q4_0:
    return "q4_0";
  default:
    return "invalid";
  }
}

uint16_t attn_f32_to_f16(float f) {
  uint32_t x;
  memcpy(&x, &f, sizeof(x));
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
  uint32_t a = x & 0x7fffffffu;
  if (a >= 0x7f800000u) /* inf, NaN (quieted) */
    return sign | (a > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (a >= 0x47800000u) /* >= 2^16: beyond every finite half */
    return sign | 0x7c00u;
  if (a < 0x38800000u) { /* below 2^-14: a subnormal half (or 0) */
    float v;
    memcpy(&v, &a, sizeof(v));
    /* v * 2^24 is exact; rint rounds half to even in the default mode. */
    return sign | (uint16_t)rintf(v * 16777216.0f);
  }
  uint32_t h = ((a >> 23) - 112u) << 10 | ((a >> 13) & 0x3ffu);
  uint32_t rest = a & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
    ++h; /* may carry into the exponent, up to inf: still correct */
  return sign | (uint16_t)h;
}

float attn_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  float out;
  if (e == 0) {
    out = ldexpf((float)m, -24);
    return sign ? -out : out;
  }
  uint32_t bits =
      sign | (e == 31 ? 0x7f800000u | m << 13 : (e + 112u) << 23 | m << 13);
  memcpy(&out, &bits, sizeof(out));
  return out;
}

int64_t attn_quantize_row(attn_block_format_t format, const float *x,
                          int64_t values, void *out) {
  int64_t bytes = attn_block_row_bytes(format, values);
  if (bytes == 0 || !x || !out)
    return 0;
  uint8_t *dst = (uint8_t *)out;
  for (int64_t blk = 0; blk < values / kBlock; ++blk, x += kBlock) {
    float d;
    if (format == ATTN_BLOCK_FORMAT_Q8_0) {
      float amax = 0.0f;
      for (int j = 0; j < kBlock; ++j)
        amax = fmaxf(amax, fabsf(x[j]));
      d = amax / 127.0f;
      float id = d != 0.0f ? 1.0f / d : 0.0f;
      for (int j = 0; j < kBlock; ++j)
        dst[2 + j] = (uint8_t)(int8_t)roundf(x[j] * id);
    } else {
      float amax = 0.0f, vmax = 0.0f;
      for (int j = 0; j < kBlock; ++j)
        if (amax < fabsf(x[j])) {
          amax = fabsf(x[j]);
          vmax = x[j];
        }
      d = vmax / -8.0f;
      float id = d != 0.0f ? 1.0f / d : 0.0f;
      for (int j = 0; j < kBlock / 2; ++j) {
        int lo = (int)(int8_t)(x[j] * id + 8.5f);
        int hi = (int)(int8_t)(x[kBlock / 2 + j] * id + 8.5f);
        lo = lo < 15 ? lo : 15;
        hi = hi < 15 ? hi : 15;
        dst[2 + j] = (uint8_t)(lo | hi << 4);
      }
    }
    uint16_t h = attn_f32_to_f16(d);
    dst[0] = (uint8_t)(h & 0xffu);
    dst[1] = (uint8_t)(h >> 8);
    dst += attn_block_bytes(format);
  }
  return bytes;
}

int64_t attn_dequantize_row(attn_block_format_t format, const void *in,
                            int64_t values, float *x) {
  int64_t bytes = attn_block_row_bytes(format, values);
  if (bytes == 0 || !in || !x)
    return 0;
  const uint8_t *src = (const uint8_t *)in;
  for (int64_t blk = 0; blk < values / kBlock; ++blk, x += kBlock) {
    float d = attn_f16_to_f32((uint16_t)(src[0] | src[1] << 8));
    for (int j = 0; j < kBlock; ++j) {
      if (format == ATTN_BLOCK_FORMAT_Q8_0) {
        x[j] = d * (float)(int8_t)src[2 + j];
      } else {
        uint8_t byte = src[2 + j % (kBlock / 2)];
        int q = j < kBlock / 2 ? byte & 0x0f : byte >> 4;
        x[j] = (float)(q - 8) * d;
      }
    }
    src += attn_block_bytes(format);
  }
  return bytes;
}
