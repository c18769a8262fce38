//===- OutlineParallel.cpp - scf.forall to the runtime's parallel_for -----===//
//
// attn-outline-parallel: see compiler/Passes.td. For a loop
//
//   scf.forall (%i, %j) in (%n0, %n1) { body(%i, %j, captured values) }
//
// in a kernel whose context argument is %ctx, it emits
//
//   %closure = alloca {captured values as LLVM values}
//   %s = call @attn_context_parallel_for(%ctx, n0 * n1, 1, @body, %closure)
//
//   llvm.func internal @body(%closure: !llvm.ptr, %begin: i64, %end: i64) {
//     unpack the captured values
//     scf.for %x = %begin to %end { %i, %j = delinearize(%x); body }
//   }
//
// The body keeps its memref/scf/arith ops; the LLVM lowering that follows
// converts them inside the new function as anywhere else. Memrefs cross as
// their LLVM descriptors through unrealized casts that reconcile away.
//
//===----------------------------------------------------------------------===//

#include "compiler/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::attn {
#define GEN_PASS_DEF_OUTLINEPARALLEL
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// attn_status_t attn_context_parallel_for(ctx, count, grain, fn, closure)
LLVM::LLVMFuncOp getOrDeclareParallelFor(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  return getOrDeclareRuntimeFunction(
      module, "attn_context_parallel_for",
      LLVM::LLVMFunctionType::get(ptr, {ptr, i64, i64, ptr, ptr}));
}

class Outliner {
public:
  Outliner(ModuleOp module) : module(module), converter(module.getContext()) {}

  /// Outlines `loop`, which belongs to a kernel whose context is `ctx`.
  LogicalResult outline(scf::ForallOp loop, Value ctx, StringRef baseName);

private:
  /// The type a captured value has inside the closure.
  Type closureType(Type t) {
    if (isa<IndexType>(t))
      return IntegerType::get(t.getContext(), 64);
    if (isa<MemRefType>(t))
      return converter.convertType(t);
    return LLVM::isCompatibleType(t) ? t : Type();
  }

  ModuleOp module;
  LLVMTypeConverter converter;
  unsigned counter = 0;
};

