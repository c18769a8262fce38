//===- Reference.cpp - fp64 reference evaluations of attn ops -------------===//

#include "tools/attn-check/reference/Reference.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>

using namespace attn::ref;

namespace {
/// A cursor over the mask text.
struct MaskParser {
  const std::string &text;
  size_t pos = 0;
  std::string error;

  bool fail(const std::string &what) {
    if (error.empty())
      error = what + " at offset " + std::to_string(pos) + " of '" + text + "'";
    return false;
  }
  bool eat(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool expect(char c) {
    return eat(c) || fail(std::string("expected '") + c + "'");
  }
  std::string word() {
    size_t start = pos;
    while (pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[pos])) ||
            text[pos] == '_'))
      ++pos;
    return text.substr(start, pos - start);
  }
  bool integer(int64_t &out, int64_t min) {
    std::string w = word();
    if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos)
      return fail("expected an integer");
    out = std::stoll(w);
    return out >= min ||
           fail("value " + w + " is below " + std::to_string(min));
  }
  bool mask(Mask &m) {
    std::string name = word();
    using K = Mask::Kind;
    if (name == "none" || name == "causal") {
      m.kind = name == "none" ? K::None : K::Causal;
      return true;
    }
    if (!expect('('))
      return false;
    if (name == "window") {
      m.kind = K::Window;
      if (!integer(m.size, 1))
        return false;
      if (eat(',')) {
        if (word() != "bidirectional")
          return fail("expected 'bidirectional'");
        m.bidirectional = true;
      }
    } else if (name == "strided" || name == "global") {
      m.kind = name == "strided" ? K::Strided : K::Global;
      if (!integer(m.size, 1))
        return false;
    } else if (name == "block_sparse") {
      m.kind = K::BlockSparse;
      if (!integer(m.blockQ, 1) || !expect(',') || !integer(m.blockK, 1) ||
          !expect(',') || !integer(m.layoutHeads, 1) || !expect(',') ||
          !integer(m.layoutQ, 1) || !expect(',') || !integer(m.layoutK, 1) ||
          !expect(','))
        return false;
      std::string bits = word();
      if (static_cast<int64_t>(bits.size()) !=
              m.layoutHeads * m.layoutQ * m.layoutK ||
          bits.find_first_not_of("01") != std::string::npos)
        return fail("layout must be H*NQ*NK characters 0/1");
      for (char c : bits)
        m.layout.push_back(c == '1');
    } else if (name == "and" || name == "or") {
      m.kind = name == "and" ? K::And : K::Or;
      do {
        m.children.emplace_back();
        if (!mask(m.children.back()))
          return false;
      } while (eat(','));
    } else {
      return fail("unknown mask '" + name + "'");
    }
    return expect(')');
  }
};

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
} // namespace

bool Mask::parse(const std::string &text, Mask &out, std::string &error) {
  MaskParser p{text};
  out = Mask();
  if (!p.mask(out) || (p.pos != text.size() && !p.fail("trailing text"))) {
    error = p.error;
    return false;
  }
  return true;
}

bool Mask::keeps(int64_t h, int64_t q, int64_t k) const {
  switch (kind) {
  case Kind::None:
    return true;
  case Kind::Causal:
    return k <= q;
  case Kind::Window:
    return bidirectional ? std::abs(q - k) < size : (k <= q && q - k < size);
  case Kind::Strided:
    return (q - k) % size == 0;
  case Kind::Global:
    return q < size || k < size;
  case Kind::BlockSparse: {
    int64_t i = floorDiv(q, blockQ), j = k / blockK;
    int64_t head = layoutHeads == 1 ? 0 : h;
    if (i < 0 || i >= layoutQ || j >= layoutK || head >= layoutHeads)
      return false;
    return layout[(head * layoutQ + i) * layoutK + j] != 0;
  }
  case Kind::And:
    for (const Mask &c : children)
      if (!c.keeps(h, q, k))
        return false;
    return true;
  case Kind::Or:
    for (const Mask &c : children)
      if (c.keeps(h, q, k))
        return true;
    return false;
  }
  return true;
}

bool Mask::headDependent() const {
  if (kind == Kind::BlockSparse)
    return layoutHeads > 1;
  for (const Mask &c : children)
    if (c.headDependent())
      return true;
  return false;
}

