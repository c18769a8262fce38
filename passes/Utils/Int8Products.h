//===- Int8Products.h - int8 Q . K^T and P . V as vector code --*- C++ -*-===//
//
// The int8 paths of attn-tile-flash (`qk_precision` / `pv_precision` =
// int8; #attn.precision's description). Scores: the scaled query tile
// quantized per block of 32 values (q8_0's scheme, f32 scales) and
// multiplied with block-quantized keys as integer dot products accumulated
// in int32 and scaled by d_q * d_k. P . V: the probabilities as 8-bit
// fractions of the running row maximum against values quantized per
// column and block of 32 keys. The instruction that multiplies the bytes
// comes from the target (Int8Dot). The bf16 products
// (#attn.precision<bf16>) share the int8 tile kernels' register-blocked
// panel, with words of two bf16 instead of four bytes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_INT8PRODUCTS_H
#define ATTN_PASSES_UTILS_INT8PRODUCTS_H

#include "dialects/Attn/AttnAttrs.h"
#include "passes/Utils/BlockFormats.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <utility>

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
  /// adds is subtracted once per query block (QuantizedRows::sums).
  X86Vnni,
};

/// Parses "generic", "arm-dotprod", "x86-vnni".
std::optional<Int8Dot> parseInt8Dot(llvm::StringRef name);

/// A quantized [n, D] tile: int8 values and one f32 scale per 32 values
/// ([n, D / 32]); when asked for, `dequantized` ([n, D] f32, q * d: the
/// exact values the int8 product multiplies, for paths that compute it in
/// f32) and `sums` ([n, D / 32] i32, each block's sum of q: what an offset
/// of the other factor adds).
struct QuantizedRows {
  Value values, scales, dequantized, sums;
  /// For attn.mmla_i8 (int8PairRows): [ceil(n / 2), 2 D] i8, row p holding
  /// rows 2p and 2p + 1 (the last row repeated for an odd n) 8 bytes at a
  /// time, side by side.
  Value pairs;
};

/// `values` ([n, D] i8) as QuantizedRows::pairs.
Value int8PairRows(OpBuilder &b, Location loc, Value values);

/// One block of 32 values (vector<32xf32>, or f16/bf16, widened) quantized:
/// (vector<32xi8> q, f32 d) with d = max|x| / 127, q = round-half-away(x *
/// (1 / d)), q = 0 where d = 0.
std::pair<Value, Value> quantizeBlock(OpBuilder &b, Location loc, Value xv);

/// Quantizes `x` ([n, D] float, D a static multiple of 32) block by block.
QuantizedRows quantizeRows(OpBuilder &b, Location loc, Value x, bool withValues,
                           bool withDequantized, bool withSums = false);

/// S [br, bc] (`dest`, overwritten) = sum over blocks of d_q d_k (q . k) for
/// the quantized query rows `q` and the packed key rows `keys` ([bc, R] i8
/// of `format` blocks). Keys go in groups of `lanes` (4 for ArmDotProd, 8
/// for X86Vnni), block by block: a group's key bytes and scales are read
/// once for every query row; per row, the keys' partial int32 sums reduce
/// exactly (a transposing reduction) to one vector of block products,
/// converted and scaled by d_q d_k into the row's scores.
/// `prefetch`, when set, runs once per group of keys.
Value int8Scores(OpBuilder &b, Location loc, const QuantizedRows &q, Value keys,
                 BlockFormat format, Value dest, Int8Dot dot, int64_t lanes,
                 const RowPrefetch &prefetch = {});

/// (vector<32xi8> values, f32 scale) of block `blk` of key `key`.
using KeyBlockReader = llvm::function_ref<std::pair<Value, Value>(
    OpBuilder &, Location, Value key, int64_t blk)>;

/// The tile kernels' layout of `keyCount` keys read block by block with
/// `readKey` (D = `headDim` values a key): (keyWords, keyScales) updated in
/// place, keyWords [D / 4, >= padded keys] i32 holding word t of each key
/// (bytes 4t .. 4t+3, offset by 128 for X86Vnni) along row t, keyScales
/// [D / 32, >= padded keys] f32; keys padded to whole int8TileScores steps
/// (int8TileRoom), pad keys repeating key 0.
/// With `mmla` (attn.mmla_i8, ArmDotProd only), keyWords is [D / 8, 2 x
/// padded keys]: row u holds, for each pair of keys (2p, 2p + 1), bytes
/// 8u .. 8u+7 of key 2p then of key 2p + 1 (16 bytes, words 4p .. 4p+3).
std::pair<Value, Value> int8RepackKeys(OpBuilder &b, Location loc,
                                       Value keyCount, int64_t headDim,
                                       KeyBlockReader readKey, Value keyWords,
                                       Value keyScales, Int8Dot dot,
                                       int64_t lanes, bool mmla = false);

/// The shape of int8RepackKeys' keyWords for D = `headDim` and `keys`
/// (padded) keys: [D / 4, keys], or [D / 8, 2 keys] with `mmla`; keyScales
/// is then [D / 32, 2 keys] too, pair p's scales (2p, 2p + 1, 2p, 2p + 1)
/// at columns 4p .. 4p + 3.
int64_t int8KeyWordRows(int64_t headDim, bool mmla);
Value int8KeyWordCols(OpBuilder &b, Location loc, Value keys, bool mmla);

