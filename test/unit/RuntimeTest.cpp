//===- RuntimeTest.cpp - libattnrt: status, tensors, contexts, threads ----===//

#include "attn/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// Frees a status at scope exit and exposes code and message.
struct Status {
  attn_status_t s;
  explicit Status(attn_status_t s) : s(s) {}
  ~Status() { attn_status_free(s); }
  attn_status_code_t code() const { return attn_status_code(s); }
  std::string message() const { return attn_status_message(s); }
};

/// A host context with `threads` threads, or null.
attn_context_t *makeContext(int32_t threads) {
  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = threads;
  attn_context_t *ctx = nullptr;
  if (attn_status_t st = attn_context_create(&options, &ctx)) {
    attn_status_free(st);
    return nullptr;
  }
  return ctx;
}

TEST(Status, NullIsOk) {
  EXPECT_EQ(attn_status_code(nullptr), ATTN_STATUS_OK);
  EXPECT_STREQ(attn_status_message(nullptr), "");
  attn_status_free(nullptr);
  EXPECT_EQ(attn_status_make(ATTN_STATUS_OK, "ignored"), nullptr);
}

TEST(Status, CarriesCodeAndFormattedMessage) {
  Status st(
      attn_status_make(ATTN_STATUS_OUT_OF_RANGE, "size %d of %s", 7, "key"));
  EXPECT_EQ(st.code(), ATTN_STATUS_OUT_OF_RANGE);
  EXPECT_EQ(st.message(), "size 7 of key");
  EXPECT_STREQ(attn_status_code_name(st.code()), "OUT_OF_RANGE");
}

TEST(DType, SizesAndNames) {
  EXPECT_EQ(attn_dtype_size(ATTN_DTYPE_F32), 4u);
  EXPECT_EQ(attn_dtype_size(ATTN_DTYPE_F16), 2u);
  EXPECT_EQ(attn_dtype_size(ATTN_DTYPE_BF16), 2u);
  EXPECT_EQ(attn_dtype_size(ATTN_DTYPE_INVALID), 0u);
  EXPECT_STREQ(attn_dtype_name(ATTN_DTYPE_BF16), "bf16");
  EXPECT_STREQ(attn_dtype_name(static_cast<attn_dtype_t>(99)), "invalid");
}

TEST(Tensor, ContiguousStrides) {
  float data[2 * 3 * 4 * 5];
  int64_t sizes[4] = {2, 3, 4, 5};
  attn_tensor_t t;
  ASSERT_EQ(attn_tensor_init_contiguous(&t, data, ATTN_DTYPE_F32, 4, sizes),
            nullptr);
  EXPECT_EQ(t.strides[0], 60);
  EXPECT_EQ(t.strides[1], 20);
  EXPECT_EQ(t.strides[2], 5);
  EXPECT_EQ(t.strides[3], 1);
  EXPECT_EQ(attn_tensor_element_count(&t), 120);
}

