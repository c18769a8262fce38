//===- LowerInt8Dot.cpp - attn.dot_i8 / dot_bf16 to the target's dots -----===//
//
// attn-lower-int8-dot: see compiler/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/Passes.h"

#include "dialects/Attn/AttnOps.h"
#include "passes/Utils/Int8Products.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_LOWERINT8DOT
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

Value slice(PatternRewriter &rw, Location loc, Value v, int64_t offset,
            int64_t size) {
  return vector::ExtractStridedSliceOp::create(
      rw, loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{size},
      ArrayRef<int64_t>{1});
}

/// The op's definition: lane i gets the 4 products of bytes 4i .. 4i+3.
Value genericDot(PatternRewriter &rw, Location loc, Value acc, Value lhs,
                 Value rhs, bool lhsUnsigned) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  auto wide = VectorType::get({4 * lanes}, rw.getI32Type());
  Value a = lhsUnsigned
                ? arith::ExtUIOp::create(rw, loc, wide, lhs).getResult()
                : arith::ExtSIOp::create(rw, loc, wide, lhs).getResult();
  Value b = arith::ExtSIOp::create(rw, loc, wide, rhs);
  Value p = arith::MulIOp::create(rw, loc, a, b);
  Value sum = acc;
  for (int64_t j = 0; j < 4; ++j) {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < lanes; ++i)
      mask.push_back(4 * i + j);
    sum = arith::AddIOp::create(rw, loc, sum,
                                vector::ShuffleOp::create(rw, loc, p, p, mask));
  }
  return sum;
}

/// `piece`-lane slices of the op, each rewritten by `emit`, put back
/// together.
Value byPieces(PatternRewriter &rw, Location loc, DotI8Op op, int64_t piece,
               llvm::function_ref<Value(Value, Value, Value)> emit) {
  auto accType = cast<VectorType>(op.getAcc().getType());
  int64_t lanes = accType.getNumElements();
  if (lanes == piece)
    return emit(op.getAcc(), op.getLhs(), op.getRhs());
  Value out = arith::ConstantOp::create(
      rw, loc, DenseElementsAttr::get(accType, rw.getI32IntegerAttr(0)));
  for (int64_t l = 0; l < lanes; l += piece) {
    Value r = emit(slice(rw, loc, op.getAcc(), l, piece),
                   slice(rw, loc, op.getLhs(), 4 * l, 4 * piece),
                   slice(rw, loc, op.getRhs(), 4 * l, 4 * piece));
    out = vector::InsertStridedSliceOp::create(
        rw, loc, r, out, ArrayRef<int64_t>{l}, ArrayRef<int64_t>{1});
  }
  return out;
}

/// The widest VPDPBUSD / SDOT piece that divides `lanes`, or 0.
int64_t pieceFor(Int8Dot isa, int64_t lanes) {
  ArrayRef<int64_t> widths;
  static const int64_t x86[] = {16, 8, 4}, arm[] = {4};
  widths = isa == Int8Dot::X86Vnni ? ArrayRef<int64_t>(x86) : arm;
  for (int64_t w : widths)
    if (lanes % w == 0)
      return w;
  return 0;
}

struct LowerDotI8 : OpRewritePattern<DotI8Op> {
  LowerDotI8(MLIRContext *ctx, Int8Dot isa)
      : OpRewritePattern<DotI8Op>(ctx), isa(isa) {}

