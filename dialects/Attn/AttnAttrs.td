//===- AttnAttrs.td - attn dialect attributes --------------*- tablegen -*-===//
//
// Mask patterns, score modifiers and quantization descriptors of attn ops.
//
// A mask pattern is any attribute that implements MaskAttrInterface: the op
// holds one `mask` attribute, and new patterns (window, strided,
// block_sparse, and/or compositions) are new attributes, never op changes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_ATTRS_TD
#define ATTN_ATTRS_TD

include "dialects/Attn/AttnDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// MaskAttrInterface
//===----------------------------------------------------------------------===//

def Attn_MaskAttrInterface : AttrInterface<"MaskAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A mask pattern: decides which (query, key) pairs an attention op keeps.
    Positions are absolute: query row i of a block of Lq queries against Lk
    keys sits at position Lk - Lq + i (bottom-right alignment, SEMANTICS.md).
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{Returns true when the pattern keeps, for query head `head`,
                 the pair at absolute query position `q` and key position
                 `k`. Used by block classification and folding.}],
      /*retTy=*/"bool", /*methodName=*/"keeps",
      /*args=*/(ins "int64_t":$head, "int64_t":$q, "int64_t":$k)>,
    InterfaceMethod<
      /*desc=*/[{Builds an `i1` value that is true when the pattern keeps
                 the pair (`q`, `k`) for query head `head`, all given as
                 `index` values (absolute positions).}],
      /*retTy=*/"::mlir::Value", /*methodName=*/"buildKeeps",
      /*args=*/(ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
                    "::mlir::Value":$head, "::mlir::Value":$q,
                    "::mlir::Value":$k)>,
    InterfaceMethod<
      /*desc=*/[{Classifies the block of absolute query positions
                 [q0, q1) x key positions [k0, k1) (both non-empty) for query
                 head `head`: Empty (keeps no pair), Full (keeps every pair)
                 or Partial. Exact for Empty and Full: the tiled lowering
                 skips empty blocks and drops the mask on full ones.}],
      /*retTy=*/"::mlir::attn::BlockKind", /*methodName=*/"classify",
      /*args=*/(ins "int64_t":$head, "int64_t":$q0, "int64_t":$q1,
                    "int64_t":$k0, "int64_t":$k1)>,
    InterfaceMethod<
      /*desc=*/[{Whether the pattern differs between query heads (a per-head
                 block-sparse layout).}],
      /*retTy=*/"bool", /*methodName=*/"isHeadDependent", /*args=*/(ins),
      /*methodBody=*/"", /*defaultImplementation=*/"return false;">,
    InterfaceMethod<
      /*desc=*/[{Checks the pattern against an op with `heads` query heads,
                 `lq` queries and `lk` keys (each possibly
                 ShapedType::kDynamic); reports through `emitError`.}],
      /*retTy=*/"::llvm::LogicalResult", /*methodName=*/"verifyShape",
      /*args=*/(ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
                    "int64_t":$heads, "int64_t":$lq, "int64_t":$lk),
      /*methodBody=*/"", /*defaultImplementation=*/"return ::mlir::success();">,
    InterfaceMethod<
      /*desc=*/[{Returns true when the pattern keeps every pair of a
                 problem with `lq` queries (static) and `lk` keys
                 (ShapedType::kDynamic when unknown), so the mask can be
                 dropped.}],
      /*retTy=*/"bool", /*methodName=*/"keepsAll",
      /*args=*/(ins "int64_t":$lq, "int64_t":$lk), /*methodBody=*/"",
      /*defaultImplementation=*/[{
        if (lq <= 0 || ::mlir::ShapedType::isDynamic(lk) || lk < lq ||
            $_attr.isHeadDependent())
          return false;
        return $_attr.classify(0, lk - lq, lk, 0, lk) ==
               ::mlir::attn::BlockKind::Full;
      }]>,
  ];
}

