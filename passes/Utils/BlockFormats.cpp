//===- BlockFormats.cpp - dequantizing llama.cpp blocks in linalg ---------===//

#include "passes/Utils/BlockFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::attn;

/// `t` [..., W] with W (static, `width`) split into the given `inner`
/// sizes: [..., W / prod(inner), inner...].
static Value splitWidth(OpBuilder &b, Location loc, Value t, int64_t width,
                        ArrayRef<int64_t> inner) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  int64_t split = rank - 1;
  if (type.isDynamicDim(split)) {
    SmallVector<int64_t> shape(type.getShape());
    shape[split] = width;
    type = RankedTensorType::get(shape, type.getElementType());
    t = tensor::CastOp::create(b, loc, type, t);
  }
  int64_t innerSize = 1;
  for (int64_t s : inner)
    innerSize *= s;
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank; ++d) {
    ReassociationIndices group;
    if (d != split) {
      group.push_back(shape.size());
      shape.push_back(type.getDimSize(d));
      sizes.push_back(tensor::getMixedSize(b, loc, t, d));
    } else {
      int64_t blocks = type.getDimSize(d) / innerSize;
      group.push_back(shape.size());
      shape.push_back(blocks);
      sizes.push_back(b.getIndexAttr(blocks));
      for (int64_t s : inner) {
        group.push_back(shape.size());
        shape.push_back(s);
        sizes.push_back(b.getIndexAttr(s));
      }
    }
    groups.push_back(group);
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), t, groups,
      sizes);
}

/// A block's scale: the little-endian fp16 in bytes `lo`, `hi` (i8), as f32.
static Value blockScale(OpBuilder &b, Location loc, Value lo, Value hi) {
  Type i16 = b.getI16Type();
  Value bits = arith::OrIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, i16, lo),
      arith::ShLIOp::create(b, loc, arith::ExtUIOp::create(b, loc, i16, hi),
                            arith::ConstantIntOp::create(b, loc, i16, 8)));
  return arith::ExtFOp::create(
      b, loc, b.getF32Type(),
      arith::BitcastOp::create(b, loc, b.getF16Type(), bits),
      arith::FastMathFlagsAttr());
}

/// A block's scale bits as vector<1xf16>: its two bytes as one 16-bit load
/// (fewer scalar steps than assembling the bits byte by byte).
static Value scaleBits(OpBuilder &b, Location loc, Value packed, Value row,
                       int64_t block, BlockFormat format) {
  Type i8 = b.getI8Type();
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value column =
      arith::ConstantIndexOp::create(b, loc, block * blockBytes(format));
  Value bytes2 = vector::TransferReadOp::create(
      b, loc, VectorType::get({2}, i8), packed, ValueRange{row, column}, pad,
      ArrayRef<bool>{true});
  return vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getF16Type()),
                                   bytes2);
}

Value mlir::attn::readBlockScale(OpBuilder &b, Location loc, Value packed,
                                 Value row, int64_t block, BlockFormat format) {
  // Reinterpreted as fp16 and widened (vcvtph2ps, fcvt).
  Value half = scaleBits(b, loc, packed, row, block, format);
  return vector::ExtractOp::create(
      b, loc,
      arith::ExtFOp::create(b, loc, VectorType::get({1}, b.getF32Type()), half,
                            arith::FastMathFlagsAttr()),
      ArrayRef<int64_t>{0});
}

Value mlir::attn::readBlockScaleSplat(OpBuilder &b, Location loc, Value packed,
                                      Value row, int64_t block,
                                      BlockFormat format, int64_t lanes) {
  // Broadcast as fp16, then widened as a vector: x86 loads a scalar fp16 by
  // inserting it into a register it does not otherwise write (vpinsrw), a
  // false dependency that chained each block's scale to the previous
  // block's arithmetic (the q8_0 decode value loop ran at half speed); a
  // broadcast load writes its whole register.
  Value half = scaleBits(b, loc, packed, row, block, format);
  Value splat = vector::BroadcastOp::create(
      b, loc, VectorType::get({lanes}, b.getF16Type()),
      vector::ExtractOp::create(b, loc, half, ArrayRef<int64_t>{0}));
  return arith::ExtFOp::create(b, loc, VectorType::get({lanes}, b.getF32Type()),
                               splat, arith::FastMathFlagsAttr());
}

