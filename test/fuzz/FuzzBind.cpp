//===- FuzzBind.cpp - the runtime's argument binder, fuzzed ---------------===//
//
// attn_rt_bind_args checks caller tensors against an entry point's
// signature table. The tables here are what attnc writes for four entry
// points (dense GQA with dynamic sizes, differential attention's head pairs,
// Nystromformer's landmark multiple, a quantized KV cache with run-time
// lengths); the input chooses a table and describes every argument: NULL or
// not, data pointer (NULL, inside one shared buffer, or past it), dtype,
// rank (up to 10, past ATTN_MAX_RANK), sizes and strides (any int64,
// negative and huge included), and whether the context is NULL. The binder
// must return a status or bind descriptors, never crash or overflow.
//
//===----------------------------------------------------------------------===//

#include "attn/abi.h"
#include "attn/runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr int64_t F32 = ATTN_DTYPE_F32, F16 = ATTN_DTYPE_F16,
                  I8 = ATTN_DTYPE_I8, I32 = ATTN_DTYPE_I32;
constexpr int64_t S0 = -1, S1 = -2, S2 = -3, S3 = -4; // symbols

// Q [s0, s1, s2, 64], K/V [s0, s3, s4, 64] with s3 | s1, O like Q.
const int64_t kDense[] = {ATTN_ABI_VERSION,
                          ATTN_ABI_ISA_ANY,
                          4,
                          1,
                          F32,
                          4,
                          0,
                          S0,
                          S1,
                          S2,
                          64,
                          F32,
                          4,
                          0,
                          S0,
                          S3,
                          -5,
                          64,
                          F32,
                          4,
                          0,
                          S0,
                          S3,
                          -5,
                          64,
                          F32,
                          4,
                          1,
                          S0,
                          S1,
                          S2,
                          64,
                          ATTN_ABI_CONSTRAINT_DIVISIBLE,
                          0,
                          1,
                          1,
                          1};
// attn.diff: Q [s0, s1, s2, 32] f16, K [s0, s3, s2, 32], V [s0, s4, s2, 64],
// O [s0, s5, s2, 64] with s1 = 2 s5 and s3 = 2 s4.
const int64_t kDiff[] = {ATTN_ABI_VERSION,
                         ATTN_ABI_ISA_ANY,
                         4,
                         2,
                         F16,
                         4,
                         0,
                         S0,
                         S1,
                         S2,
                         32,
                         F16,
                         4,
                         0,
                         S0,
                         S3,
                         S2,
                         32,
                         F16,
                         4,
                         0,
                         S0,
                         -5,
                         S2,
                         64,
                         F16,
                         4,
                         1,
                         S0,
                         -6,
                         S2,
                         64,
                         ATTN_ABI_CONSTRAINT_TWICE,
                         0,
                         1,
                         3,
                         1,
                         ATTN_ABI_CONSTRAINT_TWICE,
                         1,
                         1,
                         2,
                         1};
// attn.nystrom: Q [1, 4, s0, 64], K/V [1, 4, s1, 64], lengths multiples of
// 8, a [4, 33] convolution weight.
const int64_t kNystrom[] = {ATTN_ABI_VERSION,
                            ATTN_ABI_ISA_ANY,
                            5,
                            2,
                            F32,
                            4,
                            0,
                            1,
                            4,
                            S0,
                            64,
                            F32,
                            4,
                            0,
                            1,
                            4,
                            S1,
                            64,
                            F32,
                            4,
                            0,
                            1,
                            4,
                            S1,
                            64,
                            F32,
                            2,
                            0,
                            4,
                            33,
                            F32,
                            4,
                            1,
                            1,
                            4,
                            S0,
                            64,
                            ATTN_ABI_CONSTRAINT_MULTIPLE,
                            0,
                            2,
                            8,
                            0,
                            ATTN_ABI_CONSTRAINT_MULTIPLE,
                            1,
                            2,
                            8,
                            0};
