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

  /// Checks one policy option ("int8", "bf16", "f32" or empty).
  bool valid(StringRef name, StringRef value) {
    if (value.empty() || value == "int8" || value == "bf16" || value == "f32")
      return true;
    getOperation()->emitError()
        << "attn-quantize: " << name << " must be int8, bf16 or f32, found '"
        << value << "'";
    return false;
  }

  /// Sets (int8) or removes (f32) one product's precision on `op`; int8
  /// needs a static multiple of 32 in `width` (`what`), else the product
  /// stays f32 with a warning.
  void apply(SdpaOp op, StringRef name, StringRef value, int64_t width,
             StringRef what, StringRef symbol, StringAttr attrName) {
    if (value.empty())
      return;
    if (value == "f32") {
      op->removeAttr(attrName);
      return;
    }
    // bf16 is an allowance the kernels take where they can (#attn.precision):
    // no shape to check.
    if (value == "bf16") {
      op->setAttr(attrName, PrecisionAttr::get(&getContext(), Precision::bf16));
      return;
    }
    if (ShapedType::isDynamic(width) || width % 32 != 0) {
      InFlightDiagnostic w = op.emitWarning()
                             << "attn-quantize: " << name
                             << "=int8 not applied, the product stays f32: "
                                "it quantizes per 32 values of the "
                             << what << ", ";
      if (ShapedType::isDynamic(width))
        w << "which is dynamic here";
      else
        w << "and " << symbol << " = " << width << " is not a multiple of 32";
      return;
    }
    op->setAttr(attrName, PrecisionAttr::get(&getContext(), Precision::int8));
  }

  void runOnOperation() override {
    if (!valid("qk", qk) || !valid("pv", pv))
      return signalPassFailure();
    if (qk.empty() && pv.empty())
      return;
    getOperation()->walk([&](SdpaOp op) {
      apply(op, "qk", qk, op.getQueryType().getShape().back(), "head dimension",
            "D", op.getQkPrecisionAttrName());
      apply(op, "pv", pv, op.getResultType().getShape().back(),
            "value dimension", "Dv", op.getPvPrecisionAttrName());
    });
  }
};
} // namespace
