//===- SdpaKernel.cpp - attn.sdpa as a gpu.func ---------------------------===//
//
// See SdpaKernel.h for the kernel's shape. The builder writes plain scf loops
// over private and workgroup memrefs; upstream's math/GPU-to-SPIR-V
// conversions turn them into a SPIR-V compute shader.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/AttnToGPU/SdpaKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/IR/Builders.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

Attribute mlir::attn::storageBufferSpace(MLIRContext *ctx) {
  return spirv::StorageClassAttr::get(ctx, spirv::StorageClass::StorageBuffer);
}

namespace {

/// Private arrays of one invocation are capped so that they stay in
/// registers or a small scratch area on real devices.
constexpr int64_t kMaxHeadDim = 512;

/// Key rows staged per step: as many as fit the workgroup memory (f32 K and
/// V rows), at most the configured maximum.
int64_t kvBlockFor(int64_t d, int64_t dv, const SdpaKernelConfig &config) {
  return std::min(config.maxKvBlock, config.sharedMemoryBytes / (4 * (d + dv)));
}

/// The building blocks of the kernel body, on one builder and location.
struct KernelBuilder {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value negInf() { return f32(-std::numeric_limits<double>::infinity()); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
  }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value load(Value mem, ValueRange idx) {
    return memref::LoadOp::create(b, loc, mem, idx);
  }
  void store(Value v, Value mem, ValueRange idx) {
    memref::StoreOp::create(b, loc, v, mem, idx);
  }
  /// exp(x - m), exactly 0 where x is -inf (a masked score), whatever the
  /// device's exp does with infinities.
  Value expMinus(Value x, Value m) {
    Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, m));
    Value masked =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, negInf());
    return arith::SelectOp::create(b, loc, masked, f32(0), e);
  }
  /// mem[idx] when `cond`, else 0 (no load out of bounds).
  Value loadOr0(Value cond, Value mem, Value idx) {
    auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), cond,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loc, load(mem, idx));
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, f32(0));
    return ifOp.getResult(0);
  }
  /// for i in [lb, ub) step `step`: body(i).
  void loop(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                       [&](OpBuilder &, Location, Value i, ValueRange) {
                         body(i);
                         scf::YieldOp::create(b, loc);
                       });
  }
  void loop(int64_t n, function_ref<void(Value)> body) {
    loop(index(0), index(n), index(1), body);
  }
  /// A loop carrying one f32: init, then next = body(i, carried).
  Value reduce(Value lb, Value ub, Value init,
               function_ref<Value(Value, Value)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, index(1), ValueRange{init},
        [&](OpBuilder &, Location, Value i, ValueRange carried) {
          scf::YieldOp::create(b, loc, body(i, carried[0]));
        });
    return forOp.getResult(0);
  }
  /// if (cond) body().
  void when(Value cond, function_ref<void()> body) {
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body();
  }
};

/// What a mask tells about the keys a query at absolute position q can see:
/// [q - before, q + after] where bounded (-1: unbounded on that side).
struct KeyBand {
  int64_t before = -1, after = -1;
};

KeyBand bandOf(Attribute mask) {
  KeyBand band;
  if (isa_and_nonnull<CausalAttr>(mask))
    band.after = 0;
  if (auto window = dyn_cast_or_null<WindowAttr>(mask)) {
    band.before = window.getSize() - 1;
    band.after = window.getBidirectional() ? window.getSize() - 1 : 0;
  }
  return band;
}

} // namespace

