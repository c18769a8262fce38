//===- TileFlash.cpp - online-softmax tiling of attn.sdpa -----------------===//
//
// attn-tile-flash (see Passes.td). The tiled form, per work item
// (b, h, query block of br <= Br rows starting at q0), reading KV head
// h / G:
//
//   Qs = scale * Q[b, h, q0:q0+br, :]                        (f32, once)
//   m = -inf, l = 0, o = 0
//   for k0 in [0, kvEnd) step Bc:                            (causal: kvEnd
//     S = Qs . K[b, h/G, k0:k0+bc, :]^T                       stops at the
//     S = mask(S) if the block crosses the mask's boundary    diagonal)
//     m' = max(m, rowmax S); p = exp(S - m'); a = exp(m - m')
//     l = a * l + rowsum p;  o = a * o + p . V[b, h/G, k0:k0+bc, :]
//     m = m'
//   O[b, h, q0:q0+br, :] = l == 0 ? 0 : o / l
//
// Every tensor in the loop is at most br x Bc (scores) or br x Dv
// (accumulator): nothing is quadratic in the sequence length.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/DiffDecomposition.h"
#include "passes/Transforms/Passes.h"
#include "passes/Utils/BlockFormats.h"
#include "passes/Utils/Int8Products.h"
#include "passes/Utils/LinalgBuilder.h"
#include "passes/Utils/ScoreMods.h"

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/ScopeExit.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_TILEFLASH
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;
using LB = LinalgBuilder;

/// Builds the tiled form of one attn.sdpa.
class FlashLowering {
public:
  FlashLowering(OpBuilder &b, SdpaOp op, int64_t qBlock, int64_t kvBlock,
                int64_t packedKvBlock, int64_t splitMinItems, bool autoTiles)
      : b(b), op(op), loc(op.getLoc()), lb(b, op.getLoc()), f32(b.getF32Type()),
        autoTiles(autoTiles), qBlock(qBlock), kvBlock(kvBlock),
        packedKvBlock(std::min(packedKvBlock, kvBlock)),
        splitMinItems(splitMinItems) {
    if (BlockFormatAttr f = op.getKeyFormatAttr())
      keyFormat = f.getValue();
    if (BlockFormatAttr f = op.getValueFormatAttr())
      valueFormat = f.getValue();
    int8Queries = op.getQkPrecision() == Precision::int8;
    pvInt8Allowed = op.getPvPrecision() == Precision::int8;
    qkBf16Allowed = op.getQkPrecision() == Precision::bf16;
    pvBf16Allowed = op.getPvPrecision() == Precision::bf16;
  }

  /// How int8 scores sum byte products, and their accumulators' lanes for
  /// Int8Dot::Generic (the pass options).
  Int8Dot int8Dot = Int8Dot::Generic;
  int64_t int8Lanes = 8;
  /// The tile kernels' int8 scores as attn.mmla_i8 (SMMLA) 2 x 2 tiles
  /// (ArmDotProd targets with i8mm; the pass's int8-mmla).
  bool int8Mmla = false;
  /// Whether the target has attn.dot_bf16 (bf16 products; the pass
  /// option); its accumulators have int8Lanes lanes.
  bool bf16Dot = false;

  Value lower();
  /// What a work item's run-time masks (kv_lengths, q_lengths, documents)
  /// allow: keys in [kBegin, kEnd), and which blocks need the mask.
  struct RuntimeBounds {
    bool any = false;
    Value kBegin, kEnd; // index
    Value rowsAllValid; // i1: every row is below q_lengths and positioned
    Value docLo, docHi; // index: document ids of the first and last row
    Value sorted;       // i1
    Value batch;
    Value docs; // the document ids operand, if any
    /// i1: the block [k0, k0 + bc) needs the per-element mask.
    Value partial(OpBuilder &b, Location loc, Value k0, Value bc) const;
    /// i1: the block [k0, k0 + bc) may keep something.
    Value visible(OpBuilder &b, Location loc, Value k0, Value bc) const;
  };
  RuntimeBounds runtimeBounds(Value batch, Value q0, Value rowSpan,
                              Value qOffset, Value lk, Value sortedDocs);
  /// i1 [B]: whether doc ids [B, Lk] are nondecreasing along each batch.
  Value docsSorted(Value docs);
  /// The first index in [0, n) of docs[batch, :] (sorted) whose id is >=
  /// `id` (`upper`: > `id`).
  Value searchDocs(Value docs, Value batch, Value n, Value id, bool upper);
  /// The op's operands and sizes, as values at the insertion point.
  struct Problem {
    Value q, k, v;
    Type storage;
    Value batch, hq, lq, headDim, hkv, lk, dv;
    Value kCols, vCols; // the last dims of K and V: values, or packed bytes
    Value group;        // Hq / Hkv
    Value qOffset;      // query row i sits at absolute position i + (Lk - Lq)
    Value scale;
  };
  Problem readProblem();
  /// The tiled form of an op with top_k (see lowerTopK's comment).
  Value lowerTopK(int64_t topK);

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value dim(Value t, int64_t d) {
    return lb.toValue(tensor::getMixedSize(b, loc, t, d));
  }
  Value slice2d(Value t, Value batch, Value head, Value row0, Value rows,
                Value cols) {
    return lb.slice2d(t, batch, head, row0, rows, cols);
  }
  Value scaleValue(Value headDim);
  /// qk_precision = int8: quantizes a scaled query tile ([n, D] f32) per
  /// 32 values; returns the tile the f32 score paths multiply (its
  /// dequantized values) or, with `keepInt8`, keeps the int8 form in
  /// itemQuery for the integer kernels and returns qTile.
  Value quantizeQueries(Value qTile, bool keepInt8);
  /// Whether a KV step multiplies int8 values as integers: packed tiles
  /// over packed keys (int8Scores), or any tile on a target with a byte
  /// dot product (int8TileScores).
  bool integerScores(bool packedTile) const {
    return int8Queries &&
           ((packedTile && keyFormat) || int8Dot != Int8Dot::Generic);
  }
  /// qk_precision = int8 over float keys, computed in f32: the key tile
  /// quantized and dequantized (q * d), as the integer kernels see it.
  Value int8KeyValues(Value kTile);
  /// smooth_k: keyMean, [B, Hkv, D] f32, the keys' mean per (batch, KV
  /// head, channel) over the positions [0, Lk) (or [0, kv_lengths[b])),
  /// rounded to bf16, formed once per call before the work items; null
  /// where the op has no smooth_k or its scores are computed in f32.
  void buildKeyMean(const Problem &p);
  Value keyMean;
  /// smooth_k: the float key tile `kTile` [n, D] at (batch, kvHead) minus
  /// its mean row, in f32, written into `into` ([n, D] f32); kTile itself
  /// without keyMean.
  Value smoothedKeys(Value kTile, Value batch, Value kvHead, Value into);
  /// int8 K (`key`) or V with scales (key_scales / value_scales): `tile`,
  /// its rows from row0 at (batch, head), dequantized (q * s) into `dest`.
  Value scaledRows(bool key, Value tile, Value batch, Value head, Value row0,
                   Value dest, const RowPrefetch &prefetch = {});
  /// Rows [row0, row0 + rows) of K (`key`) or V (`width` values a row) at
  /// (batch, head): packed blocks dequantized and int8 values with scales
  /// scaled, into a new f32 [rows, width] tensor; float rows as stored.
  Value floatRows(bool key, Value batch, Value head, Value row0, Value rows,
                  Value width);
  /// Tensors created once per work item and sliced by every KV step, so
  /// that bufferization allocates them outside the KV loop.
  struct Scratch {
    Value keysT;    // [D, Bc] f32: the key block transposed
    Value keys;     // [Bc, D] f32: a dequantized key block, for packed tiles
    Value values;   // [Bc, Dv] f32: the value block, contiguous
    Value scores;   // [br, Bc]
    Value probs;    // [br, Bc]
    Value alpha;    // [br]
    Value flagCols; // [Dv] f32: per value column, NaN if it is not finite
    Value flag;     // [] f32: NaN if the value block is not finite
    // int8 scores: their own [br, Bc] f32 tile and, for the tile kernel
    // (integerScores), the key block repacked as [D / 4, Bc] i32 words and
    // [D / 32, Bc] f32 scales; null otherwise.
    Value keyWords, keyScales, intScores;
    // int8 P . V (int8Values): the probabilities' bytes [br, Bc] i8; null
    // otherwise (the values are repacked once per call: allValueWords).
    Value probBytes;
    // int8 P . V: [br] f32, the block's row max and the rows' weight.
    Value blockMax, rowWeight;
    // smooth_k: [Bc, D] f32, the key block minus the keys' mean.
    Value smoothKeys;
  };
  /// i1: whether every value of the block `vF` is finite.
  Value valuesFinite(Value vF, const Scratch &scratch);
  /// The value block as the P . V product reads it: f32 blocks of large
  /// tiles copied into contiguous scratch, packed tiles' read in place,
  /// f16/bf16 blocks widened into scratch, q8_0 / q4_0 blocks dequantized
  /// into scratch, int8 blocks with scales as the key loop dequantized
  /// them into scratch, or, in decode tiles whose block has no mask to apply
  /// (`needsMask` null), kept packed for packedValueProduct.
  Value valueBlock(Value vTile, const Scratch &scratch, Value needsMask);
  /// S = Qs . K^T of a KV step in f32 (dequantized or widened keys).
  Value floatScores(Value qTile, Value kTile, Value bc, Value headDim,
                    Value sInit, const Scratch &scratch);
  /// S of a KV step as int8 products with the target's byte dot product
  /// (int8TileScores; integerScores).
  Value tileScores(Value kTile, Value bc, Value sInit, const Scratch &scratch,
                   Value k0);
  /// Block `blk` of key `key` of the key tile as (int8 values, scale): a
  /// packed block as stored, float keys quantized (quantizeBlock).
  std::pair<Value, Value> readKeyBlock(OpBuilder &kb, Location kl, Value kTile,
                                       Value key, int64_t blk);
  /// The probabilities' byte tile int8TileValues reads: [br, 32 ceil(bc /
  /// 32)] i8 of `probBytes`, its columns past bc zeroed, and the [br, bc]
  /// slice the probabilities are written into (`written`: its columns).
  struct ByteTile {
    Value full, written;
  };
  ByteTile probabilityBytes(Value probBytes, Value br, Value bc);
  /// The stages of kvStep. S of the KV step (floatScores, tileScores or,
  /// packed tiles over packed keys with int8 scores, int8Scores).
  Value stepScores(Value qTile, Value kTile, const Scratch &scratch, Value k0);
  /// S after the score modifiers and, where `needsMask`, the mask (-inf).
  Value modifyAndMask(Value s, Value needsMask, Value q0, Value k0,
                      Value qOffset);
  /// The online maximum: m' folded into `m` in place, alpha = exp(m - m'),
  /// and for int8 P . V the block's row max b and the rows' weight
  /// exp(b - m') / R.
  struct OnlineMax {
    Value mNew, alpha, blockMax, rowWeight;
  };
  OnlineMax updateMax(Value s, Value m, const Scratch &scratch);
  /// The block's probabilities (and for int8 P . V their bytes).
  struct Probabilities {
    Value p;
    ByteTile bytes;
  };
  Probabilities probabilities(Value s, const OnlineMax &mx,
                              const Scratch &scratch);
  /// o = alpha o + P . V in place: f32 micro-kernels, the guarded product
  /// for partial blocks whose values are not all finite, or int8.
  Value accumulateValues(const Probabilities &pr, Value vF, Value o,
                         const OnlineMax &mx, const Scratch &scratch,
                         Value needsMask, Value k0);
  /// The per-KV-block body of the online softmax on the key block `kTile`
  /// and the value block `vF` (from valueBlock); returns (m, l, o), each
  /// updated in place.
  SmallVector<Value> kvStep(Value qTile, Value kTile, Value vF,
                            ValueRange state, const Scratch &scratch,
                            Value needsMask, Value q0, Value k0, Value qOffset);
  /// A [rows, cols] slice at the origin of a 2-D scratch tensor.
  Value head2d(Value t, Value rows, Value cols);
  /// Folds the rows of the 2-D `tile` into the 1-D `acc` in place with
  /// `combine(element, acc)`. Row max and row sum are associative (up to
  /// rounding far inside the tolerance), so `combine` may carry `reassoc`
  /// and the reduction vectorizes.
  Value
  rowReduce(Value tile, Value acc,
            function_ref<Value(OpBuilder &, Location, Value, Value)> combine);
  /// For a static pattern on static shapes, picks the target's block sizes
  /// or halves of them, whichever visits the least (weighted) area.
  void chooseTiles();
  /// Sets int8Values, bf16Scores and bf16Values for key blocks of `kvb`
  /// keys.
  void chooseValuePrecision(int64_t kvb);

  /// Compile-time block classification of a static mask (CSR lists).
  struct BlockLists {
    int64_t heads = 1, qBlocks = 0; // list rows: heads x qBlocks
    std::vector<int32_t> offsets, entries;
  };
  BlockLists classifyBlocks(MaskAttrInterface mask, int64_t lq, int64_t lk,
                            int64_t hq, int64_t kvb);
  /// How lower() divides the work: the parallel loop's bounds (batch, query
  /// head or, packed, KV head, query block), the key block, split-KV (the
  /// loop gets a fourth dimension of `splits` key ranges of `chunk` keys),
  /// a static pattern's block lists; and the constants the stages share.
  struct Schedule {
    SmallVector<OpFoldResult> bounds;
    int64_t kvb = 0;
    int64_t splits = 1, chunk = 0;
    std::optional<BlockLists> lists;
    bool causal = false;
    Value cQ, c0, cKv, numQBlocks, negInf, zero;
  };
  /// Sets packedLq and groupC (GQA packing), then the rest of the schedule.
  Schedule planSchedule(const Problem &p);
  /// Prefill tiles of int8 products: repacks all of K (int8 scores) and V
  /// (int8 P . V) into the tile kernels' layouts with one parallel loop over
  /// (batch, KV head, key block), so that each key is quantized once per
  /// call, not once per query block (allKeyWords, ...).
  void repackOnce(const Problem &p, const Schedule &s, bool partnered);
  /// One work item: its induction variables (split: null without split-KV),
  /// the query positions it covers [q0, q0 + rowSpan), the rows of its tiles
  /// (br), its KV head, and its query tiles, widened to f32 and scaled.
  struct WorkItem {
    Value bi, hi, qb, split;
    Value q0, br, rowSpan, kvHead;
    Value qTile, partnerQTile;
  };
  WorkItem beginWorkItem(scf::ForallOp forall, const Problem &p,
                         const Schedule &s, SdpaOp partner);
  /// The keys a work item visits: none past kvEnd, the run-time masks'
  /// range (keyLoopRange), and the loop [begin, end) step `step` over key
  /// positions or, with block lists, over the entries of its list
  /// (loopRange).
  struct KeyLoop {
    Value kvEnd;
    RuntimeBounds keyRange;
    Value begin, end, step;
    Value offsetsTable, entriesTable;
  };
  KeyLoop keyLoopRange(const Problem &p, const Schedule &s, const WorkItem &w,
                       Value sortedDocs);
  void loopRange(const Problem &p, const Schedule &s, const WorkItem &w,
                 KeyLoop &kl);
  /// Software prefetches of rows `ahead` past those a loop reads.
  RowPrefetch rowPrefetch(Value t, Value batch, Value head, Value ahead,
                          Value end, Value cols);
  /// Set while a decode step is built: prefetches for the K / V rows two
  /// blocks ahead, run by the loops that read each block's rows.
  RowPrefetch keyPrefetch, valuePrefetch;
  /// The online softmax over the key blocks (its scratch tiles, the loop
  /// range, kvStep per block; both maps of a differential pair); results
  /// (m, l, o[, m2, l2, o2]).
  scf::ForOp buildKeyLoop(const Problem &p, const Schedule &s,
                          const WorkItem &w, KeyLoop &kl, SdpaOp partner);
  /// Normalises the final state (or, split, keeps o / l and the log-sum-exp;
  /// a differential pair's epilogue) and inserts it into the loop's outputs.
  void writeWorkItem(scf::ForallOp forall, const Problem &p, const Schedule &s,
                     const WorkItem &w, scf::ForOp loop, SdpaOp partner);
  /// Merges split-KV partial results: normalised outputs [S, B, Hq, Lq, Dv]
  /// and log-sum-exps [S, B, Hq, Lq] into O in the storage type.
  Value combineSplits(Value oParts, Value lseParts, Type storage);

