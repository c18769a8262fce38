//===- LinalgBuilder.cpp - small helpers for building linalg IR -----------===//

#include "passes/Utils/LinalgBuilder.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::attn;

Value LinalgBuilder::toValue(OpFoldResult ofr) {
  if (auto v = dyn_cast<Value>(ofr))
    return v;
  return arith::ConstantIndexOp::create(
      b, loc, cast<IntegerAttr>(cast<Attribute>(ofr)).getInt());
}

Value LinalgBuilder::f32Const(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value LinalgBuilder::toF32(Value index) {
  Value i64 = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), index);
  return arith::UIToFPOp::create(b, loc, f32, i64);
}

Value LinalgBuilder::empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
  // Constant sizes become static dimensions.
  SmallVector<OpFoldResult> folded;
  for (OpFoldResult s : sizes)
    folded.push_back(isa<Value>(s) ? getAsOpFoldResult(cast<Value>(s)) : s);
  return tensor::EmptyOp::create(b, loc, folded,
                                 elementType ? elementType : f32);
}

Value LinalgBuilder::filled(ArrayRef<OpFoldResult> sizes, Value value) {
  return linalg::FillOp::create(b, loc, value, empty(sizes)).getResult(0);
}

Value LinalgBuilder::elementwise(
    Value t, Type elt, function_ref<Value(OpBuilder &, Location, Value)> fn) {
  auto type = cast<RankedTensorType>(t.getType());
  unsigned rank = type.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  return linalg::GenericOp::create(
             b, loc, RankedTensorType::get(type.getShape(), elt), ValueRange{t},
             ValueRange{empty(tensor::getMixedSizes(b, loc, t), elt)},
             ArrayRef<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               yield(nb, nl, fn(nb, nl, a[0]));
             })
      .getResult(0);
}

Value LinalgBuilder::widen(Value t) {
  if (cast<RankedTensorType>(t.getType()).getElementType() == f32)
    return t;
  return elementwise(t, f32, [](OpBuilder &nb, Location nl, Value x) {
    return extToF32(nb, nl, x);
  });
}

Value LinalgBuilder::narrow(Value t, Type storage) {
  if (storage == f32)
    return t;
  return elementwise(t, storage, [&](OpBuilder &nb, Location nl, Value x) {
    return arith::TruncFOp::create(nb, nl, storage, x).getResult();
  });
}

Value LinalgBuilder::slice2d(Value t, Value batch, Value head, Value row0,
                             Value rows, Value cols, Value col0) {
  auto type = cast<RankedTensorType>(t.getType());
  auto staticOr = [](Value v) {
    std::optional<int64_t> c = getConstantIntValue(v);
    return c ? *c : ShapedType::kDynamic;
  };
  auto sliceType = RankedTensorType::get({staticOr(rows), staticOr(cols)},
                                         type.getElementType());
  OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
  return tensor::ExtractSliceOp::create(
      b, loc, sliceType, t,
      ArrayRef<OpFoldResult>{batch, head, row0,
                             col0 ? getAsOpFoldResult(col0) : zero},
      ArrayRef<OpFoldResult>{one, one, getAsOpFoldResult(rows),
                             getAsOpFoldResult(cols)},
      ArrayRef<OpFoldResult>{one, one, one, one});
}

Value LinalgBuilder::matmul(Value a, Value bMat) {
  // The result's own allocation: two products of one shape would otherwise
  // share a CSE'd tensor.empty as their init.
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, a, 0),
                                     tensor::getMixedSize(b, loc, bMat, 1)};
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  dispatchIndexOpFoldResults(sizes, dynamic, shape);
  Value alloc = bufferization::AllocTensorOp::create(
      b, loc, RankedTensorType::get(shape, f32), dynamic);
  Value init = linalg::FillOp::create(b, loc, f32Const(0), alloc).getResult(0);
  auto par = utils::IteratorType::parallel,
       red = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{a, bMat}, ValueRange{init},
             ArrayRef<AffineMap>{map(3, {0, 1}), map(3, {1, 2}),
                                 map(3, {0, 2})},
             ArrayRef<utils::IteratorType>{par, red, par},
             [](OpBuilder &nb, Location nl, ValueRange x) {
               auto contract = arith::FastMathFlags::contract;
               Value p =
                   arith::MulFOp::create(nb, nl, extToF32(nb, nl, x[0]),
                                         extToF32(nb, nl, x[1]), contract);
               yield(nb, nl, arith::AddFOp::create(nb, nl, x[2], p, contract));
             })
      .getResult(0);
}

AffineMap LinalgBuilder::map(unsigned numDims, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(b.getAffineDimExpr(d));
  return AffineMap::get(numDims, 0, exprs, b.getContext());
}

Value LinalgBuilder::extToF32(OpBuilder &nb, Location nl, Value v) {
  Type f32 = nb.getF32Type();
  if (v.getType() == f32)
    return v;
  return arith::ExtFOp::create(nb, nl, f32, v);
}

void LinalgBuilder::yield(OpBuilder &nb, Location nl, Value v) {
  linalg::YieldOp::create(nb, nl, ValueRange{v});
}

Value LinalgBuilder::safeDivide(OpBuilder &nb, Location nl, Value num,
                                Value den, Type elementType) {
  Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0.0));
  Value none =
      arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, den, zero);
  Value r = arith::SelectOp::create(nb, nl, none, zero,
                                    arith::DivFOp::create(nb, nl, num, den));
  if (elementType != r.getType())
    r = arith::TruncFOp::create(nb, nl, elementType, r);
  return r;
}