Value mlir::attn::readBlockScales(OpBuilder &b, Location loc, Value packed,
                                  ArrayRef<Value> rows, int64_t block,
                                  BlockFormat format) {
  // Gathered as fp16 and widened together (one vcvtph2ps).
  SmallVector<Value> halves;
  for (Value row : rows)
    halves.push_back(vector::ExtractOp::create(
        b, loc, scaleBits(b, loc, packed, row, block, format),
        ArrayRef<int64_t>{0}));
  auto n = static_cast<int64_t>(rows.size());
  Value gathered = vector::FromElementsOp::create(
      b, loc, VectorType::get({n}, b.getF16Type()), halves);
  return arith::ExtFOp::create(b, loc, VectorType::get({n}, b.getF32Type()),
                               gathered, arith::FastMathFlagsAttr());
}

Value mlir::attn::readBlockInts(OpBuilder &b, Location loc, Value packed,
                                Value row, int64_t block, BlockFormat format) {
  Type i8 = b.getI8Type();
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value column =
      arith::ConstantIndexOp::create(b, loc, block * blockBytes(format) + 2);
  auto splat = [&](VectorType type, int64_t c) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(c)));
  };
  auto v32 = VectorType::get({32}, i8);
  if (format == BlockFormat::q8_0) {
    Value q = vector::TransferReadOp::create(b, loc, v32, packed,
                                             ValueRange{row, column}, pad,
                                             ArrayRef<bool>{true});
    return q;
  }
  return arith::AddIOp::create(
      b, loc, readBlockNibbles(b, loc, packed, row, block), splat(v32, -8));
}

Value mlir::attn::readBlockNibbles(OpBuilder &b, Location loc, Value packed,
                                   Value row, int64_t block) {
  // Element t in the low nibble of byte t, element t + 16 in its high
  // nibble.
  Type i8 = b.getI8Type();
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value column = arith::ConstantIndexOp::create(
      b, loc, block * blockBytes(BlockFormat::q4_0) + 2);
  auto v16 = VectorType::get({16}, i8);
  auto splat = [&](int64_t c) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(v16, b.getI8IntegerAttr(c)));
  };
  Value bytes = vector::TransferReadOp::create(
      b, loc, v16, packed, ValueRange{row, column}, pad, ArrayRef<bool>{true});
  Value low = arith::AndIOp::create(b, loc, bytes, splat(15));
  Value high = arith::ShRUIOp::create(b, loc, bytes, splat(4));
  SmallVector<int64_t> order(32);
  for (int64_t t = 0; t < 32; ++t)
    order[t] = t;
  return vector::ShuffleOp::create(b, loc, low, high, order);
}

Value mlir::attn::dequantizeTile(OpBuilder &b, Location loc, Value packed,
                                 BlockFormat format, Value dest,
                                 const RowPrefetch &prefetch) {
  auto packedType = cast<RankedTensorType>(packed.getType());
  const int64_t bpb = blockBytes(format),
                nbBlocks = packedType.getDimSize(1) / bpb;
  const bool nibbles = format == BlockFormat::q4_0;
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  Value rows = tensor::DimOp::create(b, loc, packed, 0);
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  auto rowLoop = scf::ForOp::create(
      b, loc, index(0), rows, index(1), ValueRange{dest},
      [&](OpBuilder &rb, Location rl, Value j, ValueRange rowState) {
        Value acc = rowState[0];
        if (prefetch)
          prefetch(rb, rl, j, 1);
        // Static block count: LLVM unrolls these into straight-line code.
        for (int64_t blk = 0; blk < nbBlocks; ++blk) {
          Value d = readBlockScaleSplat(rb, rl, packed, j, blk, format,
                                        nibbles ? 16 : 32);
          auto write = [&](Value q, int64_t column) {
            auto type = cast<VectorType>(q.getType());
            auto fType = VectorType::get(type.getShape(), f32);
            Value x = arith::MulFOp::create(
                rb, rl, arith::SIToFPOp::create(rb, rl, fType, q), d);
            acc = vector::TransferWriteOp::create(rb, rl, x, acc,
                                                  ValueRange{j, index(column)},
                                                  ArrayRef<bool>{true})
                      .getResult();
          };
          int64_t width = nibbles ? 16 : 32;
          Value bytes = vector::TransferReadOp::create(
              rb, rl, VectorType::get({width}, i8), packed,
              ValueRange{j, index(blk * bpb + 2)}, pad, ArrayRef<bool>{true});
          if (!nibbles) {
            write(bytes, blk * 32);
            continue;
          }
          // q4_0: element t in the low nibble of byte t, element t + 16 in
          // its high nibble; values q - 8.
          auto v32 = VectorType::get({16}, i32);
          Value wide = arith::ExtUIOp::create(rb, rl, v32, bytes);
          auto splat = [&](int64_t c) -> Value {
            return arith::ConstantOp::create(
                rb, rl, DenseElementsAttr::get(v32, rb.getI32IntegerAttr(c)));
          };
          Value low = arith::AndIOp::create(rb, rl, wide, splat(15));
          Value high = arith::ShRUIOp::create(rb, rl, wide, splat(4));
          write(arith::SubIOp::create(rb, rl, low, splat(8)), blk * 32);
          write(arith::SubIOp::create(rb, rl, high, splat(8)), blk * 32 + 16);
        }
        scf::YieldOp::create(rb, rl, acc);
      });
  return rowLoop.getResult(0);
}

