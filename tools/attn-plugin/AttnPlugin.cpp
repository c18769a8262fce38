//===- AttnPlugin.cpp - attn as an mlir-opt dialect and pass plugin -------===//
//
//   mlir-opt-22 --load-dialect-plugin=lib/AttnPlugin.so \
//               --load-pass-plugin=lib/AttnPlugin.so \
//               --convert-attn-to-linalg input.mlir
//
// One shared library that provides both entry points upstream mlir-opt
// looks for. It links the shared libMLIR that mlir-opt-22 itself uses.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "AttnDialect", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::attn::registerAttnDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "AttnPasses", LLVM_VERSION_STRING,
          []() { mlir::attn::registerAttnPasses(); }};
}
