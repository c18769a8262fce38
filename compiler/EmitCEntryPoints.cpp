//===- EmitCEntryPoints.cpp - C entry points in the LLVM dialect ----------===//
//
// attn-emit-c-entry-points: see compiler/Passes.td. The generated function is
//
//   ptr @entry(ptr %ctx, ptr %arg0, ..., ptr %argN) {
//     store the tensor pointers into an array, allocate the descriptors
//     %status = call @attn_rt_bind_args(%ctx, @entry__signature,
//                                       "entry:names", %args, %descs)
//     if (%status != null) return %status
//     return call @attn_rt_run(%ctx, @entry__signature, "entry:names",
//                              @entry__attn_run, %descs)
//   }
//
//   void @entry__attn_run(ptr %ctx, ptr %descs) {   (internal)
//     call @_mlir_ciface___attn_kernel_entry(%ctx, &desc0, ..., &descN)
//   }
//
// attn_rt_run runs the kernel under the runtime's allocation guard, so a
// temporary that cannot be allocated becomes a RESOURCE_EXHAUSTED status.
//
//===----------------------------------------------------------------------===//

#include "compiler/Passes.h"

#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "attn/abi.h"

namespace mlir::attn {
#define GEN_PASS_DEF_EMITCENTRYPOINTS
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// attn_status_t attn_rt_bind_args(ctx, signature, names, args, descriptors)
LLVM::LLVMFuncOp getOrDeclareBind(ModuleOp module) {
  auto ptr = LLVM::LLVMPointerType::get(module.getContext());
  return getOrDeclareRuntimeFunction(
      module, "attn_rt_bind_args",
      LLVM::LLVMFunctionType::get(ptr, {ptr, ptr, ptr, ptr, ptr}));
}

/// attn_status_t attn_rt_run(ctx, signature, names, kernel, descriptors)
LLVM::LLVMFuncOp getOrDeclareRun(ModuleOp module) {
  auto ptr = LLVM::LLVMPointerType::get(module.getContext());
  return getOrDeclareRuntimeFunction(
      module, "attn_rt_run",
      LLVM::LLVMFunctionType::get(ptr, {ptr, ptr, ptr, ptr, ptr}));
}

/// void @<entry>__attn_run(ptr ctx, ptr descs): calls the kernel's C
/// interface with the context and a pointer to each descriptor.
LLVM::LLVMFuncOp emitRunThunk(OpBuilder &b, Location loc, StringRef entry,
                              LLVM::LLVMFuncOp ciface, Type descType,
                              ArrayRef<int64_t> offsets) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto fnType =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, ptr});
  auto thunk = LLVM::LLVMFuncOp::create(b, loc, (entry + "__attn_run").str(),
                                        fnType, LLVM::Linkage::Internal);
  OpBuilder::InsertionGuard guard(b);
  Block *body = thunk.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  SmallVector<Value> descPtrs = {body->getArgument(0)};
  for (int64_t offset : offsets)
    descPtrs.push_back(LLVM::GEPOp::create(
        b, loc, ptr, descType, body->getArgument(1),
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(offset)}));
  LLVM::CallOp::create(b, loc, ciface, descPtrs);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return thunk;
}