  OpBuilder &b;
  SdpaOp op;
  Location loc;
  LinalgBuilder lb;
  FloatType f32;
  bool autoTiles;
  int64_t qBlock, kvBlock, packedKvBlock, splitMinItems;
  /// The block formats of packed K / V operands (none: floats).
  std::optional<BlockFormat> keyFormat, valueFormat;
  /// qk_precision = int8: the work item's quantized query tile, read by
  /// the int8 score kernel of packed tiles (others multiply its
  /// dequantized values in f32).
  bool int8Queries = false;
  QuantizedRows itemQuery;
  /// pv_precision = int8 (allowed by the op), and whether this lowering
  /// computes P . V in int8 (int8TileValues): prefill tiles on targets with
  /// a byte dot product, key blocks of whole 32-key blocks, no run-time key
  /// masks (whose hidden keys may hold anything and would set the value
  /// blocks' scales). Elsewhere P . V stays f32 (chooseValuePrecision).
  bool pvInt8Allowed = false, int8Values = false;
  /// qk / pv_precision = bf16 (allowed by the op), and whether this
  /// lowering computes the product with bf16 factors (bf16TileScores /
  /// bf16TileValues over K / V repacked once per call): prefill tiles on
  /// targets with attn.dot_bf16, D / Dv static multiples of 32, and for
  /// P . V int8 P . V's conditions on the key blocks. Elsewhere f32.
  bool qkBf16Allowed = false, pvBf16Allowed = false;
  bool bf16Scores = false, bf16Values = false;
  /// bf16Scores: the work item's scaled query tile rounded to bf16.
  Value bf16Query;
  /// The int8 tile kernels' key / value layouts for the whole K and V
  /// (bf16 products: [B, Hkv, D / 2, Lk'] and [B, Hkv, Lk' / 2, Dv] i32
  /// words of two bf16, no scales),
  /// formed once per call before the work items (repackOnce) rather than by
  /// each query block for each KV step: [B, Hkv, D / 4, Lk'] i32 key words,
  /// [B, Hkv, D / 32, Lk'] f32 key scales, [B, Hkv, Lk' / 4, Dv] i32 value
  /// words, [B, Hkv, Lk' / 32, Dv] f32 value scales (Lk' = Lk rounded up to
  /// whole key blocks); null where the work items repack their blocks.
  Value allKeyWords, allKeyScales, allValueWords, allValueScales;
  /// The work item's KV head.
  Value itemKvHead;
  /// Query rows per head when the G query heads of a KV head are packed
  /// into one tile (row r is head r / packedLq, position r % packedLq); 0
  /// when tiles hold one head.
  int64_t packedLq = 0;
  /// The query heads of a packed tile (G); 0 otherwise.
  int64_t groupC = 0;
  /// The work item's head induction variable: its query head, or, packed,
  /// its KV head.
  Value itemHead;
  /// The work item's batch induction variable.
  Value itemBatch;

public:
  /// Differential attention: `op` is the first map of an attn.diff, `second`
  /// its second map (same value, mask and scale; its own query and key
  /// heads). Both maps' online-softmax states share one pass over K and V
  /// and every work item ends with the diff's epilogue, so lower() returns
  /// the attn.diff's result, or null, before building any loop, when the
  /// tiles cannot hold a pair (packed or split-KV work items).
  struct DiffPair {
    DiffOp diff;
    SdpaOp second;
    Value lambda; // f32 scalar
  };
  std::optional<DiffPair> diffPair;

private:
  /// The attn.diff epilogue of one work item's [br, Dv] rows from both
  /// maps' final states: (o1 / l1 - lambda o2 / l2), RMSNorm over Dv, gain,
  /// (1 - lambda_init), in `storage`.
  Value diffEpilogue(Value o1, Value l1, Value o2, Value l2, Value br, Value dv,
                     Type storage);
};

Value FlashLowering::scaleValue(Value headDim) {
  if (std::optional<double> s = op.getStaticScale())
    return lb.f32Const(static_cast<float>(*s));
  return math::RsqrtOp::create(b, loc, lb.toF32(headDim));
}

Value FlashLowering::quantizeQueries(Value qTile, bool keepInt8) {
  auto type = cast<RankedTensorType>(qTile.getType());
  if (type.isDynamicDim(1))
    qTile = tensor::CastOp::create(
        b, loc,
        RankedTensorType::get({type.getDimSize(0), op.getHeadDim()}, f32),
        qTile);
  QuantizedRows rows =
      quantizeRows(b, loc, qTile, /*withValues=*/keepInt8,
                   /*withDequantized=*/!keepInt8,
                   /*withSums=*/keepInt8 && int8Dot == Int8Dot::X86Vnni);
  if (keepInt8) {
    itemQuery = rows;
    if (int8Mmla)
      itemQuery.pairs = int8PairRows(b, loc, rows.values);
    return qTile;
  }
  if (type.isDynamicDim(1))
    return tensor::CastOp::create(b, loc, type, rows.dequantized);
  return rows.dequantized;
}

Value FlashLowering::int8KeyValues(Value kTile) {
  auto type = cast<RankedTensorType>(kTile.getType());
  Value rows = kTile;
  if (type.isDynamicDim(1))
    rows = tensor::CastOp::create(
        b, loc,
        RankedTensorType::get({type.getDimSize(0), op.getHeadDim()},
                              type.getElementType()),
        kTile);
  Value deq = quantizeRows(b, loc, rows, /*withValues=*/false,
                           /*withDequantized=*/true)
                  .dequantized;
  return tensor::CastOp::create(
      b, loc, RankedTensorType::get(type.getShape(), b.getF32Type()), deq);
}

void FlashLowering::buildKeyMean(const Problem &p) {
  if (!op.getSmoothK() || keyFormat || !(int8Queries || bf16Scores))
    return;
  int64_t d = op.getHeadDim();
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  auto forall = scf::ForallOp::create(
      b, loc,
      SmallVector<OpFoldResult>{getAsOpFoldResult(p.batch),
                                getAsOpFoldResult(p.hkv)},
      ValueRange{lb.empty({p.batch, p.hkv, index(d)}, f32)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
  // The positions the mean covers: hidden cache slots past kv_lengths[b]
  // may hold anything.
  Value n = p.lk;
  if (Value kvLengths = op.getKvLengths()) {
    Value len = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        tensor::ExtractOp::create(b, loc, kvLengths, ValueRange{bi}));
    n = arith::MinSIOp::create(b, loc, p.lk,
                               arith::MaxSIOp::create(b, loc, len, index(0)));
  }
  Value rows = slice2d(p.k, bi, hi, index(0), n, index(d));
  // Loops (key, channel): the inner loop runs along a key's channels.
  Value sum =
      linalg::GenericOp::create(
          b, loc, RankedTensorType::get({d}, f32), ValueRange{rows},
          ValueRange{lb.filled({index(d)}, lb.f32Const(0.0))},
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2), lb.map(2, {1})},
          ArrayRef<IteratorType>{red, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl,
                      arith::AddFOp::create(nb, nl, LB::extToF32(nb, nl, a[0]),
                                            a[1]));
          })
          .getResult(0);
  // No positions: a mean of 0 (the sum is 0).
  Value count = arith::UIToFPOp::create(
      b, loc, f32,
      arith::IndexCastUIOp::create(
          b, loc, b.getI64Type(), arith::MaxSIOp::create(b, loc, n, index(1))));
  // Rounded to bf16, so that it does not depend on the order of the sum
  // (the reference sums in another order).
  Value mean = linalg::GenericOp::create(
                   b, loc, sum.getType(), ValueRange{sum},
                   ValueRange{lb.empty({index(d)})},
                   ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1),
                                       b.getMultiDimIdentityMap(1)},
                   ArrayRef<IteratorType>{par},
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     Value m = arith::DivFOp::create(nb, nl, a[0], count);
                     Value h =
                         arith::TruncFOp::create(nb, nl, nb.getBF16Type(), m);
                     LB::yield(nb, nl, arith::ExtFOp::create(nb, nl, f32, h));
                   })
                   .getResult(0);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  OpFoldResult one = b.getIndexAttr(1);
  tensor::ParallelInsertSliceOp::create(
      b, loc, mean, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{bi, hi, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(d)},
      ArrayRef<OpFoldResult>{one, one, one});
  keyMean = forall.getResult(0);
}

Value FlashLowering::smoothedKeys(Value kTile, Value batch, Value kvHead,
                                  Value into) {
  if (!keyMean)
    return kTile;
  int64_t d = op.getHeadDim();
  OpFoldResult one = b.getIndexAttr(1);
  Value mean = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({d}, f32), keyMean,
      ArrayRef<OpFoldResult>{batch, kvHead, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(d)},
      ArrayRef<OpFoldResult>{one, one, one});
  auto type = cast<RankedTensorType>(kTile.getType());
  if (type.isDynamicDim(1))
    kTile = tensor::CastOp::create(
        b, loc,
        RankedTensorType::get({type.getDimSize(0), d}, type.getElementType()),
        kTile);
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  return linalg::GenericOp::create(
             b, loc, into.getType(), ValueRange{kTile, mean}, ValueRange{into},
             ArrayRef<AffineMap>{id2, lb.map(2, {1}), id2},
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::parallel},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               LB::yield(nb, nl,
                         arith::SubFOp::create(
                             nb, nl, LB::extToF32(nb, nl, a[0]), a[1]));
             })
      .getResult(0);
}

Value FlashLowering::scaledRows(bool key, Value tile, Value batch, Value head,
                                Value row0, Value dest,
                                const RowPrefetch &prefetch) {
  Value scales = key ? op.getKeyScales() : op.getValueScales();
  auto type = cast<RankedTensorType>(scales.getType());
  // The head's [Ls, Cs] scales; broadcast batch / head dims read index 0.
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult offsets[] = {type.getDimSize(0) == 1 ? zero : batch,
                            type.getDimSize(1) == 1 ? zero : head, zero, zero};
  OpFoldResult sizes[] = {one, one, tensor::getMixedSize(b, loc, scales, 2),
                          tensor::getMixedSize(b, loc, scales, 3)};
  OpFoldResult strides[] = {one, one, one, one};
  Value head2 = tensor::ExtractSliceOp::create(
      b, loc,
      RankedTensorType::get({type.getDimSize(2), type.getDimSize(3)},
                            type.getElementType()),
      scales, offsets, sizes, strides);
  int64_t block = key ? op.getKeyScaleBlockSize() : op.getValueScaleBlockSize();
  return dequantizeScaledTile(b, loc, tile, head2, row0, block, dest, prefetch);
}

Value FlashLowering::floatRows(bool key, Value batch, Value head, Value row0,
                               Value rows, Value width) {
  Value t = key ? op.getKey() : op.getValue();
  std::optional<BlockFormat> format = key ? keyFormat : valueFormat;
  if (key ? op.hasScaledKey() : op.hasScaledValue()) {
    int64_t w = cast<RankedTensorType>(t.getType()).getDimSize(3);
    Value tile = slice2d(t, batch, head, row0, rows, index(w));
    return scaledRows(key, tile, batch, head, row0, lb.empty({rows, index(w)}));
  }
  if (!format)
    return slice2d(t, batch, head, row0, rows, width);
  Value bytes = dim(t, 3);
  Value packed = slice2d(t, batch, head, row0, rows, bytes);
  return dequantizeTile(b, loc, packed, *format, lb.empty({rows, width}));
}

Value FlashLowering::head2d(Value t, Value rows, Value cols) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, loc, t, ArrayRef<OpFoldResult>{zero, zero},
      ArrayRef<OpFoldResult>{getAsOpFoldResult(rows), getAsOpFoldResult(cols)},
      ArrayRef<OpFoldResult>{one, one});
}

Value FlashLowering::rowReduce(
    Value tile, Value acc,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  return linalg::GenericOp::create(
             b, loc, acc.getType(), ValueRange{tile}, ValueRange{acc},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2), lb.map(2, {0})},
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::reduction},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               LB::yield(nb, nl, combine(nb, nl, a[0], a[1]));
             })
      .getResult(0);
}

Value FlashLowering::valueBlock(Value vTile, const Scratch &scratch,
                                Value needsMask) {
  // int8 values with scales were dequantized into the values' scratch.
  if (op.hasScaledValue())
    return vTile;
  auto par = IteratorType::parallel;
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  Value bc = tensor::DimOp::create(b, loc, vTile, 0);
  // f16/bf16 value blocks are widened into a contiguous f32 buffer.
  Value valueDim = tensor::DimOp::create(b, loc, vTile, 1);
  Value vDest = head2d(scratch.values, bc, valueDim);
  // Packed decode tiles without a mask to apply: P . V reads the packed
  // blocks in place (accumulateValues, packedValueProduct).
  if (valueFormat && packedLq && !needsMask && groupC * packedLq <= 8)
    return vTile;
  // bf16 P . V reads the values repacked once per call; only the guarded
  // product of a partial block reads this one.
  if (bf16Values && !needsMask)
    return vTile;
  if (valueFormat)
    return dequantizeTile(b, loc, vTile, *valueFormat,
                          head2d(scratch.values, bc, index(op.getValueDim())),
                          valuePrefetch);
  auto vType = cast<RankedTensorType>(vTile.getType());
  if (packedLq && vType.getElementType() != f32 && !vType.isDynamicDim(1))
    return widenTile(b, loc, vTile, vDest, valuePrefetch);
  // int8 P . V quantizes f32 blocks as they are read.
  if ((int8Values || bf16Values) && vType.getElementType() == f32)
    return vTile;
  // Packed (decode) tiles read f32 value blocks in place: entry points
  // guarantee a contiguous last dimension, so the micro-kernel loads their
  // rows directly. Large tiles copy them into contiguous scratch, which
  // measured faster (dense-2k-d128: 0.64 vs 0.60 of peak).
  return cast<RankedTensorType>(vTile.getType()).getElementType() == f32
             ? (packedLq
                    ? vTile
                    : linalg::CopyOp::create(b, loc, vTile, vDest).getResult(0))
             : linalg::GenericOp::create(
                   b, loc, vDest.getType(), ValueRange{vTile},
                   ValueRange{vDest}, ArrayRef<AffineMap>{id2, id2},
                   ArrayRef<IteratorType>{par, par},
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     LB::yield(nb, nl, LB::extToF32(nb, nl, a[0]));
                   })
                   .getResult(0);
}

Value FlashLowering::floatScores(Value qTile, Value kTile, Value bc,
                                 Value headDim, Value sInit,
                                 const Scratch &scratch) {
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  auto contract = arith::FastMathFlags::contract;
  auto multiplyAdd = [&](OpBuilder &nb, Location nl, ValueRange a) {
    Value p = arith::MulFOp::create(nb, nl, a[0], a[1], contract);
    LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[2], p, contract));
  };
  Value s;
  auto kType = cast<RankedTensorType>(kTile.getType());
  bool f32Keys = kType.getElementType() == f32;
  // f16/bf16 keys of a static head dim, widened by vector code.
  bool narrowKeys = !f32Keys && !keyFormat && !kType.isDynamicDim(1);
  if (packedLq && (f32Keys || keyFormat || narrowKeys)) {
    // Packed (few-row) tiles: S as dot products along the head dim, reading
    // f32 key blocks in place, others as their f32 copy in L1 scratch
    // (dequantized or widened); loops (i, j, d). The micro-kernels turn
    // this into row-by-row vector dot products.
    if (keyFormat)
      kTile = dequantizeTile(b, loc, kTile, *keyFormat,
                             head2d(scratch.keys, bc, headDim), keyPrefetch);
    else if (narrowKeys)
      kTile = widenTile(b, loc, kTile, head2d(scratch.keys, bc, headDim),
                        keyPrefetch);
    s = linalg::GenericOp::create(
            b, loc, sInit.getType(), ValueRange{qTile, kTile},
            ValueRange{sInit},
            ArrayRef<AffineMap>{lb.map(3, {0, 2}), lb.map(3, {1, 2}),
                                lb.map(3, {0, 1})},
            ArrayRef<IteratorType>{par, par, red}, multiplyAdd)
            .getResult(0);
  } else {
    // K^T, widened to f32 (packed keys: dequantized by rows first), so
    // that the score loop runs along contiguous keys.
    if (keyFormat)
      kTile = dequantizeTile(b, loc, kTile, *keyFormat,
                             head2d(scratch.keys, bc, headDim), keyPrefetch);
    Value kT =
        linalg::GenericOp::create(
            b, loc, head2d(scratch.keysT, headDim, bc).getType(),
            ValueRange{kTile}, ValueRange{head2d(scratch.keysT, headDim, bc)},
            ArrayRef<AffineMap>{lb.map(2, {1, 0}), id2},
            ArrayRef<IteratorType>{par, par},
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              LB::yield(nb, nl, LB::extToF32(nb, nl, a[0]));
            })
            .getResult(0);
    // S = Qs . K^T; loops (i, d, j): the innermost loop is over keys, a
    // parallel dimension, so it vectorizes without reassociating sums.
    s = linalg::GenericOp::create(
            b, loc, sInit.getType(), ValueRange{qTile, kT}, ValueRange{sInit},
            ArrayRef<AffineMap>{lb.map(3, {0, 1}), lb.map(3, {1, 2}),
                                lb.map(3, {0, 2})},
            ArrayRef<IteratorType>{par, red, par}, multiplyAdd)
            .getResult(0);
  }
  return s;
}

