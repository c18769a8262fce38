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

/// Sums each of `vectors` (lanes of them, each `lanes` wide, f32 or an
/// integer type: float sums in this order, integer sums exact) into one
/// lane of the result: lane j = sum of vectors[j]. A tree of log2(lanes)
/// levels; each combine of two vectors whose lanes form groups of g partial
/// sums keeps the low and high halves of every group side by side and adds
/// them, so groups halve in size while their count doubles, in source order.
Value transposeReduce(OpBuilder &b, Location loc, SmallVector<Value> vectors);

/// The general form: `vectors` (n of them, of one width W) hold segments of
/// `segment` lanes each (W / segment per vector); the result's lane t is
/// the sum of segment t, segments numbered vector by vector. n * W /
/// segment lanes in all; n must not exceed `segment` (a power of two).
/// transposeReduce is the case segment = W.
Value segmentedReduce(OpBuilder &b, Location loc, SmallVector<Value> vectors,
                      int64_t segment);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_VECTORUTILS_H
