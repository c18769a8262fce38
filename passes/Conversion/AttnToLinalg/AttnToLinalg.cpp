//===- AttnToLinalg.cpp - attn ops to linalg on tensors -------------------===//
//
// The untiled lowering of attn.sdpa: scores, softmax and P.V as linalg.generic
// ops on tensors (SEMANTICS.md, "Dense and masked attention"). It materialises
// the Lq x Lk score matrix and exists to be simple and obviously correct.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "passes/Utils/BlockFormats.h"
#include "passes/Utils/LinalgBuilder.h"
#include "passes/Utils/ScoreMods.h"

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOLINALG
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;

using LB = LinalgBuilder;

/// Builds one attn.sdpa lowering. Loops are over query heads: (b, h, i, j, d)
/// for the scores (batch, query head, query row, key row, reduction) and
/// (b, h, i, e, j) for P.V (e: value column).
class SdpaLowering {
public:
  SdpaLowering(OpBuilder &b, SdpaOp op)
      : b(b), op(op), loc(op.getLoc()), lb(b, op.getLoc()),
        f32(b.getF32Type()) {}

  FailureOr<Value> lower();

private:
  OpFoldResult dim(Value tensor, int64_t d) {
    return tensor::getMixedSize(b, loc, tensor, d);
  }
  /// The scale as an f32 value: the attribute, or 1/sqrt(D).
  Value buildScale(OpFoldResult headDim);

  OpBuilder &b;
  SdpaOp op;
  Location loc;
  LinalgBuilder lb;
  FloatType f32;
};

Value SdpaLowering::buildScale(OpFoldResult headDim) {
  if (std::optional<double> s = op.getStaticScale())
    return lb.f32Const(static_cast<float>(*s));
  Value d =
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), lb.toValue(headDim));
  Value df = arith::UIToFPOp::create(b, loc, f32, d);
  return math::RsqrtOp::create(b, loc, df);
}

