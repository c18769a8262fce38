//===- attn-bench.cpp - speed and memory of attnc against baselines -------===//
//
//   attn-bench --workload dense-2k,causal-2k --impl attnc,openblas,naive
//              --threads 2 --json out.json [--quick] [--reps N]
//   attn-bench --shape 1,8,8,2048,2048,64[,Dv][:MASK] --impl attnc,openblas
//
// Implementations run on the same inputs in one process, interleaved
// (A B C A B C ...) after a warm-up; the table gives the median and min/max
// of the repetitions, GFLOP/s over the (q, k) pairs the mask keeps, the
// fraction of the FMA peak measured at start on the same thread count, and
// the extra memory each implementation allocated. See BENCHMARKS.md.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-bench/Baselines.h"
#include "tools/attn-bench/HalideBaseline.h"
#include "tools/attn-bench/Inputs.h"
#include "tools/attn-bench/Peak.h"
#include "tools/attn-check/reference/Reference.h"

#include "compiler/Driver.h"
#include "compiler/ModelImport.h"

#include "attn/quant.h"
#include "attn/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace attn::bench;

namespace {

struct Workload {
  std::string name;
  Shape shape;
  /// How reports name the mask (the full text of a layout is long).
  std::string maskLabel;
};

attn::ref::Mask parseMask(const std::string &text) {
  attn::ref::Mask m;
  std::string error;
  if (!attn::ref::Mask::parse(text, m, error)) {
    std::fprintf(stderr, "attn-bench: error: mask: %s\n", error.c_str());
    std::exit(2);
  }
  return m;
}

Workload workload(const std::string &name, Shape shape,
                  const std::string &mask) {
  shape.mask = parseMask(mask);
  // Reports (and JSON records) show at most 60 characters of a mask.
  std::string label = mask.size() > 60 ? mask.substr(0, 57) + "..." : mask;
  return {name, shape, label};
}

/// BigBird's block pattern (Zaheer et al. 2020) on `blocks` x `blocks`
/// blocks per head: global (first block row and column), sliding (the block
/// and its two neighbours) and one random block per row among those not yet
/// kept, drawn from a seeded generator per head.
attn::ref::Mask bigBirdMask(int64_t heads, int64_t blocks, int64_t block) {
  attn::ref::Mask m;
  m.kind = attn::ref::Mask::Kind::BlockSparse;
  m.blockQ = m.blockK = block;
  m.layoutHeads = heads, m.layoutQ = m.layoutK = blocks;
  m.layout.assign(heads * blocks * blocks, 0);
  for (int64_t h = 0; h < heads; ++h) {
    attn::ref::Uniform rng(1000 + h);
    uint8_t *l = &m.layout[h * blocks * blocks];
    for (int64_t i = 0; i < blocks; ++i) {
      for (int64_t j = 0; j < blocks; ++j)
        l[i * blocks + j] = i == 0 || j == 0 || std::abs(i - j) <= 1;
      std::vector<int64_t> free;
      for (int64_t j = 0; j < blocks; ++j)
        if (!l[i * blocks + j])
          free.push_back(j);
      if (!free.empty()) {
        double u = (rng.next() + 1) / 2; // [0, 1)
        l[i * blocks +
          free[std::min<int64_t>(free.size() - 1, u * free.size())]] = 1;
      }
    }
  }
  return m;
}

/// BENCHMARKS.md's default set (the variants attnc compiles today).
std::vector<Workload> defaultWorkloads() {
  std::vector<Workload> all = {
      workload("bert-base", {1, 12, 12, 512, 512, 64, 64}, "none"),
      workload("dense-2k", {1, 8, 8, 2048, 2048, 64, 64}, "none"),
      workload("dense-2k-d128", {1, 8, 8, 2048, 2048, 128, 128}, "none"),
      workload("causal-2k", {1, 8, 8, 2048, 2048, 64, 64}, "causal"),
      workload("causal-2k-h16", {1, 16, 16, 2048, 2048, 64, 64}, "causal"),
      // The FLOPs diff-2k executes: 16 maps of d = 64, each times a value
      // of width 128.
      workload("causal-2k-h16-dv128", {1, 16, 16, 2048, 2048, 64, 128},
               "causal"),
      workload("dense-4k", {1, 8, 8, 4096, 4096, 64, 64}, "none"),
      workload("dense-16k", {1, 8, 8, 16384, 16384, 64, 64}, "none"),
      workload("gqa-2k", {1, 32, 8, 2048, 2048, 128, 128}, "causal"),
      workload("decode-8k", {1, 32, 8, 1, 8192, 128, 128}, "none"),
      workload("long-16k-window", {1, 8, 8, 16384, 16384, 64, 64},
               "window(256)"),
  };
  // Differential attention: 8 output heads (16 query/key heads in pairs),
  // value width 128, causal.
  Workload diff = workload("diff-2k", {1, 8, 8, 2048, 2048, 64, 128}, "causal");
  diff.shape.diff = true;
  all.push_back(diff);
  // Low-rank approximations (BENCHMARKS.md): k = 256, m = 256, 64
  // landmarks, on dense-4k's and dense-16k's shapes.
  for (int64_t len : {4096, 16384})
    for (auto [method, rank] :
         {std::pair{"linformer", 256}, std::pair{"performer", 256},
          std::pair{"nystrom", 64}}) {
      Workload w =
          workload(std::string(method) + "-" + std::to_string(len / 1024) + "k",
                   {1, 8, 8, len, len, 64, 64}, "none");
      w.shape.lowRank = method;
      w.shape.rank = rank;
      all.push_back(w);
    }
  // decode-8k over other KV caches: f16 storage, llama.cpp's q8_0 / q4_0
  // blocks (BENCHMARKS.md).
  for (const char *cache : {"f16", "q8_0", "q4_0", "int8"}) {
    Workload w = workload(std::string("decode-8k-") + cache,
                          {1, 32, 8, 1, 8192, 128, 128}, "none");
    w.shape.kvCache = cache;
    all.push_back(w);
  }
  // The same q8_0 / q4_0 decode with int8 scores (qk_precision = int8).
  for (const char *cache : {"q8_0", "q4_0"}) {
    Workload w = workload(std::string("decode-8k-") + cache + "-int8",
                          {1, 32, 8, 1, 8192, 128, 128}, "none");
    w.shape.kvCache = cache;
    w.shape.qk = "int8";
    all.push_back(w);
  }
  // dense-2k in int8 (f32 inputs): scores with Q and K quantized per 32
  // values in the kernel, and P . V with 8-bit probabilities and values
  // quantized per channel and 32 keys; -qk: the int8 scores only (P . V in
  // f32), to show what each product costs and gains.
  {
    Workload w =
        workload("dense-2k-int8", {1, 8, 8, 2048, 2048, 64, 64}, "none");
    w.shape.qk = "int8";
    w.shape.pv = "int8";
    all.push_back(w);
    // The same with smooth_k (attn.sdpa): the keys' channel mean taken off
    // before they are quantized (its gain shows on --inputs key-offset).
    w.name = "dense-2k-int8-smooth-k";
    w.shape.smoothK = true;
    all.push_back(w);
    w.name = "dense-2k-int8-qk";
    w.shape.smoothK = false;
    w.shape.pv.clear();
    all.push_back(w);
  }
  // dense-2k with Q, K, V and O stored in bf16 and both products in bf16
  // (bf16 factors, f32 sums: VDPBF16PS where the host has AVX-512 BF16,
  // f32 elsewhere).
  {
    Workload w =
        workload("dense-2k-bf16", {1, 8, 8, 2048, 2048, 64, 64}, "none");
    w.shape.kvCache = "bf16";
    w.shape.qk = "bf16";
    w.shape.pv = "bf16";
    all.push_back(w);
  }
  Workload bigbird{"bigbird-4k",
                   {1, 8, 8, 4096, 4096, 64, 64},
                   "bigbird(global 1, sliding 3, random 1, block 64)"};
  bigbird.shape.mask = bigBirdMask(8, 4096 / 64, 64);
  all.push_back(bigbird);
  return all;
}

/// FLOPs over the kept (q, k) pairs: 2 per multiply-add of Q.K^T and P.V.
/// Differential attention has two Q.K^T maps per output head and one P.V
/// (with P = A1 - lambda A2). Low-rank methods count their own products
/// (projections, features, landmark attention; not the exponentials).
double flopCount(const Shape &s) {
  if (!s.lowRank.empty()) {
    double b = s.batch, hq = s.heads, hkv = s.kvHeads, lq = s.qLen,
           lk = s.kvLen, d = s.headDim, dv = s.valueDim, r = s.rank;
    if (s.lowRank == "linformer")
      return 2.0 * b * (hkv * r * lk * (d + dv) + hq * lq * r * (d + dv));
    if (s.lowRank == "performer")
      return 2.0 * b *
             (hkv * lk * r * (d + dv + 1) + hq * lq * r * (d + dv + 1));
    // Nystromformer: W and O as attention over r landmarks, A, six
    // iterations of four r x r products, Y = Z W.
    return 2.0 * b * hq *
           (r * lk * (d + dv) + lq * r * (d + dv) + r * r * (d + r) +
            6 * 4 * r * r * r + r * r * dv);
  }
  double qk = s.diff ? 2.0 * s.headDim : s.headDim;
  return 2.0 * attn::ref::keptPairs(s.problem()) * (qk + s.valueDim);
}

/// The attn mask attribute of a reference mask (the same pattern).
std::string mlirMask(const attn::ref::Mask &m) {
  using K = attn::ref::Mask::Kind;
  auto n = [](int64_t v) { return std::to_string(v); };
  switch (m.kind) {
  case K::None:
    return "";
  case K::Causal:
    return "#attn.causal";
  case K::Window:
    return "#attn.window<" + n(m.size) +
           (m.bidirectional ? ", bidirectional>" : ">");
  case K::Strided:
    return "#attn.strided<" + n(m.size) + ">";
  case K::Global:
    return "#attn.global<" + n(m.size) + ">";
  case K::BlockSparse: {
    std::string bytes;
    for (uint8_t b : m.layout)
      bytes += b ? "01" : "00";
    std::string type = m.layoutHeads > 1 ? n(m.layoutHeads) + "x" : "";
    return "#attn.block_sparse<" + n(m.blockQ) + ", " + n(m.blockK) +
           ", dense<\"0x" + bytes + "\"> : tensor<" + type + n(m.layoutQ) +
           "x" + n(m.layoutK) + "xi8>>";
  }
  case K::And:
  case K::Or: {
    std::string s = m.kind == K::And ? "#attn.and<" : "#attn.or<";
    for (size_t i = 0; i < m.children.size(); ++i)
      s += (i ? ", " : "") + mlirMask(m.children[i]);
    return s + ">";
  }
  }
  return "";
}

struct Stats {
  double median, min, max;
};
Stats summarize(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front(), t.back()};
}

