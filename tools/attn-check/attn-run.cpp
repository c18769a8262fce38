//===- attn-run.cpp - run a compiled attention kernel against fp64 --------===//
//
//   attn-run --lib k.so --entry model_layer0 --q 1,8,128,64 --k 1,2,128,64
//            --v 1,2,128,64 [--dtype f32] [--mask SPEC] [--scale S]
//            [--bias B,H,Lq,Lk] [--mods SPEC;SPEC...] [--top-k K]
//            [--values uniform|ternary] [--kv-lengths] [--q-lengths]
//            [--documents sorted|unsorted] [--diff LAMBDA_INIT [--eps E]]
//            [--seed N] [--tol T] [--threads N] [--layout contiguous|bshd]
//            [--repeat N] [--device cpu|vulkan] [--k-format q8_0|q4_0]
//            [--v-format q8_0|q4_0] [--qk f32|int8|bf16] [--pv f32|int8|bf16]
//            [--k-scales B,H,L,W[:f16] [--k-scale-block T]]
//            [--v-scales B,H,L,W[:f16] [--v-scale-block T]]
//            [--smooth-k] [--key-offset X]
//            [--dump DIR]
//            [--scratch-limit BYTES[,BYTES...]]
//            [--numerics q-nan|q-inf|k-nan|k-inf|v-nan|v-inf|large|extreme|
//                        denormal]
//   attn-run --probe-vulkan     (prints the Vulkan device attn-run would use)
//
// Loads a shared object linked from attnc's output, feeds the entry point
// seeded uniform inputs in [-1, 1], and compares its output with the fp64
// reference evaluated on the same (storage-rounded) inputs. With
// --k-format / --v-format, K / V are passed as packed llama.cpp blocks
// (attn/quant.h; shapes stay in values) and the reference reads their
// dequantized values. With --k-scales / --v-scales, K / V are int8 values
// with a scales tensor of that shape (a 1 broadcasts; scale row l / T for
// --k-scale-block T), each group quantized as max|x| / 127 (rounded to the
// scales' dtype) and round(x / s); the scales follow the other inputs, in
// attn.sdpa's operand order. Prints the max
// abs error and exits 0 when it is within --tol, 1 when not, 2 on errors.
// --dump DIR writes the inputs (as the reference read them) and the output
// to DIR as float64 / int32 little-endian files in [B, H, L, D] order, with
// DIR/shapes.txt naming each file's shape, for checks outside attnc (the
// ONNX import tests evaluate the ONNX graph on them).
// --scratch-limit BYTES first calls the entry once on a context whose
// scratch limit is BYTES (once per value of a comma-separated list, the
// output poisoned before each) and prints what happened (the status, and the
// bytes the context and the process still hold afterwards: 0 unless the
// failed call leaked), then lifts the limit and checks as usual.
// --numerics CASE puts non-finite or extreme values into the inputs
// (docs/Numerics.md, one case per row of its table) and checks the output
// element by element against the reference's defined answer: NaN where it
// is NaN, the same infinity where it is infinite, and within the tolerance
// (relative to the largest |V|) elsewhere.
// attn-check drives it; it has no LLVM dependency, so it can be built for
// other architectures and run under an emulator.
//
//===----------------------------------------------------------------------===//

#include "tools/attn-check/reference/Reference.h"

#include "attn/quant.h"
#include "attn/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace attn::ref;

namespace {
/// Default tolerance of --pv int8 (docs/Numerics.md).
constexpr double kPvInt8Tolerance = 1e-2;
// bf16 products (an allowance: tiles without a bf16 kernel compute in
// f32): the probabilities' bf16 rounding where P . V is bf16 (relative
// 2^-9 per weight), and, for f32 tiles, the factors' rounding the
// reference models.
constexpr double kBf16Tolerance = 4e-3;

using Tensor = const attn_tensor_t *;
/// Entry points take their inputs (3 to 9 tensors: query, key, value, then
/// the optional bias, kv_lengths, q_lengths, documents, key and value
/// scales; or attn.diff's four lambdas and gain) and the output.
attn_status_t callEntry(void *symbol, attn_context_t *ctx,
                        const std::vector<Tensor> &in, attn_tensor_t *out) {
  using F3 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor,
                               attn_tensor_t *);
  using F4 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               attn_tensor_t *);
  using F5 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               Tensor, attn_tensor_t *);
  using F6 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               Tensor, Tensor, attn_tensor_t *);
  using F7 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               Tensor, Tensor, Tensor, attn_tensor_t *);
  using F8 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               Tensor, Tensor, Tensor, Tensor, attn_tensor_t *);
  using F9 = attn_status_t (*)(attn_context_t *, Tensor, Tensor, Tensor, Tensor,
                               Tensor, Tensor, Tensor, Tensor, Tensor,
                               attn_tensor_t *);
  switch (in.size()) {
  case 3:
    return reinterpret_cast<F3>(symbol)(ctx, in[0], in[1], in[2], out);
  case 4:
    return reinterpret_cast<F4>(symbol)(ctx, in[0], in[1], in[2], in[3], out);
  case 5:
    return reinterpret_cast<F5>(symbol)(ctx, in[0], in[1], in[2], in[3], in[4],
                                        out);
  case 6:
    return reinterpret_cast<F6>(symbol)(ctx, in[0], in[1], in[2], in[3], in[4],
                                        in[5], out);
  case 7:
    return reinterpret_cast<F7>(symbol)(ctx, in[0], in[1], in[2], in[3], in[4],
                                        in[5], in[6], out);
  case 8:
    return reinterpret_cast<F8>(symbol)(ctx, in[0], in[1], in[2], in[3], in[4],
                                        in[5], in[6], in[7], out);
  default:
    return reinterpret_cast<F9>(symbol)(ctx, in[0], in[1], in[2], in[3], in[4],
                                        in[5], in[6], in[7], in[8], out);
  }
}

/// A contiguous f32 weight tensor (attn.diff's lambdas and gain, Linformer's
/// projections, Nystromformer's convolution).
struct Weights {
  std::vector<float> data;
  std::vector<double> exact;
  std::vector<int64_t> shape;
  attn_tensor_t desc;
  Weights(Uniform &rng, std::vector<int64_t> dims, double center, double spread)
      : shape(std::move(dims)) {
    int64_t n = 1;
    for (int64_t x : shape)
      n *= x;
    for (int64_t i = 0; i < n; ++i)
      data.push_back(static_cast<float>(center + spread * rng.next()));
    init();
  }
  /// Given values (weights embedded in the kernel), as f32.
  explicit Weights(const std::vector<double> &values)
      : shape{static_cast<int64_t>(values.size())} {
    for (double x : values)
      data.push_back(static_cast<float>(x));
    init();
  }

private:
  void init() {
    exact.assign(data.begin(), data.end());
    attn_tensor_init_contiguous(&desc, data.data(), ATTN_DTYPE_F32,
                                static_cast<int>(shape.size()), shape.data());
  }
};

