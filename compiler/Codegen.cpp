//===- Codegen.cpp - LLVM dialect to LLVM IR, assembly and objects --------===//

#include "compiler/Codegen.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Target/SPIRV/Serialization.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::attn;

namespace {

void initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

/// Runs LLVM's default -O3 pipeline tuned for `tm`, then the sanitizer's
/// instrumentation on every function the module defines.
void optimize(llvm::Module &module, llvm::TargetMachine *tm,
              const TargetDescription &target, Sanitizer sanitizer) {
  // LLVM's x86 tuning prefers 256-bit vectors for the loops it vectorizes
  // itself (against AVX-512 frequency drops on some Intel cores). The
  // kernels' micro-kernels are 512-bit already on these targets, so the
  // elementwise loops (exp, the int8 probabilities) get the same width:
  // measured 8% (f32) and 12% (int8) faster on dense-2k (Zen 5).
  if (llvm::Triple(target.triple).isX86() && target.vectorBits >= 512)
    for (llvm::Function &f : module)
      if (!f.isDeclaration())
        f.addFnAttr("prefer-vector-width", std::to_string(target.vectorBits));
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder pb(tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  if (sanitizer != Sanitizer::None) {
    auto attr = sanitizer == Sanitizer::Address
                    ? llvm::Attribute::SanitizeAddress
                    : llvm::Attribute::SanitizeThread;
    for (llvm::Function &f : module)
      if (!f.isDeclaration())
        f.addFnAttr(attr);
    // The pipeline text is fixed and known to parse.
    llvm::cantFail(pb.parsePassPipeline(
        mpm, sanitizer == Sanitizer::Address ? "asan"
                                             : "tsan-module,function(tsan)"));
  }
  mpm.run(module, mam);
}

} // namespace

std::optional<Sanitizer> mlir::attn::parseSanitizer(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Sanitizer>>(name)
      .Case("", Sanitizer::None)
      .Case("address", Sanitizer::Address)
      .Case("thread", Sanitizer::Thread)
      .Default(std::nullopt);
}

LogicalResult mlir::attn::emitMachineCode(ModuleOp module,
                                          const TargetDescription &target,
                                          Phase phase,
                                          llvm::raw_pwrite_stream &os,
                                          Sanitizer sanitizer) {
  initializeLLVMTargets();
  llvm::Triple triple(target.triple);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return module.emitError()
           << "target '" << target.name << "' (triple " << target.triple
           << ") is not available in this LLVM: " << error;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, options, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return module.emitError()
           << "could not create a target machine for '" << target.name << "'";

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  if (llvm::verifyModule(*llvmModule, &llvm::errs()))
    return module.emitError("attnc produced invalid LLVM IR (a bug)");

  optimize(*llvmModule, tm.get(), target, sanitizer);

  if (phase == Phase::LLVMIR) {
    llvmModule->print(os, nullptr);
    return success();
  }
  llvm::legacy::PassManager codegen;
  auto fileType = phase == Phase::Asm ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile;
  if (tm->addPassesToEmitFile(codegen, os, nullptr, fileType))
    return module.emitError()
           << "target '" << target.name << "' cannot emit this file type";
  codegen.run(*llvmModule);
  return success();
}

LogicalResult mlir::attn::emitSPIRVBinary(ModuleOp module,
                                          llvm::raw_ostream &os) {
  auto modules = llvm::to_vector(module.getOps<spirv::ModuleOp>());
  if (modules.size() != 1)
    return module.emitError()
           << "expected one spirv.module of kernels, found " << modules.size();
  llvm::SmallVector<uint32_t> words;
  if (failed(spirv::serialize(modules.front(), words)))
    return failure();
  os.write(reinterpret_cast<const char *>(words.data()),
           words.size() * sizeof(uint32_t));
  return success();
}