LogicalResult Outliner::outline(scf::ForallOp loop, Value ctx,
                                StringRef baseName) {
  MLIRContext *mctx = module.getContext();
  Location loc = loop.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(mctx);
  auto i64 = IntegerType::get(mctx, 64);
  auto indexTy = IndexType::get(mctx);

  // Values the body needs: what it uses from above, and the loop's bounds.
  // Constants are cloned into the body rather than captured, so that LLVM
  // still sees them as constants (loop bounds, tile sizes, the scale).
  llvm::SetVector<Value> used, captured;
  SmallVector<Operation *> constants;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  SmallVector<OpFoldResult> ubs = loop.getMixedUpperBound();
  for (OpFoldResult ub : ubs)
    if (auto v = dyn_cast<Value>(ub))
      used.insert(v);
  for (Value v : used) {
    Operation *def = v.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(def);
    else
      captured.insert(v);
  }
  SmallVector<Type> fields;
  for (Value v : captured) {
    Type t = closureType(v.getType());
    if (!t)
      return loop.emitError() << "attn-outline-parallel cannot pass a value of "
                                 "type "
                              << v.getType() << " to a parallel loop body";
    fields.push_back(t);
  }
  auto closureTy = LLVM::LLVMStructType::getLiteral(mctx, fields);

  // The body function.
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  std::string name = (baseName + "__parallel" + Twine(counter++)).str();
  auto fnTy = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(mctx),
                                          {ptr, i64, i64});
  auto body =
      LLVM::LLVMFuncOp::create(mb, loc, name, fnTy, LLVM::Linkage::Internal);
  Block *entry = body.addEntryBlock(mb);
  OpBuilder b = OpBuilder::atBlockBegin(entry);
  Value closure =
      LLVM::LoadOp::create(b, loc, closureTy, entry->getArgument(0));
  IRMapping map;
  for (Operation *c : constants)
    b.clone(*c, map);
  for (auto [i, v] : llvm::enumerate(captured)) {
    Value field = LLVM::ExtractValueOp::create(b, loc, closure, i);
    if (isa<IndexType>(v.getType()))
      field = arith::IndexCastOp::create(b, loc, indexTy, field);
    else if (isa<MemRefType>(v.getType()))
      field = UnrealizedConversionCastOp::create(b, loc, v.getType(), field)
                  .getResult(0);
    map.map(v, field);
  }
  auto lookupBound = [&](OpFoldResult ub) -> Value {
    if (auto v = dyn_cast<Value>(ub))
      return map.lookup(v);
    return arith::ConstantIndexOp::create(b, loc, *getConstantIntValue(ub));
  };
  SmallVector<Value> bounds;
  for (OpFoldResult ub : ubs)
    bounds.push_back(lookupBound(ub));
  Value begin =
      arith::IndexCastOp::create(b, loc, indexTy, entry->getArgument(1));
  Value end =
      arith::IndexCastOp::create(b, loc, indexTy, entry->getArgument(2));
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp::create(
      b, loc, begin, end, one, ValueRange{},
      [&](OpBuilder &fb, Location fl, Value linear, ValueRange) {
        // Row-major delinearisation: the last loop varies fastest.
        Value rest = linear;
        for (int64_t d = bounds.size() - 1; d >= 0; --d) {
          Value iv =
              d == 0
                  ? rest
                  : arith::RemUIOp::create(fb, fl, rest, bounds[d]).getResult();
          map.map(loop.getInductionVar(d), iv);
          if (d > 0)
            rest = arith::DivUIOp::create(fb, fl, rest, bounds[d]);
        }
        for (Operation &op : loop.getBody()->without_terminator())
          fb.clone(op, map);
        scf::YieldOp::create(fb, fl);
      });
  LLVM::ReturnOp::create(b, loc, ValueRange{});

  // The call.
  b.setInsertionPoint(loop);
  Value oneI64 = LLVM::ConstantOp::create(b, loc, i64, 1);
  Value closurePtr = LLVM::AllocaOp::create(b, loc, ptr, closureTy, oneI64);
  Value agg = LLVM::UndefOp::create(b, loc, closureTy);
  for (auto [i, v] : llvm::enumerate(captured)) {
    Value field = v;
    if (isa<IndexType>(v.getType()))
      field = arith::IndexCastOp::create(b, loc, i64, v);
    else if (isa<MemRefType>(v.getType()))
      field =
          UnrealizedConversionCastOp::create(b, loc, fields[i], v).getResult(0);
    agg = LLVM::InsertValueOp::create(b, loc, agg, field, i);
  }
  LLVM::StoreOp::create(b, loc, agg, closurePtr);
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (OpFoldResult ub : ubs) {
    Value v =
        isa<Value>(ub)
            ? cast<Value>(ub)
            : arith::ConstantIndexOp::create(b, loc, *getConstantIntValue(ub))
                  .getResult();
    count = arith::MulIOp::create(b, loc, count, v);
  }
  Value countI64 = arith::IndexCastOp::create(b, loc, i64, count);
  Value fnAddr = LLVM::AddressOfOp::create(b, loc, ptr, name);
  // With a valid context, a non-negative count and a function, the call
  // cannot fail; its status is always NULL.
  LLVM::CallOp::create(b, loc, getOrDeclareParallelFor(module),
                       ValueRange{ctx, countI64, oneI64, fnAddr, closurePtr});
  loop.erase();
  return success();
}

/// Whether `loop` runs from 0 in unit steps and has no tensor results.
bool isNormalizedMemRefLoop(scf::ForallOp loop) {
  auto isConst = [](OpFoldResult ofr, int64_t c) {
    std::optional<int64_t> v = getConstantIntValue(ofr);
    return v && *v == c;
  };
  return loop.getNumResults() == 0 &&
         llvm::all_of(loop.getMixedLowerBound(),
                      [&](OpFoldResult o) { return isConst(o, 0); }) &&
         llvm::all_of(loop.getMixedStep(),
                      [&](OpFoldResult o) { return isConst(o, 1); });
}

struct OutlineParallelPass
    : mlir::attn::impl::OutlineParallelBase<OutlineParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Outliner outliner(module);
    SmallVector<std::pair<scf::ForallOp, func::FuncOp>> loops;
    module.walk([&](scf::ForallOp loop) {
      auto fn = loop->getParentOfType<func::FuncOp>();
      // Outermost loops of entry kernels (whose first argument is the
      // runtime context) only.
      if (!fn || !fn->hasAttr("attn.entry") ||
          loop->getParentOfType<scf::ForallOp>() ||
          !isNormalizedMemRefLoop(loop) || fn.getNumArguments() == 0 ||
          !isa<LLVM::LLVMPointerType>(fn.getArgument(0).getType()))
        return;
      loops.push_back({loop, fn});
    });
    for (auto [loop, fn] : loops)
      if (failed(outliner.outline(loop, fn.getArgument(0), fn.getSymName())))
        return signalPassFailure();
  }
};

} // namespace
