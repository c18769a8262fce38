//===- Attn.td - the whole attn dialect ----------------------*- tablegen -*-===//
//
// One entry point for TableGen and docs: the dialect, its attributes, its ops.
//
//===----------------------------------------------------------------------===//

include "dialects/Attn/AttnDialect.td"
include "dialects/Attn/AttnAttrs.td"
include "dialects/Attn/AttnOps.td"
