//===- MatmulMicrokernels.cpp - register-blocked matmuls ------------------===//
//
// attn-matmul-microkernels (see Passes.td). For C [M, N] += A [M, K] . B [K, N]
// with R = rows, U = vectors, L = lanes, W = U * L:
//
//   for i0 in [0, M - M % R) step R:  block(i0, R)
//   block(M - M % R, M % R)            (a switch over M % R: static heights)
//
//   block(i0, r):
//     for n0 in [0, N) step W:
//       (loads and stores below are plain when n0 + W <= N; only the last,
//        partial column block masks them)
//       mask[u] = lanes of columns n0 + u*L ... that exist     (u < U)
//       acc[x][u] = C[i0 + x, n0 + u*L : +L]                   (x < r)
//       for k in [0, K):
//         b[u] = B[k, n0 + u*L : +L]
//         acc[x][u] = fma(broadcast A[i0 + x, k], b[u], acc[x][u])
//       C[i0 + x, n0 + u*L : +L] = acc[x][u]
//
// r * U accumulators plus U vectors of B and a broadcast must fit the
// register file (R = 4, U = 4: 21 of AVX-512's 32 zmm registers).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"
#include "passes/Utils/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_MATMULMICROKERNELS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

using utils::IteratorType;

/// Whether `t` is a 2-D f32 memref whose rows are contiguous.
bool isUnitStrideF32Matrix(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  return m && m.getRank() == 2 && m.getElementType().isF32() &&
         m.isLastDimUnitStride();
}

/// Whether `op` is a generic on buffers with two inputs and one init, three
/// loops of kinds `iterators`, and 2-D indexing maps selecting the loop
/// dimensions `maps` (one pair per operand).
bool hasLoopStructure(linalg::GenericOp op, ArrayRef<IteratorType> iterators,
                      ArrayRef<std::pair<unsigned, unsigned>> maps) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      op.getIteratorTypesArray() != SmallVector<IteratorType>(iterators))
    return false;
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineMap> expected;
  for (auto [a, b] : maps)
    expected.push_back(AffineMap::get(
        3, 0, {getAffineDimExpr(a, ctx), getAffineDimExpr(b, ctx)}, ctx));
  return op.getIndexingMapsArray() == expected;
}

/// Whether the body of `op` (two inputs, one init) is
/// yield(out + a * b), in any operand order.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArgument(2);
  Value other = add.getLhs() == out   ? add.getRhs()
                : add.getRhs() == out ? add.getLhs()
                                      : Value();
  auto mul = other ? other.getDefiningOp<arith::MulFOp>() : arith::MulFOp();
  if (!mul)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// Whether `op` is C[i, n] += A[i, k] * B[k, n] with loops (i, k, n).
bool isMatmul(linalg::GenericOp op) {
  if (!hasLoopStructure(op,
                        {IteratorType::parallel, IteratorType::reduction,
                         IteratorType::parallel},
                        {{0, 1}, {1, 2}, {0, 2}}))
    return false;
  for (OpOperand &operand : op->getOpOperands())
    if (!isUnitStrideF32Matrix(operand.get().getType()))
      return false;
  return isMultiplyAccumulate(op);
}

/// If the op just before `matmul` is C[i, n] = s[i] * C[i, n] on the
/// matmul's own C (linalg.generic on buffers, loops (i, n) parallel, `s` a
/// 1-D f32 memref distinct from C), returns that op: the micro-kernel can
/// apply the scaling as it loads C into its accumulators, saving a pass
/// over C (attention's o = alpha * o before o += P . V). Each element of C
/// is loaded exactly once, so the result is the same, bit for bit.
linalg::GenericOp rowScalingBefore(linalg::GenericOp matmul) {
  auto scale = dyn_cast_or_null<linalg::GenericOp>(matmul->getPrevNode());
  Value c = matmul.getDpsInits()[0];
  if (!scale || !scale.hasPureBufferSemantics() ||
      scale.getNumDpsInputs() != 1 || scale.getNumDpsInits() != 1 ||
      scale.getDpsInits()[0] != c || scale.getDpsInputs()[0] == c ||
      scale.getIteratorTypesArray() !=
          SmallVector<IteratorType>(2, IteratorType::parallel))
    return {};
  auto sType = dyn_cast<MemRefType>(scale.getDpsInputs()[0].getType());
  if (!sType || sType.getRank() != 1 || !sType.getElementType().isF32())
    return {};
  MLIRContext *ctx = scale.getContext();
  if (scale.getIndexingMapsArray() !=
      SmallVector<AffineMap>{AffineMap::get(2, 0, getAffineDimExpr(0, ctx)),
                             AffineMap::getMultiDimIdentityMap(2, ctx)})
    return {};
  Block &body = scale.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto mul = yield.getOperand(0).getDefiningOp<arith::MulFOp>();
  if (body.getOperations().size() != 2 || !mul)
    return {};
  Value x = body.getArgument(0), y = body.getArgument(1);
  return (mul.getLhs() == x && mul.getRhs() == y) ||
                 (mul.getLhs() == y && mul.getRhs() == x)
             ? scale
             : linalg::GenericOp();
}

