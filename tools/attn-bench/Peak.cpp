//===- Peak.cpp - the machine's measured FMA peak -------------------------===//
//
// A throughput microkernel: 16 independent accumulators per thread (more than
// FMA latency x FMA ports on current cores), each updated with a fused
// multiply-add per iteration, so that nothing but the FMA units limits it.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-bench/Peak.h"

#include <chrono>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace attn::bench;

namespace {

constexpr long kIterations = 20'000'000;

#if defined(__x86_64__)
__attribute__((target("avx512f"))) double fmaAvx512() {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i)
    acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < kIterations; ++it)
    for (int i = 0; i < 16; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i)
    sum = _mm512_add_ps(sum, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(sum);
  (void)sink;
  return 2.0 * 16 * 16 * kIterations; // FLOPs
}

__attribute__((target("avx2,fma"))) double fmaAvx2() {
  __m256 acc[16];
  for (int i = 0; i < 16; ++i)
    acc[i] = _mm256_set1_ps(0.001f * i);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < kIterations; ++it)
    for (int i = 0; i < 16; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  __m256 sum = acc[0];
  for (int i = 1; i < 16; ++i)
    sum = _mm256_add_ps(sum, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, sum);
  volatile float sink = out[0];
  (void)sink;
  return 2.0 * 8 * 16 * kIterations;
}
#endif

double fmaScalar() {
  float acc[16];
  for (int i = 0; i < 16; ++i)
    acc[i] = 0.001f * i;
  for (long it = 0; it < kIterations / 4; ++it)
    for (int i = 0; i < 16; ++i)
      acc[i] = acc[i] * 0.999999f + 1e-7f;
  volatile float sink = acc[3];
  (void)sink;
  return 2.0 * 16 * (kIterations / 4);
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) float readAvx512(const float *p, int64_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm512_add_ps(a0, _mm512_loadu_ps(p + i));
    a1 = _mm512_add_ps(a1, _mm512_loadu_ps(p + i + 16));
    a2 = _mm512_add_ps(a2, _mm512_loadu_ps(p + i + 32));
    a3 = _mm512_add_ps(a3, _mm512_loadu_ps(p + i + 48));
  }
  float s = _mm512_reduce_add_ps(
      _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
  for (; i < n; ++i)
    s += p[i];
  return s;
}

__attribute__((target("avx2"))) float readAvx2(const float *p, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(p + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(p + i + 24));
  }
  float out[8];
  _mm256_storeu_ps(out,
                   _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  float s = 0;
  for (float x : out)
    s += x;
  for (; i < n; ++i)
    s += p[i];
  return s;
}
#endif

float readScalar(const float *p, int64_t n) {
  float acc[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j)
      acc[j] += p[i + j];
  float s = 0;
  for (float x : acc)
    s += x;
  for (; i < n; ++i)
    s += p[i];
  return s;
}

} // namespace

float attn::bench::streamRead(const float *data, int64_t begin, int64_t end) {
  static float (*kernel)(const float *, int64_t) = [] {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
      return readAvx512;
    if (__builtin_cpu_supports("avx2"))
      return readAvx2;
#endif
    return readScalar;
  }();
  return kernel(data + begin, end - begin);
}

Peak attn::bench::measurePeak(int threads) {
  double (*kernel)() = fmaScalar;
  Peak peak;
  peak.isa = "scalar";
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    kernel = fmaAvx512;
    peak.isa = "avx512";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = fmaAvx2;
    peak.isa = "avx2";
  }
#endif
  kernel(); // warm up (clocks, caches)
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<double> flops(threads);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] { flops[t] = kernel(); });
    for (std::thread &t : pool)
      t.join();
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    double total = 0;
    for (double f : flops)
      total += f;
    best = std::max(best, total / s / 1e9);
  }
  peak.gflops = best;
  return peak;
}
