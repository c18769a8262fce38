//===- ScoreMods.cpp - building an attn op's score modification -----------===//

#include "passes/Utils/ScoreMods.h"
#include "passes/Utils/LinalgBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::attn;

Value mlir::attn::buildScoreMods(OpBuilder &b, Location loc, SdpaOp op,
                                 Value score, const ScoreCoords &at) {
  if (Value bias = op.getBias()) {
    // Unit batch / head dimensions broadcast (static ones only).
    auto type = cast<RankedTensorType>(bias.getType());
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value bIdx = type.getDimSize(0) == 1 ? zero : at.batch;
    Value hIdx = type.getDimSize(1) == 1 ? zero : at.head;
    Value x = tensor::ExtractOp::create(
        b, loc, bias, ValueRange{bIdx, hIdx, at.qRow, at.key});
    score = arith::AddFOp::create(b, loc, score,
                                  LinalgBuilder::extToF32(b, loc, x));
  }
  if (std::optional<ArrayAttr> mods = op.getModifiers())
    for (Attribute a : *mods)
      score = cast<ScoreModAttrInterface>(a).build(b, loc, score, at.batch,
                                                   at.head, at.qPos, at.key);
  Region &region = op.getScoreMod();
  if (region.empty())
    return score;
  Block &block = region.front();
  IRMapping map;
  Value args[] = {score, at.batch, at.head, at.qPos, at.key};
  for (auto [arg, value] : llvm::zip(block.getArguments(), args))
    map.map(arg, value);
  for (Operation &inner : block.without_terminator())
    b.clone(inner, map);
  return map.lookupOrDefault(cast<YieldOp>(block.getTerminator()).getValue());
}

Value mlir::attn::buildKeeps(OpBuilder &b, Location loc, SdpaOp op,
                             const ScoreCoords &at) {
  using P = arith::CmpIPredicate;
  Value keep;
  auto conjoin = [&](Value c) {
    keep = keep ? arith::AndIOp::create(b, loc, keep, c).getResult() : c;
  };
  if (std::optional<MaskAttrInterface> mask = op.getMask())
    conjoin(mask->buildKeeps(b, loc, at.head, at.qPos, at.key));
  if (Value kvLengths = op.getKvLengths())
    conjoin(arith::CmpIOp::create(
        b, loc, P::slt, at.key,
        LinalgBuilder::extractIndex(b, loc, kvLengths, at.batch)));
  if (Value qLengths = op.getQLengths())
    conjoin(arith::CmpIOp::create(
        b, loc, P::slt, at.qRow,
        LinalgBuilder::extractIndex(b, loc, qLengths, at.batch)));
  if (Value docs = op.getDocIds()) {
    // A query before the first key (Lq > Lk) has no document.
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value valid = arith::CmpIOp::create(b, loc, P::sge, at.qPos, zero);
    Value pos = arith::SelectOp::create(b, loc, valid, at.qPos, zero);
    Value same = arith::CmpIOp::create(
        b, loc, P::eq,
        LinalgBuilder::extractIndex(b, loc, docs, ValueRange{at.batch, pos}),
        LinalgBuilder::extractIndex(b, loc, docs,
                                    ValueRange{at.batch, at.key}));
    conjoin(arith::AndIOp::create(b, loc, valid, same));
  }
  return keep;
}
