//===- DiffDecomposition.h - pieces of attn.diff's lowerings ----*- C++ -*-===//
//
// Shared by attn-decompose-diff (two attn.sdpa and an unfused epilogue) and
// attn-tile-flash (both maps and the epilogue in one tiled loop).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_TRANSFORMS_DIFFDECOMPOSITION_H
#define ATTN_PASSES_TRANSFORMS_DIFFDECOMPOSITION_H

#include "dialects/Attn/AttnOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// The even (`which` = 0) or odd (1) heads of a [B, 2H, L, D] tensor as a
/// stride-2 view [B, H, L, D] (no copy).
Value diffHeadHalf(OpBuilder &b, Location loc, Value t, int64_t which);

/// lambda = exp(lambda_q1 . lambda_k1) - exp(lambda_q2 . lambda_k2) +
/// lambda_init, an f32 scalar computed at run time.
Value diffLambda(OpBuilder &b, Location loc, DiffOp op);

/// The epilogue of one output element (inside a generic body): x the
/// element of O1 - lambda O2, `sumSquares` its row's sum of squares over the
/// value width `width` (f32), `gain` the element's gain:
/// x * rsqrt(sumSquares / width + epsilon) * gain * (1 - lambda_init),
/// narrowed to `storage`.
Value diffNormalize(OpBuilder &nb, Location nl, DiffOp op, Value x,
                    Value sumSquares, Value gain, Value width, Type storage);

/// Replaces `op` by two independent attn.sdpa on its head halves (operands
/// widened to f32 first, so that both partial outputs stay f32) and the
/// elementwise epilogue: O1 - lambda O2, RMSNorm over the value width, gain,
/// (1 - lambda_init).
void decomposeDiff(RewriterBase &rewriter, DiffOp op);

} // namespace mlir::attn

#endif // ATTN_PASSES_TRANSFORMS_DIFFDECOMPOSITION_H
