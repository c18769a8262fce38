//===- SdpaKernel.h - attn.sdpa as a gpu.func ------------------*- C++ -*-===//
//
// Builds the GPU compute kernel of one attn.sdpa, in the gpu, scf, memref,
// arith and math dialects, ready for upstream's GPU-to-SPIR-V conversion:
//
//  - a workgroup owns `workgroupSize` query rows of one (batch, query head),
//    one invocation per row: the grid is (ceil(Lq / rows), B * Hq, 1);
//  - the workgroup stages `kvBlock` key and value rows at a time in
//    workgroup memory, loaded cooperatively, between two barriers;
//  - each invocation keeps its query row, its output accumulator and its
//    scores of the staged block in private arrays, and its row's online
//    softmax state (max, sum): one invocation per row needs no cross-lane
//    reduction, and every key block is read from global memory once per
//    workgroup;
//  - causal and causal-window masks bound the key loop per workgroup
//    (blocks no row of the workgroup sees are never loaded); every mask
//    pattern and named score modifier is applied per score from its
//    attribute's builder.
//
// Tensors arrive as flat storage buffers (binding i = entry argument i) and
// their offsets, sizes and strides in elements from an i32 parameter buffer
// (binding N), so one kernel serves any layout and any dynamic size:
// parameter words of argument a start at sum over earlier arguments of
// (1 + 2 * rank): offset, sizes[rank], strides[rank].
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_PASSES_CONVERSION_ATTNTOGPU_SDPAKERNEL_H
#define ATTN_PASSES_CONVERSION_ATTNTOGPU_SDPAKERNEL_H

#include "dialects/Attn/AttnOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::attn {

/// How the kernel is shaped; derived from the target's device profile.
struct SdpaKernelConfig {
  /// Invocations per workgroup = query rows per workgroup.
  int64_t workgroupSize = 64;
  /// Workgroup memory the kernel may use, in bytes.
  int64_t sharedMemoryBytes = 16 * 1024;
  /// Largest number of key rows staged at once.
  int64_t maxKvBlock = 64;
};

/// Which entry arguments the op reads and writes.
struct SdpaKernelArgs {
  /// The tensor types of every entry argument, in binding order.
  SmallVector<RankedTensorType> types;
  unsigned query = 0, key = 0, value = 0, result = 0;
};

/// What the host needs to launch a built kernel.
struct SdpaKernelLaunch {
  int64_t workgroupSize = 0;
  /// Workgroup memory the kernel declares, in bytes.
  int64_t sharedMemoryBytes = 0;
  /// i32 words of the parameter buffer.
  int64_t paramWords = 0;
  /// An upper bound on the loop iterations one invocation executes, as
  /// perKey * Lk + perBlock * ceil(Lk / kvBlock) + constant, counting
  /// n + 1 for a loop of n iterations (lavapipe's loop limiter, which stops
  /// every loop of an invocation once 65535 iterations have run in all).
  int64_t loopsPerKey = 0, loopsPerBlock = 0, loopsConstant = 0, kvBlock = 0;
};

/// Checks that `op` can run as a GPU kernel under `config`; emits a
/// diagnostic at the op naming what is not supported otherwise.
LogicalResult checkSdpaForGPU(SdpaOp op, const SdpaKernelConfig &config);

/// Builds, at the end of `module`, the kernel `name` computing `op`. Fails
/// (with a diagnostic) where checkSdpaForGPU does.
FailureOr<SdpaKernelLaunch> buildSdpaKernel(gpu::GPUModuleOp module,
                                            StringRef name, SdpaOp op,
                                            const SdpaKernelArgs &args,
                                            const SdpaKernelConfig &config);

/// The memory space of the kernels' tensor buffers (SPIR-V StorageBuffer).
Attribute storageBufferSpace(MLIRContext *ctx);

} // namespace mlir::attn

#endif // ATTN_PASSES_CONVERSION_ATTNTOGPU_SDPAKERNEL_H
