//===- AttnAttrs.cpp - attn dialect attributes ----------------------------===//
//
// Mask patterns: their static evaluation (`keeps`, `keepsAll`) and the IR they
// build for the lowering (`buildKeeps`).
//
//===----------------------------------------------------------------------===//

#include "dialects/Attn/AttnAttrs.h"
#include "dialects/Attn/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attn;

#include "dialects/Attn/AttnAttrInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Attn/AttnAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// CausalAttr
//===----------------------------------------------------------------------===//

bool CausalAttr::keeps(int64_t q, int64_t k) const { return k <= q; }

Value CausalAttr::buildKeeps(OpBuilder &builder, Location loc, Value q,
                             Value k) const {
  return arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::sle, k, q);
}

bool CausalAttr::keepsAll(int64_t lq, int64_t lk) const {
  // The first query row sits at position lk - lq and must see key lk - 1,
  // which holds for a single query whatever lk is.
  (void)lk;
  return lq <= 1;
}
