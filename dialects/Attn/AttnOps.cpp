//===- AttnOps.cpp - attn dialect operations ------------------------------===//
//
// Verifiers, shape helpers and canonicalization patterns of the attn ops.
//
//===----------------------------------------------------------------------===//

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

#define GET_OP_CLASSES
#include "dialects/Attn/AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

namespace {
/// Dimension indices of the 4-D operands, [B, H, L, D] (SEMANTICS.md).
enum Dim : unsigned { kBatch = 0, kHeads = 1, kLen = 2, kWidth = 3 };

std::string dimToString(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

/// Checks that two dimensions agree when both are static; emits
/// "<what> mismatch: <a-name> has A but <b-name> has B" otherwise.
LogicalResult checkSame(Operation *op, StringRef what, StringRef aName,
                        int64_t a, StringRef bName, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b)
    return success();
  return op->emitOpError() << what << " mismatch: " << aName << " has " << a
                           << " but " << bName << " has " << b;
}

/// Checks that the query, key, value and result (rank 4) agree on the batch
/// size.
LogicalResult checkBatchSizes(Operation *op, ArrayRef<int64_t> q,
                              ArrayRef<int64_t> k, ArrayRef<int64_t> v,
                              ArrayRef<int64_t> o) {
  std::pair<StringRef, ArrayRef<int64_t>> others[] = {
      {"key", k}, {"value", v}, {"result", o}};
  for (auto [name, shape] : others)
    if (failed(checkSame(op, "batch size", "query", q[kBatch], name,
                         shape[kBatch])))
      return failure();
  return success();
}

/// The first static value among `dims`, or dynamic.
int64_t firstStatic(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims)
    if (!ShapedType::isDynamic(d))
      return d;
  return ShapedType::kDynamic;
}
} // namespace

//===----------------------------------------------------------------------===//
// SdpaOp
//===----------------------------------------------------------------------===//

std::optional<double> SdpaOp::getStaticScale() {
  if (std::optional<APFloat> s = getScale())
    return s->convertToDouble();
  int64_t d = getHeadDim();
  if (ShapedType::isDynamic(d) || d <= 0)
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(d));
}

SdpaOp SdpaOp::createPlain(OpBuilder &builder, Location loc, Value query,
                           Value key, Value value, FloatAttr scale,
                           MaskAttrInterface mask, Type elementType) {
  ArrayRef<int64_t> q = cast<RankedTensorType>(query.getType()).getShape();
  ArrayRef<int64_t> v = cast<RankedTensorType>(value.getType()).getShape();
  auto type = RankedTensorType::get({q[kBatch], q[kHeads], q[kLen], v[kWidth]},
                                    elementType);
  return SdpaOp::create(builder, loc, type, query, key, value,
                        /*bias=*/Value(), /*kv_lengths=*/Value(),
                        /*q_lengths=*/Value(), /*doc_ids=*/Value(),
                        /*key_scales=*/Value(), /*value_scales=*/Value(), scale,
                        mask,
                        /*modifiers=*/ArrayAttr(), /*top_k=*/IntegerAttr(),
                        /*key_format=*/BlockFormatAttr(),
                        /*value_format=*/BlockFormatAttr(),
                        /*qk_precision=*/PrecisionAttr(),
                        /*pv_precision=*/PrecisionAttr(),
                        /*smooth_k=*/false, /*key_scale_block=*/IntegerAttr(),
                        /*value_scale_block=*/IntegerAttr());
}

SdpaOp::SmoothKObstacle SdpaOp::smoothKObstacle() {
  std::optional<Precision> qk = getQkPrecision();
  if (!qk || *qk == Precision::f32)
    return SmoothKObstacle::F32Scores;
  if (hasPackedKey() || hasScaledKey())
    return SmoothKObstacle::PackedKeys;
  if (!getScoreMod().empty())
    return SmoothKObstacle::ScoreMod;
  if (std::optional<ArrayAttr> mods = getModifiers())
    if (llvm::any_of(*mods, llvm::IsaPred<SoftcapAttr>))
      return SmoothKObstacle::Softcap;
  return SmoothKObstacle::None;
}

