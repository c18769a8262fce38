//===- BlockFormats.h - dequantizing llama.cpp blocks in linalg -*- C++ -*-===//
//
// The one place in the compiler that knows the byte layout of q8_0 and q4_0
// blocks (SEMANTICS.md, "Quantized storage and compute"): the tiled and the
// untiled lowerings of attn.sdpa call it to turn packed key and value rows
// into f32.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_BLOCKFORMATS_H
#define ATTN_PASSES_UTILS_BLOCKFORMATS_H

#include "dialects/Attn/AttnAttrs.h"

#include "mlir/IR/Builders.h"

namespace mlir::attn {

/// Dequantizes the packed rows of `packed` ([..., R] i8, each row R bytes
/// of `format` blocks, R static) into `dest` ([..., W] f32, W = the row's
/// values) and returns the filled tensor. With `transposed` (rank 2 only),
/// `dest` is [W, n]: row j of `packed` becomes column j. One linalg.generic
/// over (rows..., block, value in block): x = d * q (q8_0) or
/// (q - 8) * d (q4_0), d the block's fp16 scale widened to f32, which is
/// exact in f32.
Value dequantizeRows(OpBuilder &b, Location loc, Value packed,
                     BlockFormat format, Value dest, bool transposed = false);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_BLOCKFORMATS_H
