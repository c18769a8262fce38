//===- BlockFormats.h - dequantizing llama.cpp blocks in linalg -*- C++ -*-===//
//
// The one place in the compiler that knows the byte layout of q8_0 and q4_0
// blocks (SEMANTICS.md, "Quantized storage and compute") and how int8 K / V
// read their scales operand: the tiled and the untiled lowerings of
// attn.sdpa call it to turn packed or scaled key and value rows (and, for
// the tiled kernels, f16 / bf16 rows) into f32.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_BLOCKFORMATS_H
#define ATTN_PASSES_UTILS_BLOCKFORMATS_H

#include "dialects/Attn/AttnAttrs.h"

#include "mlir/IR/Builders.h"

#include <functional>

namespace mlir::attn {

/// Issues software prefetches for rows ahead of the one a loop reads:
/// called with the tile row `first` the loop is at and how many rows from
/// it the loop is about to read.
using RowPrefetch =
    std::function<void(OpBuilder &, Location, Value first, int64_t rows)>;

/// Dequantizes the packed rows of `packed` ([..., R] i8, each row R bytes
/// of `format` blocks, R static) into `dest` ([..., W] f32, W = the row's
/// values) and returns the filled tensor: one linalg.generic over (rows...,
/// block, value in block) computing x = d * q (q8_0) or (q - 8) * d (q4_0),
/// d the block's fp16 scale widened to f32 (the product is exact in f32).
/// The untiled lowering's form, for tensors of any rank.
Value dequantizeRows(OpBuilder &b, Location loc, Value packed,
                     BlockFormat format, Value dest);

/// The same for a 2-D tile ([n, R] into [n, W]) as vector code the tiled
/// kernels run: per row and block, the scale as a scalar and the block's
/// bytes as one vector read (q8_0: 32 x i8; q4_0: 16 bytes split into their
/// low and high nibbles), widened, converted and scaled, then written as
/// 32 contiguous f32. LLVM selects it to the target's widening moves and
/// conversions (vpmovsxbd / vcvtdq2ps, sxtl / scvtf).
/// `prefetch`, when set, runs once per row in the row loop.
Value dequantizeTile(OpBuilder &b, Location loc, Value packed,
                     BlockFormat format, Value dest,
                     const RowPrefetch &prefetch = {});

/// f16 / bf16 rows of a 2-D tile ([n, W], W static) widened into `dest`
/// ([n, W] f32) as vector code: per row, chunks of up to 32 values read,
/// extended and written (vcvtph2ps, fcvtl).
/// o [rows, Dv] + p [rows, bc] . V for the packed value rows `packed`
/// ([bc, R] of `format` blocks, Dv = R / block bytes * 32) read in place,
/// with `rows` static: per block of 32 value columns, every key's values
/// widened, converted and scaled once and multiplied into all rows'
/// accumulators (no dequantized copy of the block). The columns go
/// `width` at a time (a divisor of 32), which bounds the accumulators
/// (rows x width lanes) to what the target's registers hold. `prefetch`,
/// when set, runs once per key.
Value packedValueProduct(OpBuilder &b, Location loc, Value p, Value packed,
                         BlockFormat format, Value o, int64_t rows,
                         int64_t width, const RowPrefetch &prefetch = {});

/// `prefetch`, when set, runs once per row.
Value widenTile(OpBuilder &b, Location loc, Value tile, Value dest,
                const RowPrefetch &prefetch = {});

/// The scale of block `block` of row `row` of a packed 2-D tile ([n, R]
/// i8): its fp16 bytes read as one 16-bit load and widened to f32.
Value readBlockScale(OpBuilder &b, Location loc, Value packed, Value row,
                     int64_t block, BlockFormat format);

/// The same scale as vector<lanes x f32>, every lane equal.
Value readBlockScaleSplat(OpBuilder &b, Location loc, Value packed, Value row,
                          int64_t block, BlockFormat format, int64_t lanes);

/// Block `block`'s scales of rows `rows`, as vector<rows.size() x f32>.
Value readBlockScales(OpBuilder &b, Location loc, Value packed,
                      ArrayRef<Value> rows, int64_t block, BlockFormat format);

/// The 32 integer values of that block as vector<32xi8>, in element order:
/// q (q8_0) or q - 8 (q4_0, both nibbles).
Value readBlockInts(OpBuilder &b, Location loc, Value packed, Value row,
                    int64_t block, BlockFormat format);

/// A q4_0 block's 32 nibbles as stored (q + 8, in [0, 15]), in element
/// order: what an unsigned-byte dot product takes directly.
Value readBlockNibbles(OpBuilder &b, Location loc, Value packed, Value row,
                       int64_t block);

/// int8 K / V with a scales operand (attn.sdpa's key_scales /
/// value_scales): rows of the 2-D tile `tile` ([n, W] i8, W static)
/// dequantized into `dest` ([n, W] f32) as vector code. `scales` is the
/// head's [Ls, Cs] slice of the scales (f32 or f16): tile row j reads
/// scale row (j + `row0`) / `block`, or row 0 where Ls is a static 1, and
/// per channel where Cs is not a static 1 (else one scale for the row).
/// Per row, chunks of up to 32 values are read, converted and scaled.
/// `prefetch`, when set, runs once per row.
Value dequantizeScaledTile(OpBuilder &b, Location loc, Value tile, Value scales,
                           Value row0, int64_t block, Value dest,
                           const RowPrefetch &prefetch = {});

/// The untiled form: `values` [B, H, L, W] i8 times `scales` [B | 1,
/// H | 1, L | ceil(L / block) | 1, W | 1] into `dest` [B, H, L, W] f32,
/// one linalg.generic.
Value dequantizeScaledRows(OpBuilder &b, Location loc, Value values,
                           Value scales, int64_t block, Value dest);

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_BLOCKFORMATS_H
