//===- Passes.td - attn conversion passes -------------------*- tablegen -*-===//
//
// Passes that lower attn ops into upstream dialects.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_PASSES_TD
#define ATTN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertAttnToLinalg : Pass<"convert-attn-to-linalg"> {
  let summary = "Lower attn ops to linalg on tensors (untiled reference form)";
  let description = [{
    Rewrites every `attn.sdpa` into linalg.generic ops on tensors: the score
    matrix Q.K^T (scaled, masked), a numerically safe softmax (row max, exp,
    row sum) and P.V, all accumulated in f32, then a cast to the storage type.
    Grouped-query heads: query head h reads KV head h floordiv G. With a
    static group size G the division is in the indexing map of K and V; with
    a dynamic one K and V are read with tensor.extract at a computed head.

    This form materialises the Lq x Lk score matrix; it is the simple,
    obviously correct lowering that the tiled (attn-tile-flash) lowering is
    checked against.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

#endif // ATTN_CONVERSION_PASSES_TD
