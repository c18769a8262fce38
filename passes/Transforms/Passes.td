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

    Grouped-query attention with few query rows per group (G x Lq <= 16, all
    static; decode) packs the G query heads of a KV head into one tile, so
    that each key/value block is read once per group rather than G times.

    Split-KV: when the parallel loop has fewer than `split-min-items` work
    items (static shapes), each item also takes one of S ranges of keys
    (each at least two blocks long) and writes its normalised output O_s and
    log-sum-exp LSE_s; after the loop they are combined as
    O = sum_s exp(LSE_s - M) O_s / sum_s exp(LSE_s - M), M = max_s LSE_s,
    empty splits weighing 0.

    Differential attention (`attn.diff`) is tiled fused: each work item
    keeps two online-softmax states per query row (the even and the odd
    head of its pair), reads each key/value block once for both maps, and
    ends with the epilogue on its own rows, (o1 / l1 - lambda o2 / l2), the
    RMSNorm over the value width, gain and (1 - lambda_init), before storing
    them; lambda is computed once before the parallel loop. No partial
    output exists. Where the work items cannot hold a pair (packed GQA
    decode tiles, split-KV), the op is decomposed as by
    `attn-decompose-diff` and its two maps are tiled separately.

    int8 scores (`qk_precision = #attn.precision<int8>`): each work item
    quantizes its scaled query tile once per block of 32 values. Where
    the target has a byte dot product (`int8-dot` arm-dotprod / x86-vnni),
    every KV step repacks its key block as 4-byte words (float keys
    quantized per 32 values on the way, packed keys read as stored) and
    forms S in register blocks of attn.dot_i8 (4 rows x 2 vectors of keys),
    int32 sums scaled by d_q * d_k; packed decode tiles over packed keys
    instead multiply the key blocks in place (also with `int8-dot`
    generic: widened integer vector code). Other tiles multiply the
    dequantized query values (q * d_q) with the dequantized keys in f32,
    the same products.

    With `int8-mmla` (and `int8-dot` arm-dotprod), the key words of those
    tiles pair up keys (2 keys x 8 bytes a 16-byte row) and S forms in
    2 x 2 tiles of attn.mmla_i8 (SMMLA: a pair of query rows by a pair of
    keys, 8 bytes deep), 4 query rows x 8 keys a register block.

    bf16 products (`#attn.precision<bf16>`, with `bf16-dot`): prefill tiles
    over float K / V with D (for Q . K^T) or Dv (for P . V) a static
    multiple of 32 round the scaled query tile, the keys, the probabilities
    and the values to bf16; K and V are repacked once per call as words of
    two bf16 (keys along D, values along the keys), and both products form
    in 4-row register blocks of attn.dot_bf16 into f32. Other tiles compute
    in f32.
  }];
  let options = [
    Option<"qBlock", "q-block", "int64_t", "64",
           "Query rows per block (work item of the parallel loop)">,
    Option<"kvBlock", "kv-block", "int64_t", "64",
           "Key/value rows per block of the sequential loop">,
    Option<"packedKvBlock", "packed-kv-block", "int64_t", "64",
           "Key/value rows per block when the query heads of a group are "
           "packed into one tile (decode): few query rows reuse each block, "
           "so it should stay in L1 (at most kv-block)">,
    Option<"splitMinItems", "split-min-items", "int64_t", "16",
           "Split the key range (split-KV) when the parallel loop would have "
           "fewer work items than this (static shapes only); 1 disables it">,
    Option<"chooseTiles", "choose-tiles", "bool", "true",
           "For masked patterns on static shapes, use the block sizes (the "
           "given ones, halves and quarters of the query rows, halves of the "
           "keys) whose visited area, weighted for partial blocks and tile "
           "efficiency, is least, e.g. 64 x 64 tiles for a 64 x 64 "
           "block-sparse layout">,
    Option<"int8Dot", "int8-dot", "std::string", "\"generic\"",
           "How int8 scores (qk_precision = int8) sum byte products: "
           "generic (widened integer vector code), arm-dotprod (attn.dot_i8 "
           "for SDOT) or x86-vnni (attn.dot_i8 of offset key bytes for "
           "VPDPBUSD)">,
    Option<"int8Lanes", "int8-lanes", "int64_t", "8",
           "Lanes of the int8 score accumulators (4, 8 or 16): keys a "
           "vector of the tile kernel holds with x86-vnni (arm-dotprod "
           "uses 4); decode tiles over packed keys use at most 8 "
           "(x86-vnni exactly 8, arm-dotprod 4)">,
    Option<"bf16Dot", "bf16-dot", "bool", "false",
           "Whether the target sums bf16 pair products in one instruction "
           "(attn.dot_bf16: VDPBF16PS); bf16 products "
           "(#attn.precision<bf16>) are computed with it, and in f32 "
           "without it">,
    Option<"int8Mmla", "int8-mmla", "bool", "false",
           "With int8-dot=arm-dotprod: prefill int8 scores form 2 x 2 tiles "
           "of attn.mmla_i8 (SMMLA, +i8mm) over key pairs repacked as "
           "8-byte rows, instead of attn.dot_i8">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def Quantize : Pass<"attn-quantize"> {
  let summary = "Set the compute precision of attention ops from a policy";
  let description = [{
    Applies a quantization policy to every `attn.sdpa`: with `qk=int8`,
    sets `qk_precision = #attn.precision<int8>` (the scores as 8-bit
    integer products: the query, and float keys, quantized per 32 values
    in the kernel; block-quantized keys as stored); with `qk=f32`, removes
    it (f32 scores); without `qk`, leaves each op's own setting (from the
    model description or the IR). An op whose head dimension is dynamic or
    not a multiple of 32 keeps f32 scores, with a warning at the op, so a
    whole-model policy never fails on one layer it cannot apply to.

    `pv=int8` likewise sets `pv_precision` (P . V as 8-bit integer
    products where the kernel has them; #attn.precision), which needs a
    static value dimension that is a multiple of 32; `pv=f32` removes it.
    `qk=bf16` / `pv=bf16` set `#attn.precision<bf16>`, an allowance the
    tile kernels take where they have a bf16 pair dot product, on any op.

    `smooth-k=true` sets `smooth_k` (the keys' channel mean subtracted
    before they are quantized) on every op whose scores end up int8 or
    bf16 over float keys; an op with block-quantized keys, `#attn.softcap`
    or a `score_mod` region keeps its keys as they are, with a warning.
    `smooth-k=false` removes it.

    attnc runs it first in the tiled phase (`attnc --qk=int8 --pv=int8
    --smooth-k`, also `attn-check` / `attn-bench`); the differential and
    low-rank ops compute in f32.
  }];
  let options = [
    Option<"qk", "qk", "std::string", "\"\"",
           "Precision of Q . K^T: int8, bf16, f32, or empty to keep each op's">,
    Option<"pv", "pv", "std::string", "\"\"",
           "Precision of P . V: int8, bf16, f32, or empty to keep each op's">,
    Option<"smoothK", "smooth-k", "std::string", "\"\"",
           "Subtract the keys' mean before quantizing them: true, false, or "
           "empty to keep each op's">
  ];
}

def DecomposeDiff : Pass<"attn-decompose-diff"> {
  let summary = "Decompose attn.diff into two attn.sdpa and a fused epilogue";
  let description = [{
    Rewrites differential attention (SEMANTICS.md) into two `attn.sdpa` on
    the even and odd head halves (stride-2 views of query and key, the value
    shared), then one elementwise pass for `O1 - lambda O2`, one row
    reduction and one elementwise pass for the RMSNorm, gain and
    (1 - lambda_init) scaling. lambda is computed from the four vectors at
    run time. f16/bf16 operands are widened first so the two partial
    outputs stay f32. This form reads K and V twice and materialises both
    partial outputs; attnc uses it only when asked (`--diff=unfused`) and
    otherwise lets `attn-tile-flash` lower `attn.diff` fused.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DecomposeLowRank : Pass<"attn-decompose-lowrank"> {
  let summary = "Lower attn.linformer, attn.performer and attn.nystrom to "
                "attn.sdpa, scf.forall and linalg";
  let description = [{
    Rewrites each low-rank op (SEMANTICS.md, "Low-rank attention") into
    attention on short sequences plus per-head 2-D matmuls:

    - Linformer: E K and F V per (batch, KV head), then `attn.sdpa` over
      the k projected keys and values.
    - Nystromformer: the segment-mean landmarks Q~ and K~; W =
      `attn.sdpa`(Q~, K, V); A = `attn.sdpa`(Q~, K~, I), which is
      softmax(s Q~ K~^T); per (batch, head) the pseudo-inverse iteration on
      A and Y = Z W; O = `attn.sdpa`(Q, K~, Y), plus the depthwise V
      convolution when the op has one.
    - Performer: omega is generated from the op's seed and embedded;
      phi(K)^T = f(omega K^^T) and phi(Q) = f(Q^ omega^T) per head.
      Non-causal: KV = phi(K)^T V and z = phi(K)^T 1 in one pass over each
      KV head, then O = phi(Q) KV / phi(Q) z. Causal: query rows in chunks
      of `chunk`, each from the running prefix state (KV, z) of the keys all
      its rows see plus its masked chunk-local phi(Q) phi(K)^T block, so
      nothing is Lq x Lk.

    Every matmul is a 2-D `linalg.generic` on one head's slices inside an
    `scf.forall` over (batch, head), the form `attn-matmul-microkernels`
    register-blocks and `attn-outline-parallel` runs on the thread pool.
    f16/bf16 operands are widened to f32 and the result narrowed back.
  }];
  let options = [
    Option<"chunk", "chunk", "int64_t", "64",
           "Query rows per chunk of the causal Performer's prefix sums">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ApproximateMath : Pass<"attn-approximate-math"> {
  let summary = "Replace math.exp and math.tanh by upstream's polynomial "
                "approximations";
  let description = [{
    Rewrites `math.exp` (the softmax) and `math.tanh` (soft-capping score
    modifiers) on f32, scalars and vectors, into MLIR's polynomial
    approximations (range reduction plus a minimax polynomial for exp, about
    1 ulp; a clamped rational approximation for tanh), so that the score
    loops contain only arithmetic and LLVM vectorizes them instead of
    calling libm's scalar `expf` / `tanhf` per element.

    With `expand-bf16`, f32 <-> bf16 conversions (`arith.truncf` /
    `arith.extf`) become integer code (round to nearest even, NaN kept
    quiet): a CPU without bf16 conversion instructions would otherwise
    call `__truncsfbf2`, which generated objects do not link against.
  }];
  let options = [
    Option<"expandBf16", "expand-bf16", "bool", "false",
           "Expand bf16 conversions into integer code (for targets without "
           "bf16 conversion instructions)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def MatmulMicrokernels : Pass<"attn-matmul-microkernels"> {
  let summary = "Register-blocked vector code for the matmuls of tiled attention";
  let description = [{
    Rewrites each `linalg.generic` on memrefs that computes
    `C[i, n] += A[i, k] * B[k, n]` in f32 (loops (i, k, n) = (parallel,
    reduction, parallel), unit stride along n) into a register-blocked
    micro-kernel: for each block of `rows` rows of C and `vectors` vectors of
    `lanes` columns, the rows x vectors accumulators stay in registers across
    the whole k loop, each step loading `vectors` vectors of B, broadcasting
    one element of A per row and issuing rows x vectors FMAs. Full column
    blocks use plain vector loads and stores; only a last, partial one masks
    them (masked loads are branches on NEON and SSE, slower forms on AVX2);
    the rows past the last full block form one shorter block (a switch over
    the remainder picks its static height). `wide-rows` sets a taller block
    for products with several static column blocks, where each broadcast of
    A then feeds more FMAs.

    When the op right before the matmul scales the rows of the same C in
    place (`C[i, n] = s[i] * C[i, n]`, attention's `o = alpha * o`), the
    scaling is applied as the accumulators are loaded and the op is erased:
    one pass over C less, the same result bit for bit.

    A second form, `C[i, n] += sum_k A[i, k] * B[n, k]` with at most 8
    static rows and a static K of at most 16 vectors (decode scores, with B
    the key block read in place), becomes row-by-row dot products: each row
    of B is loaded once into registers, dotted with every row of A (one FMA
    chain per row) and summed horizontally.

    attn-tile-flash produces exactly these shapes (Qs . K^T, P . V and the
    packed decode scores on unit-stride rows); other generics are left to
    the loop lowering.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16", "f32 lanes of one vector register">,
    Option<"rows", "rows", "int64_t", "4", "Rows of C per register block">,
    Option<"wideRows", "wide-rows", "int64_t", "0",
           "Rows of C per register block when C has a static number of "
           "columns of at least two column blocks (2 x vectors x lanes); 0: "
           "`rows`">,
    Option<"vectors", "vectors", "int64_t", "4",
           "Vectors of columns of C per register block">,
    Option<"laneA", "lane-a", "bool", "false",
           "Load A `lanes` k steps at a time as one vector per row and use "
           "its lanes in turn (FMA by element, e.g. NEON's fmla v.s[i]): a "
           "quarter of the A loads where issue width, not FMA throughput, "
           "bounds the loop">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // ATTN_TRANSFORMS_PASSES_TD