[[noreturn]] void usage(const std::string &message) {
  std::fprintf(stderr,
               "attn-bench: error: %s\n"
               "usage: attn-bench [--workload NAME[,NAME]] [--shape "
               "B,Hq,Hkv,Lq,Lk,D[,Dv][:MASK]]\n"
               "                  [--impl attnc[-TARGET],attnc-diff-unfused,"
               "openblas,halide,halide-auto,naive] "
               "[--threads N] [--reps N]\n"
               "                  [--json FILE] [--quick] [--allow-slow] "
               "[--list] [--tile QxK]\n"
               "                  [--inputs uniform|clustered|banded|heavy|"
               "key-offset] "
               "[--kv-cache f16|bf16|q8_0|q4_0|int8]\n"
               "                  [--scratch-limit BYTES]\n",
               message.c_str());
  std::exit(2);
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty())
      out.push_back(item);
  return out;
}

/// OpenBLAS reads its settings when it loads, so they are set by re-running
/// this program once with them in the environment:
///  - on AMD Zen with AVX-512 it must be told to use its SkylakeX kernels
///    (BENCHMARKS.md);
///  - its worker threads busy-wait after each call for up to 2^28 cycles by
///    default, stealing the cores from whatever runs next in an interleaved
///    benchmark; OPENBLAS_THREAD_TIMEOUT=4 puts them to sleep at once.
void configureOpenBlas(char **argv) {
  bool changed = false;
  if (!getenv("OPENBLAS_THREAD_TIMEOUT")) {
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    changed = true;
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!getenv("OPENBLAS_CORETYPE") && __builtin_cpu_is("amd") &&
      __builtin_cpu_supports("avx512f")) {
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    changed = true;
  }
#endif
  if (changed)
    execv("/proc/self/exe", argv);
}

/// Splits a streaming read of `data` over the context's threads.
struct ReadJob {
  const float *data;
  int64_t size, chunks;
  std::atomic<uint32_t> sink{0};
};

void readChunks(void *user, int64_t begin, int64_t end) {
  auto *job = static_cast<ReadJob *>(user);
  for (int64_t c = begin; c < end; ++c) {
    float sum = streamRead(job->data, job->size * c / job->chunks,
                           job->size * (c + 1) / job->chunks);
    uint32_t bits;
    std::memcpy(&bits, &sum, sizeof(bits));
    job->sink.fetch_xor(bits, std::memory_order_relaxed);
  }
}

