//===- VulkanLaunchTest.cpp - attn_vulkan_plan_launch: each refusal -------===//
//
// The device-independent half of a Vulkan launch (runtime/src/vulkan_launch.c)
// on the launch table attnc writes for causal attention with dynamic sizes
// (vulkan profile: 64 invocations, 16384 bytes of workgroup memory, 36
// parameter words, grid (ceil(Lq / 64), B x Hq, 1), loop bound 132 Lk +
// 134 ceil(Lk / 32) + 196), against lavapipe's limits and variations.
//
//===----------------------------------------------------------------------===//

#include "attn/abi.h"
#include "attn/runtime.h"
#include "runtime/src/vulkan_launch.h"
#include "test/fuzz/LaunchTables.h"

#include "StatusText.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

// attnc's table for causal attention with dynamic sizes (vulkan profile),
// shared with the launch fuzzer.
const int64_t *const kSig = attn_launch_tables::kDynSig;
const int64_t *const kLaunch = attn_launch_tables::kDynLaunch;

struct Launch : ::testing::Test {
  attn_context_t *ctx = nullptr;
  attn_vulkan_limits_t limits{};
  attn_vulkan_plan_t plan{};
  int64_t qs[4] = {1, 8, 300, 64}, ks[4] = {1, 2, 300, 64};
  int64_t scratch = 0;
  attn_tensor_t q{}, k{}, v{}, o{};

  void SetUp() override {
    ASSERT_EQ(attn_context_create(nullptr, &ctx), nullptr);
    // lavapipe's.
    limits.device_name = "llvmpipe (test)";
    limits.max_workgroup_invocations = 1024;
    limits.max_workgroup_size_x = 1024;
    limits.max_shared_memory = 32768;
    limits.max_workgroup_count[0] = limits.max_workgroup_count[1] =
        limits.max_workgroup_count[2] = 65535;
    limits.max_storage_buffer_range = 1u << 31;
    limits.has_16bit_storage = 1;
    limits.stops_loops = 1;
  }
  void TearDown() override { attn_context_destroy(ctx); }

  /// Binds contiguous tensors of the current sizes at distinct fake
  /// addresses (nothing reads them) and plans: "" or "CODE: message".
  std::string run() {
    attn_tensor_init_contiguous(&q, reinterpret_cast<void *>(1ull << 40),
                                ATTN_DTYPE_F32, 4, qs);
    attn_tensor_init_contiguous(&k, reinterpret_cast<void *>(2ull << 40),
                                ATTN_DTYPE_F32, 4, ks);
    attn_tensor_init_contiguous(&v, reinterpret_cast<void *>(3ull << 40),
                                ATTN_DTYPE_F32, 4, ks);
    attn_tensor_init_contiguous(&o, reinterpret_cast<void *>(4ull << 40),
                                ATTN_DTYPE_F32, 4, qs);
    return plan_bound();
  }
  std::string plan_bound() {
    const attn_tensor_t *args[4] = {&q, &k, &v, &o};
    std::vector<int64_t> desc(4 * ATTN_ABI_DESCRIPTOR_WORDS(4));
    attn_status_t st =
        attn_rt_bind_args(ctx, kSig, "f:q,k,v,o", args, desc.data());
    if (!st)
      st = attn_vulkan_plan_launch(&limits, "f", kSig, args, desc.data(),
                                   kLaunch, scratch, &plan);
    return statusText(st);
  }
};

TEST_F(Launch, PlansGridSpansAndParameters) {
  ASSERT_EQ(run(), "");
  EXPECT_FALSE(plan.empty);
  EXPECT_EQ(plan.grid[0], 5u); // ceil(300 / 64)
  EXPECT_EQ(plan.grid[1], 8u); // B x Hq
  EXPECT_EQ(plan.grid[2], 1u);
  EXPECT_EQ(plan.num_params, 36);
  EXPECT_EQ(plan.spans[0].bytes, size_t(8 * 300 * 64 * 4));
  EXPECT_EQ(plan.spans[1].bytes, size_t(2 * 300 * 64 * 4));
  EXPECT_EQ(plan.staged, size_t(2 * (8 + 2) * 300 * 64 * 4 + 36 * 4));
  // Query: offset 0, sizes, strides (the size-1 batch's stride goes in as 0).
  std::vector<int32_t> query(plan.params, plan.params + 9);
  EXPECT_EQ(query, (std::vector<int32_t>{0, 1, 8, 300, 64, 0, 19200, 64, 1}));
}

