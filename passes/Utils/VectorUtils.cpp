//===- VectorUtils.cpp - small vector-code builders -----------------------===//

#include "passes/Utils/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

Value mlir::attn::transposeReduce(OpBuilder &b, Location loc,
                                  SmallVector<Value> vectors) {
  int64_t lanes = cast<VectorType>(vectors.front().getType()).getNumElements();
  return segmentedReduce(b, loc, std::move(vectors), lanes);
}

Value mlir::attn::segmentedReduce(OpBuilder &b, Location loc,
                                  SmallVector<Value> vectors, int64_t segment) {
  auto type = cast<VectorType>(vectors.front().getType());
  Type elementType = type.getElementType();
  int64_t width = type.getNumElements();
  auto add = [&](Value l, Value h) -> Value {
    if (isa<FloatType>(elementType))
      return arith::AddFOp::create(b, loc, l, h);
    return arith::AddIOp::create(b, loc, l, h);
  };
  // Shuffle masks over (x, y) keeping, of every `group`-lane segment of x
  // and then of y, its low (or high) half.
  auto halves = [](int64_t width, int64_t group, bool high, int64_t sides) {
    SmallVector<int64_t> mask;
    int64_t half = group / 2;
    for (int64_t side = 0; side < sides; ++side)
      for (int64_t q = 0; q < width / group; ++q)
        for (int64_t x = 0; x < half; ++x)
          mask.push_back(side * width + q * group + (high ? half : 0) + x);
    return mask;
  };
  for (int64_t group = segment; group > 1; group /= 2) {
    if (vectors.size() > 1) {
      // Two vectors into one of the same width, segments halved.
      SmallVector<Value> next;
      for (size_t v = 0; v + 1 < vectors.size(); v += 2)
        next.push_back(
            add(vector::ShuffleOp::create(b, loc, vectors[v], vectors[v + 1],
                                          halves(width, group, false, 2)),
                vector::ShuffleOp::create(b, loc, vectors[v], vectors[v + 1],
                                          halves(width, group, true, 2))));
      vectors = std::move(next);
      continue;
    }
    // One vector left: its segments' halves added, the width halved.
    Value v = vectors.front();
    vectors = {add(
        vector::ShuffleOp::create(b, loc, v, v, halves(width, group, false, 1)),
        vector::ShuffleOp::create(b, loc, v, v,
                                  halves(width, group, true, 1)))};
    width /= 2;
  }
  assert(vectors.size() == 1 && "more vectors than segment lanes to fold");
  return vectors.front();
}
