//===- LinalgBuilder.h - small helpers for building linalg IR ---*- C++ -*-===//
//
// Shared by the lowerings of attn ops (convert-attn-to-linalg, attn-tile-
// flash): f32 constants and filled tensors, widening to f32, indexing maps
// from dimension lists, generic-op bodies.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_UTILS_LINALGBUILDER_H
#define ATTN_PASSES_UTILS_LINALGBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace mlir::attn {

/// Builds linalg ops on f32 tensors at one location.
class LinalgBuilder {
public:
  LinalgBuilder(OpBuilder &b, Location loc)
      : b(b), loc(loc), f32(b.getF32Type()) {}

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }
  FloatType f32Type() const { return f32; }

  /// `ofr` as an index Value (materialising constants).
  Value toValue(OpFoldResult ofr);
  /// An f32 constant.
  Value f32Const(double v);
  /// An index value (a size) converted to f32.
  Value toF32(Value index);
  /// An f32 tensor of `sizes` filled with `value`.
  Value filled(ArrayRef<OpFoldResult> sizes, Value value);
  /// An uninitialised tensor of `sizes` (f32 by default); sizes that are
  /// constants become static dimensions.
  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType = {});
  /// For f32 `scores` [..., L], the per-row top-k threshold [...]: the k-th
  /// largest finite score counting repeats, or -inf where a row has fewer
  /// than k finite scores (keep them all). Keeping s >= threshold keeps the
  /// k largest and every tie of the k-th. k passes of two row reductions.
  Value topKThreshold(Value scores, int64_t k);
  /// `fn` applied to every element of `t`, into a new tensor of `elt`.
  Value elementwise(Value t, Type elt,
                    function_ref<Value(OpBuilder &, Location, Value)> fn);
  /// `t` in f32 (itself when it already is).
  Value widen(Value t);
  /// `t` (f32) narrowed to `storage` (itself when that is f32).
  Value narrow(Value t, Type storage);
  /// A [rows, cols] slice of the 4-D `t` at (batch, head, row0, col0 or 0),
  /// as a 2-D
  /// tensor (static sizes where `rows` / `cols` are constants).
  Value slice2d(Value t, Value batch, Value head, Value row0, Value rows,
                Value cols, Value col0 = Value());
  /// C = A . B in f32 for 2-D A [n, k] and B [k, p] (widened if narrower),
  /// as a generic with loops (i, l, j): the form attn-matmul-microkernels
  /// turns into register-blocked vector code. Its init is a fresh
  /// bufferization.alloc_tensor (never shared with another product).
  Value matmul(Value a, Value bMat);
  /// The affine map (d_0, ..., d_{numDims-1}) -> (d_dims[0], d_dims[1], ...).
  AffineMap map(unsigned numDims, ArrayRef<unsigned> dims);

  /// `v` widened to f32 if it is narrower (inside a generic body).
  static Value extToF32(OpBuilder &nb, Location nl, Value v);
  /// Terminates a linalg.generic body with one value.
  static void yield(OpBuilder &nb, Location nl, Value v);
  /// tensor.extract of an integer element at `indices`, as an index.
  static Value extractIndex(OpBuilder &nb, Location nl, Value tensor,
                            ValueRange indices);
  /// `den == 0 ? 0 : num / den` in f32, narrowed to `elementType`: the final
  /// normalisation of attention (rows that kept no key give 0, not NaN).
  static Value safeDivide(OpBuilder &nb, Location nl, Value num, Value den,
                          Type elementType);

private:
  OpBuilder &b;
  Location loc;
  FloatType f32;
};

} // namespace mlir::attn

#endif // ATTN_PASSES_UTILS_LINALGBUILDER_H