LogicalResult mlir::attn::checkSdpaForGPU(SdpaOp op,
                                          const SdpaKernelConfig &config) {
  auto unsupported = [&](const Twine &what) {
    return op.emitError() << "the Vulkan target does not support " << what
                          << " yet";
  };
  if (op.getBias())
    return unsupported("an additive bias operand");
  if (op.hasRuntimeMask())
    return unsupported("run-time masks (kv_lengths, q_lengths, documents)");
  if (op.getTopK())
    return unsupported("top_k");
  if (op.hasPackedKey() || op.hasPackedValue())
    return unsupported("block-quantized (q8_0, q4_0) key or value operands");
  if (op.hasScaledKey() || op.hasScaledValue())
    return unsupported("int8 key or value operands with scales");
  if (op.getQkPrecision() == Precision::int8)
    return unsupported("int8 scores (qk_precision = #attn.precision<int8>)");
  if (!op.getScoreMod().empty())
    return unsupported("score_mod regions");
  for (RankedTensorType t : {op.getQueryType(), op.getKeyType(),
                             op.getValueType(), op.getResultType()}) {
    if (t.getRank() != 4)
      return op.emitError() << "the Vulkan target expects rank-4 "
                               "[B, H, L, D] tensors, found "
                            << t;
    if (!t.getElementType().isF32())
      return unsupported(Twine("element type other than f32 (found ") +
                         (t.getElementType().isF16()    ? "f16"
                          : t.getElementType().isBF16() ? "bf16"
                                                        : "another type") +
                         ")");
  }
  int64_t d = op.getQueryType().getDimSize(3);
  int64_t dv = op.getValueType().getDimSize(3);
  if (ShapedType::isDynamic(d) || ShapedType::isDynamic(dv))
    return op.emitError() << "the Vulkan target needs static head dimensions "
                             "(D and Dv size the blocks staged in workgroup "
                             "memory); found D = "
                          << (ShapedType::isDynamic(d) ? "?" : Twine(d).str())
                          << ", Dv = "
                          << (ShapedType::isDynamic(dv) ? "?"
                                                        : Twine(dv).str());
  if (d > kMaxHeadDim || dv > kMaxHeadDim)
    return op.emitError() << "the Vulkan target supports head dimensions up "
                             "to "
                          << kMaxHeadDim << ", found D = " << d
                          << ", Dv = " << dv;
  if (kvBlockFor(d, dv, config) < 1)
    return op.emitError() << "one key and value row (D = " << d
                          << ", Dv = " << dv << ") takes " << 4 * (d + dv)
                          << " bytes of workgroup memory, more than the "
                             "target profile's "
                          << config.sharedMemoryBytes;
  return success();
}

