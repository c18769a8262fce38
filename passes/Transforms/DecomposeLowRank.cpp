//===- DecomposeLowRank.cpp - low-rank attention to attn.sdpa and linalg --===//
//
// attn-decompose-lowrank (see Passes.td). Per method (SEMANTICS.md,
// "Low-rank attention"), everything heavy is either an attn.sdpa (tiled by
// attn-tile-flash) or a 2-D matmul on one head's slices inside an
// scf.forall over (batch, head) (register-blocked by
// attn-matmul-microkernels, run on the thread pool):
//
//   Linformer  EK = E K, FV = F V per KV head;  O = sdpa(Q, EK, FV)
//   Nystrom    Q~, K~ = segment means;  W = sdpa(Q~, K, V);
//              A = sdpa(Q~, K~, I) (= softmax(s Q~ K~^T));  Z = pinv(A);
//              O = sdpa(Q, K~, Z W) [+ depthwise conv of V]
//   Performer  phi(K)^T = f(omega K^T), phi(Q) = f(Q omega^T); non-causal:
//              KV = phi(K)^T V and z = phi(K)^T 1 per KV head, then
//              O = phi(Q) KV / phi(Q) z; causal: per query chunk, the
//              prefix state (KV, z) of the keys every row sees plus the
//              masked chunk-local phi(Q) phi(K)^T block.
//
// omega is generated here from the op's seed (passes/Utils/RandomFeatures)
// and embedded as a constant. f16/bf16 operands are widened to f32; the
// result is narrowed back at the end.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"
#include "passes/Utils/LinalgBuilder.h"
#include "passes/Utils/RandomFeatures.h"

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_DECOMPOSELOWRANK
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;
using LB = LinalgBuilder;

/// Builders shared by the three methods, at one op's location.
class LowRankBuilder {
public:
  LowRankBuilder(OpBuilder &b, Location loc)
      : b(b), loc(loc), lb(b, loc), f32(b.getF32Type()) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value dim(Value t, int64_t d) {
    return lb.toValue(tensor::getMixedSize(b, loc, t, d));
  }
  SmallVector<OpFoldResult> sizes(Value t) {
    return tensor::getMixedSizes(b, loc, t);
  }

