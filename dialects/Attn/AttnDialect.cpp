//===- AttnDialect.cpp - attn dialect registration ------------------------===//
//
// Registers the attn dialect's operations and attributes.
//
//===----------------------------------------------------------------------===//

#include "dialects/Attn/AttnDialect.h"
#include "dialects/Attn/AttnAttrs.h"
#include "dialects/Attn/AttnOps.h"

using namespace mlir;
using namespace mlir::attn;

#include "dialects/Attn/AttnDialect.cpp.inc"

void AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Attn/AttnOps.cpp.inc"
      >();
  registerAttributes();
}
