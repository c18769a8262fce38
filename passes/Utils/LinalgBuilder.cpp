//===- LinalgBuilder.cpp - small helpers for building linalg IR -----------===//

#include "passes/Utils/LinalgBuilder.h"

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