/// S [rows, keyCount] (`dest`, overwritten) = sum over blocks of
/// d_q d_k (q . k) for the quantized query rows `q` (values, scales, and
/// for X86Vnni sums) and keys in int8RepackKeys' layout, register-blocked
/// for any number of rows (prefill tiles): 4 query rows x 2 * lanes keys
/// of int32 accumulators take attn.dot_i8 of each broadcast 4-byte query
/// word. `dot` is ArmDotProd (4 lanes) or X86Vnni (`lanes` 8 or 16).
/// With `mmla` (keys in its layout): 2 pairs of query rows x 4 pairs of
/// keys of 2 x 2 int32 tiles take attn.mmla_i8 of 8 bytes of each row pair
/// against 8 of each key pair.
Value int8TileScores(OpBuilder &b, Location loc, const QuantizedRows &q,
                     Value keyCount, Value keyWords, Value keyScales,
                     Value dest, Int8Dot dot, int64_t lanes, bool mmla = false);

/// The largest P byte of int8 P . V (pv_precision = int8): P in [0, 1] is
/// stored as round(P * range) in 8 bits, unsigned for X86Vnni (255),
/// signed otherwise (127).
int64_t int8ProbabilityRange(Int8Dot dot);

/// The value block `values` ([keys, Dv] float, Dv % 32 == 0) quantized per
/// column and block of 32 keys (d = max|v| / 127 down the block, q =
/// round-half-away(v / d); keys past `keys` read as 0) in int8TileValues'
/// layout: (valueWords, valueScales) updated in place, valueWords [8
/// ceil(keys / 32), >= Dv] i32 (word t of a column holds keys 4t .. 4t+3),
/// valueScales [ceil(keys / 32), >= Dv] f32 holding d.
std::pair<Value, Value> int8RepackValues(OpBuilder &b, Location loc,
                                         Value values, Value valueWords,
                                         Value valueScales);

/// O [rows, Dv] (`dest`, updated in place) += P . V in int8 for one KV
/// block of `keyCount` keys: `probBytes` ([rows, >= 32 ceil(keys / 32)]
/// i8, u = round(p * range) with p relative to a per-row maximum, zero
/// past the block's keys), weighted by `rowWeights` ([rows] f32: the
/// weight of u = 1 in row r), against values in int8RepackValues' layout;
/// 4 rows x 2 vectors of int32 accumulators take attn.dot_i8 of each
/// broadcast word of P, per block of 32 keys converted and scaled (row
/// weight x d) into O. `dot` as for int8TileScores.
Value int8TileValues(OpBuilder &b, Location loc, Value probBytes,
                     Value rowWeights, Value keyCount, Value valueWords,
                     Value valueScales, Value dest, Int8Dot dot, int64_t lanes);

/// Keys a step of int8TileScores covers (keyWords / keyScales must hold a
/// multiple of it).
int64_t int8TileKeysPerStep(Int8Dot dot, int64_t lanes);

/// bf16 products (#attn.precision<bf16>, targets with attn.dot_bf16):
/// the same register-blocked panel with words of two bf16 and f32
/// accumulators.
///
/// Keys a step of bf16TileScores covers.
int64_t bf16KeysPerStep(int64_t lanes);

/// The keys `keys` ([n, D] f32 / f16 / bf16, D % 32 == 0) rounded to bf16
/// into `keyWords` ([D / 2, >= n rounded up to bf16KeysPerStep] i32,
/// updated in place): row t holds values 2t, 2t + 1 of every key; pad keys
/// repeat key 0.
Value bf16RepackKeys(OpBuilder &b, Location loc, Value keys, Value keyWords,
                     int64_t lanes);

/// S [rows, keyCount] (`dest`, overwritten) = the bf16 query rows
/// `queries` ([rows, D]) . the keys in bf16RepackKeys' layout, in f32.
Value bf16TileScores(OpBuilder &b, Location loc, Value queries, Value keyCount,
                     Value keyWords, Value dest, int64_t lanes);

/// The value block `values` ([keys, Dv] float, Dv % 32 == 0) rounded to
/// bf16 into `valueWords` ([16 ceil(keys / 32), >= Dv] i32, updated in
/// place): row t holds the values of keys 2t, 2t + 1 of each column (zero
/// past `keys`).
Value bf16RepackValues(OpBuilder &b, Location loc, Value values,
                       Value valueWords);

/// O [rows, Dv] (`dest`, updated in place) += P . V for one KV block of
/// `keyCount` keys: `probs` ([rows, >= 32 ceil(keys / 32)] bf16, zero past
/// the block's keys) against values in bf16RepackValues' layout, in f32.
Value bf16TileValues(OpBuilder &b, Location loc, Value probs, Value keyCount,
                     Value valueWords, Value dest, int64_t lanes);

/// Columns the int8 kernels' scratch needs for `keys` keys: rounded up to
/// whole int8TileScores steps (`keys` itself for Generic).
Value int8TileRoom(OpBuilder &b, Location loc, Value keys, Int8Dot dot,
                   int64_t lanes);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_INT8PRODUCTS_H