FailureOr<SdpaKernelLaunch>
mlir::attn::buildSdpaKernel(gpu::GPUModuleOp module, StringRef name, SdpaOp op,
                            const SdpaKernelArgs &args,
                            const SdpaKernelConfig &config) {
  if (failed(checkSdpaForGPU(op, config)))
    return failure();
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  const int64_t d = op.getQueryType().getDimSize(3);
  const int64_t dv = op.getValueType().getDimSize(3);
  const int64_t wg = config.workgroupSize;
  const int64_t bk = kvBlockFor(d, dv, config);
  const double scale = *op.getStaticScale();

  // Parameter words of each argument: offset, sizes, strides.
  SmallVector<int64_t> paramBase;
  int64_t paramWords = 0;
  for (RankedTensorType t : args.types) {
    paramBase.push_back(paramWords);
    paramWords += 1 + 2 * t.getRank();
  }

  Attribute sb = storageBufferSpace(ctx);
  auto flat = [&](Type element) {
    return MemRefType::get({ShapedType::kDynamic}, element,
                           MemRefLayoutAttrInterface{}, sb);
  };
  SmallVector<Type> argTypes;
  for (RankedTensorType t : args.types)
    argTypes.push_back(flat(t.getElementType()));
  argTypes.push_back(flat(IntegerType::get(ctx, 32)));

  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = gpu::GPUFuncOp::create(b, loc, name,
                                   FunctionType::get(ctx, argTypes, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  fn->setAttr(
      spirv::getEntryPointABIAttrName(),
      spirv::getEntryPointABIAttr(ctx, {static_cast<int32_t>(wg), 1, 1}));
  Block &entry = fn.getBody().front();
  b.setInsertionPointToStart(&entry);
  KernelBuilder k{b, loc};

  Value params = entry.getArgument(args.types.size());
  auto param = [&](unsigned arg, int64_t word) -> Value {
    Value w = k.load(params, {k.index(paramBase[arg] + word)});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), w);
  };
  auto offset = [&](unsigned arg) { return param(arg, 0); };
  auto size = [&](unsigned arg, int64_t dim) { return param(arg, 1 + dim); };
  auto stride = [&](unsigned arg, int64_t dim) {
    return param(arg, 1 + args.types[arg].getRank() + dim);
  };
  Value q = entry.getArgument(args.query);
  Value key = entry.getArgument(args.key);
  Value value = entry.getArgument(args.value);
  Value out = entry.getArgument(args.result);

  // Where this invocation works.
  Value hq = size(args.query, 1), lq = size(args.query, 2);
  Value hkv = size(args.key, 1), lk = size(args.key, 2);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value blockX = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value blockY = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value batch = k.div(blockY, hq), head = k.rem(blockY, hq);
  Value kvHead = k.div(head, k.div(hq, hkv));
  Value rowBase = k.mul(blockX, k.index(wg));
  Value row = k.add(rowBase, tid);
  Value valid = k.lt(row, lq);
  // Absolute query positions are aligned bottom-right: row i is at
  // Lk - Lq + i.
  Value qDelta = k.sub(lk, lq);
  Value qpos = k.add(row, qDelta);

  auto rowOf = [&](unsigned arg, Value h, Value r) {
    return k.add(k.add(offset(arg), k.mul(batch, stride(arg, 0))),
                 k.add(k.mul(h, stride(arg, 1)), k.mul(r, stride(arg, 2))));
  };
  Value qBase = rowOf(args.query, head, row);
  Value oBase = rowOf(args.result, head, row);
  Value kBase = rowOf(args.key, kvHead, k.index(0));
  Value vBase = rowOf(args.value, kvHead, k.index(0));
  Value kRowStride = stride(args.key, 2), vRowStride = stride(args.value, 2);

  // Private state: the scaled query row, the output accumulator, the
  // scores of the staged block, and (max, sum) of the online softmax.
  auto privateSpace =
      spirv::StorageClassAttr::get(ctx, spirv::StorageClass::Function);
  auto workgroupSpace =
      spirv::StorageClassAttr::get(ctx, spirv::StorageClass::Workgroup);
  auto f32Ty = b.getF32Type();
  auto privateArray = [&](int64_t n) -> Value {
    return memref::AllocaOp::create(
        b, loc,
        MemRefType::get({n}, f32Ty, MemRefLayoutAttrInterface{}, privateSpace));
  };
  Value qRow = privateArray(d), acc = privateArray(dv),
        scores = privateArray(bk);
  Value state = privateArray(2);
  Value kTile = memref::AllocOp::create(
      b, loc,
      MemRefType::get({bk, d}, f32Ty, MemRefLayoutAttrInterface{},
                      workgroupSpace));
  Value vTile = memref::AllocOp::create(
      b, loc,
      MemRefType::get({bk, dv}, f32Ty, MemRefLayoutAttrInterface{},
                      workgroupSpace));

  Value scaleValue = k.f32(scale);
  k.loop(d, [&](Value i) {
    Value x = k.loadOr0(valid, q, k.add(qBase, i));
    k.store(k.fmul(x, scaleValue), qRow, {i});
  });
  k.loop(dv, [&](Value i) { k.store(k.f32(0), acc, {i}); });
  k.store(k.negInf(), state, {k.index(0)});
  k.store(k.f32(0), state, {k.index(1)});

  // The keys any row of this workgroup may see.
  Attribute mask = op.getMaskAttr();
  KeyBand band = bandOf(mask);
  Value kvBegin = k.index(0), kvEnd = lk;
  Value lastQpos =
      k.add(k.sub(k.min(k.add(rowBase, k.index(wg)), lq), k.index(1)), qDelta);
  if (band.after >= 0)
    kvEnd =
        k.max(k.index(0), k.min(lk, k.add(lastQpos, k.index(band.after + 1))));
  if (band.before >= 0)
    kvBegin =
        k.max(k.index(0), k.sub(k.add(rowBase, qDelta), k.index(band.before)));

  k.loop(kvBegin, kvEnd, k.index(bk), [&](Value t0) {
    // Stage the block: every invocation loads a strided share of it.
    gpu::BarrierOp::create(b, loc);
    auto stage = [&](Value tile, Value src, Value base, Value rowStride,
                     int64_t width) {
      k.loop(tid, k.index(bk * width), k.index(wg), [&](Value e) {
        Value r = k.div(e, k.index(width)), c = k.rem(e, k.index(width));
        Value keyRow = k.add(t0, r);
        Value x = k.loadOr0(k.lt(keyRow, kvEnd), src,
                            k.add(base, k.add(k.mul(keyRow, rowStride), c)));
        k.store(x, tile, {r, c});
      });
    };
    stage(kTile, key, kBase, kRowStride, d);
    stage(vTile, value, vBase, vRowStride, dv);
    gpu::BarrierOp::create(b, loc);

    Value n = k.min(k.index(bk), k.sub(kvEnd, t0));
    k.when(valid, [&] {
      // Scores of the block and their max.
      Value blockMax =
          k.reduce(k.index(0), n, k.negInf(), [&](Value j, Value mx) {
            Value s = k.reduce(
                k.index(0), k.index(d), k.f32(0), [&](Value i, Value sum) {
                  return k.fadd(
                      sum, k.fmul(k.load(qRow, {i}), k.load(kTile, {j, i})));
                });
            Value kpos = k.add(t0, j);
            if (ArrayAttr mods = op.getModifiersAttr())
              for (Attribute m : mods)
                s = cast<ScoreModAttrInterface>(m).build(b, loc, s, batch, head,
                                                         qpos, kpos);
            if (mask) {
              Value keep = cast<MaskAttrInterface>(mask).buildKeeps(
                  b, loc, head, qpos, kpos);
              s = arith::SelectOp::create(b, loc, keep, s, k.negInf());
            }
            k.store(s, scores, {j});
            return arith::MaximumFOp::create(b, loc, mx, s).getResult();
          });
      Value m = k.load(state, {k.index(0)});
      Value mNew = arith::MaximumFOp::create(b, loc, m, blockMax);
      // Unordered: a NaN max (a NaN score) goes on, so the row becomes NaN
      // (docs/Numerics.md).
      Value live = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE,
                                         mNew, k.negInf());
      k.when(live, [&] {
        // Rescale what was accumulated against the old max, then add the
        // block's probabilities times its value rows.
        Value correction = k.expMinus(m, mNew);
        k.loop(dv, [&](Value i) {
          k.store(k.fmul(k.load(acc, {i}), correction), acc, {i});
        });
        Value l0 = k.fmul(k.load(state, {k.index(1)}), correction);
        Value l = k.reduce(k.index(0), n, l0, [&](Value j, Value sum) {
          Value p = k.expMinus(k.load(scores, {j}), mNew);
          // A key of weight 0 (masked) adds nothing, even where its value
          // row holds NaN or inf.
          Value weighted = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::UNE, p, k.f32(0));
          k.when(weighted, [&] {
            k.loop(dv, [&](Value i) {
              Value x =
                  k.fadd(k.load(acc, {i}), k.fmul(p, k.load(vTile, {j, i})));
              k.store(x, acc, {i});
            });
          });
          return k.fadd(sum, p);
        });
        k.store(mNew, state, {k.index(0)});
        k.store(l, state, {k.index(1)});
      });
    });
  });

  // Normalise; a row that saw no key writes zeros (a NaN sum stays NaN).
  k.when(valid, [&] {
    Value l = k.load(state, {k.index(1)});
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGT, l, k.f32(0));
    Value inv = arith::SelectOp::create(
        b, loc, positive, arith::DivFOp::create(b, loc, k.f32(1), l), k.f32(0));
    k.loop(dv, [&](Value i) {
      k.store(k.fmul(k.load(acc, {i}), inv), out, {k.add(oBase, i)});
    });
  });
  gpu::ReturnOp::create(b, loc);

  // Masks and modifiers build their own arithmetic; anything outside the
  // dialects the SPIR-V conversion handles is reported here, at the op.
  Operation *foreign = nullptr;
  fn.walk([&](Operation *inner) {
    StringRef ns =
        inner->getDialect() ? inner->getDialect()->getNamespace() : StringRef();
    if (!llvm::is_contained({"gpu", "scf", "arith", "math", "memref"}, ns)) {
      foreign = inner;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (foreign) {
    InFlightDiagnostic diag = op.emitError()
                              << "the Vulkan target cannot compile this op's "
                                 "mask or score modifiers yet (they build '"
                              << foreign->getName() << "')";
    fn.erase();
    return diag;
  }

  SdpaKernelLaunch launch;
  launch.workgroupSize = wg;
  launch.sharedMemoryBytes = 4 * bk * (d + dv);
  launch.paramWords = paramWords;
  // Loop iterations (n + 1 per loop of n) of the loops above: per key, the
  // score and probability loops and the D and Dv loops inside them; per key
  // block, the block loop, the two staging loops, the rescale loop and the
  // two key loops' exits; once, the query, accumulator and output loops
  // (and the block loop's exit).
  auto steps = [&](int64_t n) { return (n + wg - 1) / wg + 1; };
  launch.loopsPerKey = 2 + (d + 1) + (dv + 1);
  launch.loopsPerBlock = 1 + steps(bk * d) + steps(bk * dv) + (dv + 1) + 2;
  launch.loopsConstant = (d + 1) + 2 * (dv + 1) + 1;
  launch.kvBlock = bk;
  return launch;
}
