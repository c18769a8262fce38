//===- Int8Products.cpp - int8 Q . K^T and P . V as vector code -----------===//

#include "passes/Utils/Int8Products.h"

#include "dialects/Attn/AttnOps.h"

#include "passes/Utils/BlockFormats.h"
#include "passes/Utils/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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

/// int32 lanes (`init` plus sums of byte products) of the key bytes `k`
/// against the query bytes `q` (one block of 32, or for the dot products
/// as many blocks side by side as the lanes cover). Every form sums each
/// product exactly once; which lane a product lands in differs, the lanes'
/// total does not. X86Vnni takes `k` offset to unsigned bytes (k + 128,
/// keyBytes) and leaves -128 * sum(q) (offsetCorrection) for the caller.
Value blockDot(OpBuilder &b, Location loc, Int8Dot dot, Value init, Value k,
               Value q) {
  auto initType = cast<VectorType>(init.getType());
  switch (dot) {
  case Int8Dot::ArmDotProd:
  case Int8Dot::X86Vnni: {
    bool offset = dot == Int8Dot::X86Vnni;
    int64_t bytes = 4 * initType.getNumElements();
    int64_t size = cast<VectorType>(k.getType()).getNumElements();
    Value acc = init;
    for (int64_t c = 0; c < size; c += bytes) {
      auto slice = [&](Value v) -> Value {
        if (bytes == size)
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

/// (d, 1 / d) of blocks whose largest magnitude is `amax` (a scalar or a
/// vector of f32): d = amax / 127, 1 / d read as 0 where d = 0.
std::pair<Value, Value> blockScale(OpBuilder &b, Location loc, Value amax) {
  Type type = amax.getType();
  auto constant = [&](double v) -> Value {
    if (auto vec = dyn_cast<VectorType>(type))
      return splatF32(b, loc, vec, v);
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value zero = constant(0.0);
  Value d = arith::DivFOp::create(b, loc, amax, constant(127.0));
  Value inv = arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, d, zero),
      zero, arith::DivFOp::create(b, loc, constant(1.0), d));
  return {d, inv};
}

/// round-half-away(x * inv) as `qType` (i8 lanes).
Value quantizeWith(OpBuilder &b, Location loc, Value x, Value inv,
                   VectorType qType) {
  Value r =
      math::RoundOp::create(b, loc, arith::MulFOp::create(b, loc, x, inv));
  return arith::FPToSIOp::create(b, loc, qType, r);
}

/// -offset * sum(q) of query row `row`'s block `blk` (q.sums), the term
/// that cancels VPDPBUSD's key offset (k + offset, 128 unless the keys come
/// as q4_0 nibbles) in a block's int32 total.
Value offsetCorrection(OpBuilder &b, Location loc, Value sums, Value row,
                       Value blk, int64_t offset = 128) {
  Value sum = tensor::ExtractOp::create(b, loc, sums, ValueRange{row, blk});
  return arith::MulIOp::create(
      b, loc, sum,
      arith::ConstantIntOp::create(b, loc, b.getI32Type(), -offset));
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
  // A NaN makes d NaN, which carries it into every score of the row.
  Value amax =
      vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXIMUMF,
                                  math::AbsFOp::create(b, loc, xv));
  auto [d, inv] = blockScale(b, loc, amax);
  return {quantizeWith(b, loc, xv,
                       vector::BroadcastOp::create(b, loc, fBlock, inv),
                       qBlock),
          d};
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
                             Int8Dot dot, int64_t lanes,
                             const RowPrefetch &prefetch) {
  // `segment` int32 lanes hold one key block's partial sums, `width` lanes
  // one dot product: VPDPBUSD on 512-bit targets takes two keys' blocks at
  // once (32 bytes each, 8 lanes), SDOT a half block (4 lanes); widened
  // products go in chunks of at most 8 lanes (measured on x86).
  int64_t segment = 8, width = 8;
  if (dot == Int8Dot::ArmDotProd)
    segment = width = 4;
  if (dot == Int8Dot::X86Vnni)
    width = lanes >= 16 ? 16 : 8;
  if (dot == Int8Dot::Generic)
    segment = width = std::min<int64_t>(lanes, 8);
  // A group: `segment` keys, `width / segment` of them per dot product.
  lanes = segment;
  const int64_t perDot = width / segment;
  const int64_t blocks =
      cast<RankedTensorType>(q.values.getType()).getDimSize(1) / kBlock;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto accType = VectorType::get({lanes}, f32);
  auto intType = VectorType::get({lanes}, i32);
  auto dotType = VectorType::get({width}, i32);
  auto qBlock = VectorType::get({kBlock}, i8);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value br = tensor::DimOp::create(b, loc, dest, 0);
  Value bc = tensor::DimOp::create(b, loc, dest, 1);
  Value cLanes = index(b, loc, lanes);
  Value full = arith::SubIOp::create(
      b, loc, bc, arith::RemUIOp::create(b, loc, bc, cLanes));
  Value pad8 = arith::ConstantIntOp::create(b, loc, i8, 0);

  // Key bytes as the dot product takes them: VPDPBUSD multiplies unsigned
  // bytes, k + offset, which the query's block sums correct
  // (offsetCorrection): q8_0 values with the sign bit flipped (k + 128),
  // q4_0 nibbles as stored (k + 8, one step less than k itself).
  const int64_t keyOffset = format == BlockFormat::q4_0 ? 8 : 128;
  auto keyBytes = [&](OpBuilder &kb, Location kl, Value key, int64_t blk) {
    if (dot == Int8Dot::X86Vnni && format == BlockFormat::q4_0)
      return readBlockNibbles(kb, kl, keys, key, blk);
    Value kv = readBlockInts(kb, kl, keys, key, blk, format);
    if (dot == Int8Dot::X86Vnni)
      kv = arith::XOrIOp::create(kb, kl, kv, splatI8(kb, kl, kBlock, -128));
    return kv;
  };
  // The exact int32 product of query row `row`'s block `blk` with key
  // bytes `kv`, in `lanes` partial sums (blockDot from zero) whose total
  // still lacks the VNNI correction.
  auto partialDot = [&](OpBuilder &db, Location dl, Value kv, Value qv) {
    Type type = cast<VectorType>(kv.getType()).getNumElements() == kBlock
                    ? intType
                    : dotType;
    return blockDot(db, dl, dot, splatI32(db, dl, cast<VectorType>(type), 0),
                    kv, qv);
  };
  // `parts` (one or two blocks of 32 bytes) side by side.
  auto sideBySide = [&](OpBuilder &sb, Location sl,
                        ArrayRef<Value> parts) -> Value {
    Value v = parts.front();
    if (parts.size() == 1)
      return v;
    SmallVector<int64_t> mask(2 * kBlock);
    for (int64_t i = 0; i < 2 * kBlock; ++i)
      mask[i] = i;
    assert(parts.size() == 2 && "two blocks per dot product at most");
    return vector::ShuffleOp::create(sb, sl, parts[0], parts[1], mask)
        .getResult();
  };
  auto queryBlock = [&](OpBuilder &qb, Location ql, Value row, int64_t blk) {
    return vector::TransferReadOp::create(
        qb, ql, qBlock, q.values, ValueRange{row, index(qb, ql, blk * kBlock)},
        pad8, ArrayRef<bool>{true});
  };
  auto queryScale = [&](OpBuilder &qb, Location ql, Value row, int64_t blk) {
    return tensor::ExtractOp::create(qb, ql, q.scales,
                                     ValueRange{row, index(qb, ql, blk)});
  };

  // Full groups of `lanes` keys, block by block: the group's key bytes and
  // scales are read (and offset) once and serve every query row; per row,
  // the `lanes` partial-sum vectors reduce (transposing, in exact int32)
  // to one vector of the group's block products, scaled by d_q d_k into
  // the row's scores.
  auto groups = scf::ForOp::create(
      b, loc, c0, full, cLanes, ValueRange{dest},
      [&](OpBuilder &gb, Location gl, Value col0, ValueRange gState) {
        Value s = gState[0];
        if (prefetch)
          prefetch(gb, gl, col0, lanes);
        for (int64_t blk = 0; blk < blocks; ++blk) {
          SmallVector<Value> kvs, keyRows, pair;
          for (int64_t jj = 0; jj < lanes; ++jj) {
            Value key = arith::AddIOp::create(gb, gl, col0, index(gb, gl, jj));
            keyRows.push_back(key);
            pair.push_back(keyBytes(gb, gl, key, blk));
            if (static_cast<int64_t>(pair.size()) == perDot) {
              kvs.push_back(sideBySide(gb, gl, pair));
              pair.clear();
            }
          }
          Value dk = readBlockScales(gb, gl, keys, keyRows, blk, format);
          auto rowLoop = scf::ForOp::create(
              gb, gl, c0, br, c1, ValueRange{s},
              [&](OpBuilder &rb, Location rl, Value row, ValueRange rState) {
                Value q1 = queryBlock(rb, rl, row, blk);
                Value qv = sideBySide(rb, rl, SmallVector<Value>(perDot, q1));
                SmallVector<Value> parts;
                for (Value kv : kvs)
                  parts.push_back(partialDot(rb, rl, kv, qv));
                Value tot = segmentedReduce(rb, rl, parts, segment);
                if (dot == Int8Dot::X86Vnni)
                  tot = arith::AddIOp::create(
                      rb, rl, tot,
                      vector::BroadcastOp::create(
                          rb, rl, intType,
                          offsetCorrection(rb, rl, q.sums, row,
                                           index(rb, rl, blk), keyOffset)));
                Value w = arith::MulFOp::create(
                    rb, rl, dk,
                    vector::BroadcastOp::create(rb, rl, accType,
                                                queryScale(rb, rl, row, blk)));
                Value prev =
                    blk == 0
                        ? splatF32(rb, rl, accType, 0.0)
                        : vector::TransferReadOp::create(
                              rb, rl, accType, rState[0], ValueRange{row, col0},
                              arith::ConstantOp::create(
                                  rb, rl, rb.getF32FloatAttr(0.0)),
                              ArrayRef<bool>{true})
                              .getResult();
                Value acc = vector::FMAOp::create(
                    rb, rl, arith::SIToFPOp::create(rb, rl, accType, tot), w,
                    prev);
                Value next = vector::TransferWriteOp::create(
                                 rb, rl, acc, rState[0], ValueRange{row, col0},
                                 ArrayRef<bool>{true})
                                 .getResult();
                scf::YieldOp::create(rb, rl, next);
              });
          s = rowLoop.getResult(0);
        }
        scf::YieldOp::create(gb, gl, s);
      });

  // The remaining keys, one at a time.
  auto tail = scf::ForOp::create(
      b, loc, full, bc, c1, ValueRange{groups.getResult(0)},
      [&](OpBuilder &cb, Location cl, Value col, ValueRange cState) {
        SmallVector<Value> kvs, dks;
        for (int64_t blk = 0; blk < blocks; ++blk) {
          kvs.push_back(keyBytes(cb, cl, col, blk));
          dks.push_back(readBlockScale(cb, cl, keys, col, blk, format));
        }
        auto rowLoop = scf::ForOp::create(
            cb, cl, c0, br, c1, cState,
            [&](OpBuilder &rb, Location rl, Value row, ValueRange rState) {
              Value score =
                  arith::ConstantOp::create(rb, rl, rb.getF32FloatAttr(0.0));
              for (int64_t blk = 0; blk < blocks; ++blk) {
                Value tot = vector::ReductionOp::create(
                    rb, rl, vector::CombiningKind::ADD,
                    partialDot(rb, rl, kvs[blk], queryBlock(rb, rl, row, blk)));
                if (dot == Int8Dot::X86Vnni)
                  tot = arith::AddIOp::create(
                      rb, rl, tot,
                      offsetCorrection(rb, rl, q.sums, row, index(rb, rl, blk),
                                       keyOffset));
                Value w = arith::MulFOp::create(rb, rl, dks[blk],
                                                queryScale(rb, rl, row, blk));
                score = math::FmaOp::create(
                    rb, rl, arith::SIToFPOp::create(rb, rl, f32, tot), w,
                    score);
              }
              Value s = tensor::InsertOp::create(rb, rl, score, rState[0],
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

Value mlir::attn::int8PairRows(OpBuilder &b, Location loc, Value values) {
  auto type = cast<RankedTensorType>(values.getType());
  const int64_t width = type.getDimSize(1);
  Type i8 = b.getI8Type();
  auto bytes8 = VectorType::get({8}, i8);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1), c2 = index(b, loc, 2);
  Value rows = tensor::DimOp::create(b, loc, values, 0);
  Value last = arith::SubIOp::create(b, loc, rows, c1);
  Value pairs = arith::CeilDivUIOp::create(b, loc, rows, c2);
  Value out = emptyRows(b, loc, pairs, 2 * width, i8);
  Value pad8 = arith::ConstantOp::create(b, loc, b.getZeroAttr(i8));
  SmallVector<int64_t> iota16;
  for (int64_t i = 0; i < 16; ++i)
    iota16.push_back(i);
  auto loop = scf::ForOp::create(
      b, loc, c0, pairs, c1, ValueRange{out},
      [&](OpBuilder &pb, Location pl, Value p, ValueRange st) {
        Value a = arith::MulIOp::create(pb, pl, p, c2);
        Value next = arith::MinUIOp::create(
            pb, pl, arith::AddIOp::create(pb, pl, a, c1), last);
        Value t = st[0];
        for (int64_t u = 0; u < width / 8; ++u) {
          Value col = index(pb, pl, 8 * u);
          auto read8 = [&](Value row) -> Value {
            return vector::TransferReadOp::create(pb, pl, bytes8, values,
                                                  ValueRange{row, col}, pad8,
                                                  ArrayRef<bool>{true});
          };
          Value both =
              vector::ShuffleOp::create(pb, pl, read8(a), read8(next), iota16);
          t = vector::TransferWriteOp::create(
                  pb, pl, both, t, ValueRange{p, index(pb, pl, 16 * u)},
                  ArrayRef<bool>{true})
                  .getResult();
        }
        scf::YieldOp::create(pb, pl, t);
      });
  return loop.getResult(0);
}

int64_t mlir::attn::int8KeyWordRows(int64_t headDim, bool mmla) {
  return headDim / (mmla ? 8 : 4);
}

Value mlir::attn::int8KeyWordCols(OpBuilder &b, Location loc, Value keys,
                                  bool mmla) {
  return mmla ? arith::MulIOp::create(b, loc, keys, index(b, loc, 2)) : keys;
}

int64_t mlir::attn::int8TileKeysPerStep(Int8Dot dot, int64_t lanes) {
  return 2 * (dot == Int8Dot::ArmDotProd ? 4 : lanes);
}

namespace {

/// The register-blocked product the tile kernels share. int8:
///   C[r, c] (+)= sum over blocks k of aScale[r, k] * bScale[k, c] *
///                (init(r, k) + sum_t dot(A word (r, 8k + t), B[8k + t, c]))
/// A's rows are bytes (8 four-byte words a block of 32), each word
/// broadcast against `lanes` columns of B's words. bf16 (`bf16`): A's rows
/// are bf16 (16 two-value words a block of 32), B's words pairs of bf16,
/// no scales, and attn.dot_bf16 sums straight into the f32 accumulators:
///   C[r, c] (+)= sum_t dot(A word (r, t), B[t, c]).
struct Int8Panel {
  Value aBytes;     // [rows, >= 32 blocks] i8 (bf16)
  Value aScales;    // [rows, blocks] f32, or null (1)
  Value aRowScales; // [rows] f32, or null (1)
  Value aSums;      // [rows, blocks] i32: with bOffset, init = -128 * sum
  Value bWords;     // [8 blocks (16 blocks), >= cols] i32
  Value bScales;    // [blocks, >= cols] f32 (null for bf16)
  Value blocks;     // index: a constant unrolls the block loop
  Value cols;       // a multiple of 2 * lanes (columns past dest unwritten)
  /// Which factor is unsigned for VPDPBUSD: B's bytes offset by 128
  /// (bOffset, corrected by aSums), or A's bytes unsigned (aUnsigned).
  bool bOffset = false, aUnsigned = false;
  /// C += the product (else C = it).
  bool accumulate = false;
  /// The factors are bf16 pairs (attn.dot_bf16), not bytes.
  bool bf16 = false;
  /// Register block: rows of A x vectors of `lanes` columns of B; `cols`
  /// is a multiple of vectors * lanes.
  int64_t blockRows = 4, blockVectors = 2;
};

/// `block(r0, n, dest)` over the rows [0, rows) of `dest`: rows in steps of
/// full.first with n = full.second while a whole step fits, then the rest
/// in steps of rest.first with n = rest.second.
using RowBlockFn = llvm::function_ref<Value(OpBuilder &, Location, Value r0,
                                            int64_t n, Value dest)>;
Value blockedRows(OpBuilder &b, Location loc, Value dest, Value rows,
                  std::pair<int64_t, int64_t> full,
                  std::pair<int64_t, int64_t> rest, RowBlockFn block) {
  Value cFull = index(b, loc, full.first);
  Value fullRows = arith::SubIOp::create(
      b, loc, rows, arith::RemUIOp::create(b, loc, rows, cFull));
  auto loop = [&](Value from, Value to, int64_t step, int64_t n, Value init) {
    return scf::ForOp::create(
               b, loc, from, to, index(b, loc, step), ValueRange{init},
               [&](OpBuilder &rb, Location rl, Value r0, ValueRange st) {
                 scf::YieldOp::create(rb, rl, block(rb, rl, r0, n, st[0]));
               })
        .getResult(0);
  };
  Value done = loop(index(b, loc, 0), fullRows, full.first, full.second, dest);
  return loop(fullRows, rows, rest.first, rest.second, done);
}

Value int8Panel(OpBuilder &b, Location loc, const Int8Panel &pn, Value dest,
                int64_t lanes) {
  // Values a 32-bit word of A and B holds.
  const int64_t perWord = pn.bf16 ? 2 : 4;
  const int64_t wordsPerBlock = kBlock / perWord;
  // Register block: kRows rows of A x kVectors vectors of `lanes` columns.
  const int64_t kRows = pn.blockRows, kVectors = pn.blockVectors;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  Type element = pn.bf16 ? Type(b.getBF16Type()) : Type(b.getI8Type());
  auto wordVec = VectorType::get({lanes}, i32);
  auto byteVec = VectorType::get({perWord * lanes}, element);
  auto accType = VectorType::get({lanes}, f32);
  auto word = VectorType::get({perWord}, element);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value cStep = index(b, loc, kVectors * lanes);
  Value rows = tensor::DimOp::create(b, loc, dest, 0);
  Value zeroF = splatF32(b, loc, accType, 0.0);
  Value pad8 = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  Value pad32 = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value padF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  const bool dotUnsigned = pn.bOffset || pn.aUnsigned;
  std::optional<int64_t> staticBlocks = getConstantIntValue(pn.blocks);
  const bool laneIndexed = lanes == 4 && !pn.bf16;

  auto rowBlock = [&](OpBuilder &rb, Location rl, Value r0, int64_t nr,
                      Value c) -> Value {
    auto steps = scf::ForOp::create(
        rb, rl, c0, pn.cols, cStep, ValueRange{c},
        [&](OpBuilder &cb, Location cl, Value col0, ValueRange st) {
          SmallVector<Value> rowIdx, colIdx;
          for (int64_t i = 0; i < nr; ++i)
            rowIdx.push_back(
                arith::AddIOp::create(cb, cl, r0, index(cb, cl, i)));
          for (int64_t v = 0; v < kVectors; ++v)
            colIdx.push_back(
                arith::AddIOp::create(cb, cl, col0, index(cb, cl, v * lanes)));
          SmallVector<Value> accF;
          for (int64_t i = 0; i < nr; ++i)
            for (int64_t v = 0; v < kVectors; ++v)
              accF.push_back(pn.accumulate
                                 ? vector::TransferReadOp::create(
                                       cb, cl, accType, st[0],
                                       ValueRange{rowIdx[i], colIdx[v]}, padF,
                                       ArrayRef<bool>{false})
                                       .getResult()
                                 : zeroF);
          // One block of 32 bytes along A's rows: int32 accumulators, then
          // accF += f32(acc) * scales.
          auto block = [&](OpBuilder &kb, Location kl, Value blk,
                           ValueRange accIn) -> SmallVector<Value> {
            SmallVector<Value> acc(accIn);
            SmallVector<Value> accI;
            for (int64_t i = 0; i < nr && !pn.bf16; ++i) {
              Value init = splatI32(kb, kl, wordVec, 0);
              if (pn.bOffset)
                init = vector::BroadcastOp::create(
                    kb, kl, wordVec,
                    offsetCorrection(kb, kl, pn.aSums, rowIdx[i], blk));
              accI.append(kVectors, init);
            }
            Value word0 = arith::MulIOp::create(kb, kl, blk,
                                                index(kb, kl, wordsPerBlock));
            SmallVector<Value> quads(nr);
            for (int64_t t = 0; t < wordsPerBlock; ++t) {
              Value wordRow =
                  arith::AddIOp::create(kb, kl, word0, index(kb, kl, t));
              SmallVector<Value> bv;
              for (int64_t v = 0; v < kVectors; ++v)
                bv.push_back(vector::BitCastOp::create(
                    kb, kl, byteVec,
                    vector::TransferReadOp::create(
                        kb, kl, wordVec, pn.bWords,
                        ValueRange{wordRow, colIdx[v]}, pad32,
                        ArrayRef<bool>{true})));
              Value byteCol = arith::MulIOp::create(kb, kl, wordRow,
                                                    index(kb, kl, perWord));
              // 4 lanes (SDOT): A's next 4 words in one 16-byte register
              // per row, each used by lane (SDOT by element) rather than
              // loaded and broadcast one by one.
              if (laneIndexed && t % 4 == 0)
                for (int64_t i = 0; i < nr; ++i)
                  quads[i] = vector::BitCastOp::create(
                      kb, kl, wordVec,
                      vector::TransferReadOp::create(
                          kb, kl, byteVec, pn.aBytes,
                          ValueRange{rowIdx[i], byteCol}, pad8,
                          ArrayRef<bool>{true}));
              for (int64_t i = 0; i < nr; ++i) {
                Value ab;
                if (laneIndexed) {
                  SmallVector<int64_t> lane(lanes, t % 4);
                  ab = vector::BitCastOp::create(
                      kb, kl, byteVec,
                      vector::ShuffleOp::create(kb, kl, quads[i], quads[i],
                                                lane));
                } else {
                  Value aw = vector::TransferReadOp::create(
                      kb, kl, word, pn.aBytes, ValueRange{rowIdx[i], byteCol},
                      pad8, ArrayRef<bool>{true});
                  Value w32 = vector::ExtractOp::create(
                      kb, kl,
                      vector::BitCastOp::create(kb, kl,
                                                VectorType::get({1}, i32), aw),
                      ArrayRef<int64_t>{0});
                  ab = vector::BitCastOp::create(
                      kb, kl, byteVec,
                      vector::BroadcastOp::create(kb, kl, wordVec, w32));
                }
                for (int64_t v = 0; v < kVectors; ++v) {
                  if (pn.bf16) {
                    Value &a = acc[i * kVectors + v];
                    a = DotBf16Op::create(kb, kl, accType, a, bv[v], ab);
                    continue;
                  }
                  Value &a = accI[i * kVectors + v];
                  // attn.dot_i8's lhs is the unsigned factor.
                  a = pn.aUnsigned
                          ? DotI8Op::create(kb, kl, wordVec, a, ab, bv[v],
                                            /*lhs_unsigned=*/true)
                          : DotI8Op::create(kb, kl, wordVec, a, bv[v], ab,
                                            /*lhs_unsigned=*/dotUnsigned);
                }
              }
            }
            if (pn.bf16)
              return acc;
            SmallVector<Value> scaleB;
            for (int64_t v = 0; v < kVectors; ++v)
              scaleB.push_back(vector::TransferReadOp::create(
                  kb, kl, accType, pn.bScales, ValueRange{blk, colIdx[v]}, padF,
                  ArrayRef<bool>{true}));
            for (int64_t i = 0; i < nr; ++i) {
              Value scaleA;
              if (pn.aScales)
                scaleA = vector::BroadcastOp::create(
                    kb, kl, accType,
                    tensor::ExtractOp::create(kb, kl, pn.aScales,
                                              ValueRange{rowIdx[i], blk}));
              if (pn.aRowScales)
                scaleA = vector::BroadcastOp::create(
                    kb, kl, accType,
                    tensor::ExtractOp::create(kb, kl, pn.aRowScales,
                                              ValueRange{rowIdx[i]}));
              for (int64_t v = 0; v < kVectors; ++v) {
                Value w = scaleB[v];
                if (scaleA)
                  w = arith::MulFOp::create(kb, kl, w, scaleA);
                Value &a = acc[i * kVectors + v];
                a = vector::FMAOp::create(
                    kb, kl,
                    arith::SIToFPOp::create(kb, kl, accType,
                                            accI[i * kVectors + v]),
                    w, a);
              }
            }
            return acc;
          };
          if (staticBlocks) {
            for (int64_t blk = 0; blk < *staticBlocks; ++blk)
              accF = block(cb, cl, index(cb, cl, blk), accF);
          } else {
            auto loop = scf::ForOp::create(
                cb, cl, c0, pn.blocks, c1, accF,
                [&](OpBuilder &kb, Location kl, Value blk, ValueRange it) {
                  scf::YieldOp::create(kb, kl, block(kb, kl, blk, it));
                });
            accF.assign(loop.getResults().begin(), loop.getResults().end());
          }
          // Masked at the last columns: dest may be narrower than cols.
          Value out = st[0];
          for (int64_t i = 0; i < nr; ++i)
            for (int64_t v = 0; v < kVectors; ++v)
              out = vector::TransferWriteOp::create(
                        cb, cl, accF[i * kVectors + v], out,
                        ValueRange{rowIdx[i], colIdx[v]}, ArrayRef<bool>{false})
                        .getResult();
          scf::YieldOp::create(cb, cl, out);
        });
    return steps.getResult(0);
  };
  return blockedRows(b, loc, dest, rows, {kRows, kRows}, {1, 1}, rowBlock);
}

/// Lanes of the tile kernels' accumulators for `dot`.
int64_t tileLanes(Int8Dot dot, int64_t lanes) {
  return int8TileKeysPerStep(dot, lanes) / 2;
}

} // namespace

namespace {

/// (words, scale or null) of block `blk` of key `key`.
using WordBlockReader = llvm::function_ref<std::pair<Value, Value>(
    OpBuilder &, Location, Value key, int64_t blk)>;

/// The tile kernels' key layout: row blk * W + t of `keyWords` holds word t
/// of block blk of every key (W = words a block), row blk of `keyScales`
/// (if any) the block's scale, for keys [0, padded); pad keys repeat key 0.
/// With `pairs` (attn.mmla_i8's layout), words 2u and 2u + 1 of a block
/// (8 bytes) go to row blk * W / 2 + u, columns 2 key and 2 key + 1: a row
/// holds each pair of keys' 8 bytes side by side, 16 bytes a pair.
std::pair<Value, Value> repackKeyWords(OpBuilder &b, Location loc,
                                       Value keyCount, Value padded,
                                       int64_t blocks, WordBlockReader read,
                                       Value keyWords, Value keyScales,
                                       bool pairs = false) {
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  SmallVector<Value> init = {keyWords};
  if (keyScales)
    init.push_back(keyScales);
  auto repack = scf::ForOp::create(
      b, loc, c0, padded, c1, init,
      [&](OpBuilder &kb, Location kl, Value key, ValueRange st) {
        Value inRange = arith::CmpIOp::create(kb, kl, arith::CmpIPredicate::ult,
                                              key, keyCount);
        // Pad keys repeat key 0 (always present): finite, never written.
        Value src = arith::SelectOp::create(kb, kl, inRange, key, c0);
        SmallVector<Value> out(st);
        for (int64_t blk = 0; blk < blocks; ++blk) {
          auto [w, d] = read(kb, kl, src, blk);
          int64_t words = cast<VectorType>(w.getType()).getNumElements();
          // The block's words down column `key`, one store each.
          Value pairCol;
          if (pairs)
            pairCol = arith::MulIOp::create(kb, kl, key, index(kb, kl, 2));
          for (int64_t t = 0; t < words; ++t) {
            Value row = index(kb, kl, blk * words + t), col = key;
            if (pairs) {
              row = index(kb, kl, (blk * words + t) / 2);
              col =
                  arith::AddIOp::create(kb, kl, pairCol, index(kb, kl, t % 2));
            }
            out[0] = tensor::InsertOp::create(
                kb, kl,
                vector::ExtractOp::create(kb, kl, w, ArrayRef<int64_t>{t}),
                out[0], ValueRange{row, col});
          }
          if (keyScales && pairs) {
            // Pair p's scales as (2p, 2p + 1, 2p, 2p + 1): columns 4p ..
            // 4p + 3, lane for lane the order of its 2 x 2 tiles.
            Value col = arith::AddIOp::create(
                kb, kl,
                arith::MulIOp::create(
                    kb, kl,
                    arith::DivUIOp::create(kb, kl, key, index(kb, kl, 2)),
                    index(kb, kl, 4)),
                arith::RemUIOp::create(kb, kl, key, index(kb, kl, 2)));
            for (int64_t twice = 0; twice < 2; ++twice)
              out[1] = tensor::InsertOp::create(
                  kb, kl, d, out[1],
                  ValueRange{index(kb, kl, blk),
                             arith::AddIOp::create(kb, kl, col,
                                                   index(kb, kl, 2 * twice))});
          } else if (keyScales) {
            out[1] = tensor::InsertOp::create(
                kb, kl, d, out[1], ValueRange{index(kb, kl, blk), key});
          }
        }
        scf::YieldOp::create(kb, kl, out);
      });
  return {repack.getResult(0), keyScales ? repack.getResult(1) : Value()};
}

/// A vector of 32 f32 / f16 / bf16 values rounded to bf16 (to nearest
/// even) as 16 words of two.
Value bf16Words(OpBuilder &b, Location loc, Value x) {
  auto type = cast<VectorType>(x.getType());
  auto bf16 = VectorType::get(type.getShape(), b.getBF16Type());
  if (type.getElementType().isF16())
    x = arith::ExtFOp::create(
        b, loc, VectorType::get(type.getShape(), b.getF32Type()), x);
  if (!type.getElementType().isBF16())
    x = arith::TruncFOp::create(b, loc, bf16, x);
  return vector::BitCastOp::create(
      b, loc, VectorType::get({type.getNumElements() / 2}, b.getI32Type()), x);
}

/// Columns [col, col + n) of row `key` of the value block `values` ([keys,
/// Dv]) as a vector of `element` (widened from the storage where it
/// differs), zero for keys past the block (they pad its last block of 32
/// and meet P's zero weights).
Value readValueRow(OpBuilder &b, Location loc, Value values, Value key,
                   Value col, int64_t n, Type element) {
  Type storage = cast<RankedTensorType>(values.getType()).getElementType();
  auto stored = VectorType::get({n}, storage);
  auto type = VectorType::get({n}, element);
  Value keys = tensor::DimOp::create(b, loc, values, 0);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, key, keys);
  Value row = arith::MinUIOp::create(
      b, loc, key, arith::SubIOp::create(b, loc, keys, index(b, loc, 1)));
  Value x = vector::TransferReadOp::create(
      b, loc, stored, values, ValueRange{row, col},
      arith::ConstantOp::create(b, loc, b.getZeroAttr(storage)),
      ArrayRef<bool>{true});
  if (stored != type)
    x = arith::ExtFOp::create(b, loc, type, x);
  Value zero = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getZeroAttr(element)));
  return arith::SelectOp::create(b, loc, inRange, x, zero);
}

} // namespace

std::pair<Value, Value>
mlir::attn::int8RepackKeys(OpBuilder &b, Location loc, Value keyCount,
                           int64_t headDim, KeyBlockReader readKey,
                           Value keyWords, Value keyScales, Int8Dot dot,
                           int64_t lanes, bool mmla) {
  assert(dot != Int8Dot::Generic && "the tile kernel needs attn.dot_i8");
  assert((!mmla || dot == Int8Dot::ArmDotProd) && "mmla multiplies signed");
  const bool offset = dot == Int8Dot::X86Vnni;
  auto blockWords = VectorType::get({kBlock / 4}, b.getI32Type());
  // Word t of every key (bytes 4t .. 4t+3, offset by 128 for VPDPBUSD)
  // along row t of keyWords [D/4, keys], the block scales along keyScales
  // [D/32, keys].
  auto read = [&](OpBuilder &kb, Location kl, Value key,
                  int64_t blk) -> std::pair<Value, Value> {
    auto [vals, d] = readKey(kb, kl, key, blk);
    if (offset)
      vals = arith::XOrIOp::create(kb, kl, vals, splatI8(kb, kl, kBlock, -128));
    return {vector::BitCastOp::create(kb, kl, blockWords, vals), d};
  };
  return repackKeyWords(b, loc, keyCount,
                        int8TileRoom(b, loc, keyCount, dot, lanes),
                        headDim / kBlock, read, keyWords, keyScales, mmla);
}

namespace {
/// int8TileScores with attn.mmla_i8: register blocks of 2 pairs of query
/// rows x 4 pairs of keys, each a 2 x 2 tile of int32 sums over a block
/// of 32 bytes (4 steps of 8), then scaled by d_q d_k into f32 tiles.
Value int8MmlaScores(OpBuilder &b, Location loc, const QuantizedRows &q,
                     Value cols, Value keyWords, Value keyScales, Value dest) {
  constexpr int64_t kRowPairs = 2, kKeyPairs = 4, kStep = 2 * kKeyPairs;
  const int64_t width =
      cast<RankedTensorType>(q.values.getType()).getDimSize(1);
  const int64_t blocks = width / kBlock;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto tileI = VectorType::get({4}, i32), tileF = VectorType::get({4}, f32);
  auto bytes16 = VectorType::get({16}, i8);
  assert(q.pairs && "mmla reads the query rows in pairs (int8PairRows)");
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value rows = tensor::DimOp::create(b, loc, dest, 0);
  Value last = arith::SubIOp::create(b, loc, rows, c1);
  Value pad8 = arith::ConstantOp::create(b, loc, b.getZeroAttr(i8));
  Value pad32 = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value padF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));

  // Rows r0 .. r0 + 2 pairs - 1; a pair's second row is clamped to the
  // last row, which then gets the first row's scores written twice.
  auto rowBlock = [&](OpBuilder &rb, Location rl, Value r0, int64_t pairs,
                      Value c) -> Value {
    SmallVector<std::pair<Value, Value>> pairRows;
    SmallVector<Value> pairIdx; // rows of q.pairs (r0 is even)
    for (int64_t p = 0; p < pairs; ++p) {
      Value a = arith::AddIOp::create(rb, rl, r0, index(rb, rl, 2 * p));
      Value next = arith::AddIOp::create(rb, rl, a, c1);
      pairRows.push_back({a, arith::MinUIOp::create(rb, rl, next, last)});
      pairIdx.push_back(arith::DivUIOp::create(rb, rl, a, index(rb, rl, 2)));
    }
    auto steps = scf::ForOp::create(
        rb, rl, c0, cols, index(rb, rl, kStep), ValueRange{c},
        [&](OpBuilder &cb, Location cl, Value col0, ValueRange st) {
          Value wordCol0 =
              arith::MulIOp::create(cb, cl, col0, index(cb, cl, 2));
          SmallVector<Value> accF(pairs * kKeyPairs,
                                  splatF32(cb, cl, tileF, 0.0));
          for (int64_t blk = 0; blk < blocks; ++blk) {
            SmallVector<Value> accI(pairs * kKeyPairs,
                                    splatI32(cb, cl, tileI, 0));
            for (int64_t u = 0; u < kBlock / 8; ++u) {
              Value wordRow = index(cb, cl, blk * (kBlock / 8) + u);
              SmallVector<Value> kv;
              for (int64_t kp = 0; kp < kKeyPairs; ++kp)
                kv.push_back(vector::BitCastOp::create(
                    cb, cl, bytes16,
                    vector::TransferReadOp::create(
                        cb, cl, tileI, keyWords,
                        ValueRange{wordRow, arith::AddIOp::create(
                                                cb, cl, wordCol0,
                                                index(cb, cl, 4 * kp))},
                        pad32, ArrayRef<bool>{true})));
              Value pairCol = index(cb, cl, 2 * (blk * kBlock + 8 * u));
              for (int64_t p = 0; p < pairs; ++p) {
                Value qv = vector::TransferReadOp::create(
                    cb, cl, bytes16, q.pairs, ValueRange{pairIdx[p], pairCol},
                    pad8, ArrayRef<bool>{true});
                for (int64_t kp = 0; kp < kKeyPairs; ++kp) {
                  Value &a = accI[p * kKeyPairs + kp];
                  a = MmlaI8Op::create(cb, cl, tileI, a, qv, kv[kp]);
                }
              }
            }
            // d_k of keys (j, j + 1) as stored, (j, j + 1, j, j + 1); d_q
            // of rows (a, b) as (a, a, b, b).
            Value blkIdx = index(cb, cl, blk);
            SmallVector<Value> dk;
            for (int64_t kp = 0; kp < kKeyPairs; ++kp)
              dk.push_back(vector::TransferReadOp::create(
                  cb, cl, tileF, keyScales,
                  ValueRange{blkIdx,
                             arith::AddIOp::create(cb, cl, wordCol0,
                                                   index(cb, cl, 4 * kp))},
                  padF, ArrayRef<bool>{true}));
            for (int64_t p = 0; p < pairs; ++p) {
              Value da = tensor::ExtractOp::create(
                  cb, cl, q.scales, ValueRange{pairRows[p].first, blkIdx});
              Value db = tensor::ExtractOp::create(
                  cb, cl, q.scales, ValueRange{pairRows[p].second, blkIdx});
              Value dq = vector::FromElementsOp::create(
                  cb, cl, tileF, ValueRange{da, da, db, db});
              for (int64_t kp = 0; kp < kKeyPairs; ++kp) {
                Value &a = accF[p * kKeyPairs + kp];
                a = vector::FMAOp::create(
                    cb, cl,
                    arith::SIToFPOp::create(cb, cl, tileF,
                                            accI[p * kKeyPairs + kp]),
                    arith::MulFOp::create(cb, cl, dq, dk[kp]), a);
              }
            }
          }
          // Row a of a pair: lanes 0, 1 of each key pair's tile; row b:
          // lanes 2, 3. Masked at the last columns.
          Value out = st[0];
          for (int64_t p = 0; p < pairs; ++p)
            for (int64_t second = 0; second < 2; ++second) {
              Value row = second ? pairRows[p].second : pairRows[p].first;
              int64_t l0 = 2 * second;
              for (int64_t kp = 0; kp < kKeyPairs; kp += 2) {
                Value four = vector::ShuffleOp::create(
                    cb, cl, accF[p * kKeyPairs + kp],
                    accF[p * kKeyPairs + kp + 1],
                    ArrayRef<int64_t>{l0, l0 + 1, 4 + l0, 5 + l0});
                out = vector::TransferWriteOp::create(
                          cb, cl, four, out,
                          ValueRange{row,
                                     arith::AddIOp::create(
                                         cb, cl, col0, index(cb, cl, 2 * kp))},
                          ArrayRef<bool>{false})
                          .getResult();
              }
            }
          scf::YieldOp::create(cb, cl, out);
        });
    return steps.getResult(0);
  };
  return blockedRows(b, loc, dest, rows, {2 * kRowPairs, kRowPairs}, {2, 1},
                     rowBlock);
}
} // namespace

Value mlir::attn::bf16RepackKeys(OpBuilder &b, Location loc, Value keys,
                                 Value keyWords, int64_t lanes) {
  auto type = cast<RankedTensorType>(keys.getType());
  const int64_t headDim = type.getDimSize(1);
  assert(headDim % kBlock == 0 && "bf16 tiles need D % 32 == 0");
  Value keyCount = tensor::DimOp::create(b, loc, keys, 0);
  Value pad =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  auto read = [&](OpBuilder &kb, Location kl, Value key,
                  int64_t blk) -> std::pair<Value, Value> {
    Value x = vector::TransferReadOp::create(
        kb, kl, VectorType::get({kBlock}, type.getElementType()), keys,
        ValueRange{key, index(kb, kl, kBlock * blk)}, pad,
        ArrayRef<bool>{true});
    return {bf16Words(kb, kl, x), Value()};
  };
  return repackKeyWords(b, loc, keyCount,
                        roundUp(b, loc, keyCount, bf16KeysPerStep(lanes)),
                        headDim / kBlock, read, keyWords, Value())
      .first;
}

Value mlir::attn::bf16TileScores(OpBuilder &b, Location loc, Value queries,
                                 Value keyCount, Value keyWords, Value dest,
                                 int64_t lanes) {
  const int64_t width = cast<RankedTensorType>(queries.getType()).getDimSize(1);
  Int8Panel pn;
  pn.bf16 = true;
  pn.aBytes = queries;
  pn.bWords = keyWords;
  pn.blocks = index(b, loc, width / kBlock);
  pn.cols = roundUp(b, loc, keyCount, bf16KeysPerStep(lanes));
  // 4 x 4 vectors: 16 accumulators hide VDPBF16PS's latency (4 x 2 left
  // the dot products waiting on it).
  pn.blockVectors = bf16KeysPerStep(lanes) / lanes;
  return int8Panel(b, loc, pn, dest, lanes);
}

Value mlir::attn::bf16RepackValues(OpBuilder &b, Location loc, Value values,
                                   Value valueWords) {
  constexpr int64_t kChunk = 16;
  Type storage = cast<RankedTensorType>(values.getType()).getElementType();
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value keys = tensor::DimOp::create(b, loc, values, 0);
  Value dv = tensor::DimOp::create(b, loc, values, 1);
  // Whole blocks of 32 keys: 16 word rows each, keys past `keys` zero.
  Value pairs = arith::MulIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, keys, index(b, loc, kBlock)),
      index(b, loc, kBlock / 2));
  // In the storage type: bf16Words rounds (or keeps) it.
  auto readRow = [&](OpBuilder &rb, Location rl, Value key, Value col) {
    return readValueRow(rb, rl, values, key, col, kChunk, storage);
  };
  // Row t, column c: the word (v[2t, c], v[2t + 1, c]) in bf16.
  auto repack = scf::ForOp::create(
      b, loc, c0, pairs, c1, ValueRange{valueWords},
      [&](OpBuilder &kb, Location kl, Value t, ValueRange st) {
        Value k0 = arith::MulIOp::create(kb, kl, t, index(kb, kl, 2));
        Value k1 = arith::AddIOp::create(kb, kl, k0, index(kb, kl, 1));
        auto chunks = scf::ForOp::create(
            kb, kl, c0, dv, index(kb, kl, kChunk), st,
            [&](OpBuilder &cb, Location cl, Value col, ValueRange cs) {
              Value w = bf16Words(
                  cb, cl,
                  vector::InterleaveOp::create(cb, cl, readRow(cb, cl, k0, col),
                                               readRow(cb, cl, k1, col)));
              scf::YieldOp::create(cb, cl,
                                   vector::TransferWriteOp::create(
                                       cb, cl, w, cs[0], ValueRange{t, col},
                                       ArrayRef<bool>{true})
                                       .getResult());
            });
        scf::YieldOp::create(kb, kl, chunks.getResults());
      });
  return repack.getResult(0);
}

Value mlir::attn::bf16TileValues(OpBuilder &b, Location loc, Value probs,
                                 Value keyCount, Value valueWords, Value dest,
                                 int64_t lanes) {
  Int8Panel pn;
  pn.bf16 = true;
  pn.aBytes = probs;
  pn.bWords = valueWords;
  pn.blocks =
      arith::CeilDivUIOp::create(b, loc, keyCount, index(b, loc, kBlock));
  pn.cols = tensor::DimOp::create(b, loc, dest, 1);
  pn.accumulate = true;
  // As many vectors of columns as divide Dv, up to 4.
  int64_t dv = cast<RankedTensorType>(dest.getType()).getDimSize(1);
  pn.blockVectors = dv % (4 * lanes) == 0 ? 4 : 2;
  return int8Panel(b, loc, pn, dest, lanes);
}

int64_t mlir::attn::bf16KeysPerStep(int64_t lanes) { return 4 * lanes; }

Value mlir::attn::int8TileScores(OpBuilder &b, Location loc,
                                 const QuantizedRows &q, Value keyCount,
                                 Value keyWords, Value keyScales, Value dest,
                                 Int8Dot dot, int64_t lanes, bool mmla) {
  assert(dot != Int8Dot::Generic && "the tile kernel needs attn.dot_i8");
  if (mmla)
    return int8MmlaScores(b, loc, q, int8TileRoom(b, loc, keyCount, dot, lanes),
                          keyWords, keyScales, dest);
  const int64_t width =
      cast<RankedTensorType>(q.values.getType()).getDimSize(1);
  // S [rows, keys] = the panel of query bytes against the key words; the
  // pad keys' scores are never written.
  Int8Panel pn;
  pn.aBytes = q.values;
  pn.aScales = q.scales;
  pn.aSums = q.sums;
  pn.bWords = keyWords;
  pn.bScales = keyScales;
  pn.blocks = index(b, loc, width / kBlock);
  pn.cols = int8TileRoom(b, loc, keyCount, dot, lanes);
  pn.bOffset = dot == Int8Dot::X86Vnni;
  return int8Panel(b, loc, pn, dest, tileLanes(dot, lanes));
}

int64_t mlir::attn::int8ProbabilityRange(Int8Dot dot) {
  // VPDPBUSD multiplies unsigned bytes by signed ones: P in [0, 255];
  // SDOT only signed ones: P in [0, 127].
  return dot == Int8Dot::X86Vnni ? 255 : 127;
}

std::pair<Value, Value> mlir::attn::int8RepackValues(OpBuilder &b, Location loc,
                                                     Value values,
                                                     Value valueWords,
                                                     Value valueScales) {
  const int64_t wordsPerBlock = kBlock / 4;
  // Columns of V quantized together: 16 f32 lanes (Dv % 32 == 0).
  constexpr int64_t kChunk = 16;
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto fChunk = VectorType::get({kChunk}, f32);
  auto qChunk = VectorType::get({kChunk}, i8);
  Value c0 = index(b, loc, 0), c1 = index(b, loc, 1);
  Value keys = tensor::DimOp::create(b, loc, values, 0);
  Value dv = tensor::DimOp::create(b, loc, values, 1);
  Value blocks =
      arith::CeilDivUIOp::create(b, loc, keys, index(b, loc, kBlock));
  Value zeroV = splatF32(b, loc, fChunk, 0.0);

  // Value row `key` of columns [col, col + 16) in f32.
  auto readRow = [&](OpBuilder &rb, Location rl, Value key, Value col) {
    return readValueRow(rb, rl, values, key, col, kChunk, f32);
  };

  // Per block of 32 keys and 16 columns: per column d = max|v| / 127 over
  // the block's keys, q = round-half-away(v * (1 / d)); word t of a column
  // holds the bytes of keys 4t .. 4t+3.
  auto repack = scf::ForOp::create(
      b, loc, c0, blocks, c1, ValueRange{valueWords, valueScales},
      [&](OpBuilder &kb, Location kl, Value blk, ValueRange st) {
        Value key0 = arith::MulIOp::create(kb, kl, blk, index(kb, kl, kBlock));
        auto chunks = scf::ForOp::create(
            kb, kl, c0, dv, index(kb, kl, kChunk), st,
            [&](OpBuilder &cb, Location cl, Value col, ValueRange cs) {
              Value amax = zeroV;
              for (int64_t k = 0; k < kBlock; ++k) {
                Value key =
                    arith::AddIOp::create(cb, cl, key0, index(cb, cl, k));
                amax = arith::MaximumFOp::create(
                    cb, cl, amax,
                    math::AbsFOp::create(cb, cl, readRow(cb, cl, key, col)));
              }
              auto [d, inv] = blockScale(cb, cl, amax);
              Value scales = vector::TransferWriteOp::create(
                                 cb, cl, d, cs[1], ValueRange{blk, col},
                                 ArrayRef<bool>{true})
                                 .getResult();
              Value words = cs[0];
              for (int64_t t = 0; t < wordsPerBlock; ++t) {
                SmallVector<Value> q;
                for (int64_t j = 0; j < 4; ++j) {
                  Value key = arith::AddIOp::create(cb, cl, key0,
                                                    index(cb, cl, 4 * t + j));
                  q.push_back(quantizeWith(cb, cl, readRow(cb, cl, key, col),
                                           inv, qChunk));
                }
                // Bytes (k0, k1, k2, k3) of each column, column after column.
                Value w = vector::InterleaveOp::create(
                    cb, cl, vector::InterleaveOp::create(cb, cl, q[0], q[2]),
                    vector::InterleaveOp::create(cb, cl, q[1], q[3]));
                Value row = arith::AddIOp::create(
                    cb, cl,
                    arith::MulIOp::create(cb, cl, blk,
                                          index(cb, cl, wordsPerBlock)),
                    index(cb, cl, t));
                words = vector::TransferWriteOp::create(
                            cb, cl,
                            vector::BitCastOp::create(
                                cb, cl, VectorType::get({kChunk}, i32), w),
                            words, ValueRange{row, col}, ArrayRef<bool>{true})
                            .getResult();
              }
              scf::YieldOp::create(cb, cl, ValueRange{words, scales});
            });
        scf::YieldOp::create(kb, kl, chunks.getResults());
      });
  return {repack.getResult(0), repack.getResult(1)};
}

Value mlir::attn::int8TileValues(OpBuilder &b, Location loc, Value probBytes,
                                 Value rowWeights, Value keyCount,
                                 Value valueWords, Value valueScales,
                                 Value dest, Int8Dot dot, int64_t lanes) {
  assert(dot != Int8Dot::Generic && "the tile kernel needs attn.dot_i8");
  // O [rows, Dv] += the panel of P bytes against the value words.
  Int8Panel pn;
  pn.aBytes = probBytes;
  pn.aRowScales = rowWeights;
  pn.bWords = valueWords;
  pn.bScales = valueScales;
  pn.blocks =
      arith::CeilDivUIOp::create(b, loc, keyCount, index(b, loc, kBlock));
  pn.cols = tensor::DimOp::create(b, loc, dest, 1);
  pn.aUnsigned = dot == Int8Dot::X86Vnni;
  pn.accumulate = true;
  return int8Panel(b, loc, pn, dest, tileLanes(dot, lanes));
}