std::pair<Value, Value> FlashLowering::readKeyBlock(OpBuilder &kb, Location kl,
                                                    Value kTile, Value key,
                                                    int64_t blk) {
  // Float keys are quantized block by block as they are repacked; packed
  // keys give their own blocks.
  if (keyFormat)
    return {readBlockInts(kb, kl, kTile, key, blk, *keyFormat),
            readBlockScale(kb, kl, kTile, key, blk, *keyFormat)};
  auto type = cast<RankedTensorType>(kTile.getType());
  Value pad =
      arith::ConstantOp::create(kb, kl, kb.getZeroAttr(type.getElementType()));
  Value xv = vector::TransferReadOp::create(
      kb, kl, VectorType::get({32}, type.getElementType()), kTile,
      ValueRange{key, arith::ConstantIndexOp::create(kb, kl, 32 * blk)}, pad,
      ArrayRef<bool>{true});
  return quantizeBlock(kb, kl, xv);
}

Value FlashLowering::tileScores(Value kTile, Value bc, Value sInit,
                                const Scratch &scratch, Value k0) {
  if (allKeyWords) {
    Value room = int8TileRoom(b, loc, bc, int8Dot, int8Lanes);
    int64_t d = op.getHeadDim();
    auto cols = [&](Value keys) {
      return int8KeyWordCols(b, loc, keys, int8Mmla);
    };
    return int8TileScores(
        b, loc, itemQuery, bc,
        lb.slice2d(allKeyWords, itemBatch, itemKvHead, index(0),
                   index(int8KeyWordRows(d, int8Mmla)), cols(room), cols(k0)),
        lb.slice2d(allKeyScales, itemBatch, itemKvHead, index(0), index(d / 32),
                   cols(room), cols(k0)),
        sInit, int8Dot, int8Lanes, int8Mmla);
  }
  auto readKey = [&](OpBuilder &kb, Location kl, Value key, int64_t blk) {
    return readKeyBlock(kb, kl, kTile, key, blk);
  };
  auto [words, scales] =
      int8RepackKeys(b, loc, bc, op.getHeadDim(), readKey, scratch.keyWords,
                     scratch.keyScales, int8Dot, int8Lanes, int8Mmla);
  return int8TileScores(b, loc, itemQuery, bc, words, scales, sInit, int8Dot,
                        int8Lanes, int8Mmla);
}

Value FlashLowering::stepScores(Value qTile, Value kTile,
                                const Scratch &scratch, Value k0) {
  Value zero = lb.f32Const(0.0);
  Value br = tensor::DimOp::create(b, loc, qTile, 0);
  Value bc = tensor::DimOp::create(b, loc, kTile, 0);
  Value headDim = tensor::DimOp::create(b, loc, qTile, 1);
  // smooth_k: the keys the work item quantizes itself, minus their mean
  // (keys repacked once per call were smoothed there).
  if (keyMean && !allKeyWords)
    kTile =
        smoothedKeys(kTile, itemBatch, itemKvHead,
                     head2d(scratch.smoothKeys, bc, index(op.getHeadDim())));
  Value s;
  if (int8Queries && packedLq && keyFormat) {
    // int8 scores straight from the packed key blocks (every score
    // written: no zero fill).
    s = int8Scores(b, loc, itemQuery, kTile, *keyFormat,
                   head2d(scratch.intScores, br, bc), int8Dot, int8Lanes,
                   keyPrefetch);
  } else if (bf16Scores) {
    // bf16 factors, products summed in f32, over the keys repacked once.
    int64_t d = op.getHeadDim();
    int64_t step = bf16KeysPerStep(int8Lanes);
    Value room = arith::MulIOp::create(
        b, loc, arith::CeilDivUIOp::create(b, loc, bc, index(step)),
        index(step));
    s = bf16TileScores(b, loc, bf16Query, bc,
                       lb.slice2d(allKeyWords, itemBatch, itemKvHead, index(0),
                                  index(d / 2), room, k0),
                       head2d(scratch.intScores, br, bc), int8Lanes);
  } else if (integerScores(packedLq != 0)) {
    // int8 scores of any tile with the target's byte dot product.
    s = tileScores(kTile, bc, head2d(scratch.intScores, br, bc), scratch, k0);
  } else {
    if (int8Queries && !keyFormat)
      kTile = int8KeyValues(kTile);
    Value sInit =
        linalg::FillOp::create(b, loc, zero, head2d(scratch.scores, br, bc))
            .getResult(0);
    s = floatScores(qTile, kTile, bc, headDim, sInit, scratch);
  }

  return s;
}

Value FlashLowering::modifyAndMask(Value s, Value needsMask, Value q0, Value k0,
                                   Value qOffset) {
  auto par = IteratorType::parallel;
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  // Row r of the tile: query row i of the op (positions qOffset + i) in
  // head `head` (packed tiles hold G heads of Lq rows each).
  auto rowCoords = [&](OpBuilder &nb, Location nl, Value row,
                       Value &head) -> Value {
    head = itemHead;
    if (!packedLq)
      return arith::AddIOp::create(nb, nl, q0, row);
    Value lqV = arith::ConstantIndexOp::create(nb, nl, packedLq);
    head = arith::AddIOp::create(
        nb, nl,
        arith::MulIOp::create(nb, nl, itemHead,
                              arith::ConstantIndexOp::create(nb, nl, groupC)),
        arith::DivUIOp::create(nb, nl, row, lqV));
    return arith::RemUIOp::create(nb, nl, row, lqV);
  };
  if (op.hasScoreMods()) {
    // Score modifications apply to every visited block.
    s = linalg::GenericOp::create(
            b, loc, s.getType(), ValueRange{}, ValueRange{s},
            ArrayRef<AffineMap>{id2}, ArrayRef<IteratorType>{par, par},
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value head;
              Value i =
                  rowCoords(nb, nl, linalg::IndexOp::create(nb, nl, 0), head);
              Value j = linalg::IndexOp::create(nb, nl, 1);
              ScoreCoords at{itemBatch, head, i,
                             arith::AddIOp::create(nb, nl, i, qOffset),
                             arith::AddIOp::create(nb, nl, k0, j)};
              LB::yield(nb, nl, buildScoreMods(nb, nl, op, a[0], at));
            })
            .getResult(0);
  }
  if (needsMask) {
    auto ifOp = scf::IfOp::create(
        b, loc, needsMask,
        [&](OpBuilder &tb, Location tl) {
          Value masked =
              linalg::GenericOp::create(
                  tb, tl, s.getType(), ValueRange{}, ValueRange{s},
                  ArrayRef<AffineMap>{id2}, ArrayRef<IteratorType>{par, par},
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value head;
                    Value i = rowCoords(
                        nb, nl, linalg::IndexOp::create(nb, nl, 0), head);
                    Value j = linalg::IndexOp::create(nb, nl, 1);
                    Value qPos = arith::AddIOp::create(nb, nl, i, qOffset);
                    Value kPos = arith::AddIOp::create(nb, nl, k0, j);
                    Value keep =
                        buildKeeps(nb, nl, op,
                                   ScoreCoords{itemBatch, head, i, qPos, kPos});
                    LB::yield(
                        nb, nl,
                        arith::SelectOp::create(nb, nl, keep, a[0], negInf));
                  })
                  .getResult(0);
          scf::YieldOp::create(tb, tl, masked);
        },
        [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, s); });
    s = ifOp.getResult(0);
  }

  return s;
}

FlashLowering::OnlineMax FlashLowering::updateMax(Value s, Value m,
                                                  const Scratch &scratch) {
  auto par = IteratorType::parallel;
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  Value zero = lb.f32Const(0.0);
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  auto fill = [&](Value value, Value dest) {
    return linalg::FillOp::create(b, loc, value, dest).getResult(0);
  };
  // Keep the old m in the alpha scratch, fold the block's row max into m in
  // place, then turn the old m into alpha = exp(m_old - m'), 0 while
  // m_old = -inf (o and l are still 0 then). Every step writes in place.
  // (A copy op, not an identity generic, which canonicalization would fold
  // away and with it the in-place update of m.)
  Value mOld = linalg::CopyOp::create(b, loc, m, scratch.alpha).getResult(0);
  auto maxOf = [](OpBuilder &nb, Location nl, Value x, Value acc) -> Value {
    return arith::MaximumFOp::create(nb, nl, x, acc,
                                     arith::FastMathFlags::reassoc);
  };
  Value mNew, blockMax, rowWeight;
  if (int8Values) {
    // int8 P . V quantizes the block's probabilities relative to its own
    // row maximum b (so that a block of small ones keeps its resolution):
    // the block's row max, then m' = max(m, b) and the rows' weight
    // g = exp(b - m') / R (0 for a row the block hides every key of).
    blockMax = rowReduce(s, fill(negInf, scratch.blockMax), maxOf);
    mNew = linalg::GenericOp::create(
               b, loc, m.getType(), ValueRange{blockMax}, ValueRange{m},
               ArrayRef<AffineMap>{id1, id1}, ArrayRef<IteratorType>{par},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 LB::yield(nb, nl, maxOf(nb, nl, a[0], a[1]));
               })
               .getResult(0);
    double range = static_cast<double>(int8ProbabilityRange(int8Dot));
    rowWeight =
        linalg::GenericOp::create(
            b, loc, m.getType(), ValueRange{blockMax, mNew},
            ValueRange{scratch.rowWeight}, ArrayRef<AffineMap>{id1, id1, id1},
            ArrayRef<IteratorType>{par},
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value none = arith::CmpFOp::create(
                  nb, nl, arith::CmpFPredicate::OEQ, a[0], negInf);
              Value g = arith::MulFOp::create(
                  nb, nl,
                  math::ExpOp::create(
                      nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1])),
                  arith::ConstantOp::create(nb, nl,
                                            nb.getF32FloatAttr(1.0 / range)));
              LB::yield(nb, nl, arith::SelectOp::create(nb, nl, none, zero, g));
            })
            .getResult(0);
  } else {
    mNew = rowReduce(s, m, maxOf);
  }
  Value alpha =
      linalg::GenericOp::create(
          b, loc, mOld.getType(), ValueRange{mNew}, ValueRange{mOld},
          ArrayRef<AffineMap>{id1, id1}, ArrayRef<IteratorType>{par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value none = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, a[1], negInf);
            Value e = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, a[1], a[0]));
            LB::yield(nb, nl, arith::SelectOp::create(nb, nl, none, zero, e));
          })
          .getResult(0);
  return {mNew, alpha, blockMax, rowWeight};
}

