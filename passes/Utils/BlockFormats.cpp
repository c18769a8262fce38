//===- BlockFormats.cpp - dequantizing llama.cpp blocks in linalg ---------===//

#include "passes/Utils/BlockFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlir::attn;

/// `t` [..., W] (or, transposed, [W, n]) with W (static, `width`) split
/// into the given `inner` sizes: [..., W / prod(inner), inner...].
static Value splitWidth(OpBuilder &b, Location loc, Value t, int64_t width,
                        ArrayRef<int64_t> inner, bool transposed) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  int64_t split = transposed ? 0 : rank - 1;
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

Value mlir::attn::dequantizeRows(OpBuilder &b, Location loc, Value packed,
                                 BlockFormat format, Value dest,
                                 bool transposed) {
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
  // indexed (rows..., block, inner...) or, transposed, (block, inner..., j).
  int64_t width = packedType.getDimSize(rows) / blockBytesN *
                  blockValues(format);
  Value destSplit = splitWidth(b, loc, dest, width, inner, transposed);
  AffineMap outMap = b.getMultiDimIdentityMap(numLoops);
  if (transposed) {
    SmallVector<unsigned> perm;
    for (unsigned d = rows; d < numLoops; ++d)
      perm.push_back(d);
    perm.push_back(0);
    outMap = AffineMap::getPermutationMap(perm, ctx);
  }
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  Value filled =
      linalg::GenericOp::create(
          b, loc, destSplit.getType(), ValueRange{packed, packed, packed},
          ValueRange{destSplit},
          ArrayRef<AffineMap>{scaleLo, scaleHi, valueByte, outMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Type i16 = nb.getI16Type(), i32 = nb.getI32Type();
            Type f32 = nb.getF32Type();
            Value lo = arith::ExtUIOp::create(nb, nl, i16, a[0]);
            Value hi = arith::ExtUIOp::create(nb, nl, i16, a[1]);
            Value bits = arith::OrIOp::create(
                nb, nl, lo,
                arith::ShLIOp::create(
                    nb, nl, hi, arith::ConstantIntOp::create(nb, nl, i16, 8)));
            Value d = arith::ExtFOp::create(
                nb, nl, f32,
                arith::BitcastOp::create(nb, nl, nb.getF16Type(), bits),
                arith::FastMathFlagsAttr());
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
