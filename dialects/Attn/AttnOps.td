//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//
//
// The operations of the attn dialect. Each op's description links to the
// section of SEMANTICS.md that defines what it computes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "dialects/Attn/AttnDialect.td"
include "dialects/Attn/AttnAttrs.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Attn_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
/// A key or value operand: float storage, or i8 bytes of a block format.
def Attn_KVTensor : RankedTensorOf<[F32, F16, BF16, I8]>;
def Attn_ScaleTensor : RankedTensorOf<[F32, F16]>;

//===----------------------------------------------------------------------===//
// SdpaOp
//===----------------------------------------------------------------------===//

def Attn_SdpaOp : Attn_Op<"sdpa", [RecursiveMemoryEffects,
                                   RecursivelySpeculatable,
                                   AttrSizedOperandSegments]> {
  let summary = "scaled dot-product attention, dense or masked";
  let description = [{
    Computes, for every batch `b` and query head `h` (SEMANTICS.md, "Dense
    and masked attention"):

    ```
    S[q,k]  = scale * sum_d Q[b,h,q,d] * K[b,h/G,k,d]      G = Hq / Hkv
    S'[q,k] = mask(q,k) ? mod(S[q,k]) : -inf
    O[b,h]  = softmax_k(S') . V[b,h/G]
    ```

    Run-time masks come as i32 operands (SEMANTICS.md, "padding",
    "document"): `kv_lengths` [B] keeps keys k < kv_lengths[b];
    `q_lengths` [B] keeps query rows i < q_lengths[b] (the others produce
    zeros); `documents` [B, Lk] keeps (q, k) when the document ids at the
    query's absolute position and at k are equal. They combine with `mask`
    by intersection.

    `top_k = k` then keeps, per query row, the k largest of the scores the
    mask keeps (all of those equal to the k-th largest too) and masks the
    rest (SEMANTICS.md, "topk"); every score is still computed.

    The score modification `mod` is, in this order: the additive `bias`
    tensor (an operand, [B | 1, Hq | 1, Lq, Lk], broadcast over unit
    dimensions), the named `modifiers` in list order (`#attn.softcap`,
    `#attn.alibi`, `#attn.relative_bias`), then the `score_mod` region.
    The region is FlexAttention's `score_mod`: its block arguments are the
    score (f32) and its batch, query head, absolute query position and key
    position (`index`); it yields the new score with `attn.yield`, and may
    use values defined above it (tensors included).

    Shapes: `query` [B, Hq, Lq, D], `key` [B, Hkv, Lk, D], `value`
    [B, Hkv, Lk, Dv], result [B, Hq, Lq, Dv]. Hq must be a multiple of Hkv
    (grouped-query attention; Hkv = 1 is multi-query attention). Any
    dimension may be dynamic; what the verifier cannot check statically is
    checked at the entry of generated code.

    `scale` defaults to 1/sqrt(D). `mask` is any mask pattern attribute
    (`#attn.causal`, ...). A row whose every key is masked yields zeros.
    Scores and the softmax are accumulated in f32 whatever the storage type.

    Quantized KV caches: `key_format` / `value_format` (`#attn.block_format<
    q8_0>` or `<q4_0>`) say that the key / value operand holds llama.cpp
    blocks, as i8 bytes, rather than floats: its last dimension is the
    packed row, D / 32 blocks of 34 (q8_0) or 18 (q4_0) bytes, so a ggml KV
    cache buffer can be passed as it is (SEMANTICS.md, "Quantized storage
    and compute"). The head dims then come from the query (D) and the
    result (Dv), which must be static multiples of 32. Values are
    dequantized exactly (d * q in f32) as the kernel reads each block; the
    products and the softmax run in f32.

    int8 KV caches with scales: a `key_scales` (`value_scales`) operand
    says that the key (value) operand holds i8 values q, each standing
    for q * s, s the f32 or f16 scale of its group (SEMANTICS.md,
    "Quantized storage and compute"). The scales are a rank-4 tensor
    [B | 1, Hkv | 1, Lk | ceil(Lk / T) | 1, D | 1] (Dv for values); a
    static 1 broadcasts, so its shape says the grouping: [1, 1, 1, 1] per
    tensor, [1, Hkv, 1, 1] per head, [B, Hkv, Lk, 1] per token, [B, Hkv,
    ceil(Lk / T), 1] per block of T key positions (`key_scale_block = T`,
    SageAttention's blocks, which needs a static Lk), [1, Hkv, 1, D] per
    channel (KIVI's keys). Key position k reads scale row k / T (T = 1
    without the attribute). The kernel dequantizes q * s in f32 as it
    reads each block; the head dims of int8 K / V must be static.

    Compute precision: `qk_precision = #attn.precision<int8>` computes the
    scores with 8-bit integer dot products (`#attn.precision` describes
    the arithmetic); it needs a static head dimension D that is a multiple
    of 32. Block-quantized keys are multiplied as stored; float keys are
    quantized per 32 values in the kernel like the query. The online
    softmax stays in f32. `pv_precision = #attn.precision<int8>` allows
    P . V in 8-bit integers: the probabilities of a KV block as unsigned
    8-bit fractions of the running row maximum and the values quantized
    per channel and 32 keys (`#attn.precision`); it needs a static value
    dimension Dv that is a multiple of 32. A kernel without an integer
    P . V for a tile (decode tiles, top-k, targets without a byte dot
    product) computes that product in f32, which is never less accurate.

    `smooth_k` (with `qk_precision` int8 or bf16, float keys): before the
    kernel quantizes or rounds the keys, it subtracts their mean over the
    key positions, per batch, KV head and channel (SageAttention's
    smoothing of K). The mean is taken over every key position, or the
    first kv_lengths[b] where that operand is given, and rounded to bf16
    (round to nearest even) so that it does not depend on the order of
    the sum. Each score then changes by q . mean, the same for every key
    of a query row, which the softmax cancels; the keys' common offset no
    longer takes up the quantization's range. Score modifications that
    are not a shift of the row (`#attn.softcap`, a `score_mod` region)
    would not cancel it, so they are refused with `smooth_k`, as are
    block-quantized keys, whose cache is multiplied as stored. A
    non-finite key makes every score non-finite. Tiles that compute the
    scores in f32 (a bf16 allowance not taken) need no shift and take
    none.

    Example, grouped-query causal attention with 8 query and 2 KV heads:

    ```mlir
    %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.125 : f32}
        : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>,
           tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
    ```

    Decode over a q8_0 KV cache of 4096 positions (D = Dv = 128: four
    blocks of 34 bytes a row):

    ```mlir
    %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>,
                               value_format = #attn.block_format<q8_0>}
        : (tensor<1x32x1x128xf32>, tensor<1x8x4096x136xi8>,
           tensor<1x8x4096x136xi8>) -> tensor<1x32x1x128xf32>
    ```

    A score modifier written as a region (a soft cap of 20 on odd heads):

    ```mlir
    %o = attn.sdpa %q, %k, %v score_mod {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      ...
      attn.yield %t : f32
    } : (...) -> ...
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_KVTensor:$key,
                       Attn_KVTensor:$value,
                       Optional<Attn_FloatTensor>:$bias,
                       Optional<RankedTensorOf<[I32]>>:$kv_lengths,
                       Optional<RankedTensorOf<[I32]>>:$q_lengths,
                       Optional<RankedTensorOf<[I32]>>:$doc_ids,
                       Optional<Attn_ScaleTensor>:$key_scales,
                       Optional<Attn_ScaleTensor>:$value_scales,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<Attn_MaskAttrInterface>:$mask,
                       OptionalAttr<TypedArrayAttrBase<Attn_ScoreModAttrInterface,
                           "score modifiers">>:$modifiers,
                       OptionalAttr<I64Attr>:$top_k,
                       OptionalAttr<Attn_BlockFormatAttr>:$key_format,
                       OptionalAttr<Attn_BlockFormatAttr>:$value_format,
                       OptionalAttr<Attn_PrecisionAttr>:$qk_precision,
                       OptionalAttr<Attn_PrecisionAttr>:$pv_precision,
                       UnitAttr:$smooth_k,
                       OptionalAttr<I64Attr>:$key_scale_block,
                       OptionalAttr<I64Attr>:$value_scale_block);
  let results = (outs Attn_FloatTensor:$result);
  let regions = (region MaxSizedRegion<1>:$score_mod);

  let assemblyFormat = [{
    $query `,` $key `,` $value (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`kv_lengths` `(` $kv_lengths^ `:` type($kv_lengths) `)`)?
    (`q_lengths` `(` $q_lengths^ `:` type($q_lengths) `)`)?
    (`documents` `(` $doc_ids^ `:` type($doc_ids) `)`)?
    (`key_scales` `(` $key_scales^ `:` type($key_scales) `)`)?
    (`value_scales` `(` $value_scales^ `:` type($value_scales) `)`)?
    attr-dict (`score_mod` $score_mod^)? `:`
    `(` type($query) `,` type($key) `,` type($value) `)` `->` type($result)
  }];

  let extraClassDeclaration = [{
    RankedTensorType getQueryType() { return getQuery().getType(); }
    RankedTensorType getKeyType() { return getKey().getType(); }
    RankedTensorType getValueType() { return getValue().getType(); }
    RankedTensorType getResultType() { return getResult().getType(); }

    /// The scale applied to Q.K^T: the `scale` attribute, or 1/sqrt(D) when
    /// it is absent and D is static. std::nullopt when it depends on a
    /// dynamic D.
    std::optional<double> getStaticScale();

    /// The result type implied by the operand shapes: [B, Hq, Lq, Dv], each
    /// dimension taken from whichever operand has it static.
    RankedTensorType inferResultType();

    /// The key head dim D: the query's, or the key's when the key holds
    /// floats and the query's is dynamic (packed keys hold bytes).
    int64_t getHeadDim();
    /// The value head dim Dv: the result's, or the value's when the value
    /// holds floats and the result's is dynamic.
    int64_t getValueDim();
    /// Whether the key / value operand holds block-quantized bytes.
    bool hasPackedKey() { return static_cast<bool>(getKeyFormatAttr()); }
    bool hasPackedValue() { return static_cast<bool>(getValueFormatAttr()); }

    /// Whether the key / value operand holds int8 values with a scales
    /// operand.
    bool hasScaledKey() { return static_cast<bool>(getKeyScales()); }
    bool hasScaledValue() { return static_cast<bool>(getValueScales()); }
    /// The key positions per scale row of key_scales / value_scales (1
    /// without the attribute).
    int64_t getKeyScaleBlockSize() { return getKeyScaleBlock().value_or(1); }
    int64_t getValueScaleBlockSize() {
      return getValueScaleBlock().value_or(1);
    }

    /// Whether a mask comes from run-time tensors (lengths, document ids).
    bool hasRuntimeMask() {
      return getKvLengths() || getQLengths() || getDocIds();
    }

    /// What keeps smooth_k from applying to this op (`smooth_k`'s rules):
    /// f32 scores, block-quantized keys, a score_mod region, a softcap.
    enum class SmoothKObstacle { None, F32Scores, PackedKeys, ScoreMod, Softcap };
    SmoothKObstacle smoothKObstacle();

    /// Whether any score modification (bias, modifiers, region) is present.
    bool hasScoreMods() {
      return getBias() || getModifiers() || !getScoreMod().empty();
    }

    /// An attn.sdpa of q, k, v with only `scale` and `mask` (either may be
    /// null), its result [B, Hq, Lq, Dv] of `elementType` from the operands'
    /// shapes: the form the decompositions of other attn ops produce.
    static SdpaOp createPlain(::mlir::OpBuilder &builder,
                              ::mlir::Location loc, ::mlir::Value query,
                              ::mlir::Value key, ::mlir::Value value,
                              ::mlir::FloatAttr scale,
                              ::mlir::attn::MaskAttrInterface mask,
                              ::mlir::Type elementType);
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// DiffOp
//===----------------------------------------------------------------------===//

def Attn_F32Vector : RankedTensorOf<[F32], [HasAnyRankOfPred<[1]>]>;

def Attn_DiffOp : Attn_Op<"diff", [Pure]> {
  let summary = "differential attention (Differential Transformer)";
  let description = [{
    For H output heads of value width 2d (SEMANTICS.md, "Differential
    attention"): `query` [B, 2H, Lq, d] and `key` [B, 2Hkv, Lk, d] hold head
    pairs (2i, 2i + 1), `value` [B, Hkv, Lk, 2d]; output head i reads key
    and value head i / (H / Hkv).

    ```
    A1 = softmax(scale * Q[2i] K[2j]^T + mask)    A2 = the same for 2i + 1
    lambda = exp(lambda_q1 . lambda_k1) - exp(lambda_q2 . lambda_k2)
             + lambda_init
    O[i] = RMSNorm_2d((A1 - lambda * A2) . V[j]; gain, epsilon)
           * (1 - lambda_init)
    ```

    `scale` defaults to d^-1/2. `lambda_init` is given, or derived from the
    0-based `layer` index as 0.8 - 0.6 exp(-0.3 layer) (exactly one of the
    two). `epsilon` defaults to 1e-5. `mask` is any mask pattern, absent
    meaning none (model descriptions default differential layers to causal,
    as the reference implementation does). λ vectors are f32 [d], the gain
    f32 [2d].

    ```mlir
    %o = attn.diff %q, %k, %v lambdas(%lq1, %lk1, %lq2, %lk2) gain(%g)
        {layer = 3 : i64, mask = #attn.causal}
        : (tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32>,
           tensor<1x8x2048x128xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>, tensor<128xf32>)
        -> tensor<1x8x2048x128xf32>
    ```
  }];

  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Attn_F32Vector:$lambda_q1,
                       Attn_F32Vector:$lambda_k1,
                       Attn_F32Vector:$lambda_q2,
                       Attn_F32Vector:$lambda_k2,
                       Attn_F32Vector:$gain,
                       OptionalAttr<F32Attr>:$lambda_init,
                       OptionalAttr<I64Attr>:$layer,
                       OptionalAttr<F32Attr>:$epsilon,
                       OptionalAttr<F32Attr>:$scale,
                       OptionalAttr<Attn_MaskAttrInterface>:$mask);
  let results = (outs Attn_FloatTensor:$result);

  let assemblyFormat = [{
    $query `,` $key `,` $value
    `lambdas` `(` $lambda_q1 `,` $lambda_k1 `,` $lambda_q2 `,` $lambda_k2 `)`
    `gain` `(` $gain `)` attr-dict `:`
    `(` type($query) `,` type($key) `,` type($value) `,` type($lambda_q1)
    `,` type($lambda_k1) `,` type($lambda_q2) `,` type($lambda_k2) `,`
    type($gain) `)` `->` type($result)
  }];

  let extraClassDeclaration = [{
    /// lambda_init: the attribute, or 0.8 - 0.6 exp(-0.3 layer).
    double getLambdaInitValue();
    /// epsilon, 1e-5 by default.
    double getEpsilonValue() {
      return getEpsilon() ? getEpsilon()->convertToDouble() : 1e-5;
    }
  }];

  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Low-rank attention
//===----------------------------------------------------------------------===//

def Attn_ProjectionTensor : RankedTensorOf<[F32], [HasAnyRankOfPred<[2, 3]>]>;
def Attn_F32Matrix : RankedTensorOf<[F32], [HasAnyRankOfPred<[2]>]>;

def Attn_LinformerOp : Attn_Op<"linformer", [Pure]> {
  let summary = "Linformer: attention over keys and values projected to k rows";
  let description = [{
    SEMANTICS.md, "Low-rank attention": with projections E, F of k rows
    over the Lk key positions,

    ```
    O[b,h] = softmax(scale * Q[b,h] (E K[b,h/G])^T) (F V[b,h/G])
    ```

    `e` is [k, Lk] (one projection for every head: shared per layer) or
    [Hkv, k, Lk] (per KV head). `f` has the same shape; absent, F = E
    (keys and values share one projection). Lk is fixed by the projections;
    1 <= k <= Lk. `scale` defaults to D^-1/2. Shapes otherwise as
    `attn.sdpa` (GQA included); no mask (the projection mixes positions).
  }];
  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Attn_ProjectionTensor:$e,
                       Optional<Attn_ProjectionTensor>:$f,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value `projections` `(` $e (`,` $f^)? `)` attr-dict
    `:` `(` type($query) `,` type($key) `,` type($value) `,` type($e)
    (`,` type($f)^)? `)` `->` type($result)
  }];
  let hasVerifier = 1;
}

def Attn_PerformerOp : Attn_Op<"performer", [Pure]> {
  let summary = "Performer (FAVOR+): attention through random features";
  let description = [{
    SEMANTICS.md, "Low-rank attention", Performer: with m random features
    omega [m, D] and x^ = scale^1/2 x (scale defaults to D^-1/2),

    ```
    softmax kernel: phi(x) = m^-1/2 (exp(omega x^ - |x^|^2 / 2 - c) + 1e-6)
    relu kernel:    phi(x) = m^-1/2 relu(omega x^) + 1e-6
    O = phi(Q) (phi(K)^T V) / (phi(Q) (phi(K)^T 1))
    ```

    c is the row's largest `omega x^` for queries and the largest over all
    of a head's keys for keys (it cancels up to the 1e-6). With `causal`, row
    i sums over keys j <= i + Lk - Lq only (prefix sums, computed per chunk).
    omega is generated at compile time from `seed`: blocks of D orthogonal
    rows (QR of a Gaussian matrix) when `orthogonal` (the default), else
    Gaussian rows, scaled to norms drawn from chi(D), or all sqrt(D) with
    `constant_norms`; the same seed gives the same features on every target.
    `features` defaults to round(D ln D). D must be static.
  }];
  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       OptionalAttr<I64Attr>:$features,
                       DefaultValuedAttr<Attn_FeatureKernelAttr,
                           "::mlir::attn::FeatureKernel::softmax">:$kernel,
                       DefaultValuedAttr<BoolAttr, "true">:$orthogonal,
                       UnitAttr:$constant_norms,
                       DefaultValuedAttr<I64Attr, "0">:$seed,
                       UnitAttr:$causal,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value attr-dict `:` `(` type($query) `,` type($key)
    `,` type($value) `)` `->` type($result)
  }];
  let extraClassDeclaration = [{
    /// m: the attribute, or round(D ln D).
    int64_t getFeatureCount();
  }];
  let hasVerifier = 1;
}

def Attn_NystromOp : Attn_Op<"nystrom", [Pure]> {
  let summary = "Nystromformer: attention through m landmarks";
  let description = [{
    SEMANTICS.md, "Low-rank attention", Nystromformer: Q~ and K~ are the
    means of m equal segments of Q and K (Lq and Lk divisible by m), and

    ```
    O = softmax(s Q K~^T) pinv(softmax(s Q~ K~^T)) softmax(s Q~ K^T) V
    ```

    with s = `scale` (D^-1/2 by default) and pinv by `pinv_iterations`
    (default 6) of Z <- Z (13 I - A Z (15 I - A Z (7 I - A Z))) / 4 from
    Z0 = A^T / (max column sum of A), per head. `conv`, [Hq, w] with w odd,
    adds a depthwise convolution of V along the sequence (kernel w, zero
    padding; Lq = Lk): O[b,h,i] += sum_t conv[h,t] V[b,h/G,i+t-w/2].
  }];
  let arguments = (ins Attn_FloatTensor:$query,
                       Attn_FloatTensor:$key,
                       Attn_FloatTensor:$value,
                       Optional<Attn_F32Matrix>:$conv,
                       I64Attr:$landmarks,
                       DefaultValuedAttr<I64Attr, "6">:$pinv_iterations,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Attn_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`conv` `(` $conv^ `:` type($conv) `)`)?
    attr-dict `:` `(` type($query) `,` type($key) `,` type($value) `)`
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

def Attn_YieldOp : Attn_Op<"yield", [Pure, Terminator, HasParent<"SdpaOp">,
                                     ReturnLike]> {
  let summary = "yields the modified score of a score_mod region";
  let arguments = (ins F32:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// DotI8Op
//===----------------------------------------------------------------------===//

def Attn_DotI8Op : Attn_Op<"dot_i8", [Pure,
                                      AllTypesMatch<["acc", "result"]>,
                                      AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "4-way 8-bit dot product accumulated into int32 lanes";
  let description = [{
    A vector micro-op of the kernels attn-tile-flash builds (int8 scores):
    lane i of the result is

        result[i] = acc[i] + sum_{j < 4} ext(lhs[4 i + j]) * sext(rhs[4 i + j])

    where `ext` is zero extension with `lhs_unsigned`, sign extension
    without it. Products and sums are exact in int32 for any 8-bit inputs
    (at most 4 * 255 * 128 per step). It is the common form of the
    instructions edge CPUs multiply bytes with (x86 VPDPBUSD: unsigned x
    signed; AArch64 SDOT: signed x signed), so a kernel builder states the
    product once and `attn-lower-int8-dot` picks the instruction of the
    target, or widened integer vector code where it has none.

    ```mlir
    %r = attn.dot_i8 %acc, %k, %q {lhs_unsigned}
        : vector<32xi8> into vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs,
                       UnitAttr:$lhs_unsigned);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `into` type($acc)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MmlaI8Op
//===----------------------------------------------------------------------===//

def Attn_MmlaI8Op : Attn_Op<"mmla_i8", [Pure,
                                        AllTypesMatch<["acc", "result"]>,
                                        AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "2x8 by 8x2 signed 8-bit matrix product into a 2x2 int32 tile";
  let description = [{
    A vector micro-op of the int8 score kernels attn-tile-flash builds for
    targets with a byte matrix multiply: `lhs` holds two rows of 8 signed
    bytes (A), `rhs` two rows of 8 signed bytes (the columns of B), and
    the result is the 2x2 tile of their products, row-major:

        result[2 i + j] = acc[2 i + j]
                          + sum_{t < 8} sext(lhs[8 i + t]) * sext(rhs[8 j + t])

    exact in int32 (at most 8 * 128 * 128 per step). It is AArch64 SMMLA
    (+i8mm): twice the products of an SDOT per instruction.
    `attn-lower-int8-dot` lowers it to upstream `arm_neon.intr.smmla` with
    `mmla=arm-i8mm`, else to widened integer vector code.

    ```mlir
    %r = attn.mmla_i8 %acc, %q, %k : vector<16xi8> into vector<4xi32>
    ```
  }];
  let arguments = (ins FixedVectorOfLengthAndType<[4], [I32]>:$acc,
                       FixedVectorOfLengthAndType<[16], [I8]>:$lhs,
                       FixedVectorOfLengthAndType<[16], [I8]>:$rhs);
  let results = (outs FixedVectorOfLengthAndType<[4], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `into` type($acc)
  }];
}

//===----------------------------------------------------------------------===//
// DotBf16Op
//===----------------------------------------------------------------------===//

def Attn_DotBf16Op : Attn_Op<"dot_bf16", [Pure,
                                          AllTypesMatch<["acc", "result"]>,
                                          AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "2-way bf16 dot product accumulated into f32 lanes";
  let description = [{
    A vector micro-op of the kernels attn-tile-flash builds (bf16
    products): lane i of the result is

        result[i] = acc[i] + lhs[2 i + 1] * rhs[2 i + 1] + lhs[2 i] * rhs[2 i]

    with each bf16 product exact in f32 and the two additions rounded in
    f32, in that order. It is the form of x86's VDPBF16PS (AVX-512 BF16),
    which `attn-lower-int8-dot` emits where the target has it; elsewhere
    it becomes the same arithmetic in widened f32 vector code.
    (VDPBF16PS reads and writes subnormals as zero; the kernels only
    multiply normalised probabilities, queries and keys with it, where the
    difference is far inside bf16's own rounding.)

    ```mlir
    %r = attn.dot_bf16 %acc, %k, %q : vector<32xbf16> into vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$acc,
                       VectorOfRankAndType<[1], [BF16]>:$lhs,
                       VectorOfRankAndType<[1], [BF16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `into` type($acc)
  }];
  let hasVerifier = 1;
}

#endif // ATTN_OPS_TD