RankedTensorType SdpaOp::inferResultType() {
  ArrayRef<int64_t> q = getQueryType().getShape();
  ArrayRef<int64_t> k = getKeyType().getShape();
  ArrayRef<int64_t> v = getValueType().getShape();
  ArrayRef<int64_t> o = getResultType().getShape();
  SmallVector<int64_t, 4> shape = {
      firstStatic({q[kBatch], k[kBatch], v[kBatch], o[kBatch]}),
      firstStatic({q[kHeads], o[kHeads]}), firstStatic({q[kLen], o[kLen]}),
      getValueDim()};
  return RankedTensorType::get(shape, getResultType().getElementType());
}

namespace {
/// The block formats of an op's key and value operands (none: floats).
struct PackedOperands {
  std::optional<BlockFormat> key, value;
  /// Whether the key / value operand holds int8 values with a scales
  /// operand.
  bool keyScaled = false, valueScaled = false;
};

/// The logical width (values per row) of a packed operand `name` whose
/// rows hold `bytes` bytes of `format` blocks, given the width `width` that
/// the float operand `from` ("query" or "result") declares. Checks that
/// `width` is a static multiple of the block and `bytes` its packed size.
FailureOr<int64_t> packedWidth(Operation *op, StringRef name, StringRef from,
                               BlockFormat format, int64_t width,
                               int64_t bytes) {
  StringRef fmt = stringifyBlockFormat(format);
  int64_t block = blockValues(format);
  if (ShapedType::isDynamic(width))
    return op->emitOpError()
           << name << " holds " << fmt << " blocks, so the " << from
           << " head dim must be static (it sizes the packed rows)";
  if (width % block != 0)
    return op->emitOpError()
           << name << " holds " << fmt << " blocks of " << block
           << " values, but the " << from << " head dim " << width
           << " is not a multiple of " << block;
  int64_t expected = packedRowBytes(format, width);
  if (bytes != expected)
    return op->emitOpError()
           << name << " rows of " << width << " " << fmt << " values are "
           << expected << " bytes (" << width / block << " blocks of "
           << blockBytes(format) << "), but its last dimension is "
           << dimToString(bytes);
  return width;
}
} // namespace

