//===- Passes.h - attn conversion passes ------------------------*- C++ -*-===//
//
// Declarations and registration of the passes that lower attn ops into
// upstream dialects (convert-attn-to-<x>).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_CONVERSION_PASSES_H
#define ATTN_PASSES_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "passes/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite attn ops into linalg on tensors.
void populateAttnToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Conversion/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_PASSES_CONVERSION_PASSES_H