struct MatmulToMicrokernel : OpRewritePattern<linalg::GenericOp> {
  MatmulToMicrokernel(MLIRContext *ctx, int64_t lanes, int64_t rows,
                      int64_t wideRows, int64_t vectors, bool laneA)
      : OpRewritePattern(ctx), lanes(lanes), rows(rows), wideRows(wideRows),
        vectors(vectors), laneA(laneA) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isMatmul(op))
      return failure();
    Location loc = op.getLoc();
    Operands ops;
    ops.a = op.getDpsInputs()[0];
    ops.b = op.getDpsInputs()[1];
    ops.c = op.getDpsInits()[0];
    linalg::GenericOp scale = rowScalingBefore(op);
    if (scale)
      ops.rowScale = scale.getDpsInputs()[0];
    Value c = ops.c;
    Value m = memref::DimOp::create(rewriter, loc, c, 0);
    ops.n = memref::DimOp::create(rewriter, loc, c, 1);
    ops.k = memref::DimOp::create(rewriter, loc, ops.a, 1);
    // Taller blocks where C has two or more static column blocks.
    auto cType = cast<MemRefType>(c.getType());
    int64_t rows = wideRows > 0 && !cType.isDynamicDim(1) &&
                           cType.getDimSize(1) >= 2 * lanes * vectors
                       ? wideRows
                       : this->rows;
    Value cR = arith::ConstantIndexOp::create(rewriter, loc, rows);
    Value mFull = arith::MulIOp::create(
        rewriter, loc, arith::DivUIOp::create(rewriter, loc, m, cR), cR);
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    scf::ForOp::create(rewriter, loc, c0, mFull, cR, ValueRange{},
                       [&](OpBuilder &fb, Location fl, Value i0, ValueRange) {
                         emitBlock(fb, fl, ops, i0, rows);
                         scf::YieldOp::create(fb, fl);
                       });
    // The last M % rows rows as one block of that many rows: a switch over
    // the remainder, each case a block of static height.
    if (rows > 1) {
      SmallVector<int64_t> cases;
      for (int64_t r = 1; r < rows; ++r)
        cases.push_back(r);
      Value rest = arith::SubIOp::create(rewriter, loc, m, mFull);
      auto sw = scf::IndexSwitchOp::create(rewriter, loc, TypeRange{}, rest,
                                           cases, cases.size());
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.createBlock(&sw.getDefaultRegion());
      scf::YieldOp::create(rewriter, loc);
      for (auto [region, r] : llvm::zip(sw.getCaseRegions(), cases)) {
        rewriter.createBlock(&region);
        emitBlock(rewriter, loc, ops, mFull, r);
        scf::YieldOp::create(rewriter, loc);
      }
    }
    rewriter.eraseOp(op);
    if (scale)
      rewriter.eraseOp(scale);
    return success();
  }

  /// The matmul's operands and sizes; `rowScale`, if set, scales row i of
  /// C by rowScale[i] as it is loaded.
  struct Operands {
    Value a, b, c, rowScale, n, k;
  };

  /// One block of `r` rows starting at row `i0`, all columns.
  void emitBlock(OpBuilder &b0, Location loc, const Operands &ops, Value i0,
                 int64_t r) const {
    Value n = ops.n;
    Value c0 = arith::ConstantIndexOp::create(b0, loc, 0);
    Value width = arith::ConstantIndexOp::create(b0, loc, lanes * vectors);
    SmallVector<Value> rowIdx;
    for (int64_t x = 0; x < r; ++x)
      rowIdx.push_back(arith::AddIOp::create(
          b0, loc, i0, arith::ConstantIndexOp::create(b0, loc, x)));

    scf::ForOp::create(
        b0, loc, c0, n, width, ValueRange{},
        [&](OpBuilder &b, Location l, Value n0, ValueRange) {
          // Full column blocks load and store whole vectors; only the last,
          // partial one masks (masked loads are branches or slow forms on
          // NEON, SSE and AVX2).
          Value full =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle,
                                    arith::AddIOp::create(b, l, n0, width), n);
          scf::IfOp::create(
              b, l, full,
              [&](OpBuilder &tb, Location tl) {
                emitColumns(tb, tl, ops, rowIdx, n0, /*masked=*/false);
                scf::YieldOp::create(tb, tl);
              },
              [&](OpBuilder &eb, Location el) {
                emitColumns(eb, el, ops, rowIdx, n0, /*masked=*/true);
                scf::YieldOp::create(eb, el);
              });
          scf::YieldOp::create(b, l);
        });
  }

  /// The rows `rowIdx` x one block of `vectors` vectors of columns from
  /// `n0`: accumulators loaded from C, the k loop, stores back. With
  /// `masked`, columns at or past `n` are neither loaded nor stored.
  void emitColumns(OpBuilder &b, Location l, const Operands &ops,
                   ArrayRef<Value> rowIdx, Value n0, bool masked) const {
    Value aMat = ops.a, bMat = ops.b, cMat = ops.c, n = ops.n, k = ops.k;
    auto f32 = b.getF32Type();
    auto vecTy = VectorType::get({lanes}, f32);
    auto maskTy = VectorType::get({lanes}, b.getI1Type());
    Value zero = arith::ConstantOp::create(
        b, l, DenseElementsAttr::get(vecTy, b.getF32FloatAttr(0.0)));
    Value c0 = arith::ConstantIndexOp::create(b, l, 0);
    Value c1 = arith::ConstantIndexOp::create(b, l, 1);
    int64_t r = rowIdx.size();
    SmallVector<Value> cols, masks;
    for (int64_t u = 0; u < vectors; ++u) {
      Value col = arith::AddIOp::create(
          b, l, n0, arith::ConstantIndexOp::create(b, l, u * lanes));
      cols.push_back(col);
      // create_mask clamps: <= 0 lanes off, >= lanes all on.
      if (masked)
        masks.push_back(vector::CreateMaskOp::create(
            b, l, maskTy, ValueRange{arith::SubIOp::create(b, l, n, col)}));
    }
    auto load = [&](OpBuilder &lb, Location ll, Value mat, Value row,
                    int64_t u) -> Value {
      if (!masked)
        return vector::LoadOp::create(lb, ll, vecTy, mat,
                                      ValueRange{row, cols[u]});
      return vector::MaskedLoadOp::create(
          lb, ll, vecTy, mat, ValueRange{row, cols[u]}, masks[u], zero);
    };
    SmallVector<Value> acc;
    for (int64_t x = 0; x < r; ++x) {
      Value scale;
      if (ops.rowScale)
        scale = vector::BroadcastOp::create(
            b, l, vecTy,
            memref::LoadOp::create(b, l, ops.rowScale, ValueRange{rowIdx[x]}));
      for (int64_t u = 0; u < vectors; ++u) {
        Value value = load(b, l, cMat, rowIdx[x], u);
        acc.push_back(scale ? arith::MulFOp::create(b, l, scale, value)
                            : value);
      }
    }
    // One k step: B's vectors at row kk, times A[row, kk] (broadcast) for
    // every row, or, with `aLanes`, times lane `lane` of the rows' A vectors.
    auto step = [&](OpBuilder &kb, Location kl, Value kk, ValueRange state,
                    ArrayRef<Value> aLanes, int64_t lane) {
      SmallVector<Value> bv, next(state.begin(), state.end());
      for (int64_t u = 0; u < vectors; ++u)
        bv.push_back(load(kb, kl, bMat, kk, u));
      for (int64_t x = 0; x < r; ++x) {
        Value scalar = aLanes.empty()
                           ? memref::LoadOp::create(kb, kl, aMat,
                                                    ValueRange{rowIdx[x], kk})
                                 .getResult()
                           : vector::ExtractOp::create(kb, kl, aLanes[x],
                                                       ArrayRef<int64_t>{lane})
                                 .getResult();
        Value av = vector::BroadcastOp::create(kb, kl, vecTy, scalar);
        for (int64_t u = 0; u < vectors; ++u)
          next[x * vectors + u] =
              vector::FMAOp::create(kb, kl, av, bv[u], next[x * vectors + u]);
      }
      return next;
    };
    Value kStart = c0;
    if (laneA) {
      // k in steps of `lanes` while a whole vector of A remains, each row's
      // A loaded once per step; the rest one k at a time below.
      Value cl = arith::ConstantIndexOp::create(b, l, lanes);
      Value kMain =
          arith::MulIOp::create(b, l, arith::DivUIOp::create(b, l, k, cl), cl);
      auto lanesLoop = scf::ForOp::create(
          b, l, c0, kMain, cl, acc,
          [&](OpBuilder &kb, Location kl, Value k0, ValueRange state) {
            SmallVector<Value> aLanes;
            for (int64_t x = 0; x < r; ++x)
              aLanes.push_back(vector::LoadOp::create(
                  kb, kl, vecTy, aMat, ValueRange{rowIdx[x], k0}));
            SmallVector<Value> cur(state.begin(), state.end());
            for (int64_t lane = 0; lane < lanes; ++lane) {
              Value kk = arith::AddIOp::create(
                  kb, kl, k0, arith::ConstantIndexOp::create(kb, kl, lane));
              cur = step(kb, kl, kk, cur, aLanes, lane);
            }
            scf::YieldOp::create(kb, kl, cur);
          });
      acc.assign(lanesLoop.getResults().begin(), lanesLoop.getResults().end());
      kStart = kMain;
    }
    auto loop = scf::ForOp::create(
        b, l, kStart, k, c1, acc,
        [&](OpBuilder &kb, Location kl, Value kk, ValueRange state) {
          scf::YieldOp::create(kb, kl, step(kb, kl, kk, state, {}, 0));
        });
    for (int64_t x = 0; x < r; ++x)
      for (int64_t u = 0; u < vectors; ++u) {
        Value value = loop.getResult(x * vectors + u);
        if (masked)
          vector::MaskedStoreOp::create(
              b, l, cMat, ValueRange{rowIdx[x], cols[u]}, masks[u], value);
        else
          vector::StoreOp::create(b, l, value, cMat,
                                  ValueRange{rowIdx[x], cols[u]});
      }
  }

  int64_t lanes, rows, wideRows, vectors;
  bool laneA;
};

