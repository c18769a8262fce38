//===- AArch64Target.cpp - AArch64 target descriptions --------------------===//
//
// The AArch64 targets: an Armv8.0 NEON baseline and four cores found in
// edge boards and servers. NEON has 32 128-bit registers: the micro-kernels
// keep 5 rows x 4 vectors (16 f32 columns) of accumulators, 20 registers,
// plus 5 A vectors (four k steps of each row, used lane by lane: fmla by
// element) and 4 B vectors; 6 rows would spill. Block sizes follow L1D: a
// query block x key block f32 score tile takes at most half of it.
//
// Peak fp32 FLOP/cycle (FMA = 2 FLOP per lane, 4 lanes per vector):
// Cortex-A72 issues one 128-bit FMA per cycle (8), Cortex-A76 and
// Neoverse-N1 two (16). Cache sizes are those of the named boards:
// Raspberry Pi 4 (A72: 32 KiB L1D, 1 MiB shared L2), Raspberry Pi 5 (A76:
// 64 KiB L1D, 512 KiB L2 per core, 2 MiB L3), Neoverse-N1 (64 KiB L1D,
// 1 MiB L2 per core, 32 MiB system cache on Ampere Altra).
//
//===----------------------------------------------------------------------===//

#include "targets/TargetDescription.h"

#include "attn/abi.h"

#include <algorithm>

namespace {

using mlir::attn::TargetDescription;

/// One core: what differs between the AArch64 targets. Everything else
/// (triple, 128-bit vectors, 5 x 4 lane-A micro-kernels) is shared; block
/// sizes follow L1D: the f32 score tile takes at most half of it and the
/// query block is at least as tall as the 64-row key block.
struct Core {
  const char *name, *summary, *cpu, *features;
  int64_t isaLevel;
  uint64_t l1, l2, l3;
  int64_t fmaFlopsPerCycle;
  const char *mcaCpu; // llvm-mca model when not the CPU's own; or null
};

/// SDOT cores (A76, N1): two ASIMD pipes, each an SDOT of 16 byte
/// multiply-adds per cycle.
constexpr int64_t kSdotOpsPerCycle = 2 * 16 * 2;

void registerCore(const Core &c) {
  TargetDescription t;
  t.name = c.name;
  t.summary = c.summary;
  t.triple = "aarch64-unknown-linux-gnu";
  t.cpu = c.cpu;
  t.features = c.features;
  t.isaLevel = c.isaLevel;
  t.vectorBits = 128;
  t.l1Bytes = c.l1, t.l2Bytes = c.l2, t.l3Bytes = c.l3;
  t.fmaFlopsPerCycle = c.fmaFlopsPerCycle;
  t.mcaCpu = c.mcaCpu ? c.mcaCpu : "";
  t.microRows = 5;
  t.microVectors = 4;
  t.microLaneA = true;
  if (llvm::StringRef(c.features).contains("+dotprod")) {
    t.int8Dot = "arm-dotprod";
    t.int8OpsPerCycle = kSdotOpsPerCycle;
  }
  if (llvm::StringRef(c.features).contains("+bf16"))
    t.bf16Dot = "arm-bf16";
  // SMMLA: 32 byte multiply-adds an instruction, on the same two pipes.
  if (llvm::StringRef(c.features).contains("+i8mm")) {
    t.int8Mmla = true;
    t.int8OpsPerCycle = 2 * kSdotOpsPerCycle;
  }
  int64_t tile = static_cast<int64_t>(c.l1 / 2 / 4); // f32 elements
  t.kvBlock = 64;
  t.qBlock = std::max<int64_t>(64, tile / t.kvBlock / 64 * 64);
  mlir::attn::registerTargetDescription(t);
}

} // namespace

void mlir::attn::registerAArch64Targets() {
  constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;
  // The baseline is estimated with the Cortex-A72 model: LLVM's generic
  // one is optimistic. Cortex-A76 with Neoverse-N1's: LLVM 22 has no A76
  // model and falls back to the Cortex-A57's, half the A76's FP throughput.
  registerCore({"aarch64-neon", "AArch64 baseline (Armv8.0-A with NEON)",
                "generic", "+neon", ATTN_ABI_ISA_AARCH64_V8, 32 * KiB,
                512 * KiB, 2 * MiB, 8, "cortex-a72"});
  registerCore({"cortex-a72",
                "Arm Cortex-A72 (Raspberry Pi 4; Armv8.0-A, NEON)",
                "cortex-a72", "+neon,+crc", ATTN_ABI_ISA_AARCH64_V8, 32 * KiB,
                1 * MiB, 0, 8, nullptr});
  registerCore({"cortex-a76",
                "Arm Cortex-A76 (Raspberry Pi 5; Armv8.2-A, NEON, dotprod, "
                "fp16)",
                "cortex-a76", "+neon,+dotprod,+fullfp16,+rcpc",
                ATTN_ABI_ISA_AARCH64_V82, 64 * KiB, 512 * KiB, 2 * MiB, 16,
                "neoverse-n1"});
  registerCore(
      {"neoverse-n1", "Arm Neoverse-N1 (Armv8.2-A, NEON, dotprod, fp16)",
       "neoverse-n1", "+neon,+dotprod,+fullfp16,+rcpc",
       ATTN_ABI_ISA_AARCH64_V82, 64 * KiB, 1 * MiB, 32 * MiB, 16, nullptr});
  // Armv9.0-A with bf16 (BFDOT: bf16 products) and i8mm; NEON code only
  // (its SVE2 is not used). Two 128-bit FMA pipes, like the N1.
  registerCore({"neoverse-n2",
                "Arm Neoverse-N2 (Armv9.0-A; NEON, dotprod, fp16, bf16, "
                "i8mm)",
                "neoverse-n2", "+neon,+dotprod,+fullfp16,+rcpc,+bf16,+i8mm",
                ATTN_ABI_ISA_AARCH64_V86, 64 * KiB, 1 * MiB, 32 * MiB, 16,
                nullptr});
}
