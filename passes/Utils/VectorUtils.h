//===- VectorUtils.h - small vector-code builders -------------*- C++ -*-===//
//
// Vector idioms shared by the micro-kernels (attn-matmul-microkernels) and
// the vector code attn-tile-flash writes directly (int8 scores).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_VECTORUTILS_H
#define ATTN_PASSES_UTILS_VECTORUTILS_H

#include "mlir/IR/Builders.h"

namespace mlir::attn {

/// Sums each of `vectors` (lanes of them, each `lanes` wide, f32) into one
/// lane of the result: lane j = sum of vectors[j]. A tree of log2(lanes)
/// levels; each combine of two vectors whose lanes form groups of g partial
/// sums keeps the low and high halves of every group side by side and adds
/// them, so groups halve in size while their count doubles, in source order.
Value transposeReduce(OpBuilder &b, Location loc, SmallVector<Value> vectors);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_VECTORUTILS_H