/// The shape rules every attention op on Q [B, Hq, Lq, D], K [B, Hkv, Lk,
/// D], V [B, Hkv, Lk, Dv] and O [B, Hq, Lq, Dv] shares: ranks, one element
/// type (or i8 bytes for packed K/V), agreeing dimensions, Hkv dividing Hq,
/// a valid `scale`.
static LogicalResult verifyAttentionShapes(Operation *op, Value query,
                                           Value key, Value value, Value result,
                                           std::optional<APFloat> scale,
                                           PackedOperands packed = {}) {
  auto qType = cast<RankedTensorType>(query.getType());
  auto err = [&] { return op->emitOpError(); };
  struct Named {
    StringRef name;
    RankedTensorType type;
    StringRef layout;
  } operands[] = {
      {"query", qType, "[B, Hq, Lq, D]"},
      {"key", cast<RankedTensorType>(key.getType()), "[B, Hkv, Lk, D]"},
      {"value", cast<RankedTensorType>(value.getType()), "[B, Hkv, Lk, Dv]"},
      {"result", cast<RankedTensorType>(result.getType()), "[B, Hq, Lq, Dv]"}};
  for (const Named &n : operands)
    if (n.type.getRank() != 4)
      return err() << n.name << " must be rank 4 " << n.layout
                   << ", found rank " << n.type.getRank();
  Type qElt = qType.getElementType();
  std::optional<BlockFormat> formats[] = {std::nullopt, packed.key,
                                          packed.value, std::nullopt};
  bool scaled[] = {false, packed.keyScaled, packed.valueScaled, false};
  for (auto [n, format, isScaled] : llvm::zip(operands, formats, scaled)) {
    Type elt = n.type.getElementType();
    if (format && isScaled)
      return err() << n.name << " names both a block format and " << n.name
                   << "_scales: " << stringifyBlockFormat(*format)
                   << " blocks carry their own scales";
    if (format && !elt.isInteger(8))
      return err() << n.name << " holds " << stringifyBlockFormat(*format)
                   << " blocks and must be i8 bytes, found " << elt;
    if (isScaled && !elt.isInteger(8))
      return err() << n.name << " has " << n.name
                   << "_scales, so it holds int8 values and must be i8, found "
                   << elt;
    if (isScaled && n.type.isDynamicDim(kWidth))
      return err() << n.name << " holds int8 values with " << n.name
                   << "_scales, which need a static head dim";
    if (!format && !isScaled && elt.isInteger(8))
      return err() << n.name << " holds i8 bytes but names no block format "
                   << "(" << n.name << "_format = #attn.block_format<q8_0> "
                   << "or <q4_0>) and has no " << n.name << "_scales";
    if (!format && !isScaled && elt != qElt)
      return err() << n.name << " element type " << elt
                   << " differs from the query element type " << qElt;
  }

  ArrayRef<int64_t> q = operands[0].type.getShape(),
                    o = operands[3].type.getShape();
  // Packed K/V: their last dimension counts bytes; compare values.
  SmallVector<int64_t, 4> k(operands[1].type.getShape()),
      v(operands[2].type.getShape());
  struct PackedSide {
    std::optional<BlockFormat> format;
    StringRef name, from;
    int64_t declared; // the float operand's head dim
    int64_t &width;
  } sides[] = {{packed.key, "key", "query", q[kWidth], k[kWidth]},
               {packed.value, "value", "result", o[kWidth], v[kWidth]}};
  for (PackedSide &side : sides) {
    if (!side.format)
      continue;
    FailureOr<int64_t> width = packedWidth(
        op, side.name, side.from, *side.format, side.declared, side.width);
    if (failed(width))
      return failure();
    side.width = *width;
  }
  if (failed(checkBatchSizes(op, q, k, v, o)) ||
      failed(checkSame(op, "key/value head count", "key", k[kHeads], "value",
                       v[kHeads])) ||
      failed(checkSame(op, "key/value sequence length", "key", k[kLen], "value",
                       v[kLen])) ||
      failed(checkSame(op, "head dim", "query", q[kWidth], "key", k[kWidth])) ||
      failed(checkSame(op, "query head count", "query", q[kHeads], "result",
                       o[kHeads])) ||
      failed(checkSame(op, "query sequence length", "query", q[kLen], "result",
                       o[kLen])) ||
      failed(
          checkSame(op, "value dim", "value", v[kWidth], "result", o[kWidth])))
    return failure();

  int64_t hkv = firstStatic({k[kHeads], v[kHeads]});
  if (hkv == 0)
    return err() << "key head count must be positive, found 0";
  if (!ShapedType::isDynamic(hkv) && !ShapedType::isDynamic(q[kHeads]) &&
      q[kHeads] % hkv != 0)
    return err() << "key head count " << hkv
                 << " does not divide query head count " << q[kHeads];
  if (scale) {
    double s = scale->convertToDouble();
    if (!std::isfinite(s) || s <= 0.0)
      return err() << "scale must be a finite positive number, found " << s;
  }
  return success();
}

/// The scales of an int8 key or value operand `name` (shape `kv`):
/// [B | 1, Hkv | 1, Lk | ceil(Lk / T) | 1, W | 1], a static 1 broadcasting,
/// and `block` (T) only with scales, at least 1, with a static Lk.
static LogicalResult verifyScales(Operation *op, StringRef name, Value scales,
                                  std::optional<int64_t> block,
                                  ArrayRef<int64_t> kv) {
  auto err = [&] { return op->emitOpError(); };
  std::string scalesName = (name + "_scales").str();
  if (!scales) {
    if (block)
      return err() << name << "_scale_block needs " << scalesName;
    return success();
  }
  int64_t t = block.value_or(1);
  if (t < 1)
    return err() << name << "_scale_block must be at least 1, found " << t;
  auto type = cast<RankedTensorType>(scales.getType());
  if (type.getRank() != 4)
    return err() << scalesName << " must be rank 4 [B | 1, Hkv | 1, Lk | "
                 << "ceil(Lk / T) | 1, " << (name == "key" ? "D" : "Dv")
                 << " | 1], found rank " << type.getRank();
  ArrayRef<int64_t> s = type.getShape();
  const char *names[] = {"batch size", "key/value head count",
                         "key sequence length",
                         name == "key" ? "head dim" : "value dim"};
  for (int i = 0; i < 4; ++i) {
    if (s[i] == 1)
      continue; // broadcast
    if (i == kLen && t > 1) {
      if (ShapedType::isDynamic(kv[kLen]))
        return err() << name << "_scale_block = " << t
                     << " needs a static key length (" << scalesName
                     << " holds ceil(Lk / " << t << ") rows)";
      int64_t rows = (kv[kLen] + t - 1) / t;
      if (s[i] != rows)
        return err() << scalesName << " holds " << dimToString(s[i])
                     << " rows, but blocks of " << t << " of the " << kv[kLen]
                     << " key positions need " << rows
                     << " (or 1 to broadcast)";
      continue;
    }
    if (failed(checkSame(op, names[i], scalesName, s[i], name, kv[i])))
      return failure();
  }
  return success();
}