  /// Reduces the rows (`alongRows` = false: reduces along each row, giving
  /// [rows]) or the columns (true: [cols]) of 2-D `t` with `combine`.
  Value
  reduce2d(Value t, bool alongRows, double init,
           function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    Value acc = lb.filled({tensor::getMixedSize(b, loc, t, alongRows ? 1 : 0)},
                          lb.f32Const(init));
    AffineMap out = alongRows ? lb.map(2, {1}) : lb.map(2, {0});
    SmallVector<IteratorType> iters =
        alongRows ? SmallVector<IteratorType>{IteratorType::reduction,
                                              IteratorType::parallel}
                  : SmallVector<IteratorType>{IteratorType::parallel,
                                              IteratorType::reduction};
    return linalg::GenericOp::create(
               b, loc, acc.getType(), ValueRange{t}, ValueRange{acc},
               ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2), out}, iters,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 LB::yield(nb, nl, combine(nb, nl, a[0], a[1]));
               })
        .getResult(0);
  }
  /// The scalar reduction of a 1-D tensor.
  Value
  reduceAll(Value t, double init,
            function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    Value acc = lb.filled({}, lb.f32Const(init));
    Value r = linalg::GenericOp::create(
                  b, loc, acc.getType(), ValueRange{t}, ValueRange{acc},
                  ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1),
                                      AffineMap::get(1, 0, b.getContext())},
                  ArrayRef<IteratorType>{IteratorType::reduction},
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    LB::yield(nb, nl, combine(nb, nl, a[0], a[1]));
                  })
                  .getResult(0);
    return tensor::ExtractOp::create(b, loc, r, ValueRange{});
  }
  /// The transpose of 2-D `t`, times `factor` when given.
  Value transpose(Value t, Value factor = {}) {
    SmallVector<OpFoldResult> s = sizes(t);
    Value init = lb.empty({s[1], s[0]});
    return linalg::GenericOp::create(
               b, loc, init.getType(), ValueRange{t}, ValueRange{init},
               ArrayRef<AffineMap>{lb.map(2, {1, 0}),
                                   b.getMultiDimIdentityMap(2)},
               ArrayRef<IteratorType>{IteratorType::parallel,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value x = LB::extToF32(nb, nl, a[0]);
                 if (factor)
                   x = arith::MulFOp::create(nb, nl, x, factor);
                 LB::yield(nb, nl, x);
               })
        .getResult(0);
  }
  /// A 2-D generic over `ins` (2-D maps given) producing [rows, cols] f32.
  Value map2d(ValueRange ins, ArrayRef<AffineMap> maps, OpFoldResult rows,
              OpFoldResult cols,
              function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    Value init = lb.empty({rows, cols});
    SmallVector<AffineMap> all(maps.begin(), maps.end());
    all.push_back(b.getMultiDimIdentityMap(2));
    return linalg::GenericOp::create(
               b, loc, init.getType(), ins, ValueRange{init}, all,
               ArrayRef<IteratorType>{IteratorType::parallel,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 LB::yield(nb, nl, body(nb, nl, a.drop_back()));
               })
        .getResult(0);
  }
  /// An scf.forall over [n0, n1] writing tiles into new tensors of
  /// `outTypes`' shapes (each [n0, n1, ...]): `body(i0, i1)` returns one
  /// tile per output.
  SmallVector<Value>
  forall2(OpFoldResult n0, OpFoldResult n1, ValueRange outs,
          function_ref<SmallVector<Value>(Value, Value)> body) {
    // Outputs of one type get allocations of their own: identical
    // tensor.empty ops would be merged by CSE, and two shared outputs of
    // the loop would then alias. A single output stays a tensor.empty, so
    // that it can bufferize into the caller's result.
    SmallVector<Value> dests;
    for (auto [i, out] : llvm::enumerate(outs)) {
      auto type = cast<RankedTensorType>(out.getType());
      bool repeated = llvm::any_of(outs.take_front(i), [&](Value other) {
        return other.getType() == type;
      });
      if (!repeated) {
        dests.push_back(out);
        continue;
      }
      SmallVector<Value> dynamic;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          dynamic.push_back(tensor::DimOp::create(b, loc, out, d));
      dests.push_back(
          bufferization::AllocTensorOp::create(b, loc, type, dynamic));
    }
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{n0, n1},
                                        dests, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getBody()->getTerminator());
    Value i0 = forall.getInductionVar(0), i1 = forall.getInductionVar(1);
    SmallVector<Value> tiles = body(i0, i1);
    // Sizes first: the in_parallel region holds only the inserts.
    SmallVector<SmallVector<OpFoldResult>> tileSizes;
    for (Value tile : tiles)
      tileSizes.push_back(tensor::getMixedSizes(b, loc, tile));
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
    for (auto [tile, dest, tileSize] :
         llvm::zip(tiles, forall.getRegionIterArgs(), tileSizes)) {
      SmallVector<OpFoldResult> offsets = {i0, i1}, sz = {one, one},
                                strides = {one, one};
      for (OpFoldResult size : tileSize) {
        offsets.push_back(zero);
        sz.push_back(size);
        strides.push_back(one);
      }
      tensor::ParallelInsertSliceOp::create(b, loc, tile, dest, offsets, sz,
                                            strides);
    }
    b.setInsertionPointAfter(forall);
    return SmallVector<Value>(forall.getResults());
  }
  /// The attn.sdpa of f32 operands (result f32) with `scale`.
  Value sdpa(Value q, Value k, Value v, FloatAttr scale) {
    return SdpaOp::createPlain(b, loc, q, k, v, scale, MaskAttrInterface(),
                               f32);
  }
  /// A low-rank op's operands in f32 and what every lowering reads of them.
  struct Operands {
    Value q, k, v;
    Type storage; // the result's element type
    SmallVector<OpFoldResult> qs, ks;
    Value group; // Hq / Hkv
  };
  Operands operands(Operation *op, Value query, Value key, Value value) {
    Operands o;
    o.storage =
        cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
    o.q = lb.widen(query), o.k = lb.widen(key), o.v = lb.widen(value);
    o.qs = sizes(o.q), o.ks = sizes(o.k);
    o.group = b.createOrFold<arith::DivUIOp>(loc, lb.toValue(o.qs[1]),
                                             lb.toValue(o.ks[1]));
    return o;
  }
  /// The scale attribute an op's attn.sdpa parts take: the op's own, or
  /// D^-1/2 of its static head dim (absent when D is dynamic: the sdpa's
  /// default is the same).
  FloatAttr scaleAttr(std::optional<APFloat> scale) {
    if (scale)
      return b.getF32FloatAttr(scale->convertToDouble());
    return FloatAttr();
  }
  /// The op's scale as an f32 value (D^-1/2 from the head dim by default).
  Value scaleValue(std::optional<APFloat> scale, Value headDim) {
    if (scale)
      return lb.f32Const(scale->convertToDouble());
    return math::RsqrtOp::create(b, loc, lb.toF32(headDim));
  }
  /// The [n, n] f32 matrix c I - x.
  Value minusFromScaledIdentity(double c, Value x) {
    Value cv = lb.f32Const(c), zero = lb.f32Const(0);
    return linalg::GenericOp::create(
               b, loc, x.getType(), ValueRange{}, ValueRange{x},
               ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2)},
               ArrayRef<IteratorType>{IteratorType::parallel,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value i = linalg::IndexOp::create(nb, nl, 0);
                 Value j = linalg::IndexOp::create(nb, nl, 1);
                 Value diag = arith::CmpIOp::create(
                     nb, nl, arith::CmpIPredicate::eq, i, j);
                 Value id = arith::SelectOp::create(nb, nl, diag, cv, zero);
                 LB::yield(nb, nl, arith::SubFOp::create(nb, nl, id, a[0]));
               })
        .getResult(0);
  }

  OpBuilder &b;
  Location loc;
  LinalgBuilder lb;
  FloatType f32;
};