FlashLowering::Probabilities
FlashLowering::probabilities(Value s, const OnlineMax &mx,
                             const Scratch &scratch) {
  auto par = IteratorType::parallel;
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  Value zero = lb.f32Const(0.0);
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap rows = lb.map(2, {0});
  Value br = tensor::DimOp::create(b, loc, s, 0);
  Value bc = tensor::DimOp::create(b, loc, s, 1);
  Value mNew = mx.mNew, blockMax = mx.blockMax, rowWeight = mx.rowWeight;
  // p = exp(S - m'), with m' = -inf (nothing kept yet) read as 0. For int8
  // P . V, relative to the block's row max b instead: the bytes
  // u = round(exp(S - b) * R), and as p the weights the product applies,
  // u * g = (u / R) exp(b - m'), so that l sums them (a NaN stays NaN
  // there; its byte is some byte).
  SmallVector<Value> pOuts = {head2d(scratch.probs, br, bc)};
  ByteTile pBytes;
  double range = 0;
  if (bf16Values) {
    // bf16 P . V: p as the bf16 factor too.
    pBytes = probabilityBytes(scratch.probBytes, br, bc);
    pOuts.push_back(pBytes.written);
  }
  if (int8Values) {
    pBytes = probabilityBytes(scratch.probBytes, br, bc);
    pOuts.push_back(pBytes.written);
    range = static_cast<double>(int8ProbabilityRange(int8Dot));
  }
  SmallVector<Value> pIns = {s, int8Values ? blockMax : mNew};
  SmallVector<AffineMap> pMaps = {id2, rows};
  if (int8Values) {
    pIns.push_back(rowWeight);
    pMaps.push_back(rows);
  }
  pMaps.append(pOuts.size(), id2);
  auto pGeneric = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(pOuts)), pIns, pOuts, pMaps,
      ArrayRef<IteratorType>{par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                           a[1], negInf);
        Value mm = arith::SelectOp::create(nb, nl, none, zero, a[1]);
        Value e = math::ExpOp::create(nb, nl,
                                      arith::SubFOp::create(nb, nl, a[0], mm));
        if (bf16Values) {
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{e,
                         arith::TruncFOp::create(nb, nl, nb.getBF16Type(), e)});
          return;
        }
        if (!int8Values) {
          LB::yield(nb, nl, e);
          return;
        }
        auto cst = [&](double v) {
          return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(v));
        };
        // Rounded to nearest by adding 1.5 * 2^23: the sum's low mantissa
        // bits are then the integer p * range (0 .. 255), read as its low
        // byte (no float-to-int conversion, and a NaN gives a byte, not
        // poison).
        Value magic = cst(12582912.0);
        Value r = arith::AddFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, e, cst(range)), magic);
        Value u = arith::TruncIOp::create(
            nb, nl, nb.getIntegerType(8),
            arith::BitcastOp::create(nb, nl, nb.getI32Type(), r));
        Value weight = arith::MulFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, r, magic), a[2]);
        linalg::YieldOp::create(nb, nl, ValueRange{weight, u});
      });
  Value p = pGeneric.getResult(0);
  if (int8Values || bf16Values)
    pBytes.full = tensor::InsertSliceOp::create(
        b, loc, pGeneric.getResult(1), pBytes.full,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{getAsOpFoldResult(br), getAsOpFoldResult(bc)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  return {p, pBytes};
}

Value FlashLowering::accumulateValues(const Probabilities &pr, Value vF,
                                      Value o, const OnlineMax &mx,
                                      const Scratch &scratch, Value needsMask,
                                      Value k0) {
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  Value zero = lb.f32Const(0.0);
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap rows = lb.map(2, {0});
  auto contract = arith::FastMathFlags::contract;
  Value p = pr.p, alpha = mx.alpha, rowWeight = mx.rowWeight;
  const ByteTile &pBytes = pr.bytes;
  Value bc = tensor::DimOp::create(b, loc, p, 1);
  // o = alpha * o + p . V; loops (i, j, e): the innermost loop is over
  // value columns, contiguous in V and o.
  Value oScaled =
      linalg::GenericOp::create(
          b, loc, o.getType(), ValueRange{alpha}, ValueRange{o},
          ArrayRef<AffineMap>{rows, id2}, ArrayRef<IteratorType>{par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]));
          })
          .getResult(0);
  // With `skipZeros`, a key of weight exactly 0 adds nothing even where its
  // value row holds NaN or inf (0 x inf is NaN): masked keys of a partial
  // block must not reach the rows they are hidden from (docs/Numerics.md).
  auto pv = [&](OpBuilder &gb, Location gl, bool skipZeros) -> Value {
    return linalg::GenericOp::create(
               gb, gl, o.getType(), ValueRange{p, vF}, ValueRange{oScaled},
               ArrayRef<AffineMap>{lb.map(3, {0, 1}), lb.map(3, {1, 2}),
                                   lb.map(3, {0, 2})},
               ArrayRef<IteratorType>{par, red, par},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value prod =
                     arith::MulFOp::create(nb, nl, a[0], a[1], contract);
                 Value sum =
                     arith::AddFOp::create(nb, nl, a[2], prod, contract);
                 if (skipZeros)
                   sum = arith::SelectOp::create(
                       nb, nl,
                       arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                             a[0], zero),
                       a[2], sum);
                 LB::yield(nb, nl, sum);
               })
        .getResult(0);
  };
  // int8 P . V of the block (its unguarded case).
  auto product = [&](OpBuilder &gb, Location gl) -> Value {
    if (bf16Values) {
      // The values as words of two bf16, repacked once per call
      // (repackOnce): rows k0 / 2 .. of whole 32-key blocks.
      Value c0 = arith::ConstantIndexOp::create(gb, gl, 0);
      Value pairs = arith::MulIOp::create(
          gb, gl,
          arith::CeilDivUIOp::create(
              gb, gl, bc, arith::ConstantIndexOp::create(gb, gl, 32)),
          arith::ConstantIndexOp::create(gb, gl, 16));
      Value words = LinalgBuilder(gb, gl).slice2d(
          allValueWords, itemBatch, itemKvHead,
          arith::DivUIOp::create(gb, gl, k0,
                                 arith::ConstantIndexOp::create(gb, gl, 2)),
          pairs, arith::ConstantIndexOp::create(gb, gl, op.getValueDim()), c0);
      return bf16TileValues(gb, gl, pBytes.full, bc, words, oScaled, int8Lanes);
    }
    // Packed value rows (valueBlock kept them packed): read in place.
    if (cast<RankedTensorType>(vF.getType()).getElementType().isInteger(8))
      // Columns two vectors at a time: 8 accumulator registers for 4 rows
      // (32 columns at once spilled on NEON's 128-bit registers).
      return packedValueProduct(
          gb, gl, p, vF, *valueFormat, oScaled, groupC * packedLq,
          std::min<int64_t>(32, 2 * int8Lanes), valuePrefetch);
    if (!int8Values)
      return pv(gb, gl, false);
    // The values in int8TileValues' layout: repacked once per call
    // (repackOnce), sliced at this block.
    assert(allValueWords && "int8 P . V reads the values repacked once");
    {
      Value c0 = arith::ConstantIndexOp::create(gb, gl, 0);
      Value dv = arith::ConstantIndexOp::create(gb, gl, op.getValueDim());
      auto at = [&](int64_t keysPer) -> Value {
        Value n = arith::ConstantIndexOp::create(gb, gl, keysPer);
        return arith::DivUIOp::create(gb, gl, k0, n);
      };
      auto rows = [&](int64_t keysPer) -> Value {
        Value n = arith::ConstantIndexOp::create(gb, gl, keysPer);
        return arith::CeilDivUIOp::create(gb, gl, bc, n);
      };
      LinalgBuilder glb(gb, gl);
      // Whole 32-key blocks: 8 words rows and 1 scale row each.
      Value blocks = rows(32);
      Value words = glb.slice2d(
          allValueWords, itemBatch, itemKvHead, at(4),
          arith::MulIOp::create(gb, gl, blocks,
                                arith::ConstantIndexOp::create(gb, gl, 8)),
          dv, c0);
      Value scales = glb.slice2d(allValueScales, itemBatch, itemKvHead, at(32),
                                 blocks, dv, c0);
      return int8TileValues(gb, gl, pBytes.full, rowWeight, bc, words, scales,
                            oScaled, int8Dot, int8Lanes);
    }
  };
  if (!needsMask)
    return product(b, loc);
  // Only a partial block whose values are not all finite takes the slower
  // guarded product (the micro-kernels keep the others); checking costs one
  // pass over the value block, 1/br of the product's work.
  Value guarded = arith::AndIOp::create(
      b, loc, needsMask,
      arith::XOrIOp::create(b, loc, valuesFinite(vF, scratch),
                            arith::ConstantIntOp::create(b, loc, 1, 1)));
  auto oNew = scf::IfOp::create(
      b, loc, guarded,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(tb, tl, pv(tb, tl, true));
      },
      [&](OpBuilder &eb, Location el) {
        scf::YieldOp::create(eb, el, product(eb, el));
      });
  return oNew.getResult(0);
}

SmallVector<Value> FlashLowering::kvStep(Value qTile, Value kTile, Value vF,
                                         ValueRange state,
                                         const Scratch &scratch,
                                         Value needsMask, Value q0, Value k0,
                                         Value qOffset) {
  Value m = state[0], l = state[1], o = state[2];
  auto par = IteratorType::parallel;
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  Value s = stepScores(qTile, kTile, scratch, k0);
  s = modifyAndMask(s, needsMask, q0, k0, qOffset);
  OnlineMax mx = updateMax(s, m, scratch);
  Probabilities pr = probabilities(s, mx, scratch);
  Value alpha = mx.alpha, p = pr.p;
  // l = alpha * l + rowsum p.
  Value lScaled =
      linalg::GenericOp::create(
          b, loc, l.getType(), ValueRange{alpha}, ValueRange{l},
          ArrayRef<AffineMap>{id1, id1}, ArrayRef<IteratorType>{par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]));
          })
          .getResult(0);
  Value lNew = rowReduce(
      p, lScaled, [](OpBuilder &nb, Location nl, Value x, Value acc) -> Value {
        return arith::AddFOp::create(nb, nl, x, acc,
                                     arith::FastMathFlags::reassoc);
      });

  return {mx.mNew, lNew,
          accumulateValues(pr, vF, o, mx, scratch, needsMask, k0)};
}

void FlashLowering::chooseValuePrecision(int64_t kvb) {
  int8Values = pvInt8Allowed && int8Dot != Int8Dot::Generic && !packedLq &&
               kvb % 32 == 0 && !op.getKvLengths() && !op.getDocIds();
  auto multipleOf32 = [](int64_t n) {
    return !ShapedType::isDynamic(n) && n % 32 == 0;
  };
  bf16Scores = qkBf16Allowed && bf16Dot && !packedLq && !diffPair &&
               multipleOf32(op.getHeadDim()) &&
               kvb % bf16KeysPerStep(int8Lanes) == 0;
  bf16Values = pvBf16Allowed && bf16Dot && !packedLq &&
               multipleOf32(op.getValueDim()) && kvb % 32 == 0 &&
               !op.getKvLengths() && !op.getDocIds();
}

void FlashLowering::repackOnce(const Problem &p, const Schedule &s,
                               bool partnered) {
  // Prefill tiles only: a decode work item visits each key block once
  // anyway. A differential pair's second map has keys of its own.
  int64_t kvb = s.kvb;
  bool keys = !packedLq && !partnered && integerScores(false) &&
              kvb % int8TileKeysPerStep(int8Dot, int8Lanes) == 0;
  bool values = int8Values;
  if (!keys && !values && !bf16Scores && !bf16Values)
    return;
  int64_t d = op.getHeadDim(), dv = op.getValueDim();
  Value cKv = index(kvb);
  Value blocks = arith::CeilDivUIOp::create(b, loc, p.lk, cKv);
  Value padded = arith::MulIOp::create(b, loc, blocks, cKv);
  auto empty4d = [&](Value rows, Value cols, Type element) -> Value {
    return lb.empty({p.batch, p.hkv, rows, cols}, element);
  };
  SmallVector<Value> outs;
  if (keys) {
    outs.push_back(empty4d(index(int8KeyWordRows(d, int8Mmla)),
                           int8KeyWordCols(b, loc, padded, int8Mmla),
                           b.getI32Type()));
    outs.push_back(
        empty4d(index(d / 32), int8KeyWordCols(b, loc, padded, int8Mmla), f32));
  }
  if (values) {
    outs.push_back(empty4d(arith::DivUIOp::create(b, loc, padded, index(4)),
                           index(dv), b.getI32Type()));
    outs.push_back(empty4d(arith::DivUIOp::create(b, loc, padded, index(32)),
                           index(dv), f32));
  }
  if (bf16Scores)
    outs.push_back(empty4d(index(d / 2), padded, b.getI32Type()));
  if (bf16Values)
    outs.push_back(empty4d(arith::DivUIOp::create(b, loc, padded, index(2)),
                           index(dv), b.getI32Type()));
  SmallVector<OpFoldResult> bounds = {getAsOpFoldResult(p.batch),
                                      getAsOpFoldResult(p.hkv),
                                      getAsOpFoldResult(blocks)};
  auto forall = scf::ForallOp::create(b, loc, bounds, outs, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getBody()->getTerminator());
    Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
    Value k0 = arith::MulIOp::create(b, loc, forall.getInductionVar(2), cKv);
    Value bc = arith::MinSIOp::create(b, loc, cKv,
                                      arith::SubIOp::create(b, loc, p.lk, k0));
    auto tile = [&](int64_t rows, int64_t cols, Type element) -> Value {
      return tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, cols},
                                     element);
    };
    // The key repacks write each key's words down a column. Straight into
    // the result, whose rows lie Lk' words apart (a multiple of 4 KiB for
    // Lk = 2048), those stores fell into one L1 set and missed in turn; a
    // scratch tile whose rows are 16 words longer spreads them over the
    // sets, and the finished tile is copied out row by row.
    auto columnTile = [&](int64_t rows, int64_t cols, Type element) -> Value {
      Value t = bufferization::AllocTensorOp::create(
          b, loc, RankedTensorType::get({rows, cols + 16}, element),
          ValueRange{});
      return tensor::ExtractSliceOp::create(
          b, loc, t,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(rows), b.getIndexAttr(cols)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    };
    // Each result tile with its offsets [b, h, row, col].
    SmallVector<std::pair<Value, SmallVector<OpFoldResult>>> results;
    auto place = [&](Value t, Value row, Value col) {
      results.push_back({t, SmallVector<OpFoldResult>{bi, hi, row, col}});
    };
    if (keys) {
      // (Packed keys are repacked from their blocks as stored.)
      Value kTile = smoothedKeys(
          op.hasScaledKey() ? floatRows(/*key=*/true, bi, hi, k0, bc, index(d))
                            : slice2d(p.k, bi, hi, k0, bc, p.kCols),
          bi, hi, lb.empty({bc, index(d)}));
      auto readKey = [&](OpBuilder &kb, Location kl, Value key, int64_t blk) {
        return readKeyBlock(kb, kl, kTile, key, blk);
      };
      auto [words, scales] =
          int8RepackKeys(b, loc, bc, d, readKey,
                         columnTile(int8KeyWordRows(d, int8Mmla),
                                    int8Mmla ? 2 * kvb : kvb, b.getI32Type()),
                         tile(d / 32, int8Mmla ? 2 * kvb : kvb, f32), int8Dot,
                         int8Lanes, int8Mmla);
      place(words, index(0), int8KeyWordCols(b, loc, k0, int8Mmla));
      place(scales, index(0), int8KeyWordCols(b, loc, k0, int8Mmla));
    }
    if (values) {
      Value vTile = floatRows(/*key=*/false, bi, hi, k0, bc, index(dv));
      auto [words, scales] =
          int8RepackValues(b, loc, vTile, tile(kvb / 4, dv, b.getI32Type()),
                           tile(kvb / 32, dv, f32));
      place(words, arith::DivUIOp::create(b, loc, k0, index(4)), index(0));
      place(scales, arith::DivUIOp::create(b, loc, k0, index(32)), index(0));
    }
    if (bf16Scores) {
      Value kTile =
          smoothedKeys(floatRows(/*key=*/true, bi, hi, k0, bc, index(d)), bi,
                       hi, lb.empty({bc, index(d)}));
      place(bf16RepackKeys(b, loc, kTile,
                           columnTile(d / 2, kvb, b.getI32Type()), int8Lanes),
            index(0), k0);
    }
    if (bf16Values) {
      Value vTile = floatRows(/*key=*/false, bi, hi, k0, bc, index(dv));
      place(bf16RepackValues(b, loc, vTile, tile(kvb / 2, dv, b.getI32Type())),
            arith::DivUIOp::create(b, loc, k0, index(2)), index(0));
    }
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    OpFoldResult one = b.getIndexAttr(1);
    for (auto [i, r] : llvm::enumerate(results)) {
      auto type = cast<RankedTensorType>(r.first.getType());
      tensor::ParallelInsertSliceOp::create(
          b, loc, r.first, forall.getRegionIterArgs()[i], r.second,
          ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(type.getDimSize(0)),
                                 b.getIndexAttr(type.getDimSize(1))},
          ArrayRef<OpFoldResult>{one, one, one, one});
    }
  }
  b.setInsertionPointAfter(forall);
  unsigned next = 0;
  if (keys) {
    allKeyWords = forall.getResult(next++);
    allKeyScales = forall.getResult(next++);
  }
  if (values) {
    allValueWords = forall.getResult(next++);
    allValueScales = forall.getResult(next++);
  }
  if (bf16Scores)
    allKeyWords = forall.getResult(next++);
  if (bf16Values)
    allValueWords = forall.getResult(next++);
}

FlashLowering::ByteTile FlashLowering::probabilityBytes(Value probBytes,
                                                        Value br, Value bc) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  Value blocks = arith::CeilDivUIOp::create(b, loc, bc, index(32));
  Value padded = arith::MulIOp::create(b, loc, blocks, index(32));
  Value full = head2d(probBytes, br, padded);
  // The pad columns (the last block of a short key block) are zero, so that
  // they add nothing against the value words' zero pad keys.
  Value padCols = arith::SubIOp::create(b, loc, padded, bc);
  auto sizes = [](Value r, Value c) {
    return SmallVector<OpFoldResult>{getAsOpFoldResult(r),
                                     getAsOpFoldResult(c)};
  };
  Value pad = tensor::ExtractSliceOp::create(
      b, loc, full, ArrayRef<OpFoldResult>{zero, getAsOpFoldResult(bc)},
      sizes(br, padCols), ArrayRef<OpFoldResult>{one, one});
  Type element = cast<RankedTensorType>(probBytes.getType()).getElementType();
  Value zeros =
      linalg::FillOp::create(
          b, loc,
          arith::ConstantOp::create(b, loc, b.getZeroAttr(element)).getResult(),
          pad)
          .getResult(0);
  full = tensor::InsertSliceOp::create(
      b, loc, zeros, full, ArrayRef<OpFoldResult>{zero, getAsOpFoldResult(bc)},
      sizes(br, padCols), ArrayRef<OpFoldResult>{one, one});
  Value written = tensor::ExtractSliceOp::create(
      b, loc, full, ArrayRef<OpFoldResult>{zero, zero}, sizes(br, bc),
      ArrayRef<OpFoldResult>{one, one});
  return {full, written};
}