/// An i32 tensor (lengths, document ids), contiguous.
struct IntTensor {
  std::vector<int32_t> data;
  attn_tensor_t desc;
  IntTensor(std::vector<int32_t> values, std::vector<int64_t> shape)
      : data(std::move(values)) {
    attn_tensor_init_contiguous(&desc, data.data(), ATTN_DTYPE_I32,
                                static_cast<int32_t>(shape.size()),
                                shape.data());
  }
};

/// Lengths for `batch` sequences of up to `n`: the first is random in
/// [1, n], then n (no padding), 0 (nothing kept: zeros), then random.
std::vector<int32_t> lengths(Uniform &rng, int64_t batch, int64_t n) {
  std::vector<int32_t> out;
  for (int64_t b = 0; b < batch; ++b) {
    int64_t r = 1 + static_cast<int64_t>((rng.next() + 1) / 2 * n);
    out.push_back(static_cast<int32_t>(b == 1   ? n
                                       : b == 2 ? 0
                                                : std::min(r, n)));
  }
  return out;
}

/// Document ids [batch, n]: sorted runs of random lengths (packed
/// sequences), or, unsorted, random ids among 3.
std::vector<int32_t> documents(Uniform &rng, int64_t batch, int64_t n,
                               bool sorted) {
  std::vector<int32_t> out;
  for (int64_t b = 0; b < batch; ++b) {
    int32_t id = 0;
    int64_t left = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (!sorted) {
        out.push_back(static_cast<int32_t>((rng.next() + 1) / 2 * 2.999));
        continue;
      }
      if (left == 0) {
        left = 1 + static_cast<int64_t>((rng.next() + 1) / 2 * (n / 3 + 1));
        ++id;
      }
      --left;
      out.push_back(id);
    }
  }
  return out;
}

[[noreturn]] void usage(const char *message) {
  std::fprintf(stderr, "attn-run: error: %s\n", message);
  std::exit(2);
}

bool parseShape(const char *s, int64_t out[4]) {
  return std::sscanf(s, "%lld,%lld,%lld,%lld", (long long *)&out[0],
                     (long long *)&out[1], (long long *)&out[2],
                     (long long *)&out[3]) == 4;
}

/// A tensor buffer in the storage dtype plus its fp64 view of the same
/// (rounded) values, laid out [B,H,L,X] or, for "bshd", [B,L,H,X] in memory
/// and described to the runtime with the corresponding strides.
///
/// With a block format, the buffer holds packed rows instead: described as
/// i8 [B,H,L,row bytes], `exact` holding the dequantized values.
struct Buffer {
  std::vector<unsigned char> bytes;
  std::vector<double> exact;
  attn_tensor_t desc;
  attn_block_format_t format = ATTN_BLOCK_FORMAT_INVALID;
  int64_t values = 0; // logical values a row

  Buffer(DType dtype, const int64_t shape[4], bool bshd,
         attn_block_format_t packed = ATTN_BLOCK_FORMAT_INVALID)
      : format(packed), values(shape[3]) {
    int64_t rowBytes = packed ? attn_block_row_bytes(packed, shape[3]) : 0;
    if (packed && rowBytes == 0)
      usage("a packed K/V head dim must be a positive multiple of 32");
    int64_t rowsN = shape[0] * shape[1] * shape[2];
    int64_t n = rowsN * shape[3];
    bytes.assign(packed ? static_cast<size_t>(rowsN * rowBytes) + 64
                        : static_cast<size_t>(n) * dtypeBytes(dtype) + 64,
                 0);
    exact.assign(static_cast<size_t>(n), 0.0);
    std::memset(&desc, 0, sizeof(desc));
    desc.data = bytes.data();
    desc.dtype = packed                ? ATTN_DTYPE_I8
                 : dtype == DType::F32 ? ATTN_DTYPE_F32
                 : dtype == DType::F16 ? ATTN_DTYPE_F16
                                       : ATTN_DTYPE_BF16;
    desc.rank = 4;
    for (int i = 0; i < 4; ++i)
      desc.sizes[i] = shape[i];
    if (packed)
      desc.sizes[3] = rowBytes;
    int64_t h = shape[1], l = shape[2], x = desc.sizes[3];
    if (bshd) {
      desc.strides[0] = l * h * x;
      desc.strides[1] = x;
      desc.strides[2] = h * x;
      desc.strides[3] = 1;
    } else {
      desc.strides[0] = h * l * x;
      desc.strides[1] = l * x;
      desc.strides[2] = x;
      desc.strides[3] = 1;
    }
  }
  /// Byte offset of logical element (b, h, l, x).
  size_t offset(int64_t b, int64_t h, int64_t l, int64_t x) const {
    return static_cast<size_t>(b * desc.strides[0] + h * desc.strides[1] +
                               l * desc.strides[2] + x * desc.strides[3]);
  }
  /// Fills a packed buffer row by row from `next()`: quantized with the
  /// format's rounding, `exact` the dequantized values.
  template <typename Next> void fillPacked(Next next) {
    std::vector<float> row(static_cast<size_t>(values));
    int64_t idx = 0;
    for (int64_t b = 0; b < desc.sizes[0]; ++b)
      for (int64_t h = 0; h < desc.sizes[1]; ++h)
        for (int64_t l = 0; l < desc.sizes[2]; ++l) {
          for (float &x : row)
            x = static_cast<float>(next());
          unsigned char *dst = bytes.data() + offset(b, h, l, 0);
          attn_quantize_row(format, row.data(), values, dst);
          attn_dequantize_row(format, dst, values, row.data());
          for (float x : row)
            exact[idx++] = x;
        }
  }
  /// Stores `x` (rounded to the dtype) at logical element (b, h, l, x) and
  /// returns the value the reference reads there.
  double set(DType dtype, int64_t b, int64_t h, int64_t l, int64_t col,
             double value) {
    unsigned char *dst =
        bytes.data() + offset(b, h, l, col) * dtypeBytes(dtype);
    store(dtype, value, dst);
    int64_t idx = ((b * desc.sizes[1] + h) * desc.sizes[2] + l) * values + col;
    return exact[static_cast<size_t>(idx)] = load(dtype, dst);
  }
  template <typename Fn> void forEach(Fn fn) {
    int64_t idx = 0;
    for (int64_t b = 0; b < desc.sizes[0]; ++b)
      for (int64_t h = 0; h < desc.sizes[1]; ++h)
        for (int64_t l = 0; l < desc.sizes[2]; ++l)
          for (int64_t x = 0; x < desc.sizes[3]; ++x)
            fn(idx++, offset(b, h, l, x));
  }
};

/// int8 K or V with a scales tensor (--k-scales / --v-scales): the i8
/// values [B, H, L, W] (laid out as the other tensors: --layout) and the
/// contiguous f32 / f16 scales [B | 1, H | 1, L | ceil(L / T) | 1, W | 1].
struct ScaledInt8 {
  int64_t shape[4] = {0, 0, 0, 0}, scaleShape[4] = {0, 0, 0, 0};
  int64_t block = 1;
  DType scaleType = DType::F32;
  std::vector<int8_t> values;
  std::vector<unsigned char> scales;
  attn_tensor_t valuesDesc, scalesDesc;