def Attn_ScoreModAttrInterface : AttrInterface<"ScoreModAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A named score modifier: rewrites each (scaled) score from the score and
    its coordinates (batch, query head, absolute query position, key
    position), like a `score_mod` region of attn.sdpa (SEMANTICS.md,
    "Score modifiers").
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{Builds the modified f32 score from `score` (f32) and the
                 `index` values `batch`, `head`, `q` and `k`.}],
      /*retTy=*/"::mlir::Value", /*methodName=*/"build",
      /*args=*/(ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
                    "::mlir::Value":$score, "::mlir::Value":$batch,
                    "::mlir::Value":$head, "::mlir::Value":$q,
                    "::mlir::Value":$k)>,
    InterfaceMethod<
      /*desc=*/[{Checks the modifier against an op with `heads` query heads
                 (possibly ShapedType::kDynamic).}],
      /*retTy=*/"::llvm::LogicalResult", /*methodName=*/"verifyShape",
      /*args=*/(ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
                    "int64_t":$heads),
      /*methodBody=*/"", /*defaultImplementation=*/"return ::mlir::success();">,
  ];
}

class Attn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Attn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Mask patterns
//===----------------------------------------------------------------------===//

def Attn_CausalAttr : Attn_Attr<"Causal", "causal",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface, ["keepsAll"]>]> {
  let summary = "causal mask: keeps (q, k) when k <= q";
  let description = [{
    Keeps key position `k` for query position `q` when `k <= q`, with
    positions aligned bottom-right (SEMANTICS.md, "Mask patterns"). With
    Lq < Lk (decode against a KV cache) the last query sees every key; with
    Lq > Lk the first Lq - Lk query rows see no key and produce zeros.

    ```mlir
    %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : ...
    ```
  }];
}

def Attn_WindowAttr : Attn_Attr<"Window", "window",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface>]> {
  let summary = "local window: the `size` nearest keys of each query";
  let description = [{
    Causal band (default): keeps (q, k) when `q - size < k <= q`, the query
    itself and the `size - 1` keys before it (Longformer / Sparse
    Transformer "local"). `bidirectional`: keeps `|q - k| < size`.

    ```mlir
    {mask = #attn.window<256>}
    {mask = #attn.window<128, bidirectional>}
    ```
  }];
  let parameters = (ins "int64_t":$size, "bool":$bidirectional);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Attn_StridedAttr : Attn_Attr<"Strided", "strided",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface>]> {
  let summary = "strided: keys a multiple of `stride` away from the query";
  let description = [{
    Keeps (q, k) when `(q - k) mod stride = 0` (Sparse Transformer
    "strided"). Compose with `#attn.causal` (in `#attn.and`) for the causal
    form, and with a window (in `#attn.or`) for the Sparse Transformer's
    strided attention.

    ```mlir
    {mask = #attn.and<#attn.causal, #attn.strided<64>>}
    ```
  }];
  let parameters = (ins "int64_t":$stride);
  let assemblyFormat = "`<` $stride `>`";
  let genVerifyDecl = 1;
}

def Attn_GlobalAttr : Attn_Attr<"Global", "global",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface>]> {
  let summary = "global tokens: the first `tokens` positions see and are seen by all";
  let description = [{
    Keeps (q, k) when `q < tokens` or `k < tokens` (BigBird / Longformer
    global attention on the leading positions). Usually in an `#attn.or`
    with a local pattern.

    ```mlir
    {mask = #attn.or<#attn.global<64>, #attn.window<256, bidirectional>>}
    ```
  }];
  let parameters = (ins "int64_t":$tokens);
  let assemblyFormat = "`<` $tokens `>`";
  let genVerifyDecl = 1;
}

def Attn_BlockSparseAttr : Attn_Attr<"BlockSparse", "block_sparse",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface,
                                 ["isHeadDependent", "verifyShape"]>]> {
  let summary = "block-sparse layout: keeps whole (block_q x block_k) blocks";
  let description = [{
    Keeps (q, k) when `layout[h][q / block_q][k / block_k]` is 1, or, for a
    layout shared by all heads (rank 2), `layout[q / block_q][k / block_k]`.
    The layout is a dense integer tensor of 0s and 1s, `[Hq, NQ, NK]` or
    `[NQ, NK]`; positions outside it (a sequence longer than
    `NQ * block_q` or `NK * block_k`, possible only with dynamic shapes) are
    not kept. BigBird's global + sliding + random pattern is one such layout.

    ```mlir
    {mask = #attn.block_sparse<64, 64, dense<[[1, 0], [1, 1]]> : tensor<2x2xi8>>}
    ```
  }];
  let parameters = (ins "int64_t":$blockQ, "int64_t":$blockK,
                        "::mlir::DenseIntElementsAttr":$layout);
  let assemblyFormat = "`<` $blockQ `,` $blockK `,` $layout `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Layout cell (h, i, j), with h ignored for a shared layout; false
    /// outside the layout.
    bool cell(int64_t head, int64_t i, int64_t j) const;
  }];
}