Value maxOf(OpBuilder &nb, Location nl, Value x, Value acc) {
  return arith::MaximumFOp::create(nb, nl, x, acc);
}
Value sumOf(OpBuilder &nb, Location nl, Value x, Value acc) {
  return arith::AddFOp::create(nb, nl, x, acc);
}

//===----------------------------------------------------------------------===//
// Linformer
//===----------------------------------------------------------------------===//

struct DecomposeLinformer : OpRewritePattern<LinformerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinformerOp op,
                                PatternRewriter &rewriter) const override {
    LowRankBuilder r(rewriter, op.getLoc());
    LowRankBuilder::Operands in =
        r.operands(op, op.getQuery(), op.getKey(), op.getValue());
    Value q = in.q, k = in.k, v = in.v;
    Value e = op.getE(), f = op.getF() ? op.getF() : op.getE();
    bool perHead = cast<RankedTensorType>(e.getType()).getRank() == 3;
    OpFoldResult batch = in.ks[0], hkv = in.ks[1];
    Value rows = r.dim(e, perHead ? 1 : 0), lk = r.dim(k, 2), d = r.dim(k, 3),
          dv = r.dim(v, 3);
    // EK [B, Hkv, rows, D] and FV [B, Hkv, rows, Dv], one 2-D matmul each
    // per (batch, KV head).
    auto projection = [&](Value p, Value head) -> Value {
      if (!perHead)
        return p;
      return tensor::ExtractSliceOp::create(
          rewriter, r.loc,
          RankedTensorType::get(
              cast<RankedTensorType>(p.getType()).getShape().drop_front(),
              rewriter.getF32Type()),
          p,
          ArrayRef<OpFoldResult>{head, rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 tensor::getMixedSize(rewriter, r.loc, p, 1),
                                 tensor::getMixedSize(rewriter, r.loc, p, 2)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
    };
    SmallVector<Value> projected = r.forall2(
        batch, hkv,
        {r.lb.empty({batch, hkv, rows, d}), r.lb.empty({batch, hkv, rows, dv})},
        [&](Value bi, Value hi) -> SmallVector<Value> {
          Value c0 = r.index(0);
          Value kb = r.lb.slice2d(k, bi, hi, c0, lk, d);
          Value vb = r.lb.slice2d(v, bi, hi, c0, lk, dv);
          return {r.lb.matmul(projection(e, hi), kb),
                  r.lb.matmul(projection(f, hi), vb)};
        });
    Value o = r.sdpa(q, projected[0], projected[1], r.scaleAttr(op.getScale()));
    rewriter.replaceOp(op, r.lb.narrow(o, in.storage));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Nystromformer
//===----------------------------------------------------------------------===//

struct DecomposeNystrom : OpRewritePattern<NystromOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NystromOp op,
                                PatternRewriter &rewriter) const override {
    LowRankBuilder r(rewriter, op.getLoc());
    OpBuilder &b = rewriter;
    Location loc = r.loc;
    LowRankBuilder::Operands in =
        r.operands(op, op.getQuery(), op.getKey(), op.getValue());
    Value q = in.q, k = in.k, v = in.v, group = in.group;
    Type storage = in.storage;
    SmallVector<OpFoldResult> qs = in.qs, ks = in.ks;
    int64_t m = op.getLandmarks();
    FloatAttr scale = r.scaleAttr(op.getScale());

    // Segment means: x [B, H, L, D] -> [B, H, m, D].
    auto landmarks = [&](Value x) -> Value {
      SmallVector<OpFoldResult> s = r.sizes(x);
      Value len = r.lb.toValue(s[2]);
      Value seg = b.createOrFold<arith::DivUIOp>(loc, len, r.index(m));
      SmallVector<OpFoldResult> expanded = {s[0], s[1], b.getIndexAttr(m),
                                            getAsOpFoldResult(seg), s[3]};
      auto xType = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape;
      SmallVector<Value> dynamic;
      dispatchIndexOpFoldResults(expanded, dynamic, shape);
      Value x5 = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, xType.getElementType()), x,
          ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}, {4}}, expanded);
      Value acc =
          r.lb.filled({s[0], s[1], b.getIndexAttr(m), s[3]}, r.lb.f32Const(0));
      Value inv =
          arith::DivFOp::create(b, loc, r.lb.f32Const(1), r.lb.toF32(seg));
      auto par = IteratorType::parallel, red = IteratorType::reduction;
      return linalg::GenericOp::create(
                 b, loc, acc.getType(), ValueRange{x5}, ValueRange{acc},
                 ArrayRef<AffineMap>{b.getMultiDimIdentityMap(5),
                                     r.lb.map(5, {0, 1, 2, 4})},
                 ArrayRef<IteratorType>{par, par, par, red, par},
                 [&](OpBuilder &nb, Location nl, ValueRange a) {
                   Value t = arith::MulFOp::create(nb, nl, a[0], inv);
                   LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[1], t));
                 })
          .getResult(0);
    };
    Value ql = landmarks(q), kl = landmarks(k);
    // K~ per query head: [B, Hq, m, D].
    SmallVector<OpFoldResult> klqSizes = {qs[0], qs[1], b.getIndexAttr(m),
                                          qs[3]};
    Value klq =
        linalg::GenericOp::create(
            b, loc, r.lb.empty(klqSizes).getType(), ValueRange{},
            ValueRange{r.lb.empty(klqSizes)},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange) {
              SmallVector<Value> idx;
              for (int64_t d = 0; d < 4; ++d)
                idx.push_back(linalg::IndexOp::create(nb, nl, d));
              idx[1] = arith::DivUIOp::create(nb, nl, idx[1], group);
              LB::yield(nb, nl, tensor::ExtractOp::create(nb, nl, kl, idx));
            })
            .getResult(0);
    // W = softmax(s Q~ K^T) V [B, Hq, m, Dv]; A = softmax(s Q~ K~^T)
    // [B, Hq, m, m], as attention against the identity.
    Value w = r.sdpa(ql, k, v, scale);
    SmallVector<OpFoldResult> idSizes = {qs[0], qs[1], b.getIndexAttr(m),
                                         b.getIndexAttr(m)};
    Value one = r.lb.f32Const(1), zero = r.lb.f32Const(0);
    Value identity =
        linalg::GenericOp::create(
            b, loc, r.lb.empty(idSizes).getType(), ValueRange{},
            ValueRange{r.lb.empty(idSizes)},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(4)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange) {
              Value i = linalg::IndexOp::create(nb, nl, 2);
              Value j = linalg::IndexOp::create(nb, nl, 3);
              Value diag =
                  arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, i, j);
              LB::yield(nb, nl,
                        arith::SelectOp::create(nb, nl, diag, one, zero));
            })
            .getResult(0);
    Value a = r.sdpa(ql, klq, identity, scale);

    // Per (batch, query head): Z = pinv(A) by the iteration, Y = Z W.
    Value dv = r.dim(v, 3);
    Value cm = r.index(m);
    SmallVector<Value> ys = r.forall2(
        qs[0], qs[1], {r.lb.empty({qs[0], qs[1], b.getIndexAttr(m), dv})},
        [&](Value bi, Value hi) -> SmallVector<Value> {
          Value c0 = r.index(0);
          Value am = r.lb.slice2d(a, bi, hi, c0, cm, cm);
          // Z0 = A^T / (max column sum of A).
          Value colSums = r.reduce2d(am, /*alongRows=*/true, 0.0, sumOf);
          Value maxCol = r.reduceAll(colSums, 0.0, maxOf);
          Value inv = arith::DivFOp::create(b, loc, one, maxCol);
          Value z = r.transpose(am, inv);
          Value quarter = r.lb.f32Const(0.25);
          for (int64_t it = 0; it < op.getPinvIterations(); ++it) {
            Value az = r.lb.matmul(am, z);
            Value t = r.minusFromScaledIdentity(7, az);
            t = r.minusFromScaledIdentity(15, r.lb.matmul(az, t));
            t = r.minusFromScaledIdentity(13, r.lb.matmul(az, t));
            z = r.lb.elementwise(
                r.lb.matmul(z, t), r.f32,
                [&](OpBuilder &nb, Location nl, Value x) {
                  return arith::MulFOp::create(nb, nl, x, quarter).getResult();
                });
          }
          Value wm = r.lb.slice2d(w, bi, hi, c0, cm, dv);
          return {r.lb.matmul(z, wm)};
        });
    // O = softmax(s Q K~^T) Y.
    Value o = r.sdpa(q, klq, ys[0], scale);
    if (Value conv = op.getConv()) {
      // O[b,h,i,x] += sum_t conv[h,t] V[b,h/G,i+t-w/2,x] (zero padded).
      Value width = r.dim(conv, 1);
      Value lk = r.dim(k, 2);
      Value half = b.createOrFold<arith::DivUIOp>(loc, width, r.index(2));
      auto par = IteratorType::parallel, red = IteratorType::reduction;
      o = linalg::GenericOp::create(
              b, loc, o.getType(), ValueRange{conv}, ValueRange{o},
              ArrayRef<AffineMap>{r.lb.map(5, {1, 4}),
                                  r.lb.map(5, {0, 1, 2, 3})},
              ArrayRef<IteratorType>{par, par, par, par, red},
              [&](OpBuilder &nb, Location nl, ValueRange x) {
                Value bi = linalg::IndexOp::create(nb, nl, 0);
                Value hi = linalg::IndexOp::create(nb, nl, 1);
                Value i = linalg::IndexOp::create(nb, nl, 2);
                Value e = linalg::IndexOp::create(nb, nl, 3);
                Value t = linalg::IndexOp::create(nb, nl, 4);
                Value j = arith::SubIOp::create(
                    nb, nl, arith::AddIOp::create(nb, nl, i, t), half);
                Value c0 = arith::ConstantIndexOp::create(nb, nl, 0);
                Value inside = arith::AndIOp::create(
                    nb, nl,
                    arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, j,
                                          c0),
                    arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, j,
                                          lk));
                Value jc = arith::SelectOp::create(nb, nl, inside, j, c0);
                Value kvh = arith::DivUIOp::create(nb, nl, hi, group);
                Value val = tensor::ExtractOp::create(
                    nb, nl, v, ValueRange{bi, kvh, jc, e});
                Value term = arith::MulFOp::create(nb, nl, x[0], val);
                term = arith::SelectOp::create(
                    nb, nl, inside, term,
                    arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0)));
                LB::yield(nb, nl, arith::AddFOp::create(nb, nl, x[1], term));
              })
              .getResult(0);
    }
    rewriter.replaceOp(op, r.lb.narrow(o, storage));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Performer