  /// The scale index of element (b, h, l, x).
  int64_t scaleIndex(int64_t b, int64_t h, int64_t l, int64_t x) const {
    const int64_t *s = scaleShape;
    int64_t i[4] = {s[0] == 1 ? 0 : b, s[1] == 1 ? 0 : h,
                    s[2] == 1 ? 0 : l / block, s[3] == 1 ? 0 : x};
    return ((i[0] * s[1] + i[1]) * s[2] + i[2]) * s[3] + i[3];
  }
  /// Quantizes the float inputs `x` ([B, H, L, W] in order) group by
  /// group into the values and scales; `exact` gets q * s.
  void quantize(const std::vector<double> &x, std::vector<double> &exact,
                bool bshd) {
    values.assign(x.size(), 0);
    attn_tensor_init_contiguous(&valuesDesc, values.data(), ATTN_DTYPE_I8, 4,
                                shape);
    if (bshd) {
      valuesDesc.strides[0] = shape[2] * shape[1] * shape[3];
      valuesDesc.strides[1] = shape[3];
      valuesDesc.strides[2] = shape[1] * shape[3];
    }
    int64_t n = scaleShape[0] * scaleShape[1] * scaleShape[2] * scaleShape[3];
    std::vector<double> amax(static_cast<size_t>(n), 0.0), scale(amax.size());
    auto each = [&](auto fn) {
      int64_t idx = 0;
      for (int64_t b = 0; b < shape[0]; ++b)
        for (int64_t h = 0; h < shape[1]; ++h)
          for (int64_t l = 0; l < shape[2]; ++l)
            for (int64_t c = 0; c < shape[3]; ++c, ++idx)
              fn(idx, scaleIndex(b, h, l, c),
                 b * valuesDesc.strides[0] + h * valuesDesc.strides[1] +
                     l * valuesDesc.strides[2] + c);
    };
    each([&](int64_t idx, int64_t si, int64_t) {
      amax[si] = std::max(amax[si], std::fabs(x[idx]));
    });
    size_t width = dtypeBytes(scaleType);
    scales.assign(static_cast<size_t>(n) * width, 0);
    for (int64_t i = 0; i < n; ++i) {
      store(scaleType, amax[i] / 127.0, scales.data() + i * width);
      scale[i] = load(scaleType, scales.data() + i * width);
    }
    exact.assign(x.size(), 0.0);
    each([&](int64_t idx, int64_t si, int64_t at) {
      double s = scale[si];
      double q = s > 0 ? std::round(x[idx] / s) : 0.0;
      q = std::max(-127.0, std::min(127.0, q));
      values[at] = static_cast<int8_t>(q);
      exact[idx] = q * s;
    });
    attn_tensor_init_contiguous(&scalesDesc, scales.data(),
                                scaleType == DType::F16 ? ATTN_DTYPE_F16
                                                        : ATTN_DTYPE_F32,
                                4, scaleShape);
  }
};

} // namespace

/// --dump: each tensor as a raw little-endian file, shapes in shapes.txt.
static bool dump(const char *dir, DType dtype, const Buffer &q, const Buffer &k,
                 const Buffer &v, Buffer &o, const Buffer *bias,
                 const std::vector<int64_t> &kvLengths) {
  std::string base = std::string(dir) + "/";
  std::ofstream shapes(base + "shapes.txt");
  auto write = [&](const char *name, const void *data, size_t bytes,
                   const std::vector<int64_t> &shape) {
    std::ofstream f(base + name, std::ios::binary);
    f.write(static_cast<const char *>(data),
            static_cast<std::streamsize>(bytes));
    shapes << name;
    for (int64_t d : shape)
      shapes << " " << d;
    shapes << "\n";
    return static_cast<bool>(f);
  };
  auto logical = [](const Buffer &b) {
    std::vector<int64_t> s(b.desc.sizes, b.desc.sizes + 4);
    if (b.format)
      s[3] = b.exact.size() / (s[0] * s[1] * s[2]);
    return s;
  };
  bool ok = true;
  ok &= write("q.f64", q.exact.data(), q.exact.size() * 8, logical(q));
  ok &= write("k.f64", k.exact.data(), k.exact.size() * 8, logical(k));
  ok &= write("v.f64", v.exact.data(), v.exact.size() * 8, logical(v));
  if (bias)
    ok &= write("bias.f64", bias->exact.data(), bias->exact.size() * 8,
                logical(*bias));
  if (!kvLengths.empty()) {
    std::vector<int32_t> lens(kvLengths.begin(), kvLengths.end());
    ok &= write("kv_lengths.i32", lens.data(), lens.size() * 4,
                {static_cast<int64_t>(lens.size())});
  }
  std::vector<double> out(o.exact.size());
  o.forEach([&](int64_t idx, size_t off) {
    out[idx] = load(dtype, o.bytes.data() + off * dtypeBytes(dtype));
  });
  ok &= write("out.f64", out.data(), out.size() * 8, logical(o));
  if (!ok || !shapes)
    std::fprintf(stderr, "attn-run: error: cannot write --dump files in %s\n",
                 dir);
  return ok && static_cast<bool>(shapes);
}

