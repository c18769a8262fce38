//===- ModelImport.h - JSON model descriptions to attn IR -------*- C++ -*-===//
//
// Reads attnc's JSON model description (docs/ModelDescription.md) and builds
// a module with one public function per attention layer, in the attn
// dialect on tensors: the same form a user would write by hand.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_MODELIMPORT_H
#define ATTN_COMPILER_MODELIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// One attention layer of a model description, defaults applied.
struct LayerDescription {
  std::string name;
  /// The entry point's name when it is not <model>_<name> (ONNX import names
  /// entries after their nodes).
  std::string entryName;
  /// JSON path of the layer ("layers[2]"), for diagnostics.
  std::string path;
  std::string variant = "sdpa";
  /// Sizes; ShapedType::kDynamic for "?".
  int64_t batch = 1, heads = 0, kvHeads = 0, headDim = 0, valueDim = 0,
          qLen = 0, kvLen = 0;
  std::string dtype = "f32";
  /// Storage of K and V ("kv_cache"): the layer's dtype (empty), or a
  /// llama.cpp block format, "q8_0" or "q4_0" (packed i8 rows).
  std::string kvCache;
  /// The JSON path of "kv_cache", for diagnostics.
  std::string kvCachePath;
  /// An "int8" kv_cache's scales: "kv_scales" (their grouping: "tensor",
  /// "head", "token", "block" of "kv_scale_block" positions, or
  /// "channel"; "token" by default), "kv_scale_dtype" ("f32" or "f16"),
  /// and where "kv_scales" / "kv_scale_block" were set ("" where not).
  std::string kvScales, kvScaleDtype = "f32";
  int64_t kvScaleBlock = 0;
  std::string kvScalesPath, kvScaleBlockPath;
  /// "compute": {"qk": "f32" | "int8" | "bf16", "pv": the same} (empty: f32)
  /// and where it was set.
  std::string qkCompute, pvCompute;
  /// "compute": {"smooth_k": true}: attn.sdpa's smooth_k, and the JSON
  /// path it was set at (a model-wide default where it is not in a layer).
  bool smoothK = false;
  std::string smoothKPath;
  std::string computePath;
  /// The mask pattern as the text of an attn mask attribute; empty for none.
  std::string mask;
  /// Score modifiers, as attribute texts ("alibi:default" for ALiBi's
  /// standard slopes).
  std::vector<std::string> modifiers;
  /// Additive bias input: "none", "full" ([B, Hq, Lq, Lk]) or "shared"
  /// ([1, 1, Lq, Lk]).
  std::string bias = "none";
  /// Run-time masks as inputs: "none", "kv", "q" or "kv+q" lengths
  /// ([B] i32 each), and document ids ([B, kv_len] i32).
  std::string padding = "none";
  bool documents = false;
  /// Differential layers ("variant": "diff"): λ_init or the layer index,
  /// RMSNorm epsilon, and, when given, the weights (λq1, λk1, λq2, λk2,
  /// gain) to embed; without them they are inputs of the entry point.
  bool hasDiff = false;
  std::optional<int64_t> diffLayer;
  std::optional<double> lambdaInit, epsilon;
  std::vector<std::vector<double>> diffWeights;
  /// Where the weights were read (a JSON path, or a weights file), for
  /// diagnostics.
  std::string diffWeightsPath;
  /// Low-rank layers ("variant": "linformer" | "performer" | "nystrom"):
  /// whether the variant's object was given, and its parameters.
  bool hasLowRank = false;
  int64_t linformerRows = 0;
  bool linformerPerHead = false, linformerShareKv = true;
  std::optional<int64_t> performerFeatures;
  std::string performerKernel = "softmax", performerNorms = "chi";
  bool performerOrthogonal = true;
  int64_t performerSeed = 0;
  int64_t landmarks = 0, pinvIterations = 6, convWidth = 0;
  /// Whether "mask" was given (differential layers default to causal).
  bool maskSet = false;
  /// Keep the k largest scores per query row (attn.sdpa's top_k).
  std::optional<int64_t> topK;
  std::optional<double> scale;
};

struct ModelDescription {
  std::string name;
  std::vector<LayerDescription> layers;
};

/// Parses and checks a model description. On error, prints
/// "<filename>: error: <json path>: <message>" to `errs` and fails.
FailureOr<ModelDescription> parseModelDescription(llvm::StringRef json,
                                                  llvm::StringRef filename,
                                                  llvm::raw_ostream &errs);

/// Builds the attn-dialect module of a checked description. Entry points are
/// named <model>_<layer>.
OwningOpRef<ModuleOp> buildModelModule(const ModelDescription &model,
                                       MLIRContext &context,
                                       llvm::StringRef filename);

} // namespace mlir::attn

#endif // ATTN_COMPILER_MODELIMPORT_H