//===----------------------------------------------------------------------===//

/// The feature maps of one attn.performer, built block by block so that no
/// temporary is larger than a block of features.
class PerformerFeatures {
public:
  PerformerFeatures(LowRankBuilder &r, PerformerOp op, Value q, Value k)
      : r(r), b(r.b), loc(r.loc), q(q), k(k) {
    d = cast<RankedTensorType>(q.getType()).getDimSize(3);
    m = op.getFeatureCount();
    relu = op.getKernel() == FeatureKernel::relu;
    std::vector<double> omega = ::attn::features::performerOmega(
        m, d, op.getSeed(), op.getOrthogonal(), op.getConstantNorms());
    std::vector<float> rows(omega.begin(), omega.end()), cols(m * d);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t e = 0; e < d; ++e)
        cols[e * m + i] = static_cast<float>(omega[i * d + e]);
    auto constant = [&](ArrayRef<float> values, int64_t r0, int64_t c0) {
      auto type = RankedTensorType::get({r0, c0}, r.f32);
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(type, values));
    };
    omegaRows = constant(rows, m, d);
    omegaCols = constant(cols, d, m);
    root =
        math::SqrtOp::create(b, loc, r.scaleValue(op.getScale(), r.index(d)));
    ratio = r.lb.f32Const(1.0 / std::sqrt(static_cast<double>(m)));
    eps = r.lb.f32Const(1e-6);
    zero = r.lb.f32Const(0);
    half = r.lb.f32Const(0.5);
  }

  int64_t features() const { return m; }

  /// The stabiliser of a KV head's keys: the largest omega k^ over all its
  /// keys (a pass over the keys in blocks of `block`); 0 for ReLU.
  Value keyMax(Value bi, Value kh, Value lk, int64_t block) {
    if (relu)
      return zero;
    Value negInf = r.lb.f32Const(-std::numeric_limits<double>::infinity());
    auto loop = scf::ForOp::create(
        b, loc, r.index(0), lk, r.index(block), ValueRange{negInf},
        [&](OpBuilder &, Location, Value k0, ValueRange st) {
          Value n = clampedCount(k0, lk, block);
          Value u = r.lb.matmul(omegaRows, keyBlockT(bi, kh, k0, n));
          Value c = r.reduceAll(r.reduce2d(u, false, -INFINITY, maxOf),
                                -INFINITY, maxOf);
          scf::YieldOp::create(
              b, loc, ValueRange{arith::MaximumFOp::create(b, loc, st[0], c)});
        });
    return loop.getResult(0);
  }

  /// phi of keys [k0, k0 + n) of a KV head, transposed: [m, n].
  Value keyFeaturesT(Value bi, Value kh, Value k0, Value n, Value c) {
    Value kT = keyBlockT(bi, kh, k0, n);
    Value norms = r.reduce2d(kT, /*alongRows=*/true, 0.0, square);
    Value u = r.lb.matmul(omegaRows, kT);
    return inPlace(u, norms, r.lb.map(2, {1}), ValueRange{}, c);
  }

  /// phi of query rows [q0, q0 + n) of a query head: [n, m].
  Value queryFeatures(Value bi, Value h, Value q0, Value n) {
    Value rows = r.lb.slice2d(q, bi, h, q0, n, r.index(d));
    Value qHat =
        r.lb.elementwise(rows, r.f32, [&](OpBuilder &nb, Location nl, Value x) {
          return arith::MulFOp::create(nb, nl, x, root).getResult();
        });
    Value norms = r.reduce2d(qHat, /*alongRows=*/false, 0.0, square);
    Value u = r.lb.matmul(qHat, omegaCols);
    if (relu)
      return inPlace(u, norms, r.lb.map(2, {0}), {}, zero);
    Value c = r.reduce2d(u, false, -INFINITY, maxOf);
    return inPlace(u, norms, r.lb.map(2, {0}), ValueRange{c}, Value());
  }

  /// min(block, end - start).
  Value clampedCount(Value start, Value end, int64_t block) {
    return arith::MinSIOp::create(b, loc, r.index(block),
                                  arith::SubIOp::create(b, loc, end, start));
  }