FailureOr<Value> SdpaLowering::lower() {
  // int8 scores are formed by attn-tile-flash's kernels only; computing
  // them here in f32 would silently change what the op asks for.
  if (op.getQkPrecision() == Precision::int8)
    return op.emitOpError()
           << "with qk_precision int8 is lowered by attn-tile-flash; "
              "convert-attn-to-linalg computes f32 scores only (run "
              "attn-tile-flash first)";
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Type storage = op.getResultType().getElementType();

  OpFoldResult batch = dim(q, 0), hq = dim(q, 1), lq = dim(q, 2),
               headDim = dim(q, 3);
  OpFoldResult hkv = dim(k, 1), lk = dim(k, 2), dv = dim(v, 3);

  // Packed K/V: dequantized whole into f32 [B, Hkv, Lk, D | Dv] first (this
  // lowering materialises everything anyway).
  auto dequantized = [&](Value t, BlockFormatAttr format, int64_t width) {
    if (!format)
      return t;
    Value dest =
        lb.empty({dim(t, 0), dim(t, 1), dim(t, 2), b.getIndexAttr(width)});
    return dequantizeRows(b, loc, t, format.getValue(), dest);
  };
  k = dequantized(k, op.getKeyFormatAttr(), op.getHeadDim());
  v = dequantized(v, op.getValueFormatAttr(), op.getValueDim());
  // int8 K/V with scales: likewise, q * s.
  auto scaled = [&](Value t, Value scales, int64_t block) {
    if (!scales)
      return t;
    return dequantizeScaledRows(
        b, loc, t, scales, block,
        lb.empty({dim(t, 0), dim(t, 1), dim(t, 2), dim(t, 3)}));
  };
  k = scaled(k, op.getKeyScales(), op.getKeyScaleBlockSize());
  v = scaled(v, op.getValueScales(), op.getValueScaleBlockSize());
  if (op.hasPackedValue())
    dv = b.getIndexAttr(op.getValueDim());

  // Query head h reads KV head h / G, G = Hq / Hkv (the verifier or the
  // entry check guarantees that it divides). With a static G the division is
  // part of the indexing map; with a dynamic one, K and V are read with
  // tensor.extract at a computed head.
  std::optional<int64_t> hqC = getConstantIntValue(hq),
                         hkvC = getConstantIntValue(hkv);
  std::optional<int64_t> group;
  Value groupValue;
  if (hqC && hkvC)
    group = *hqC / *hkvC;
  else
    groupValue =
        arith::DivUIOp::create(b, loc, lb.toValue(hq), lb.toValue(hkv));

  /// Indexing map (over `numDims` loops) of K or V, whose dims are
  /// (b, h / G, row, col): `rowDim` and `colDim` are loop dimensions.
  auto kvMap = [&](unsigned numDims, unsigned rowDim, unsigned colDim) {
    AffineExpr head = b.getAffineDimExpr(1);
    if (*group != 1)
      head = head.floorDiv(*group);
    return AffineMap::get(numDims, 0,
                          {b.getAffineDimExpr(0), head,
                           b.getAffineDimExpr(rowDim),
                           b.getAffineDimExpr(colDim)},
                          b.getContext());
  };
  /// Reads K or V at (b, h / G, row, col) inside a generic body whose loop
  /// dims are given, for the dynamic-G case.
  auto kvExtract = [&](OpBuilder &nb, Location nl, Value tensor,
                       unsigned rowDim, unsigned colDim) -> Value {
    Value bi = linalg::IndexOp::create(nb, nl, 0);
    Value hi = linalg::IndexOp::create(nb, nl, 1);
    Value kvHead = arith::DivUIOp::create(nb, nl, hi, groupValue);
    Value row = linalg::IndexOp::create(nb, nl, rowDim);
    Value col = linalg::IndexOp::create(nb, nl, colDim);
    return tensor::ExtractOp::create(nb, nl, tensor,
                                     ValueRange{bi, kvHead, row, col});
  };

  auto par = IteratorType::parallel, red = IteratorType::reduction;
  SmallVector<IteratorType> par4(4, par), reduce5 = {par, par, par, par, red},
                                          reduce4 = {par, par, par, red};
  AffineMap id4 = b.getMultiDimIdentityMap(4);

  // S[b,h,i,j] = sum_d Q[b,h,i,d] * K[b,h/G,j,d] in f32; loops (b,h,i,j,d).
  SmallVector<OpFoldResult> sSizes = {batch, hq, lq, lk};
  Value sInit = lb.filled(sSizes, lb.f32Const(0.0));
  AffineMap qMap = lb.map(5, {0, 1, 2, 4}), sMap = lb.map(5, {0, 1, 2, 3});
  SmallVector<Value> sInputs = {q};
  SmallVector<AffineMap> sMaps = {qMap};
  if (group) {
    sInputs.push_back(k);
    sMaps.push_back(kvMap(5, 3, 4));
  }
  sMaps.push_back(sMap);
  Value scores =
      linalg::GenericOp::create(
          b, loc, sInit.getType(), sInputs, ValueRange{sInit}, sMaps, reduce5,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value kv = group ? args[1] : kvExtract(nb, nl, k, 3, 4);
            Value prod =
                arith::MulFOp::create(nb, nl, LB::extToF32(nb, nl, args[0]),
                                      LB::extToF32(nb, nl, kv));
            LB::yield(nb, nl, arith::AddFOp::create(nb, nl, args.back(), prod));
          })
          .getResult(0);

  // S' = mask(q, k) ? scale * S : -inf, with query row i at absolute position
  // Lk - Lq + i (bottom-right alignment).
  Value scale = buildScale(headDim);
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  std::optional<MaskAttrInterface> mask = op.getMask();
  bool mods = op.hasScoreMods(), runtimeMask = op.hasRuntimeMask();
  Value qOffset;
  if (mask || mods || runtimeMask)
    qOffset = arith::SubIOp::create(b, loc, lb.toValue(lk), lb.toValue(lq));
  Value masked =
      linalg::GenericOp::create(
          b, loc, scores.getType(), ValueRange{}, ValueRange{scores},
          ArrayRef<AffineMap>{id4}, par4,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value s = arith::MulFOp::create(nb, nl, args[0], scale);
            if (!mask && !mods && !runtimeMask) {
              LB::yield(nb, nl, s);
              return;
            }
            Value bi = linalg::IndexOp::create(nb, nl, 0);
            Value h = linalg::IndexOp::create(nb, nl, 1);
            Value i = linalg::IndexOp::create(nb, nl, 2);
            Value j = linalg::IndexOp::create(nb, nl, 3);
            Value qPos = arith::AddIOp::create(nb, nl, i, qOffset);
            if (mods)
              s = buildScoreMods(nb, nl, op, s, ScoreCoords{bi, h, i, qPos, j});
            if (Value keep =
                    buildKeeps(nb, nl, op, ScoreCoords{bi, h, i, qPos, j}))
              s = arith::SelectOp::create(nb, nl, keep, s, negInf);
            LB::yield(nb, nl, s);
          })
          .getResult(0);

  // top_k: keep the scores at or above the row's k-th largest.
  if (std::optional<int64_t> topK = op.getTopK()) {
    Value threshold = lb.topKThreshold(masked, *topK);
    masked =
        linalg::GenericOp::create(
            b, loc, masked.getType(), ValueRange{threshold}, ValueRange{masked},
            ArrayRef<AffineMap>{lb.map(4, {0, 1, 2}), id4}, par4,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value keep = arith::CmpFOp::create(
                  nb, nl, arith::CmpFPredicate::OGE, args[1], args[0]);
              LB::yield(nb, nl,
                        arith::SelectOp::create(nb, nl, keep, args[1], negInf));
            })
            .getResult(0);
  }

  // m[b,h,i] = max_j S'.
  SmallVector<OpFoldResult> rowSizes = {batch, hq, lq};
  AffineMap rowMap = lb.map(4, {0, 1, 2});
  Value maxInit = lb.filled(rowSizes, negInf);
  Value rowMax =
      linalg::GenericOp::create(
          b, loc, maxInit.getType(), ValueRange{masked}, ValueRange{maxInit},
          ArrayRef<AffineMap>{id4, rowMap}, reduce4,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            LB::yield(nb, nl,
                      arith::MaximumFOp::create(nb, nl, args[0], args[1]));
          })
          .getResult(0);

  // P = exp(S' - m), with m replaced by 0 on fully masked rows so that they
  // give P = 0 rather than NaN.
  Value zero = lb.f32Const(0.0);
  Value probs =
      linalg::GenericOp::create(
          b, loc, masked.getType(), ValueRange{masked, rowMax},
          ValueRange{lb.empty(sSizes)}, ArrayRef<AffineMap>{id4, rowMap, id4},
          par4,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value isEmpty = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, args[1], negInf);
            Value m = arith::SelectOp::create(nb, nl, isEmpty, zero, args[1]);
            Value diff = arith::SubFOp::create(nb, nl, args[0], m);
            LB::yield(nb, nl, math::ExpOp::create(nb, nl, diff));
          })
          .getResult(0);

  // l[b,h,i] = sum_j P.
  Value sumInit = lb.filled(rowSizes, zero);
  Value rowSum =
      linalg::GenericOp::create(
          b, loc, sumInit.getType(), ValueRange{probs}, ValueRange{sumInit},
          ArrayRef<AffineMap>{id4, rowMap}, reduce4,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            LB::yield(nb, nl, arith::AddFOp::create(nb, nl, args[0], args[1]));
          })
          .getResult(0);

  // A[b,h,i,e] = sum_j P[b,h,i,j] * V[b,h/G,j,e]; loops (b,h,i,e,j).
  SmallVector<OpFoldResult> oSizes = {batch, hq, lq, dv};
  Value oInit = lb.filled(oSizes, zero);
  SmallVector<Value> aInputs = {probs};
  SmallVector<AffineMap> aMaps = {lb.map(5, {0, 1, 2, 4})};
  if (group) {
    aInputs.push_back(v);
    aMaps.push_back(kvMap(5, 4, 3));
  }
  aMaps.push_back(lb.map(5, {0, 1, 2, 3}));
  Value acc =
      linalg::GenericOp::create(
          b, loc, oInit.getType(), aInputs, ValueRange{oInit}, aMaps, reduce5,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value vv = group ? args[1] : kvExtract(nb, nl, v, 4, 3);
            Value prod = arith::MulFOp::create(nb, nl, args[0],
                                               LB::extToF32(nb, nl, vv));
            LB::yield(nb, nl, arith::AddFOp::create(nb, nl, args.back(), prod));
          })
          .getResult(0);

  // O = l == 0 ? 0 : A / l, in the storage type.
  auto outType = RankedTensorType::get(
      cast<RankedTensorType>(acc.getType()).getShape(), storage);
  Value out =
      linalg::GenericOp::create(
          b, loc, outType, ValueRange{acc, rowSum},
          ValueRange{lb.empty(oSizes, storage)},
          ArrayRef<AffineMap>{id4, rowMap, id4}, par4,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            LB::yield(nb, nl,
                      LB::safeDivide(nb, nl, args[0], args[1], storage));
          })
          .getResult(0);

  if (out.getType() != op.getResultType())
    out = tensor::CastOp::create(b, loc, op.getResultType(), out);
  return out;
}

/// Rewrites attn.sdpa into the linalg form above.
struct SdpaToLinalg : OpConversionPattern<SdpaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SdpaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SdpaLowering lowering(rewriter, op);
    FailureOr<Value> result = lowering.lower();
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct ConvertAttnToLinalgPass
    : mlir::attn::impl::ConvertAttnToLinalgBase<ConvertAttnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<AttnDialect>();
    // The vector micro-op of tiled kernels stays for attn-lower-int8-dot.
    target.addLegalOp<DotI8Op, DotBf16Op, MmlaI8Op>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateAttnToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateAttnToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<SdpaToLinalg>(patterns.getContext());
}
