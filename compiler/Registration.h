//===- Registration.h - one place that registers everything -----*- C++ -*-===//
//
// Used by attnc, attn-opt, attn-check and the mlir-opt plugin, so that every
// tool sees the same dialects, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_REGISTRATION_H
#define ATTN_COMPILER_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::attn {

/// Adds the attn dialect (and the dialects attnc's own passes create) to
/// `registry`.
void registerAttnDialects(DialectRegistry &registry);

/// Adds attn plus every upstream dialect and interface extension attnc's
/// pipelines use: what a standalone tool needs.
void registerAllAttncDialects(DialectRegistry &registry);

/// Registers attnc's passes and named pipelines with the global registry.
void registerAttnPasses();

} // namespace mlir::attn

#endif // ATTN_COMPILER_REGISTRATION_H