Value LinalgBuilder::topKThreshold(Value scores, int64_t k) {
  using utils::IteratorType;
  auto type = cast<RankedTensorType>(scores.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> rowSizes = tensor::getMixedSizes(b, loc, scores);
  rowSizes.pop_back();
  SmallVector<unsigned> rowDims;
  for (unsigned d = 0; d + 1 < rank; ++d)
    rowDims.push_back(d);
  AffineMap all = b.getMultiDimIdentityMap(rank), rows = map(rank, rowDims);
  AffineMap rowId = b.getMultiDimIdentityMap(rank - 1);
  SmallVector<IteratorType> reduce(rank - 1, IteratorType::parallel);
  reduce.push_back(IteratorType::reduction);
  SmallVector<IteratorType> parallelRows(rank - 1, IteratorType::parallel);
  Value negInf = f32Const(-std::numeric_limits<double>::infinity());
  Value posInf = f32Const(std::numeric_limits<double>::infinity());
  Value zero = f32Const(0), one = f32Const(1),
        kf = f32Const(static_cast<double>(k));
  using P = arith::CmpFPredicate;

  // Per row: t = the smallest distinct value taken so far, c = how many
  // scores are >= t. Each pass takes the next distinct value below t while
  // c < k.
  Value t0 = filled(rowSizes, posInf), c0 = filled(rowSizes, zero);
  Value lo = arith::ConstantIndexOp::create(b, loc, 0);
  Value hi = arith::ConstantIndexOp::create(b, loc, k);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lo, hi, step, ValueRange{t0, c0},
      [&](OpBuilder &fb, Location fl, Value, ValueRange state) {
        Value t = state[0], c = state[1];
        Value mInit = linalg::FillOp::create(fb, fl, negInf, empty(rowSizes))
                          .getResult(0);
        Value m =
            linalg::GenericOp::create(
                fb, fl, mInit.getType(), ValueRange{scores, t},
                ValueRange{mInit}, ArrayRef<AffineMap>{all, rows, rows}, reduce,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value below =
                      arith::CmpFOp::create(nb, nl, P::OLT, a[0], a[1]);
                  Value mx = arith::MaximumFOp::create(nb, nl, a[0], a[2]);
                  yield(nb, nl,
                        arith::SelectOp::create(nb, nl, below, mx, a[2]));
                })
                .getResult(0);
        Value nInit =
            linalg::FillOp::create(fb, fl, zero, empty(rowSizes)).getResult(0);
        Value n =
            linalg::GenericOp::create(
                fb, fl, nInit.getType(), ValueRange{scores, m},
                ValueRange{nInit}, ArrayRef<AffineMap>{all, rows, rows}, reduce,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value eq = arith::CmpFOp::create(nb, nl, P::OEQ, a[0], a[1]);
                  Value inc = arith::AddFOp::create(nb, nl, a[2], one);
                  yield(nb, nl, arith::SelectOp::create(nb, nl, eq, inc, a[2]));
                })
                .getResult(0);
        // Take m while fewer than k are counted and m is a finite score.
        auto take = [&](OpBuilder &nb, Location nl, Value tv, Value cv,
                        Value mv) {
          Value need = arith::CmpFOp::create(nb, nl, P::OLT, cv, kf);
          Value finite = arith::CmpFOp::create(nb, nl, P::ONE, mv, negInf);
          return arith::AndIOp::create(nb, nl, need, finite).getResult();
        };
        Value tNext =
            linalg::GenericOp::create(
                fb, fl, t.getType(), ValueRange{t, c, m}, ValueRange{t},
                ArrayRef<AffineMap>{rowId, rowId, rowId, rowId}, parallelRows,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  yield(nb, nl,
                        arith::SelectOp::create(nb, nl,
                                                take(nb, nl, a[0], a[1], a[2]),
                                                a[2], a[0]));
                })
                .getResult(0);
        Value cNext =
            linalg::GenericOp::create(
                fb, fl, c.getType(), ValueRange{t, c, m, n}, ValueRange{c},
                ArrayRef<AffineMap>{rowId, rowId, rowId, rowId, rowId},
                parallelRows,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value sum = arith::AddFOp::create(nb, nl, a[1], a[3]);
                  yield(nb, nl,
                        arith::SelectOp::create(
                            nb, nl, take(nb, nl, a[0], a[1], a[2]), sum, a[1]));
                })
                .getResult(0);
        scf::YieldOp::create(fb, fl, ValueRange{tNext, cNext});
      });
  Value t = loop.getResult(0), c = loop.getResult(1);
  Value out = empty(rowSizes);
  return linalg::GenericOp::create(
             b, loc, out.getType(), ValueRange{t, c}, ValueRange{out},
             ArrayRef<AffineMap>{rowId, rowId, rowId}, parallelRows,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value enough = arith::CmpFOp::create(nb, nl, P::OGE, a[1], kf);
               yield(nb, nl,
                     arith::SelectOp::create(nb, nl, enough, a[0], negInf));
             })
      .getResult(0);
}

Value LinalgBuilder::extractIndex(OpBuilder &nb, Location nl, Value tensor,
                                  ValueRange indices) {
  Value x = tensor::ExtractOp::create(nb, nl, tensor, indices);
  return arith::IndexCastOp::create(nb, nl, nb.getIndexType(), x);
}