def Attn_AndAttr : Attn_Attr<"And", "and",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface,
                                 ["isHeadDependent", "verifyShape"]>]> {
  let summary = "intersection of mask patterns: keeps what all of them keep";
  let description = [{
    ```mlir
    {mask = #attn.and<#attn.causal, #attn.strided<4>>}
    ```
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::attn::MaskAttrInterface">:$masks);
  let assemblyFormat = "`<` $masks `>`";
  let genVerifyDecl = 1;
}

def Attn_OrAttr : Attn_Attr<"Or", "or",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface,
                                 ["isHeadDependent", "verifyShape"]>]> {
  let summary = "union of mask patterns: keeps what any of them keeps";
  let description = [{
    ```mlir
    {mask = #attn.or<#attn.global<1>, #attn.window<128>>}
    ```
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::attn::MaskAttrInterface">:$masks);
  let assemblyFormat = "`<` $masks `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Score modifiers
//===----------------------------------------------------------------------===//

def Attn_SoftcapAttr : Attn_Attr<"Softcap", "softcap",
    [DeclareAttrInterfaceMethods<Attn_ScoreModAttrInterface>]> {
  let summary = "logit soft-capping: S' = cap * tanh(S / cap)";
  let description = [{
    Gemma 2 / Grok style soft-capping of the attention logits.

    ```mlir
    {modifiers = [#attn.softcap<50.0>]}
    ```
  }];
  let parameters = (ins APFloatParameter<"the cap">:$cap);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Attn_AlibiAttr : Attn_Attr<"Alibi", "alibi",
    [DeclareAttrInterfaceMethods<Attn_ScoreModAttrInterface, ["verifyShape"]>]> {
  let summary = "ALiBi linear biases: S' = S + slope[h] * (k - q)";
  let description = [{
    Attention with linear biases (Press et al. 2022): one slope per query
    head, f32. The usual slopes for H heads are 2^(-8 i / H), i = 1..H.

    ```mlir
    {modifiers = [#attn.alibi<dense<[0.5, 0.25]> : tensor<2xf32>>]}
    ```
  }];
  let parameters = (ins "::mlir::DenseFPElementsAttr":$slopes);
  let assemblyFormat = "`<` $slopes `>`";
  let genVerifyDecl = 1;
}

def Attn_RelativeBiasAttr : Attn_Attr<"RelativeBias", "relative_bias",
    [DeclareAttrInterfaceMethods<Attn_ScoreModAttrInterface, ["verifyShape"]>]> {
  let summary = "relative position bias: S' = S + table[h][clamp(k - q)]";
  let description = [{
    A learned bias per head and clamped relative distance:
    `table[h][clamp(k - q, -max_distance, max_distance) + max_distance]`,
    table f32 of shape [Hq, 2 * max_distance + 1] (or [1, ...] shared by
    all heads).

    ```mlir
    {modifiers = [#attn.relative_bias<2, dense<[[0.1, 0.2, 0.3, 0.2, 0.1]]> : tensor<1x5xf32>>]}
    ```
  }];
  let parameters = (ins "int64_t":$maxDistance,
                        "::mlir::DenseFPElementsAttr":$table);
  let assemblyFormat = "`<` $maxDistance `,` $table `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Performer feature maps
//===----------------------------------------------------------------------===//

def Attn_FeatureKernel : I32EnumAttr<"FeatureKernel",
    "the random-feature map of attn.performer", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"relu", 1>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

def Attn_FeatureKernelAttr : EnumAttr<Attn_Dialect, Attn_FeatureKernel,
                                      "feature_kernel"> {
  let summary = "Performer feature map: positive softmax features or ReLU";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Block-quantized storage formats
//===----------------------------------------------------------------------===//

def Attn_BlockFormat : I32EnumAttr<"BlockFormat",
    "a block-quantized storage format with llama.cpp's byte layout", [
      I32EnumAttrCase<"q8_0", 0>,
      I32EnumAttrCase<"q4_0", 1>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

def Attn_BlockFormatAttr : EnumAttr<Attn_Dialect, Attn_BlockFormat,
                                    "block_format"> {
  let summary = "llama.cpp block format of a packed K or V operand";
  let description = [{
    How the rows of a packed key or value operand hold their values
    (SEMANTICS.md, "Quantized storage and compute"). Each row of D values
    is D / 32 blocks of 32 values, laid out as llama.cpp/ggml lays them:

    - `q8_0`: 34 bytes a block, an fp16 scale d then 32 int8 values;
      x = d * q.
    - `q4_0`: 18 bytes a block, an fp16 scale d then 16 bytes of 4-bit
      values (element j in the low nibble of byte j, element j + 16 in its
      high nibble); x = (q - 8) * d.

    The operand is an i8 tensor whose last dimension counts bytes:
    `tensor<B x Hkv x Lk x (D/32 * 34) x i8>` for a q8_0 key.
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Compute precision of a product
//===----------------------------------------------------------------------===//

def Attn_Precision : I32EnumAttr<"Precision",
    "the arithmetic a product of attn.sdpa runs in", [
      I32EnumAttrCase<"f32", 0>,
      I32EnumAttrCase<"int8", 1>,
      I32EnumAttrCase<"bf16", 2>]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

def Attn_PrecisionAttr : EnumAttr<Attn_Dialect, Attn_Precision, "precision"> {
  let summary = "arithmetic of a product of attn.sdpa: f32, int8 or bf16";
  let description = [{
    The precision the scores S = scale * Q . K^T (`qk_precision` of
    attn.sdpa) or the product P . V (`pv_precision`) are computed in;
    absent means `f32`.

    - `f32`: products and sums in f32 (f16 / bf16 / block-quantized
      operands widened or dequantized exactly first).
    - `int8`: the scaled query Qs = scale * Q (f32) is quantized per block
      of 32 values along the head dimension, q8_0's scheme with an f32
      scale: d = max|x| / 127, q = round-half-away(x / d) computed as
      x * (1 / d) (q = 0 where d = 0); each block's integer dot product
      with the key block's int8 values accumulates exactly in int32 and is
      scaled by d_q * d_k in f32. Block-quantized keys (q8_0 / q4_0) give
      their own blocks; float keys (f32 / f16 / bf16, widened to f32) are
      quantized by the kernel with the query's scheme, per key row and
      block of 32 values, unscaled.

    For P . V, `int8` is an allowance rather than an obligation: a tile
    whose kernel has an integer P . V (prefill tiles on targets with a
    byte dot product) computes it as below, any other computes it in f32.
    The probabilities of a KV block, p = exp(s - m) in [0, 1] with m the
    running row maximum, are stored as bytes u = round-to-nearest(p * R),
    R = 255 where the instruction multiplies unsigned by signed bytes
    (x86 VPDPBUSD) and 127 where both are signed (AArch64 SDOT); the row
    sum l accumulates u / R, the weights actually applied. The values are
    quantized per channel and block of 32 keys (key positions 32j ..
    32j + 31 of each batch and KV head): d = max|v| / 127 down the block,
    q = round-half-away(v * (1 / d)). Each block's products sum exactly
    in int32 and are scaled by d / R into the f32 accumulator; the online
    softmax's rescaling stays f32.

    `bf16` is an allowance for both products: a tile whose kernel has a
    bf16 pair dot product (prefill tiles on targets with AVX-512 BF16,
    float operands, a static head or value dimension that is a multiple of
    32) rounds both factors to bf16 (round to nearest even) and sums their
    products in f32 (each product of two bf16 is exact in f32); any other
    tile computes in f32. For Q . K^T the factors are the scaled query
    scale * Q and the keys; for P . V the probabilities p = exp(s - m)
    relative to the running row maximum, and the values. The row sum l
    adds the unrounded p. Operands stored in bf16 (and a scale that is a
    power of two) round exactly, so over bf16 storage only P is rounded.
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // ATTN_ATTRS_TD