Value mlir::attn::packedValueProduct(OpBuilder &b, Location loc, Value p,
                                     Value packed, BlockFormat format, Value o,
                                     int64_t rows, int64_t width,
                                     const RowPrefetch &prefetch) {
  assert(width > 0 && 32 % width == 0 && "columns in divisors of a block");
  auto packedType = cast<RankedTensorType>(packed.getType());
  const int64_t nbBlocks = packedType.getDimSize(1) / blockBytes(format);
  Type f32 = b.getF32Type();
  auto index = [&](OpBuilder &ib, Location il, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, il, v);
  };
  auto fBlock = VectorType::get({width}, f32);
  Value keys = tensor::DimOp::create(b, loc, packed, 0);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  // Column chunks outer, keys inner: the rows' accumulators of one chunk
  // (rows x width lanes) stay in registers while the keys stream by, each
  // key's 32 values widened, converted and scaled once for every row (one
  // set of accumulators: a second set for odd keys measured no faster).
  for (int64_t chunk = 0; chunk < nbBlocks * 32 / width; ++chunk) {
    const int64_t blk = chunk * width / 32, first = chunk * width % 32;
    Value col = index(b, loc, chunk * width);
    SmallVector<Value> inits;
    for (int64_t r = 0; r < rows; ++r)
      inits.push_back(vector::TransferReadOp::create(
          b, loc, fBlock, o, ValueRange{index(b, loc, r), col}, zero,
          ArrayRef<bool>{true}));
    auto keyLoop = scf::ForOp::create(
        b, loc, index(b, loc, 0), keys, index(b, loc, 1), inits,
        [&](OpBuilder &kb, Location kl, Value j, ValueRange accs) {
          if (prefetch && chunk == 0)
            prefetch(kb, kl, j, 1);
          Value ints = readBlockInts(kb, kl, packed, j, blk, format);
          if (width < 32)
            ints = vector::ExtractStridedSliceOp::create(
                kb, kl, ints, ArrayRef<int64_t>{first},
                ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1});
          Value x = arith::MulFOp::create(
              kb, kl, arith::SIToFPOp::create(kb, kl, fBlock, ints),
              readBlockScaleSplat(kb, kl, packed, j, blk, format, width));
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value w = tensor::ExtractOp::create(
                kb, kl, p, ValueRange{index(kb, kl, r), j});
            next.push_back(vector::FMAOp::create(
                kb, kl, vector::BroadcastOp::create(kb, kl, fBlock, w), x,
                accs[r]));
          }
          scf::YieldOp::create(kb, kl, next);
        });
    for (int64_t r = 0; r < rows; ++r)
      o = vector::TransferWriteOp::create(b, loc, keyLoop.getResult(r), o,
                                          ValueRange{index(b, loc, r), col},
                                          ArrayRef<bool>{true})
              .getResult();
  }
  return o;
}

Value mlir::attn::widenTile(OpBuilder &b, Location loc, Value tile, Value dest,
                            const RowPrefetch &prefetch) {
  auto type = cast<RankedTensorType>(tile.getType());
  const int64_t width = type.getDimSize(1);
  Type f32 = b.getF32Type();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value rows = tensor::DimOp::create(b, loc, tile, 0);
  Value pad = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), 0.0));
  auto rowLoop = scf::ForOp::create(
      b, loc, index(0), rows, index(1), ValueRange{dest},
      [&](OpBuilder &rb, Location rl, Value j, ValueRange rowState) {
        Value acc = rowState[0];
        if (prefetch)
          prefetch(rb, rl, j, 1);
        for (int64_t c = 0; c < width; c += 32) {
          int64_t n = std::min<int64_t>(32, width - c);
          Value x = vector::TransferReadOp::create(
              rb, rl, VectorType::get({n}, type.getElementType()), tile,
              ValueRange{j, index(c)}, pad, ArrayRef<bool>{true});
          Value wide = arith::ExtFOp::create(rb, rl, VectorType::get({n}, f32),
                                             x, arith::FastMathFlagsAttr());
          acc = vector::TransferWriteOp::create(rb, rl, wide, acc,
                                                ValueRange{j, index(c)},
                                                ArrayRef<bool>{true})
                    .getResult();
        }
        scf::YieldOp::create(rb, rl, acc);
      });
  return rowLoop.getResult(0);
}

