//===- Inputs.cpp - seeded attention inputs with structure ----------------===//

#include "tools/attn-bench/Inputs.h"

#include "tools/attn-check/reference/Reference.h"

#include <cmath>

using attn::ref::Uniform;

bool attn::bench::isInputKind(const std::string &kind) {
  return kind == "uniform" || kind == "clustered" || kind == "banded" ||
         kind == "heavy" || kind == "key-offset";
}

namespace {
void generateKind(const std::string &kind, int64_t batch, int64_t heads,
                  int64_t kvHeads, int64_t qLen, int64_t kvLen, int64_t headDim,
                  std::vector<float> &q, std::vector<float> &k,
                  std::vector<float> &v);
} // namespace

void attn::bench::generateInputs(const std::string &kind, int64_t batch,
                                 int64_t heads, int64_t kvHeads, int64_t qLen,
                                 int64_t kvLen, int64_t headDim,
                                 std::vector<float> &q, std::vector<float> &k,
                                 std::vector<float> &v) {
  if (kind != "key-offset")
    return generateKind(kind, batch, heads, kvHeads, qLen, kvLen, headDim, q, k,
                        v);
  // key-offset: the clustered inputs, every key of a (batch, KV head) moved
  // by one offset vector in [-4, 4]^D, as keys of trained models share
  // large per-channel offsets. Exact attention does not change (each
  // score of a row moves by q . offset); quantized keys spend their range
  // on the offset.
  generateKind("clustered", batch, heads, kvHeads, qLen, kvLen, headDim, q, k,
               v);
  Uniform rng(7);
  std::vector<float> offset(static_cast<size_t>(headDim));
  for (int64_t bh = 0; bh < batch * kvHeads; ++bh) {
    for (float &x : offset)
      x = static_cast<float>(4 * rng.next());
    for (int64_t i = 0; i < kvLen; ++i)
      for (int64_t e = 0; e < headDim; ++e)
        k[static_cast<size_t>((bh * kvLen + i) * headDim + e)] +=
            offset[static_cast<size_t>(e)];
  }
}

namespace {
void generateKind(const std::string &kind, int64_t batch, int64_t heads,
                  int64_t kvHeads, int64_t qLen, int64_t kvLen, int64_t headDim,
                  std::vector<float> &q, std::vector<float> &k,
                  std::vector<float> &v) {
  Uniform rng(1);
  struct Values {
    Uniform &rng;
    std::vector<float> &v;
    ~Values() {
      for (float &x : v)
        x = static_cast<float>(rng.next());
    }
  } values{rng, v}; // V is iid uniform for every kind, drawn last
  const int64_t d = headDim;
  if (kind == "uniform") {
    for (float &x : q)
      x = static_cast<float>(rng.next());
    for (float &x : k)
      x = static_cast<float>(rng.next());
    return;
  }
  // Rows of a [rows, d] matrix of one head, from `row(i, out)`.
  auto fill = [&](std::vector<float> &t, int64_t headsOf, int64_t len,
                  auto row) {
    std::vector<double> r(d);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < headsOf; ++h)
        for (int64_t i = 0; i < len; ++i) {
          row(h, i, r);
          float *dst = &t[((b * headsOf + h) * len + i) * d];
          for (int64_t e = 0; e < d; ++e)
            dst[e] = static_cast<float>(r[e]);
        }
  };
  if (kind == "clustered") {
    // 16 centres per KV head with norm ~ 3 sqrt(d) / 2; each key and query
    // is a centre plus small noise, so a query's mass sits on its cluster.
    constexpr int64_t kCentres = 16;
    std::vector<double> centres(kvHeads * kCentres * d);
    for (double &x : centres)
      x = 1.5 * rng.next();
    int64_t group = heads / kvHeads;
    auto near = [&](int64_t kh, std::vector<double> &r) {
      int64_t c =
          static_cast<int64_t>((rng.next() + 1) / 2 * kCentres) % kCentres;
      for (int64_t e = 0; e < d; ++e)
        r[e] = centres[(kh * kCentres + c) * d + e] + 0.2 * rng.next();
    };
    fill(k, kvHeads, kvLen,
         [&](int64_t kh, int64_t, std::vector<double> &r) { near(kh, r); });
    fill(q, heads, qLen, [&](int64_t h, int64_t, std::vector<double> &r) {
      near(h / group, r);
    });
    return;
  }
  if (kind == "banded") {
    // A positional code whose dot products fall off with distance:
    // p(t) = (cos(w_f t), sin(w_f t)) for d/2 frequencies w_f spread over
    // [1/64, 1/4], scaled so that q . k / sqrt(d) peaks at about 8.
    double amplitude = std::sqrt(8.0 * std::sqrt(double(d)) / (d / 2));
    auto code = [&](int64_t pos, std::vector<double> &r) {
      for (int64_t f = 0; f < d / 2; ++f) {
        double w = 1.0 / 64 *
                   std::pow(16.0, double(f) / std::max<int64_t>(1, d / 2 - 1));
        r[2 * f] = amplitude * std::cos(w * pos) + 0.1 * rng.next();
        r[2 * f + 1] = amplitude * std::sin(w * pos) + 0.1 * rng.next();
      }
      if (d % 2)
        r[d - 1] = 0.1 * rng.next();
    };
    int64_t offset = kvLen - qLen;
    fill(k, kvHeads, kvLen,
         [&](int64_t, int64_t j, std::vector<double> &r) { code(j, r); });
    fill(q, heads, qLen, [&](int64_t, int64_t i, std::vector<double> &r) {
      code(i + offset, r);
    });
    return;
  }
  // heavy: queries share a direction u; 4 key positions per head carry a
  // large component along it, so every query puts most of its mass there
  // (attention sinks), the rest spread over uniform keys.
  std::vector<double> u(d);
  double norm = 0;
  for (double &x : u) {
    x = rng.next();
    norm += x * x;
  }
  for (double &x : u)
    x /= std::sqrt(norm);
  fill(q, heads, qLen, [&](int64_t, int64_t, std::vector<double> &r) {
    for (int64_t e = 0; e < d; ++e)
      r[e] = rng.next() + 2.0 * u[e] * std::sqrt(double(d)) / 4;
  });
  int64_t heavy[4] = {0, kvLen / 3, kvLen / 2, kvLen - 1};
  fill(k, kvHeads, kvLen, [&](int64_t, int64_t j, std::vector<double> &r) {
    bool isHeavy = false;
    for (int64_t h : heavy)
      isHeavy |= h == j;
    for (int64_t e = 0; e < d; ++e)
      r[e] = rng.next() + (isHeavy ? 2.0 * u[e] * std::sqrt(double(d)) : 0.0);
  });
}
} // namespace
