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
/// total does not. X86Vnni's `init` must carry -128 * sum(q)
/// (offsetCorrection) in its lanes' total.
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

/// -128 * sum(q) of query row `row`'s block `blk` (q.sums), the term that
/// cancels VPDPBUSD's key offset (k + 128) in a block's int32 total.
Value offsetCorrection(OpBuilder &b, Location loc, const QuantizedRows &q,
                       Value row, Value blk) {
  Value sum = tensor::ExtractOp::create(b, loc, q.sums, ValueRange{row, blk});
  return arith::MulIOp::create(
      b, loc, sum, arith::ConstantIntOp::create(b, loc, b.getI32Type(), -128));
}

/// Keys padded up to a multiple of `step`.
Value roundUp(OpBuilder &b, Location loc, Value count, int64_t step) {
  Value cStep = index(b, loc, step);
  return arith::MulIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, count, cStep), cStep);
}

} // namespace

std::pair<Value, Value> mlir::attn::quantizeBlock(OpBuilder &b, Location loc,
                                                  Value xv) {
  auto fBlock = VectorType::get({kBlock}, b.getF32Type());
  auto qBlock = VectorType::get({kBlock}, b.getI8Type());
  if (cast<VectorType>(xv.getType()).getElementType() != b.getF32Type())
    xv = arith::ExtFOp::create(b, loc, fBlock, xv);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  Value oneF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0));
  Value maxQ = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127.0));
  // d = max|x| / 127; q = round-half-away(x * (1 / d)), 0 if d = 0.
  // A NaN makes d NaN, which carries it into every score of the row.
  Value amax =
      vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXIMUMF,
                                  math::AbsFOp::create(b, loc, xv));
  Value d = arith::DivFOp::create(b, loc, amax, maxQ);
  Value inv = arith::SelectOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, d, zeroF), zeroF,
      arith::DivFOp::create(b, loc, oneF, d));
  Value r = math::RoundOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, xv,
                            vector::BroadcastOp::create(b, loc, fBlock, inv)));
  return {arith::FPToSIOp::create(b, loc, qBlock, r), d};
}

