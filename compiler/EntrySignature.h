//===- EntrySignature.h - the C signature of an entry point -----*- C++ -*-===//
//
// Derives, from a public tensor-level function, the C entry point attnc
// generates for it: its tensor arguments (inputs, then one output per
// result), their dtypes and shapes, which dynamic dimensions must be equal
// (symbols) and which must divide each other (constraints). The runtime
// checks all of it at entry (attn/abi.h), so that generated code never sees
// inconsistent shapes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_ENTRYSIGNATURE_H
#define ATTN_COMPILER_ENTRYSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::attn {

/// One tensor argument of an entry point.
struct EntryArg {
  std::string name;
  RankedTensorType type;
  /// attn_dtype_t of the element type.
  int64_t dtype = 0;
  /// Per dimension: a static size (>= 0) or a symbol (-1 - id).
  SmallVector<int64_t> dimCodes;
  bool isOutput = false;
};

/// A relation between two dimensions that equality cannot state
/// (attn_abi_constraint_t): `dimB` of `argB` divides `dimA` of `argA`, or
/// `dimA` is twice `dimB`, or `dimA` is a multiple of the constant `argB`.
struct EntryConstraint {
  int64_t kind;
  int64_t argA, dimA, argB, dimB;
};

struct EntrySignature {
  std::string entryName;
  SmallVector<EntryArg> args;
  SmallVector<EntryConstraint> constraints;
  int64_t numSymbols = 0;

  /// "entry:arg0,arg1,..." as attn_rt_bind_args expects.
  std::string namesString() const;
  /// The signature table of attn/abi.h.
  SmallVector<int64_t> encode(int64_t isaLevel) const;
};

/// Analyses `fn`, a public function on ranked tensors. Emits a diagnostic at
/// the offending location and fails when a dynamic shape could not be
/// checked at entry or a type has no runtime dtype.
FailureOr<EntrySignature> analyzeEntrySignature(func::FuncOp fn);

/// The attn_dtype_t value of an element type, or 0 if it has none.
int64_t dtypeOf(Type elementType);

/// The C name of an element type ("f32", ...).
StringRef dtypeName(Type elementType);

} // namespace mlir::attn

#endif // ATTN_COMPILER_ENTRYSIGNATURE_H
