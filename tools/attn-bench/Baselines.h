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

#include "tools/attn-check/reference/Reference.h"

#include <cstdint>

namespace attn::bench {

struct Shape {
  int64_t batch, heads, kvHeads, qLen, kvLen, headDim, valueDim;
  /// The mask pattern in the reference's text form (attn::ref::Mask).
  attn::ref::Mask mask;
  /// Differential attention (attn.diff): `heads` output heads from 2 x
  /// heads query heads and 2 x kvHeads key heads; valueDim = 2 x headDim.
  bool diff = false;
  /// Low-rank attention: "linformer" (k = rank, one projection shared by
  /// keys, values and heads, an input), "performer" (m = rank features) or
  /// "nystrom" (rank landmarks); empty for exact attention.
  std::string lowRank;
  int64_t rank = 0;
  /// K/V storage of attnc's kernel: "" (f32), "f16" / "bf16" (all of Q,
  /// K, V and O in f16 / bf16), "q8_0" or "q4_0" (llama.cpp blocks, f32 Q
  /// and O).
  std::string kvCache;
  /// Precision of the scores (qk_precision) and of P . V (pv_precision):
  /// "" (f32), "int8" or "bf16".
  std::string qk, pv;
  /// smooth_k: the keys' mean subtracted before they are quantized.
  bool smoothK = false;
  bool causal() const { return mask.kind == attn::ref::Mask::Kind::Causal; }
  /// The reference problem of this shape (default scale).
  attn::ref::SdpaProblem problem() const;
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
