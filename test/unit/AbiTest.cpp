//===- AbiTest.cpp - attn_rt_bind_args: every entry check -----------------===//
//
// Builds signature tables by hand (attn/abi.h) for a 2-input, 1-output entry
// point shaped like attn.sdpa's: q [s0, 4, s1, 8], k [s0, s2, s1, 8] with
// s2 dividing dim 1 of q, out [s0, 4, s1, 8].
//
//===----------------------------------------------------------------------===//

#include "attn/abi.h"

#include "StatusText.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

std::vector<int64_t> signature(int64_t isa = ATTN_ABI_ISA_ANY) {
  return {ATTN_ABI_VERSION, isa, 3, 1,
          // q: f32, rank 4, input
          ATTN_DTYPE_F32, 4, 0, -1, 4, -2, 8,
          // k
          ATTN_DTYPE_F32, 4, 0, -1, -3, -2, 8,
          // out
          ATTN_DTYPE_F32, 4, 1, -1, 4, -2, 8,
          // dim 1 of k divides dim 1 of q
          ATTN_ABI_CONSTRAINT_DIVISIBLE, 0, 1, 1, 1};
}

struct Fixture : ::testing::Test {
  attn_context_t *ctx = nullptr;
  std::vector<float> qData, kData, oData;
  attn_tensor_t q, k, o;
  std::vector<int64_t> desc = std::vector<int64_t>(3 * 11, -7);

  void SetUp() override {
    ASSERT_EQ(attn_context_create(nullptr, &ctx), nullptr);
    qData.assign(2 * 4 * 3 * 8, 0);
    kData.assign(2 * 2 * 3 * 8, 0);
    oData.assign(2 * 4 * 3 * 8, 0);
    int64_t qs[4] = {2, 4, 3, 8}, ks[4] = {2, 2, 3, 8};
    attn_tensor_init_contiguous(&q, qData.data(), ATTN_DTYPE_F32, 4, qs);
    attn_tensor_init_contiguous(&k, kData.data(), ATTN_DTYPE_F32, 4, ks);
    attn_tensor_init_contiguous(&o, oData.data(), ATTN_DTYPE_F32, 4, qs);
  }
  void TearDown() override { attn_context_destroy(ctx); }

  /// Binds and returns "" on success or "CODE: message".
  std::string bind(const std::vector<int64_t> &sig = signature()) {
    const attn_tensor_t *args[3] = {&q, &k, &o};
    return statusText(attn_rt_bind_args(ctx, sig.data(), "f:query,key,out",
                                        args, desc.data()));
  }
};

TEST_F(Fixture, FillsDescriptors) {
  ASSERT_EQ(bind(), "");
  // q: allocated, aligned, offset, sizes, strides.
  EXPECT_EQ(desc[0], (int64_t)(intptr_t)qData.data());
  EXPECT_EQ(desc[1], (int64_t)(intptr_t)qData.data());
  EXPECT_EQ(desc[2], 0);
  EXPECT_EQ((std::vector<int64_t>(desc.begin() + 3, desc.begin() + 11)),
            (std::vector<int64_t>{2, 4, 3, 8, 96, 24, 8, 1}));
  // k starts after q's 11 words.
  EXPECT_EQ(desc[11], (int64_t)(intptr_t)kData.data());
  EXPECT_EQ(desc[11 + 4], 2);
}

TEST_F(Fixture, WrongDtype) {
  k.dtype = ATTN_DTYPE_F16;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: argument 'key' has dtype f16, "
                    "expected f32");
}

TEST_F(Fixture, WrongRank) {
  o.rank = 3;
  EXPECT_EQ(bind(),
            "INVALID_ARGUMENT: f: argument 'out' has rank 3, expected 4");
}

TEST_F(Fixture, WrongStaticSize) {
  q.sizes[3] = 16;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: argument 'query' dimension 3 has "
                    "size 16, expected 8");
}

TEST_F(Fixture, DynamicSizesMustAgree) {
  k.sizes[2] = 5;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: argument 'key' dimension 2 has "
                    "size 5, but it must equal dimension 2 of 'query', "
                    "which is 3");
}

TEST_F(Fixture, Divisibility) {
  k.sizes[1] = 3;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: dimension 1 of 'key' (3) must be a "
                    "positive divisor of dimension 1 of 'query' (4)");
}

TEST_F(Fixture, Twice) {
  // Differential attention's head pairs: dim 1 of q twice dim 1 of k.
  std::vector<int64_t> sig = signature();
  sig[sig.size() - 5] = ATTN_ABI_CONSTRAINT_TWICE;
  EXPECT_EQ(bind(sig), "");
  k.sizes[1] = 4;
  EXPECT_EQ(bind(sig), "INVALID_ARGUMENT: f: dimension 1 of 'query' (4) must "
                       "be twice dimension 1 of 'key' (4)");
  sig[sig.size() - 5] = 7;
  EXPECT_EQ(bind(sig), "INTERNAL: f: unknown constraint kind 7");
}

TEST_F(Fixture, NullTensorAndNullData) {
  const attn_tensor_t *args[3] = {&q, nullptr, &o};
  attn_status_t st = attn_rt_bind_args(ctx, signature().data(),
                                       "f:query,key,out", args, desc.data());
  EXPECT_EQ(std::string(attn_status_message(st)), "f: argument 'key' is NULL");
  attn_status_free(st);
  q.data = nullptr;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: argument 'query' has 192 elements "
                    "but a NULL data pointer");
}

