//===- FuzzOnnx.cpp - the ONNX importer, fuzzed ---------------------------===//
//
// Input: a serialized ONNX ModelProto. The attention found is built into a
// module and verified.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "compiler/OnnxImport.h"

#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::FailureOr<mlir::attn::ModelDescription> model =
      mlir::attn::importOnnxModel(bytes, "fuzz.onnx", llvm::nulls());
  if (mlir::failed(model))
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::attn::buildModelModule(*model, attn_fuzz::context(), "fuzz.onnx");
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