TEST(Tensor, RejectsBadRankAndSizes) {
  attn_tensor_t t;
  int64_t sizes[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  Status rank(
      attn_tensor_init_contiguous(&t, nullptr, ATTN_DTYPE_F32, 9, sizes));
  EXPECT_EQ(rank.code(), ATTN_STATUS_OUT_OF_RANGE);
  int64_t negative[2] = {3, -1};
  Status neg(
      attn_tensor_init_contiguous(&t, nullptr, ATTN_DTYPE_F32, 2, negative));
  EXPECT_EQ(neg.code(), ATTN_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(neg.message().find("negative"), std::string::npos);
}

TEST(Device, CpuAndVulkan) {
  attn_device_t *cpu = nullptr;
  ASSERT_EQ(attn_device_create_cpu(&cpu), nullptr);
  EXPECT_EQ(attn_device_kind(cpu), ATTN_DEVICE_CPU);
  EXPECT_STREQ(attn_device_name(cpu), "host CPU");
  attn_device_destroy(cpu);
  attn_device_t *npu = nullptr;
  Status npuStatus(attn_device_create(ATTN_DEVICE_NPU, &npu));
  EXPECT_EQ(npuStatus.code(), ATTN_STATUS_UNIMPLEMENTED);
  EXPECT_EQ(npu, nullptr);
  // A Vulkan device exists where a driver does (lavapipe in CI); where
  // none does, creation fails with a status naming Vulkan, never a crash.
  attn_device_t *gpu = nullptr;
  Status st(attn_device_create(ATTN_DEVICE_VULKAN, &gpu));
  if (st.code() == ATTN_STATUS_OK) {
    ASSERT_NE(gpu, nullptr);
    EXPECT_EQ(attn_device_kind(gpu), ATTN_DEVICE_VULKAN);
    EXPECT_STRNE(attn_device_name(gpu), "");
    attn_device_destroy(gpu);
  } else {
    EXPECT_EQ(gpu, nullptr);
    EXPECT_NE(st.message().find("vulkan"), std::string::npos);
  }
  // An index past the device list is OUT_OF_RANGE.
  attn_vulkan_device_options_t options;
  attn_vulkan_device_options_initialize(&options);
  options.physical_device_index = 1000;
  Status far(attn_device_create_vulkan(&options, &gpu));
  EXPECT_NE(far.code(), ATTN_STATUS_OK);
  EXPECT_EQ(gpu, nullptr);
}

TEST(Context, DefaultsAndBadOptions) {
  attn_context_t *ctx = nullptr;
  ASSERT_EQ(attn_context_create(nullptr, &ctx), nullptr);
  EXPECT_GE(attn_context_thread_count(ctx), 1);
  EXPECT_EQ(attn_device_kind(attn_context_device(ctx)), ATTN_DEVICE_CPU);
  attn_context_destroy(ctx);

  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = -2;
  Status st(attn_context_create(&options, &ctx));
  EXPECT_EQ(st.code(), ATTN_STATUS_OUT_OF_RANGE);
  Status null(attn_context_create(&options, nullptr));
  EXPECT_EQ(null.code(), ATTN_STATUS_INVALID_ARGUMENT);
}

/// Every item of [0, count) is visited exactly once, for several thread
/// counts and grains.
class ParallelFor : public ::testing::TestWithParam<int> {};

TEST_P(ParallelFor, VisitsEveryItemOnce) {
  attn_context_t *ctx = makeContext(GetParam());
  ASSERT_NE(ctx, nullptr);
  for (int64_t count : {1, 2, 7, 100, 1013}) {
    for (int64_t grain : {0, 1, 3, 64, 5000}) {
      std::vector<std::atomic<int>> hits(count);
      auto body = [](void *user, int64_t begin, int64_t end) {
        auto *h = static_cast<std::vector<std::atomic<int>> *>(user);
        for (int64_t i = begin; i < end; ++i)
          (*h)[i].fetch_add(1);
      };
      ASSERT_EQ(attn_context_parallel_for(ctx, count, grain, body, &hits),
                nullptr);
      for (int64_t i = 0; i < count; ++i)
        ASSERT_EQ(hits[i].load(), 1)
            << "item " << i << " count " << count << " grain " << grain;
    }
  }
  attn_context_destroy(ctx);
}

INSTANTIATE_TEST_SUITE_P(Threads, ParallelFor, ::testing::Values(1, 2, 3, 8));

TEST(Context, NestedAndConcurrentLoops) {
  attn_context_t *ctx = makeContext(4);
  ASSERT_NE(ctx, nullptr);
  struct Shared {
    attn_context_t *ctx;
    std::atomic<int64_t> total{0};
  } shared{ctx};
  auto inner = [](void *user, int64_t b, int64_t e) {
    static_cast<Shared *>(user)->total.fetch_add(e - b);
  };
  auto outer = [](void *user, int64_t b, int64_t e) {
    auto *s = static_cast<Shared *>(user);
    for (int64_t i = b; i < e; ++i) {
      // A nested loop runs inline on this thread.
      attn_status_t st = attn_context_parallel_for(
          s->ctx, 10, 1,
          +[](void *u, int64_t b2, int64_t e2) {
            static_cast<Shared *>(u)->total.fetch_add(e2 - b2);
          },
          s);
      attn_status_free(st);
    }
  };
  (void)inner;
  std::thread other([&] {
    for (int r = 0; r < 20; ++r)
      attn_status_free(attn_context_parallel_for(ctx, 16, 1, outer, &shared));
  });
  for (int r = 0; r < 20; ++r)
    attn_status_free(attn_context_parallel_for(ctx, 16, 1, outer, &shared));
  other.join();
  EXPECT_EQ(shared.total.load(), 2 * 20 * 16 * 10);
  attn_context_destroy(ctx);
}

TEST(Context, ParallelForRejectsBadArguments) {
  attn_context_t *ctx = nullptr;
  ASSERT_EQ(attn_context_create(nullptr, &ctx), nullptr);
  auto body = [](void *, int64_t, int64_t) {};
  Status neg(attn_context_parallel_for(ctx, -1, 0, body, nullptr));
  EXPECT_EQ(neg.code(), ATTN_STATUS_OUT_OF_RANGE);
  Status nofn(attn_context_parallel_for(ctx, 4, 0, nullptr, nullptr));
  EXPECT_EQ(nofn.code(), ATTN_STATUS_INVALID_ARGUMENT);
  attn_context_destroy(ctx);
}

} // namespace

// The allocation functions generated code calls (runtime/src/memory.c).
extern "C" void *_mlir_memref_to_llvm_alloc(size_t size);
extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                    size_t size);
extern "C" void _mlir_memref_to_llvm_free(void *ptr);

