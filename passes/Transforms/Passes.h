//===- Passes.h - attn transformation passes --------------------*- C++ -*-===//
//
// Declarations and registration of the attn -> attn/loops transformations.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_TRANSFORMS_PASSES_H
#define ATTN_PASSES_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "passes/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Transforms/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_PASSES_TRANSFORMS_PASSES_H
