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

/// A mask pattern as the reference evaluates it (SEMANTICS.md, "Mask
/// patterns"): a tree written in a small text form shared by attn-check,
/// attn-run and attn-bench,
///
///   none | causal | window(W) | window(W,bidirectional) | strided(S)
///   | global(G) | block_sparse(BQ,BK,H,NQ,NK,BITS) | and(M,M...) | or(M,M...)
///
/// where BITS is the layout, H * NQ * NK characters '0'/'1' in row-major
/// order (H = 1 for a layout shared by all heads).
struct Mask {
  enum class Kind {
    None,
    Causal,
    Window,
    Strided,
    Global,
    BlockSparse,
    And,
    Or
  } kind = Kind::None;
  int64_t size = 0;           // window width, stride or global tokens
  bool bidirectional = false; // window
  int64_t blockQ = 0, blockK = 0, layoutHeads = 0, layoutQ = 0, layoutK = 0;
  std::vector<uint8_t> layout; // block_sparse
  std::vector<Mask> children;  // and / or

  /// Parses the text form; returns false (with `error` set) when malformed.
  static bool parse(const std::string &text, Mask &out, std::string &error);
  /// Whether (query head `h`, absolute query position `q`, key position
  /// `k`) is kept.
  bool keeps(int64_t h, int64_t q, int64_t k) const;
  bool isNone() const { return kind == Kind::None; }
  /// Whether some head keeps different pairs than head 0.
  bool headDependent() const;
  /// The text form (inverse of parse).
  std::string str() const;
};

/// A named score modifier as the reference evaluates it (SEMANTICS.md,
/// "Score modifiers"). Text form, several joined by ';':
///
///   softcap(C) | alibi(S0,S1,...) | relbias(M,H,V0,V1,...)
///
/// alibi has one slope per query head (or one for all); relbias has H rows
/// (1 or Hq) of 2M+1 values, indexed by clamp(k - q, -M, M) + M.
struct ScoreMod {
  enum class Kind { Softcap, Alibi, RelativeBias } kind = Kind::Softcap;
  double cap = 0;
  int64_t maxDistance = 0, rows = 0;
  std::vector<double> values;

  static bool parseList(const std::string &text, std::vector<ScoreMod> &out,
                        std::string &error);
  double apply(double s, int64_t h, int64_t q, int64_t k) const;
};

/// An attn.sdpa problem: Q [B,Hq,Lq,D], K [B,Hkv,Lk,D], V [B,Hkv,Lk,Dv].
struct SdpaProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1,
          valueDim = 1;
  /// The scale; <= 0 means the default 1/sqrt(D).
  double scale = 0;
  Mask mask;
  /// The additive bias tensor's shape [B | 1, Hq | 1, Lq, Lk]; all 0 when
  /// there is none.
  int64_t biasShape[4] = {0, 0, 0, 0};
  std::vector<ScoreMod> mods;
  /// Keep the k largest kept scores per row (and ties of the k-th); 0: all.
  int64_t topK = 0;
  /// Run-time masks (empty when absent): keys k < kvLengths[b], rows
  /// i < qLengths[b], docIds[b * kvLen + qPos] == docIds[b * kvLen + k].
  std::vector<int64_t> kvLengths, qLengths, docIds;

  bool hasBias() const { return biasShape[0] != 0; }

  int64_t queryElements() const { return batch * heads * qLen * headDim; }
  int64_t keyElements() const { return batch * kvHeads * kvLen * headDim; }
  int64_t valueElements() const { return batch * kvHeads * kvLen * valueDim; }
  int64_t outputElements() const { return batch * heads * qLen * valueDim; }
};

/// Evaluates attn.sdpa on contiguous row-major fp64 tensors into `out`
/// (`bias` when p.hasBias()).
void sdpa(const SdpaProblem &p, const double *q, const double *k,
          const double *v, double *out, const double *bias = nullptr);

/// qk_precision = int8 (#attn.precision): the query values the int8 scores
/// multiply, as the kernel forms them in f32: Qs = f32(scale) * Q, per block
/// of 32 values d = max|Qs| / 127 and q = round-half-away(Qs * (1 / d))
/// (0 where d = 0); returns q * d, already scaled, so that sdpa() with
/// scale 1 evaluates the int8 path's scores d_q d_k (q . k) exactly.
/// headDim must be a multiple of 32.
std::vector<double> int8Queries(const SdpaProblem &p, const double *q);

/// qk_precision = int8 over float keys: the kernel quantizes each key row
/// per block of 32 values the same way (no scale); returns q * d.
std::vector<double> int8Keys(const SdpaProblem &p, const double *k);