std::string Mask::str() const {
  auto n = [](int64_t v) { return std::to_string(v); };
  switch (kind) {
  case Kind::None:
    return "none";
  case Kind::Causal:
    return "causal";
  case Kind::Window:
    return "window(" + n(size) + (bidirectional ? ",bidirectional)" : ")");
  case Kind::Strided:
    return "strided(" + n(size) + ")";
  case Kind::Global:
    return "global(" + n(size) + ")";
  case Kind::BlockSparse: {
    std::string bits;
    for (uint8_t b : layout)
      bits += b ? '1' : '0';
    return "block_sparse(" + n(blockQ) + "," + n(blockK) + "," +
           n(layoutHeads) + "," + n(layoutQ) + "," + n(layoutK) + "," + bits +
           ")";
  }
  case Kind::And:
  case Kind::Or: {
    std::string s = kind == Kind::And ? "and(" : "or(";
    for (size_t i = 0; i < children.size(); ++i)
      s += (i ? "," : "") + children[i].str();
    return s + ")";
  }
  }
  return "none";
}

bool attn::ref::keeps(const SdpaProblem &p, int64_t b, int64_t h, int64_t i,
                      int64_t k) {
  int64_t qPos = p.kvLen - p.qLen + i;
  if (!p.kvLengths.empty() && k >= p.kvLengths[b])
    return false;
  if (!p.qLengths.empty() && i >= p.qLengths[b])
    return false;
  if (!p.docIds.empty() &&
      (qPos < 0 || p.docIds[b * p.kvLen + qPos] != p.docIds[b * p.kvLen + k]))
    return false;
  return p.mask.keeps(h, qPos, k);
}

int64_t attn::ref::keptPairs(const SdpaProblem &p) {
  bool runtime =
      !p.kvLengths.empty() || !p.qLengths.empty() || !p.docIds.empty();
  if (p.mask.isNone() && !runtime)
    return p.heads * p.qLen * p.kvLen * p.batch;
  // Every head (and batch) alike unless the pattern depends on it.
  int64_t heads = p.mask.headDependent() ? p.heads : 1;
  int64_t batches = runtime ? p.batch : 1, kept = 0;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < p.qLen; ++i)
        for (int64_t k = 0; k < p.kvLen; ++k)
          kept += keeps(p, b, h, i, k);
  return kept * (p.batch / batches) * (p.heads / heads);
}

bool ScoreMod::parseList(const std::string &text, std::vector<ScoreMod> &out,
                         std::string &error) {
  out.clear();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(';', pos);
    std::string item = text.substr(
        pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    size_t open = item.find('(');
    if (open == std::string::npos || item.back() != ')') {
      error = "expected NAME(ARGS) in '" + item + "'";
      return false;
    }
    std::string name = item.substr(0, open);
    std::vector<double> args;
    std::string list = item.substr(open + 1, item.size() - open - 2);
    for (size_t a = 0; a <= list.size();) {
      size_t comma = list.find(',', a);
      std::string num = list.substr(
          a, comma == std::string::npos ? std::string::npos : comma - a);
      char *stop = nullptr;
      double x = std::strtod(num.c_str(), &stop);
      if (num.empty() || *stop) {
        error = "bad number '" + num + "' in '" + item + "'";
        return false;
      }
      args.push_back(x);
      if (comma == std::string::npos)
        break;
      a = comma + 1;
    }
    ScoreMod m;
    if (name == "softcap" && args.size() == 1 && args[0] > 0) {
      m.kind = Kind::Softcap;
      m.cap = args[0];
    } else if (name == "alibi" && !args.empty()) {
      m.kind = Kind::Alibi;
      m.values = args;
    } else if (name == "relbias" && args.size() >= 3) {
      m.kind = Kind::RelativeBias;
      m.maxDistance = static_cast<int64_t>(args[0]);
      m.rows = static_cast<int64_t>(args[1]);
      m.values.assign(args.begin() + 2, args.end());
      if (m.maxDistance < 0 || m.rows < 1 ||
          static_cast<int64_t>(m.values.size()) !=
              m.rows * (2 * m.maxDistance + 1)) {
        error = "relbias needs M, H and H * (2M + 1) values in '" + item + "'";
        return false;
      }
    } else {
      error = "unknown or malformed modifier '" + item + "'";
      return false;
    }
    out.push_back(m);
  }
  return true;
}

double ScoreMod::apply(double s, int64_t h, int64_t q, int64_t k) const {
  switch (kind) {
  case Kind::Softcap:
    return cap * std::tanh(s / cap);
  case Kind::Alibi:
    return s + values[values.size() == 1 ? 0 : h] * static_cast<double>(k - q);
  case Kind::RelativeBias: {
    int64_t d = std::max(-maxDistance, std::min(maxDistance, k - q));
    int64_t row = rows == 1 ? 0 : h;
    return s + values[row * (2 * maxDistance + 1) + d + maxDistance];
  }
  }
  return s;
}

