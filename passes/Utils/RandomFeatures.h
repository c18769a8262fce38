//===- RandomFeatures.h - Performer's random features -----------*- C++ -*-===//
//
// The random feature matrix of attn.performer (SEMANTICS.md, "Low-rank
// attention"), generated from a seed. It is part of what the op means, so
// the compiler (which embeds it as a constant) and the fp64 reference (which
// checks the compiled kernel) both call this one generator; it is plain C++
// with no MLIR dependency, so that attn-run can be cross-built.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_RANDOMFEATURES_H
#define ATTN_PASSES_UTILS_RANDOMFEATURES_H

#include <cstdint>
#include <vector>

namespace attn::features {

/// omega, m rows of d (row-major). With `orthogonal`, rows come in blocks of
/// d mutually orthogonal rows (Gram-Schmidt QR of a Gaussian d x d matrix,
/// the last block truncated); otherwise rows are independent Gaussian
/// vectors. Each row is then scaled to a norm drawn from chi(d) (the norm of
/// a fresh Gaussian d-vector), or to sqrt(d) with `constantNorms`. Gaussians
/// come from splitmix64 and Box-Muller in double precision.
std::vector<double> performerOmega(int64_t m, int64_t d, uint64_t seed,
                                   bool orthogonal, bool constantNorms);

} // namespace attn::features

#endif // ATTN_PASSES_UTILS_RANDOMFEATURES_H