/// Whether `op` is C[i, n] += sum_k A[i, k] * B[n, k] (loops (i, n, k)) on
/// unit-stride f32 matrices, with few static rows (M <= 8) and a static K
/// that is a multiple of `lanes` and at most 16 vectors long: attention's
/// scores for packed decode tiles, where B is the key block read in place.
bool isFewRowDotProduct(linalg::GenericOp op, int64_t lanes) {
  if (!hasLoopStructure(op,
                        {IteratorType::parallel, IteratorType::parallel,
                         IteratorType::reduction},
                        {{0, 2}, {1, 2}, {0, 1}}))
    return false;
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  if (!isUnitStrideF32Matrix(a.getType()) ||
      !isUnitStrideF32Matrix(b.getType()) ||
      !isUnitStrideF32Matrix(c.getType()))
    return false;
  auto cType = cast<MemRefType>(c.getType());
  auto aType = cast<MemRefType>(a.getType());
  if (cType.isDynamicDim(0) || cType.getDimSize(0) > 8 ||
      aType.isDynamicDim(1) || aType.getDimSize(1) % lanes != 0 ||
      aType.getDimSize(1) / lanes > 16 || !llvm::isPowerOf2_64(lanes))
    return false;
  return isMultiplyAccumulate(op);
}

/// C [R, N] += A [R, K] . B [N, K]^T for few rows R, reading B's rows in
/// place. Columns go in groups of L = lanes:
///
///   for n0 in [0, N - N % L) step L:
///     for i in [0, R):
///       acc[j] = sum over K chunks of A[i, chunk] * B[n0 + j, chunk]  (j < L)
///       C[i, n0 : n0 + L] += transposeReduce(acc)
///   for n in [N - N % L, N):
///     C[i, n] += reduce(sum over chunks of A[i, chunk] * B[n, chunk])
///
/// L independent FMA chains per row hide the FMA latency, and the transposing
/// tree costs log2(L) shuffle pairs and adds per L results instead of a
/// horizontal reduction per result.
struct DotProductToMicrokernel : OpRewritePattern<linalg::GenericOp> {
  DotProductToMicrokernel(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx, /*benefit=*/2), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFewRowDotProduct(op, lanes))
      return failure();
    Location loc = op.getLoc();
    Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1],
          c = op.getDpsInits()[0];
    int64_t rows = cast<MemRefType>(c.getType()).getDimSize(0);
    int64_t chunks = cast<MemRefType>(a.getType()).getDimSize(1) / lanes;
    auto vecTy = VectorType::get({lanes}, rewriter.getF32Type());
    Value n = memref::DimOp::create(rewriter, loc, c, 1);
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value cRows = arith::ConstantIndexOp::create(rewriter, loc, rows);
    Value cLanes = arith::ConstantIndexOp::create(rewriter, loc, lanes);
    Value nFull = arith::MulIOp::create(
        rewriter, loc, arith::DivUIOp::create(rewriter, loc, n, cLanes),
        cLanes);
    Value zero = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(vecTy, rewriter.getF32FloatAttr(0.0)));
    SmallVector<Value> offsets, laneIdx;
    for (int64_t ch = 0; ch < chunks; ++ch)
      offsets.push_back(
          arith::ConstantIndexOp::create(rewriter, loc, ch * lanes));
    for (int64_t j = 0; j < lanes; ++j)
      laneIdx.push_back(arith::ConstantIndexOp::create(rewriter, loc, j));
    auto reassoc = arith::FastMathFlagsAttr::get(rewriter.getContext(),
                                                 arith::FastMathFlags::reassoc);

    // Full groups of `lanes` columns.
    scf::ForOp::create(
        rewriter, loc, c0, nFull, cLanes, ValueRange{},
        [&](OpBuilder &gb, Location gl, Value col0, ValueRange) {
          SmallVector<Value> cols;
          for (int64_t j = 0; j < lanes; ++j)
            cols.push_back(arith::AddIOp::create(gb, gl, col0, laneIdx[j]));
          scf::ForOp::create(
              gb, gl, c0, cRows, c1, ValueRange{},
              [&](OpBuilder &fb, Location fl, Value row, ValueRange) {
                SmallVector<Value> accs(lanes, zero);
                for (int64_t ch = 0; ch < chunks; ++ch) {
                  Value av = vector::LoadOp::create(
                      fb, fl, vecTy, a, ValueRange{row, offsets[ch]});
                  for (int64_t j = 0; j < lanes; ++j) {
                    Value bv = vector::LoadOp::create(
                        fb, fl, vecTy, b, ValueRange{cols[j], offsets[ch]});
                    accs[j] = vector::FMAOp::create(fb, fl, av, bv, accs[j]);
                  }
                }
                Value sums = mlir::attn::transposeReduce(fb, fl, accs);
                Value old = vector::LoadOp::create(fb, fl, vecTy, c,
                                                   ValueRange{row, col0});
                vector::StoreOp::create(
                    fb, fl, arith::AddFOp::create(fb, fl, old, sums), c,
                    ValueRange{row, col0});
                scf::YieldOp::create(fb, fl);
              });
          scf::YieldOp::create(gb, gl);
        });

    // The remaining columns, one at a time.
    scf::ForOp::create(
        rewriter, loc, nFull, n, c1, ValueRange{},
        [&](OpBuilder &fb, Location fl, Value col, ValueRange) {
          SmallVector<Value> bRow;
          for (int64_t ch = 0; ch < chunks; ++ch)
            bRow.push_back(vector::LoadOp::create(
                fb, fl, vecTy, b, ValueRange{col, offsets[ch]}));
          for (int64_t i = 0; i < rows; ++i) {
            Value row = arith::ConstantIndexOp::create(fb, fl, i);
            Value acc = zero;
            for (int64_t ch = 0; ch < chunks; ++ch) {
              Value av = vector::LoadOp::create(fb, fl, vecTy, a,
                                                ValueRange{row, offsets[ch]});
              acc = vector::FMAOp::create(fb, fl, av, bRow[ch], acc);
            }
            Value sum = vector::ReductionOp::create(
                fb, fl, vector::CombiningKind::ADD, acc, /*acc=*/Value(),
                reassoc.getValue());
            Value old = memref::LoadOp::create(fb, fl, c, ValueRange{row, col});
            memref::StoreOp::create(fb, fl,
                                    arith::AddFOp::create(fb, fl, old, sum), c,
                                    ValueRange{row, col});
          }
          scf::YieldOp::create(fb, fl);
        });
    rewriter.eraseOp(op);
    return success();
  }

  int64_t lanes;
};

struct MatmulMicrokernelsPass
    : mlir::attn::impl::MatmulMicrokernelsBase<MatmulMicrokernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (lanes <= 0 || rows <= 0 || vectors <= 0) {
      getOperation()->emitError()
          << "attn-matmul-microkernels: lanes, rows and vectors must be "
             "positive, found "
          << static_cast<int64_t>(lanes) << ", " << static_cast<int64_t>(rows)
          << ", " << static_cast<int64_t>(vectors);
      return signalPassFailure();
    }
    if (wideRows < 0) {
      getOperation()->emitError()
          << "attn-matmul-microkernels: wide-rows must be 0 (use rows) or "
             "positive, found "
          << static_cast<int64_t>(wideRows);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<MatmulToMicrokernel>(&getContext(), lanes, rows, wideRows,
                                      vectors, laneA);
    patterns.add<DotProductToMicrokernel>(&getContext(), lanes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
