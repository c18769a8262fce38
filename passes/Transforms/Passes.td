//===- Passes.td - attn transformation passes ---------------*- tablegen -*-===//
//
// Passes that rewrite attn ops while keeping their semantics: tiling,
// decomposition, sparsity, quantization, scheduling.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TRANSFORMS_PASSES_TD
#define ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileFlash : Pass<"attn-tile-flash"> {
  let summary = "Tile attn.sdpa into the online-softmax (FlashAttention-2) form";
  let description = [{
    Rewrites every `attn.sdpa` into an `scf.forall` over (batch, query head,
    query block) whose body walks the key/value blocks sequentially with an
    `scf.for`, keeping per query row a running max `m`, running sum `l` and
    an f32 accumulator `o` (SEMANTICS.md, "Online-softmax form"):

    ```
    m' = max(m, rowmax S)   p = exp(S - m')   alpha = exp(m - m')
    l  = alpha * l + rowsum p                 o = alpha * o + p . V
    ```

    and finally `o / l` (0 where l = 0). No Lq x Lk buffer exists after this
    pass: the largest temporary is one q-block x kv-block score tile. The
    query block is pre-scaled once. With a causal mask, key blocks above the
    diagonal are never visited and blocks entirely below it are processed
    without evaluating the mask; only blocks that cross it are masked.
  }];
  let options = [
    Option<"qBlock", "q-block", "int64_t", "64",
           "Query rows per block (work item of the parallel loop)">,
    Option<"kvBlock", "kv-block", "int64_t", "64",
           "Key/value rows per block of the sequential loop">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def ApproximateExp : Pass<"attn-approximate-exp"> {
  let summary = "Replace math.exp by upstream's polynomial approximation";
  let description = [{
    Rewrites `math.exp` on f32 (scalars and vectors) into MLIR's polynomial
    approximation (range reduction plus a minimax polynomial, about 1 ulp),
    so that softmax loops contain only arithmetic and LLVM vectorizes them
    instead of calling libm's scalar `expf` per element.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // ATTN_TRANSFORMS_PASSES_TD