/// smooth_k (attn.sdpa): the keys as the kernel quantizes them, each minus
/// the mean of its (batch, KV head, channel) over the key positions (the
/// first kvLengths[b] where given, none: mean 0), the mean rounded to bf16
/// and the difference taken in f32. The scores change by q . mean, the
/// same for every key of a row: the softmax is unchanged, only the
/// quantization sees the difference.
std::vector<double> smoothedKeys(const SdpaProblem &p, const double *k);

/// pv_precision = int8: the kernel quantizes the values per channel and
/// block of 32 keys (positions 32j .. 32j + 31 of each batch and KV head,
/// the last block shorter) with the same scheme, d = max|v| / 127 down the
/// block; returns q * d. (The probabilities' 8-bit rounding, relative to
/// the running row maximum, is not modelled: it is what the pv=int8
/// tolerance covers.)
std::vector<double> int8Values(const SdpaProblem &p, const double *v);

/// bf16 products (#attn.precision<bf16>): `n` values rounded as the kernel
/// rounds its factors, x * scale in f32 then to bf16 (nearest even).
/// Queries take scale = f32(p.scale) (sdpa() then runs with scale 1), keys
/// and values 1. (The probabilities' bf16 rounding is not modelled: the
/// pv=bf16 tolerance covers it.)
std::vector<double> bf16Rounded(const double *x, int64_t n, float scale);

/// The query scale the kernels multiply Q by, in f32.
float queryScale(const SdpaProblem &p);

/// The same loops in precision T (double or float), for the (batch, query
/// head) units [unitBegin, unitEnd) (unit = b * heads + h) only, so that
/// callers can split the work across threads. In float it is attn-bench's
/// `naive` baseline.
template <typename T>
void sdpaUnits(const SdpaProblem &p, const T *q, const T *k, const T *v, T *out,
               int64_t unitBegin, int64_t unitEnd, const T *bias = nullptr);

/// Whether the mask and the run-time masks keep key position `k` for query
/// row `i` of head `h` of batch `b` of `p` (positions aligned bottom-right).
bool keeps(const SdpaProblem &p, int64_t b, int64_t h, int64_t i, int64_t k);

/// The number of (q, k) pairs the mask keeps over all batches and heads.
int64_t keptPairs(const SdpaProblem &p);

/// An attn.diff problem (SEMANTICS.md, "Differential attention"):
/// Q [B, 2H, Lq, d], K [B, 2Hkv, Lk, d], V [B, Hkv, Lk, 2d], O [B, H, Lq, 2d].
struct DiffProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1;
  double scale = 0; // <= 0: d^-1/2
  double lambdaInit = 0.8, epsilon = 1e-5;
  Mask mask; // evaluated with the output head index
};

/// Evaluates attn.diff in fp64 on contiguous tensors; lq1 .. lk2 have d
/// entries, gain 2d.
void diff(const DiffProblem &p, const double *q, const double *k,
          const double *v, const double *lq1, const double *lk1,
          const double *lq2, const double *lk2, const double *gain,
          double *out);

/// A low-rank attention problem (SEMANTICS.md, "Low-rank attention"):
/// Q [B,Hq,Lq,D], K [B,Hkv,Lk,D], V [B,Hkv,Lk,Dv], O [B,Hq,Lq,Dv].
struct LowRankProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1, qLen = 1, kvLen = 1, headDim = 1,
          valueDim = 1;
  double scale = 0; // <= 0: D^-1/2
};

/// Linformer with projections e, f of `rows` rows over Lk: [rows, Lk], or
/// [Hkv, rows, Lk] when `perHead`; f == nullptr means f = e.
void linformer(const LowRankProblem &p, int64_t rows, bool perHead,
               const double *q, const double *k, const double *v,
               const double *e, const double *f, double *out);

struct PerformerOptions {
  int64_t features = 1;
  bool relu = false, orthogonal = true, constantNorms = false, causal = false;
  uint64_t seed = 0;
};

/// Performer FAVOR+, evaluated as the quadratic form
/// O_i = sum_j (phi(q_i) . phi(k_j)) v_j / sum_j phi(q_i) . phi(k_j).
void performer(const LowRankProblem &p, const PerformerOptions &options,
               const double *q, const double *k, const double *v, double *out);

struct NystromOptions {
  int64_t landmarks = 1, iterations = 6;
  int64_t convWidth = 0; // 0: no convolution
};

/// Nystromformer with the iterative pseudo-inverse; `conv` [Hq, convWidth]
/// when options.convWidth > 0.
void nystrom(const LowRankProblem &p, const NystromOptions &options,
             const double *q, const double *k, const double *v,
             const double *conv, double *out);

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
