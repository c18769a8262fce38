//===- FuzzLaunch.cpp - Vulkan launch checks against device limits, fuzzed
//-===//
//
// attn_vulkan_plan_launch (runtime/src/vulkan_launch.c) decides, without a
// device, whether a Vulkan kernel may run on a device with given limits at
// the caller's sizes: grid counts, workgroup size and memory, 16-bit
// storage, lavapipe's loop limit, buffer ranges, 32-bit indexing, the
// context's scratch limit. The launch tables and signatures here are what
// attnc writes (attnc --emit=llvm-dialect) for four entry points: dense
// attention with dynamic sizes for the vulkan and vulkan-desktop profiles,
// a static GQA sliding window, and a 1 x 1 x L dense kernel for lavapipe.
// The input chooses one, the device's limits (any uint32, lavapipe or not,
// 16-bit storage or not), the scratch limit, and the arguments: a value per
// size symbol of the signature (mostly small, sometimes any int64), each
// tensor built from the signature with those sizes, contiguous or with
// fuzzed strides, sometimes one size off. Tensors that bind (the binder
// runs first, as in a real launch) are planned; the planner must return a
// status or a plan whose grid, spans and parameter words are consistent,
// never crash or overflow. The data pointers are distinct fake addresses:
// neither the binder nor the planner reads tensor memory.
//
//===----------------------------------------------------------------------===//

#include "attn/abi.h"
#include "attn/runtime.h"
#include "runtime/src/vulkan_launch.h"
#include "test/fuzz/LaunchTables.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using namespace attn_launch_tables;

struct Kernel {
  const int64_t *sig;
  const int64_t *launch;
  const char *names;
};
const Kernel kKernels[] = {
    {kDynSig, kDynLaunch, "dyn:query,key,value,out"},
    {kDynSig, kDynDesktopLaunch, "dyn_desktop:query,key,value,out"},
    {kWindowSig, kWindowLaunch, "window:query,key,value,out"},
    {kLongSig, kLongLaunch, "long:query,key,value,out"},
};

/// Reads the input as a stream of bytes (zeros once it runs out).
struct Stream {
  const uint8_t *data;
  size_t size, at = 0;
  uint8_t byte() { return at < size ? data[at++] : 0; }
  uint64_t raw(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v = v << 8 | byte();
    return v;
  }
  /// Mostly sizes a model has, sometimes anything.
  int64_t dimension() {
    uint8_t tag = byte();
    if (tag < 128)
      return static_cast<int64_t>(raw(1)) * (tag % 8 + 1) + tag / 16;
    if (tag < 200)
      return static_cast<int64_t>(raw(3));
    return static_cast<int64_t>(raw(8));
  }
  /// A device limit: a real device's, or any uint32.
  uint32_t limit(uint32_t typical) {
    uint8_t tag = byte();
    if (tag < 96)
      return typical;
    if (tag < 128)
      return typical / (tag % 16 + 1);
    return static_cast<uint32_t>(raw(4));
  }
};

void check(bool ok) {
  if (!ok)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static attn_context_t *ctx = [] {
    attn_context_options_t options;
    attn_context_options_initialize(&options);
    options.thread_count = 1;
    attn_context_t *c = nullptr;
    attn_status_free(attn_context_create(&options, &c));
    return c;
  }();
  static attn_vulkan_plan_t plan;

  Stream in{data, size};
  const Kernel &kernel = kKernels[in.byte() % 4];
  attn_vulkan_limits_t limits;
  std::memset(&limits, 0, sizeof limits);
  limits.device_name = "fuzzed device";
  limits.max_workgroup_invocations = in.limit(1024);
  limits.max_workgroup_size_x = in.limit(1024);
  limits.max_shared_memory = in.limit(32768);
  for (uint32_t &count : limits.max_workgroup_count)
    count = in.limit(65535);
  limits.max_storage_buffer_range = in.limit(1u << 31);
  uint8_t flags = in.byte();
  limits.has_16bit_storage = flags & 1;
  limits.stops_loops = (flags >> 1) & 1;
  int64_t scratch = (flags >> 2) & 1 ? static_cast<int64_t>(in.raw(4)) : 0;

  // One value per size symbol, then each tensor from the signature.
  int64_t symbols[8];
  for (int64_t &s : symbols)
    s = in.dimension();
  const int64_t *sig = kernel.sig;
  int64_t count = sig[2];
  std::vector<attn_tensor_t> tensors(static_cast<size_t>(count));
  std::vector<const attn_tensor_t *> args(static_cast<size_t>(count));
  const int64_t *p = sig + 4;
  size_t words = 0;
  for (int64_t i = 0; i < count; ++i) {
    attn_tensor_t &t = tensors[static_cast<size_t>(i)];
    std::memset(&t, 0, sizeof t);
    int32_t rank = static_cast<int32_t>(p[1]);
    t.dtype = static_cast<attn_dtype_t>(p[0]);
    t.rank = rank;
    // Far apart: 2^44 bytes each, never dereferenced.
    t.data = reinterpret_cast<void *>(static_cast<uintptr_t>(i + 1) << 44);
    for (int32_t d = 0; d < rank; ++d) {
      int64_t dim = p[3 + d];
      t.sizes[d] = dim >= 0 ? dim : symbols[(-dim - 1) % 8];
    }
    uint8_t mode = in.byte();
    if (mode % 8 == 0)
      t.sizes[in.byte() % rank] = in.dimension(); // one size off
    int64_t stride = 1;
    for (int32_t d = rank - 1; d >= 0; --d) {
      t.strides[d] = mode % 4 == 1 && d + 1 < rank
                         ? static_cast<int64_t>(in.raw(mode % 16 == 1 ? 8 : 2))
                         : stride;
      if (__builtin_mul_overflow(stride, t.sizes[d] > 0 ? t.sizes[d] : 1,
                                 &stride))
        stride = 1;
    }
    args[static_cast<size_t>(i)] = &t;
    words += ATTN_ABI_DESCRIPTOR_WORDS(rank);
    p += 3 + rank;
  }
  std::vector<int64_t> descriptors(words);
  attn_status_t st = attn_rt_bind_args(ctx, sig, kernel.names, args.data(),
                                       descriptors.data());
  if (st) {
    attn_status_free(st);
    return 0;
  }
  st = attn_vulkan_plan_launch(&limits, "fuzz", sig, args.data(),
                               descriptors.data(), kernel.launch, scratch,
                               &plan);
  if (st) {
    // Every refusal has a code and a message.
    check(attn_status_code(st) != ATTN_STATUS_OK);
    check(std::strlen(attn_status_message(st)) > 0);
    attn_status_free(st);
    return 0;
  }
  if (plan.empty)
    return 0;
  // A plan within the limits it was checked against.
  for (int i = 0; i < 3; ++i)
    check(plan.grid[i] >= 1 && plan.grid[i] <= limits.max_workgroup_count[i]);
  check(plan.num_params == kernel.launch[5]);
  size_t staged = static_cast<size_t>(plan.num_params) * sizeof(int32_t);
  for (int64_t i = 0; i < count; ++i) {
    const attn_vulkan_span_t &span = plan.spans[i];
    check(span.elements >= 0 && span.elements <= INT32_MAX);
    check(span.bytes <= limits.max_storage_buffer_range);
    staged += span.bytes;
  }
  check(plan.staged == staged);
  check(scratch <= 0 || plan.staged <= static_cast<size_t>(scratch));
  return 0;
}
