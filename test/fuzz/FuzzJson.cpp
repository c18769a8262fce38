//===- FuzzJson.cpp - the JSON model-description importer, fuzzed --------===//
//
// Input: a model description. Parsed and checked; when it is accepted, its
// module is built and verified.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  // A weights file the input names is read relative to the working
  // directory; one that does not exist is a clean error.
  attn_fuzz::buildAndVerify(
      mlir::attn::parseModelDescription(text, "fuzz.json", llvm::nulls()),
      "fuzz.json");
  return 0;
}
