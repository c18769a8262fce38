//===- attn-opt.cpp - mlir-opt with the attn dialect and passes -----------===//
//
// An mlir-opt that knows the attn dialect, attnc's passes and pipelines, and
// every upstream dialect and pass.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::attn::registerAttnPasses();
  mlir::DialectRegistry registry;
  mlir::attn::registerAllAttncDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attn optimizer driver\n", registry));
}