private:
  /// Keys [k0, k0 + n) transposed and scaled: k^T [d, n].
  Value keyBlockT(Value bi, Value kh, Value k0, Value n) {
    return r.transpose(r.lb.slice2d(k, bi, kh, k0, n, r.index(d)), root);
  }
  /// phi written over u: ratio (exp(u - |x^|^2 / 2 - c) + eps) with c the
  /// scalar `c` or, per row, `rowC`; ratio relu(u) + eps for ReLU.
  Value inPlace(Value u, Value norms, AffineMap normMap, ValueRange rowC,
                Value c) {
    SmallVector<Value> ins = {norms};
    SmallVector<AffineMap> maps = {normMap};
    if (!rowC.empty()) {
      ins.push_back(rowC.front());
      maps.push_back(r.lb.map(2, {0}));
    }
    maps.push_back(b.getMultiDimIdentityMap(2));
    return linalg::GenericOp::create(
               b, loc, u.getType(), ins, ValueRange{u}, maps,
               ArrayRef<IteratorType>{IteratorType::parallel,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value x = a.back();
                 Value y;
                 if (relu) {
                   y = arith::AddFOp::create(
                       nb, nl,
                       arith::MulFOp::create(
                           nb, nl, ratio,
                           arith::MaximumFOp::create(nb, nl, x, zero)),
                       eps);
                 } else {
                   Value n = arith::MulFOp::create(nb, nl, a[0], half);
                   Value stab = rowC.empty() ? c : a[1];
                   Value e = math::ExpOp::create(
                       nb, nl,
                       arith::SubFOp::create(
                           nb, nl, arith::SubFOp::create(nb, nl, x, n), stab));
                   y = arith::MulFOp::create(
                       nb, nl, ratio, arith::AddFOp::create(nb, nl, e, eps));
                 }
                 LB::yield(nb, nl, y);
               })
        .getResult(0);
  }
  static Value square(OpBuilder &nb, Location nl, Value x, Value acc) {
    return arith::AddFOp::create(nb, nl, acc,
                                 arith::MulFOp::create(nb, nl, x, x));
  }

  LowRankBuilder &r;
  OpBuilder &b;
  Location loc;
  Value q, k;
  int64_t d, m;
  bool relu;
  Value omegaRows, omegaCols, root, ratio, eps, zero, half;
};

