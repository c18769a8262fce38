//===- Pipelines.cpp - attnc's phase pipelines ----------------------------===//

#include "compiler/Pipelines.h"

#include "compiler/Passes.h"
#include "passes/Conversion/Passes.h"
#include "passes/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUToSPIRV/GPUToSPIRVPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToSPIRV/MathToSPIRVPass.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attn;

static const char *const kPhaseNames[] = {
    "attn", "tiled", "vector", "llvm-dialect", "llvm-ir", "asm", "obj"};

std::optional<Phase> mlir::attn::parsePhase(llvm::StringRef name) {
  for (unsigned i = 0; i < std::size(kPhaseNames); ++i)
    if (name == kPhaseNames[i])
      return static_cast<Phase>(i);
  return std::nullopt;
}

llvm::StringRef mlir::attn::phaseName(Phase phase) {
  return kPhaseNames[static_cast<unsigned>(phase)];
}

std::string mlir::attn::phaseList() {
  std::string s;
  for (const char *n : kPhaseNames)
    s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

void mlir::attn::buildAttnPhasePipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildAttnPhasePipeline(OpPassManager &pm,
                                        const TargetDescription &target) {
  // A compute-precision policy (attnc --qk / --pv) rewrites the ops' own
  // settings before anything reads them.
  if (!target.qkPolicy.empty() || !target.pvPolicy.empty() ||
      !target.smoothKPolicy.empty()) {
    QuantizeOptions quantize;
    quantize.qk = target.qkPolicy;
    quantize.pv = target.pvPolicy;
    quantize.smoothK = target.smoothKPolicy;
    pm.addPass(createQuantize(quantize));
  }
  buildAttnPhasePipeline(pm);
}

/// Vulkan, tiled phase: each entry becomes a gpu.func kernel (online
/// softmax per workgroup) and a declaration its C entry is written from.
static void buildVulkanTiledPhase(OpPassManager &pm,
                                  const TargetDescription &target) {
  MakeGPUEntryPointsOptions options;
  const GPUProfile &gpu = target.gpu;
  // One invocation per query row: 64 rows, or a subgroup multiple where the
  // profile names one, within the profile's invocation limit.
  int64_t rows = 64;
  if (gpu.subgroupSize > 0)
    rows =
        std::max(rows, gpu.subgroupSize) / gpu.subgroupSize * gpu.subgroupSize;
  options.workgroupSize = std::min(rows, gpu.maxInvocations);
  options.sharedMemoryBytes = gpu.sharedMemoryBytes;
  options.maxInvocations = gpu.maxInvocations;
  pm.addPass(createMakeGPUEntryPoints(options));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Vulkan, vector phase: upstream's math and GPU to SPIR-V conversions.
static void buildVulkanSPIRVPhase(OpPassManager &pm) {
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertMathToSPIRVPass());
  pm.addPass(createConvertGPUToSPIRVPass(/*mapMemorySpace=*/false));
  OpPassManager &spv = pm.nest<spirv::ModuleOp>();
  spv.addPass(spirv::createSPIRVLowerABIAttributesPass());
  spv.addPass(spirv::createSPIRVUpdateVCEPass());
  spv.addPass(createCanonicalizerPass());
}

void mlir::attn::buildTiledPhasePipeline(OpPassManager &pm,
                                         const TargetDescription &target) {
  if (target.kind == TargetKind::Vulkan)
    return buildVulkanTiledPhase(pm, target);
  pm.addPass(createMakeEntryPoints());
  if (!target.fuseDiff)
    pm.addPass(createDecomposeDiff());
  pm.addPass(createDecomposeLowRank());
  TileFlashOptions tile;
  tile.qBlock = target.qBlock;
  tile.kvBlock = target.kvBlock;
  tile.chooseTiles = !target.fixedTiles;
  tile.int8Dot = target.int8Dot;
  tile.bf16Dot = target.bf16Dot != "generic";
  tile.int8Mmla = target.int8Mmla;
  tile.int8Lanes = target.vectorBits >= 512   ? 16
                   : target.vectorBits >= 256 ? 8
                                              : 4;
  pm.addPass(createTileFlash(tile));
  // Whatever attn-tile-flash does not tile takes the untiled lowering;
  // elementwise arith/math on tensors around attn ops becomes linalg too, so
  // that everything bufferizes.
  pm.addPass(createConvertAttnToLinalg());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildVectorPhasePipeline(OpPassManager &pm,
                                          const TargetDescription &target) {
  if (target.kind == TargetKind::Vulkan)
    return buildVulkanSPIRVPhase(pm);
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Loop-carried tiles (the online softmax's accumulators) get identity
  // layouts, so that the micro-kernels see unit strides.
  bufferize.unknownTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  int64_t lanes = std::max<int64_t>(4, target.vectorBits / 32);
  LowerCopiesOptions copies;
  copies.lanes = lanes;
  pm.addPass(createLowerCopies(copies));
  MatmulMicrokernelsOptions micro;
  micro.lanes = lanes;
  micro.rows = target.microRows;
  micro.wideRows = target.microWideRows;
  micro.vectors = target.microVectors;
  micro.laneA = target.microLaneA;
  pm.addPass(createMatmulMicrokernels(micro));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // bf16 conversions inline where the CPU has no instruction for them
  // (AVX-512 BF16 / Armv8.6 BF16 have one).
  ApproximateMathOptions math;
  llvm::StringRef features = target.features;
  math.expandBf16 =
      !features.contains("+avx512bf16") && !features.contains("+bf16");
  pm.addPass(createApproximateMath(math));
  // Parallel loops of entry kernels run on the runtime's thread pool; any
  // other scf.forall runs sequentially.
  pm.addPass(createOutlineParallel());
  pm.addPass(createForallToForLoopPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildLLVMDialectPhasePipeline(
    OpPassManager &pm, const TargetDescription &target) {
  if (target.kind == TargetKind::Vulkan) {
    pm.addPass(createEmitVulkanEntryPoints());
    return;
  }
  // attn.dot_i8 (int8 scores) becomes the target's byte dot product:
  // VPDPBUSD, SDOT or widened integer code.
  LowerInt8DotOptions int8Dot;
  int8Dot.isa = target.int8Dot;
  int8Dot.bf16 = target.bf16Dot;
  int8Dot.mmla = target.int8Mmla ? "arm-i8mm" : "generic";
  pm.addPass(createLowerInt8Dot(int8Dot));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // arm_neon ops (SDOT from attn-lower-int8-dot) lower with the vector
  // dialect.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.armNeon = target.int8Dot == "arm-dotprod";
  // x86vector ops: VDPBF16PS of bf16 products.
  vectorToLLVM.x86Vector = target.bf16Dot == "x86-avx512bf16";
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Allocations go through libattnrt (runtime/src/memory.c), which counts
  // them, rather than straight to malloc.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  EmitCEntryPointsOptions entry;
  entry.isaLevel = target.isaLevel;
  pm.addPass(createEmitCEntryPoints(entry));
  pm.addPass(createCanonicalizerPass());
}

void mlir::attn::buildPipelineTo(OpPassManager &pm, Phase last,
                                 const TargetDescription &target) {
  buildAttnPhasePipeline(pm, target);
  if (last >= Phase::Tiled)
    buildTiledPhasePipeline(pm, target);
  if (last >= Phase::Vector)
    buildVectorPhasePipeline(pm, target);
  if (last >= Phase::LLVMDialect)
    buildLLVMDialectPhasePipeline(pm, target);
}

void mlir::attn::registerAttnPipelines() {
  PassPipelineRegistration<>(
      "attn-phase-attn", "attnc's attn phase: canonicalize and CSE",
      [](OpPassManager &pm) { buildAttnPhasePipeline(pm); });
  PassPipelineRegistration<>(
      "attn-phase-tiled",
      "attnc's tiled phase for the host: entry points, online-softmax tiling",
      [](OpPassManager &pm) {
        std::optional<TargetDescription> host = lookupTarget("host");
        buildTiledPhasePipeline(pm, host ? *host : TargetDescription{});
      });
  PassPipelineRegistration<>(
      "attn-phase-vector",
      "attnc's vector phase for the host: bufferize, micro-kernels, loops",
      [](OpPassManager &pm) {
        std::optional<TargetDescription> host = lookupTarget("host");
        buildVectorPhasePipeline(pm, host ? *host : TargetDescription{});
      });
  PassPipelineRegistration<>(
      "attn-lower-to-llvm",
      "attnc's whole pipeline to the LLVM dialect for the host target",
      [](OpPassManager &pm) {
        std::optional<TargetDescription> host = lookupTarget("host");
        buildPipelineTo(pm, Phase::LLVMDialect,
                        host ? *host : TargetDescription{});
      });
}
