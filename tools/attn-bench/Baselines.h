//===- Baselines.h - what attnc is measured against -------------*- C++ -*-===//
//
// The baselines of BENCHMARKS.md that run here: `naive` (the reference loops
// in fp32) and `openblas` (per head: sgemm for Q.K^T, a vectorised softmax,
// sgemm for P.V). Each works on contiguous f32 tensors in attn.sdpa's
// layout.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNBENCH_BASELINES_H
#define ATTN_TOOLS_ATTNBENCH_BASELINES_H

#include <cstdint>

namespace attn::bench {

struct Shape {
  int64_t batch, heads, kvHeads, qLen, kvLen, headDim, valueDim;
  bool causal;
};

/// The fp64 reference's loops instantiated in fp32 (attn::ref::sdpaUnits),
/// (batch, head) units split over `threads` threads. Extra memory: one row
/// of scores per thread.
void naiveSdpa(const Shape &s, const float *q, const float *k, const float *v,
               float *out, int threads);

/// Unfused attention with OpenBLAS sgemm (threaded by OpenBLAS with
/// `threads` threads); `scores` must hold qLen * kvLen floats.
void openblasSdpa(const Shape &s, const float *q, const float *k,
                  const float *v, float *out, float *scores, int threads);

} // namespace attn::bench

#endif // ATTN_TOOLS_ATTNBENCH_BASELINES_H
