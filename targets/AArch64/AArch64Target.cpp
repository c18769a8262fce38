//===- AArch64Target.cpp - AArch64 target descriptions --------------------===//
//
// The AArch64 targets: an Armv8.0 NEON baseline and three cores found in
// edge boards and servers. NEON has 32 128-bit registers: the micro-kernels
// keep 6 rows x 4 vectors (16 f32 columns) of accumulators, 24 registers,
// plus 4 for a row of B and one for A. Block sizes follow L1D: a query block
// x key block f32 score tile takes at most half of it.
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

/// Query rows x key rows per block: the f32 score tile takes at most half
/// of L1D, and the query block is at least as tall as the key block.
void blocksFromL1(TargetDescription &t) {
  int64_t tile = static_cast<int64_t>(t.l1Bytes / 2 / 4); // f32 elements
  t.kvBlock = 64;
  t.qBlock = std::max<int64_t>(64, tile / t.kvBlock / 64 * 64);
}

} // namespace

void mlir::attn::registerAArch64Targets() {
  TargetDescription base;
  base.triple = "aarch64-unknown-linux-gnu";
  base.vectorBits = 128;
  base.microRows = 5;
  base.microVectors = 4;
  base.microLaneA = true;

  TargetDescription neon = base;
  neon.name = "aarch64-neon";
  neon.summary = "AArch64 baseline (Armv8.0-A with NEON)";
  neon.cpu = "generic";
  neon.features = "+neon";
  neon.isaLevel = ATTN_ABI_ISA_AARCH64_V8;
  neon.l1Bytes = 32 * 1024;
  neon.l2Bytes = 512 * 1024;
  neon.l3Bytes = 2 * 1024 * 1024;
  neon.fmaFlopsPerCycle = 8;
  neon.mcaCpu = "cortex-a72"; // LLVM's generic model is optimistic
  blocksFromL1(neon);
  registerTargetDescription(neon);

  TargetDescription a72 = neon;
  a72.name = "cortex-a72";
  a72.summary = "Arm Cortex-A72 (Raspberry Pi 4; Armv8.0-A, NEON)";
  a72.cpu = "cortex-a72";
  a72.features = "+neon,+crc";
  a72.l1Bytes = 32 * 1024;
  a72.l2Bytes = 1024 * 1024;
  a72.l3Bytes = 0;
  a72.fmaFlopsPerCycle = 8;
  a72.mcaCpu = "";
  blocksFromL1(a72);
  registerTargetDescription(a72);

  TargetDescription a76 = base;
  a76.name = "cortex-a76";
  a76.summary = "Arm Cortex-A76 (Raspberry Pi 5; Armv8.2-A, NEON, dotprod, "
                "fp16)";
  a76.cpu = "cortex-a76";
  a76.features = "+neon,+dotprod,+fullfp16,+rcpc";
  a76.isaLevel = ATTN_ABI_ISA_AARCH64_V82;
  a76.l1Bytes = 64 * 1024;
  a76.l2Bytes = 512 * 1024;
  a76.l3Bytes = 2 * 1024 * 1024;
  a76.fmaFlopsPerCycle = 16;
  a76.mcaCpu = "neoverse-n1";
  blocksFromL1(a76);
  registerTargetDescription(a76);

  TargetDescription n1 = a76;
  n1.name = "neoverse-n1";
  n1.summary = "Arm Neoverse-N1 (Armv8.2-A, NEON, dotprod, fp16)";
  n1.cpu = "neoverse-n1";
  n1.mcaCpu = "";
  n1.l1Bytes = 64 * 1024;
  n1.l2Bytes = 1024 * 1024;
  n1.l3Bytes = 32 * 1024 * 1024;
  blocksFromL1(n1);
  registerTargetDescription(n1);
}
