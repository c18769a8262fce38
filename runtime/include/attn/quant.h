/*===- attn/quant.h - llama.cpp block formats for KV caches ---------------===*
 *
 * Quantizes and dequantizes rows in the block formats that attnc kernels
 * read as packed key and value operands (`key_format` / `value_format` of
 * attn.sdpa, `"kv_cache"` of a model description). The byte layout is
 * llama.cpp's (ggml's block_q8_0 and block_q4_0), so a ggml KV cache can be
 * passed to a kernel as it is, and these functions round exactly as
 * llama.cpp's reference quantizers do:
 *
 *   q8_0: 32 values a block, 34 bytes: fp16 d = amax / 127, then 32 int8
 *         q = round-half-away(x / d); x = d * q.
 *   q4_0: 32 values a block, 18 bytes: fp16 d = v / -8 (v the value of
 *         largest magnitude), then 16 bytes; element j in the low nibble of
 *         byte j, element j + 16 in its high nibble,
 *         q = min(15, trunc(x / d + 8.5)); x = (q - 8) * d.
 *
 * All functions are pure and thread-safe.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_QUANT_H
#define ATTN_QUANT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A block-quantized storage format. */
typedef enum attn_block_format_e {
  ATTN_BLOCK_FORMAT_INVALID = 0,
  ATTN_BLOCK_FORMAT_Q8_0 = 1,
  ATTN_BLOCK_FORMAT_Q4_0 = 2,
} attn_block_format_t;

/** Values in one block (32), 0 for an unknown format. */
int64_t attn_block_values(attn_block_format_t format);

/** Bytes of one block (34 for q8_0, 18 for q4_0), 0 for an unknown format. */
int64_t attn_block_bytes(attn_block_format_t format);

/** Bytes of a packed row of `values` values; 0 when `values` is not a
 *  positive multiple of the block or the format is unknown. */
int64_t attn_block_row_bytes(attn_block_format_t format, int64_t values);

/** "q8_0", "q4_0", or "invalid". */
const char *attn_block_format_name(attn_block_format_t format);

/** Quantizes `values` floats at `x` into `out` (attn_block_row_bytes
 *  bytes). Returns the bytes written, 0 (writing nothing) on a bad format or
 *  length. */
int64_t attn_quantize_row(attn_block_format_t format, const float *x,
                          int64_t values, void *out);

/** Dequantizes a packed row of `values` values at `in` into `x`. Returns the
 *  bytes read, 0 (writing nothing) on a bad format or length. */
int64_t attn_dequantize_row(attn_block_format_t format, const void *in,
                            int64_t values, float *x);

/** IEEE binary16 conversions (round to nearest even), as the blocks'
 *  scales are stored. */
uint16_t attn_f32_to_f16(float x);
float attn_f16_to_f32(uint16_t h);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ATTN_QUANT_H */
