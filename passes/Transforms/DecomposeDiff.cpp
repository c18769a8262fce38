//===- DecomposeDiff.cpp - attn.diff as two attn.sdpa and an epilogue ---===//
//
// attn-decompose-diff (see Passes.td):
//
//   Q1, Q2 = Q[:, 0::2], Q[:, 1::2]      K1, K2 = K[:, 0::2], K[:, 1::2]
//   O1 = attn.sdpa(Q1, K1, V)            O2 = attn.sdpa(Q2, K2, V)
//   lambda = exp(lq1 . lk1) - exp(lq2 . lk2) + lambda_init
//   X = O1 - lambda O2
//   O = X * rsqrt(mean_e X^2 + eps) * gain * (1 - lambda_init)
//
// The head-pair slices are strided views (no copies for f32). With f16 /
// bf16 storage, the operands are widened first so that O1 and O2 stay f32
// until the epilogue. This is the unfused form: two passes over K and V and
// three over the outputs. attn-tile-flash lowers attn.diff fused (both maps
// and the epilogue in one tiled loop) and uses decomposeDiff only where its
// tiles cannot hold a pair (packed GQA decode tiles, split-KV).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/DiffDecomposition.h"
#include "passes/Transforms/Passes.h"
#include "passes/Utils/LinalgBuilder.h"

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_DECOMPOSEDIFF
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

using utils::IteratorType;
using LB = LinalgBuilder;

Value mlir::attn::diffHeadHalf(OpBuilder &b, Location loc, Value t,
                               int64_t which) {
  LinalgBuilder lb(b, loc);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, t);
  Value heads = lb.toValue(sizes[1]);
  sizes[1] = getAsOpFoldResult(b.createOrFold<arith::DivUIOp>(
      loc, heads, arith::ConstantIndexOp::create(b, loc, 2)));
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, loc, t,
      ArrayRef<OpFoldResult>{zero, b.getIndexAttr(which), zero, zero}, sizes,
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(2), one, one});
}

Value mlir::attn::diffLambda(OpBuilder &b, Location loc, DiffOp op) {
  LinalgBuilder lb(b, loc);
  auto dot = [&](Value x, Value y) -> Value {
    Value init = lb.filled({}, lb.f32Const(0));
    Value r = linalg::GenericOp::create(
                  b, loc, init.getType(), ValueRange{x, y}, ValueRange{init},
                  ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1),
                                      b.getMultiDimIdentityMap(1),
                                      AffineMap::get(1, 0, b.getContext())},
                  ArrayRef<IteratorType>{IteratorType::reduction},
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
                    LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[2], p));
                  })
                  .getResult(0);
    return tensor::ExtractOp::create(b, loc, r, ValueRange{});
  };
  return arith::AddFOp::create(
      b, loc,
      arith::SubFOp::create(
          b, loc,
          math::ExpOp::create(b, loc, dot(op.getLambdaQ1(), op.getLambdaK1())),
          math::ExpOp::create(b, loc, dot(op.getLambdaQ2(), op.getLambdaK2()))),
      lb.f32Const(op.getLambdaInitValue()));
}

Value mlir::attn::diffNormalize(OpBuilder &nb, Location nl, DiffOp op, Value x,
                                Value sumSquares, Value gain, Value width,
                                Type storage) {
  auto f32Const = [&](double v) {
    return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(v));
  };
  Value mean = arith::DivFOp::create(nb, nl, sumSquares, width);
  Value inv = math::RsqrtOp::create(
      nb, nl,
      arith::AddFOp::create(nb, nl, mean, f32Const(op.getEpsilonValue())));
  Value post = f32Const(1.0 - op.getLambdaInitValue());
  Value y = arith::MulFOp::create(nb, nl, arith::MulFOp::create(nb, nl, x, inv),
                                  arith::MulFOp::create(nb, nl, gain, post));
  if (storage != nb.getF32Type())
    y = arith::TruncFOp::create(nb, nl, storage, y);
  return y;
}

void mlir::attn::decomposeDiff(RewriterBase &rewriter, DiffOp op) {
  Location loc = op.getLoc();
  LinalgBuilder lb(rewriter, loc);
  OpBuilder &b = rewriter;
  FloatType f32 = b.getF32Type();
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  Type storage = resultType.getElementType();

  // Operands in f32 (views when they already are).
  Value q = lb.widen(op.getQuery()), k = lb.widen(op.getKey()),
        v = lb.widen(op.getValue());

  auto oType = RankedTensorType::get(resultType.getShape(), f32);
  auto sdpa = [&](int64_t which) -> Value {
    Value o = SdpaOp::createPlain(b, loc, diffHeadHalf(b, loc, q, which),
                                  diffHeadHalf(b, loc, k, which), v,
                                  op.getScaleAttr(), op.getMaskAttr(), f32);
    // (Shape refinement later.)
    return o.getType() == oType ? o : tensor::CastOp::create(b, loc, oType, o);
  };
  Value o1 = sdpa(0), o2 = sdpa(1);
  Value lambda = diffLambda(b, loc, op);

  // X = O1 - lambda O2; sum of squares per row; the normalised output.
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, o1);
  AffineMap id4 = b.getMultiDimIdentityMap(4), rows = lb.map(4, {0, 1, 2});
  auto par4 = SmallVector<IteratorType>(4, IteratorType::parallel);
  Value x = linalg::GenericOp::create(
                b, loc, oType, ValueRange{o1, o2}, ValueRange{lb.empty(sizes)},
                ArrayRef<AffineMap>{id4, id4, id4}, par4,
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value t = arith::MulFOp::create(nb, nl, lambda, a[1]);
                  LB::yield(nb, nl, arith::SubFOp::create(nb, nl, a[0], t));
                })
                .getResult(0);
  SmallVector<OpFoldResult> rowSizes(sizes.begin(), sizes.begin() + 3);
  Value ssInit = lb.filled(rowSizes, lb.f32Const(0));
  SmallVector<IteratorType> reduce = {
      IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
      IteratorType::reduction};
  Value ss = linalg::GenericOp::create(
                 b, loc, ssInit.getType(), ValueRange{x}, ValueRange{ssInit},
                 ArrayRef<AffineMap>{id4, rows}, reduce,
                 [&](OpBuilder &nb, Location nl, ValueRange a) {
                   Value sq = arith::MulFOp::create(nb, nl, a[0], a[0]);
                   LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[1], sq));
                 })
                 .getResult(0);
  Value width = lb.toF32(lb.toValue(sizes[3]));
  Value out = linalg::GenericOp::create(
                  b, loc, resultType, ValueRange{x, ss, op.getGain()},
                  ValueRange{lb.empty(sizes, storage)},
                  ArrayRef<AffineMap>{id4, rows, lb.map(4, {3}), id4}, par4,
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    LB::yield(nb, nl,
                              diffNormalize(nb, nl, op, a[0], a[1], a[2], width,
                                            storage));
                  })
                  .getResult(0);
  rewriter.replaceOp(op, out);
}

namespace {

struct DecomposeDiffOp : OpRewritePattern<DiffOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DiffOp op,
                                PatternRewriter &rewriter) const override {
    decomposeDiff(rewriter, op);
    return success();
  }
};

struct DecomposeDiffPass
    : mlir::attn::impl::DecomposeDiffBase<DecomposeDiffPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeDiffOp>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
