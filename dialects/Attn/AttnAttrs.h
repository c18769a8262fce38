//===- AttnAttrs.h - attn dialect attributes --------------------*- C++ -*-===//
//
// Mask patterns (MaskAttrInterface and its implementations).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECTS_ATTN_ATTNATTRS_H
#define ATTN_DIALECTS_ATTN_ATTNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::attn {
/// How a mask pattern treats a block of (query, key) pairs.
enum class BlockKind { Empty, Partial, Full };
} // namespace mlir::attn

#include "dialects/Attn/AttnAttrInterfaces.h.inc"
#include "dialects/Attn/AttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Attn/AttnAttrs.h.inc"

namespace mlir::attn {
/// Values in one block of a block-quantized format (32 for q8_0 and q4_0).
constexpr int64_t blockValues(BlockFormat) { return 32; }
/// Bytes of one block: the fp16 scale and the packed values.
constexpr int64_t blockBytes(BlockFormat format) {
  return format == BlockFormat::q8_0 ? 2 + 32 : 2 + 16;
}
/// Bytes of a packed row of `values` values (a multiple of the block).
constexpr int64_t packedRowBytes(BlockFormat format, int64_t values) {
  return values / blockValues(format) * blockBytes(format);
}
} // namespace mlir::attn

#endif // ATTN_DIALECTS_ATTN_ATTNATTRS_H