QuantizedRows mlir::attn::quantizeRows(OpBuilder &b, Location loc, Value x,
                                       bool withValues, bool withDequantized,
                                       bool withSums) {
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t width = type.getDimSize(1), blocks = width / kBlock;
  assert(!type.isDynamicDim(1) && width % kBlock == 0 &&
         "int8 rows need a static multiple of 32 values");
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto fBlock = VectorType::get({kBlock}, f32);
  auto xBlock = VectorType::get({kBlock}, type.getElementType());
  auto wideBlock = VectorType::get({kBlock}, i32);
  Value rows = tensor::DimOp::create(b, loc, x, 0);

  SmallVector<Value> inits = {emptyRows(b, loc, rows, blocks, f32)};
  if (withValues)
    inits.push_back(emptyRows(b, loc, rows, width, i8));
  if (withDequantized)
    inits.push_back(emptyRows(b, loc, rows, width, f32));
  if (withSums)
    inits.push_back(emptyRows(b, loc, rows, blocks, i32));

  Value pad =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  auto loop = scf::ForOp::create(
      b, loc, index(b, loc, 0), rows, index(b, loc, 1), inits,
      [&](OpBuilder &rb, Location rl, Value j, ValueRange state) {
        SmallVector<Value> acc(state);
        for (int64_t blk = 0; blk < blocks; ++blk) {
          Value col = index(rb, rl, blk * kBlock);
          Value xv = vector::TransferReadOp::create(
              rb, rl, xBlock, x, ValueRange{j, col}, pad, ArrayRef<bool>{true});
          auto [qv, d] = quantizeBlock(rb, rl, xv);
          Value blkIdx = index(rb, rl, blk);
          size_t slot = 0;
          acc[slot] = tensor::InsertOp::create(rb, rl, d, acc[slot],
                                               ValueRange{j, blkIdx});
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
            ++slot;
          }
          if (withSums) {
            Value sum = vector::ReductionOp::create(
                rb, rl, vector::CombiningKind::ADD,
                arith::ExtSIOp::create(rb, rl, wideBlock, qv));
            acc[slot] = tensor::InsertOp::create(rb, rl, sum, acc[slot],
                                                 ValueRange{j, blkIdx});
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
  if (withSums)
    out.sums = loop.getResult(slot++);
  return out;
}

Value mlir::attn::int8Scores(OpBuilder &b, Location loc, const QuantizedRows &q,
                             Value keys, BlockFormat format, Value dest,
                             Int8Dot dot, int64_t lanes) {
  if (dot == Int8Dot::ArmDotProd)
    lanes = 4;
  if (dot == Int8Dot::X86Vnni)
    lanes = 8;
  // Widened products: chunks of at most 8 lanes (measured on x86).
  if (dot == Int8Dot::Generic)
    lanes = std::min<int64_t>(lanes, 8);
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
      // VPDPBUSD: the block's correction in lane 0 (only the lanes' total
      // is read).
      Value init = splatI32(ab, al, intType, 0);
      if (dot == Int8Dot::X86Vnni)
        init = vector::InsertOp::create(
            ab, al, offsetCorrection(ab, al, q, row, index(ab, al, blk)), init,
            ArrayRef<int64_t>{0});
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

Value mlir::attn::int8TileRoom(OpBuilder &b, Location loc, Value keys,
                               Int8Dot dot, int64_t lanes) {
  if (dot == Int8Dot::Generic)
    return keys;
  return roundUp(b, loc, keys, int8TileKeysPerStep(dot, lanes));
}

int64_t mlir::attn::int8TileKeysPerStep(Int8Dot dot, int64_t lanes) {
  return 2 * (dot == Int8Dot::ArmDotProd ? 4 : lanes);
}

Value mlir::attn::int8TileScores(OpBuilder &b, Location loc,
                                 const QuantizedRows &q, Value keyCount,
                                 KeyBlockReader readKey, Value keyWords,
                                 Value keyScales, Value dest, Int8Dot dot,
                                 int64_t lanes) {
  assert(dot != Int8Dot::Generic && "the tile kernel needs attn.dot_i8");
  const int64_t keysPerStep = int8TileKeysPerStep(dot, lanes);
  lanes = keysPerStep / 2;
  const bool offset = dot == Int8Dot::X86Vnni;
  const int64_t width =
      cast<RankedTensorType>(q.values.getType()).getDimSize(1);
  const int64_t blocks = width / kBlock, wordsPerBlock = kBlock / 4;
  // Register block: kRows query rows x kVectors vectors of `lanes` keys.
  constexpr int64_t kRows = 4, kVectors = 2;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto wordVec = VectorType::get({lanes}, i32);
  auto byteVec = VectorType::get({4 * lanes}, i8);
  auto accType = VectorType::get({lanes}, f32);
  auto blockWords = VectorType::get({wordsPerBlock}, i32);
  auto word = VectorType::get({4}, i8);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value cStep = index(b, loc, keysPerStep);
  // Keys padded to whole steps; the pad keys' scores are never written.
  Value padded = roundUp(b, loc, keyCount, keysPerStep);

  // 1. The key tile repacked as the instruction reads it: word t of every
  // key (bytes 4t .. 4t+3, offset by 128 for VPDPBUSD) along a row of
  // keyWords [D/4, keys], the block scales along keyScales [D/32, keys].
  auto repack = scf::ForOp::create(
      b, loc, c0, padded, c1, ValueRange{keyWords, keyScales},
      [&](OpBuilder &kb, Location kl, Value key, ValueRange st) {
        Value inRange = arith::CmpIOp::create(kb, kl, arith::CmpIPredicate::ult,
                                              key, keyCount);
        // Pad keys repeat key 0 (always present): finite, never written.
        Value src = arith::SelectOp::create(kb, kl, inRange, key, c0);
        Value words = st[0], scales = st[1];
        for (int64_t blk = 0; blk < blocks; ++blk) {
          auto [vals, d] = readKey(kb, kl, src, blk);
          if (offset)
            vals = arith::XOrIOp::create(kb, kl, vals,
                                         splatI8(kb, kl, kBlock, -128));
          // The block's 8 words down column `key`, one store each.
          Value w = vector::BitCastOp::create(kb, kl, blockWords, vals);
          for (int64_t t = 0; t < wordsPerBlock; ++t)
            words = tensor::InsertOp::create(
                kb, kl,
                vector::ExtractOp::create(kb, kl, w, ArrayRef<int64_t>{t}),
                words, ValueRange{index(kb, kl, blk * wordsPerBlock + t), key});
          scales = tensor::InsertOp::create(
              kb, kl, d, scales, ValueRange{index(kb, kl, blk), key});
        }
        scf::YieldOp::create(kb, kl, ValueRange{words, scales});
      });
  Value words = repack.getResult(0), scales = repack.getResult(1);

  // 2. S [rows, keys] in register blocks: per block of 32 values, int32
  // accumulators from attn.dot_i8 of 4-byte query words (broadcast) against
  // `lanes` keys' words, then S += f32(acc) * d_q * d_k.
  Value rows = tensor::DimOp::create(b, loc, q.values, 0);
  Value zeroF = splatF32(b, loc, accType, 0.0);
  Value pad8 = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value pad32 = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value padF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  auto rowBlock = [&](OpBuilder &rb, Location rl, Value r0, int64_t nr,
                      Value s) -> Value {
    auto steps = scf::ForOp::create(
        rb, rl, c0, padded, cStep, ValueRange{s},
        [&](OpBuilder &cb, Location cl, Value k0, ValueRange st) {
          SmallVector<Value> rowIdx, keyIdx;
          for (int64_t i = 0; i < nr; ++i)
            rowIdx.push_back(
                arith::AddIOp::create(cb, cl, r0, index(cb, cl, i)));
          for (int64_t v = 0; v < kVectors; ++v)
            keyIdx.push_back(
                arith::AddIOp::create(cb, cl, k0, index(cb, cl, v * lanes)));
          SmallVector<Value> accF(nr * kVectors, zeroF);
          for (int64_t blk = 0; blk < blocks; ++blk) {
            Value blkIdx = index(cb, cl, blk);
            SmallVector<Value> accI;
            for (int64_t i = 0; i < nr; ++i) {
              Value init = splatI32(cb, cl, wordVec, 0);
              if (offset)
                init = vector::BroadcastOp::create(
                    cb, cl, wordVec,
                    offsetCorrection(cb, cl, q, rowIdx[i], blkIdx));
              accI.append(kVectors, init);
            }
            for (int64_t t = 0; t < wordsPerBlock; ++t) {
              Value wordRow = index(cb, cl, blk * wordsPerBlock + t);
              SmallVector<Value> kv;
              for (int64_t v = 0; v < kVectors; ++v)
                kv.push_back(vector::BitCastOp::create(
                    cb, cl, byteVec,
                    vector::TransferReadOp::create(
                        cb, cl, wordVec, words, ValueRange{wordRow, keyIdx[v]},
                        pad32, ArrayRef<bool>{true})));
              for (int64_t i = 0; i < nr; ++i) {
                Value qw = vector::TransferReadOp::create(
                    cb, cl, word, q.values,
                    ValueRange{rowIdx[i],
                               index(cb, cl, 4 * (blk * wordsPerBlock + t))},
                    pad8, ArrayRef<bool>{true});
                Value w32 = vector::ExtractOp::create(
                    cb, cl,
                    vector::BitCastOp::create(cb, cl, VectorType::get({1}, i32),
                                              qw),
                    ArrayRef<int64_t>{0});
                Value qb = vector::BitCastOp::create(
                    cb, cl, byteVec,
                    vector::BroadcastOp::create(cb, cl, wordVec, w32));
                for (int64_t v = 0; v < kVectors; ++v) {
                  Value &a = accI[i * kVectors + v];
                  a = DotI8Op::create(cb, cl, wordVec, a, kv[v], qb,
                                      /*lhs_unsigned=*/offset);
                }
              }
            }
            SmallVector<Value> dk;
            for (int64_t v = 0; v < kVectors; ++v)
              dk.push_back(vector::TransferReadOp::create(
                  cb, cl, accType, scales, ValueRange{blkIdx, keyIdx[v]}, padF,
                  ArrayRef<bool>{true}));
            for (int64_t i = 0; i < nr; ++i) {
              Value dq = vector::BroadcastOp::create(
                  cb, cl, accType,
                  tensor::ExtractOp::create(cb, cl, q.scales,
                                            ValueRange{rowIdx[i], blkIdx}));
              for (int64_t v = 0; v < kVectors; ++v) {
                Value &acc = accF[i * kVectors + v];
                acc = vector::FMAOp::create(
                    cb, cl,
                    arith::SIToFPOp::create(cb, cl, accType,
                                            accI[i * kVectors + v]),
                    arith::MulFOp::create(cb, cl, dk[v], dq), acc);
              }
            }
          }
          // Masked at the last keys: dest holds only the real ones.
          Value out = st[0];
          for (int64_t i = 0; i < nr; ++i)
            for (int64_t v = 0; v < kVectors; ++v)
              out = vector::TransferWriteOp::create(
                        cb, cl, accF[i * kVectors + v], out,
                        ValueRange{rowIdx[i], keyIdx[v]}, ArrayRef<bool>{false})
                        .getResult();
          scf::YieldOp::create(cb, cl, out);
        });
    return steps.getResult(0);
  };
  Value cRows = index(b, loc, kRows);
  Value fullRows = arith::SubIOp::create(
      b, loc, rows, arith::RemUIOp::create(b, loc, rows, cRows));
  auto full = scf::ForOp::create(
      b, loc, c0, fullRows, cRows, ValueRange{dest},
      [&](OpBuilder &rb, Location rl, Value r0, ValueRange st) {
        scf::YieldOp::create(rb, rl, rowBlock(rb, rl, r0, kRows, st[0]));
      });
  auto rest = scf::ForOp::create(
      b, loc, fullRows, rows, c1, ValueRange{full.getResult(0)},
      [&](OpBuilder &rb, Location rl, Value r0, ValueRange st) {
        scf::YieldOp::create(rb, rl, rowBlock(rb, rl, r0, 1, st[0]));
      });
  return rest.getResult(0);
}
