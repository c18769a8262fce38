//===- RandomFeatures.cpp - Performer's random features -------------------===//

#include "passes/Utils/RandomFeatures.h"

#include <cmath>

namespace {

/// splitmix64 and Box-Muller: standard normal doubles from a seed.
class Gaussian {
public:
  explicit Gaussian(uint64_t seed) : state(seed) {}
  double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // u1 in (0, 1], u2 in [0, 1).
    double u1 = (static_cast<double>(bits() >> 11) + 1.0) * 0x1p-53;
    double u2 = static_cast<double>(bits() >> 11) * 0x1p-53;
    double r = std::sqrt(-2.0 * std::log(u1));
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    spare = r * std::sin(kTwoPi * u2);
    hasSpare = true;
    return r * std::cos(kTwoPi * u2);
  }

private:
  uint64_t bits() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t state;
  double spare = 0;
  bool hasSpare = false;
};

double norm(const double *x, int64_t d) {
  double s = 0;
  for (int64_t i = 0; i < d; ++i)
    s += x[i] * x[i];
  return std::sqrt(s);
}

} // namespace

std::vector<double> attn::features::performerOmega(int64_t m, int64_t d,
                                                   uint64_t seed,
                                                   bool orthogonal,
                                                   bool constantNorms) {
  std::vector<double> omega(static_cast<size_t>(m * d));
  Gaussian g(seed);
  std::vector<double> block(static_cast<size_t>(d * d));
  for (int64_t r0 = 0; r0 < m; r0 += d) {
    int64_t rows = std::min(d, m - r0);
    if (orthogonal) {
      // Rows of a Gaussian d x d matrix, orthonormalised in order (modified
      // Gram-Schmidt: the Q of its QR decomposition, up to signs).
      for (double &x : block)
        x = g.next();
      for (int64_t i = 0; i < d; ++i) {
        double *ri = &block[i * d];
        for (int64_t j = 0; j < i; ++j) {
          const double *rj = &block[j * d];
          double dot = 0;
          for (int64_t e = 0; e < d; ++e)
            dot += ri[e] * rj[e];
          for (int64_t e = 0; e < d; ++e)
            ri[e] -= dot * rj[e];
        }
        double n = norm(ri, d);
        for (int64_t e = 0; e < d; ++e)
          ri[e] /= n;
      }
    } else {
      for (double &x : block)
        x = g.next();
      for (int64_t i = 0; i < d; ++i) {
        double n = norm(&block[i * d], d);
        for (int64_t e = 0; e < d; ++e)
          block[i * d + e] /= n;
      }
    }
    for (int64_t i = 0; i < rows; ++i) {
      double scale;
      if (constantNorms) {
        scale = std::sqrt(static_cast<double>(d));
      } else {
        // chi(d): the norm of a fresh Gaussian d-vector.
        double s = 0;
        for (int64_t e = 0; e < d; ++e) {
          double x = g.next();
          s += x * x;
        }
        scale = std::sqrt(s);
      }
      for (int64_t e = 0; e < d; ++e)
        omega[(r0 + i) * d + e] = block[i * d + e] * scale;
    }
  }
  return omega;
}
