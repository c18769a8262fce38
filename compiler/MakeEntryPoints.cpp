//===- MakeEntryPoints.cpp - tensor functions to destination-passing ------===//
//
// attn-make-entry-points: see compiler/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/EntrySignature.h"
#include "compiler/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::attn {
#define GEN_PASS_DEF_MAKEENTRYPOINTS
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

std::string mlir::attn::kernelNameFor(StringRef entry) {
  return ("__attn_kernel_" + entry).str();
}

LLVM::LLVMFuncOp
mlir::attn::getOrDeclareRuntimeFunction(ModuleOp module, StringRef name,
                                        LLVM::LLVMFunctionType type) {
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return fn;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

namespace {

/// A memref of the tensor's shape with a strided layout: any strides the
/// caller likes, except that the last dimension is contiguous (the runtime
/// checks it at entry), so kernels load rows as vectors in place.
MemRefType stridedMemRef(RankedTensorType t) {
  SmallVector<int64_t> strides(t.getRank(), ShapedType::kDynamic);
  if (!strides.empty())
    strides.back() = 1;
  auto layout =
      StridedLayoutAttr::get(t.getContext(), ShapedType::kDynamic, strides);
  return MemRefType::get(t.getShape(), t.getElementType(), layout);
}

LogicalResult makeEntryPoint(func::FuncOp fn) {
  FailureOr<EntrySignature> sig = analyzeEntrySignature(fn);
  if (failed(sig))
    return failure();

  MLIRContext *ctx = fn.getContext();
  // The kernel takes the runtime context (for parallel loops) first.
  SmallVector<Type> memrefTypes = {LLVM::LLVMPointerType::get(ctx)};
  for (const EntryArg &a : sig->args)
    memrefTypes.push_back(stridedMemRef(a.type));

  OpBuilder b(fn);
  auto kernel =
      func::FuncOp::create(b, fn.getLoc(), kernelNameFor(fn.getSymName()),
                           FunctionType::get(ctx, memrefTypes, {}));
  kernel->setAttr("attn.entry", b.getStringAttr(fn.getSymName()));
  kernel->setAttr("attn.signature", b.getDenseI64ArrayAttr(sig->encode(0)));
  kernel->setAttr("attn.arg_names", b.getStringAttr(sig->namesString()));
  kernel->setAttr("llvm.emit_c_interface", b.getUnitAttr());

  Block *entry = kernel.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping map;
  unsigned numInputs = fn.getNumArguments();
  for (unsigned i = 0; i < numInputs; ++i) {
    Value t = bufferization::ToTensorOp::create(
        b, fn.getArgument(i).getLoc(), sig->args[i].type,
        entry->getArgument(1 + i),
        /*restrict=*/true, /*writable=*/false);
    map.map(fn.getArgument(i), t);
  }
  Block &body = fn.getBody().front();
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto store = bufferization::MaterializeInDestinationOp::create(
        b, ret.getLoc(), map.lookupOrDefault(v),
        entry->getArgument(1 + numInputs + i));
    store.setRestrict(true);
    store.setWritable(true);
  }
  func::ReturnOp::create(b, ret.getLoc());
  fn.erase();
  return success();
}

struct MakeEntryPointsPass
    : mlir::attn::impl::MakeEntryPointsBase<MakeEntryPointsPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> entries;
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() && !fn->hasAttr("attn.entry"))
        entries.push_back(fn);
    for (func::FuncOp fn : entries)
      if (failed(makeEntryPoint(fn)))
        return signalPassFailure();
  }
};

} // namespace