/// --numerics: rewrites the inputs for one row of docs/Numerics.md's table.
/// Non-finite cases put NaN (or +inf and -inf, alternating) at one element
/// of rows 0, L/2 and L-1 of the first and the last head of Q, K or V.
/// "large" scales Q and K by 16 (scores of a few hundred: exp overflows
/// fp32 without the max subtraction); "extreme" by 2^e, the largest whose
/// scores stay finite in fp32, and V to the largest magnitude whose sum
/// over Lk keys the fp32 accumulator holds (f16: its largest, 65504).
/// "denormal" scales every input into the storage type's subnormal range.
/// Sets the scale of the output (the largest |V|) and the error floor: for
/// "large", the fp32 rounding of the scores (relative 2^-20 of the largest
/// possible |score|, carried into the weights); for "denormal", the spacing
/// of subnormals.
static void injectNumerics(const std::string &which, DType dtype, double scale,
                           Buffer &q, Buffer &k, Buffer &v, double &valueScale,
                           double &floorErr) {
  const double inf = std::numeric_limits<double>::infinity();
  // One element of rows 0, L/2, L-1 of the first and the last (batch, head).
  auto poison = [&](Buffer &t, bool nan) {
    const int64_t *n = t.desc.sizes;
    const int64_t heads = n[0] * n[1], len = n[2], cols = t.values;
    if (len == 0 || cols == 0)
      return;
    int sign = 1;
    for (int64_t bh : {int64_t(0), heads - 1})
      for (int64_t l : {int64_t(0), len / 2, len - 1}) {
        int64_t col = (l * 7 + bh * 3 + 1) % cols;
        t.set(dtype, bh / n[1], bh % n[1], l, col,
              nan ? std::nan("") : sign * inf);
        sign = -sign;
      }
  };
  // Every element of `t` times `factor`.
  auto scaleBy = [&](Buffer &t, double factor) {
    const int64_t *n = t.desc.sizes;
    int64_t idx = 0;
    for (int64_t b = 0; b < n[0]; ++b)
      for (int64_t h = 0; h < n[1]; ++h)
        for (int64_t l = 0; l < n[2]; ++l)
          for (int64_t c = 0; c < t.values; ++c, ++idx)
            t.set(dtype, b, h, l, c,
                  t.exact[static_cast<size_t>(idx)] * factor);
  };
  auto maxAbs = [](const Buffer &t) {
    double m = 0;
    for (double x : t.exact)
      if (std::isfinite(x))
        m = std::max(m, std::fabs(x));
    return m;
  };
  const int64_t headDim = std::max<int64_t>(q.values, 1);
  const int64_t keys = std::max<int64_t>(k.desc.sizes[2], 1);
  if (scale <= 0)
    scale = 1 / std::sqrt(double(headDim));
  if (which == "q-nan" || which == "q-inf")
    poison(q, which == "q-nan");
  else if (which == "k-nan" || which == "k-inf")
    poison(k, which == "k-nan");
  else if (which == "v-nan" || which == "v-inf")
    poison(v, which == "v-nan");
  else if (which == "large") {
    scaleBy(q, 16);
    scaleBy(k, 16);
  } else if (which == "extreme") {
    // |score| <= scale * D * 2^2e < 2^126 (f16 holds 2^15 and 2^15^2 * D
    // is far inside fp32); |V| * Lk < 2^127.
    int log2D = static_cast<int>(std::ceil(std::log2(double(headDim))));
    int log2Lk = static_cast<int>(std::ceil(std::log2(double(keys))));
    int e = dtype == DType::F16 ? 15 : (126 - log2D) / 2;
    scaleBy(q, std::ldexp(1.0, e));
    scaleBy(k, std::ldexp(1.0, e));
    scaleBy(v, dtype == DType::F16 ? 65504.0 : std::ldexp(1.0, 127 - log2Lk));
  } else if (which == "denormal") {
    // Below the smallest normal of the storage type (f16: 2^-14; f32 and
    // bf16: 2^-126).
    double factor = std::ldexp(1.0, dtype == DType::F16 ? -15 : -130);
    for (Buffer *t : {&q, &k, &v})
      scaleBy(*t, factor);
  }
  double m = maxAbs(v);
  valueScale = which == "denormal" ? (m > 0 ? m : 1) : std::max(m, 1.0);
  if (which == "large")
    floorErr = valueScale * std::ldexp(1.0, -20) * scale * double(headDim) *
               maxAbs(q) * maxAbs(k);
  if (which == "denormal") {
    // The fp32 accumulation of Lk products spaced 2^-149, and the output's
    // rounding: half the subnormal spacing of f16; bf16 results below 2^-126
    // may flush to zero (x86's AVX512-BF16 conversion does).
    double out = dtype == DType::F16    ? std::ldexp(1.0, -25)
                 : dtype == DType::BF16 ? std::ldexp(1.0, -126)
                                        : std::ldexp(1.0, -150);
    floorErr = double(keys + 1) * std::ldexp(1.0, -150) + out;
  }
}

