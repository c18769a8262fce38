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

#endif // ATTN_DIALECTS_ATTN_ATTNATTRS_H