int64_t SdpaOp::getHeadDim() {
  int64_t d = getQueryType().getDimSize(kWidth);
  return hasPackedKey() ? d : firstStatic({d, getKeyType().getDimSize(kWidth)});
}

int64_t SdpaOp::getValueDim() {
  int64_t dv = getResultType().getDimSize(kWidth);
  return hasPackedValue()
             ? dv
             : firstStatic({dv, getValueType().getDimSize(kWidth)});
}

LogicalResult SdpaOp::verify() {
  Operation *op = getOperation();
  PackedOperands packed;
  if (BlockFormatAttr f = getKeyFormatAttr())
    packed.key = f.getValue();
  if (BlockFormatAttr f = getValueFormatAttr())
    packed.value = f.getValue();
  packed.keyScaled = hasScaledKey();
  packed.valueScaled = hasScaledValue();
  if (failed(verifyAttentionShapes(op, getQuery(), getKey(), getValue(),
                                   getResult(), getScale(), packed)))
    return failure();
  ArrayRef<int64_t> q = getQueryType().getShape();
  ArrayRef<int64_t> k = getKeyType().getShape();
  ArrayRef<int64_t> v = getValueType().getShape();
  ArrayRef<int64_t> o = getResultType().getShape();
  int64_t lk = firstStatic({k[kLen], v[kLen]});
  if (failed(verifyScales(op, "key", getKeyScales(), getKeyScaleBlock(), k)) ||
      failed(
          verifyScales(op, "value", getValueScales(), getValueScaleBlock(), v)))
    return failure();
  if (std::optional<int64_t> topK = getTopK()) {
    if (*topK < 1)
      return emitOpError() << "top_k must be at least 1, found " << *topK;
    if (!ShapedType::isDynamic(lk) && *topK > lk)
      return emitOpError() << "top_k " << *topK
                           << " is larger than the key length " << lk;
  }
  if (std::optional<MaskAttrInterface> mask = getMask())
    if (failed(mask->verifyShape([&] { return emitOpError(); }, q[kHeads],
                                 q[kLen], lk)))
      return failure();
  if (std::optional<ArrayAttr> mods = getModifiers())
    for (Attribute a : *mods)
      if (failed(cast<ScoreModAttrInterface>(a).verifyShape(
              [&] { return emitOpError(); }, q[kHeads])))
        return failure();

  // bias: [B | 1, Hq | 1, Lq, Lk], any float type.
  if (Value bias = getBias()) {
    auto type = cast<RankedTensorType>(bias.getType());
    if (type.getRank() != 4)
      return emitOpError() << "bias must be rank 4 [B | 1, Hq | 1, Lq, Lk], "
                              "found rank "
                           << type.getRank();
    ArrayRef<int64_t> bs = type.getShape();
    const char *names[] = {"batch size", "query head count",
                           "query sequence length", "key sequence length"};
    int64_t expected[] = {q[kBatch], q[kHeads], q[kLen], lk};
    for (int i = 0; i < 4; ++i) {
      bool broadcast = i < 2 && bs[i] == 1;
      if (!broadcast &&
          failed(checkSame(op, names[i], "bias", bs[i],
                           i == 3 ? "key" : "query", expected[i])))
        return failure();
    }
  }

  // Run-time masks: lengths [B], document ids [B, Lk].
  struct RuntimeMask {
    Value value;
    StringRef name;
    unsigned rank;
  } runtimeMasks[] = {{getKvLengths(), "kv_lengths", 1},
                      {getQLengths(), "q_lengths", 1},
                      {getDocIds(), "documents", 2}};
  for (const RuntimeMask &m : runtimeMasks) {
    if (!m.value)
      continue;
    auto type = cast<RankedTensorType>(m.value.getType());
    if (type.getRank() != m.rank)
      return emitOpError() << m.name << " must be rank " << m.rank
                           << (m.rank == 1 ? " [B]" : " [B, Lk]")
                           << ", found rank " << type.getRank();
    if (failed(checkSame(op, "batch size", m.name, type.getDimSize(0), "query",
                         q[kBatch])) ||
        (m.rank == 2 && failed(checkSame(op, "key sequence length", m.name,
                                         type.getDimSize(1), "key", lk))))
      return failure();
  }

  // int8 scores multiply 8-bit integers: the query, and float keys, are
  // quantized in the kernel per 32 values of D (packed keys already require
  // a static multiple of 32).
  if (std::optional<Precision> qk = getQkPrecision();
      qk && *qk == Precision::int8 && !packed.key &&
      (ShapedType::isDynamic(q[kWidth]) || q[kWidth] % 32 != 0)) {
    InFlightDiagnostic d = emitOpError()
                           << "qk_precision int8 quantizes the query and "
                              "float keys per 32 values of the head "
                              "dimension, which must be a static multiple "
                              "of 32, found ";
    if (ShapedType::isDynamic(q[kWidth]))
      d << "a dynamic head dimension";
    else
      d << "D = " << q[kWidth];
    return d;
  }

  // int8 P . V quantizes the value rows per channel, in vectors of 32
  // columns.
  if (std::optional<Precision> pv = getPvPrecision();
      pv && *pv == Precision::int8 &&
      (ShapedType::isDynamic(o[kWidth]) || o[kWidth] % 32 != 0)) {
    InFlightDiagnostic d = emitOpError()
                           << "pv_precision int8 needs a value dimension "
                              "that is a static multiple of 32, found ";
    if (ShapedType::isDynamic(o[kWidth]))
      d << "a dynamic value dimension";
    else
      d << "Dv = " << o[kWidth];
    return d;
  }

  // smooth_k shifts every score of a query row by q . mean(K), which the
  // softmax cancels; it changes only how the keys are quantized.
  switch (getSmoothK() ? smoothKObstacle() : SmoothKObstacle::None) {
  case SmoothKObstacle::None:
    break;
  case SmoothKObstacle::F32Scores:
    return emitOpError() << "smooth_k subtracts the keys' channel mean "
                            "before they are quantized; it needs "
                            "qk_precision int8 or bf16";
  case SmoothKObstacle::PackedKeys:
    if (!packed.key)
      return emitOpError() << "smooth_k needs float keys: int8 keys with "
                              "key_scales are quantized as stored";
    return emitOpError() << "smooth_k needs float keys: block-quantized keys ("
                         << stringifyBlockFormat(*packed.key)
                         << ") are multiplied as stored";
  case SmoothKObstacle::ScoreMod:
    return emitOpError() << "smooth_k shifts each row's scores, which a "
                            "score_mod region need not leave the "
                            "probabilities invariant under";
  case SmoothKObstacle::Softcap:
    return emitOpError() << "smooth_k shifts each row's scores, and "
                            "#attn.softcap does not commute with a shift";
  }

  // score_mod: (f32, index, index, index, index) -> f32.
  Region &region = getScoreMod();
  if (!region.empty()) {
    Block &block = region.front();
    Builder b(getContext());
    SmallVector<Type> expectedArgs = {b.getF32Type(), b.getIndexType(),
                                      b.getIndexType(), b.getIndexType(),
                                      b.getIndexType()};
    if (block.getArgumentTypes() != ArrayRef<Type>(expectedArgs))
      return emitOpError()
             << "score_mod region must take (score: f32, batch: index, "
                "head: index, q: index, k: index), found "
             << block.getNumArguments() << " arguments";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DiffOp
//===----------------------------------------------------------------------===//

double DiffOp::getLambdaInitValue() {
  if (std::optional<APFloat> v = getLambdaInit())
    return v->convertToDouble();
  return 0.8 -
         0.6 * std::exp(-0.3 * static_cast<double>(getLayer().value_or(0)));
}

LogicalResult DiffOp::verify() {
  Operation *op = getOperation();
  auto qType = cast<RankedTensorType>(getQuery().getType());
  auto kType = cast<RankedTensorType>(getKey().getType());
  auto vType = cast<RankedTensorType>(getValue().getType());
  auto oType = cast<RankedTensorType>(getResult().getType());
  struct Named {
    StringRef name;
    RankedTensorType type;
    StringRef layout;
  } operands[] = {{"query", qType, "[B, 2H, Lq, d]"},
                  {"key", kType, "[B, 2Hkv, Lk, d]"},
                  {"value", vType, "[B, Hkv, Lk, 2d]"},
                  {"result", oType, "[B, H, Lq, 2d]"}};
  for (const Named &n : operands) {
    if (n.type.getRank() != 4)
      return emitOpError() << n.name << " must be rank 4 " << n.layout
                           << ", found rank " << n.type.getRank();
    if (n.type.getElementType() != qType.getElementType())
      return emitOpError() << n.name << " element type "
                           << n.type.getElementType()
                           << " differs from the query element type "
                           << qType.getElementType();
  }
  ArrayRef<int64_t> q = qType.getShape(), k = kType.getShape(),
                    v = vType.getShape(), o = oType.getShape();
  auto isStatic = [](int64_t d) { return !ShapedType::isDynamic(d); };
  auto half = [&](int64_t d) {
    return isStatic(d) ? d / 2 : ShapedType::kDynamic;
  };
  auto twice = [&](int64_t d) {
    return isStatic(d) ? d * 2 : ShapedType::kDynamic;
  };
  if (isStatic(q[kHeads]) && q[kHeads] % 2)
    return emitOpError() << "query head count " << q[kHeads]
                         << " is odd: differential attention takes head pairs";
  if (isStatic(k[kHeads]) && k[kHeads] % 2)
    return emitOpError() << "key head count " << k[kHeads]
                         << " is odd: differential attention takes head pairs";
  int64_t h = half(q[kHeads]), hkv = half(k[kHeads]), d = q[kWidth];
  if (failed(checkBatchSizes(op, q, k, v, o)) ||
      failed(checkSame(op, "head dim", "query", d, "key", k[kWidth])) ||
      failed(checkSame(op, "key/value head count", "key (pairs)", hkv, "value",
                       v[kHeads])) ||
      failed(checkSame(op, "key/value sequence length", "key", k[kLen], "value",
                       v[kLen])) ||
      failed(checkSame(op, "output head count", "query (pairs)", h, "result",
                       o[kHeads])) ||
      failed(checkSame(op, "query sequence length", "query", q[kLen], "result",
                       o[kLen])) ||
      failed(checkSame(op, "value width", "value", v[kWidth], "2 x head dim",
                       twice(d))) ||
      failed(checkSame(op, "value width", "value", v[kWidth], "result",
                       o[kWidth])))
    return failure();
  int64_t kvHeads = firstStatic({hkv, v[kHeads]});
  if (kvHeads == 0)
    return emitOpError() << "key head count must be positive, found 0";
  if (isStatic(h) && isStatic(kvHeads) && h % kvHeads != 0)
    return emitOpError() << "key/value head count " << kvHeads
                         << " does not divide output head count " << h;

  Value lambdas[] = {getLambdaQ1(), getLambdaK1(), getLambdaQ2(),
                     getLambdaK2()};
  const char *lambdaNames[] = {"lambda_q1", "lambda_k1", "lambda_q2",
                               "lambda_k2"};
  for (int i = 0; i < 4; ++i)
    if (failed(checkSame(
            op, "lambda length", lambdaNames[i],
            cast<RankedTensorType>(lambdas[i].getType()).getDimSize(0),
            "head dim", d)))
      return failure();
  if (failed(
          checkSame(op, "gain length", "gain",
                    cast<RankedTensorType>(getGain().getType()).getDimSize(0),
                    "2 x head dim", twice(d))))
    return failure();

  if (getLambdaInit().has_value() == getLayer().has_value())
    return emitOpError() << "needs exactly one of lambda_init and layer";
  if (std::optional<int64_t> layer = getLayer(); layer && *layer < 0)
    return emitOpError() << "layer index must be >= 0, found " << *layer;
  if (std::optional<APFloat> li = getLambdaInit();
      li && !std::isfinite(li->convertToDouble()))
    return emitOpError() << "lambda_init must be finite";
  if (std::optional<APFloat> eps = getEpsilon()) {
    double e = eps->convertToDouble();
    if (!(e > 0) || !std::isfinite(e))
      return emitOpError() << "epsilon must be a finite positive number, "
                              "found "
                           << e;
  }
  if (std::optional<APFloat> sc = getScale()) {
    double e = sc->convertToDouble();
    if (!(e > 0) || !std::isfinite(e))
      return emitOpError() << "scale must be a finite positive number, found "
                           << e;
  }
  if (std::optional<MaskAttrInterface> mask = getMask())
    return mask->verifyShape([&] { return emitOpError(); }, h, q[kLen],
                             firstStatic({k[kLen], v[kLen]}));
  return success();
}

namespace {
/// Drops a `scale` attribute equal to the default 1/sqrt(D): absence is the
/// canonical spelling of the default.
struct DropDefaultScale : OpRewritePattern<SdpaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<APFloat> scale = op.getScale();
    int64_t d = op.getHeadDim();
    if (!scale || ShapedType::isDynamic(d) || d <= 0)
      return failure();
    float dflt = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
    if (scale->convertToFloat() != dflt)
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.removeScaleAttr(); });
    return success();
  }
};