/// An implementation prepared for one workload.
struct Runner {
  std::string impl;
  float *out = nullptr;
  std::function<void()> run;
  int64_t extraBytes = 0;
  std::vector<double> times;
  std::string note; // why it did not run, if it did not
  /// A measurement of the machine beside the implementations (the streaming
  /// read of bandwidth-bound workloads), not an attention implementation.
  bool reference = false;
  /// attnc's f32 kernel on the float inputs of a quantized workload (KV
  /// cache formats, f16 storage, int8 products): timed interleaved with
  /// them, so "vs f32" is a ratio of one run; its output is what the
  /// quantized outputs' rel_err_vs_dense is measured against.
  bool f32Baseline = false;
  /// What ran it ("cpu", or the Vulkan device's name) and, on Vulkan, the
  /// device's own timestamps of each run (the wall time adds the copies
  /// through host memory).
  std::string device = "cpu";
  attn_context_t *context = nullptr;
  std::vector<double> deviceTimes;
};

/// libattn-halide.so, loaded on first use from beside the executable.
struct HalideLibrary {
  decltype(&attn_halide_create) create = nullptr;
  decltype(&attn_halide_run) run = nullptr;
  decltype(&attn_halide_destroy) destroy = nullptr;
  std::string error;

  static HalideLibrary &get(const char *argv0) {
    static HalideLibrary lib = load(argv0);
    return lib;
  }

private:
  static HalideLibrary load(const char *argv0) {
    HalideLibrary lib;
    std::string self = llvm::sys::fs::getMainExecutable(
        argv0, reinterpret_cast<void *>(&measurePeak));
    std::string dir = self.substr(0, self.rfind('/'));
    // Installed: <prefix>/lib/attnc/; in the build tree: build/lib/.
    void *handle = nullptr;
    for (const char *sub : {"/../lib/attnc/", "/../lib/"}) {
      std::string path = dir + sub + "libattn-halide.so";
      if ((handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)))
        break;
    }
    if (!handle) {
      lib.error = "not available (" + std::string(dlerror()) +
                  "; install libhalide14-0-dev and rebuild)";
      return lib;
    }
    lib.create = reinterpret_cast<decltype(lib.create)>(
        dlsym(handle, "attn_halide_create"));
    lib.run =
        reinterpret_cast<decltype(lib.run)>(dlsym(handle, "attn_halide_run"));
    lib.destroy = reinterpret_cast<decltype(lib.destroy)>(
        dlsym(handle, "attn_halide_destroy"));
    if (!lib.create || !lib.run || !lib.destroy)
      lib.error = "libattn-halide.so lacks its entry points";
    return lib;
  }
};

/// Stops the benchmark at a failing call (a wrong setup, not a result).
void orExit(attn_status_t st) {
  if (!st)
    return;
  std::fprintf(stderr, "attn-bench: error: %s\n", attn_status_message(st));
  std::exit(2);
}

/// A workload's inputs (and output) in attnc's storage for its KV cache:
/// f16 copies of Q, K, V and O, or K/V packed in llama.cpp blocks.
struct KvStorage {
  std::vector<uint16_t> q16, k16, v16, o16;
  std::vector<unsigned char> kBlocks, vBlocks;
  /// An int8 cache: K and V as int8 values with one f16 scale a token
  /// (s = max|x| / 127 over the row, q = round(x / s)), and the scales'
  /// descriptors.
  std::vector<int8_t> k8, v8;
  std::vector<uint16_t> kScales, vScales;
  attn_tensor_t kScaleT, vScaleT;
  /// The 16-bit storage is bf16 (else f16).
  bool bf16 = false;

  /// f32 to bf16, rounded to nearest even (NaN kept NaN).
  static uint16_t toBf16(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    if (std::isnan(x))
      return static_cast<uint16_t>((bits >> 16) | 0x40);
    return static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
  }
  static float fromBf16(uint16_t h) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  }

  KvStorage(const Shape &s, const std::vector<float> &q,
            const std::vector<float> &k, const std::vector<float> &v,
            attn_block_format_t format) {
    bf16 = s.kvCache == "bf16";
    auto half = [&](const std::vector<float> &x) {
      std::vector<uint16_t> h(x.size());
      for (size_t i = 0; i < x.size(); ++i)
        h[i] = bf16 ? toBf16(x[i]) : attn_f32_to_f16(x[i]);
      return h;
    };
    auto pack = [&](const std::vector<float> &x, int64_t width) {
      int64_t rowBytes = attn_block_row_bytes(format, width);
      int64_t rows = static_cast<int64_t>(x.size()) / width;
      std::vector<unsigned char> out(rows * rowBytes);
      for (int64_t r = 0; r < rows; ++r)
        attn_quantize_row(format, &x[r * width], width, &out[r * rowBytes]);
      return out;
    };
    auto int8Rows = [](const std::vector<float> &x, int64_t width,
                       std::vector<int8_t> &values,
                       std::vector<uint16_t> &scales) {
      int64_t rows = static_cast<int64_t>(x.size()) / width;
      values.resize(x.size());
      scales.resize(rows);
      for (int64_t r = 0; r < rows; ++r) {
        float amax = 0;
        for (int64_t c = 0; c < width; ++c)
          amax = std::max(amax, std::fabs(x[r * width + c]));
        scales[r] = attn_f32_to_f16(amax / 127.0f);
        float sc = attn_f16_to_f32(scales[r]);
        for (int64_t c = 0; c < width; ++c)
          values[r * width + c] = static_cast<int8_t>(
              sc > 0 ? std::max(
                           -127.0f,
                           std::min(127.0f, std::round(x[r * width + c] / sc)))
                     : 0.0f);
      }
    };
    if (s.kvCache == "int8") {
      int8Rows(k, s.headDim, k8, kScales);
      int8Rows(v, s.valueDim, v8, vScales);
    } else if (!format) {
      q16 = half(q), k16 = half(k), v16 = half(v);
      o16.resize(s.batch * s.heads * s.qLen * s.valueDim);
    } else {
      kBlocks = pack(k, s.headDim);
      vBlocks = pack(v, s.valueDim);
    }
  }
  /// Points the descriptors (query, key, value, out) at this storage.
  void describe(const Shape &s, std::vector<attn_tensor_t> &t,
                attn_block_format_t format) {
    int64_t ks[4] = {s.batch, s.kvHeads, s.kvLen, s.headDim};
    int64_t vs[4] = {s.batch, s.kvHeads, s.kvLen, s.valueDim};
    if (!k8.empty()) {
      int64_t ss[4] = {s.batch, s.kvHeads, s.kvLen, 1};
      attn_tensor_init_contiguous(&t[1], k8.data(), ATTN_DTYPE_I8, 4, ks);
      attn_tensor_init_contiguous(&t[2], v8.data(), ATTN_DTYPE_I8, 4, vs);
      attn_tensor_init_contiguous(&kScaleT, kScales.data(), ATTN_DTYPE_F16, 4,
                                  ss);
      attn_tensor_init_contiguous(&vScaleT, vScales.data(), ATTN_DTYPE_F16, 4,
                                  ss);
      return;
    }
    if (format) {
      ks[3] = attn_block_row_bytes(format, s.headDim);
      vs[3] = attn_block_row_bytes(format, s.valueDim);
      attn_tensor_init_contiguous(&t[1], kBlocks.data(), ATTN_DTYPE_I8, 4, ks);
      attn_tensor_init_contiguous(&t[2], vBlocks.data(), ATTN_DTYPE_I8, 4, vs);
      return;
    }
    int64_t qs[4] = {s.batch, s.heads, s.qLen, s.headDim};
    int64_t os[4] = {s.batch, s.heads, s.qLen, s.valueDim};
    attn_dtype_t dtype = bf16 ? ATTN_DTYPE_BF16 : ATTN_DTYPE_F16;
    attn_tensor_init_contiguous(&t[0], q16.data(), dtype, 4, qs);
    attn_tensor_init_contiguous(&t[1], k16.data(), dtype, 4, ks);
    attn_tensor_init_contiguous(&t[2], v16.data(), dtype, 4, vs);
    attn_tensor_init_contiguous(&t[3], o16.data(), dtype, 4, os);
  }
  /// The f32 output (widened from f16 storage) into `out`.
  void output(float *out, int64_t n) const {
    if (o16.empty())
      return;
    for (int64_t i = 0; i < n; ++i)
      out[i] = bf16 ? fromBf16(o16[i]) : attn_f16_to_f32(o16[i]);
  }
};

