//===- Quantize.cpp - compute precisions from a policy --------------------===//
//
// attn-quantize: see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"

#include "dialects/Attn/AttnOps.h"

namespace mlir::attn {
#define GEN_PASS_DEF_QUANTIZE
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct QuantizePass : mlir::attn::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override {
    if (qk.empty())
      return;
    if (qk != "int8" && qk != "f32") {
      getOperation()->emitError()
          << "attn-quantize: qk must be int8 or f32, found '" << qk << "'";
      return signalPassFailure();
    }
    getOperation()->walk([&](SdpaOp op) {
      if (qk == "f32") {
        op.removeQkPrecisionAttr();
        return;
      }
      int64_t d = op.getQueryType().getShape().back();
      if (ShapedType::isDynamic(d) || d % 32 != 0) {
        InFlightDiagnostic w = op.emitWarning()
                               << "attn-quantize: qk=int8 not applied, the "
                                  "scores stay f32: int8 scores quantize per "
                                  "32 values of the head dimension, ";
        if (ShapedType::isDynamic(d))
          w << "which is dynamic here";
        else
          w << "and D = " << d << " is not a multiple of 32";
        return;
      }
      op.setQkPrecisionAttr(PrecisionAttr::get(&getContext(), Precision::int8));
    });
  }
};
} // namespace