struct DecomposePerformer : OpRewritePattern<PerformerOp> {
  DecomposePerformer(MLIRContext *ctx, int64_t chunk)
      : OpRewritePattern(ctx), chunk(chunk) {}

  /// Keys and query rows per block of the feature maps.
  static constexpr int64_t kBlock = 256;

  LogicalResult matchAndRewrite(PerformerOp op,
                                PatternRewriter &rewriter) const override {
    LowRankBuilder r(rewriter, op.getLoc());
    OpBuilder &b = rewriter;
    Location loc = r.loc;
    LowRankBuilder::Operands in =
        r.operands(op, op.getQuery(), op.getKey(), op.getValue());
    Value q = in.q, k = in.k, v = in.v, group = in.group;
    Type storage = in.storage;
    SmallVector<OpFoldResult> qs = in.qs, ks = in.ks;
    Value lq = r.lb.toValue(qs[2]), lk = r.lb.toValue(ks[2]), dv = r.dim(v, 3);
    PerformerFeatures phi(r, op, q, k);
    int64_t m = phi.features();
    Value cm = r.index(m);

    Value o;
    if (!op.getCausal()) {
      // Per KV head, over key blocks: KV = sum phi(K)^T V [m, Dv] and
      // z = sum phi(K)^T 1 [m].
      SmallVector<Value> state =
          r.forall2(ks[0], ks[1],
                    {r.lb.empty({ks[0], ks[1], b.getIndexAttr(m), dv}),
                     r.lb.empty({ks[0], ks[1], b.getIndexAttr(m)})},
                    [&](Value bi, Value kh) -> SmallVector<Value> {
                      Value c = phi.keyMax(bi, kh, lk, kBlock);
                      SmallVector<Value> acc =
                          foldKeys(r, phi, v, bi, kh, r.index(0), lk, c,
                                   r.lb.filled({cm, dv}, r.lb.f32Const(0)),
                                   r.lb.filled({cm}, r.lb.f32Const(0)));
                      return acc;
                    });
      // Per query head, over row blocks: O = phi(Q) KV / phi(Q) z.
      o = r.forall2(
          qs[0], qs[1], {r.lb.empty({qs[0], qs[1], qs[2], dv})},
          [&](Value bi, Value h) -> SmallVector<Value> {
            Value kh = b.createOrFold<arith::DivUIOp>(loc, h, group);
            Value kv = r.lb.slice2d(state[0], bi, kh, r.index(0), cm, dv);
            Value z = vectorSlice(r, state[1], bi, kh, m);
            auto loop = scf::ForOp::create(
                b, loc, r.index(0), lq, r.index(kBlock),
                ValueRange{r.lb.empty({lq, dv})},
                [&](OpBuilder &, Location, Value q0, ValueRange st) {
                  Value n = phi.clampedCount(q0, lq, kBlock);
                  Value f = phi.queryFeatures(bi, h, q0, n);
                  Value tile =
                      normalise(r, r.lb.matmul(f, kv), matvec(r, f, z));
                  scf::YieldOp::create(
                      b, loc,
                      ValueRange{insertRows(r, tile, st[0], q0, n, dv)});
                });
            return {loop.getResult(0)};
          })[0];
    } else {
      o = r.forall2(qs[0], qs[1], {r.lb.empty({qs[0], qs[1], qs[2], dv})},
                    [&](Value bi, Value h) -> SmallVector<Value> {
                      Value kh = b.createOrFold<arith::DivUIOp>(loc, h, group);
                      return {causal(r, phi, v, bi, h, kh, lq, lk, dv, cm)};
                    })[0];
    }
    rewriter.replaceOp(op, r.lb.narrow(o, storage));
    return success();
  }

