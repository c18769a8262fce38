//===- Int8Products.h - int8 Q . K^T as vector code ------------*- C++ -*-===//
//
// The int8 score path of attn-tile-flash (`qk_precision = int8`): the
// scaled query tile quantized per block of 32 values (q8_0's scheme, f32
// scales; #attn.precision's description), and the scores of a packed
// query tile against a block-quantized key tile as integer dot products
// accumulated in int32 and scaled by d_q * d_k. The instruction that
// multiplies the bytes comes from the target (Int8Dot).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_INT8PRODUCTS_H
#define ATTN_PASSES_UTILS_INT8PRODUCTS_H

#include "dialects/Attn/AttnAttrs.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir::attn {

/// How 4 adjacent byte products are summed into an int32 lane.
enum class Int8Dot {
  /// Plain vector code (widen, multiply, add); LLVM picks the instructions.
  Generic,
  /// attn.dot_i8 of signed bytes: AArch64 SDOT (+dotprod) after
  /// attn-lower-int8-dot.
  ArmDotProd,
  /// attn.dot_i8 of unsigned key bytes (k + 128) by signed query bytes:
  /// x86 VPDPBUSD (AVX-512 VNNI / AVX-VNNI); the 128 * sum(q) the offset
  /// adds is subtracted once per query block.
  X86Vnni,
};

/// Parses "generic", "arm-dotprod", "x86-vnni".
std::optional<Int8Dot> parseInt8Dot(llvm::StringRef name);

/// A quantized [n, D] query tile: int8 values and one f32 scale per 32
/// values ([n, D / 32]). `dequantized` ([n, D] f32,
/// q * d) when asked for: the exact values the int8 product multiplies, for
/// paths that compute it in f32.
struct QuantizedRows {
  Value values, scales, dequantized;
};

/// Quantizes `x` ([n, D] f32, D a static multiple of 32) block by block.
QuantizedRows quantizeRows(OpBuilder &b, Location loc, Value x, Int8Dot dot,
                           bool withValues, bool withDequantized);

/// S [br, bc] (`dest`, overwritten) = sum over blocks of d_q d_k (q . k) for
/// the quantized query rows `q` and the packed key rows `keys` ([bc, R] i8
/// of `format` blocks). Keys go in groups of `lanes` (4 for ArmDotProd, 8
/// for X86Vnni): per
/// row, one f32 accumulator vector per key, the integer block products
/// converted and scaled into it, the group's sums formed by a transposing
/// reduction.
Value int8Scores(OpBuilder &b, Location loc, const QuantizedRows &q, Value keys,
                 BlockFormat format, Value dest, Int8Dot dot, int64_t lanes);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_INT8PRODUCTS_H