template <typename T>
void attn::ref::sdpaUnits(const SdpaProblem &p, const T *q, const T *k,
                          const T *v, T *out, int64_t unitBegin,
                          int64_t unitEnd, const T *bias) {
  const T scale = p.scale > 0 ? static_cast<T>(p.scale)
                              : T(1) / std::sqrt(static_cast<T>(p.headDim));
  const T negInf = -std::numeric_limits<T>::infinity();
  const int64_t group = p.heads / p.kvHeads;
  std::vector<T> scores(p.kvLen);
  for (int64_t unit = unitBegin; unit < unitEnd; ++unit) {
    const int64_t b = unit / p.heads, h = unit % p.heads, kh = h / group;
    const T *qh = q + unit * p.qLen * p.headDim;
    const T *kb = k + (b * p.kvHeads + kh) * p.kvLen * p.headDim;
    const T *vb = v + (b * p.kvHeads + kh) * p.kvLen * p.valueDim;
    T *oh = out + unit * p.qLen * p.valueDim;
    for (int64_t i = 0; i < p.qLen; ++i) {
      T maxScore = negInf;
      bool nanScore = false;
      for (int64_t j = 0; j < p.kvLen; ++j) {
        if (!keeps(p, b, h, i, j)) {
          scores[j] = negInf;
          continue;
        }
        T s = 0;
        for (int64_t d = 0; d < p.headDim; ++d)
          s += qh[i * p.headDim + d] * kb[j * p.headDim + d];
        s *= scale;
        if (bias && p.hasBias()) {
          const int64_t *bs = p.biasShape;
          int64_t bb = bs[0] == 1 ? 0 : b, bh = bs[1] == 1 ? 0 : h;
          s += bias[((bb * bs[1] + bh) * bs[2] + i) * bs[3] + j];
        }
        const int64_t qPos = p.kvLen - p.qLen + i;
        for (const ScoreMod &m : p.mods)
          s = static_cast<T>(m.apply(s, h, qPos, j));
        scores[j] = s;
        nanScore |= std::isnan(s);
        maxScore = std::max(maxScore, scores[j]);
      }
      // A visible NaN or +inf score makes the whole row NaN (docs/Numerics.md:
      // softmax is undefined there); -inf scores weigh 0, like masked ones.
      if (nanScore || maxScore == -negInf) {
        for (int64_t e = 0; e < p.valueDim; ++e)
          oh[i * p.valueDim + e] = std::numeric_limits<T>::quiet_NaN();
        continue;
      }
      if (p.topK > 0) {
        // Keep the k largest kept scores and every tie of the k-th.
        std::vector<T> kept;
        for (T x : scores)
          if (x != negInf)
            kept.push_back(x);
        if (static_cast<int64_t>(kept.size()) >= p.topK) {
          std::nth_element(kept.begin(), kept.begin() + (p.topK - 1),
                           kept.end(), std::greater<T>());
          T threshold = kept[p.topK - 1];
          for (T &x : scores)
            if (x < threshold)
              x = negInf;
        }
      }
      T sum = 0;
      for (int64_t j = 0; j < p.kvLen; ++j) {
        scores[j] = maxScore == negInf ? T(0) : std::exp(scores[j] - maxScore);
        sum += scores[j];
      }
      for (int64_t e = 0; e < p.valueDim; ++e) {
        T acc = 0;
        // A key of weight 0 (masked, a -inf score) contributes nothing,
        // whatever its value row holds: NaN or inf there stays in the rows
        // that see it.
        for (int64_t j = 0; j < p.kvLen; ++j)
          if (scores[j] != T(0))
            acc += scores[j] * vb[j * p.valueDim + e];
        // A fully masked row gives zeros (SEMANTICS.md).
        oh[i * p.valueDim + e] = sum == 0 ? T(0) : acc / sum;
      }
    }
  }
}

template void attn::ref::sdpaUnits<double>(const SdpaProblem &, const double *,
                                           const double *, const double *,
                                           double *, int64_t, int64_t,
                                           const double *);
template void attn::ref::sdpaUnits<float>(const SdpaProblem &, const float *,
                                          const float *, const float *, float *,
                                          int64_t, int64_t, const float *);

void attn::ref::sdpa(const SdpaProblem &p, const double *q, const double *k,
                     const double *v, double *out, const double *bias) {
  sdpaUnits(p, q, k, v, out, 0, p.batch * p.heads, bias);
}

