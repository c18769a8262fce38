//===- TargetDescription.h - what attnc knows about a target ----*- C++ -*-===//
//
// A target description: the facts about a machine that drive code generation
// (triple, CPU, features, vector width, caches) and, later, scheduling and
// the energy model. Each target folder registers its descriptions here.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TARGETS_TARGETDESCRIPTION_H
#define ATTN_TARGETS_TARGETDESCRIPTION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// What runs the compiled attention: the CPU the object is linked into, or a
/// Vulkan device the object's host code dispatches SPIR-V kernels to.
enum class TargetKind { CPU, Vulkan };

/// A Vulkan device profile: the limits and features a compiled kernel may
/// rely on. The defaults are what every Vulkan 1.1 compute device has
/// (the spec's minimum limits); the runtime checks the device at launch.
struct GPUProfile {
  /// Invocations per workgroup (the spec guarantees 128).
  int64_t maxInvocations = 128;
  /// Workgroup (shared) memory in bytes (the spec guarantees 16 KiB).
  int64_t sharedMemoryBytes = 16 * 1024;
  /// Subgroup size the workgroup size is rounded to (0: unknown; Vulkan
  /// 1.1 leaves it to the device).
  int64_t subgroupSize = 0;
  /// 16-bit storage buffers (VK_KHR_16bit_storage's
  /// storageBuffer16BitAccess): f16 tensors without conversion copies.
  bool fp16Storage = false;
};

/// Everything the compiler needs to know about one target.
struct TargetDescription {
  /// The --target= name: "x86_64-avx512", "host", ...
  std::string name;
  /// One line for `attnc --list-targets`.
  std::string summary;
  /// LLVM target triple, CPU name and feature string.
  std::string triple;
  std::string cpu;
  std::string features;
  /// Instruction-set level the runtime checks before running code compiled
  /// for this target (attn_abi_isa_t).
  int64_t isaLevel = 0;
  /// Widest vector register in bits.
  unsigned vectorBits = 128;
  /// Data cache sizes in bytes (per core for L1/L2, shared L3).
  uint64_t l1Bytes = 32 * 1024;
  uint64_t l2Bytes = 512 * 1024;
  uint64_t l3Bytes = 8 * 1024 * 1024;
  /// attn-tile-flash block sizes: query rows per work item, key/value rows
  /// per step of the online softmax.
  int64_t qBlock = 64;
  int64_t kvBlock = 64;
  /// Set by a --tile override: use qBlock x kvBlock as given, never halves.
  bool fixedTiles = false;
  /// attn.diff lowered fused by attn-tile-flash (true), or first decomposed
  /// into two attn.sdpa and an elementwise epilogue (attnc --diff=unfused).
  bool fuseDiff = true;
  /// Compute-precision policy for attn.sdpa's Q . K^T (attn-quantize qk):
  /// "int8" or "f32" for every op, empty to keep each op's own (attnc
  /// --qk). No target sets one by default: int8 scores change the numerics
  /// (README: measured speed and error), so they are the user's choice.
  std::string qkPolicy;
  /// The same for P . V (attn-quantize pv, attnc --pv).
  std::string pvPolicy;
  /// attn-quantize smooth-k: "true", "false", or empty to keep each op's
  /// (attnc --smooth-k).
  std::string smoothKPolicy;
  /// Register block of the matmul micro-kernels: rows x vectors
  /// accumulators (plus `microVectors` loads and a broadcast) must fit the
  /// vector register file.
  int64_t microRows = 4;
  int64_t microVectors = 2;
  /// Rows of the register block for matmuls whose C has two or more static
  /// column blocks (P . V with a wide value head); 0: `microRows`.
  int64_t microWideRows = 0;
  /// Micro-kernels load A a vector (`lanes` k steps) at a time and use its
  /// lanes (attn-matmul-microkernels lane-a): where issue width bounds the
  /// loop and FMA by element is free (NEON).
  bool microLaneA = false;
  /// How int8 scores sum byte products (attn-tile-flash int8-dot):
  /// "generic" or "arm-dotprod" (SDOT).
  std::string int8Dot = "generic";
  /// How bf16 products (qk/pv_precision = bf16) sum pairs of bf16
  /// products (attn-lower-int8-dot bf16): "x86-avx512bf16" (VDPBF16PS) or
  /// "arm-bf16" (BFDOT, +bf16) or "generic"; with "generic",
  /// attn-tile-flash computes them in f32.
  std::string bf16Dot = "generic";
  /// Whether the target multiplies 2x8 by 8x2 byte matrices in one
  /// instruction (AArch64 SMMLA, +i8mm): the prefill int8 score kernels
  /// use attn.mmla_i8 (attn-tile-flash int8-mmla); others keep int8Dot.
  bool int8Mmla = false;
  /// Peak fp32 FLOP per cycle and core from fused multiply-adds (for
  /// static performance estimates); 0 when not stated.
  int64_t fmaFlopsPerCycle = 0;
  /// Peak int8 operations (2 per byte multiply-add) per cycle and core from
  /// the byte dot-product instruction (int8Dot); 0 when not stated.
  int64_t int8OpsPerCycle = 0;
  /// The LLVM scheduling model for static estimates (llvm-mca -mcpu); the
  /// CPU's own when empty. Cortex-A76 uses Neoverse-N1's: LLVM 22 has no
  /// A76 model and falls back to Cortex-A57's, which has half the A76's FP
  /// throughput; the N1 is built on the A76 core.
  std::string mcaCpu;
  /// CPU targets compile to machine code; Vulkan targets to SPIR-V kernels
  /// plus host code (for `triple`) that hands them to the runtime.
  TargetKind kind = TargetKind::CPU;
  GPUProfile gpu;
};

/// Registers a description; later registrations of the same name replace
/// earlier ones.
void registerTargetDescription(TargetDescription desc);

/// Looks a target up by name; "host" is resolved to the machine running the
/// compiler.
std::optional<TargetDescription> lookupTarget(llvm::StringRef name);

/// Applies "key=value,..." options to a Vulkan target's profile
/// (`--target=vulkan:fp16,shared=32768,subgroup=32,invocations=256`).
/// On failure, false and a message in `error`.
bool applyGPUProfileOptions(TargetDescription &target, llvm::StringRef options,
                            std::string &error);

/// The target named `name` with the command-line choices of the tools
/// applied: a `--tile=QxK` override ("128x64": query rows x key rows per
/// block; empty for none) and `--diff=fused|unfused`. On failure, nullopt
/// and a message in `error`.
std::optional<TargetDescription>
configureTarget(llvm::StringRef name, llvm::StringRef tile,
                llvm::StringRef diff, std::string &error,
                llvm::StringRef qk = "", llvm::StringRef pv = "",
                llvm::StringRef smoothK = "");

/// The help of the tools' `--qk` / `--pv` policies (configureTarget's `qk`
/// and `pv`), one wording for attnc and attn-check.
extern const char *const kQkPolicyHelp;
extern const char *const kPvPolicyHelp;
extern const char *const kSmoothKHelp;

/// Every registered target, in registration order (without "host").
std::vector<TargetDescription> listTargets();

/// Registers every target folder's descriptions. Idempotent.
void registerAllTargets();

/// Registration hook of each target folder.
void registerX86Targets();
void registerAArch64Targets();
void registerVulkanTargets();

} // namespace mlir::attn

#endif // ATTN_TARGETS_TARGETDESCRIPTION_H
