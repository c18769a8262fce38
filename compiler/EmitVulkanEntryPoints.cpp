//===- EmitVulkanEntryPoints.cpp - SPIR-V in the object, C entry points ---===//
//
// attn-emit-vulkan-entry-points: see compiler/Passes.td. Each entry becomes
//
//   ptr @entry(ptr %ctx, ptr %arg0, ..., ptr %argN) {
//     store the tensor pointers into an array
//     return call @attn_rt_vulkan_launch(%ctx, @entry__attn_signature,
//         "entry:names", %args, @attn_spirv, <words>, "entry", @launch)
//   }
//
//===----------------------------------------------------------------------===//

#include "compiler/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Target/SPIRV/Serialization.h"

namespace mlir::attn {
#define GEN_PASS_DEF_EMITVULKANENTRYPOINTS
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// An internal constant global array of `values` (i32 or i64 words).
template <typename T>
LLVM::GlobalOp constantArray(OpBuilder &b, Location loc, StringRef name,
                             ArrayRef<T> values, IntegerType type) {
  auto arrayType = LLVM::LLVMArrayType::get(type, values.size());
  auto value = DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, type),
      values);
  return LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                LLVM::Linkage::Internal, name, value);
}

/// A NUL-terminated string global.
Value cString(OpBuilder &b, Location loc, StringRef name, StringRef text) {
  std::string s = text.str();
  s.push_back('\0');
  return LLVM::createGlobalString(loc, b, name, s, LLVM::Linkage::Internal);
}

struct EmitVulkanEntryPointsPass
    : mlir::attn::impl::EmitVulkanEntryPointsBase<EmitVulkanEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    SmallVector<func::FuncOp> decls;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr("attn.gpu.kernel"))
        decls.push_back(fn);
    auto spirvModules = llvm::to_vector(module.getOps<spirv::ModuleOp>());
    if (decls.empty())
      return;
    if (spirvModules.size() != 1) {
      module.emitError() << "expected one spirv.module holding the kernels, "
                            "found "
                         << spirvModules.size()
                         << " (was the GPU module converted to SPIR-V?)";
      return signalPassFailure();
    }
    SmallVector<uint32_t> words;
    if (failed(spirv::serialize(spirvModules.front(), words)))
      return signalPassFailure();

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto i32 = b.getI32Type(), i64 = b.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    LLVM::GlobalOp blob =
        constantArray<uint32_t>(b, loc, "__attn_spirv", words, i32);
    LLVM::LLVMFuncOp launchFn = getOrDeclareRuntimeFunction(
        module, "attn_rt_vulkan_launch",
        LLVM::LLVMFunctionType::get(ptr,
                                    {ptr, ptr, ptr, ptr, ptr, i64, ptr, ptr}));

    for (func::FuncOp decl : decls) {
      Location dloc = decl.getLoc();
      StringRef entry = decl->getAttrOfType<StringAttr>("attn.entry");
      auto sig = decl->getAttrOfType<DenseI64ArrayAttr>("attn.signature");
      auto names = decl->getAttrOfType<StringAttr>("attn.arg_names");
      auto kernel = decl->getAttrOfType<StringAttr>("attn.gpu.kernel");
      auto table = decl->getAttrOfType<DenseI64ArrayAttr>("attn.gpu.launch");
      if (!sig || !names || !kernel || !table || sig.size() < 4) {
        decl.emitError("Vulkan kernel declaration without a valid signature "
                       "or launch table");
        return signalPassFailure();
      }
      if (module.lookupSymbol(entry)) {
        decl.emitError() << "entry point name '" << entry
                         << "' is already taken in the module";
        return signalPassFailure();
      }
      int64_t numArgs = sig[2];

      b.setInsertionPointToEnd(module.getBody());
      LLVM::GlobalOp sigGlobal = constantArray<int64_t>(
          b, dloc, (entry + "__attn_signature").str(), sig.asArrayRef(), i64);
      LLVM::GlobalOp launchGlobal = constantArray<int64_t>(
          b, dloc, (entry + "__attn_launch").str(), table.asArrayRef(), i64);
      Value argv;
      LLVM::LLVMFuncOp wrapper =
          createCEntryPoint(b, dloc, entry, numArgs, argv);
      Block *body = &wrapper.getBody().front();
      Value nameStr =
          cString(b, dloc, (entry + "__attn_names").str(), names.getValue());
      Value kernelStr =
          cString(b, dloc, (entry + "__attn_kernel").str(), kernel.getValue());
      Value status =
          LLVM::CallOp::create(
              b, dloc, launchFn,
              ValueRange{body->getArgument(0),
                         LLVM::AddressOfOp::create(b, dloc, sigGlobal), nameStr,
                         argv, LLVM::AddressOfOp::create(b, dloc, blob),
                         LLVM::ConstantOp::create(
                             b, dloc, i64, static_cast<int64_t>(words.size())),
                         kernelStr,
                         LLVM::AddressOfOp::create(b, dloc, launchGlobal)})
              .getResult();
      LLVM::ReturnOp::create(b, dloc, status);
      decl.erase();
    }

    // What remains is host code.
    for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
      if (isa<spirv::ModuleOp, gpu::GPUModuleOp>(op))
        op.erase();
    module->removeAttr("gpu.container_module");
    module->removeAttr("spirv.target_env");
  }
};

} // namespace