int main(int argc, char **argv) {
  const char *lib = nullptr, *entry = nullptr, *dumpDir = nullptr;
  int64_t qs[4] = {0}, ks[4] = {0}, vs[4] = {0}, bs[4] = {0};
  bool haveKvLengths = false, haveQLengths = false;
  std::string docsMode;
  bool haveQ = false, haveK = false, haveV = false, haveBias = false,
       bshd = false;
  std::string dtypeName = "f32", maskName = "none", modsText;
  std::string deviceName = "cpu";
  double scale = 0, tol = -1;
  bool tolGiven = false;
  bool qkInt8 = false, pvInt8 = false, qkBf16 = false, pvBf16 = false;
  bool smoothK = false;
  // A per-channel offset of the keys, the same at every position.
  double keyOffset = 0;
  int64_t topK = 0;
  bool ternary = false, diffMode = false;
  double lambdaInit = 0.8, epsilon = 1e-5;
  std::string diffWeights, numerics;
  // Low-rank methods: --linformer ROWS[,perhead][,separate],
  // --performer M,softmax|relu,orthogonal|iid,chi|constant,SEED[,causal],
  // --nystrom LANDMARKS,ITERATIONS[,CONV_WIDTH].
  std::string linformerSpec, performerSpec, nystromSpec;
  uint64_t seed = 1;
  int threads = 0, repeat = 1;
  // --scratch-limit BYTES[,BYTES...]: one limited call per value.
  std::vector<long long> scratchLimits;
  attn_block_format_t kFormat = ATTN_BLOCK_FORMAT_INVALID,
                      vFormat = ATTN_BLOCK_FORMAT_INVALID;
  // --k-scales / --v-scales: int8 K / V with scales of this shape.
  ScaledInt8 kScaled, vScaled;
  bool haveKScales = false, haveVScales = false;
  auto parseScales = [](const std::string &spec, ScaledInt8 &into) {
    std::string shape = spec;
    if (size_t colon = spec.find(':'); colon != std::string::npos) {
      shape = spec.substr(0, colon);
      std::string type = spec.substr(colon + 1);
      if (type != "f16" && type != "f32")
        usage("--k-scales / --v-scales: the scales' dtype is f32 or f16");
      into.scaleType = type == "f16" ? DType::F16 : DType::F32;
    }
    if (!parseShape(shape.c_str(), into.scaleShape))
      usage("--k-scales / --v-scales take B,H,L,W[:f16]");
    return true;
  };
  auto parseFormat = [](const std::string &name) {
    if (name == "q8_0")
      return ATTN_BLOCK_FORMAT_Q8_0;
    if (name == "q4_0")
      return ATTN_BLOCK_FORMAT_Q4_0;
    usage("--k-format / --v-format must be q8_0 or q4_0");
  };
  // attn-run --probe-vulkan: can a Vulkan device be created here?
  if (argc == 2 && std::string(argv[1]) == "--probe-vulkan") {
    attn_device_t *device = nullptr;
    if (attn_status_t st = attn_device_create_vulkan(nullptr, &device)) {
      std::printf("no Vulkan device: %s: %s\n",
                  attn_status_code_name(attn_status_code(st)),
                  attn_status_message(st));
      attn_status_free(st);
      return 1;
    }
    std::printf("%s\n", attn_device_name(device));
    attn_device_destroy(device);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--lib")
      lib = value();
    else if (a == "--entry")
      entry = value();
    else if (a == "--q")
      haveQ = parseShape(value(), qs);
    else if (a == "--k")
      haveK = parseShape(value(), ks);
    else if (a == "--v")
      haveV = parseShape(value(), vs);
    else if (a == "--dtype")
      dtypeName = value();
    else if (a == "--mask")
      maskName = value();
    else if (a == "--kv-lengths")
      haveKvLengths = true;
    else if (a == "--q-lengths")
      haveQLengths = true;
    else if (a == "--documents") {
      docsMode = value();
      if (docsMode != "sorted" && docsMode != "unsorted")
        usage("--documents must be sorted or unsorted");
    } else if (a == "--mods")
      modsText = value();
    else if (a == "--values") {
      std::string vals = value();
      if (vals != "uniform" && vals != "ternary")
        usage("--values must be uniform or ternary");
      ternary = vals == "ternary";
    } else if (a == "--diff") {
      diffMode = true;
      lambdaInit = std::atof(value());
    } else if (a == "--eps")
      epsilon = std::atof(value());
    else if (a == "--diff-weights")
      diffWeights = value();
    else if (a == "--linformer")
      linformerSpec = value();
    else if (a == "--performer")
      performerSpec = value();
    else if (a == "--nystrom")
      nystromSpec = value();
    else if (a == "--top-k")
      topK = std::atoll(value());
    else if (a == "--qk") {
      std::string name = value();
      if (name != "f32" && name != "int8" && name != "bf16")
        usage("--qk must be f32, int8 or bf16");
      qkInt8 = name == "int8";
      qkBf16 = name == "bf16";
    } else if (a == "--smooth-k") {
      smoothK = true;
    } else if (a == "--key-offset") {
      keyOffset = std::atof(value());
    } else if (a == "--pv") {
      std::string name = value();
      if (name != "f32" && name != "int8" && name != "bf16")
        usage("--pv must be f32, int8 or bf16");
      pvInt8 = name == "int8";
      pvBf16 = name == "bf16";
    } else if (a == "--k-scales")
      haveKScales = parseScales(value(), kScaled);
    else if (a == "--v-scales")
      haveVScales = parseScales(value(), vScaled);
    else if (a == "--k-scale-block")
      kScaled.block = std::atoll(value());
    else if (a == "--v-scale-block")
      vScaled.block = std::atoll(value());
    else if (a == "--k-format")
      kFormat = parseFormat(value());
    else if (a == "--v-format")
      vFormat = parseFormat(value());
    else if (a == "--bias")
      haveBias = parseShape(value(), bs);
    else if (a == "--scale")
      scale = std::atof(value());
    else if (a == "--seed")
      seed = std::strtoull(value(), nullptr, 10);
    else if (a == "--dump")
      dumpDir = value();
    else if (a == "--tol") {
      tol = std::atof(value());
      tolGiven = true;
    } else if (a == "--device") {
      deviceName = value();
      if (deviceName != "cpu" && deviceName != "vulkan")
        usage("--device must be cpu or vulkan");
    } else if (a == "--threads")
      threads = std::atoi(value());
    else if (a == "--repeat")
      repeat = std::atoi(value());
    else if (a == "--numerics") {
      numerics = value();
      static const char *cases[] = {"q-nan", "q-inf",   "k-nan",
                                    "k-inf", "v-nan",   "v-inf",
                                    "large", "extreme", "denormal"};
      if (std::find(std::begin(cases), std::end(cases), numerics) ==
          std::end(cases))
        usage("--numerics must be q-nan, q-inf, k-nan, k-inf, v-nan, v-inf, "
              "large, extreme or denormal");
    } else if (a == "--scratch-limit")
      for (const char *p = value(); *p;) {
        char *end = nullptr;
        long long x = std::strtoll(p, &end, 10);
        if (end == p || x < 0 || (*end && *end != ','))
          usage("--scratch-limit takes byte counts >= 0, comma-separated");
        scratchLimits.push_back(x);
        p = *end ? end + 1 : end;
      }
    else if (a == "--layout") {
      std::string l = value();
      if (l != "contiguous" && l != "bshd")
        usage("--layout must be contiguous or bshd");
      bshd = l == "bshd";
    } else
      usage(("unknown option " + a).c_str());
  }
  if (!lib || !entry || !haveQ || !haveK || !haveV)
    usage("need --lib, --entry, --q, --k and --v (shapes as B,H,L,D)");
  DType dtype;
  if (!parseDType(dtypeName, dtype))
    usage("--dtype must be f32, f16 or bf16");
  SdpaProblem p;
  p.batch = qs[0], p.heads = qs[1], p.qLen = qs[2], p.headDim = qs[3];
  p.kvHeads = ks[1], p.kvLen = ks[2], p.valueDim = vs[3];
  p.scale = scale;
  std::string maskError;
  if (!Mask::parse(maskName, p.mask, maskError))
    usage(("--mask: " + maskError).c_str());
  if (!ScoreMod::parseList(modsText, p.mods, maskError))
    usage(("--mods: " + maskError).c_str());
  if (topK < 0 || topK > ks[2])
    usage("--top-k must be in [0, Lk]");
  p.topK = topK;
  if (haveBias) {
    if ((bs[0] != 1 && bs[0] != qs[0]) || (bs[1] != 1 && bs[1] != qs[1]) ||
        bs[2] != qs[2] || bs[3] != ks[2])
      usage("--bias must be [B | 1, Hq | 1, Lq, Lk]");
    std::copy(bs, bs + 4, p.biasShape);
  }
  if (p.kvHeads <= 0 || p.heads % p.kvHeads != 0)
    usage("query heads must be a multiple of key heads");
  if (qkInt8 && qs[3] % 32 != 0)
    usage("--qk int8 needs a head dim that is a multiple of 32");
  if (smoothK && !qkInt8 && !qkBf16)
    usage("--smooth-k needs --qk int8 or --qk bf16");
  if (keyOffset != 0 && kFormat)
    usage("--key-offset needs float keys (no --k-format)");
  if (smoothK && kFormat)
    usage("--smooth-k needs float keys (no --k-format)");
  // int8 K / V with scales: contiguous, no block format, each scale
  // dimension 1 or the operand's (rows of blocks: ceil(L / T)).
  for (auto [have, sc, shape, format, name] :
       {std::tuple{haveKScales, &kScaled, ks, kFormat, "--k-scales"},
        std::tuple{haveVScales, &vScaled, vs, vFormat, "--v-scales"}}) {
    if (!have)
      continue;
    if (format || (smoothK && sc == &kScaled))
      usage((std::string(name) +
             ": int8 K / V with scales take no block format or --smooth-k")
                .c_str());
    if (sc->block < 1)
      usage("--k-scale-block / --v-scale-block must be at least 1");
    std::copy(shape, shape + 4, sc->shape);
    for (int d = 0; d < 4; ++d) {
      int64_t full = d == 2 ? (shape[2] + sc->block - 1) / sc->block : shape[d];
      if (sc->scaleShape[d] != 1 && sc->scaleShape[d] != full)
        usage((std::string(name) + " must be [B | 1, H | 1, L | ceil(L / T) "
                                   "| 1, W | 1]")
                  .c_str());
    }
  }
  if (pvInt8 && vs[3] % 32 != 0)
    usage("--pv int8 needs a value dim that is a multiple of 32");
  if (tol < 0)
    tol = dtype == DType::F32 ? 1e-4 : dtype == DType::F16 ? 2e-3 : 1.6e-2;
  // int8 P . V: the probabilities' 8-bit rounding (not modelled by the
  // reference) and, for tiles that keep P . V in f32, the values' int8
  // rounding that the reference does model (docs/Numerics.md).
  if (pvInt8 && !tolGiven)
    tol = std::max(tol, kPvInt8Tolerance);
  if ((qkBf16 || pvBf16) && !tolGiven)
    tol = std::max(tol, kBf16Tolerance);

  void *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "attn-run: error: cannot load %s: %s\n", lib,
                 dlerror());
    return 2;
  }
  void *symbol = dlsym(handle, entry);
  if (!symbol) {
    std::fprintf(stderr, "attn-run: error: %s has no entry point '%s'\n", lib,
                 entry);
    return 2;
  }

  // attn.diff: Q and K hold head pairs, the output has half the heads.
  int64_t os[4] = {qs[0], diffMode ? qs[1] / 2 : qs[1], qs[2], vs[3]};
  Buffer q(dtype, qs, bshd), k(dtype, ks, bshd, kFormat),
      v(dtype, vs, bshd, vFormat), o(dtype, os, bshd);
  // Without --bias the bias buffer is a 1-element placeholder, never used.
  int64_t placeholder[4] = {1, 1, 1, 1};
  Buffer bias(dtype, haveBias ? bs : placeholder, bshd);
  Uniform rng(seed);
  std::vector<Buffer *> inputs = {&q, &k, &v};
  if (haveBias)
    inputs.push_back(&bias);
  // Ternary inputs make scores small integers: exact, with many ties.
  auto nextValue = [&] {
    double x = rng.next();
    return ternary ? std::round(1.5 * x) : x;
  };
  // --key-offset: channel c of every key gets offsets[c].
  std::vector<double> offsets(static_cast<size_t>(ks[3]), 0.0);
  if (keyOffset != 0) {
    Uniform offsetRng(seed * 31 + 7);
    for (double &x : offsets)
      x = keyOffset * offsetRng.next();
  }
  for (Buffer *b : inputs) {
    if (b->format) {
      b->fillPacked(nextValue);
      continue;
    }
    // int8 with scales: the float inputs quantized group by group; the
    // entry reads the int8 values, the reference q * s.
    ScaledInt8 *sc = b == &k && haveKScales   ? &kScaled
                     : b == &v && haveVScales ? &vScaled
                                              : nullptr;
    if (sc) {
      std::vector<double> x(b->exact.size());
      for (size_t i = 0; i < x.size(); ++i)
        x[i] = nextValue() +
               (b == &k ? offsets[static_cast<size_t>(i % ks[3])] : 0.0);
      sc->quantize(x, b->exact, bshd);
      b->desc = sc->valuesDesc;
      continue;
    }
    b->forEach([&](int64_t idx, size_t off) {
      unsigned char *dst = b->bytes.data() + off * dtypeBytes(dtype);
      double x = nextValue();
      if (b == &k)
        x += offsets[static_cast<size_t>(idx % ks[3])];
      store(dtype, x, dst);
      b->exact[idx] = load(dtype, dst);
    });
  }
  double valueScale = 1, floorErr = 0;
  if (!numerics.empty()) {
    if (kFormat || vFormat || haveKScales || haveVScales || diffMode ||
        !linformerSpec.empty() || !performerSpec.empty() ||
        !nystromSpec.empty())
      usage("--numerics applies to attn.sdpa with float K and V");
    injectNumerics(numerics, dtype, scale, q, k, v, valueScale, floorErr);
  }
  // Run-time mask inputs, from their own generator.
  Uniform maskRng(seed * 7919 + 17);
  std::vector<Tensor> args = {&q.desc, &k.desc, &v.desc};
  // attn.diff's lambdas (small, as trained models have them) and gain.
  std::vector<std::unique_ptr<Weights>> vectors;
  if (diffMode && !diffWeights.empty()) {
    // Embedded in the kernel: the reference takes them, the entry does not.
    std::stringstream groups(diffWeights);
    std::string group;
    while (std::getline(groups, group, ';')) {
      std::vector<double> values;
      std::stringstream items(group);
      std::string item;
      while (std::getline(items, item, ','))
        values.push_back(std::atof(item.c_str()));
      vectors.push_back(std::make_unique<Weights>(values));
    }
    if (vectors.size() != 5 ||
        static_cast<int64_t>(vectors[4]->data.size()) != vs[3])
      usage("--diff-weights needs 5 groups: lambda_q1..lambda_k2, gain");
  } else if (diffMode) {
    for (int i = 0; i < 4; ++i)
      vectors.push_back(std::make_unique<Weights>(
          maskRng, std::vector<int64_t>{qs[3]}, 0.0, 0.2));
    vectors.push_back(std::make_unique<Weights>(
        maskRng, std::vector<int64_t>{vs[3]}, 1.0, 0.2));
    for (auto &vec : vectors)
      args.push_back(&vec->desc);
  }
  if (haveBias)
    args.push_back(&bias.desc);

  // Low-rank methods: their options, and their weights as inputs.
  auto fields = [](const std::string &spec) {
    std::vector<std::string> out;
    std::stringstream ss(spec);
    std::string item;
    while (std::getline(ss, item, ','))
      out.push_back(item);
    return out;
  };
  auto has = [](const std::vector<std::string> &f, const char *word) {
    return std::find(f.begin() + 1, f.end(), word) != f.end();
  };
  LowRankProblem lr;
  lr.batch = qs[0], lr.heads = qs[1], lr.kvHeads = ks[1], lr.qLen = qs[2];
  lr.kvLen = ks[2], lr.headDim = qs[3], lr.valueDim = vs[3], lr.scale = scale;
  int64_t linRows = 0;
  bool linPerHead = false, linSeparate = false;
  PerformerOptions perf;
  NystromOptions nys;
  if (!linformerSpec.empty()) {
    std::vector<std::string> f = fields(linformerSpec);
    linRows = std::atoll(f[0].c_str());
    linPerHead = has(f, "perhead");
    linSeparate = has(f, "separate");
    if (linRows < 1 || linRows > ks[2])
      usage("--linformer: rows must be in [1, Lk]");
    // Projections scaled so that E K has the magnitude of K.
    std::vector<int64_t> shape = {linRows, ks[2]};
    if (linPerHead)
      shape.insert(shape.begin(), ks[1]);
    double spread = 1.0 / std::sqrt(static_cast<double>(ks[2]));
    for (int i = 0; i < (linSeparate ? 2 : 1); ++i) {
      vectors.push_back(std::make_unique<Weights>(maskRng, shape, 0.0, spread));
      args.push_back(&vectors.back()->desc);
    }
  }
  if (!performerSpec.empty()) {
    std::vector<std::string> f = fields(performerSpec);
    if (f.size() < 5)
      usage("--performer M,softmax|relu,orthogonal|iid,chi|constant,SEED"
            "[,causal]");
    perf.features = std::atoll(f[0].c_str());
    perf.relu = f[1] == "relu";
    perf.orthogonal = f[2] == "orthogonal";
    perf.constantNorms = f[3] == "constant";
    perf.seed = std::strtoull(f[4].c_str(), nullptr, 10);
    perf.causal = f.size() > 5 && f[5] == "causal";
  }
  if (!nystromSpec.empty()) {
    std::vector<std::string> f = fields(nystromSpec);
    if (f.size() < 2)
      usage("--nystrom LANDMARKS,ITERATIONS[,CONV_WIDTH]");
    nys.landmarks = std::atoll(f[0].c_str());
    nys.iterations = std::atoll(f[1].c_str());
    nys.convWidth = f.size() > 2 ? std::atoll(f[2].c_str()) : 0;
    if (nys.convWidth > 0) {
      vectors.push_back(std::make_unique<Weights>(
          maskRng, std::vector<int64_t>{qs[1], nys.convWidth}, 0.0, 0.3));
      args.push_back(&vectors.back()->desc);
    }
  }
  std::vector<std::unique_ptr<IntTensor>> ints;
  auto addInts = [&](std::vector<int32_t> values, std::vector<int64_t> shape,
                     std::vector<int64_t> &into) {
    into.assign(values.begin(), values.end());
    ints.push_back(std::make_unique<IntTensor>(std::move(values), shape));
    args.push_back(&ints.back()->desc);
  };
  if (haveKvLengths)
    addInts(lengths(maskRng, qs[0], ks[2]), {qs[0]}, p.kvLengths);
  if (haveQLengths)
    addInts(lengths(maskRng, qs[0], qs[2]), {qs[0]}, p.qLengths);
  if (!docsMode.empty())
    addInts(documents(maskRng, qs[0], ks[2], docsMode == "sorted"),
            {qs[0], ks[2]}, p.docIds);
  if (haveKScales)
    args.push_back(&kScaled.scalesDesc);
  if (haveVScales)
    args.push_back(&vScaled.scalesDesc);
  // Poison the output so that elements the kernel fails to write show up.
  o.forEach([&](int64_t, size_t off) {
    store(dtype, std::nan(""), o.bytes.data() + off * dtypeBytes(dtype));
  });

  attn_context_options_t options;
  attn_context_options_initialize(&options);
  options.thread_count = threads;
  attn_device_t *device = nullptr;
  if (deviceName == "vulkan") {
    if (attn_status_t st = attn_device_create_vulkan(nullptr, &device)) {
      std::fprintf(stderr, "attn-run: error: no Vulkan device: %s: %s\n",
                   attn_status_code_name(attn_status_code(st)),
                   attn_status_message(st));
      attn_status_free(st);
      return 2;
    }
    options.device = device;
  }
  attn_context_t *ctx = nullptr;
  if (attn_status_t st = attn_context_create(&options, &ctx)) {
    std::fprintf(stderr, "attn-run: error: %s\n", attn_status_message(st));
    attn_status_free(st);
    attn_device_destroy(device);
    return 2;
  }
  for (long long scratchLimit : scratchLimits) {
    // Poisoned again before each limited call (an earlier one may have
    // succeeded and written it).
    o.forEach([&](int64_t, size_t off) {
      store(dtype, std::nan(""), o.bytes.data() + off * dtypeBytes(dtype));
    });
    if (attn_status_t st = attn_context_set_scratch_limit(ctx, scratchLimit)) {
      std::fprintf(stderr, "attn-run: error: %s\n", attn_status_message(st));
      attn_status_free(st);
      return 2;
    }
    attn_memory_stats_t before, after;
    attn_memory_stats(&before);
    const std::vector<unsigned char> poisoned = o.bytes;
    attn_status_t st = callEntry(symbol, ctx, args, &o.desc);
    attn_memory_stats(&after);
    // A refused call must leave the output as it was (the poison).
    int64_t written = 0, elements = 0;
    size_t width = dtypeBytes(dtype);
    o.forEach([&](int64_t, size_t off) {
      ++elements;
      written += std::memcmp(o.bytes.data() + off * width,
                             poisoned.data() + off * width, width) != 0;
    });
    std::string outputs =
        !st            ? ""
        : written == 0 ? "; outputs untouched"
                       : "; outputs: " + std::to_string(written) + " of " +
                             std::to_string(elements) + " elements written";
    std::printf("scratch limit %lld: %s%s%s; held after the call: %lld bytes "
                "(context), %lld bytes (process)%s\n",
                scratchLimit, attn_status_code_name(attn_status_code(st)),
                st ? ": " : "", st ? attn_status_message(st) : "",
                (long long)attn_context_scratch_bytes(ctx),
                (long long)(after.current_bytes - before.current_bytes),
                outputs.c_str());
    attn_status_free(st);
    attn_context_set_scratch_limit(ctx, 0);
  }
  double bestMs = 1e300;
  for (int r = 0; r < std::max(repeat, 1); ++r) {
    auto t0 = std::chrono::steady_clock::now();
    attn_status_t st = callEntry(symbol, ctx, args, &o.desc);
    auto t1 = std::chrono::steady_clock::now();
    if (st) {
      std::fprintf(stderr, "attn-run: error: %s: %s\n",
                   attn_status_code_name(attn_status_code(st)),
                   attn_status_message(st));
      attn_status_free(st);
      attn_context_destroy(ctx);
      attn_device_destroy(device);
      return 2;
    }
    bestMs = std::min(
        bestMs, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  attn_context_destroy(ctx);
  attn_device_destroy(device);

  std::vector<double> expected(
      static_cast<size_t>(os[0] * os[1] * os[2] * os[3]));
  if (!linformerSpec.empty()) {
    linformer(lr, linRows, linPerHead, q.exact.data(), k.exact.data(),
              v.exact.data(), vectors[0]->exact.data(),
              linSeparate ? vectors[1]->exact.data() : nullptr,
              expected.data());
  } else if (!performerSpec.empty()) {
    performer(lr, perf, q.exact.data(), k.exact.data(), v.exact.data(),
              expected.data());
  } else if (!nystromSpec.empty()) {
    nystrom(lr, nys, q.exact.data(), k.exact.data(), v.exact.data(),
            nys.convWidth > 0 ? vectors[0]->exact.data() : nullptr,
            expected.data());
  } else if (diffMode) {
    DiffProblem dp;
    dp.batch = qs[0], dp.heads = qs[1] / 2, dp.kvHeads = ks[1] / 2;
    dp.qLen = qs[2], dp.kvLen = ks[2], dp.headDim = qs[3];
    dp.scale = scale, dp.lambdaInit = lambdaInit, dp.epsilon = epsilon;
    dp.mask = p.mask;
    diff(dp, q.exact.data(), k.exact.data(), v.exact.data(),
         vectors[0]->exact.data(), vectors[1]->exact.data(),
         vectors[2]->exact.data(), vectors[3]->exact.data(),
         vectors[4]->exact.data(), expected.data());
  } else if (qkInt8 || pvInt8 || qkBf16 || pvBf16) {
    // The int8 path's query values, scaled: the reference's scores are then
    // exactly the kernel's d_q d_k (q . k).
    // Float keys are quantized by the kernel too, block-quantized ones
    // are exact already.
    // int8 P . V: the values as the kernel quantizes them.
    std::vector<double> qInt8, kInt8, vInt8;
    SdpaProblem scaled = p;
    const double *qRef = q.exact.data(), *kRef = k.exact.data(),
                 *vRef = v.exact.data();
    // smooth_k: the keys minus their mean, before any quantization.
    std::vector<double> kSmooth;
    if (smoothK && !(qkBf16 && topK)) {
      kSmooth = smoothedKeys(p, kRef);
      kRef = kSmooth.data();
    }
    if (qkInt8) {
      qInt8 = int8Queries(p, qRef);
      qRef = qInt8.data();
      scaled.scale = 1;
      if (!kFormat) {
        kInt8 = int8Keys(p, kRef);
        kRef = kInt8.data();
      }
    }
    if (pvInt8) {
      vInt8 = int8Values(p, vRef);
      vRef = vInt8.data();
    }
    // bf16 products: the factors rounded as the kernel rounds them (the
    // scaled query, the keys as stored or dequantized, the values).
    // Top-k selects among f32 scores (its lowerings take no bf16 product),
    // and a selection is not within any tolerance of one made on rounded
    // scores: its keys are not rounded.
    if (qkBf16 && !topK) {
      qInt8 = bf16Rounded(qRef, p.queryElements(), queryScale(p));
      qRef = qInt8.data();
      scaled.scale = 1;
      kInt8 = bf16Rounded(kRef, p.keyElements(), 1.0f);
      kRef = kInt8.data();
    }
    if (pvBf16) {
      vInt8 = bf16Rounded(vRef, p.valueElements(), 1.0f);
      vRef = vInt8.data();
    }
    sdpa(scaled, qRef, kRef, vRef, expected.data(),
         haveBias ? bias.exact.data() : nullptr);
  } else {
    sdpa(p, q.exact.data(), k.exact.data(), v.exact.data(), expected.data(),
         haveBias ? bias.exact.data() : nullptr);
  }
  if (dumpDir && !dump(dumpDir, dtype, q, k, v, o, haveBias ? &bias : nullptr,
                       p.kvLengths))
    return 2;
  // Element by element: NaN where the reference is NaN, the same infinity
  // where it is infinite, within the tolerance elsewhere (relative to the
  // largest |V| for --numerics, whose values may be far from 1).
  double maxErr = 0, allowed = tol * valueScale + floorErr;
  int64_t worst = 0, nanWant = 0, nanGot = 0, infWant = 0, infGot = 0;
  o.forEach([&](int64_t idx, size_t off) {
    double got = load(dtype, o.bytes.data() + off * dtypeBytes(dtype));
    double want = expected[idx];
    nanWant += std::isnan(want), nanGot += std::isnan(got);
    infWant += std::isinf(want), infGot += std::isinf(got);
    double err = std::fabs(got - want);
    if (std::isnan(want) || std::isinf(want))
      err = std::isnan(want) ? (std::isnan(got) ? 0 : INFINITY)
                             : (got == want ? 0 : INFINITY);
    else if (!std::isfinite(got))
      err = INFINITY;
    if (err > maxErr || (idx == 0 && err == maxErr)) {
      maxErr = err;
      worst = idx;
    }
  });
  bool pass = maxErr <= allowed;
  std::string modsNote;
  if (haveBias)
    modsNote += " bias";
  if (!modsText.empty())
    modsNote += " mods=" + modsText;
  if (topK)
    modsNote += " top_k=" + std::to_string(topK);
  if (haveKvLengths)
    modsNote += " kv_lengths";
  if (haveQLengths)
    modsNote += " q_lengths";
  if (!docsMode.empty())
    modsNote += " documents=" + docsMode;
  if (qkInt8)
    modsNote += " qk=int8";
  if (pvInt8)
    modsNote += " pv=int8";
  if (qkBf16)
    modsNote += " qk=bf16";
  if (pvBf16)
    modsNote += " pv=bf16";
  if (smoothK)
    modsNote += " smooth_k";
  if (keyOffset != 0) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), " key_offset=%g", keyOffset);
    modsNote += buf;
  }
  if (kFormat)
    modsNote += std::string(" k=") + attn_block_format_name(kFormat);
  if (vFormat)
    modsNote += std::string(" v=") + attn_block_format_name(vFormat);
  for (auto [have, sc, side] : {std::tuple{haveKScales, &kScaled, " k"},
                                std::tuple{haveVScales, &vScaled, " v"}}) {
    if (!have)
      continue;
    char buf[96];
    const int64_t *ss = sc->scaleShape;
    std::snprintf(buf, sizeof(buf), "%s=int8 scales[%lld,%lld,%lld,%lld]%s",
                  side, (long long)ss[0], (long long)ss[1], (long long)ss[2],
                  (long long)ss[3], sc->scaleType == DType::F16 ? "f16" : "");
    modsNote += buf;
    if (sc->block > 1)
      modsNote += "/" + std::to_string(sc->block);
  }
  if (!numerics.empty()) {
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  " numerics=%s (NaN %lld of %lld expected, inf %lld of %lld)",
                  numerics.c_str(), (long long)nanGot, (long long)nanWant,
                  (long long)infGot, (long long)infWant);
    modsNote += buf;
  }
  if (diffMode) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " diff(lambda_init=%.6g)", lambdaInit);
    modsNote += buf;
  }
  if (!linformerSpec.empty())
    modsNote += " linformer(" + linformerSpec + ")";
  if (!performerSpec.empty())
    modsNote += " performer(" + performerSpec + ")";
  if (!nystromSpec.empty())
    modsNote += " nystrom(" + nystromSpec + ")";
  // Long layouts are shown by their start.
  std::string maskNote =
      maskName.size() > 80 ? maskName.substr(0, 77) + "..." : maskName;
  std::printf("%s %s: Q[%lld,%lld,%lld,%lld] K[%lld,%lld,%lld,%lld] "
              "Dv=%lld %s mask=%s%s layout=%s: max_abs_err=%.3g (tol %.3g) "
              "at element %lld, time %.3f ms\n",
              pass ? "PASS" : "FAIL", entry, (long long)qs[0], (long long)qs[1],
              (long long)qs[2], (long long)qs[3], (long long)ks[0],
              (long long)ks[1], (long long)ks[2], (long long)ks[3],
              (long long)vs[3], dtypeName.c_str(), maskNote.c_str(),
              modsNote.c_str(), bshd ? "bshd" : "contiguous", maxErr, allowed,
              (long long)worst, bestMs);
  return pass ? 0 : 1;
}