void attn::ref::diff(const DiffProblem &p, const double *q, const double *k,
                     const double *v, const double *lq1, const double *lk1,
                     const double *lq2, const double *lk2, const double *gain,
                     double *out) {
  const int64_t d = p.headDim, dv = 2 * d, group = p.heads / p.kvHeads;
  const double scale = p.scale > 0 ? p.scale : 1.0 / std::sqrt(double(d));
  double dot1 = 0, dot2 = 0;
  for (int64_t i = 0; i < d; ++i) {
    dot1 += lq1[i] * lk1[i];
    dot2 += lq2[i] * lk2[i];
  }
  const double lambda = std::exp(dot1) - std::exp(dot2) + p.lambdaInit;
  const double negInf = -std::numeric_limits<double>::infinity();
  std::vector<double> probs[2] = {std::vector<double>(p.kvLen),
                                  std::vector<double>(p.kvLen)};
  std::vector<double> x(dv);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads; ++h) {
      const int64_t kh = h / group;
      const double *vb = v + (b * p.kvHeads + kh) * p.kvLen * dv;
      for (int64_t i = 0; i < p.qLen; ++i) {
        const int64_t qPos = p.kvLen - p.qLen + i;
        // The two softmax maps of the head pair.
        for (int m = 0; m < 2; ++m) {
          const double *qr =
              q + ((b * 2 * p.heads + 2 * h + m) * p.qLen + i) * d;
          const double *kb = k + (b * 2 * p.kvHeads + 2 * kh + m) * p.kvLen * d;
          double mx = negInf;
          for (int64_t j = 0; j < p.kvLen; ++j) {
            double s = negInf;
            if (p.mask.keeps(h, qPos, j)) {
              s = 0;
              for (int64_t e = 0; e < d; ++e)
                s += qr[e] * kb[j * d + e];
              s *= scale;
            }
            probs[m][j] = s;
            mx = std::max(mx, s);
          }
          double sum = 0;
          for (double &s : probs[m]) {
            s = std::isinf(mx) ? 0 : std::exp(s - mx);
            sum += s;
          }
          for (double &s : probs[m])
            s = sum == 0 ? 0 : s / sum;
        }
        double ss = 0;
        for (int64_t e = 0; e < dv; ++e) {
          double acc = 0;
          for (int64_t j = 0; j < p.kvLen; ++j)
            acc += (probs[0][j] - lambda * probs[1][j]) * vb[j * dv + e];
          x[e] = acc;
          ss += acc * acc;
        }
        const double inv = 1.0 / std::sqrt(ss / double(dv) + p.epsilon);
        double *o = out + ((b * p.heads + h) * p.qLen + i) * dv;
        for (int64_t e = 0; e < dv; ++e)
          o[e] = x[e] * inv * gain[e] * (1.0 - p.lambdaInit);
      }
    }
}

double Uniform::next() {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  // 53 random bits to [0, 1), then to [-1, 1).
  return static_cast<double>(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

bool attn::ref::parseDType(const std::string &name, DType &out) {
  if (name == "f32")
    out = DType::F32;
  else if (name == "f16")
    out = DType::F16;
  else if (name == "bf16")
    out = DType::BF16;
  else
    return false;
  return true;
}

const char *attn::ref::dtypeName(DType d) {
  switch (d) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  }
  return "?";
}

size_t attn::ref::dtypeBytes(DType d) { return d == DType::F32 ? 4 : 2; }

namespace {
uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// IEEE binary16 from float, round to nearest even (no NaN payloads).
uint16_t toHalf(float f) {
  uint32_t x = floatBits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff)
    return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
  if (exp >= 31)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10)
      return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1)))
    ++half;
  return static_cast<uint16_t>(half);
}