using EntryFn = attn_status_t (*)(attn_context_t *, const attn_tensor_t *,
                                  const attn_tensor_t *, const attn_tensor_t *,
                                  attn_tensor_t *);

/// Compiles the workload with attnc for `target` and loads it.
std::string compileAttnc(const Workload &w, const std::string &target,
                         const std::string &tile, bool fuseDiff, EntryFn &entry,
                         bool &onVulkan) {
  std::string error;
  std::optional<mlir::attn::TargetDescription> desc =
      mlir::attn::configureTarget(target, tile, fuseDiff ? "fused" : "unfused",
                                  error);
  if (!desc)
    return error;
  onVulkan = desc->kind == mlir::attn::TargetKind::Vulkan;
  mlir::attn::ModelDescription model;
  model.name = "bench";
  mlir::attn::LayerDescription layer;
  layer.name = "w";
  layer.batch = w.shape.batch, layer.heads = w.shape.heads;
  layer.kvHeads = w.shape.kvHeads, layer.qLen = w.shape.qLen;
  layer.kvLen = w.shape.kvLen, layer.headDim = w.shape.headDim;
  layer.valueDim = w.shape.valueDim;
  layer.mask = mlirMask(w.shape.mask);
  layer.maskSet = true;
  if (w.shape.kvCache == "f16" || w.shape.kvCache == "bf16")
    layer.dtype = w.shape.kvCache;
  else
    layer.kvCache = w.shape.kvCache;
  // An int8 cache: one f16 scale a token (KvStorage).
  if (w.shape.kvCache == "int8") {
    layer.kvScales = "token";
    layer.kvScaleDtype = "f16";
  }
  layer.qkCompute = w.shape.qk;
  layer.pvCompute = w.shape.pv;
  layer.smoothK = w.shape.smoothK;
  layer.smoothKPath = "layers[0].compute.smooth_k";
  if (w.shape.diff) {
    // λ vectors and gain as inputs; lambda_init from layer 0.
    layer.variant = "diff";
    layer.hasDiff = true;
    layer.diffLayer = 0;
  }
  if (!w.shape.lowRank.empty()) {
    layer.variant = w.shape.lowRank;
    layer.hasLowRank = true;
    layer.mask.clear();
    layer.linformerRows = layer.landmarks = w.shape.rank;
    layer.performerFeatures = w.shape.rank;
  }
  model.layers.push_back(layer);
  std::unique_ptr<mlir::MLIRContext> ctx = mlir::attn::createAttncContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::attn::buildModelModule(model, *ctx, w.name);
  if (!module)
    return "the workload does not build";
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("attn-bench", dir))
    return "cannot create a temporary directory";
  mlir::FailureOr<std::string> so =
      mlir::attn::compileToSharedLibrary(*module, *desc, dir);
  if (mlir::failed(so))
    return "compilation failed";
  void *handle = dlopen(so->c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return std::string("cannot load the kernel: ") + dlerror();
  entry = reinterpret_cast<EntryFn>(dlsym(handle, "bench_w"));
  return entry ? "" : "entry point not found";
}

} // namespace

