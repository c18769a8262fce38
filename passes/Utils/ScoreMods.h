//===- ScoreMods.h - building an attn op's score modification ---*- C++ -*-===//
//
// Shared by the lowerings of attn.sdpa (convert-attn-to-linalg,
// attn-tile-flash): the IR computing mod(S) for one score, in the op's order
// (bias tensor, named modifiers, score_mod region), and the per-score
// condition of its mask and run-time masks.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_SCOREMODS_H
#define ATTN_PASSES_UTILS_SCOREMODS_H

#include "dialects/Attn/AttnOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::attn {

/// Coordinates of one score (all `index` values): batch, query head, query
/// row within the op's Lq (`qRow`, indexes the bias tensor), absolute query
/// position (`qPos` = Lk - Lq + qRow) and key position.
struct ScoreCoords {
  Value batch, head, qRow, qPos, key;
};

/// Builds op's score modification of the f32 `score` at `at`; returns
/// `score` itself when the op has none. The score_mod region is cloned at
/// the insertion point.
Value buildScoreMods(OpBuilder &b, Location loc, SdpaOp op, Value score,
                     const ScoreCoords &at);

/// Builds the i1 saying whether op keeps the score at `at`: its mask
/// pattern and its run-time masks (kv_lengths, q_lengths, documents)
/// together; a null Value when the op has neither.
Value buildKeeps(OpBuilder &b, Location loc, SdpaOp op, const ScoreCoords &at);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_SCOREMODS_H
