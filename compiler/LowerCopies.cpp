//===- LowerCopies.cpp - memref.copy to linalg.copy, row copies to vectors ===//
//
// attn-lower-copies: see compiler/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_LOWERCOPIES
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
/// memref.copy %a, %b  ->  linalg.copy ins(%a) outs(%b)
struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

/// The most vectors one row copy is unrolled into.
constexpr int64_t kMaxRowVectors = 16;

/// Whether `t` is a 2-D memref with unit stride along its rows and a static
/// row length that is a multiple of `lanes`, at most kMaxRowVectors vectors.
bool isVectorRowMatrix(Type t, int64_t lanes) {
  auto m = dyn_cast<MemRefType>(t);
  return m && m.getRank() == 2 && !m.isDynamicDim(1) && m.getDimSize(1) != 0 &&
         m.getDimSize(1) % lanes == 0 &&
         m.getDimSize(1) / lanes <= kMaxRowVectors &&
         m.getElementType().isIntOrFloat() && m.isLastDimUnitStride();
}

/// linalg.copy of [M, N] memrefs with contiguous rows of static length N
/// (a multiple of `lanes`): one loop over rows, each row N / lanes vector
/// loads and stores. (The loop lowering leaves a scalar loop that LLVM does
/// not always vectorize: it unrolled the 64-float rows of a value block into
/// 64 scalar moves.)
struct RowCopyToVectors : OpRewritePattern<linalg::CopyOp> {
  RowCopyToVectors(MLIRContext *ctx, int64_t lanes)
      : OpRewritePattern(ctx), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::CopyOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return failure();
    Value src = op.getInputs()[0], dst = op.getOutputs()[0];
    if (!isVectorRowMatrix(src.getType(), lanes) ||
        !isVectorRowMatrix(dst.getType(), lanes) ||
        cast<MemRefType>(src.getType()).getElementType() !=
            cast<MemRefType>(dst.getType()).getElementType())
      return failure();
    auto type = cast<MemRefType>(dst.getType());
    auto vecTy = VectorType::get({lanes}, type.getElementType());
    Location loc = op.getLoc();
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value rows = memref::DimOp::create(rewriter, loc, dst, 0);
    scf::ForOp::create(
        rewriter, loc, c0, rows, c1, ValueRange{},
        [&](OpBuilder &b, Location l, Value row, ValueRange) {
          for (int64_t col = 0; col < type.getDimSize(1); col += lanes) {
            Value c = arith::ConstantIndexOp::create(b, l, col);
            Value v =
                vector::LoadOp::create(b, l, vecTy, src, ValueRange{row, c});
            vector::StoreOp::create(b, l, v, dst, ValueRange{row, c});
          }
          scf::YieldOp::create(b, l);
        });
    rewriter.eraseOp(op);
    return success();
  }

  int64_t lanes;
};

struct LowerCopiesPass : mlir::attn::impl::LowerCopiesBase<LowerCopiesPass> {
  using Base::Base;
  void runOnOperation() override {
    if (lanes < 0) {
      getOperation()->emitError()
          << "attn-lower-copies: lanes must be 0 (no vector rows) or "
             "positive, found "
          << static_cast<int64_t>(lanes);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<CopyToLinalg>(&getContext());
    if (lanes > 0)
      patterns.add<RowCopyToVectors>(&getContext(), lanes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
