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

  /// smooth-k=true: sets smooth_k where the op's scores are int8 or bf16
  /// over float keys and no modification breaks the shift's invariance
  /// (the verifier's rules), else warns; false removes it.
  void applySmoothK(SdpaOp op) {
    if (smoothK == "false") {
      op.setSmoothK(false);
      return;
    }
    StringRef why;
    switch (op.smoothKObstacle()) {
    case SdpaOp::SmoothKObstacle::None:
      op.setSmoothK(true);
      return;
    case SdpaOp::SmoothKObstacle::F32Scores:
      why = "the scores are f32 (no quantized keys)";
      break;
    case SdpaOp::SmoothKObstacle::PackedKeys:
      why = "the keys are block-quantized and multiplied as stored";
      break;
    case SdpaOp::SmoothKObstacle::ScoreMod:
      why = "a score_mod region need not be invariant to a shift of the "
            "row's scores";
      break;
    case SdpaOp::SmoothKObstacle::Softcap:
      why = "#attn.softcap does not commute with a shift of the row's scores";
      break;
    }
    op.emitWarning() << "attn-quantize: smooth-k not applied: " << why;
    op.setSmoothK(false);
  }

  void runOnOperation() override {
    if (!valid("qk", qk) || !valid("pv", pv))
      return signalPassFailure();
    if (!smoothK.empty() && smoothK != "true" && smoothK != "false") {
      getOperation()->emitError()
          << "attn-quantize: smooth-k must be true or false, found '" << smoothK
          << "'";
      return signalPassFailure();
    }
    if (qk.empty() && pv.empty() && smoothK.empty())
      return;
    getOperation()->walk([&](SdpaOp op) {
      apply(op, "qk", qk, op.getQueryType().getShape().back(), "head dimension",
            "D", op.getQkPrecisionAttrName());
      apply(op, "pv", pv, op.getResultType().getShape().back(),
            "value dimension", "Dv", op.getPvPrecisionAttrName());
      if (!smoothK.empty())
        applySmoothK(op);
      // An op the policy moved to f32 scores keeps no smoothing of keys it
      // no longer quantizes.
      else if (op.getSmoothK() &&
               op.smoothKObstacle() == SdpaOp::SmoothKObstacle::F32Scores)
        op.setSmoothK(false);
    });
  }
};
} // namespace