int main(int argc, char **argv) {
  configureOpenBlas(argv);
  llvm::InitLLVM init(argc, argv);
  std::vector<std::string> workloadNames,
      impls = {"attnc", "openblas", "naive"};
  std::vector<Workload> custom;
  std::string jsonPath, tileSpec, inputKind = "uniform", kvCache;
  int threads = 0, reps = 0;
  long long scratchLimit = 0;
  bool quick = false, allowSlow = false, list = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage("missing value after " + a);
      return argv[++i];
    };
    if (a == "--workload")
      workloadNames = split(value(), ',');
    else if (a == "--impl")
      impls = split(value(), ',');
    else if (a == "--threads")
      threads = std::atoi(value().c_str());
    else if (a == "--reps")
      reps = std::atoi(value().c_str());
    else if (a == "--scratch-limit")
      scratchLimit = std::atoll(value().c_str());
    else if (a == "--json")
      jsonPath = value();
    else if (a == "--tile")
      tileSpec = value();
    else if (a == "--kv-cache") {
      kvCache = value();
      if (kvCache != "f16" && kvCache != "bf16" && kvCache != "q8_0" &&
          kvCache != "q4_0" && kvCache != "int8")
        usage("--kv-cache must be f16, bf16, q8_0, q4_0 or int8 (for --shape "
              "workloads)");
    } else if (a == "--inputs") {
      inputKind = value();
      if (!isInputKind(inputKind))
        usage("--inputs must be uniform, clustered, banded, heavy or "
              "key-offset");
    } else if (a == "--quick")
      quick = true;
    else if (a == "--allow-slow")
      allowSlow = true;
    else if (a == "--list")
      list = true;
    else if (a == "--shape") {
      std::string spec = value();
      std::string maskText = "none";
      if (size_t c = spec.find(':'); c != std::string::npos) {
        maskText = spec.substr(c + 1);
        spec = spec.substr(0, c);
      }
      std::vector<std::string> f = split(spec, ',');
      if (f.size() != 6 && f.size() != 7)
        usage("--shape takes B,Hq,Hkv,Lq,Lk,D[,Dv][:MASK]");
      std::vector<int64_t> n;
      for (const std::string &x : f) {
        char *end = nullptr;
        long long v = std::strtoll(x.c_str(), &end, 10);
        if (!end || *end || v <= 0)
          usage("--shape sizes must be positive integers, found '" + x + "'");
        n.push_back(v);
      }
      if (n[1] % n[2])
        usage("--shape: Hkv must divide Hq");
      Shape s{n[0], n[1], n[2], n[3], n[4], n[5], f.size() == 7 ? n[6] : n[5]};
      std::string name = "custom-" + spec;
      std::replace(name.begin(), name.end(), ',', 'x');
      Workload w = workload(name, s, maskText);
      if (maskText != "none")
        w.name += "-" + w.maskLabel;
      custom.push_back(w);
    } else
      usage("unknown option " + a);
  }
  // --kv-cache: each --shape workload again over that KV storage, measured
  // beside its f32 form.
  if (!kvCache.empty()) {
    if (custom.empty())
      usage("--kv-cache applies to --shape workloads (the named ones have "
            "their own: decode-8k-q8_0, ...)");
    for (size_t i = 0, n = custom.size(); i < n; ++i) {
      Workload q = custom[i];
      const Shape &sh = q.shape;
      if (kvCache != "f16" && kvCache != "bf16" && kvCache != "int8" &&
          (sh.headDim % 32 || sh.valueDim % 32))
        usage("--kv-cache " + kvCache + " needs D and Dv multiples of 32");
      q.name += "-" + kvCache;
      q.shape.kvCache = kvCache;
      custom.push_back(q);
    }
  }
  if (threads <= 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  if (reps <= 0)
    reps = quick ? 3 : 7;

  std::vector<Workload> all = defaultWorkloads(), selected;
  if (list) {
    for (const Workload &w : all)
      std::printf(
          "%-16s B=%lld Hq=%lld Hkv=%lld Lq=%lld Lk=%lld D=%lld "
          "Dv=%lld%s\n",
          w.name.c_str(), (long long)w.shape.batch, (long long)w.shape.heads,
          (long long)w.shape.kvHeads, (long long)w.shape.qLen,
          (long long)w.shape.kvLen, (long long)w.shape.headDim,
          (long long)w.shape.valueDim,
          (std::string(w.shape.diff ? " variant=diff" : "") +
           (w.shape.lowRank.empty() ? ""
                                    : " variant=" + w.shape.lowRank + "(" +
                                          std::to_string(w.shape.rank) + ")") +
           (w.maskLabel == "none" ? "" : " mask=" + w.maskLabel) +
           (w.shape.kvCache.empty() ? "" : " kv_cache=" + w.shape.kvCache) +
           (w.shape.qk.empty() ? "" : " qk=" + w.shape.qk) +
           (w.shape.pv.empty() ? "" : " pv=" + w.shape.pv) +
           (w.shape.smoothK ? " smooth_k" : ""))
              .c_str());
    return 0;
  }
  if (workloadNames.empty() && custom.empty())
    workloadNames =
        quick
            ? std::vector<std::string>{"bert-base"}
            : std::vector<std::string>{"bert-base", "dense-2k", "dense-2k-d128",
                                       "causal-2k", "gqa-2k",   "decode-8k"};
  for (const std::string &n : workloadNames) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const Workload &w) { return w.name == n; });
    if (it != all.end()) {
      selected.push_back(*it);
      continue;
    }
    usage("workload '" + n + "' is unknown (attn-bench --list)");
  }
  selected.insert(selected.end(), custom.begin(), custom.end());
  for (const std::string &impl : impls)
    if (impl != "openblas" && impl != "naive" && impl != "halide" &&
        impl != "halide-auto" && impl.rfind("attnc", 0) != 0)
      usage("unknown --impl '" + impl +
            "' (attnc, attnc-<target>, attnc-diff-unfused, openblas, halide, "
            "halide-auto, naive)");

  Peak peak = measurePeak(threads);
  std::printf("machine: %s FMA peak %.1f GFLOP/s on %d threads\n",
              peak.isa.c_str(), peak.gflops, threads);

  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = threads;
  attn_context_t *cpuCtx = nullptr;
  if (attn_status_t st = attn_context_create(&options, &cpuCtx)) {
    std::fprintf(stderr, "attn-bench: error: %s\n", attn_status_message(st));
    attn_status_free(st);
    return 2;
  }
  // --scratch-limit: CPU entries then stage their outputs (runtime.h).
  if (scratchLimit > 0)
    if (attn_status_t st =
            attn_context_set_scratch_limit(cpuCtx, scratchLimit)) {
      std::fprintf(stderr, "attn-bench: error: %s\n", attn_status_message(st));
      attn_status_free(st);
      return 2;
    }
  attn_context_t *ctx = cpuCtx;
  // Created on the first Vulkan implementation (attnc-vulkan...).
  attn_device_t *vulkanDevice = nullptr;
  attn_context_t *vulkanCtx = nullptr;

  std::string json = "[\n";
  bool firstRecord = true;
  std::printf("inputs: %s\n", inputKind.c_str());
  std::printf("%-16s %-18s %3s %10s %10s %10s %9s %6s %9s %8s %6s %9s\n",
              "workload", "impl", "thr", "median_ms", "min_ms", "max_ms",
              "GFLOP/s", "%peak", "extra_MiB", "GB/s", "%read", "err_dense");
  for (const Workload &w : selected) {
    const Shape &s = w.shape;
    // Differential attention reads head pairs of Q and K.
    int64_t pairs = s.diff ? 2 : 1;
    int64_t nq = s.batch * pairs * s.heads * s.qLen * s.headDim;
    int64_t nk = s.batch * pairs * s.kvHeads * s.kvLen * s.headDim;
    int64_t nv = s.batch * s.kvHeads * s.kvLen * s.valueDim;
    int64_t no = s.batch * s.heads * s.qLen * s.valueDim;
    std::vector<float> q(nq), k(nk), v(nv);
    generateInputs(inputKind, s.batch, pairs * s.heads, pairs * s.kvHeads,
                   s.qLen, s.kvLen, s.headDim, q, k, v);
    double flops = flopCount(s);
    // The bytes attnc's kernel reads and writes in its own storage.
    double ioBytes = 4.0 * (nq + nk + nv + no);
    attn_block_format_t kvFormat = s.kvCache == "q8_0" ? ATTN_BLOCK_FORMAT_Q8_0
                                   : s.kvCache == "q4_0"
                                       ? ATTN_BLOCK_FORMAT_Q4_0
                                       : ATTN_BLOCK_FORMAT_INVALID;
    if (s.kvCache == "f16" || s.kvCache == "bf16")
      ioBytes /= 2;
    // int8: a byte a value and an f16 scale a row.
    if (s.kvCache == "int8")
      ioBytes =
          4.0 * (nq + no) + nk + nv + 2.0 * 2 * s.batch * s.kvHeads * s.kvLen;
    if (kvFormat)
      ioBytes =
          4.0 * (nq + no) +
          double(attn_block_row_bytes(kvFormat, s.headDim)) * nk / s.headDim +
          double(attn_block_row_bytes(kvFormat, s.valueDim)) * nv / s.valueDim;

    std::vector<Runner> runners;
    std::vector<std::unique_ptr<std::vector<float>>> buffers;
    for (const std::string &impl : impls) {
      Runner r;
      r.impl = impl;
      buffers.push_back(std::make_unique<std::vector<float>>(no));
      float *out = buffers.back()->data();
      r.out = out;
      // attnc-diff-unfused: attn.diff as two attention maps combined
      // afterwards (attnc --diff=unfused), the baseline of the fused kernel.
      bool unfusedDiff = impl == "attnc-diff-unfused";
      if (unfusedDiff && !s.diff) {
        r.note = "skipped: not a differential attention workload";
      } else if (impl.rfind("attnc", 0) == 0) {
        std::string target =
            impl == "attnc" || unfusedDiff ? "host" : impl.substr(6);
        EntryFn entry = nullptr;
        bool onVulkan = false;
        r.note =
            compileAttnc(w, target, tileSpec, !unfusedDiff, entry, onVulkan);
        // Vulkan targets run on a context of their own, on the Vulkan
        // device libattnrt picks (ATTN_VULKAN_DEVICE chooses).
        attn_context_t *ctx = cpuCtx;
        if (r.note.empty() && onVulkan) {
          if (!vulkanCtx) {
            attn_context_options_t vo;
            attn_context_options_initialize(&vo);
            attn_status_t st =
                attn_device_create_vulkan(nullptr, &vulkanDevice);
            if (!st) {
              vo.device = vulkanDevice;
              st = attn_context_create(&vo, &vulkanCtx);
            }
            if (st) {
              std::fprintf(stderr, "attn-bench: error: no Vulkan device: %s\n",
                           attn_status_message(st));
              attn_status_free(st);
              return 2;
            }
            std::printf("vulkan device: %s\n", attn_device_name(vulkanDevice));
          }
          ctx = vulkanCtx;
          r.context = vulkanCtx;
          r.device = attn_device_name(vulkanDevice);
        }
        if (r.note.empty()) {
          int64_t qs[4] = {s.batch, s.heads, s.qLen, s.headDim};
          int64_t ks[4] = {s.batch, s.kvHeads, s.kvLen, s.headDim};
          int64_t vs[4] = {s.batch, s.kvHeads, s.kvLen, s.valueDim};
          int64_t os[4] = {s.batch, s.heads, s.qLen, s.valueDim};
          auto t = std::make_shared<std::vector<attn_tensor_t>>(4);
          attn_tensor_init_contiguous(&(*t)[0], q.data(), ATTN_DTYPE_F32, 4,
                                      qs);
          attn_tensor_init_contiguous(&(*t)[1], k.data(), ATTN_DTYPE_F32, 4,
                                      ks);
          attn_tensor_init_contiguous(&(*t)[2], v.data(), ATTN_DTYPE_F32, 4,
                                      vs);
          attn_tensor_init_contiguous(&(*t)[3], out, ATTN_DTYPE_F32, 4, os);
          if (s.diff) {
            // Head pairs, and the λ vectors and gain after the value.
            qs[1] *= 2;
            ks[1] *= 2;
            attn_tensor_init_contiguous(&(*t)[0], q.data(), ATTN_DTYPE_F32, 4,
                                        qs);
            attn_tensor_init_contiguous(&(*t)[1], k.data(), ATTN_DTYPE_F32, 4,
                                        ks);
            auto params = std::make_shared<std::vector<std::vector<float>>>();
            attn::ref::Uniform prng(7);
            for (int i = 0; i < 5; ++i) {
              int64_t n = i == 4 ? s.valueDim : s.headDim;
              std::vector<float> values(n);
              for (float &x : values)
                x = static_cast<float>((i == 4 ? 1.0 : 0.0) +
                                       0.2 * prng.next());
              params->push_back(std::move(values));
            }
            auto pt = std::make_shared<std::vector<attn_tensor_t>>(5);
            for (int i = 0; i < 5; ++i) {
              int64_t n = static_cast<int64_t>((*params)[i].size());
              attn_tensor_init_contiguous(&(*pt)[i], (*params)[i].data(),
                                          ATTN_DTYPE_F32, 1, &n);
            }
            using DiffFn = attn_status_t (*)(
                attn_context_t *, const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, const attn_tensor_t *, attn_tensor_t *);
            auto diffEntry = reinterpret_cast<DiffFn>(entry);
            // The runner owns the weights its tensors point into.
            r.run = [=, keep = params] {
              orExit(diffEntry(ctx, &(*t)[0], &(*t)[1], &(*t)[2], &(*pt)[0],
                               &(*pt)[1], &(*pt)[2], &(*pt)[3], &(*pt)[4],
                               &(*t)[3]));
            };
          } else if (s.lowRank == "linformer") {
            // One projection E [k, Lk], shared by keys, values and heads:
            // without trained weights, mean pooling over k equal segments
            // (E[r, j] = k / Lk for j in segment r), the projection the
            // Linformer paper names as its simplest choice.
            auto e = std::make_shared<std::vector<float>>(s.rank * s.kvLen);
            for (int64_t r0 = 0; r0 < s.rank; ++r0)
              for (int64_t j = 0; j < s.kvLen; ++j)
                (*e)[r0 * s.kvLen + j] =
                    j * s.rank / s.kvLen == r0
                        ? static_cast<float>(double(s.rank) / s.kvLen)
                        : 0.0f;
            auto et = std::make_shared<attn_tensor_t>();
            int64_t es[2] = {s.rank, s.kvLen};
            attn_tensor_init_contiguous(et.get(), e->data(), ATTN_DTYPE_F32, 2,
                                        es);
            using LinFn = attn_status_t (*)(
                attn_context_t *, const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, const attn_tensor_t *, attn_tensor_t *);
            auto linEntry = reinterpret_cast<LinFn>(entry);
            // The runner owns the projection its tensor points into.
            r.run = [=, keep = e] {
              orExit(linEntry(ctx, &(*t)[0], &(*t)[1], &(*t)[2], et.get(),
                              &(*t)[3]));
            };
          } else if (!s.kvCache.empty()) {
            // The inputs in the workload's storage: f16 everywhere, or K/V
            // as llama.cpp blocks (quantized with llama.cpp's rounding).
            auto store = std::make_shared<KvStorage>(s, q, k, v, kvFormat);
            store->describe(s, *t, kvFormat);
            // int8 caches take their scales after K and V.
            using ScaledFn = attn_status_t (*)(
                attn_context_t *, const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, const attn_tensor_t *,
                const attn_tensor_t *, attn_tensor_t *);
            auto scaledEntry = reinterpret_cast<ScaledFn>(entry);
            bool scaled = s.kvCache == "int8";
            r.run = [=] {
              if (scaled)
                orExit(scaledEntry(ctx, &(*t)[0], &(*t)[1], &(*t)[2],
                                   &store->kScaleT, &store->vScaleT, &(*t)[3]));
              else
                orExit(entry(ctx, &(*t)[0], &(*t)[1], &(*t)[2], &(*t)[3]));
              store->output(out, no);
            };
          } else
            r.run = [=] {
              orExit(entry(ctx, &(*t)[0], &(*t)[1], &(*t)[2], &(*t)[3]));
            };
        }
      } else if (!s.kvCache.empty()) {
        r.note = "skipped: " + s.kvCache + " KV caches run on attnc only";
      } else if (!s.qk.empty() || !s.pv.empty()) {
        r.note = "skipped: " + (s.qk.empty() ? s.pv : s.qk) +
                 " products run on attnc only";
      } else if (s.diff) {
        r.note = "skipped: differential attention runs on attnc only";
      } else if (!s.lowRank.empty()) {
        r.note = "skipped: low-rank attention runs on attnc only";
      } else if (impl == "openblas") {
        buffers.push_back(
            std::make_unique<std::vector<float>>(s.qLen * s.kvLen));
        float *scores = buffers.back()->data();
        r.extraBytes = 4 * s.qLen * s.kvLen;
        r.run = [&, out, scores] {
          openblasSdpa(s, q.data(), k.data(), v.data(), out, scores, threads);
        };
      } else if (impl == "halide" || impl == "halide-auto") {
        HalideLibrary &lib = HalideLibrary::get(argv[0]);
        if (!s.mask.isNone() && !s.causal()) {
          r.note = "skipped: the Halide baselines are dense or causal";
        } else if (!lib.error.empty()) {
          r.note = "skipped: " + lib.error;
        } else {
          char error[4096] = "";
          attn_halide_t *h =
              lib.create(s.batch, s.heads, s.kvHeads, s.qLen, s.kvLen,
                         s.headDim, s.valueDim, s.causal(),
                         impl == "halide-auto", threads, error, sizeof(error));
          if (!h) {
            r.note = std::string("Halide failed: ") + error;
          } else {
            r.extraBytes = -1; // Halide's allocator is not instrumented
            r.run = [&, h, out] {
              if (lib.run(h, q.data(), k.data(), v.data(), out) != 0)
                std::exit(2);
            };
          }
        }
      } else if (impl == "naive") {
        r.extraBytes = 4 * s.kvLen * threads;
        if (flops > 40e9 && !allowSlow)
          r.note = "skipped: " + std::to_string(int(flops / 1e9)) +
                   " GFLOP takes minutes this way (--allow-slow runs it)";
        else
          r.run = [&, out] {
            naiveSdpa(s, q.data(), k.data(), v.data(), out, threads);
          };
      }
      runners.push_back(std::move(r));
    }
    auto denseOut = std::make_shared<std::vector<float>>();
    bool quantized = !s.kvCache.empty() || !s.qk.empty() || !s.pv.empty();
    if (!s.lowRank.empty() || quantized) {
      Workload exact = w;
      exact.shape.lowRank.clear();
      exact.shape.kvCache.clear();
      exact.shape.qk.clear();
      exact.shape.pv.clear();
      exact.shape.smoothK = false;
      EntryFn denseEntry = nullptr;
      bool onVulkan = false;
      std::string err =
          compileAttnc(exact, "host", tileSpec, true, denseEntry, onVulkan);
      if (!err.empty()) {
        std::fprintf(stderr, "attn-bench: error: dense reference: %s\n",
                     err.c_str());
        return 2;
      }
      denseOut->assign(no, 0.0f);
      int64_t qs[4] = {s.batch, s.heads, s.qLen, s.headDim};
      int64_t ks[4] = {s.batch, s.kvHeads, s.kvLen, s.headDim};
      int64_t vs[4] = {s.batch, s.kvHeads, s.kvLen, s.valueDim};
      int64_t os[4] = {s.batch, s.heads, s.qLen, s.valueDim};
      auto t = std::make_shared<std::vector<attn_tensor_t>>(4);
      attn_tensor_init_contiguous(&(*t)[0], q.data(), ATTN_DTYPE_F32, 4, qs);
      attn_tensor_init_contiguous(&(*t)[1], k.data(), ATTN_DTYPE_F32, 4, ks);
      attn_tensor_init_contiguous(&(*t)[2], v.data(), ATTN_DTYPE_F32, 4, vs);
      attn_tensor_init_contiguous(&(*t)[3], denseOut->data(), ATTN_DTYPE_F32, 4,
                                  os);
      Runner r;
      r.impl = "attnc-f32";
      r.out = denseOut->data();
      r.f32Baseline = true;
      r.run = [=] {
        orExit(denseEntry(ctx, &(*t)[0], &(*t)[1], &(*t)[2], &(*t)[3]));
      };
      // Low-rank workloads only need its output: it runs once, untimed.
      if (quantized)
        runners.push_back(std::move(r));
      else
        r.run();
    }
    // Decode reads every key and value once per call and computes little on
    // them, so its yardstick is memory: a streaming read of as many bytes
    // (a buffer of its own, as large as K and V), on the same threads,
    // interleaved with the implementations like any of them.
    bool bandwidthBound = s.qLen == 1;
    auto readJob = std::make_shared<ReadJob>();
    if (bandwidthBound) {
      buffers.push_back(std::make_unique<std::vector<float>>(nk + nv, 1.0f));
      readJob->data = buffers.back()->data();
      readJob->size = nk + nv;
      readJob->chunks = 4 * threads;
      Runner r;
      r.impl = "stream-read";
      r.reference = true;
      r.run = [=] {
        orExit(attn_context_parallel_for(ctx, readJob->chunks, 1, readChunks,
                                         readJob.get()));
      };
      runners.push_back(std::move(r));
    }
    // Warm-up, and attnc's temporaries measured on it.
    for (Runner &r : runners) {
      if (!r.run)
        continue;
      attn_memory_stats_t before, after;
      attn_memory_stats_reset_peak();
      attn_memory_stats(&before);
      r.run();
      attn_memory_stats(&after);
      if (r.impl.rfind("attnc", 0) == 0)
        r.extraBytes = after.peak_bytes - before.current_bytes;
    }
    for (int rep = 0; rep < reps; ++rep)
      for (Runner &r : runners) {
        if (!r.run)
          continue;
        auto t0 = std::chrono::steady_clock::now();
        r.run();
        r.times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count());
        if (r.context) {
          int64_t ns = attn_context_last_device_time_ns(r.context);
          if (ns >= 0)
            r.deviceTimes.push_back(ns * 1e-9);
        }
      }
    // A low-rank method's error is a property of the method: its output
    // against exact attention (attnc's dense kernel on the same inputs), as
    // the relative Frobenius norm ||O - O_dense|| / ||O_dense||. The same
    // for the storage precision of a KV cache (or f16) workload and for
    // int8 products: their output against attnc's f32 kernel on the same
    // float inputs. The dense output is the warm-up run's; for the
    // quantized workloads that kernel is also timed (attnc-f32).
    std::vector<float> &dense = *denseOut;
    auto errorVsDense = [&](const float *out) {
      double num = 0, den = 0;
      for (int64_t i = 0; i < no; ++i) {
        double d = double(out[i]) - dense[i];
        num += d * d;
        den += double(dense[i]) * dense[i];
      }
      return den > 0 ? std::sqrt(num / den) : 0.0;
    };

    // Every implementation's output against the first one that ran: a
    // benchmark of a wrong kernel is worthless, so a large difference is an
    // error.
    const Runner *base = nullptr;
    double readGbps = 0;
    const Runner *f32Runner = nullptr;
    for (const Runner &r : runners) {
      if (r.f32Baseline)
        f32Runner = &r;
      if (r.run && !base && !r.reference && !r.f32Baseline)
        base = &r;
      if (r.reference)
        readGbps = 4.0 * (nk + nv) / summarize(r.times).median / 1e9;
    }
    bool mismatch = false;
    for (Runner &r : runners) {
      if (!r.run) {
        std::printf("%-16s %-18s %3d   %s\n", w.name.c_str(), r.impl.c_str(),
                    threads, r.note.c_str());
        continue;
      }
      if (r.reference) {
        Stats st = summarize(r.times);
        std::printf("%-16s %-18s %3d %10.3f %10.3f %10.3f %9s %6s %9s %8.1f "
                    "%6s\n",
                    w.name.c_str(), r.impl.c_str(), threads, st.median * 1e3,
                    st.min * 1e3, st.max * 1e3, "-", "-", "0.00", readGbps,
                    "1.000");
        continue;
      }
      // The f32 kernel's output differs from the quantized ones by their
      // rel_err_vs_dense: not compared.
      double diff = 0;
      for (int64_t i = 0; i < no && !r.f32Baseline; ++i)
        diff = std::max(diff, (double)std::fabs(r.out[i] - base->out[i]));
      if (!(diff <= 1e-3)) {
        std::fprintf(stderr,
                     "attn-bench: error: %s on %s differs from %s by %g\n",
                     r.impl.c_str(), w.name.c_str(), base->impl.c_str(), diff);
        mismatch = true;
      }
      Stats st = summarize(r.times);
      double gflops = flops / st.median / 1e9;
      double gbps = (r.f32Baseline ? 4.0 * (nq + nk + nv + no) : ioBytes) /
                    st.median / 1e9;
      char extra[32] = "n/a"; // Halide's allocations are not counted
      if (r.extraBytes >= 0)
        std::snprintf(extra, sizeof(extra), "%.2f", r.extraBytes / 1048576.0);
      char readFraction[32] = "-";
      if (readGbps > 0)
        std::snprintf(readFraction, sizeof(readFraction), "%.3f",
                      gbps / readGbps);
      double relErr = dense.empty() || r.f32Baseline ? -1 : errorVsDense(r.out);
      // Same-run speedup over the f32 kernel, for quantized attnc rows.
      double vsF32 = -1;
      if (f32Runner && !r.f32Baseline && r.impl.rfind("attnc", 0) == 0)
        vsF32 = summarize(f32Runner->times).median / st.median;
      char errText[32] = "-";
      if (relErr >= 0)
        std::snprintf(errText, sizeof(errText), "%.3g", relErr);
      std::printf("%-16s %-18s %3d %10.3f %10.3f %10.3f %9.1f %6.3f %9s "
                  "%8.1f %6s %9s\n",
                  w.name.c_str(), r.impl.c_str(), threads, st.median * 1e3,
                  st.min * 1e3, st.max * 1e3, gflops, gflops / peak.gflops,
                  extra, gbps, readFraction, errText);
      char rec[1024];
      std::snprintf(
          rec, sizeof(rec),
          "  {\"workload\": \"%s\", \"impl\": \"%s\", \"threads\": %d, "
          "\"batch\": %lld, \"heads\": %lld, \"kv_heads\": %lld, \"q_len\": "
          "%lld, \"kv_len\": %lld, \"head_dim\": %lld, \"value_dim\": %lld, "
          "\"mask\": \"%s\", \"dtype\": \"%s\", \"reps\": %d, \"median_s\": "
          "%.9g, \"min_s\": %.9g, \"max_s\": %.9g, \"gflops\": %.6g, "
          "\"peak_gflops\": %.6g, \"peak_fraction\": %.6g, \"extra_bytes\": "
          "%lld, \"gbytes_per_s\": %.6g, \"read_bandwidth_gbytes_per_s\": "
          "%.6g, \"read_fraction\": %.6g, \"max_abs_diff\": %.3g, "
          "\"diff_against\": \"%s\", \"inputs\": \"%s\", "
          "\"rel_err_vs_dense\": %.6g, \"speedup_vs_f32\": %.6g, "
          "\"device\": \"%s\", \"device_median_s\": %.9g}",
          w.name.c_str(), r.impl.c_str(), threads, (long long)s.batch,
          (long long)s.heads, (long long)s.kvHeads, (long long)s.qLen,
          (long long)s.kvLen, (long long)s.headDim, (long long)s.valueDim,
          w.maskLabel.c_str(),
          s.kvCache.empty() || r.f32Baseline ? "f32"
          : s.kvCache == "f16"               ? "f16"
          : s.kvCache == "bf16"              ? "bf16"
                                             : (s.kvCache + " kv").c_str(),
          reps, st.median, st.min, st.max, gflops, peak.gflops,
          gflops / peak.gflops, (long long)r.extraBytes, gbps, readGbps,
          readGbps > 0 ? gbps / readGbps : 0.0, diff,
          base ? base->impl.c_str() : "-", inputKind.c_str(), relErr, vsF32,
          r.device.c_str(),
          r.deviceTimes.empty() ? -1.0 : summarize(r.deviceTimes).median);
      if (vsF32 > 0)
        std::printf("  %s: %.2fx the speed of attnc-f32 (same run)\n",
                    r.impl.c_str(), vsF32);
      if (!r.deviceTimes.empty())
        std::printf("  %s ran on %s: device time median %.3f ms (%.1f "
                    "GFLOP/s; %%peak above is the CPU's)\n",
                    r.impl.c_str(), r.device.c_str(),
                    summarize(r.deviceTimes).median * 1e3,
                    flops / summarize(r.deviceTimes).median / 1e9);
      json += (firstRecord ? "" : ",\n") + std::string(rec);
      firstRecord = false;
    }
    std::fflush(stdout);
    if (mismatch)
      return 3;
  }
  json += "\n]\n";
  attn_context_destroy(cpuCtx);
  attn_context_destroy(vulkanCtx);
  attn_device_destroy(vulkanDevice);
  if (!jsonPath.empty()) {
    FILE *f = std::fopen(jsonPath.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "attn-bench: error: cannot write %s\n",
                   jsonPath.c_str());
      return 2;
    }
    std::fputs(json.c_str(), f);
    std::fclose(f);
  }
  return 0;
}