float fromHalf(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  if (exp == 0) {
    if (mant == 0)
      return bitsFloat(sign);
    float m = static_cast<float>(mant) / 1024.0f * (1.0f / 16384.0f);
    return sign ? -m : m;
  }
  if (exp == 31)
    return bitsFloat(sign | 0x7f800000u | (mant << 13));
  return bitsFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t toBF16(float f) {
  uint32_t x = floatBits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7fffu + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

float fromBF16(uint16_t h) { return bitsFloat(static_cast<uint32_t>(h) << 16); }
} // namespace

void attn::ref::store(DType d, double x, void *dst) {
  float f = static_cast<float>(x);
  uint16_t h;
  switch (d) {
  case DType::F32:
    std::memcpy(dst, &f, 4);
    return;
  case DType::F16:
    h = toHalf(f);
    std::memcpy(dst, &h, 2);
    return;
  case DType::BF16:
    h = toBF16(f);
    std::memcpy(dst, &h, 2);
    return;
  }
}

double attn::ref::load(DType d, const void *src) {
  float f;
  uint16_t h;
  switch (d) {
  case DType::F32:
    std::memcpy(&f, src, 4);
    return f;
  case DType::F16:
    std::memcpy(&h, src, 2);
    return fromHalf(h);
  case DType::BF16:
    std::memcpy(&h, src, 2);
    return fromBF16(h);
  }
  return 0;
}

namespace {
/// q8_0's scheme with f32 scales over `n` values (n % 32 == 0), each first
/// multiplied by `scale` in f32: returns q * d per value.
std::vector<double> int8Blocks(const double *x, int64_t n, float scale) {
  std::vector<double> out(static_cast<size_t>(n));
  float v[32];
  for (int64_t base = 0; base < n; base += 32) {
    float amax = 0;
    for (int t = 0; t < 32; ++t) {
      v[t] = scale * static_cast<float>(x[base + t]);
      amax = std::max(amax, std::fabs(v[t]));
    }
    const float d = amax / 127.0f;
    const float inv = d == 0 ? 0.0f : 1.0f / d;
    for (int t = 0; t < 32; ++t)
      out[base + t] =
          static_cast<double>(std::round(v[t] * inv)) * static_cast<double>(d);
  }
  return out;
}
} // namespace

float attn::ref::queryScale(const SdpaProblem &p) {
  return static_cast<float>(
      p.scale > 0 ? p.scale : 1 / std::sqrt(static_cast<double>(p.headDim)));
}

std::vector<double> attn::ref::int8Queries(const SdpaProblem &p,
                                           const double *q) {
  return int8Blocks(q, p.queryElements(), queryScale(p));
}

std::vector<double> attn::ref::bf16Rounded(const double *x, int64_t n,
                                           float scale) {
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    float f = scale * static_cast<float>(x[i]);
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    if (!std::isnan(f))
      bits = (bits + 0x7fff + ((bits >> 16) & 1)) & 0xffff0000u;
    std::memcpy(&f, &bits, sizeof f);
    out[static_cast<size_t>(i)] = f;
  }
  return out;
}

std::vector<double> attn::ref::smoothedKeys(const SdpaProblem &p,
                                            const double *k) {
  std::vector<double> out(static_cast<size_t>(p.keyElements()));
  const int64_t d = p.headDim;
  std::vector<double> sum(static_cast<size_t>(d));
  for (int64_t b = 0; b < p.batch; ++b) {
    int64_t n = p.kvLen;
    if (!p.kvLengths.empty())
      n = std::clamp<int64_t>(p.kvLengths[static_cast<size_t>(b)], 0, p.kvLen);
    for (int64_t h = 0; h < p.kvHeads; ++h) {
      const int64_t base = (b * p.kvHeads + h) * p.kvLen * d;
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t c = 0; c < d; ++c)
          sum[c] += k[base + j * d + c];
      for (int64_t c = 0; c < d; ++c) {
        // The mean in bf16 (nearest even) from its f32 value, as the
        // kernel rounds it.
        double exact = n ? sum[c] / static_cast<double>(n) : 0.0;
        double mean = bf16Rounded(&exact, 1, 1.0f)[0];
        float m = static_cast<float>(mean);
        for (int64_t j = 0; j < p.kvLen; ++j)
          out[base + j * d + c] =
              static_cast<float>(static_cast<float>(k[base + j * d + c]) - m);
      }
    }
  }
  return out;
}

std::vector<double> attn::ref::int8Keys(const SdpaProblem &p, const double *k) {
  return int8Blocks(k, p.keyElements(), 1.0f);
}

std::vector<double> attn::ref::int8Values(const SdpaProblem &p,
                                          const double *v) {
  std::vector<double> out(static_cast<size_t>(p.valueElements()));
  const int64_t dv = p.valueDim;
  for (int64_t bh = 0; bh < p.batch * p.kvHeads; ++bh) {
    const double *src = v + bh * p.kvLen * dv;
    double *dst = out.data() + bh * p.kvLen * dv;
    for (int64_t k0 = 0; k0 < p.kvLen; k0 += 32) {
      const int64_t k1 = std::min<int64_t>(p.kvLen, k0 + 32);
      for (int64_t e = 0; e < dv; ++e) {
        float amax = 0;
        for (int64_t k = k0; k < k1; ++k)
          amax = std::max(amax, std::fabs(static_cast<float>(src[k * dv + e])));
        const float d = amax / 127.0f;
        const float inv = d == 0 ? 0.0f : 1.0f / d;
        for (int64_t k = k0; k < k1; ++k)
          dst[k * dv + e] = static_cast<double>(std::round(
                                static_cast<float>(src[k * dv + e]) * inv)) *
                            static_cast<double>(d);
      }
    }
  }
  return out;
}
