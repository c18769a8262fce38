//===- HeaderEmitter.h - the C header of a compiled model -------*- C++ -*-===//
//
// Writes the C header that declares the entry points of a compiled module,
// one per public function, with their shapes documented.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_HEADEREMITTER_H
#define ATTN_COMPILER_HEADEREMITTER_H

#include "targets/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// Writes the header for `module` (at the attn phase: public functions on
/// tensors). `source` names the input in the header's comment.
LogicalResult emitCHeader(ModuleOp module, const TargetDescription &target,
                          llvm::StringRef source, llvm::StringRef guardStem,
                          llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTN_COMPILER_HEADEREMITTER_H
