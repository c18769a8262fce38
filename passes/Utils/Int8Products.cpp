//===- Int8Products.cpp - int8 Q . K^T as vector code ---------------------===//

#include "passes/Utils/Int8Products.h"

#include "dialects/Attn/AttnOps.h"

#include "passes/Utils/BlockFormats.h"
#include "passes/Utils/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::attn;

std::optional<Int8Dot> mlir::attn::parseInt8Dot(llvm::StringRef name) {
  if (name == "generic")
    return Int8Dot::Generic;
  if (name == "arm-dotprod")
    return Int8Dot::ArmDotProd;
  if (name == "x86-vnni")
    return Int8Dot::X86Vnni;
  return std::nullopt;
}

namespace {

/// Values a quantized block needs: 32 values a block along the head dim.
constexpr int64_t kBlock = 32;

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value splatF32(OpBuilder &b, Location loc, VectorType type, double v) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

Value splatI32(OpBuilder &b, Location loc, VectorType type, int32_t v) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
}

Value emptyRows(OpBuilder &b, Location loc, Value rows, int64_t cols,
                Type element) {
  return tensor::EmptyOp::create(b, loc,
                                 ArrayRef<int64_t>{ShapedType::kDynamic, cols},
                                 element, ValueRange{rows});
}

Value splatI8(OpBuilder &b, Location loc, int64_t n, int8_t v) {
  auto type = VectorType::get({n}, b.getI8Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(v)));
}

/// int32 lanes (`init` plus sums of byte products) of one block: the 32
/// key bytes `k` against the 32 query bytes `q`. Every form sums each
/// product exactly once; which lane a product lands in differs, the lanes'
/// total does not. X86Vnni's `init` must carry -128 * sum(q) (offsetInit).
Value blockDot(OpBuilder &b, Location loc, Int8Dot dot, Value init, Value k,
               Value q) {
  auto initType = cast<VectorType>(init.getType());
  switch (dot) {
  case Int8Dot::ArmDotProd:
  case Int8Dot::X86Vnni: {
    bool offset = dot == Int8Dot::X86Vnni;
    // VPDPBUSD multiplies unsigned bytes: k + 128 (the sign bit flipped).
    if (offset)
      k = arith::XOrIOp::create(b, loc, k, splatI8(b, loc, kBlock, -128));
    int64_t bytes = 4 * initType.getNumElements();
    Value acc = init;
    for (int64_t c = 0; c < kBlock; c += bytes) {
      auto slice = [&](Value v) -> Value {
        if (bytes == kBlock)
          return v;
        return vector::ExtractStridedSliceOp::create(
            b, loc, v, ArrayRef<int64_t>{c}, ArrayRef<int64_t>{bytes},
            ArrayRef<int64_t>{1});
      };
      acc = DotI8Op::create(b, loc, initType, acc, slice(k), slice(q),
                            /*lhs_unsigned=*/offset);
    }
    return acc;
  }
  case Int8Dot::Generic: {
    int64_t lanes = initType.getDimSize(0);
    auto wide = VectorType::get({kBlock}, b.getI32Type());
    Value p =
        arith::MulIOp::create(b, loc, arith::ExtSIOp::create(b, loc, wide, k),
                              arith::ExtSIOp::create(b, loc, wide, q));
    // Vertical adds of the products' `lanes`-wide chunks.
    Value acc = init;
    for (int64_t c = 0; c < kBlock; c += lanes)
      acc = arith::AddIOp::create(
          b, loc, acc,
          vector::ExtractStridedSliceOp::create(b, loc, p, ArrayRef<int64_t>{c},
                                                ArrayRef<int64_t>{lanes},
                                                ArrayRef<int64_t>{1}));
    return acc;
  }
  }
  llvm_unreachable("unknown Int8Dot");
}

/// The accumulator a block's dot products start from: zero, or for
/// X86Vnni -128 * sum(q) spread over the lanes (128 * q through the same
/// instruction), which cancels the key offset of every key of the block.
Value blockInit(OpBuilder &b, Location loc, Int8Dot dot, VectorType intType,
                Value q) {
  Value zero = splatI32(b, loc, intType, 0);
  if (dot != Int8Dot::X86Vnni)
    return zero;
  assert(4 * intType.getNumElements() == kBlock && "one VPDPBUSD a block");
  // The byte 0x80 read unsigned is 128.
  Value offset =
      DotI8Op::create(b, loc, intType, zero, splatI8(b, loc, kBlock, -128), q,
                      /*lhs_unsigned=*/true);
  return arith::SubIOp::create(b, loc, zero, offset);
}

} // namespace

