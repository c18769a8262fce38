//===- Reference.h - fp64 reference evaluations of attn ops -----*- C++ -*-===//
//
// Straightforward fp64 evaluations of SEMANTICS.md's formulas, the ground
// truth every lowering and target is tested against. Deliberately naive:
// no tiling, no online softmax, nothing shared with the compiler. Plain C++
// without LLVM so the runner can be built for any target.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TOOLS_ATTNCHECK_REFERENCE_H
#define ATTN_TOOLS_ATTNCHECK_REFERENCE_H

#include <cstdint>
#include <string>
#include <vector>

namespace attn::ref {

/// Mask patterns the reference evaluates (SEMANTICS.md, "Mask patterns").
enum class Mask { None, Causal };

/// An attn.sdpa problem: Q [B,Hq,Lq,D], K [B,Hkv,Lk,D], V [B,Hkv,Lk,Dv].
struct SdpaProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1,
          valueDim = 1;
  /// The scale; <= 0 means the default 1/sqrt(D).
  double scale = 0;
  Mask mask = Mask::None;

  int64_t queryElements() const { return batch * heads * qLen * headDim; }
  int64_t keyElements() const { return batch * kvHeads * kvLen * headDim; }
  int64_t valueElements() const { return batch * kvHeads * kvLen * valueDim; }
  int64_t outputElements() const { return batch * heads * qLen * valueDim; }
};

/// Evaluates attn.sdpa on contiguous row-major fp64 tensors into `out`.
void sdpa(const SdpaProblem &p, const double *q, const double *k,
          const double *v, double *out);

/// The same loops in precision T (double or float), for the (batch, query
/// head) units [unitBegin, unitEnd) (unit = b * heads + h) only, so that
/// callers can split the work across threads. In float it is attn-bench's
/// `naive` baseline.
template <typename T>
void sdpaUnits(const SdpaProblem &p, const T *q, const T *k, const T *v, T *out,
               int64_t unitBegin, int64_t unitEnd);

/// Whether the mask keeps key position `k` for query row `i` of `p`
/// (positions aligned bottom-right).
bool keeps(const SdpaProblem &p, int64_t i, int64_t k);

/// A seeded generator of uniform values in [-1, 1] (splitmix64): the same
/// seed gives the same inputs on every machine.
class Uniform {
public:
  explicit Uniform(uint64_t seed) : state(seed) {}
  double next();

private:
  uint64_t state;
};

/// Storage element types and the rounding they imply.
enum class DType { F32, F16, BF16 };
bool parseDType(const std::string &name, DType &out);
const char *dtypeName(DType d);
size_t dtypeBytes(DType d);
/// Stores `x` as `d` at `dst` (round to nearest even).
void store(DType d, double x, void *dst);
/// Loads a `d` value from `src`.
double load(DType d, const void *src);

} // namespace attn::ref

#endif // ATTN_TOOLS_ATTNCHECK_REFERENCE_H
