//===- Inputs.h - seeded attention inputs with structure --------*- C++ -*-===//
//
// Low-rank approximations look fine on iid uniform inputs, where attention
// is nearly uniform; these generators give attention the structure real
// models have, so that attn-bench's error against dense attention means
// something (issue 5).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNBENCH_INPUTS_H
#define ATTN_TOOLS_ATTNBENCH_INPUTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace attn::bench {

/// The input kinds: "uniform" (iid in [-1, 1]), "clustered" (keys and
/// queries near one of 16 centres per head), "banded" (scores fall off
/// with |i - j|: local attention), "heavy" (4 heavy-hitter key positions
/// every query attends to strongly), "key-offset" (clustered, every key
/// of a head moved by one per-channel offset in [-4, 4]: what smooth_k is
/// for).
bool isInputKind(const std::string &kind);

/// Fills q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv] (contiguous,
/// sized by the caller) for `kind`, from fixed seeds.
void generateInputs(const std::string &kind, int64_t batch, int64_t heads,
                    int64_t kvHeads, int64_t qLen, int64_t kvLen,
                    int64_t headDim, std::vector<float> &q,
                    std::vector<float> &k, std::vector<float> &v);

} // namespace attn::bench

#endif // ATTN_TOOLS_ATTNBENCH_INPUTS_H