Value mlir::attn::dequantizeRows(OpBuilder &b, Location loc, Value packed,
                                 BlockFormat format, Value dest) {
  auto packedType = cast<RankedTensorType>(packed.getType());
  auto destType = cast<RankedTensorType>(dest.getType());
  MLIRContext *ctx = b.getContext();
  const int64_t rows = packedType.getRank() - 1;
  const int64_t blockBytesN = blockBytes(format);
  // Loops: the packed tensor's row dims, the block, then the value within
  // it: [32] for q8_0, [nibble half, 16] for q4_0 (element 16 * half + t).
  const bool nibbles = format == BlockFormat::q4_0;
  SmallVector<int64_t> inner =
      nibbles ? SmallVector<int64_t>{2, 16} : SmallVector<int64_t>{32};
  const unsigned numLoops = rows + 1 + inner.size();
  SmallVector<AffineExpr> rowExprs;
  for (int64_t d = 0; d < rows; ++d)
    rowExprs.push_back(getAffineDimExpr(d, ctx));
  AffineExpr block = getAffineDimExpr(rows, ctx);
  AffineExpr t = getAffineDimExpr(numLoops - 1, ctx);
  auto byteAt = [&](AffineExpr offset) {
    SmallVector<AffineExpr> exprs = rowExprs;
    exprs.push_back(block * blockBytesN + offset);
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  // The scale's two bytes (little-endian fp16), then the value byte.
  AffineMap scaleLo = byteAt(getAffineConstantExpr(0, ctx));
  AffineMap scaleHi = byteAt(getAffineConstantExpr(1, ctx));
  AffineMap valueByte = byteAt(t + 2);
  // The output: the destination with its width split as the loops are,
  // indexed (rows..., block, inner...).
  int64_t width =
      packedType.getDimSize(rows) / blockBytesN * blockValues(format);
  Value destSplit = splitWidth(b, loc, dest, width, inner);
  AffineMap outMap = b.getMultiDimIdentityMap(numLoops);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  Value filled =
      linalg::GenericOp::create(
          b, loc, destSplit.getType(), ValueRange{packed, packed, packed},
          ValueRange{destSplit},
          ArrayRef<AffineMap>{scaleLo, scaleHi, valueByte, outMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Type i32 = nb.getI32Type(), f32 = nb.getF32Type();
            Value d = blockScale(nb, nl, a[0], a[1]);
            Value q;
            if (!nibbles) {
              q = arith::ExtSIOp::create(nb, nl, i32, a[2]);
            } else {
              // Element 16 * half + t: the low nibble of byte t for half 0,
              // its high nibble for half 1; minus the offset 8.
              Value half = arith::IndexCastOp::create(
                  nb, nl, i32, linalg::IndexOp::create(nb, nl, rows + 1));
              Value byte = arith::ExtUIOp::create(nb, nl, i32, a[2]);
              Value shift = arith::MulIOp::create(
                  nb, nl, half, arith::ConstantIntOp::create(nb, nl, i32, 4));
              Value nibble = arith::AndIOp::create(
                  nb, nl, arith::ShRUIOp::create(nb, nl, byte, shift),
                  arith::ConstantIntOp::create(nb, nl, i32, 15));
              q = arith::SubIOp::create(
                  nb, nl, nibble, arith::ConstantIntOp::create(nb, nl, i32, 8));
            }
            Value x = arith::MulFOp::create(
                nb, nl, d, arith::SIToFPOp::create(nb, nl, f32, q));
            linalg::YieldOp::create(nb, nl, x);
          })
          .getResult(0);
  auto expand = cast<tensor::ExpandShapeOp>(destSplit.getDefiningOp());
  Value collapsed = tensor::CollapseShapeOp::create(
      b, loc, expand.getSrcType(), filled, expand.getReassociationIndices());
  if (collapsed.getType() != destType)
    collapsed = tensor::CastOp::create(b, loc, destType, collapsed);
  return collapsed;
}

Value mlir::attn::dequantizeScaledTile(OpBuilder &b, Location loc, Value tile,
                                       Value scales, Value row0, int64_t block,
                                       Value dest,
                                       const RowPrefetch &prefetch) {
  auto type = cast<RankedTensorType>(tile.getType());
  auto scaleType = cast<RankedTensorType>(scales.getType());
  const int64_t width = type.getDimSize(1);
  const bool oneRow = scaleType.getDimSize(0) == 1,
             perChannel = scaleType.getDimSize(1) != 1;
  Type f32 = b.getF32Type(), i8 = b.getI8Type(),
       scaleElt = scaleType.getElementType();
  auto index = [&](OpBuilder &ib, Location il, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, il, v);
  };
  auto toF32 = [&](OpBuilder &ib, Location il, Value x, Type to) -> Value {
    if (scaleElt == f32)
      return x;
    return arith::ExtFOp::create(ib, il, to, x, arith::FastMathFlagsAttr());
  };
  Value rows = tensor::DimOp::create(b, loc, tile, 0);
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value scalePad =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(scaleElt, 0.0));
  auto rowLoop = scf::ForOp::create(
      b, loc, index(b, loc, 0), rows, index(b, loc, 1), ValueRange{dest},
      [&](OpBuilder &rb, Location rl, Value j, ValueRange rowState) {
        Value acc = rowState[0];
        if (prefetch)
          prefetch(rb, rl, j, 1);
        Value scaleRow = index(rb, rl, 0);
        if (!oneRow) {
          scaleRow = arith::AddIOp::create(rb, rl, j, row0);
          if (block > 1)
            scaleRow =
                arith::DivUIOp::create(rb, rl, scaleRow, index(rb, rl, block));
        }
        Value rowScale;
        if (!perChannel)
          rowScale =
              toF32(rb, rl,
                    tensor::ExtractOp::create(
                        rb, rl, scales, ValueRange{scaleRow, index(rb, rl, 0)}),
                    f32);
        for (int64_t c = 0; c < width; c += 32) {
          int64_t n = std::min<int64_t>(32, width - c);
          auto fType = VectorType::get({n}, f32);
          Value col = index(rb, rl, c);
          Value q = vector::TransferReadOp::create(
              rb, rl, VectorType::get({n}, i8), tile, ValueRange{j, col}, pad,
              ArrayRef<bool>{true});
          Value s = perChannel
                        ? toF32(rb, rl,
                                vector::TransferReadOp::create(
                                    rb, rl, VectorType::get({n}, scaleElt),
                                    scales, ValueRange{scaleRow, col}, scalePad,
                                    ArrayRef<bool>{true}),
                                fType)
                        : vector::BroadcastOp::create(rb, rl, fType, rowScale)
                              .getResult();
          Value x = arith::MulFOp::create(
              rb, rl, arith::SIToFPOp::create(rb, rl, fType, q), s);
          acc = vector::TransferWriteOp::create(
                    rb, rl, x, acc, ValueRange{j, col}, ArrayRef<bool>{true})
                    .getResult();
        }
        scf::YieldOp::create(rb, rl, acc);
      });
  return rowLoop.getResult(0);
}

