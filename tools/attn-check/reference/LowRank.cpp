//===- LowRank.cpp - fp64 references of the low-rank approximations -------===//
//
// Each approximation's own math (SEMANTICS.md, "Low-rank attention") in
// plain loops, written for clarity, not speed: Performer as the quadratic
// form its factorisation approximates the kernel of, Nystromformer with
// explicit matrices. They check the compiled kernels; their error against
// dense attention is a property of the method, reported by attn-bench.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-check/reference/Reference.h"

#include "passes/Utils/RandomFeatures.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace attn::ref;

namespace {

double defaultScale(const LowRankProblem &p) {
  return p.scale > 0 ? p.scale : 1.0 / std::sqrt(double(p.headDim));
}

/// Row-wise softmax of s [rows, cols] in place.
void softmaxRows(std::vector<double> &s, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    double *x = &s[r * cols];
    double mx = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < cols; ++c)
      mx = std::max(mx, x[c]);
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      sum += (x[c] = std::exp(x[c] - mx));
    for (int64_t c = 0; c < cols; ++c)
      x[c] /= sum;
  }
}

/// c [n, p] = a [n, k] . b [k, p].
std::vector<double> matmul(const std::vector<double> &a,
                           const std::vector<double> &b, int64_t n, int64_t k,
                           int64_t p) {
  std::vector<double> c(n * p, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t l = 0; l < k; ++l)
      for (int64_t j = 0; j < p; ++j)
        c[i * p + j] += a[i * k + l] * b[l * p + j];
  return c;
}

/// Scores s [n, p] = scale * a [n, d] . b [p, d]^T.
std::vector<double> scores(const double *a, const double *b, int64_t n,
                           int64_t p, int64_t d, double scale) {
  std::vector<double> s(n * p);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < p; ++j) {
      double acc = 0;
      for (int64_t e = 0; e < d; ++e)
        acc += a[i * d + e] * b[j * d + e];
      s[i * p + j] = scale * acc;
    }
  return s;
}

/// Means of `segments` equal segments of the rows of x [len, d].
std::vector<double> segmentMeans(const double *x, int64_t len, int64_t d,
                                 int64_t segments) {
  std::vector<double> m(segments * d, 0.0);
  int64_t size = len / segments;
  for (int64_t s = 0; s < segments; ++s)
    for (int64_t r = 0; r < size; ++r)
      for (int64_t e = 0; e < d; ++e)
        m[s * d + e] += x[(s * size + r) * d + e] / double(size);
  return m;
}

} // namespace

void attn::ref::linformer(const LowRankProblem &p, int64_t rows, bool perHead,
                          const double *q, const double *k, const double *v,
                          const double *e, const double *f, double *out) {
  const int64_t d = p.headDim, dv = p.valueDim, lk = p.kvLen;
  const int64_t group = p.heads / p.kvHeads;
  const double scale = defaultScale(p);
  if (!f)
    f = e;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t kh = 0; kh < p.kvHeads; ++kh) {
      const double *eh = e + (perHead ? kh * rows * lk : 0);
      const double *fh = f + (perHead ? kh * rows * lk : 0);
      const double *kb = k + (b * p.kvHeads + kh) * lk * d;
      const double *vb = v + (b * p.kvHeads + kh) * lk * dv;
      // E K [rows, d] and F V [rows, dv].
      std::vector<double> ek(rows * d, 0.0), fv(rows * dv, 0.0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < lk; ++j) {
          for (int64_t x = 0; x < d; ++x)
            ek[r * d + x] += eh[r * lk + j] * kb[j * d + x];
          for (int64_t x = 0; x < dv; ++x)
            fv[r * dv + x] += fh[r * lk + j] * vb[j * dv + x];
        }
      for (int64_t g = 0; g < group; ++g) {
        int64_t h = kh * group + g;
        const double *qb = q + (b * p.heads + h) * p.qLen * d;
        std::vector<double> s = scores(qb, ek.data(), p.qLen, rows, d, scale);
        softmaxRows(s, p.qLen, rows);
        std::vector<double> o = matmul(s, fv, p.qLen, rows, dv);
        std::copy(o.begin(), o.end(), out + (b * p.heads + h) * p.qLen * dv);
      }
    }
}