/// Drops a mask that keeps every (q, k) pair of the op's static shape, e.g. a
/// causal mask on a single decode query.
struct DropTrivialMask : OpRewritePattern<SdpaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<MaskAttrInterface> mask = op.getMask();
    int64_t lq = op.getQueryType().getDimSize(kLen);
    int64_t lk = firstStatic(
        {op.getKeyType().getDimSize(kLen), op.getValueType().getDimSize(kLen)});
    if (!mask || ShapedType::isDynamic(lq) || !mask->keepsAll(lq, lk))
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.removeMaskAttr(); });
    return success();
  }
};

/// Shape inference: gives the op the most static result type its operands
/// imply and casts back to the type its users expect.
struct RefineResultType : OpRewritePattern<SdpaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType inferred = op.inferResultType();
    if (inferred == op.getResultType())
      return failure();
    // Retype in place (the op keeps its bias, attributes and region) and
    // cast back for the users.
    RankedTensorType old = op.getResultType();
    rewriter.setInsertionPointAfter(op);
    auto cast = tensor::CastOp::create(rewriter, op.getLoc(), old, op);
    rewriter.modifyOpInPlace(op, [&] { op.getResult().setType(inferred); });
    rewriter.replaceAllUsesExcept(op.getResult(), cast.getResult(), cast);
    return success();
  }
};
} // namespace

void SdpaOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<DropDefaultScale, DropTrivialMask, RefineResultType>(context);
}

//===----------------------------------------------------------------------===//
// Low-rank ops
//===----------------------------------------------------------------------===//

LogicalResult LinformerOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyAttentionShapes(op, getQuery(), getKey(), getValue(),
                                   getResult(), getScale())))
    return failure();
  ArrayRef<int64_t> k = cast<RankedTensorType>(getKey().getType()).getShape();
  auto eType = cast<RankedTensorType>(getE().getType());
  ArrayRef<int64_t> e = eType.getShape();
  int64_t rank = eType.getRank();
  int64_t rows = e[rank - 2], cols = e[rank - 1];
  if (failed(checkSame(op, "key length", "key", k[kLen], "projection e", cols)))
    return failure();
  if (rank == 3 && failed(checkSame(op, "key/value head count", "key",
                                    k[kHeads], "projection e", e[0])))
    return failure();
  auto isStatic = [](int64_t d) { return !ShapedType::isDynamic(d); };
  if (isStatic(rows) && rows < 1)
    return emitOpError() << "projection e must have at least one row, found "
                         << rows;
  int64_t lk = firstStatic({k[kLen], cols});
  if (isStatic(rows) && isStatic(lk) && rows > lk)
    return emitOpError() << "projected length k = " << rows
                         << " is larger than the key length " << lk;
  if (Value f = getF())
    if (f.getType() != eType)
      return emitOpError() << "projection f has type " << f.getType()
                           << ", but e has " << eType;
  return success();
}