Value FlashLowering::valuesFinite(Value vF, const Scratch &scratch) {
  // Sums of v * 0: 0 where every v is finite, NaN where one is inf or NaN.
  // (No flag allows folding v * 0 to 0.)
  Value zero = lb.f32Const(0.0);
  auto type = cast<RankedTensorType>(vF.getType());
  Value sum;
  if (!type.isDynamicDim(1)) {
    // Row by row into vectors of 32 columns carried in registers, then
    // across them: one load and one multiply-add per vector of the block.
    const int64_t width = type.getDimSize(1);
    SmallVector<Value> init;
    SmallVector<int64_t> starts;
    for (int64_t c = 0; c < width; c += 32) {
      auto vecType = VectorType::get({std::min<int64_t>(32, width - c)}, f32);
      init.push_back(vector::BroadcastOp::create(b, loc, vecType, zero));
      starts.push_back(c);
    }
    Value rows = tensor::DimOp::create(b, loc, vF, 0);
    auto loop = scf::ForOp::create(
        b, loc, index(0), rows, index(1), init,
        [&](OpBuilder &nb, Location nl, Value j, ValueRange acc) {
          SmallVector<Value> next;
          for (auto [i, c] : llvm::enumerate(starts)) {
            auto vecType = cast<VectorType>(acc[i].getType());
            Value x = vector::TransferReadOp::create(
                nb, nl, vecType, vF,
                ValueRange{j, arith::ConstantIndexOp::create(nb, nl, c)}, zero,
                ArrayRef<bool>{true});
            // init[i] is the zero vector of this width.
            next.push_back(arith::AddFOp::create(
                nb, nl, acc[i], arith::MulFOp::create(nb, nl, x, init[i])));
          }
          scf::YieldOp::create(nb, nl, next);
        });
    for (Value partial : loop.getResults()) {
      Value r = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                            partial);
      sum = sum ? arith::AddFOp::create(b, loc, sum, r).getResult() : r;
    }
  } else {
    // Dynamic widths: down the rows into one sum per column (the inner loop
    // runs along contiguous columns), then over the columns.
    auto par = IteratorType::parallel, red = IteratorType::reduction;
    Value cols =
        linalg::FillOp::create(b, loc, zero, scratch.flagCols).getResult(0);
    cols = linalg::GenericOp::create(
               b, loc, cols.getType(), ValueRange{vF}, ValueRange{cols},
               ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2), lb.map(2, {1})},
               ArrayRef<IteratorType>{red, par},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value z = arith::MulFOp::create(nb, nl, a[0], zero);
                 LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[1], z));
               })
               .getResult(0);
    Value init =
        linalg::FillOp::create(b, loc, zero, scratch.flag).getResult(0);
    Value total =
        linalg::GenericOp::create(
            b, loc, init.getType(), ValueRange{cols}, ValueRange{init},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(1),
                                AffineMap::get(1, 0, {}, b.getContext())},
            ArrayRef<IteratorType>{red},
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              LB::yield(nb, nl,
                        arith::AddFOp::create(nb, nl, a[1], a[0],
                                              arith::FastMathFlags::reassoc));
            })
            .getResult(0);
    sum = tensor::ExtractOp::create(b, loc, total, ValueRange{});
  }
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, sum, sum);
}

/// Relative cost of running a static pattern with (br x bc) tiles: the area
/// of the visited blocks, partial ones weighted for their mask evaluation
/// and the masked half they compute for nothing, divided by `eff`, the
/// relative efficiency of the tile size.
static double tileCost(MaskAttrInterface mask, int64_t lq, int64_t lk,
                       int64_t heads, int64_t br, int64_t bc, double eff) {
  constexpr double kPartialWeight = 1.5;
  double cost = 0;
  int64_t offset = lk - lq;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t q0 = 0; q0 < lq; q0 += br)
      for (int64_t k0 = 0; k0 < lk; k0 += bc) {
        BlockKind kind =
            mask.classify(h, offset + q0, offset + std::min(lq, q0 + br), k0,
                          std::min(lk, k0 + bc));
        if (kind != BlockKind::Empty)
          cost += double(std::min(br, lq - q0)) * std::min(bc, lk - k0) *
                  (kind == BlockKind::Partial ? kPartialWeight : 1.0);
      }
  return cost / eff;
}

void FlashLowering::chooseTiles() {
  std::optional<MaskAttrInterface> mask = op.getMask();
  ArrayRef<int64_t> qShape = op.getQueryType().getShape();
  int64_t hq = qShape[1], lq = qShape[2], lk = op.getKeyType().getDimSize(2);
  if (!mask || ShapedType::isDynamic(lq) || ShapedType::isDynamic(lk) ||
      lq < 2 * 32 || (mask->isHeadDependent() && ShapedType::isDynamic(hq)))
    return;
  int64_t heads = mask->isHeadDependent() ? hq : 1;
  // Candidates: the target's sizes, and halves and quarters of the query
  // rows and halves of the keys, down to 32. A tile of relative area a runs
  // at about a^0.12 of the target tile's speed (measured on AVX-512, D = 64:
  // 128 x 128 at 0.92 of 256 x 128, 64 x 64 at 0.85 of 128 x 128).
  int64_t bestBr = qBlock, bestBc = kvBlock;
  double best = -1;
  for (int64_t br = qBlock; br >= 32 && br * 4 >= qBlock; br /= 2)
    for (int64_t bc = kvBlock; bc >= 32 && bc * 2 >= kvBlock; bc /= 2) {
      double area = double(br * bc) / double(qBlock * kvBlock);
      double cost =
          tileCost(*mask, lq, lk, heads, br, bc, std::pow(area, 0.12));
      if (best < 0 || cost < best) {
        best = cost;
        bestBr = br;
        bestBc = bc;
      }
    }
  qBlock = bestBr;
  kvBlock = bestBc;
  packedKvBlock = std::min(packedKvBlock, kvBlock);
}

Value FlashLowering::docsSorted(Value docs) {
  // sorted[b] = and over j of docs[b, j] <= docs[b, j + 1].
  Value batch = dim(docs, 0), n = dim(docs, 1);
  Value pairs = b.createOrFold<arith::MaxSIOp>(
      loc, index(0), b.createOrFold<arith::SubIOp>(loc, n, index(1)));
  OpFoldResult one = b.getIndexAttr(1), zeroIdx = b.getIndexAttr(0);
  Value head = tensor::ExtractSliceOp::create(
      b, loc, docs, ArrayRef<OpFoldResult>{zeroIdx, zeroIdx},
      ArrayRef<OpFoldResult>{getAsOpFoldResult(batch),
                             getAsOpFoldResult(pairs)},
      ArrayRef<OpFoldResult>{one, one});
  Value tail = tensor::ExtractSliceOp::create(
      b, loc, docs, ArrayRef<OpFoldResult>{zeroIdx, one},
      ArrayRef<OpFoldResult>{getAsOpFoldResult(batch),
                             getAsOpFoldResult(pairs)},
      ArrayRef<OpFoldResult>{one, one});
  Value trueV = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{trueV},
                             ValueRange{lb.empty({batch}, b.getI1Type())})
          .getResult(0);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{head, tail}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2),
                                 b.getMultiDimIdentityMap(2), lb.map(2, {0})},
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::reduction},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value ok = arith::CmpIOp::create(
                   nb, nl, arith::CmpIPredicate::sle, a[0], a[1]);
               LB::yield(nb, nl, arith::AndIOp::create(nb, nl, a[2], ok));
             })
      .getResult(0);
}

Value FlashLowering::searchDocs(Value docs, Value batch, Value n, Value id,
                                bool upper) {
  // Binary search over [lo, hi).
  Type indexTy = b.getIndexType();
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{indexTy, indexTy}, ValueRange{index(0), n},
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value more = arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::slt,
                                           args[0], args[1]);
        scf::ConditionOp::create(wb, wl, more, args);
      },
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value mid = arith::DivUIOp::create(
            wb, wl, arith::AddIOp::create(wb, wl, args[0], args[1]),
            arith::ConstantIndexOp::create(wb, wl, 2));
        Value x = LB::extractIndex(wb, wl, docs, ValueRange{batch, mid});
        Value before = arith::CmpIOp::create(wb, wl,
                                             upper ? arith::CmpIPredicate::sle
                                                   : arith::CmpIPredicate::slt,
                                             x, id);
        Value next = arith::AddIOp::create(
            wb, wl, mid, arith::ConstantIndexOp::create(wb, wl, 1));
        scf::YieldOp::create(
            wb, wl,
            ValueRange{arith::SelectOp::create(wb, wl, before, next, args[0]),
                       arith::SelectOp::create(wb, wl, before, args[1], mid)});
      });
  return loop.getResult(0);
}

FlashLowering::RuntimeBounds
FlashLowering::runtimeBounds(Value batch, Value q0, Value rowSpan,
                             Value qOffset, Value lk, Value sortedDocs) {
  RuntimeBounds r;
  r.docs = op.getDocIds();
  r.batch = batch;
  if (!op.hasRuntimeMask())
    return r;
  r.any = true;
  using P = arith::CmpIPredicate;
  auto read = [&](Value t, ValueRange idx) {
    return LB::extractIndex(b, loc, t, idx);
  };
  Value zeroI = index(0), oneI = index(1);
  Value trueV = arith::ConstantIntOp::create(b, loc, 1, 1);
  r.kBegin = zeroI;
  r.kEnd = lk;
  r.rowsAllValid = trueV;
  Value rowEnd = arith::AddIOp::create(b, loc, q0, rowSpan);
  if (Value kvLengths = op.getKvLengths())
    r.kEnd = arith::MaxSIOp::create(
        b, loc, zeroI,
        arith::MinSIOp::create(b, loc, r.kEnd, read(kvLengths, batch)));
  if (Value qLengths = op.getQLengths()) {
    Value qLimit = read(qLengths, batch);
    r.rowsAllValid = arith::CmpIOp::create(b, loc, P::sle, rowEnd, qLimit);
    // A work item whose rows are all past q_lengths keeps nothing.
    Value none = arith::CmpIOp::create(b, loc, P::sge, q0, qLimit);
    r.kEnd = arith::SelectOp::create(b, loc, none, zeroI, r.kEnd);
  }
  if (Value docs = op.getDocIds()) {
    // Rows at negative positions (Lq > Lk) have no document.
    Value first = arith::AddIOp::create(b, loc, q0, qOffset);
    Value last = arith::SubIOp::create(
        b, loc, arith::AddIOp::create(b, loc, rowEnd, qOffset), oneI);
    Value anyRow = arith::CmpIOp::create(b, loc, P::sge, last, zeroI);
    Value lastPos = arith::MaxSIOp::create(b, loc, last, zeroI);
    Value firstPos = arith::MaxSIOp::create(b, loc, first, zeroI);
    r.docLo = read(docs, ValueRange{batch, firstPos});
    r.docHi = read(docs, ValueRange{batch, lastPos});
    r.sorted = tensor::ExtractOp::create(b, loc, sortedDocs, batch);
    r.rowsAllValid = arith::AndIOp::create(
        b, loc, r.rowsAllValid,
        arith::CmpIOp::create(b, loc, P::sge, first, zeroI));
    // Sorted ids: keys of the rows' documents lie in [lower_bound(docLo),
    // upper_bound(docHi)). Unsorted: everywhere.
    auto ifOp = scf::IfOp::create(
        b, loc, r.sorted,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(
              b, loc,
              ValueRange{searchDocs(docs, batch, lk, r.docLo, false),
                         searchDocs(docs, batch, lk, r.docHi, true)});
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(eb, el, ValueRange{zeroI, lk});
        });
    r.kBegin = ifOp.getResult(0);
    r.kEnd = arith::MinSIOp::create(b, loc, r.kEnd, ifOp.getResult(1));
    r.kEnd = arith::SelectOp::create(b, loc, anyRow, r.kEnd, zeroI);
  }
  return r;
}

Value FlashLowering::RuntimeBounds::partial(OpBuilder &b, Location loc,
                                            Value k0, Value bc) const {
  using P = arith::CmpIPredicate;
  Value end = arith::AddIOp::create(b, loc, k0, bc);
  // Full only if every row is valid and the block is inside [kBegin, kEnd)
  // ...
  Value full = arith::AndIOp::create(
      b, loc, rowsAllValid,
      arith::AndIOp::create(b, loc,
                            arith::CmpIOp::create(b, loc, P::sge, k0, kBegin),
                            arith::CmpIOp::create(b, loc, P::sle, end, kEnd)));
  if (docs) {
    // ... and, with documents, rows and keys are all one (sorted) document.
    auto read = [&](Value pos) {
      return LB::extractIndex(b, loc, docs, ValueRange{batch, pos});
    };
    Value lastKey = arith::SubIOp::create(
        b, loc, end, arith::ConstantIndexOp::create(b, loc, 1));
    Value one = arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::eq, docLo, docHi),
        arith::AndIOp::create(
            b, loc, arith::CmpIOp::create(b, loc, P::eq, read(k0), docLo),
            arith::CmpIOp::create(b, loc, P::eq, read(lastKey), docLo)));
    full = arith::AndIOp::create(b, loc, full,
                                 arith::AndIOp::create(b, loc, sorted, one));
  }
  return arith::XOrIOp::create(b, loc, full,
                               arith::ConstantIntOp::create(b, loc, 1, 1));
}

Value FlashLowering::RuntimeBounds::visible(OpBuilder &b, Location loc,
                                            Value k0, Value bc) const {
  using P = arith::CmpIPredicate;
  Value end = arith::AddIOp::create(b, loc, k0, bc);
  return arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, P::slt, k0, kEnd),
      arith::CmpIOp::create(b, loc, P::sgt, end, kBegin));
}

FlashLowering::Problem FlashLowering::readProblem() {
  Problem p;
  p.q = op.getQuery(), p.k = op.getKey(), p.v = op.getValue();
  p.storage = op.getResultType().getElementType();
  p.batch = dim(p.q, 0), p.hq = dim(p.q, 1), p.lq = dim(p.q, 2);
  p.headDim = dim(p.q, 3), p.hkv = dim(p.k, 1), p.lk = dim(p.k, 2);
  // Packed V: Dv is the result's (static, as the verifier requires).
  p.dv = valueFormat ? index(op.getValueDim()) : dim(p.v, 3);
  // int8 K / V with scales: their own (static) head dims.
  p.kCols = keyFormat || op.hasScaledKey() ? dim(p.k, 3) : p.headDim;
  p.vCols = valueFormat || op.hasScaledValue() ? dim(p.v, 3) : p.dv;
  p.group = b.createOrFold<arith::DivUIOp>(loc, p.hq, p.hkv);
  p.qOffset = b.createOrFold<arith::SubIOp>(loc, p.lk, p.lq);
  p.scale = scaleValue(p.headDim);
  return p;
}