void attn::ref::performer(const LowRankProblem &p,
                          const PerformerOptions &options, const double *q,
                          const double *k, const double *v, double *out) {
  const int64_t d = p.headDim, dv = p.valueDim, m = options.features;
  const int64_t group = p.heads / p.kvHeads;
  const double root = std::sqrt(defaultScale(p)); // x^ = root * x
  const double ratio = 1.0 / std::sqrt(double(m)), eps = 1e-6;
  std::vector<double> omega = attn::features::performerOmega(
      m, d, options.seed, options.orthogonal, options.constantNorms);
  // u = omega x^ for the rows of x [len, d]; half |x^|^2 per row.
  auto project = [&](const double *x, int64_t len, std::vector<double> &u,
                     std::vector<double> &halfNorm) {
    u.assign(len * m, 0.0);
    halfNorm.assign(len, 0.0);
    for (int64_t r = 0; r < len; ++r) {
      for (int64_t e = 0; e < d; ++e)
        halfNorm[r] += 0.5 * (root * x[r * d + e]) * (root * x[r * d + e]);
      for (int64_t i = 0; i < m; ++i) {
        double acc = 0;
        for (int64_t e = 0; e < d; ++e)
          acc += omega[i * d + e] * root * x[r * d + e];
        u[r * m + i] = acc;
      }
    }
  };
  // phi in place: per-row stabiliser for queries, one over all rows for
  // keys.
  auto phi = [&](std::vector<double> &u, const std::vector<double> &halfNorm,
                 int64_t len, bool perRow) {
    if (options.relu) {
      for (double &x : u)
        x = ratio * std::max(x, 0.0) + eps;
      return;
    }
    double all = -std::numeric_limits<double>::infinity();
    for (double x : u)
      all = std::max(all, x);
    for (int64_t r = 0; r < len; ++r) {
      double c = perRow ? *std::max_element(&u[r * m], &u[r * m] + m) : all;
      for (int64_t i = 0; i < m; ++i)
        u[r * m + i] = ratio * (std::exp(u[r * m + i] - halfNorm[r] - c) + eps);
    }
  };
  std::vector<double> uq, uk, nq, nk;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t kh = 0; kh < p.kvHeads; ++kh) {
      const double *kb = k + (b * p.kvHeads + kh) * p.kvLen * d;
      const double *vb = v + (b * p.kvHeads + kh) * p.kvLen * dv;
      project(kb, p.kvLen, uk, nk);
      phi(uk, nk, p.kvLen, /*perRow=*/false);
      for (int64_t g = 0; g < group; ++g) {
        int64_t h = kh * group + g;
        project(q + (b * p.heads + h) * p.qLen * d, p.qLen, uq, nq);
        phi(uq, nq, p.qLen, /*perRow=*/true);
        double *o = out + (b * p.heads + h) * p.qLen * dv;
        for (int64_t i = 0; i < p.qLen; ++i) {
          int64_t last = options.causal
                             ? std::min(p.kvLen, p.kvLen - p.qLen + i + 1)
                             : p.kvLen;
          double den = 0;
          std::vector<double> num(dv, 0.0);
          for (int64_t j = 0; j < last; ++j) {
            double a = 0;
            for (int64_t x = 0; x < m; ++x)
              a += uq[i * m + x] * uk[j * m + x];
            den += a;
            for (int64_t x = 0; x < dv; ++x)
              num[x] += a * vb[j * dv + x];
          }
          for (int64_t x = 0; x < dv; ++x)
            o[i * dv + x] = den == 0 ? 0 : num[x] / den;
        }
      }
    }
}

void attn::ref::nystrom(const LowRankProblem &p, const NystromOptions &options,
                        const double *q, const double *k, const double *v,
                        const double *conv, double *out) {
  const int64_t d = p.headDim, dv = p.valueDim, m = options.landmarks;
  const int64_t group = p.heads / p.kvHeads;
  const double scale = defaultScale(p);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads; ++h) {
      int64_t kh = h / group;
      const double *qb = q + (b * p.heads + h) * p.qLen * d;
      const double *kb = k + (b * p.kvHeads + kh) * p.kvLen * d;
      const double *vb = v + (b * p.kvHeads + kh) * p.kvLen * dv;
      std::vector<double> ql = segmentMeans(qb, p.qLen, d, m);
      std::vector<double> kl = segmentMeans(kb, p.kvLen, d, m);
      std::vector<double> k1 = scores(qb, kl.data(), p.qLen, m, d, scale);
      std::vector<double> a = scores(ql.data(), kl.data(), m, m, d, scale);
      std::vector<double> k3 = scores(ql.data(), kb, m, p.kvLen, d, scale);
      softmaxRows(k1, p.qLen, m);
      softmaxRows(a, m, m);
      softmaxRows(k3, m, p.kvLen);
      // Z0 = A^T / max column sum of A.
      double maxCol = 0;
      for (int64_t c = 0; c < m; ++c) {
        double sum = 0;
        for (int64_t r = 0; r < m; ++r)
          sum += a[r * m + c];
        maxCol = std::max(maxCol, sum);
      }
      std::vector<double> z(m * m);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < m; ++c)
          z[r * m + c] = a[c * m + r] / maxCol;
      // Z <- Z (13 I - AZ (15 I - AZ (7 I - AZ))) / 4.
      auto minusFromScaledIdentity = [&](double c, std::vector<double> x) {
        for (int64_t r = 0; r < m; ++r)
          for (int64_t col = 0; col < m; ++col)
            x[r * m + col] = (r == col ? c : 0.0) - x[r * m + col];
        return x;
      };
      for (int64_t it = 0; it < options.iterations; ++it) {
        std::vector<double> az = matmul(a, z, m, m, m);
        std::vector<double> t = minusFromScaledIdentity(7, az);
        t = minusFromScaledIdentity(15, matmul(az, t, m, m, m));
        t = minusFromScaledIdentity(13, matmul(az, t, m, m, m));
        z = matmul(z, t, m, m, m);
        for (double &x : z)
          x *= 0.25;
      }
      std::vector<double> vv(vb, vb + p.kvLen * dv);
      std::vector<double> w = matmul(k3, vv, m, p.kvLen, dv);
      std::vector<double> o = matmul(k1, matmul(z, w, m, m, dv), p.qLen, m, dv);
      if (options.convWidth > 0) {
        int64_t half = options.convWidth / 2;
        for (int64_t i = 0; i < p.qLen; ++i)
          for (int64_t t = 0; t < options.convWidth; ++t) {
            int64_t j = i + t - half;
            if (j < 0 || j >= p.kvLen)
              continue;
            double w8 = conv[h * options.convWidth + t];
            for (int64_t x = 0; x < dv; ++x)
              o[i * dv + x] += w8 * vb[j * dv + x];
          }
      }
      std::copy(o.begin(), o.end(), out + (b * p.heads + h) * p.qLen * dv);
    }
}
