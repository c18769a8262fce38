//===- QuantTest.cpp - attn/quant.h against hand-computed blocks ----------===//
//
// The block quantizers must produce llama.cpp's exact bytes, so that a ggml
// KV cache and an attnc one are interchangeable: these blocks are worked
// out by hand from SEMANTICS.md's definitions.
//
//===----------------------------------------------------------------------===//

#include "attn/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

TEST(Quant, Sizes) {
  EXPECT_EQ(attn_block_row_bytes(ATTN_BLOCK_FORMAT_Q8_0, 128), 136);
  EXPECT_EQ(attn_block_row_bytes(ATTN_BLOCK_FORMAT_Q4_0, 128), 72);
  EXPECT_EQ(attn_block_row_bytes(ATTN_BLOCK_FORMAT_Q8_0, 80), 0);
  EXPECT_EQ(attn_block_row_bytes(ATTN_BLOCK_FORMAT_Q8_0, 0), 0);
  EXPECT_EQ(attn_block_row_bytes(ATTN_BLOCK_FORMAT_INVALID, 64), 0);
  EXPECT_STREQ(attn_block_format_name(ATTN_BLOCK_FORMAT_Q4_0), "q4_0");
}

TEST(Quant, HalfConversions) {
  EXPECT_EQ(attn_f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(attn_f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(attn_f32_to_f16(65504.0f), 0x7bff);
  // 65520 is halfway between 65504 and 65536: ties to even, inf.
  EXPECT_EQ(attn_f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(attn_f32_to_f16(65520.0f), 0x7c00);
  EXPECT_EQ(attn_f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(attn_f32_to_f16(std::ldexp(1.0f, -26)), 0x0000); // ties to 0
  EXPECT_EQ(attn_f32_to_f16(std::ldexp(3.0f, -26)), 0x0001);
  // 1 + 2^-11 is halfway between 1 and the next half: ties to even (1).
  EXPECT_EQ(attn_f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(attn_f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(attn_f16_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(attn_f16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(attn_f16_to_f32(0xfc00)));
  for (uint32_t h = 0; h < 0x7c00; ++h)
    ASSERT_EQ(attn_f32_to_f16(attn_f16_to_f32(static_cast<uint16_t>(h))), h);
}

TEST(Quant, Q8_0Block) {
  // x_j = (j - 16) / 16: amax = 1 (j = 0), d = 1/127, stored as the half
  // 0x2008 = 2^-7 * (1 + 8/1024); q_j = round-half-away(x_j * 127).
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j)
    x[j] = (j - 16) / 16.0f;
  unsigned char block[34];
  ASSERT_EQ(attn_quantize_row(ATTN_BLOCK_FORMAT_Q8_0, x.data(), 32, block), 34);
  EXPECT_EQ(block[0], 0x08);
  EXPECT_EQ(block[1], 0x20);
  EXPECT_EQ(static_cast<int8_t>(block[2 + 0]), -127);
  EXPECT_EQ(static_cast<int8_t>(block[2 + 16]), 0);
  EXPECT_EQ(static_cast<int8_t>(block[2 + 24]), 64); // 63.5 rounds away
  EXPECT_EQ(static_cast<int8_t>(block[2 + 8]), -64);
  EXPECT_EQ(static_cast<int8_t>(block[2 + 31]), 119); // 119.06
  std::vector<float> back(32);
  ASSERT_EQ(attn_dequantize_row(ATTN_BLOCK_FORMAT_Q8_0, block, 32, back.data()),
            34);
  const float d = 0.00787353515625f;
  EXPECT_EQ(back[0], -127 * d);
  EXPECT_EQ(back[24], 64 * d);
}

TEST(Quant, Q4_0Block) {
  // x_j = (j - 12) / 4: the largest magnitude is x_31 = 4.75, d = -4.75/8 =
  // -0.59375 (exact in half: 0xb8c0); q_j = min(15, trunc(x_j / d + 8.5)).
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j)
    x[j] = (j - 12) / 4.0f;
  unsigned char block[18];
  ASSERT_EQ(attn_quantize_row(ATTN_BLOCK_FORMAT_Q4_0, x.data(), 32, block), 18);
  EXPECT_EQ(block[0], 0xc0);
  EXPECT_EQ(block[1], 0xb8);
  // Byte 0: element 0 (x = -3: 13.55 -> 13) low, element 16 (x = 1:
  // 6.82 -> 6) high.
  EXPECT_EQ(block[2 + 0], 13 | 6 << 4);
  // Byte 15: element 15 (x = 0.75: 7.24 -> 7) low, element 31 (x = 4.75:
  // 0.5 -> 0) high.
  EXPECT_EQ(block[2 + 15], 7 | 0 << 4);
  std::vector<float> back(32);
  attn_dequantize_row(ATTN_BLOCK_FORMAT_Q4_0, block, 32, back.data());
  EXPECT_EQ(back[31], 4.75f);
  EXPECT_EQ(back[0], (13 - 8) * -0.59375f);
  EXPECT_EQ(back[16], (6 - 8) * -0.59375f);
}

TEST(Quant, RoundTripErrorAndZeros) {
  // q8_0: every value within half a step (plus the scale's rounding) of its
  // input. q4_0 has 16 levels, -8..7 steps of d = v/-8: values of the sign
  // opposite to v below -7.5 steps clamp to 7, a whole step off at most.
  // Both add the scale's rounding to half: up to 127 (8) times half an ulp
  // of d, 2^-11 d. An all-zero block has d = 0 and dequantizes to zeros.
  std::vector<float> x(256), back(256);
  for (int j = 0; j < 256; ++j)
    x[j] = std::sin(0.37f * j) * (1 + j % 7);
  for (int j = 64; j < 96; ++j)
    x[j] = 0;
  for (attn_block_format_t f :
       {ATTN_BLOCK_FORMAT_Q8_0, ATTN_BLOCK_FORMAT_Q4_0}) {
    std::vector<unsigned char> packed(attn_block_row_bytes(f, 256));
    attn_quantize_row(f, x.data(), 256, packed.data());
    attn_dequantize_row(f, packed.data(), 256, back.data());
    for (int blk = 0; blk < 8; ++blk) {
      float amax = 0;
      for (int j = 0; j < 32; ++j)
        amax = std::max(amax, std::fabs(x[32 * blk + j]));
      bool q8 = f == ATTN_BLOCK_FORMAT_Q8_0;
      float d = q8 ? amax / 127 : amax / 8;
      float bound = (q8 ? 0.5f : 1.0f) * d + (q8 ? 127 : 8) * d / 2048;
      for (int j = 0; j < 32; ++j)
        EXPECT_LE(std::fabs(back[32 * blk + j] - x[32 * blk + j]),
                  bound * 1.01f + 1e-7f)
            << attn_block_format_name(f) << " element " << 32 * blk + j;
    }
    for (int j = 64; j < 96; ++j)
      EXPECT_EQ(back[j], 0.0f);
  }
}

TEST(Quant, BadArguments) {
  float x[64] = {0};
  unsigned char out[68];
  std::memset(out, 0xab, sizeof(out));
  EXPECT_EQ(attn_quantize_row(ATTN_BLOCK_FORMAT_Q8_0, x, 40, out), 0);
  EXPECT_EQ(out[0], 0xab); // nothing written
  EXPECT_EQ(attn_quantize_row(ATTN_BLOCK_FORMAT_INVALID, x, 64, out), 0);
  EXPECT_EQ(attn_dequantize_row(ATTN_BLOCK_FORMAT_Q4_0, nullptr, 64, x), 0);
}

} // namespace