  LogicalResult matchAndRewrite(DotI8Op op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    int64_t lanes = cast<VectorType>(op.getAcc().getType()).getNumElements();
    bool lhsUnsigned = op.getLhsUnsigned();
    Int8Dot use = isa;
    // SDOT multiplies signed bytes only; VPDPBUSD unsigned by signed only.
    if ((use == Int8Dot::ArmDotProd && lhsUnsigned) ||
        (use == Int8Dot::X86Vnni && !lhsUnsigned) || !pieceFor(use, lanes))
      use = Int8Dot::Generic;
    Value result;
    switch (use) {
    case Int8Dot::Generic:
      result = genericDot(rw, loc, op.getAcc(), op.getLhs(), op.getRhs(),
                          lhsUnsigned);
      break;
    case Int8Dot::X86Vnni:
      result = byPieces(
          rw, loc, op, pieceFor(use, lanes), [&](Value acc, Value a, Value b) {
            int64_t bits =
                32 * cast<VectorType>(acc.getType()).getNumElements();
            std::string name =
                "llvm.x86.avx512.vpdpbusd." + std::to_string(bits);
            return LLVM::CallIntrinsicOp::create(rw, loc, acc.getType(),
                                                 rw.getStringAttr(name),
                                                 ValueRange{acc, a, b})
                .getResult(0);
          });
      break;
    case Int8Dot::ArmDotProd:
      result = byPieces(rw, loc, op, 4, [&](Value acc, Value a, Value b) {
        return arm_neon::SdotOp::create(rw, loc, acc.getType(), acc, a, b)
            .getResult();
      });
      break;
    }
    rw.replaceOp(op, result);
    return success();
  }

  Int8Dot isa;
};

/// Lanes `parity` (0: even, 1: odd) of the 2n-lane `v`, widened to f32.
Value halfLanes(PatternRewriter &rw, Location loc, Value v, int64_t parity) {
  int64_t n = cast<VectorType>(v.getType()).getNumElements() / 2;
  SmallVector<int64_t> mask;
  for (int64_t i = 0; i < n; ++i)
    mask.push_back(2 * i + parity);
  Value lanes = vector::ShuffleOp::create(rw, loc, v, v, mask);
  return arith::ExtFOp::create(rw, loc, VectorType::get({n}, rw.getF32Type()),
                               lanes);
}

/// How attn.dot_bf16 is lowered (attn-lower-int8-dot bf16).
enum class Bf16Dot { Generic, X86, Arm };

struct LowerDotBf16 : OpRewritePattern<DotBf16Op> {
  LowerDotBf16(MLIRContext *ctx, Bf16Dot isa)
      : OpRewritePattern(ctx), isa(isa) {}

  LogicalResult matchAndRewrite(DotBf16Op op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto accType = cast<VectorType>(op.getAcc().getType());
    int64_t lanes = accType.getNumElements();
    // VDPBF16PS: 16, 8 or 4 lanes; BFDOT: 4.
    int64_t piece = 0;
    for (int64_t w : {16, 8, 4})
      if ((isa == Bf16Dot::X86 || (isa == Bf16Dot::Arm && w == 4)) &&
          lanes % w == 0) {
        piece = w;
        break;
      }
    if (!piece) {
      // The op's definition: the odd pair's product added first, as
      // VDPBF16PS does; a product of two bf16 is exact, so each fma rounds
      // once, like the instruction's addition.
      Value r = vector::FMAOp::create(
          rw, loc, halfLanes(rw, loc, op.getLhs(), 1),
          halfLanes(rw, loc, op.getRhs(), 1), op.getAcc());
      r = vector::FMAOp::create(rw, loc, halfLanes(rw, loc, op.getLhs(), 0),
                                halfLanes(rw, loc, op.getRhs(), 0), r);
      rw.replaceOp(op, r);
      return success();
    }
    Value out = op.getAcc();
    for (int64_t l = 0; l < lanes; l += piece) {
      Value acc =
          lanes == piece ? op.getAcc() : slice(rw, loc, op.getAcc(), l, piece);
      Value a = lanes == piece ? op.getLhs()
                               : slice(rw, loc, op.getLhs(), 2 * l, 2 * piece);
      Value b = lanes == piece ? op.getRhs()
                               : slice(rw, loc, op.getRhs(), 2 * l, 2 * piece);
      Value r =
          isa == Bf16Dot::X86
              ? x86vector::DotBF16Op::create(rw, loc, acc.getType(), acc, a, b)
                    .getResult()
              : LLVM::CallIntrinsicOp::create(
                    rw, loc, acc.getType(),
                    rw.getStringAttr("llvm.aarch64.neon.bfdot.v4f32.v8bf16"),
                    ValueRange{acc, a, b})
                    .getResult(0);
      out = lanes == piece
                ? r
                : vector::InsertStridedSliceOp::create(rw, loc, r, out,
                                                       ArrayRef<int64_t>{l},
                                                       ArrayRef<int64_t>{1})
                      .getResult();
    }
    rw.replaceOp(op, out);
    return success();
  }

