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
