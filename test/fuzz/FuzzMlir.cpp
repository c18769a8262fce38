//===- FuzzMlir.cpp - MLIR text through attnc's whole pipeline, fuzzed ----===//
//
// Input: MLIR text. Parsed, verified, and when it verifies run through every
// attnc phase up to the LLVM dialect for x86_64-avx2 (what attnc does
// before LLVM's code generator). Inputs over 16 KiB are skipped to keep each
// run short (the pipeline's work grows with the text, e.g. big constants).
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "compiler/Pipelines.h"
#include "targets/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16384)
    return 0;
  static const std::optional<mlir::attn::TargetDescription> target =
      mlir::attn::lookupTarget("x86_64-avx2");
  // MLIR's lexer reads the byte after the buffer (llvm-project issue
  // #154462: parseSourceString runs over a StringRef that is not
  // NUL-terminated), so the input is parsed from a NUL-terminated copy, as
  // attnc parses files (a file's MemoryBuffer is always terminated).
  const std::string text(reinterpret_cast<const char *>(data), size);
  mlir::MLIRContext &ctx = attn_fuzz::context();
  mlir::ParserConfig config(&ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config, "fuzz.mlir");
  if (!module)
    return 0;
  (void)mlir::attn::runPhases(*module, mlir::attn::Phase::LLVMDialect, *target);
  return 0;
}
