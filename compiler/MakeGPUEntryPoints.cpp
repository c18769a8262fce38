//===- MakeGPUEntryPoints.cpp - attention functions to Vulkan kernels -----===//
//
// attn-make-gpu-entry-points: see compiler/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/EntrySignature.h"
#include "compiler/Passes.h"
#include "passes/Conversion/AttnToGPU/SdpaKernel.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "attn/abi.h"

namespace mlir::attn {
#define GEN_PASS_DEF_MAKEGPUENTRYPOINTS
#include "compiler/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr StringLiteral kKernelModule = "attn_kernels";

/// The SPIR-V environment of the target's device profile: SPIR-V 1.3
/// (Vulkan 1.1) shaders with the profile's limits.
LogicalResult setTargetEnv(ModuleOp module, int64_t invocations,
                           int64_t sharedMemory) {
  std::string env;
  llvm::raw_string_ostream os(env);
  os << "#spirv.target_env<#spirv.vce<v1.3, [Shader], "
        "[SPV_KHR_storage_buffer_storage_class]>, api=Vulkan, "
        "#spirv.resource_limits<max_compute_shared_memory_size = "
     << sharedMemory << ", max_compute_workgroup_invocations = " << invocations
     << ", max_compute_workgroup_size = [" << invocations << ", " << invocations
     << ", 64]>>";
  Attribute attr = parseAttribute(env, module.getContext());
  if (!attr)
    return module.emitError("attnc built an invalid spirv.target_env (a bug)");
  module->setAttr("spirv.target_env", attr);
  module->setAttr("gpu.container_module", UnitAttr::get(module.getContext()));
  return success();
}

/// The one attn.sdpa a Vulkan entry computes, or a diagnostic saying why the
/// function is not of that form.
FailureOr<SdpaOp> singleSdpa(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  SdpaOp sdpa;
  for (Operation &op : body.without_terminator()) {
    auto s = dyn_cast<SdpaOp>(op);
    if (!s || sdpa) {
      // Ops that canonicalisation created may carry no location of their
      // own: report those at the function.
      Location loc = isa<UnknownLoc>(op.getLoc()) ? fn.getLoc() : op.getLoc();
      if (s)
        return emitError(loc)
               << "the Vulkan target compiles one attn.sdpa "
                  "per entry point; @"
               << fn.getSymName() << " has more (make each its own function)";
      if (op.getDialect() &&
          op.getDialect()->getNamespace() == AttnDialect::getDialectNamespace())
        return emitError(loc)
               << "the Vulkan target compiles entry points made of one "
                  "attn.sdpa; '"
               << op.getName() << "' is not supported on it yet";
      return emitError(loc)
             << "the Vulkan target compiles entry points made "
                "of one attn.sdpa of the arguments; @"
             << fn.getSymName() << " also has '" << op.getName() << "'";
    }
    sdpa = s;
  }
  if (!sdpa)
    return fn.emitError("the Vulkan target found no attn.sdpa in this entry "
                        "point");
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  if (ret.getNumOperands() != 1 || ret.getOperand(0) != sdpa.getResult())
    return fn.emitError("a Vulkan entry point must return the attn.sdpa's "
                        "result, and only it");
  for (Value v : {sdpa.getQuery(), sdpa.getKey(), sdpa.getValue()})
    if (!isa<BlockArgument>(v))
      return sdpa.emitError("the Vulkan target needs the query, key and value "
                            "to be arguments of the entry point");
  return sdpa;
}

struct MakeGPUEntryPointsPass
    : mlir::attn::impl::MakeGPUEntryPointsBase<MakeGPUEntryPointsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        entries.push_back(fn);
    if (entries.empty())
      return;
    if (workgroupSize < 1 || workgroupSize > maxInvocations) {
      module.emitError() << "workgroup size " << workgroupSize
                         << " is outside [1, " << maxInvocations << "]";
      return signalPassFailure();
    }
    if (failed(setTargetEnv(module, maxInvocations, sharedMemoryBytes)))
      return signalPassFailure();

    OpBuilder b(module.getContext());
    b.setInsertionPointToStart(module.getBody());
    auto kernels = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModule);

    SdpaKernelConfig config;
    config.workgroupSize = workgroupSize;
    config.sharedMemoryBytes = sharedMemoryBytes;
    bool failedAny = false;
    for (func::FuncOp fn : entries) {
      FailureOr<EntrySignature> sig = analyzeEntrySignature(fn);
      FailureOr<SdpaOp> sdpa =
          failed(sig) ? FailureOr<SdpaOp>(failure()) : singleSdpa(fn);
      if (failed(sdpa)) {
        failedAny = true;
        continue;
      }
      SdpaKernelArgs args;
      for (const EntryArg &a : sig->args)
        args.types.push_back(a.type);
      auto argIndex = [](Value v) {
        return cast<BlockArgument>(v).getArgNumber();
      };
      args.query = argIndex(sdpa->getQuery());
      args.key = argIndex(sdpa->getKey());
      args.value = argIndex(sdpa->getValue());
      args.result = fn.getNumArguments();
      StringRef entry = fn.getSymName();
      FailureOr<SdpaKernelLaunch> launch =
          buildSdpaKernel(kernels, entry, *sdpa, args, config);
      if (failed(launch)) {
        failedAny = true;
        continue;
      }

      // Grid: x = ceil(Lq / rows per workgroup), y = B * Hq, z = 1.
      SmallVector<int64_t> table = {
          launch->workgroupSize,     1, 1,
          launch->sharedMemoryBytes, 0, launch->paramWords};
      table.append({1, args.query, 2, launch->workgroupSize});
      table.append({2, args.query, 0, 1, args.query, 1, 1});
      table.append({0});
      // The loop-iteration bound, in the key length (key dimension 2).
      table.append({2, launch->loopsPerKey, args.key, 2, 1,
                    launch->loopsPerBlock, args.key, 2, launch->kvBlock,
                    launch->loopsConstant});

      b.setInsertionPoint(fn);
      auto decl = func::FuncOp::create(b, fn.getLoc(), kernelNameFor(entry),
                                       b.getFunctionType({}, {}));
      decl.setPrivate();
      decl->setAttr("attn.entry", b.getStringAttr(entry));
      decl->setAttr("attn.signature", b.getDenseI64ArrayAttr(sig->encode(0)));
      decl->setAttr("attn.arg_names", b.getStringAttr(sig->namesString()));
      decl->setAttr("attn.gpu.kernel", b.getStringAttr(entry));
      decl->setAttr("attn.gpu.launch", b.getDenseI64ArrayAttr(table));
      fn.erase();
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
