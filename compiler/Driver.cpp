//===- Driver.cpp - the compiler as a library -----------------------------===//

#include "compiler/Driver.h"

#include "compiler/Codegen.h"
#include "compiler/ModelImport.h"
#include "compiler/OnnxImport.h"
#include "compiler/Registration.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::attn;

std::unique_ptr<MLIRContext> mlir::attn::createAttncContext() {
  DialectRegistry registry;
  registerAllAttncDialects(registry);
  auto ctx = std::make_unique<MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

OwningOpRef<ModuleOp> mlir::attn::loadInput(MLIRContext &context,
                                            llvm::StringRef path,
                                            llvm::raw_ostream &errs) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    errs << path << ": error: cannot read: " << buffer.getError().message()
         << "\n";
    return nullptr;
  }
  if (path.ends_with(".json")) {
    FailureOr<ModelDescription> model =
        parseModelDescription((*buffer)->getBuffer(), path, errs);
    if (failed(model))
      return nullptr;
    return buildModelModule(*model, context, path);
  }
  if (path.ends_with(".onnx")) {
    FailureOr<ModelDescription> model =
        importOnnxModel((*buffer)->getBuffer(), path, errs);
    if (failed(model))
      return nullptr;
    return buildModelModule(*model, context, path);
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

LogicalResult mlir::attn::runPhases(ModuleOp module, Phase last,
                                    const TargetDescription &target) {
  if (failed(verify(module)))
    return failure();
  PassManager pm(module->getName());
  buildPipelineTo(pm, std::min(last, Phase::LLVMDialect), target);
  return pm.run(module);
}

LogicalResult mlir::attn::compileToObject(ModuleOp module,
                                          const TargetDescription &target,
                                          llvm::SmallVectorImpl<char> &object,
                                          Sanitizer sanitizer) {
  if (failed(runPhases(module, Phase::LLVMDialect, target)))
    return failure();
  llvm::raw_svector_ostream os(object);
  return emitMachineCode(module, target, Phase::Obj, os, sanitizer);
}

FailureOr<std::string>
mlir::attn::compileToSharedLibrary(ModuleOp module,
                                   const TargetDescription &target,
                                   llvm::StringRef dir, Sanitizer sanitizer) {
  llvm::SmallVector<char> object;
  if (failed(compileToObject(module, target, object, sanitizer)))
    return failure();
  std::string objPath = (dir + "/kernel.o").str();
  std::string soPath = (dir + "/kernel.so").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError()
             << "cannot write " << objPath << ": " << ec.message();
    os.write(object.data(), object.size());
  }
  llvm::ErrorOr<std::string> lld = llvm::sys::findProgramByName(ATTN_LLD_PATH);
  if (!lld)
    return module.emitError() << "cannot find the linker " << ATTN_LLD_PATH;
  std::string error;
  llvm::StringRef args[] = {*lld, "-shared", "-o", soPath, objPath};
  if (llvm::sys::ExecuteAndWait(*lld, args, std::nullopt, {}, 0, 0, &error) !=
      0)
    return module.emitError() << "linking " << objPath << " failed " << error;
  return soPath;
}
