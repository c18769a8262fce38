//===- FuzzOnnx.cpp - the ONNX importer, fuzzed ---------------------------===//
//
// Input: a serialized ONNX ModelProto. The attention found is built into a
// module and verified.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "compiler/OnnxImport.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  attn_fuzz::buildAndVerify(
      mlir::attn::importOnnxModel(bytes, "fuzz.onnx", llvm::nulls()),
      "fuzz.onnx");
  return 0;
}