QuantizedRows mlir::attn::quantizeRows(OpBuilder &b, Location loc, Value x,
                                       Int8Dot dot, bool withValues,
                                       bool withDequantized) {
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t width = type.getDimSize(1), blocks = width / kBlock;
  assert(!type.isDynamicDim(1) && width % kBlock == 0 &&
         "int8 rows need a static multiple of 32 values");
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto fBlock = VectorType::get({kBlock}, f32);
  auto qBlock = VectorType::get({kBlock}, i8);
  Value rows = tensor::DimOp::create(b, loc, x, 0);

  SmallVector<Value> inits = {emptyRows(b, loc, rows, blocks, f32)};
  if (withValues)
    inits.push_back(emptyRows(b, loc, rows, width, i8));
  if (withDequantized)
    inits.push_back(emptyRows(b, loc, rows, width, f32));

  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  Value oneF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0));
  Value maxQ = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127.0));
  auto loop = scf::ForOp::create(
      b, loc, index(b, loc, 0), rows, index(b, loc, 1), inits,
      [&](OpBuilder &rb, Location rl, Value j, ValueRange state) {
        SmallVector<Value> acc(state);
        for (int64_t blk = 0; blk < blocks; ++blk) {
          Value col = index(rb, rl, blk * kBlock);
          Value xv = vector::TransferReadOp::create(rb, rl, fBlock, x,
                                                    ValueRange{j, col}, zeroF,
                                                    ArrayRef<bool>{true});
          // d = max|x| / 127; q = round-half-away(x * (1 / d)), 0 if d = 0.
          // A NaN makes d NaN, which carries it into every score of the row.
          Value amax = vector::ReductionOp::create(
              rb, rl, vector::CombiningKind::MAXIMUMF,
              math::AbsFOp::create(rb, rl, xv));
          Value d = arith::DivFOp::create(rb, rl, amax, maxQ);
          Value inv = arith::SelectOp::create(
              rb, rl,
              arith::CmpFOp::create(rb, rl, arith::CmpFPredicate::OEQ, d,
                                    zeroF),
              zeroF, arith::DivFOp::create(rb, rl, oneF, d));
          Value r = math::RoundOp::create(
              rb, rl,
              arith::MulFOp::create(
                  rb, rl, xv,
                  vector::BroadcastOp::create(rb, rl, fBlock, inv)));
          Value qv = arith::FPToSIOp::create(rb, rl, qBlock, r);
          size_t slot = 0;
          acc[slot] = tensor::InsertOp::create(
              rb, rl, d, acc[slot], ValueRange{j, index(rb, rl, blk)});
          ++slot;
          if (withValues) {
            acc[slot] = vector::TransferWriteOp::create(rb, rl, qv, acc[slot],
                                                        ValueRange{j, col},
                                                        ArrayRef<bool>{true})
                            .getResult();
            ++slot;
          }
          if (withDequantized) {
            Value back = arith::MulFOp::create(
                rb, rl, arith::SIToFPOp::create(rb, rl, fBlock, qv),
                vector::BroadcastOp::create(rb, rl, fBlock, d));
            acc[slot] = vector::TransferWriteOp::create(rb, rl, back, acc[slot],
                                                        ValueRange{j, col},
                                                        ArrayRef<bool>{true})
                            .getResult();
          }
        }
        scf::YieldOp::create(rb, rl, acc);
      });
  QuantizedRows out;
  size_t slot = 0;
  out.scales = loop.getResult(slot++);
  if (withValues)
    out.values = loop.getResult(slot++);
  if (withDequantized)
    out.dequantized = loop.getResult(slot++);
  return out;
}