TEST_F(Fixture, Strides) {
  q.strides[2] = -8;
  EXPECT_NE(bind().find("negative stride -8"), std::string::npos);
  q.strides[2] = 8;
  o.strides[1] = 0;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: output 'out' dimension 1 has "
                    "stride 0, so its elements overlap");
  // Broadcast (stride 0) inputs are fine.
  o.strides[1] = 24;
  k.strides[0] = 0;
  EXPECT_EQ(bind(), "");
}

TEST_F(Fixture, LastDimensionMustBeContiguous) {
  k.strides[3] = 2;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: argument 'key' must be contiguous "
                    "in its last dimension (stride 1), found stride 2");
  // With a single element in the last dimension the stride is unused, and
  // the descriptor says 1, as the kernel was compiled for.
  k.strides[3] = 1;
  q.sizes[3] = k.sizes[3] = o.sizes[3] = 1;
  q.strides[3] = 7;
  std::vector<int64_t> sig = signature();
  sig[10] = sig[17] = sig[24] = 1; // D = 1 in q, k and out (7 words each)
  EXPECT_EQ(bind(sig), "");
  EXPECT_EQ(desc[3 + 4 + 3], 1);
}

TEST_F(Fixture, EmptyTensorsHaveNoOverlap) {
  // A zero-length dimension: no elements, so stride 0 elsewhere is harmless.
  std::vector<int64_t> sig = signature();
  q.sizes[2] = k.sizes[2] = o.sizes[2] = 0;
  o.strides[1] = 0;
  EXPECT_EQ(bind(sig), "");
}

TEST_F(Fixture, SizesTimesStridesMayNotOverflow) {
  // Found by attn-fuzz-bind: a huge stride made the span computation
  // overflow (undefined behaviour, then a wrong overlap answer).
  const std::string overflow =
      "INVALID_ARGUMENT: f: argument 'key' spans more memory than the address "
      "space holds (its sizes times its strides overflow)";
  k.strides[0] = INT64_C(4683748027960459268);
  EXPECT_EQ(bind(), overflow);
  // Each product fits, their sum fits, the bytes do not.
  k.strides[0] = k.strides[1] = INT64_MAX;
  EXPECT_EQ(bind(), overflow);
  k.strides[1] = 24;
  // A symbol's size so large that the element count overflows.
  std::vector<int64_t> sig = signature();
  k.strides[0] = 48;
  q.sizes[2] = k.sizes[2] = o.sizes[2] = INT64_C(1) << 62;
  EXPECT_EQ(bind(sig).rfind("INVALID_ARGUMENT: f: argument 'query' spans", 0),
            0u);
}

TEST_F(Fixture, OutputMayNotAliasInputs) {
  o.data = qData.data() + 8;
  EXPECT_EQ(bind(), "INVALID_ARGUMENT: f: output 'out' overlaps argument "
                    "'query'; entry points do not run in place");
}

TEST_F(Fixture, AbiVersionAndContext) {
  std::vector<int64_t> sig = signature();
  sig[0] = 99;
  EXPECT_NE(bind(sig).find("ABI version 99"), std::string::npos);
  const attn_tensor_t *args[3] = {&q, &k, &o};
  attn_status_t st =
      attn_rt_bind_args(nullptr, signature().data(), "f:a", args, desc.data());
  EXPECT_EQ(attn_status_code(st), ATTN_STATUS_INVALID_ARGUMENT);
  attn_status_free(st);
}

#if defined(__x86_64__)
TEST_F(Fixture, IsaLevelOfThisCpu) {
  // Baseline x86-64-v2 is on every machine this runs on; the highest level
  // either binds or names what is missing, never anything else.
  EXPECT_EQ(bind(signature(ATTN_ABI_ISA_X86_64_V2)), "");
  std::string r = bind(signature(ATTN_ABI_ISA_X86_64_V4));
  bool hasAvx512 =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  if (hasAvx512)
    EXPECT_EQ(r, "");
  else
    EXPECT_NE(r.find("FAILED_PRECONDITION"), std::string::npos);
}

TEST_F(Fixture, VnniLevelsNeedTheirExtension) {
  // A VNNI level binds exactly when its base level's features and the VNNI
  // extension are all there; a refusal names the extension or the base.
  struct Case {
    int64_t level;
    bool has;
    const char *names;
  };
  bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool v4 = v3 && __builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl");
  const Case cases[] = {
      {ATTN_ABI_ISA_X86_64_V4_VNNI, v4 && __builtin_cpu_supports("avx512vnni"),
       v4 ? "AVX-512 VNNI" : "x86-64-v"},
      {ATTN_ABI_ISA_X86_64_V3_VNNI, v3 && __builtin_cpu_supports("avxvnni"),
       v3 ? "AVX-VNNI" : "x86-64-v3"},
      {ATTN_ABI_ISA_X86_64_V4_BF16,
       v4 && __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("avx512bf16"),
       !v4                                    ? "x86-64-v"
       : __builtin_cpu_supports("avx512vnni") ? "AVX-512 BF16"
                                              : "AVX-512 VNNI"},
  };
  for (const Case &c : cases) {
    std::string r = bind(signature(c.level));
    if (c.has)
      EXPECT_EQ(r, "") << c.level;
    else
      EXPECT_NE(r.find(c.names), std::string::npos) << c.level << ": " << r;
  }
  // Levels above the known ones are refused, never taken for a lower one.
  std::string r = bind(signature(ATTN_ABI_ISA_X86_64_V4_BF16 + 1));
  EXPECT_NE(r.find("does not know"), std::string::npos) << r;
}
#endif

} // namespace
