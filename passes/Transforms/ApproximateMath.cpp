//===- ApproximateMath.cpp - math.exp and math.tanh to polynomials --------===//
//
// attn-approximate-math: see Passes.td. Uses upstream's approximation
// patterns, restricted to exp and tanh, and its bf16 conversion expansion.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
struct ApproximateMathPass
    : mlir::attn::impl::ApproximateMathBase<ApproximateMathPass> {
  using ApproximateMathBase::ApproximateMathBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == "math.exp" || name == "math.tanh";
    });
    if (expandBf16)
      arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