  Bf16Dot isa;
};

/// attn.mmla_i8 as SMMLA (`smmla`) or as its definition: the 64 widened
/// products, each of the 4 results summing 8 of them.
struct LowerMmlaI8 : OpRewritePattern<MmlaI8Op> {
  LowerMmlaI8(MLIRContext *ctx, bool smmla)
      : OpRewritePattern(ctx), smmla(smmla) {}

  LogicalResult matchAndRewrite(MmlaI8Op op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    if (smmla) {
      rw.replaceOp(op, arm_neon::SmmlaOp::create(rw, loc, op.getAcc().getType(),
                                                 op.getAcc(), op.getLhs(),
                                                 op.getRhs())
                           .getResult());
      return success();
    }
    auto wide = VectorType::get({8}, rw.getI32Type());
    Value acc = op.getAcc();
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        Value a = arith::ExtSIOp::create(rw, loc, wide,
                                         slice(rw, loc, op.getLhs(), 8 * i, 8));
        Value b = arith::ExtSIOp::create(rw, loc, wide,
                                         slice(rw, loc, op.getRhs(), 8 * j, 8));
        Value dot =
            vector::ReductionOp::create(rw, loc, vector::CombiningKind::ADD,
                                        arith::MulIOp::create(rw, loc, a, b));
        Value lane = vector::ExtractOp::create(rw, loc, acc,
                                               ArrayRef<int64_t>{2 * i + j});
        acc = vector::InsertOp::create(
            rw, loc, arith::AddIOp::create(rw, loc, lane, dot), acc,
            ArrayRef<int64_t>{2 * i + j});
      }
    rw.replaceOp(op, acc);
    return success();
  }

  bool smmla;
};

struct LowerInt8DotPass : mlir::attn::impl::LowerInt8DotBase<LowerInt8DotPass> {
  using LowerInt8DotBase::LowerInt8DotBase;

  void runOnOperation() override {
    std::optional<Int8Dot> use = parseInt8Dot(isa);
    if (!use) {
      getOperation()->emitError()
          << "attn-lower-int8-dot: unknown isa '" << isa
          << "' (expected x86-vnni, arm-dotprod or generic)";
      return signalPassFailure();
    }
    std::optional<Bf16Dot> bf16Isa =
        llvm::StringSwitch<std::optional<Bf16Dot>>(bf16)
            .Case("x86-avx512bf16", Bf16Dot::X86)
            .Case("arm-bf16", Bf16Dot::Arm)
            .Case("generic", Bf16Dot::Generic)
            .Default(std::nullopt);
    if (!bf16Isa) {
      getOperation()->emitError()
          << "attn-lower-int8-dot: unknown bf16 '" << bf16
          << "' (expected x86-avx512bf16, arm-bf16 or generic)";
      return signalPassFailure();
    }
    if (mmla != "arm-i8mm" && mmla != "generic") {
      getOperation()->emitError() << "attn-lower-int8-dot: unknown mmla '"
                                  << mmla << "' (expected arm-i8mm or generic)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotI8>(&getContext(), *use);
    patterns.add<LowerMmlaI8>(&getContext(), mmla == "arm-i8mm");
    patterns.add<LowerDotBf16>(&getContext(), *bf16Isa);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
