//===- FuzzCommon.h - what attnc's fuzz targets share ----------*- C++ -*-===//
//
// One MLIR context per fuzzer process (creating one per input would dominate
// the run), with every diagnostic swallowed: a clean diagnostic is the
// expected answer to bad input, only crashes, sanitizer reports and
// failures to terminate are findings.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_FUZZ_FUZZCOMMON_H
#define ATTN_TEST_FUZZ_FUZZCOMMON_H

#include "compiler/Driver.h"
#include "compiler/ModelImport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

namespace attn_fuzz {

inline mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx = [] {
    std::unique_ptr<mlir::MLIRContext> c = mlir::attn::createAttncContext();
    c->loadAllAvailableDialects();
    c->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    // One thread: the fuzzer runs one input at a time, and MLIR's pool
    // would only add noise to the sanitizers' reports.
    c->disableMultithreading();
    return c;
  }();
  return *ctx;
}

/// An imported model's module, built and verified (what attnc does next).
inline void
buildAndVerify(const mlir::FailureOr<mlir::attn::ModelDescription> &model,
               llvm::StringRef filename) {
  if (mlir::failed(model))
    return;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::attn::buildModelModule(*model, context(), filename);
  if (module)
    (void)mlir::verify(*module);
}

} // namespace attn_fuzz

#endif // ATTN_TEST_FUZZ_FUZZCOMMON_H
