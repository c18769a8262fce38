//===- Baselines.cpp - what attnc is measured against ---------------------===//

#include "tools/attn-bench/Baselines.h"
#include "tools/attn-check/reference/Reference.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace attn::bench;

namespace {

/// exp for the softmax, written so that the compiler vectorises the row loop
/// (range reduction to 2^n * e^r, degree-6 polynomial; ~2 ulp on [-87, 0]).
inline float fastExp(float x) {
  x = std::max(x, -87.0f);
  float n = std::nearbyint(x * 1.44269504f);
  float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
  float p =
      1.0f +
      r * (1.0f +
           r * (0.5f + r * (0.16666667f +
                            r * (0.041666668f +
                                 r * (0.008333334f + r * 0.0013888889f)))));
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  __builtin_memcpy(&scale, &bits, 4);
  return p * scale;
}

/// In-place softmax of the rows of an [rows, cols] matrix (masked entries
/// already -inf); fully masked rows become 0.
__attribute__((target_clones("avx512f", "avx2", "default"))) void
softmaxRows(float *m, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    float *row = m + i * cols;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < cols; ++j)
      mx = std::max(mx, row[j]);
    if (mx == -std::numeric_limits<float>::infinity()) {
      std::fill(row, row + cols, 0.0f);
      continue;
    }
    float sum = 0;
    for (int64_t j = 0; j < cols; ++j) {
      row[j] = fastExp(row[j] - mx);
      sum += row[j];
    }
    float inv = 1.0f / sum;
    for (int64_t j = 0; j < cols; ++j)
      row[j] *= inv;
  }
}

} // namespace

attn::ref::SdpaProblem Shape::problem() const {
  attn::ref::SdpaProblem p;
  p.batch = batch, p.heads = heads, p.kvHeads = kvHeads;
  p.qLen = qLen, p.kvLen = kvLen, p.headDim = headDim;
  p.valueDim = valueDim;
  p.mask = mask;
  return p;
}

void attn::bench::naiveSdpa(const Shape &s, const float *q, const float *k,
                            const float *v, float *out, int threads) {
  const attn::ref::SdpaProblem p = s.problem();
  const int64_t units = s.batch * s.heads;
  const int64_t per = (units + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    int64_t b = t * per, e = std::min(units, b + per);
    if (b < e)
      pool.emplace_back(
          [&, b, e] { attn::ref::sdpaUnits<float>(p, q, k, v, out, b, e); });
  }
  for (std::thread &t : pool)
    t.join();
}

void attn::bench::openblasSdpa(const Shape &s, const float *q, const float *k,
                               const float *v, float *out, float *scores,
                               int threads) {
  openblas_set_num_threads(threads);
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.headDim));
  const int64_t group = s.heads / s.kvHeads;
  const attn::ref::SdpaProblem p = s.problem();
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h) {
      int64_t kh = h / group;
      const float *qh = q + (b * s.heads + h) * s.qLen * s.headDim;
      const float *kb = k + (b * s.kvHeads + kh) * s.kvLen * s.headDim;
      const float *vb = v + (b * s.kvHeads + kh) * s.kvLen * s.valueDim;
      float *oh = out + (b * s.heads + h) * s.qLen * s.valueDim;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s.qLen, s.kvLen,
                  s.headDim, scale, qh, s.headDim, kb, s.headDim, 0.0f, scores,
                  s.kvLen);
      if (!p.mask.isNone())
        for (int64_t i = 0; i < s.qLen; ++i)
          for (int64_t j = 0; j < s.kvLen; ++j)
            if (!attn::ref::keeps(p, b, h, i, j))
              scores[i * s.kvLen + j] = -std::numeric_limits<float>::infinity();
      softmaxRows(scores, s.qLen, s.kvLen);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.qLen, s.valueDim,
                  s.kvLen, 1.0f, scores, s.kvLen, vb, s.valueDim, 0.0f, oh,
                  s.valueDim);
    }
}