Value mlir::attn::int8Scores(OpBuilder &b, Location loc, const QuantizedRows &q,
                             Value keys, BlockFormat format, Value dest,
                             Int8Dot dot, int64_t lanes) {
  if (dot == Int8Dot::ArmDotProd)
    lanes = 4;
  if (dot == Int8Dot::X86Vnni)
    lanes = 8;
  const int64_t blocks =
      cast<RankedTensorType>(q.values.getType()).getDimSize(1) / kBlock;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto accType = VectorType::get({lanes}, f32);
  auto intType = VectorType::get({lanes}, i32);
  auto qBlock = VectorType::get({kBlock}, i8);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value br = tensor::DimOp::create(b, loc, dest, 0);
  Value bc = tensor::DimOp::create(b, loc, dest, 1);
  Value cLanes = index(b, loc, lanes);
  Value full = arith::SubIOp::create(
      b, loc, bc, arith::RemUIOp::create(b, loc, bc, cLanes));
  Value pad8 = arith::ConstantIntOp::create(b, loc, i8, 0);

  // The f32 accumulator vectors of query row `row` against `keysOf.size()`
  // keys, over every block.
  auto accumulate = [&](OpBuilder &ab, Location al, Value row,
                        ArrayRef<Value> keyRows) {
    SmallVector<Value> accs(keyRows.size(), splatF32(ab, al, accType, 0.0));
    for (int64_t blk = 0; blk < blocks; ++blk) {
      Value qv = vector::TransferReadOp::create(
          ab, al, qBlock, q.values,
          ValueRange{row, index(ab, al, blk * kBlock)}, pad8,
          ArrayRef<bool>{true});
      Value dq = tensor::ExtractOp::create(ab, al, q.scales,
                                           ValueRange{row, index(ab, al, blk)});
      Value init = blockInit(ab, al, dot, intType, qv);
      for (size_t jj = 0; jj < keyRows.size(); ++jj) {
        Value kv = readBlockInts(ab, al, keys, keyRows[jj], blk, format);
        Value dk = readBlockScale(ab, al, keys, keyRows[jj], blk, format);
        Value sum = blockDot(ab, al, dot, init, kv, qv);
        Value w = arith::MulFOp::create(ab, al, dq, dk);
        accs[jj] = vector::FMAOp::create(
            ab, al, arith::SIToFPOp::create(ab, al, accType, sum),
            vector::BroadcastOp::create(ab, al, accType, w), accs[jj]);
      }
    }
    return accs;
  };

  // Full groups of `lanes` keys: one transposing reduction per row.
  auto groups = scf::ForOp::create(
      b, loc, c0, full, cLanes, ValueRange{dest},
      [&](OpBuilder &gb, Location gl, Value col0, ValueRange gState) {
        SmallVector<Value> keyRows;
        for (int64_t jj = 0; jj < lanes; ++jj)
          keyRows.push_back(
              arith::AddIOp::create(gb, gl, col0, index(gb, gl, jj)));
        auto rowLoop = scf::ForOp::create(
            gb, gl, c0, br, c1, gState,
            [&](OpBuilder &rb, Location rl, Value row, ValueRange rState) {
              Value sums =
                  transposeReduce(rb, rl, accumulate(rb, rl, row, keyRows));
              Value s = vector::TransferWriteOp::create(rb, rl, sums, rState[0],
                                                        ValueRange{row, col0},
                                                        ArrayRef<bool>{true})
                            .getResult();
              scf::YieldOp::create(rb, rl, s);
            });
        scf::YieldOp::create(gb, gl, rowLoop.getResult(0));
      });

  // The remaining keys, one at a time.
  auto reassoc = arith::FastMathFlags::reassoc;
  auto tail = scf::ForOp::create(
      b, loc, full, bc, c1, ValueRange{groups.getResult(0)},
      [&](OpBuilder &cb, Location cl, Value col, ValueRange cState) {
        auto rowLoop = scf::ForOp::create(
            cb, cl, c0, br, c1, cState,
            [&](OpBuilder &rb, Location rl, Value row, ValueRange rState) {
              Value acc = accumulate(rb, rl, row, {col}).front();
              Value sum = vector::ReductionOp::create(
                  rb, rl, vector::CombiningKind::ADD, acc, /*acc=*/Value(),
                  reassoc);
              Value s = tensor::InsertOp::create(rb, rl, sum, rState[0],
                                                 ValueRange{row, col});
              scf::YieldOp::create(rb, rl, s);
            });
        scf::YieldOp::create(cb, cl, rowLoop.getResult(0));
      });
  return tail.getResult(0);
}