LogicalResult emitEntry(ModuleOp module, LLVM::LLVMFuncOp kernel,
                        int64_t isaLevel) {
  MLIRContext *ctx = module.getContext();
  Location loc = kernel.getLoc();
  auto entryAttr = kernel->getAttrOfType<StringAttr>("attn.entry");
  auto sigAttr = kernel->getAttrOfType<DenseI64ArrayAttr>("attn.signature");
  auto namesAttr = kernel->getAttrOfType<StringAttr>("attn.arg_names");
  if (!sigAttr || !namesAttr || sigAttr.size() < 4)
    return kernel.emitError("attn.entry kernel without a valid signature");
  StringRef entry = entryAttr.getValue();
  auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(
      ("_mlir_ciface_" + kernel.getName()).str());
  if (!ciface)
    return kernel.emitError("kernel has no C interface wrapper; was it "
                            "marked llvm.emit_c_interface?");
  if (module.lookupSymbol(entry))
    return kernel.emitError() << "entry point name '" << entry
                              << "' is already taken in the module";

  SmallVector<int64_t> sig(sigAttr.asArrayRef());
  sig[1] = isaLevel;
  int64_t numArgs = sig[2];
  // The kernel takes the context, then one descriptor per tensor.
  if (static_cast<int64_t>(ciface.getNumArguments()) != numArgs + 1)
    return kernel.emitError()
           << "signature names " << numArgs << " tensors but the kernel takes "
           << ciface.getNumArguments() << " arguments";
  // Descriptor word offsets of each argument.
  SmallVector<int64_t> offsets;
  int64_t words = 0;
  for (int64_t a = 0, p = 4; a < numArgs; ++a) {
    int64_t rank = sig[p + 1];
    offsets.push_back(words);
    words += ATTN_ABI_DESCRIPTOR_WORDS(rank);
    p += 3 + rank;
  }

  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto i64 = b.getI64Type();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto sigType = LLVM::LLVMArrayType::get(i64, sig.size());
  auto sigValue = DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(sig.size())}, i64),
      ArrayRef<int64_t>(sig));
  auto sigGlobal = LLVM::GlobalOp::create(
      b, loc, sigType, /*isConstant=*/true, LLVM::Linkage::Internal,
      (entry + "__attn_signature").str(), sigValue);

  LLVM::LLVMFuncOp bind = getOrDeclareBind(module);
  LLVM::LLVMFuncOp run = getOrDeclareRun(module);
  auto descType = LLVM::LLVMArrayType::get(i64, words);
  LLVM::LLVMFuncOp thunk =
      emitRunThunk(b, loc, entry, ciface, descType, offsets);
  Value argv;
  LLVM::LLVMFuncOp wrapper = createCEntryPoint(b, loc, entry, numArgs, argv);
  Block *body = &wrapper.getBody().front();
  Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
  Value descs = LLVM::AllocaOp::create(b, loc, ptr, descType, one);
  Value sigAddr = LLVM::AddressOfOp::create(b, loc, sigGlobal);
  // The runtime reads the names as a C string: include the terminator.
  std::string namesC = namesAttr.getValue().str();
  namesC.push_back('\0');
  Value names = LLVM::createGlobalString(loc, b, (entry + "__attn_names").str(),
                                         namesC, LLVM::Linkage::Internal);
  Value status = LLVM::CallOp::create(b, loc, bind,
                                      ValueRange{body->getArgument(0), sigAddr,
                                                 names, argv, descs})
                     .getResult();
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  Value ok =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, status, null);

  Block *callBlock = b.createBlock(&wrapper.getBody());
  Block *failBlock = b.createBlock(&wrapper.getBody());
  b.setInsertionPointToEnd(body);
  LLVM::CondBrOp::create(b, loc, ok, callBlock, failBlock);

  b.setInsertionPointToStart(failBlock);
  LLVM::ReturnOp::create(b, loc, status);

  b.setInsertionPointToStart(callBlock);
  Value thunkAddr = LLVM::AddressOfOp::create(b, loc, thunk);
  Value runStatus =
      LLVM::CallOp::create(
          b, loc, run,
          ValueRange{body->getArgument(0), sigAddr, names, thunkAddr, descs})
          .getResult();
  LLVM::ReturnOp::create(b, loc, runStatus);

  // Only the C entry point is public.
  kernel.setLinkage(LLVM::Linkage::Internal);
  ciface.setLinkage(LLVM::Linkage::Internal);
  for (StringRef attr : {"attn.entry", "attn.signature", "attn.arg_names"}) {
    kernel->removeAttr(attr);
    ciface->removeAttr(attr);
  }
  return success();
}

struct EmitCEntryPointsPass
    : mlir::attn::impl::EmitCEntryPointsBase<EmitCEntryPointsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> kernels;
    // func-to-llvm copies the attributes onto the C-interface wrapper too;
    // the kernel is the one carrying the kernel name.
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (auto entry = fn->getAttrOfType<StringAttr>("attn.entry"))
        if (fn.getName() == kernelNameFor(entry.getValue()))
          kernels.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : kernels)
      if (failed(emitEntry(module, kernel, isaLevel)))
        return signalPassFailure();
  }
};

} // namespace

LLVM::LLVMFuncOp mlir::attn::createCEntryPoint(OpBuilder &b, Location loc,
                                               StringRef entry, int64_t numArgs,
                                               Value &argv) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto fnType =
      LLVM::LLVMFunctionType::get(ptr, SmallVector<Type>(numArgs + 1, ptr));
  auto wrapper = LLVM::LLVMFuncOp::create(b, loc, entry, fnType);
  Block *body = wrapper.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value one = LLVM::ConstantOp::create(b, loc, b.getI64Type(), 1);
  auto argvType = LLVM::LLVMArrayType::get(ptr, numArgs);
  argv = LLVM::AllocaOp::create(b, loc, ptr, argvType, one);
  for (int64_t a = 0; a < numArgs; ++a) {
    Value slot =
        LLVM::GEPOp::create(b, loc, ptr, argvType, argv,
                            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(a)});
    LLVM::StoreOp::create(b, loc, body->getArgument(a + 1), slot);
  }
  return wrapper;
}