Value mlir::attn::dequantizeScaledRows(OpBuilder &b, Location loc, Value values,
                                       Value scales, int64_t block,
                                       Value dest) {
  auto scaleType = cast<RankedTensorType>(scales.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < 4; ++d) {
    AffineExpr e = getAffineDimExpr(d, ctx);
    if (scaleType.getDimSize(d) == 1)
      e = getAffineConstantExpr(0, ctx);
    else if (d == 2 && block > 1)
      e = e.floorDiv(block);
    exprs.push_back(e);
  }
  AffineMap id = b.getMultiDimIdentityMap(4);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, dest.getType(), ValueRange{values, scales},
             ValueRange{dest},
             ArrayRef<AffineMap>{id, AffineMap::get(4, 0, exprs, ctx), id},
             ArrayRef<utils::IteratorType>(iterators),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Type f32 = nb.getF32Type();
               Value s = a[1];
               if (s.getType() != f32)
                 s = arith::ExtFOp::create(nb, nl, f32, s,
                                           arith::FastMathFlagsAttr());
               Value q = arith::SIToFPOp::create(nb, nl, f32, a[0]);
               Value x = arith::MulFOp::create(nb, nl, q, s);
               linalg::YieldOp::create(nb, nl, x);
             })
      .getResult(0);
}
