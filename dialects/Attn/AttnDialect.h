//===- AttnDialect.h - the attn dialect -------------------------*- C++ -*-===//
//
// Declares the attn dialect class. Include AttnOps.h for the ops and
// AttnAttrs.h for the attributes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECTS_ATTN_ATTNDIALECT_H
#define ATTN_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Attn/AttnDialect.h.inc"

#endif // ATTN_DIALECTS_ATTN_ATTNDIALECT_H
