//===- Pipelines.h - attnc's phase pipelines --------------------*- C++ -*-===//
//
// One pass-pipeline builder per compilation phase (`attnc --emit=<phase>`
// stops after it). The phases that run MLIR passes are attn, tiled, vector
// and llvm-dialect; llvm-ir, asm and obj are produced by LLVM (Codegen.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_PIPELINES_H
#define ATTN_COMPILER_PIPELINES_H

#include "targets/TargetDescription.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir::attn {

/// Compilation phases, in order.
enum class Phase { Attn, Tiled, Vector, LLVMDialect, LLVMIR, Asm, Obj };

/// Parses an --emit= value; std::nullopt for unknown names.
std::optional<Phase> parsePhase(llvm::StringRef name);
llvm::StringRef phaseName(Phase phase);
/// "attn, tiled, vector, llvm-dialect, llvm-ir, asm, obj".
std::string phaseList();

/// attn: verify, canonicalize (shape refinement, default folding), CSE.
void buildAttnPhasePipeline(OpPassManager &pm);
/// The same after the target's compute-precision policy (attn-quantize with
/// TargetDescription::qkPolicy), if it has one.
void buildAttnPhasePipeline(OpPassManager &pm, const TargetDescription &target);
/// tiled: entry points made destination-passing; attn.sdpa tiled into the
/// online-softmax form with the target's block sizes (attn-tile-flash).
void buildTiledPhasePipeline(OpPassManager &pm,
                             const TargetDescription &target);
/// vector: one-shot bufferization, buffer deallocation, register-blocked
/// matmul micro-kernels sized for the target, remaining linalg to loops,
/// parallel loops onto the runtime's threads.
void buildVectorPhasePipeline(OpPassManager &pm,
                              const TargetDescription &target);
/// llvm-dialect: everything to the LLVM dialect, then the C entry points.
void buildLLVMDialectPhasePipeline(OpPassManager &pm,
                                   const TargetDescription &target);

/// Every MLIR phase up to and including `last` (clamped to llvm-dialect).
void buildPipelineTo(OpPassManager &pm, Phase last,
                     const TargetDescription &target);

/// Registers the named pipelines for attn-opt: attn-phase-attn,
/// attn-phase-tiled, attn-phase-vector, attn-lower-to-llvm.
void registerAttnPipelines();

} // namespace mlir::attn

#endif // ATTN_COMPILER_PIPELINES_H