int64_t PerformerOp::getFeatureCount() {
  if (IntegerAttr m = getFeaturesAttr())
    return m.getInt();
  int64_t d = cast<RankedTensorType>(getQuery().getType()).getDimSize(kWidth);
  return static_cast<int64_t>(
      std::lround(static_cast<double>(d) * std::log(static_cast<double>(d))));
}

LogicalResult PerformerOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyAttentionShapes(op, getQuery(), getKey(), getValue(),
                                   getResult(), getScale())))
    return failure();
  int64_t d = cast<RankedTensorType>(getQuery().getType()).getDimSize(kWidth);
  if (ShapedType::isDynamic(d))
    return emitOpError() << "needs a static head dim: its random features "
                            "are generated at compile time";
  if (d < 1)
    return emitOpError() << "head dim must be positive, found " << d;
  if (IntegerAttr m = getFeaturesAttr(); m && m.getInt() < 1)
    return emitOpError() << "features must be at least 1, found " << m.getInt();
  if (getFeatureCount() < 1)
    return emitOpError() << "round(D ln D) features is 0 for D = " << d
                         << "; give `features`";
  return success();
}

LogicalResult NystromOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyAttentionShapes(op, getQuery(), getKey(), getValue(),
                                   getResult(), getScale())))
    return failure();
  ArrayRef<int64_t> q = cast<RankedTensorType>(getQuery().getType()).getShape();
  ArrayRef<int64_t> k = cast<RankedTensorType>(getKey().getType()).getShape();
  auto isStatic = [](int64_t d) { return !ShapedType::isDynamic(d); };
  int64_t m = getLandmarksAttr().getInt();
  if (m < 1)
    return emitOpError() << "landmarks must be at least 1, found " << m;
  for (auto [name, len] :
       {std::pair{"query", q[kLen]}, std::pair{"key", k[kLen]}}) {
    if (isStatic(len) && len < m)
      return emitOpError() << m << " landmarks need at least as many " << name
                           << " positions, found " << len;
    if (isStatic(len) && len % m != 0)
      return emitOpError() << name << " length " << len
                           << " is not divisible by the " << m
                           << " landmarks (segments must be equal)";
  }
  int64_t iterations = getPinvIterationsAttr().getInt();
  if (iterations < 1)
    return emitOpError() << "pinv_iterations must be at least 1, found "
                         << iterations;
  if (Value conv = getConv()) {
    ArrayRef<int64_t> c = cast<RankedTensorType>(conv.getType()).getShape();
    if (failed(checkSame(op, "query head count", "query", q[kHeads], "conv",
                         c[0])) ||
        failed(checkSame(op,
                         "sequence length (the convolution is added "
                         "per position)",
                         "query", q[kLen], "key", k[kLen])))
      return failure();
    if (isStatic(c[1]) && (c[1] < 1 || c[1] % 2 == 0))
      return emitOpError() << "conv kernel width must be odd and positive, "
                              "found "
                           << c[1];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DotI8Op
//===----------------------------------------------------------------------===//

LogicalResult DotI8Op::verify() {
  auto acc = cast<VectorType>(getAcc().getType());
  auto bytes = cast<VectorType>(getLhs().getType());
  if (acc.isScalable() || bytes.isScalable())
    return emitOpError("needs fixed-length vectors");
  if (bytes.getNumElements() != 4 * acc.getNumElements())
    return emitOpError("needs 4 bytes per int32 lane: ")
           << bytes.getNumElements() << " bytes into " << acc.getNumElements()
           << " lanes";
  return success();
}

LogicalResult DotBf16Op::verify() {
  auto acc = cast<VectorType>(getAcc().getType());
  auto halves = cast<VectorType>(getLhs().getType());
  if (acc.isScalable() || halves.isScalable())
    return emitOpError("needs fixed-length vectors");
  if (halves.getNumElements() != 2 * acc.getNumElements())
    return emitOpError("needs 2 bf16 per f32 lane: ")
           << halves.getNumElements() << " bf16 into " << acc.getNumElements()
           << " lanes";
  return success();
}
