//===- attn-lower.cpp - attnc's dialect and passes in a tool of one's own ===//
//
// What a compiler engineer's own tool looks like when it links attnc's
// libraries from an installed prefix (find_package(attnc COMPONENTS mlir)):
// parse a module that uses the attn dialect, run a pass pipeline on it
// (default: convert-attn-to-linalg on every function), print the result.
//
//   attn-lower input.mlir ["func.func(attn-tile-flash)"]
//
// The pipeline is nested in the module, as after mlir-opt's
// --pass-pipeline="builtin.module(...)".
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    llvm::errs() << "usage: attn-lower input.mlir [pass-pipeline]\n";
    return 2;
  }
  mlir::attn::registerAttnPasses();
  mlir::DialectRegistry registry;
  mlir::attn::registerAllAttncDialects(registry);
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  const char *pipeline =
      argc == 3 ? argv[2] : "func.func(convert-attn-to-linalg)";
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, llvm::errs())) ||
      mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
