//===- OnnxImport.h - the attention in an ONNX graph, as attn layers -*- C++
//-*-===//
//
// Finds the attention in an ONNX model and describes each occurrence as a
// layer of a model description (compiler/ModelImport.h), so that
// buildModelModule turns it into an attn.sdpa entry point named after the
// node. Three forms are recognised:
//
//   - ai.onnx `Attention` (opset 23): 4-D or 3-D Q/K/V, GQA, is_causal,
//     scale, softcap, a float additive mask, past_key/past_value;
//   - com.microsoft `MultiHeadAttention` and `GroupQueryAttention`
//     (onnxruntime's contrib ops), including GQA's KV-cache decode step;
//   - the subgraph exporters write: MatMul(Q, Transpose(K)) -> [Mul | Div by
//     a constant] -> [Add a mask] -> Softmax(last axis) -> MatMul(., V).
//
// What is found is reported as notes (the entry, its shapes, how each ONNX
// tensor is passed: a [B, L, H*D] tensor is a strided [B, H, L, D] view),
// and each candidate that does not fit (a Softmax whose producers are not an
// attention, an op with an attribute or input attnc cannot express) as a
// warning naming the node and the reason. Nothing is guessed: a graph with
// no recognised attention is an error, as is a file that is not an ONNX
// model.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_ONNXIMPORT_H
#define ATTN_COMPILER_ONNXIMPORT_H

#include "compiler/ModelImport.h"

namespace mlir::attn {

/// Whether this attnc was built with ONNX import (Debian's libonnx-dev).
bool onnxImportAvailable();

/// Reads the serialized ONNX ModelProto in `bytes` and returns one layer per
/// attention found (entry names set from the nodes). Notes and warnings go
/// to `errs` as "<filename>: note: ..." lines; on error (not an ONNX model,
/// no attention found) prints "<filename>: error: ..." and fails.
FailureOr<ModelDescription> importOnnxModel(llvm::StringRef bytes,
                                            llvm::StringRef filename,
                                            llvm::raw_ostream &errs);

} // namespace mlir::attn

#endif // ATTN_COMPILER_ONNXIMPORT_H
