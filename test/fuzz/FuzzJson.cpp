//===- FuzzJson.cpp - the JSON model-description importer, fuzzed --------===//
//
// Input: a model description. Parsed and checked; when it is accepted, its
// module is built and verified.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "compiler/ModelImport.h"

#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  // Relative weights files would be read from the working directory: the
  // fuzzer's own "weights.json" seed names one in the corpus directory.
  mlir::FailureOr<mlir::attn::ModelDescription> model =
      mlir::attn::parseModelDescription(text, "fuzz.json", llvm::nulls());
  if (mlir::failed(model))
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::attn::buildModelModule(*model, attn_fuzz::context(), "fuzz.json");
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