namespace {
TEST(Memory, CountsCurrentAndPeakBytesAndAligns) {
  attn_memory_stats_t before, during, after;
  attn_memory_stats_reset_peak();
  attn_memory_stats(&before);
  void *a = _mlir_memref_to_llvm_alloc(1000);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
  std::memset(b, 1, 4096);
  attn_memory_stats(&during);
  EXPECT_EQ(during.current_bytes - before.current_bytes, 5096);
  EXPECT_EQ(during.allocations, 2);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(nullptr);
  attn_memory_stats(&after);
  EXPECT_EQ(after.current_bytes, before.current_bytes);
  EXPECT_EQ(after.peak_bytes - before.current_bytes, 5096);
}

// A size near SIZE_MAX used to wrap the padded size to a small block (a heap
// overflow in the caller). It is an allocation failure now. Outside every
// guard (not an attnc entry point, not a parallel loop) nothing can take the
// failure, so the process ends with a message.
TEST(MemoryDeathTest, HugeSizesDoNotWrap) {
  EXPECT_DEATH(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8),
               "libattnrt: out of memory allocating");
  EXPECT_DEATH(_mlir_memref_to_llvm_aligned_alloc(4096, SIZE_MAX - 100),
               "libattnrt: out of memory allocating");
}

/// A parallel-loop body that allocates like compiled code: `keep` blocks of
/// `bytes` per item, then a block of `last` bytes, then frees them all. Like
/// generated code it holds no C++ object with a destructor across the
/// allocations: a failed one does not return.
struct AllocatingBody {
  size_t bytes = 0, last = 0;
  int keep = 0; // at most 15
  std::atomic<int64_t> itemsDone{0};
  static void run(void *self, int64_t begin, int64_t end) {
    auto *b = static_cast<AllocatingBody *>(self);
    for (int64_t i = begin; i < end; ++i) {
      void *held[16];
      int n = 0;
      for (int k = 0; k < b->keep; ++k) {
        held[n] = _mlir_memref_to_llvm_alloc(b->bytes);
        std::memset(held[n++], 0, b->bytes);
      }
      held[n++] = _mlir_memref_to_llvm_aligned_alloc(64, b->last);
      for (int k = 0; k < n; ++k)
        _mlir_memref_to_llvm_free(held[k]);
      ++b->itemsDone;
    }
  }
};

// Inside a parallel loop an allocation failure is a status: the chunk is
// abandoned, what it allocated is freed, and no other chunk starts (SIZE_MAX
// too, whose byte count must not read as "no failure").
TEST(Memory, FailureInsideParallelLoopIsResourceExhausted) {
  for (size_t last : {SIZE_MAX - 100, SIZE_MAX})
    for (int threads : {1, 2, 4}) {
      attn_context_t *ctx = makeContext(threads);
      ASSERT_NE(ctx, nullptr);
      attn_memory_stats_t before, after;
      attn_memory_stats(&before);
      AllocatingBody body;
      body.bytes = 1 << 16;
      body.keep = 3;
      body.last = last;
      Status st(
          attn_context_parallel_for(ctx, 64, 1, AllocatingBody::run, &body));
      EXPECT_EQ(st.code(), ATTN_STATUS_RESOURCE_EXHAUSTED) << threads;
      EXPECT_NE(st.message().find("out of memory"), std::string::npos);
      EXPECT_EQ(body.itemsDone.load(), 0);
      attn_memory_stats(&after);
      EXPECT_EQ(after.current_bytes, before.current_bytes) << threads;
      EXPECT_EQ(attn_context_scratch_bytes(ctx), 0);
      attn_context_destroy(ctx);
    }
}

// The context's scratch limit bounds what its loops hold at once.
TEST(Memory, ScratchLimitBoundsTheBytesHeldAtOnce) {
  attn_context_t *ctx = makeContext(2);
  ASSERT_NE(ctx, nullptr);
  Status negative(attn_context_set_scratch_limit(ctx, -1));
  EXPECT_EQ(negative.code(), ATTN_STATUS_OUT_OF_RANGE);
  AllocatingBody body;
  body.bytes = 1000;
  body.keep = 4;
  body.last = 1000;
  // One item holds 5000 bytes; two threads at most 10000.
  ASSERT_EQ(attn_context_set_scratch_limit(ctx, 10000), nullptr);
  EXPECT_EQ(attn_context_parallel_for(ctx, 50, 1, AllocatingBody::run, &body),
            nullptr);
  EXPECT_EQ(body.itemsDone.load(), 50);
  ASSERT_EQ(attn_context_set_scratch_limit(ctx, 4999), nullptr);
  body.itemsDone = 0;
  Status st(attn_context_parallel_for(ctx, 50, 1, AllocatingBody::run, &body));
  EXPECT_EQ(st.code(), ATTN_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_NE(st.message().find("scratch limit"), std::string::npos);
  EXPECT_EQ(body.itemsDone.load(), 0);
  EXPECT_EQ(attn_context_scratch_bytes(ctx), 0);
  ASSERT_EQ(attn_context_set_scratch_limit(ctx, 0), nullptr);
  EXPECT_EQ(attn_context_parallel_for(ctx, 50, 1, AllocatingBody::run, &body),
            nullptr);
  attn_context_destroy(ctx);
}
} // namespace