/// top_k needs each row's k-th largest score before any probability, so a
/// work item (b, h, query block) first computes its scores against every
/// key into an [br, Lk] buffer (O(block x L) memory, never Lq x Lk), then
/// finds the per-row threshold (LinalgBuilder::topKThreshold), and
/// accumulates P . V over the kept entries only: one row of V per kept
/// (row, key).
Value FlashLowering::lowerTopK(int64_t topK) {
  Problem p = readProblem();
  Value q = p.q, k = p.k, v = p.v, batch = p.batch, hq = p.hq, lq = p.lq,
        headDim = p.headDim, hkv = p.hkv, lk = p.lk, dv = p.dv, group = p.group,
        qOffset = p.qOffset, scale = p.scale;
  Type storage = p.storage;
  Value cQ = index(qBlock), cKv = index(kvBlock), c0 = index(0), c1 = index(1);
  Value numQBlocks = b.createOrFold<arith::CeilDivUIOp>(loc, lq, cQ);
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  Value zero = lb.f32Const(0.0);
  std::optional<MaskAttrInterface> mask = op.getMask();
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  AffineMap id2 = b.getMultiDimIdentityMap(2), rows = lb.map(2, {0});
  buildKeyMean(p);

  auto forall = scf::ForallOp::create(
      b, loc,
      SmallVector<OpFoldResult>{getAsOpFoldResult(batch), getAsOpFoldResult(hq),
                                getAsOpFoldResult(numQBlocks)},
      ValueRange{lb.empty({batch, hq, lq, dv}, storage)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1),
        qb = forall.getInductionVar(2);
  itemHead = hi;
  itemBatch = bi;
  Value q0 = arith::MulIOp::create(b, loc, qb, cQ);
  Value br =
      arith::MinSIOp::create(b, loc, cQ, arith::SubIOp::create(b, loc, lq, q0));
  Value kvHead = b.createOrFold<arith::DivUIOp>(loc, hi, group);
  Value qSlice = slice2d(q, bi, hi, q0, br, headDim);
  Value qTile =
      linalg::GenericOp::create(
          b, loc,
          RankedTensorType::get(
              {ShapedType::kDynamic,
               cast<RankedTensorType>(qSlice.getType()).getDimSize(1)},
              f32),
          ValueRange{qSlice}, ValueRange{lb.empty({br, headDim})},
          ArrayRef<AffineMap>{id2, id2}, ArrayRef<IteratorType>{par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl,
                      arith::MulFOp::create(nb, nl, LB::extToF32(nb, nl, a[0]),
                                            scale));
          })
          .getResult(0);
  if (int8Queries)
    qTile = quantizeQueries(qTile, /*keepInt8=*/false);

  // Scores of the block against every key, modified and masked.
  Value all = lb.empty({br, lk});
  auto fillLoop = scf::ForOp::create(
      b, loc, c0, lk, cKv, ValueRange{all},
      [&](OpBuilder &, Location, Value k0, ValueRange state) {
        Value bc = arith::MinSIOp::create(
            b, loc, cKv, arith::SubIOp::create(b, loc, lk, k0));
        Value kTile = floatRows(/*key=*/true, bi, kvHead, k0, bc, headDim);
        if (int8Queries && !keyFormat)
          kTile = int8KeyValues(smoothedKeys(
              kTile, bi, kvHead, lb.empty({bc, index(op.getHeadDim())})));
        Value sInit = linalg::FillOp::create(b, loc, zero, lb.empty({br, bc}))
                          .getResult(0);
        Value sTile =
            linalg::GenericOp::create(
                b, loc, sInit.getType(), ValueRange{qTile, kTile},
                ValueRange{sInit},
                ArrayRef<AffineMap>{lb.map(3, {0, 2}), lb.map(3, {1, 2}),
                                    lb.map(3, {0, 1})},
                ArrayRef<IteratorType>{par, par, red},
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value prod = arith::MulFOp::create(
                      nb, nl, a[0], LB::extToF32(nb, nl, a[1]));
                  LB::yield(nb, nl, arith::AddFOp::create(nb, nl, a[2], prod));
                })
                .getResult(0);
        sTile = linalg::GenericOp::create(
                    b, loc, sTile.getType(), ValueRange{}, ValueRange{sTile},
                    ArrayRef<AffineMap>{id2}, ArrayRef<IteratorType>{par, par},
                    [&](OpBuilder &nb, Location nl, ValueRange a) {
                      Value i = arith::AddIOp::create(
                          nb, nl, q0, linalg::IndexOp::create(nb, nl, 0));
                      Value j = arith::AddIOp::create(
                          nb, nl, k0, linalg::IndexOp::create(nb, nl, 1));
                      Value qPos = arith::AddIOp::create(nb, nl, i, qOffset);
                      Value x = a[0];
                      if (op.hasScoreMods())
                        x = buildScoreMods(nb, nl, op, x,
                                           ScoreCoords{bi, hi, i, qPos, j});
                      if (Value keep = buildKeeps(
                              nb, nl, op, ScoreCoords{bi, hi, i, qPos, j}))
                        x = arith::SelectOp::create(nb, nl, keep, x, negInf);
                      LB::yield(nb, nl, x);
                    })
                    .getResult(0);
        OpFoldResult one = b.getIndexAttr(1);
        Value next = tensor::InsertSliceOp::create(
            b, loc, sTile, state[0],
            ArrayRef<OpFoldResult>{b.getIndexAttr(0), k0},
            ArrayRef<OpFoldResult>{getAsOpFoldResult(br),
                                   getAsOpFoldResult(bc)},
            ArrayRef<OpFoldResult>{one, one});
        scf::YieldOp::create(b, loc, next);
      });
  Value scores = fillLoop.getResult(0);

  // Keep s >= threshold; p = exp(s - rowmax), l = rowsum p.
  Value threshold = lb.topKThreshold(scores, topK);
  Value mInit = lb.filled({br}, negInf);
  Value m = rowReduce(
      scores, mInit, [](OpBuilder &nb, Location nl, Value x, Value acc) {
        return arith::MaximumFOp::create(nb, nl, x, acc).getResult();
      });
  Value probs =
      linalg::GenericOp::create(
          b, loc, scores.getType(), ValueRange{threshold, m},
          ValueRange{scores}, ArrayRef<AffineMap>{rows, rows, id2},
          ArrayRef<IteratorType>{par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            using P = arith::CmpFPredicate;
            // A NaN score (the row max is NaN then) makes every weight of
            // the row NaN: the threshold never selects it, but the row must
            // not quietly drop it (docs/Numerics.md).
            Value kept = arith::OrIOp::create(
                nb, nl,
                arith::AndIOp::create(
                    nb, nl, arith::CmpFOp::create(nb, nl, P::OGE, a[2], a[0]),
                    arith::CmpFOp::create(nb, nl, P::ONE, a[2], negInf)),
                arith::CmpFOp::create(nb, nl, P::UNO, a[1], a[1]));
            Value e = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, a[2], a[1]));
            LB::yield(nb, nl, arith::SelectOp::create(nb, nl, kept, e, zero));
          })
          .getResult(0);
  Value l =
      rowReduce(probs, lb.filled({br}, zero),
                [](OpBuilder &nb, Location nl, Value x, Value acc) {
                  return arith::AddFOp::create(nb, nl, x, acc).getResult();
                });

  // o[r] = sum over kept keys j of p[r, j] * V[j].
  Value oInit = lb.filled({br, dv}, zero);
  auto rowLoop = scf::ForOp::create(
      b, loc, c0, br, c1, ValueRange{oInit},
      [&](OpBuilder &, Location, Value r, ValueRange rowState) {
        auto keyLoop = scf::ForOp::create(
            b, loc, c0, lk, c1, ValueRange{rowState[0]},
            [&](OpBuilder &, Location, Value j, ValueRange state) {
              Value p =
                  tensor::ExtractOp::create(b, loc, probs, ValueRange{r, j});
              Value keptKey = arith::CmpFOp::create(
                  b, loc, arith::CmpFPredicate::ONE, p, zero);
              auto ifOp = scf::IfOp::create(
                  b, loc, keptKey,
                  [&](OpBuilder &tb, Location tl) {
                    OpFoldResult one = tb.getIndexAttr(1);
                    Value oRow = tensor::ExtractSliceOp::create(
                        tb, tl, state[0],
                        ArrayRef<OpFoldResult>{r, tb.getIndexAttr(0)},
                        ArrayRef<OpFoldResult>{one, getAsOpFoldResult(dv)},
                        ArrayRef<OpFoldResult>{one, one});
                    Value vRow =
                        floatRows(/*key=*/false, bi, kvHead, j, c1, dv);
                    Value updated =
                        linalg::GenericOp::create(
                            tb, tl, oRow.getType(), ValueRange{vRow},
                            ValueRange{oRow}, ArrayRef<AffineMap>{id2, id2},
                            ArrayRef<IteratorType>{par, par},
                            [&](OpBuilder &nb, Location nl, ValueRange a) {
                              Value prod = arith::MulFOp::create(
                                  nb, nl, p, LB::extToF32(nb, nl, a[0]));
                              LB::yield(
                                  nb, nl,
                                  arith::AddFOp::create(nb, nl, a[1], prod));
                            })
                            .getResult(0);
                    Value next = tensor::InsertSliceOp::create(
                        tb, tl, updated, state[0],
                        ArrayRef<OpFoldResult>{r, tb.getIndexAttr(0)},
                        ArrayRef<OpFoldResult>{one, getAsOpFoldResult(dv)},
                        ArrayRef<OpFoldResult>{one, one});
                    scf::YieldOp::create(tb, tl, next);
                  },
                  [&](OpBuilder &eb, Location el) {
                    scf::YieldOp::create(eb, el, state[0]);
                  });
              scf::YieldOp::create(b, loc, ifOp.getResult(0));
            });
        scf::YieldOp::create(b, loc, keyLoop.getResult(0));
      });
  Value o = rowLoop.getResult(0);

  Value outInit = lb.empty({br, dv}, storage);
  Value oTile =
      linalg::GenericOp::create(
          b, loc, outInit.getType(), ValueRange{o, l}, ValueRange{outInit},
          ArrayRef<AffineMap>{id2, rows, id2}, ArrayRef<IteratorType>{par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl, LB::safeDivide(nb, nl, a[0], a[1], storage));
          })
          .getResult(0);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  OpFoldResult one = b.getIndexAttr(1), zeroIdx = b.getIndexAttr(0);
  tensor::ParallelInsertSliceOp::create(
      b, loc, oTile, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{bi, hi, q0, zeroIdx},
      ArrayRef<OpFoldResult>{one, one, getAsOpFoldResult(br),
                             getAsOpFoldResult(dv)},
      ArrayRef<OpFoldResult>{one, one, one, one});
  b.setInsertionPointAfter(forall);
  return forall.getResult(0);
}

/// In stages: planSchedule (how the work is divided), then, in each work
/// item of the parallel loop, beginWorkItem (its rows and query tiles),
/// keyLoopRange (the keys it visits), buildKeyLoop (the online softmax over
/// them, kvStep per block) and writeWorkItem (normalise, store); split-KV
/// partial results are merged after the loop (combineSplits).
Value FlashLowering::lower() {
  if (std::optional<int64_t> topK = op.getTopK())
    return lowerTopK(*topK);
  if (autoTiles)
    chooseTiles();
  Problem p = readProblem();
  Schedule s = planSchedule(p);

  // A differential pair needs plain (unpacked, unsplit) tiles; the caller
  // decomposes it otherwise (nothing built so far is used).
  if (diffPair && (packedLq || s.splits > 1))
    return Value();
  SdpaOp partner = diffPair ? diffPair->second : SdpaOp();

  SmallVector<Value> outputs;
  SmallVector<OpFoldResult> bounds = s.bounds;
  if (s.splits > 1) {
    outputs = {lb.filled({index(s.splits), p.batch, p.hq, p.lq, p.dv}, s.zero),
               lb.filled({index(s.splits), p.batch, p.hq, p.lq}, s.negInf)};
    bounds.push_back(b.getIndexAttr(s.splits));
  } else {
    outputs = {lb.empty({p.batch, p.hq, p.lq, p.dv}, p.storage)};
  }
  // Whether each batch's document ids are sorted, once per call: sorted ids
  // (packed sequences) let every work item bound its keys by binary search.
  Value sortedDocs = op.getDocIds() ? docsSorted(op.getDocIds()) : Value();
  chooseValuePrecision(s.kvb);
  buildKeyMean(p);
  repackOnce(p, s, static_cast<bool>(partner));
  auto forall = scf::ForallOp::create(b, loc, bounds, outputs, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getBody()->getTerminator());
    WorkItem w = beginWorkItem(forall, p, s, partner);
    KeyLoop kl = keyLoopRange(p, s, w, sortedDocs);
    scf::ForOp loop = buildKeyLoop(p, s, w, kl, partner);
    writeWorkItem(forall, p, s, w, loop, partner);
  }
  b.setInsertionPointAfter(forall);
  if (s.splits == 1)
    return forall.getResult(0);
  return combineSplits(forall.getResult(0), forall.getResult(1), p.storage);
}

FlashLowering::Schedule FlashLowering::planSchedule(const Problem &p) {
  Value batch = p.batch, hq = p.hq, lq = p.lq, hkv = p.hkv, lk = p.lk;
  Schedule s;
  s.cQ = index(qBlock);
  s.c0 = index(0);
  s.numQBlocks = b.createOrFold<arith::CeilDivUIOp>(loc, lq, s.cQ);
  s.negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  s.zero = lb.f32Const(0.0);
  std::optional<MaskAttrInterface> mask = op.getMask();
  s.causal = mask && isa<CausalAttr>(*mask);
  Value numQBlocks = s.numQBlocks;

  // GQA packing: when the G query heads sharing a KV head have few rows in
  // all (decode), one work item takes all of them as the rows of a single
  // tile, so that each key/value block is read once instead of G times.
  std::optional<int64_t> hqC = getConstantIntValue(hq),
                         hkvC = getConstantIntValue(hkv),
                         lqC = getConstantIntValue(lq);
  groupC = hqC && hkvC && *hkvC > 0 ? *hqC / *hkvC : 0;
  constexpr int64_t kMaxPackedRows = 16;
  if (groupC > 1 && lqC && *lqC > 0 &&
      groupC * *lqC <= std::min(qBlock, kMaxPackedRows))
    packedLq = *lqC;
  s.cKv = index(packedLq ? packedKvBlock : kvBlock);

  SmallVector<OpFoldResult> &bounds = s.bounds;
  bounds = {getAsOpFoldResult(batch), getAsOpFoldResult(hq),
            getAsOpFoldResult(numQBlocks)};
  if (packedLq)
    bounds = {getAsOpFoldResult(batch), getAsOpFoldResult(hkv),
              b.getIndexAttr(1)};

  // Split-KV: with too few work items to fill a machine (decode, and above
  // all multi-query decode), each item also takes one of `splits` ranges of
  // keys; the partial results are combined after the parallel loop with the
  // log-sum-exp rule (SEMANTICS.md, "Split-KV").
  int64_t kvb = s.kvb = packedLq ? packedKvBlock : kvBlock;
  int64_t &splits = s.splits, &chunk = s.chunk;
  {
    int64_t items = 1;
    for (OpFoldResult ofr : bounds) {
      std::optional<int64_t> c = getConstantIntValue(ofr);
      items = c ? items * *c : -1;
      if (!c)
        break;
    }
    std::optional<int64_t> lkC = getConstantIntValue(lk);
    if (items > 0 && items < splitMinItems && lkC) {
      splits = std::min((splitMinItems + items - 1) / items, *lkC / (2 * kvb));
      if (splits >= 2)
        chunk = ((*lkC + splits - 1) / splits + kvb - 1) / kvb * kvb;
      else
        splits = 1;
    }
  }

  // Static patterns on static shapes: classify every (query block, key
  // block) at compile time and keep, per query block, the compact list of
  // the non-empty key blocks (CSR: offsets, then entries = block * 2 +
  // partial). Only partial blocks evaluate the mask.
  if (mask && !s.causal && lqC && getConstantIntValue(lk) &&
      (!mask->isHeadDependent() || hqC))
    s.lists = classifyBlocks(*mask, *lqC, *getConstantIntValue(lk),
                             hqC.value_or(1), kvb);

  return s;
}

FlashLowering::WorkItem FlashLowering::beginWorkItem(scf::ForallOp forall,
                                                     const Problem &p,
                                                     const Schedule &s,
                                                     SdpaOp partner) {
  Value q = p.q, lq = p.lq, headDim = p.headDim, group = p.group,
        scale = p.scale, cQ = s.cQ, c0 = s.c0;
  WorkItem w;
  Value bi = w.bi = forall.getInductionVar(0),
        hi = w.hi = forall.getInductionVar(1),
        qb = w.qb = forall.getInductionVar(2);
  w.split = s.splits > 1 ? forall.getInductionVar(3) : Value();
  itemHead = hi;
  itemBatch = bi;
  // Query positions this work item covers: [q0, q0 + rowSpan).
  Value &q0 = w.q0, &br = w.br, &rowSpan = w.rowSpan, &kvHead = w.kvHead;
  if (packedLq) {
    q0 = c0;
    br = index(groupC * packedLq);
    rowSpan = lq;
    kvHead = hi;
  } else {
    q0 = arith::MulIOp::create(b, loc, qb, cQ);
    br = arith::MinSIOp::create(b, loc, cQ,
                                arith::SubIOp::create(b, loc, lq, q0));
    rowSpan = br;
    kvHead = b.createOrFold<arith::DivUIOp>(loc, hi, group);
  }
  itemKvHead = kvHead;

  // The query block, widened to f32 and scaled once.
  AffineMap id2 = b.getMultiDimIdentityMap(2);
  Value &qTile = w.qTile;
  if (packedLq) {
    // Row r of the tile is position r % Lq of query head hkv * G + r / Lq.
    Value qInit = lb.empty({br, headDim});
    qTile = linalg::GenericOp::create(
                b, loc, qInit.getType(), ValueRange{}, ValueRange{qInit},
                ArrayRef<AffineMap>{id2},
                ArrayRef<IteratorType>{IteratorType::parallel,
                                       IteratorType::parallel},
                [&](OpBuilder &nb, Location nl, ValueRange) {
                  Value r = linalg::IndexOp::create(nb, nl, 0);
                  Value d = linalg::IndexOp::create(nb, nl, 1);
                  Value lqV = arith::ConstantIndexOp::create(nb, nl, packedLq);
                  Value h = arith::AddIOp::create(
                      nb, nl,
                      arith::MulIOp::create(
                          nb, nl, hi,
                          arith::ConstantIndexOp::create(nb, nl, groupC)),
                      arith::DivUIOp::create(nb, nl, r, lqV));
                  Value i = arith::RemUIOp::create(nb, nl, r, lqV);
                  Value x = tensor::ExtractOp::create(nb, nl, q,
                                                      ValueRange{bi, h, i, d});
                  LB::yield(nb, nl,
                            arith::MulFOp::create(
                                nb, nl, LB::extToF32(nb, nl, x), scale));
                })
                .getResult(0);
  }
  auto scaledQuery = [&](Value query) -> Value {
    Value qSlice = slice2d(query, bi, hi, q0, br, headDim);
    return linalg::GenericOp::create(
               b, loc,
               RankedTensorType::get(
                   cast<RankedTensorType>(qSlice.getType()).getShape(), f32),
               ValueRange{qSlice}, ValueRange{lb.empty({br, headDim})},
               ArrayRef<AffineMap>{id2, id2},
               ArrayRef<IteratorType>{IteratorType::parallel,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 LB::yield(nb, nl,
                           arith::MulFOp::create(
                               nb, nl, LB::extToF32(nb, nl, a[0]), scale));
               })
        .getResult(0);
  };
  if (!packedLq)
    qTile = scaledQuery(q);
  if (int8Queries)
    qTile = quantizeQueries(qTile, /*keepInt8=*/integerScores(packedLq != 0));
  // Elementwise on the tensor: convert-elementwise-to-linalg makes it a
  // loop after this pass.
  if (bf16Scores)
    bf16Query = arith::TruncFOp::create(
        b, loc,
        RankedTensorType::get(
            cast<RankedTensorType>(qTile.getType()).getShape(),
            b.getBF16Type()),
        qTile);
  w.partnerQTile = partner ? scaledQuery(partner.getQuery()) : Value();

  return w;
}

