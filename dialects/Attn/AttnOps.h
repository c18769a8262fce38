//===- AttnOps.h - attn dialect operations ----------------------*- C++ -*-===//
//
// Declares the attn operations (attn.sdpa, ...).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECTS_ATTN_ATTNOPS_H
#define ATTN_DIALECTS_ATTN_ATTNOPS_H

#include "dialects/Attn/AttnAttrs.h"
#include "dialects/Attn/AttnDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Attn/AttnOps.h.inc"

#endif // ATTN_DIALECTS_ATTN_ATTNOPS_H
