//===- AttnAttrs.td - attn dialect attributes --------------*- tablegen -*-===//
//
// Mask patterns, score modifiers and quantization descriptors of attn ops.
//
// A mask pattern is any attribute that implements MaskAttrInterface: the op
// holds one `mask` attribute, and new patterns (window, strided,
// block_sparse, and/or compositions) are new attributes, never op changes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_ATTRS_TD
#define ATTN_ATTRS_TD

include "dialects/Attn/AttnDialect.td"
include "mlir/IR/AttrTypeBase.td"

//===----------------------------------------------------------------------===//
// MaskAttrInterface
//===----------------------------------------------------------------------===//

def Attn_MaskAttrInterface : AttrInterface<"MaskAttrInterface"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    A mask pattern: decides which (query, key) pairs an attention op keeps.
    Positions are absolute: query row i of a block of Lq queries against Lk
    keys sits at position Lk - Lq + i (bottom-right alignment, SEMANTICS.md).
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{Returns true when the pattern keeps the pair at absolute
                 query position `q` and key position `k`. Used by the
                 reference, by block classification and by folding.}],
      /*retTy=*/"bool", /*methodName=*/"keeps",
      /*args=*/(ins "int64_t":$q, "int64_t":$k)>,
    InterfaceMethod<
      /*desc=*/[{Builds an `i1` value that is true when the pattern keeps
                 the pair (`q`, `k`), given as `index` values holding
                 absolute positions.}],
      /*retTy=*/"::mlir::Value", /*methodName=*/"buildKeeps",
      /*args=*/(ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
                    "::mlir::Value":$q, "::mlir::Value":$k)>,
    InterfaceMethod<
      /*desc=*/[{Returns true when the pattern keeps every pair of a
                 problem with `lq` queries (static) and `lk` keys
                 (ShapedType::kDynamic when unknown), so the mask can be
                 dropped.}],
      /*retTy=*/"bool", /*methodName=*/"keepsAll",
      /*args=*/(ins "int64_t":$lq, "int64_t":$lk)>,
  ];
}

class Attn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Attn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Mask patterns
//===----------------------------------------------------------------------===//

def Attn_CausalAttr : Attn_Attr<"Causal", "causal",
    [DeclareAttrInterfaceMethods<Attn_MaskAttrInterface>]> {
  let summary = "causal mask: keeps (q, k) when k <= q";
  let description = [{
    Keeps key position `k` for query position `q` when `k <= q`, with
    positions aligned bottom-right (SEMANTICS.md, "Mask patterns"). With
    Lq < Lk (decode against a KV cache) the last query sees every key; with
    Lq > Lk the first Lq - Lk query rows see no key and produce zeros.

    ```mlir
    %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : ...
    ```
  }];
}

#endif // ATTN_ATTRS_TD
