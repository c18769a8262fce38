//===- AttnDialect.td - the attn dialect definition --------*- tablegen -*-===//
//
// The `attn` dialect: attention as a first-class operation.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TD
#define ATTN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Attention operations: dense, masked, sparse, low-rank, differential";
  let description = [{
    The `attn` dialect expresses attention mechanisms as single operations on
    ranked tensors, so that passes can reason about the whole computation
    (tile it with an online softmax, skip masked blocks, decompose low-rank
    forms, quantize it) before it becomes loops.

    What each operation computes is defined in SEMANTICS.md (shared with the
    project); every lowering is tested against an fp64 evaluation of those
    formulas.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
  let extraClassDeclaration = [{
    /// Registers the mask and modifier attributes (AttnAttrs.cpp, where
    /// their storage classes are defined).
    void registerAttributes();
  }];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_DIALECT_TD