// q8_0 KV cache: Q [s0, 8, 1, 128] f32, K/V [s0, 2, s1, 136] i8 rows,
// kv_lengths [s0] i32, O [s0, 8, 1, 128].
const int64_t kQuant[] = {ATTN_ABI_VERSION,
                          ATTN_ABI_ISA_ANY,
                          5,
                          0,
                          F32,
                          4,
                          0,
                          S0,
                          8,
                          1,
                          128,
                          I8,
                          4,
                          0,
                          S0,
                          2,
                          S1,
                          136,
                          I8,
                          4,
                          0,
                          S0,
                          2,
                          S1,
                          136,
                          I32,
                          1,
                          0,
                          S0,
                          F32,
                          4,
                          1,
                          S0,
                          8,
                          1,
                          128};

struct Table {
  const int64_t *words;
  const char *names;
};
const Table kTables[] = {
    {kDense, "dense:query,key,value,out"},
    {kDiff, "diff:query,key,value,out"},
    {kNystrom, "nystrom:query,key,value,conv,out"},
    {kQuant, "decode:query,key,value,kv_lengths,out"},
};

/// Reads the input as a stream of bytes (zeros once it runs out).
struct Stream {
  const uint8_t *data;
  size_t size, at = 0;
  uint8_t byte() { return at < size ? data[at++] : 0; }
  int64_t word() {
    // Mostly small values, sometimes anything.
    uint8_t tag = byte();
    if (tag < 160)
      return tag % 80;
    if (tag < 200)
      return -static_cast<int64_t>(tag % 8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v = v << 8 | byte();
    return static_cast<int64_t>(v);
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static attn_context_t *shared = [] {
    attn_context_options_t options;
    attn_context_options_initialize(&options);
    options.thread_count = 1;
    attn_context_t *ctx = nullptr;
    attn_status_t st = attn_context_create(&options, &ctx);
    attn_status_free(st);
    return ctx;
  }();
  // The tensors' memory: data pointers point into it (or are NULL); the
  // binder only compares their ranges and never reads it.
  static std::vector<unsigned char> memory(1 << 16);

  Stream in{data, size};
  const Table &table = kTables[in.byte() % 4];
  attn_context_t *ctx = in.byte() % 16 == 0 ? nullptr : shared;
  int64_t count = table.words[2];
  std::vector<attn_tensor_t> tensors(static_cast<size_t>(count));
  std::vector<const attn_tensor_t *> args(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    attn_tensor_t &t = tensors[static_cast<size_t>(i)];
    std::memset(&t, 0, sizeof t);
    uint8_t mode = in.byte();
    args[static_cast<size_t>(i)] = mode % 32 == 0 ? nullptr : &t;
    uint8_t where = in.byte();
    t.data = where % 16 == 0
                 ? nullptr
                 : memory.data() + (static_cast<size_t>(where) * 977 +
                                    static_cast<size_t>(in.byte()) * 64) %
                                       memory.size();
    t.dtype = static_cast<attn_dtype_t>(in.byte() % 8);
    int32_t rank = static_cast<int32_t>(in.byte() % 11);
    t.rank = rank;
    for (int32_t d = 0; d < rank && d < ATTN_MAX_RANK; ++d) {
      t.sizes[d] = in.word();
      t.strides[d] = in.word();
    }
  }
  // Descriptors for the table's own ranks (what generated code allocates).
  size_t words = 0;
  const int64_t *p = table.words + 4;
  for (int64_t i = 0; i < count; ++i) {
    int64_t rank = p[1];
    words += ATTN_ABI_DESCRIPTOR_WORDS(rank);
    p += 3 + rank;
  }
  std::vector<int64_t> descriptors(words);
  attn_status_t st = attn_rt_bind_args(ctx, table.words, table.names,
                                       args.data(), descriptors.data());
  if (st) {
    // Every status has a code and a message.
    (void)attn_status_code(st);
    (void)std::strlen(attn_status_message(st));
    attn_status_free(st);
  }
  return 0;
}