FlashLowering::KeyLoop FlashLowering::keyLoopRange(const Problem &p,
                                                   const Schedule &s,
                                                   const WorkItem &w,
                                                   Value sortedDocs) {
  Value lk = p.lk, qOffset = p.qOffset, c0 = s.c0;
  Value bi = w.bi, q0 = w.q0, rowSpan = w.rowSpan;
  bool causal = s.causal;
  KeyLoop kl;
  // Causal: the last row of the block sees keys up to
  // q0 + rowSpan - 1 + offset, so key blocks past that are never visited.
  Value &kvEnd = kl.kvEnd;
  kvEnd = lk;
  if (causal) {
    Value last = arith::AddIOp::create(
        b, loc, arith::AddIOp::create(b, loc, q0, rowSpan), qOffset);
    kvEnd = arith::MaxSIOp::create(b, loc, c0,
                                   arith::MinSIOp::create(b, loc, lk, last));
  }

  RuntimeBounds &keyRange = kl.keyRange;
  keyRange = runtimeBounds(bi, q0, rowSpan, qOffset, lk, sortedDocs);

  return kl;
}

void FlashLowering::loopRange(const Problem &p, const Schedule &s,
                              const WorkItem &w, KeyLoop &kl) {
  Value c0 = s.c0, cKv = s.cKv, kvEnd = kl.kvEnd;
  Value hi = w.hi, qb = w.qb, split = w.split;
  const RuntimeBounds &keyRange = kl.keyRange;
  const std::optional<BlockLists> &lists = s.lists;
  int64_t splits = s.splits, chunk = s.chunk;
  // The loop runs either over key positions (step Bc), or, with block
  // lists, over the entries of this work item's list.
  Value &loopBegin = kl.begin, &loopEnd = kl.end, &loopStep = kl.step;
  loopBegin = c0, loopEnd = kvEnd, loopStep = cKv;
  Value &offsetsTable = kl.offsetsTable, &entriesTable = kl.entriesTable;
  if (lists) {
    auto table = [&](ArrayRef<int32_t> values) -> Value {
      auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                        b.getI32Type());
      return arith::ConstantOp::create(b, loc,
                                       DenseIntElementsAttr::get(type, values));
    };
    offsetsTable = table(lists->offsets);
    entriesTable = table(lists->entries);
    // List row: (head of the list, query block).
    Value row = qb;
    if (lists->heads > 1)
      row = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, hi, index(lists->qBlocks)), qb);
    loopBegin = LB::extractIndex(b, loc, offsetsTable, row);
    loopEnd =
        LB::extractIndex(b, loc, offsetsTable,
                         Value(arith::AddIOp::create(b, loc, row, index(1))));
    loopStep = index(1);
    if (split) {
      // Each split takes an equal share of the list's entries.
      Value count = arith::SubIOp::create(b, loc, loopEnd, loopBegin);
      Value share = arith::CeilDivUIOp::create(b, loc, count, index(splits));
      Value first = arith::MinSIOp::create(
          b, loc, loopEnd,
          arith::AddIOp::create(b, loc, loopBegin,
                                arith::MulIOp::create(b, loc, split, share)));
      loopEnd = arith::MinSIOp::create(
          b, loc, loopEnd, arith::AddIOp::create(b, loc, first, share));
      loopBegin = first;
    }
  } else if (split) {
    loopBegin = arith::MulIOp::create(b, loc, split, index(chunk));
    loopEnd = arith::MinSIOp::create(
        b, loc, kvEnd, arith::AddIOp::create(b, loc, loopBegin, index(chunk)));
  }
  if (!lists && keyRange.any) {
    // Key blocks outside [kBegin, kEnd) keep nothing: start at the block
    // holding kBegin (block-aligned), stop at kEnd.
    Value aligned = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, keyRange.kBegin, cKv), cKv);
    loopBegin = arith::MaxSIOp::create(b, loc, loopBegin, aligned);
    loopEnd = arith::MinSIOp::create(b, loc, loopEnd, keyRange.kEnd);
  }
}

/// A RowPrefetch for rows `ahead` past those a loop reads, of head `head`
/// of `t` ([B, H, L, cols]): per row, one prefetch per 64 bytes, which
/// touches every cache line of contiguous rows; rows past `end` are
/// clamped to the last one, so nothing outside the tensor is touched. A
/// decode step over a q8_0 / q4_0 cache does little arithmetic per byte:
/// without prefetches each block waited on memory the hardware prefetcher
/// had not asked for yet. Issued inside the loops that read the rows (a
/// few per group of keys) rather than as one burst per block, which filled
/// the load queue with prefetches waiting for miss buffers.
RowPrefetch FlashLowering::rowPrefetch(Value t, Value batch, Value head,
                                       Value ahead, Value end, Value cols) {
  return [=](OpBuilder &pb, Location pl, Value first, int64_t rows) {
    auto type = cast<RankedTensorType>(t.getType());
    auto memrefType = bufferization::getMemRefTypeWithFullyDynamicLayout(type);
    Value buffer = bufferization::ToBufferOp::create(
        pb, pl, cast<BaseMemRefType>(memrefType), t, /*readOnly=*/true);
    auto cIndex = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(pb, pl, v);
    };
    Value last = arith::SubIOp::create(pb, pl, end, cIndex(1));
    Value base = arith::AddIOp::create(pb, pl, ahead, first);
    // 64 bytes of elements between prefetches (a row's `cols` count them).
    int64_t bits = type.getElementType().getIntOrFloatBitWidth();
    int64_t step = std::max<int64_t>(1, 512 / bits);
    for (int64_t r = 0; r < rows; ++r) {
      Value row = arith::MinSIOp::create(
          pb, pl, arith::AddIOp::create(pb, pl, base, cIndex(r)), last);
      scf::ForOp::create(pb, pl, cIndex(0), cols, cIndex(step), ValueRange{},
                         [&](OpBuilder &cb, Location cl, Value c, ValueRange) {
                           memref::PrefetchOp::create(
                               cb, cl, buffer, ValueRange{batch, head, row, c},
                               /*isWrite=*/false, 3,
                               /*isDataCache=*/true);
                           scf::YieldOp::create(cb, cl);
                         });
    }
  };
}

scf::ForOp FlashLowering::buildKeyLoop(const Problem &p, const Schedule &s,
                                       const WorkItem &w, KeyLoop &kl,
                                       SdpaOp partner) {
  Value k = p.k, v = p.v, headDim = p.headDim, dv = p.dv, qOffset = p.qOffset,
        cKv = s.cKv, negInf = s.negInf, zero = s.zero;
  Value bi = w.bi, kvHead = w.kvHead, q0 = w.q0, br = w.br, qTile = w.qTile,
        partnerQTile = w.partnerQTile;
  Value kvEnd = kl.kvEnd;
  const RuntimeBounds &keyRange = kl.keyRange;
  const std::optional<BlockLists> &lists = s.lists;
  bool causal = s.causal;
  std::optional<MaskAttrInterface> mask = op.getMask();
  Scratch scratch{lb.empty({headDim, cKv}), lb.empty({cKv, headDim}),
                  lb.empty({cKv, dv}),      lb.empty({br, cKv}),
                  lb.empty({br, cKv}),      lb.empty({br}),
                  lb.empty({dv}),           lb.empty({})};
  if (bf16Scores)
    // bf16 scores: a buffer of their own, as for int8 below.
    scratch.intScores = bufferization::AllocTensorOp::create(
        b, loc,
        RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic},
                              f32),
        ValueRange{br, cKv});
  if (bf16Values)
    scratch.probBytes = bufferization::AllocTensorOp::create(
        b, loc,
        RankedTensorType::get({ShapedType::kDynamic, s.kvb}, b.getBF16Type()),
        ValueRange{br});
  if (int8Queries) {
    // Room for the keys padded to whole steps of the int8 tile kernel.
    Value room = int8TileRoom(b, loc, cKv, int8Dot, int8Lanes);
    // The int8 kernels' scores get a buffer of their own (an allocation,
    // which CSE does not merge with the probabilities' empty tensor of the
    // same shape): sharing one made bufferization copy S in every KV step.
    scratch.intScores = bufferization::AllocTensorOp::create(
        b, loc,
        RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic},
                              f32),
        ValueRange{br, room});
    if (int8Dot != Int8Dot::Generic && !allKeyWords) {
      int64_t d = op.getHeadDim();
      auto empty = [&](int64_t rows, Value cols, Type element) -> Value {
        return tensor::EmptyOp::create(
            b, loc, ArrayRef<int64_t>{rows, ShapedType::kDynamic}, element,
            ValueRange{cols});
      };
      scratch.keyWords =
          empty(int8KeyWordRows(d, int8Mmla),
                int8KeyWordCols(b, loc, room, int8Mmla), b.getI32Type());
      scratch.keyScales =
          empty(d / 32, int8KeyWordCols(b, loc, room, int8Mmla), f32);
    }
  }
  if (keyMean && !allKeyWords)
    scratch.smoothKeys = bufferization::AllocTensorOp::create(
        b, loc, RankedTensorType::get({s.kvb, op.getHeadDim()}, f32),
        ValueRange{});
  if (int8Values) {
    // Allocations of their own, like intScores: never merged with another
    // scratch tile of the same type.
    auto alloc = [&](int64_t rows, Value rowsV, int64_t cols, Type element) {
      auto type = RankedTensorType::get({rows, cols}, element);
      return bufferization::AllocTensorOp::create(
          b, loc, type, rowsV ? ValueRange{rowsV} : ValueRange{});
    };
    int64_t kvb = s.kvb;
    scratch.probBytes =
        alloc(ShapedType::kDynamic, br, kvb, b.getIntegerType(8));
    auto vector1d = [&]() -> Value {
      return bufferization::AllocTensorOp::create(
          b, loc, RankedTensorType::get({ShapedType::kDynamic}, f32),
          ValueRange{br});
    };
    scratch.blockMax = vector1d();
    scratch.rowWeight = vector1d();
  }
  Value mInit = lb.filled({br}, negInf);
  Value lInit = lb.filled({br}, zero);
  Value oInit = lb.filled({br, dv}, zero);

  loopRange(p, s, w, kl);
  Value entriesTable = kl.entriesTable;
  SmallVector<Value> init = {mInit, lInit, oInit};
  if (partner)
    init.append({lb.filled({br}, negInf), lb.filled({br}, zero),
                 lb.filled({br, dv}, zero)});
  return scf::ForOp::create(
      b, loc, kl.begin, kl.end, kl.step, init,
      [&](OpBuilder &, Location, Value iv, ValueRange state) {
        // The prefetch hooks live for this step's IR only.
        llvm::scope_exit resetPrefetch([&] {
          keyPrefetch = {};
          valuePrefetch = {};
        });
        // Which blocks need the mask evaluated: with block lists, those
        // classified partial; for causal, those whose last key is past the
        // first row's position; for any other pattern, all.
        Value k0 = iv, needsMask;
        if (lists) {
          Value entry =
              tensor::ExtractOp::create(b, loc, entriesTable, ValueRange{iv});
          Value i32One =
              arith::ConstantIntOp::create(b, loc, b.getI32Type(), 1);
          Value blockIdx = arith::IndexCastOp::create(
              b, loc, b.getIndexType(),
              arith::ShRUIOp::create(b, loc, entry, i32One));
          k0 = arith::MulIOp::create(b, loc, blockIdx, cKv);
          needsMask = arith::TruncIOp::create(
              b, loc, b.getI1Type(),
              arith::AndIOp::create(b, loc, entry, i32One));
        }
        Value bc = arith::MinSIOp::create(
            b, loc, cKv, arith::SubIOp::create(b, loc, kvEnd, k0));
        // Packed K/V tiles are [bc, row bytes] i8, dequantized in kvStep
        // and valueBlock.
        Value kTile = slice2d(k, bi, kvHead, k0, bc, p.kCols);
        Value vTile = slice2d(v, bi, kvHead, k0, bc, p.vCols);
        if (packedLq) {
          // Decode: rows two blocks ahead prefetched by the loops that
          // dequantize or widen K / V blocks (f32 blocks are read in place
          // by the micro-kernels, which take no hooks; measured: the
          // distance barely matters past one block).
          Value ahead = arith::AddIOp::create(
              b, loc, k0, arith::MulIOp::create(b, loc, cKv, index(2)));
          keyPrefetch = rowPrefetch(k, bi, kvHead, ahead, kvEnd, p.kCols);
          valuePrefetch = rowPrefetch(v, bi, kvHead, ahead, kvEnd, p.vCols);
        }
        // int8 K / V with scales: dequantized into the step's scratch
        // tiles, which the step then reads as f32 blocks; only for blocks
        // the step visits.
        auto floatTiles = [&]() -> std::pair<Value, Value> {
          Value kF = kTile, vF = vTile;
          if (op.hasScaledKey())
            kF = scaledRows(/*key=*/true, kTile, bi, kvHead, k0,
                            head2d(scratch.keys, bc, p.kCols), keyPrefetch);
          if (op.hasScaledValue())
            vF = scaledRows(/*key=*/false, vTile, bi, kvHead, k0,
                            head2d(scratch.values, bc, p.vCols), valuePrefetch);
          return {kF, vF};
        };
        // (With lists, needsMask is the entry's partial bit, set above.)
        if (!lists && causal) {
          Value lastKey = arith::SubIOp::create(
              b, loc, arith::AddIOp::create(b, loc, k0, bc), index(1));
          Value firstRow = arith::AddIOp::create(b, loc, q0, qOffset);
          needsMask = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                            lastKey, firstRow);
        } else if (!lists && mask) {
          needsMask = arith::ConstantIntOp::create(b, loc, 1, 1);
        }
        if (keyRange.any) {
          Value partial = keyRange.partial(b, loc, k0, bc);
          needsMask =
              needsMask
                  ? arith::OrIOp::create(b, loc, needsMask, partial).getResult()
                  : partial;
        }
        if (!lists || !keyRange.any) {
          auto [kF, vIn] = floatTiles();
          Value vF = valueBlock(vIn, scratch, needsMask);
          SmallVector<Value> next = kvStep(qTile, kF, vF, state.take_front(3),
                                           scratch, needsMask, q0, k0, qOffset);
          if (partner) {
            // The partner's map: its own keys, the same value block (copied
            // once), the same scratch tiles (used one map after the other).
            Value partnerKTile =
                slice2d(partner.getKey(), bi, kvHead, k0, bc, headDim);
            next.append(kvStep(partnerQTile, partnerKTile, vF,
                               state.drop_front(3), scratch, needsMask, q0, k0,
                               qOffset));
          }
          scf::YieldOp::create(b, loc, next);
          return;
        }
        // A listed block may still lie outside the run-time key range.
        auto visible = scf::IfOp::create(
            b, loc, keyRange.visible(b, loc, k0, bc),
            [&](OpBuilder &, Location) {
              auto [kF, vIn] = floatTiles();
              scf::YieldOp::create(
                  b, loc,
                  kvStep(qTile, kF, valueBlock(vIn, scratch, needsMask), state,
                         scratch, needsMask, q0, k0, qOffset));
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, state);
            });
        scf::YieldOp::create(b, loc, visible.getResults());
      });
}