  /// Folds keys [from, to) of a KV head into (KV [m, Dv], z [m]), in blocks.
  static SmallVector<Value> foldKeys(LowRankBuilder &r, PerformerFeatures &phi,
                                     Value v, Value bi, Value kh, Value from,
                                     Value to, Value c, Value kv, Value z) {
    OpBuilder &b = r.b;
    Location loc = r.loc;
    Value dv = r.dim(v, 3);
    auto loop = scf::ForOp::create(
        b, loc, from, to, r.index(kBlock), ValueRange{kv, z},
        [&](OpBuilder &, Location, Value k0, ValueRange st) {
          Value n = phi.clampedCount(k0, to, kBlock);
          Value fT = phi.keyFeaturesT(bi, kh, k0, n, c);
          Value vb = r.lb.slice2d(v, bi, kh, k0, n, dv);
          scf::YieldOp::create(b, loc,
                               ValueRange{add(r, st[0], r.lb.matmul(fT, vb)),
                                          add(r, st[1], rowSums(r, fT))});
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// Causal Performer for one query head, [Lq, Dv]: query rows in chunks of
  /// `chunk`; row i sees keys j <= i + Lk - Lq. For the chunk [c0, c1) the
  /// keys [0, kA) (kA = clamp(c0 + off + 1)) are seen by every row and are
  /// folded into the running state (S = sum phi(k) v^T [m, Dv], z = sum
  /// phi(k) [m]); the keys [kA, kB) (kB = clamp(c1 + off)) form a masked
  /// chunk-local block.
  Value causal(LowRankBuilder &r, PerformerFeatures &phi, Value v, Value bi,
               Value h, Value kh, Value lq, Value lk, Value dv,
               Value cm) const {
    OpBuilder &b = r.b;
    Location loc = r.loc;
    Value c0 = r.index(0), cC = r.index(chunk), c1 = r.index(1);
    Value off = arith::SubIOp::create(b, loc, lk, lq);
    auto clamp = [&](Value x) -> Value {
      return arith::MaxSIOp::create(b, loc, c0,
                                    arith::MinSIOp::create(b, loc, lk, x));
    };
    Value zero = r.lb.f32Const(0);
    Value c = phi.keyMax(bi, kh, lk, kBlock);
    Value sInit = r.lb.filled({cm, dv}, zero), zInit = r.lb.filled({cm}, zero);
    auto loop = scf::ForOp::create(
        b, loc, c0, lq, cC, ValueRange{r.lb.empty({lq, dv}), sInit, zInit, c0},
        [&](OpBuilder &, Location, Value q0, ValueRange st) {
          Value rows = phi.clampedCount(q0, lq, chunk);
          Value q1 = arith::AddIOp::create(b, loc, q0, rows);
          Value kA = clamp(arith::AddIOp::create(
              b, loc, arith::AddIOp::create(b, loc, q0, off), c1));
          Value kB = clamp(arith::AddIOp::create(b, loc, q1, off));
          kB = arith::MaxSIOp::create(b, loc, kA, kB);
          // Fold the keys [kPrev, kA) into the state.
          SmallVector<Value> state =
              foldKeys(r, phi, v, bi, kh, st[3], kA, c, st[1], st[2]);
          // The chunk's rows: the state's part, and the chunk-local block
          // masked to j <= i + off.
          Value f = phi.queryFeatures(bi, h, q0, rows);
          Value nLocal = arith::SubIOp::create(b, loc, kB, kA);
          Value local = r.lb.matmul(f, phi.keyFeaturesT(bi, kh, kA, nLocal, c));
          local = linalg::GenericOp::create(
                      b, loc, local.getType(), ValueRange{}, ValueRange{local},
                      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2)},
                      ArrayRef<IteratorType>{IteratorType::parallel,
                                             IteratorType::parallel},
                      [&](OpBuilder &nb, Location nl, ValueRange a) {
                        Value i = arith::AddIOp::create(
                            nb, nl, q0, linalg::IndexOp::create(nb, nl, 0));
                        Value j = arith::AddIOp::create(
                            nb, nl, kA, linalg::IndexOp::create(nb, nl, 1));
                        Value seen = arith::CmpIOp::create(
                            nb, nl, arith::CmpIPredicate::sle, j,
                            arith::AddIOp::create(nb, nl, i, off));
                        LB::yield(
                            nb, nl,
                            arith::SelectOp::create(nb, nl, seen, a[0], zero));
                      })
                      .getResult(0);
          Value vLocal = r.lb.slice2d(v, bi, kh, kA, nLocal, dv);
          Value num =
              add(r, r.lb.matmul(f, state[0]), r.lb.matmul(local, vLocal));
          Value den = add(r, matvec(r, f, state[1]), rowSums(r, local));
          Value next =
              insertRows(r, normalise(r, num, den), st[0], q0, rows, dv);
          scf::YieldOp::create(b, loc,
                               ValueRange{next, state[0], state[1], kA});
        });
    return loop.getResult(0);
  }

  /// x + y, elementwise, same shapes (written over x).
  static Value add(LowRankBuilder &r, Value x, Value y) {
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    AffineMap id = r.b.getMultiDimIdentityMap(rank);
    return linalg::GenericOp::create(
               r.b, r.loc, type, ValueRange{y}, ValueRange{x},
               ArrayRef<AffineMap>{id, id},
               SmallVector<IteratorType>(rank, IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[1], a[0]));
               })
        .getResult(0);
  }
  static Value rowSums(LowRankBuilder &r, Value t) {
    return r.reduce2d(t, /*alongRows=*/false, 0.0, sumOf);
  }
  /// a [rows, m] . z [m]: [rows].
  static Value matvec(LowRankBuilder &r, Value a, Value z) {
    Value acc =
        r.lb.filled({tensor::getMixedSize(r.b, r.loc, a, 0)}, r.lb.f32Const(0));
    auto par = IteratorType::parallel, red = IteratorType::reduction;
    return linalg::GenericOp::create(
               r.b, r.loc, acc.getType(), ValueRange{a, z}, ValueRange{acc},
               ArrayRef<AffineMap>{r.lb.map(2, {0, 1}), r.lb.map(2, {1}),
                                   r.lb.map(2, {0})},
               ArrayRef<IteratorType>{par, red},
               [&](OpBuilder &nb, Location nl, ValueRange x) {
                 Value p = arith::MulFOp::create(nb, nl, x[0], x[1]);
                 LB::yield(nb, nl, arith::AddFOp::create(nb, nl, x[2], p));
               })
        .getResult(0);
  }
  /// num [rows, Dv] / den [rows] (0 where den = 0).
  static Value normalise(LowRankBuilder &r, Value num, Value den) {
    return r.map2d(ValueRange{num, den},
                   {r.lb.map(2, {0, 1}), r.lb.map(2, {0})},
                   tensor::getMixedSize(r.b, r.loc, num, 0),
                   tensor::getMixedSize(r.b, r.loc, num, 1),
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     return LB::safeDivide(nb, nl, a[0], a[1], r.f32);
                   });
  }
  /// tile [n, Dv] written into rows [q0, q0 + n) of dest [L, Dv].
  static Value insertRows(LowRankBuilder &r, Value tile, Value dest, Value q0,
                          Value n, Value dv) {
    OpBuilder &b = r.b;
    return tensor::InsertSliceOp::create(
        b, r.loc, tile, dest, ArrayRef<OpFoldResult>{q0, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{getAsOpFoldResult(n), getAsOpFoldResult(dv)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  /// z[bi, kh, :] of a [B, Hkv, m] tensor.
  static Value vectorSlice(LowRankBuilder &r, Value t, Value bi, Value kh,
                           int64_t m) {
    OpBuilder &b = r.b;
    return tensor::ExtractSliceOp::create(
        b, r.loc, RankedTensorType::get({m}, r.f32), t,
        ArrayRef<OpFoldResult>{bi, kh, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(m)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(1)});
  }

  int64_t chunk;
};

struct DecomposeLowRankPass
    : mlir::attn::impl::DecomposeLowRankBase<DecomposeLowRankPass> {
  using Base::Base;
  void runOnOperation() override {
    if (chunk <= 0) {
      getOperation()->emitError()
          << "attn-decompose-lowrank: chunk must be positive, found "
          << static_cast<int64_t>(chunk);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeLinformer, DecomposeNystrom>(&getContext());
    patterns.add<DecomposePerformer>(&getContext(), chunk);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
