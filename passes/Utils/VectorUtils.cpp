//===- VectorUtils.cpp - small vector-code builders -----------------------===//

#include "passes/Utils/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

Value mlir::attn::transposeReduce(OpBuilder &b, Location loc,
                                  SmallVector<Value> vectors) {
  int64_t lanes = static_cast<int64_t>(vectors.size());
  for (int64_t group = lanes; group > 1; group /= 2) {
    int64_t half = group / 2, groups = lanes / group;
    SmallVector<int64_t> lo, hi;
    for (int64_t side = 0; side < 2; ++side)
      for (int64_t q = 0; q < groups; ++q)
        for (int64_t x = 0; x < half; ++x) {
          lo.push_back(side * lanes + q * group + x);
          hi.push_back(side * lanes + q * group + half + x);
        }
    SmallVector<Value> next;
    for (size_t v = 0; v + 1 < vectors.size(); v += 2) {
      Value l =
          vector::ShuffleOp::create(b, loc, vectors[v], vectors[v + 1], lo);
      Value h =
          vector::ShuffleOp::create(b, loc, vectors[v], vectors[v + 1], hi);
      next.push_back(arith::AddFOp::create(b, loc, l, h));
    }
    vectors = std::move(next);
  }
  return vectors.front();
}