void FlashLowering::writeWorkItem(scf::ForallOp forall, const Problem &p,
                                  const Schedule &s, const WorkItem &w,
                                  scf::ForOp loop, SdpaOp partner) {
  Value dv = p.dv, negInf = s.negInf, zero = s.zero;
  Value bi = w.bi, hi = w.hi, split = w.split, q0 = w.q0, br = w.br;
  Type storage = p.storage;
  Value m = loop.getResult(0), l = loop.getResult(1), o = loop.getResult(2);
  OpFoldResult one = b.getIndexAttr(1), zeroIdx = b.getIndexAttr(0);
  MLIRContext *ctx = b.getContext();

  // The work item's rows in the output's layout: [br] rows of head h from
  // q0, or, packed, [G, Lq] (row g * Lq + i of the tile is head
  // hkv * G + g, position i). Builds a tensor of that layout (with a column
  // dimension of Dv when `withCols`) from [rows, Dv] / [rows] tiles.
  auto buildTile =
      [&](ValueRange ins, bool withCols, Type elt,
          function_ref<void(OpBuilder &, Location, ValueRange)> body) {
        SmallVector<OpFoldResult> shape;
        if (packedLq)
          shape = {b.getIndexAttr(groupC), b.getIndexAttr(packedLq)};
        else
          shape = {getAsOpFoldResult(br)};
        if (withCols)
          shape.push_back(getAsOpFoldResult(dv));
        unsigned n = shape.size();
        AffineExpr row =
            packedLq ? b.getAffineDimExpr(0) * packedLq + b.getAffineDimExpr(1)
                     : b.getAffineDimExpr(0);
        SmallVector<AffineMap> maps;
        for (Value in : ins) {
          if (cast<RankedTensorType>(in.getType()).getRank() == 2)
            maps.push_back(
                AffineMap::get(n, 0, {row, b.getAffineDimExpr(n - 1)}, ctx));
          else
            maps.push_back(AffineMap::get(n, 0, {row}, ctx));
        }
        maps.push_back(b.getMultiDimIdentityMap(n));
        Value init = lb.empty(shape, elt);
        return linalg::GenericOp::create(
                   b, loc, init.getType(), ins, ValueRange{init}, maps,
                   SmallVector<IteratorType>(n, IteratorType::parallel), body)
            .getResult(0);
      };
  Value headBase =
      packedLq ? arith::MulIOp::create(b, loc, hi, index(groupC)).getResult()
               : hi;
  // Inserts a tile of that layout into `dest` ([splits,] B, Hq, Lq[, Dv]).
  auto insert = [&](Value tile, Value dest, bool withCols) {
    SmallVector<OpFoldResult> offsets, sizes;
    if (split) {
      offsets.push_back(split);
      sizes.push_back(one);
    }
    offsets.append({bi, headBase, packedLq ? zeroIdx : OpFoldResult(q0)});
    if (packedLq)
      sizes.append({one, b.getIndexAttr(groupC), b.getIndexAttr(packedLq)});
    else
      sizes.append({one, one, getAsOpFoldResult(br)});
    if (withCols) {
      offsets.push_back(zeroIdx);
      sizes.push_back(getAsOpFoldResult(dv));
    }
    SmallVector<OpFoldResult> strides(offsets.size(), one);
    tensor::ParallelInsertSliceOp::create(b, loc, tile, dest, offsets, sizes,
                                          strides);
  };

  // O = l == 0 ? 0 : o / l (in the storage type unless it is a split's
  // partial result); a differential pair's epilogue.
  Type outElt = split ? Type(f32) : storage;
  Value oTile =
      partner
          ? diffEpilogue(o, l, loop.getResult(5), loop.getResult(4), br, dv,
                         storage)
          : buildTile(ValueRange{o, l}, /*withCols=*/true, outElt,
                      [&](OpBuilder &nb, Location nl, ValueRange a) {
                        LB::yield(nb, nl,
                                  LB::safeDivide(nb, nl, a[0], a[1], outElt));
                      });
  Value lseTile;
  if (split)
    // LSE = m + log l, -inf for a split that kept nothing.
    lseTile = buildTile(
        ValueRange{m, l}, /*withCols=*/false, f32,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                             a[1], zero);
          Value lse = arith::AddFOp::create(nb, nl, a[0],
                                            math::LogOp::create(nb, nl, a[1]));
          LB::yield(nb, nl, arith::SelectOp::create(nb, nl, none, negInf, lse));
        });

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  insert(oTile, forall.getRegionIterArgs()[0], /*withCols=*/true);
  if (split)
    insert(lseTile, forall.getRegionIterArgs()[1], /*withCols=*/false);
}

Value FlashLowering::diffEpilogue(Value o1, Value l1, Value o2, Value l2,
                                  Value br, Value dv, Type storage) {
  auto par = IteratorType::parallel;
  AffineMap id2 = b.getMultiDimIdentityMap(2), rows = lb.map(2, {0}),
            cols = lb.map(2, {1});
  Value lambda = diffPair->lambda;
  // X = o1 / l1 - lambda o2 / l2 (a map with no kept key contributes 0).
  Value xInit = lb.empty({br, dv});
  Value x =
      linalg::GenericOp::create(
          b, loc, xInit.getType(), ValueRange{o1, l1, o2, l2},
          ValueRange{xInit}, ArrayRef<AffineMap>{id2, rows, id2, rows, id2},
          ArrayRef<IteratorType>{par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value x1 = LB::safeDivide(nb, nl, a[0], a[1], f32);
            Value x2 = LB::safeDivide(nb, nl, a[2], a[3], f32);
            LB::yield(
                nb, nl,
                arith::SubFOp::create(
                    nb, nl, x1, arith::MulFOp::create(nb, nl, lambda, x2)));
          })
          .getResult(0);
  Value sumSquares =
      rowReduce(x, lb.filled({br}, lb.f32Const(0)),
                [](OpBuilder &nb, Location nl, Value e, Value acc) -> Value {
                  Value sq = arith::MulFOp::create(nb, nl, e, e);
                  return arith::AddFOp::create(nb, nl, acc, sq,
                                               arith::FastMathFlags::reassoc);
                });
  Value width = lb.toF32(dv);
  DiffOp diff = diffPair->diff;
  Value outInit = lb.empty({br, dv}, storage);
  return linalg::GenericOp::create(
             b, loc, outInit.getType(),
             ValueRange{x, sumSquares, diff.getGain()}, ValueRange{outInit},
             ArrayRef<AffineMap>{id2, rows, cols, id2},
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               LB::yield(nb, nl,
                         diffNormalize(nb, nl, diff, a[0], a[1], a[2], width,
                                       storage));
             })
      .getResult(0);
}

FlashLowering::BlockLists FlashLowering::classifyBlocks(MaskAttrInterface mask,
                                                        int64_t lq, int64_t lk,
                                                        int64_t hq,
                                                        int64_t kvb) {
  BlockLists lists;
  int64_t rowsPerBlock = packedLq ? lq : qBlock;
  lists.qBlocks = packedLq ? 1 : (lq + qBlock - 1) / qBlock;
  bool perHead = mask.isHeadDependent();
  // A packed tile holds the G heads of a KV head; its list merges theirs.
  int64_t headsPerRow = packedLq ? groupC : 1;
  lists.heads = perHead ? hq / headsPerRow : 1;
  int64_t offset = lk - lq, kBlocks = (lk + kvb - 1) / kvb;
  lists.offsets.push_back(0);
  for (int64_t lh = 0; lh < lists.heads; ++lh)
    for (int64_t qb = 0; qb < lists.qBlocks; ++qb) {
      int64_t q0 = offset + qb * rowsPerBlock;
      int64_t q1 = offset + std::min(lq, (qb + 1) * rowsPerBlock);
      for (int64_t kb = 0; kb < kBlocks; ++kb) {
        int64_t k0 = kb * kvb, k1 = std::min(lk, k0 + kvb);
        bool any = false, all = true;
        for (int64_t g = 0; g < (perHead ? headsPerRow : 1); ++g) {
          BlockKind kind = mask.classify(lh * headsPerRow + g, q0, q1, k0, k1);
          any |= kind != BlockKind::Empty;
          all &= kind == BlockKind::Full;
        }
        if (any)
          lists.entries.push_back(static_cast<int32_t>(kb * 2 + !all));
      }
      lists.offsets.push_back(static_cast<int32_t>(lists.entries.size()));
    }
  if (lists.entries.empty())
    lists.entries.push_back(0); // never read: every list is empty
  return lists;
}

Value FlashLowering::combineSplits(Value oParts, Value lseParts, Type storage) {
  // M = max_s LSE_s; w_s = exp(LSE_s - M) (0 for empty splits);
  // O = sum_s w_s O_s / sum_s w_s (0 when every split is empty).
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  Value negInf = lb.f32Const(-std::numeric_limits<double>::infinity());
  Value zero = lb.f32Const(0.0);
  SmallVector<OpFoldResult> rows = tensor::getMixedSizes(b, loc, lseParts);
  rows.erase(rows.begin());
  SmallVector<OpFoldResult> full = tensor::getMixedSizes(b, loc, oParts);
  full.erase(full.begin());
  // Loops (b, h, i, s) and (b, h, i, e, s).
  AffineMap lse4 = lb.map(4, {3, 0, 1, 2}), row4 = lb.map(4, {0, 1, 2});
  AffineMap o5 = lb.map(5, {4, 0, 1, 2, 3}), lse5 = lb.map(5, {4, 0, 1, 2}),
            row5 = lb.map(5, {0, 1, 2}), out5 = lb.map(5, {0, 1, 2, 3});
  auto weight = [&](OpBuilder &nb, Location nl, Value lse, Value mx) {
    Value none =
        arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, lse, negInf);
    Value w =
        math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, lse, mx));
    return arith::SelectOp::create(nb, nl, none, zero, w).getResult();
  };
  Value mInit = lb.filled(rows, negInf);
  Value mx =
      linalg::GenericOp::create(
          b, loc, mInit.getType(), ValueRange{lseParts}, ValueRange{mInit},
          ArrayRef<AffineMap>{lse4, row4},
          ArrayRef<IteratorType>{par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            LB::yield(nb, nl, arith::MaximumFOp::create(nb, nl, a[0], a[1]));
          })
          .getResult(0);
  Value dInit = lb.filled(rows, zero);
  Value den = linalg::GenericOp::create(
                  b, loc, dInit.getType(), ValueRange{lseParts, mx},
                  ValueRange{dInit}, ArrayRef<AffineMap>{lse4, row4, row4},
                  ArrayRef<IteratorType>{par, par, par, red},
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    LB::yield(nb, nl,
                              arith::AddFOp::create(
                                  nb, nl, a[2], weight(nb, nl, a[0], a[1])));
                  })
                  .getResult(0);
  Value nInit = lb.filled(full, zero);
  Value num = linalg::GenericOp::create(
                  b, loc, nInit.getType(), ValueRange{oParts, lseParts, mx},
                  ValueRange{nInit}, ArrayRef<AffineMap>{o5, lse5, row5, out5},
                  ArrayRef<IteratorType>{par, par, par, par, red},
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value w = weight(nb, nl, a[1], a[2]);
                    LB::yield(nb, nl,
                              arith::AddFOp::create(
                                  nb, nl, a[3],
                                  arith::MulFOp::create(nb, nl, w, a[0])));
                  })
                  .getResult(0);
  Value outInit = lb.empty(full, storage);
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  return linalg::GenericOp::create(
             b, loc, outInit.getType(), ValueRange{num, den},
             ValueRange{outInit},
             ArrayRef<AffineMap>{id4, lb.map(4, {0, 1, 2}), id4},
             SmallVector<IteratorType>(4, par),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               LB::yield(nb, nl, LB::safeDivide(nb, nl, a[0], a[1], storage));
             })
      .getResult(0);
}

/// A pattern holding the pass's tiling options.
template <typename OpTy> struct TilePattern : OpRewritePattern<OpTy> {
  TilePattern(MLIRContext *ctx, int64_t qBlock, int64_t kvBlock,
              int64_t packedKvBlock, int64_t splitMinItems, bool autoTiles,
              Int8Dot int8Dot, int64_t int8Lanes, bool bf16Dot, bool int8Mmla)
      : OpRewritePattern<OpTy>(ctx), qBlock(qBlock), kvBlock(kvBlock),
        packedKvBlock(packedKvBlock), splitMinItems(splitMinItems),
        autoTiles(autoTiles), int8Dot(int8Dot), int8Lanes(int8Lanes),
        bf16Dot(bf16Dot), int8Mmla(int8Mmla) {}
  FlashLowering lowering(OpBuilder &b, SdpaOp op) const {
    FlashLowering l(b, op, qBlock, kvBlock, packedKvBlock, splitMinItems,
                    autoTiles);
    l.int8Dot = int8Dot;
    l.int8Lanes = int8Lanes;
    l.bf16Dot = bf16Dot;
    // SMMLA multiplies signed bytes, as SDOT does.
    l.int8Mmla = int8Mmla && int8Dot == Int8Dot::ArmDotProd;
    return l;
  }
  int64_t qBlock, kvBlock, packedKvBlock, splitMinItems;
  bool autoTiles;
  Int8Dot int8Dot;
  int64_t int8Lanes;
  bool bf16Dot, int8Mmla;
};

struct TileSdpa : TilePattern<SdpaOp> {
  using TilePattern::TilePattern;
  LogicalResult matchAndRewrite(SdpaOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, lowering(rewriter, op).lower());
    return success();
  }
};

/// attn.diff: both maps and the epilogue in one tiled loop, or, where the
/// tiles cannot hold a pair, decomposed into two attn.sdpa (which this pass
/// then tiles) and an elementwise epilogue.
struct TileDiff : TilePattern<DiffOp> {
  using TilePattern::TilePattern;
  LogicalResult matchAndRewrite(DiffOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    // The two maps as attn.sdpa on the head halves: they describe the
    // problem to the lowering and are erased after it.
    auto map = [&](int64_t which) {
      return SdpaOp::createPlain(
          rewriter, loc, diffHeadHalf(rewriter, loc, op.getQuery(), which),
          diffHeadHalf(rewriter, loc, op.getKey(), which), op.getValue(),
          op.getScaleAttr(), op.getMaskAttr(), resultType.getElementType());
    };
    SdpaOp first = map(0), second = map(1);
    FlashLowering lowering(rewriter, first, qBlock, kvBlock, packedKvBlock,
                           splitMinItems, autoTiles);
    lowering.diffPair =
        FlashLowering::DiffPair{op, second, diffLambda(rewriter, loc, op)};
    Value fused = lowering.lower();
    rewriter.eraseOp(second);
    rewriter.eraseOp(first);
    if (fused)
      rewriter.replaceOp(op, fused);
    else
      decomposeDiff(rewriter, op);
    return success();
  }
};

struct TileFlashPass : mlir::attn::impl::TileFlashBase<TileFlashPass> {
  using Base::Base;
  void runOnOperation() override {
    if (qBlock <= 0 || kvBlock <= 0 || packedKvBlock <= 0) {
      getOperation()->emitError()
          << "attn-tile-flash: q-block, kv-block and packed-kv-block must be "
             "positive, found "
          << static_cast<int64_t>(qBlock) << ", "
          << static_cast<int64_t>(kvBlock) << " and "
          << static_cast<int64_t>(packedKvBlock);
      return signalPassFailure();
    }
    std::optional<Int8Dot> dot = parseInt8Dot(int8Dot);
    if (!dot || (int8Lanes != 4 && int8Lanes != 8 && int8Lanes != 16)) {
      getOperation()->emitError()
          << "attn-tile-flash: int8-dot must be generic, arm-dotprod or "
             "x86-vnni and "
             "int8-lanes 4, 8 or 16, found '"
          << int8Dot << "' and " << static_cast<int64_t>(int8Lanes);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<TileSdpa, TileDiff>(&getContext(), qBlock, kvBlock,
                                     packedKvBlock, splitMinItems, chooseTiles,
                                     *dot, int8Lanes, bf16Dot, int8Mmla);

    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
