//===- Registration.cpp - one place that registers everything -------------===//

#include "compiler/Registration.h"

#include "compiler/Passes.h"
#include "compiler/Pipelines.h"
#include "dialects/Attn/AttnDialect.h"
#include "passes/Conversion/Passes.h"
#include "passes/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;

void mlir::attn::registerAttnDialects(DialectRegistry &registry) {
  registry.insert<AttnDialect>();
}

void mlir::attn::registerAllAttncDialects(DialectRegistry &registry) {
  registerAttnDialects(registry);
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

void mlir::attn::registerAttnPasses() {
  registerAttnConversionPasses();
  registerAttnTransformsPasses();
  registerAttnCompilerPasses();
  registerAttnPipelines();
}