TEST_F(Launch, NoOutputElementIsEmpty) {
  qs[2] = 0;
  ASSERT_EQ(run(), "");
  EXPECT_TRUE(plan.empty);
}

TEST_F(Launch, WorkgroupTooLarge) {
  limits.max_workgroup_invocations = 32;
  EXPECT_EQ(run().rfind("FAILED_PRECONDITION: f: the kernel uses workgroups "
                        "of 64 x 1 x 1 invocations; device 'llvmpipe (test)' "
                        "allows 32",
                        0),
            0u);
}

TEST_F(Launch, WorkgroupMemoryTooSmall) {
  limits.max_shared_memory = 8192;
  EXPECT_EQ(run().rfind("FAILED_PRECONDITION: f: the kernel uses 16384 bytes "
                        "of workgroup memory; device 'llvmpipe (test)' has "
                        "8192",
                        0),
            0u);
}

TEST_F(Launch, GridCountOverTheDeviceLimit) {
  limits.max_workgroup_count[0] = 4;
  EXPECT_EQ(run(), "OUT_OF_RANGE: f: the launch needs 5 workgroups in "
                   "dimension 0; device 'llvmpipe (test)' allows 4");
}

TEST_F(Launch, LavapipeLoopLimit) {
  // 479 keys: 132 * 479 + 134 * 15 + 196 = 65434 iterations fit; 480 do not.
  ks[2] = qs[2] = 479;
  EXPECT_EQ(run(), "");
  ks[2] = qs[2] = 480;
  EXPECT_EQ(run().rfind("OUT_OF_RANGE: f: the kernel runs up to 65566 loop "
                        "iterations per invocation",
                        0),
            0u);
  limits.stops_loops = 0; // a hardware GPU
  EXPECT_EQ(run(), "");
}

TEST_F(Launch, BufferRange) {
  limits.max_storage_buffer_range = 100000;
  EXPECT_EQ(run(), "OUT_OF_RANGE: f: argument 0 spans 614400 bytes; device "
                   "'llvmpipe (test)' binds at most 100000 bytes per buffer");
}

TEST_F(Launch, ScratchLimit) {
  scratch = 4096;
  EXPECT_EQ(run(), "RESOURCE_EXHAUSTED: f: the launch stages 1536144 bytes of "
                   "buffers, over the context's scratch limit of 4096 bytes");
  scratch = 1536144;
  EXPECT_EQ(run(), "");
}

TEST_F(Launch, BroadcastSizePastThirtyTwoBits) {
  // Keys broadcast along the sequence (stride 0): the span stays small,
  // the size does not fit the kernel's 32-bit indices.
  ks[2] = int64_t(1) << 31;
  run(); // lays the tensors out contiguously; then broadcast the keys
  for (attn_tensor_t *t : {&k, &v}) {
    t->strides[0] = 2 * 64;
    t->strides[1] = 64;
    t->strides[2] = 0;
  }
  std::string r = plan_bound();
  EXPECT_TRUE(r.rfind("OUT_OF_RANGE: f: dimension 2 of argument 1 has "
                      "2147483648 elements; Vulkan kernels index in 32 bits",
                      0) == 0 ||
              r.rfind("OUT_OF_RANGE: f: the kernel runs up to", 0) == 0)
      << r;
  limits.stops_loops = 0;
  EXPECT_EQ(plan_bound(), "OUT_OF_RANGE: f: dimension 2 of argument 1 has "
                          "2147483648 elements; Vulkan kernels index in 32 "
                          "bits");
}

} // namespace
