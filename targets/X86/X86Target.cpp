//===- X86Target.cpp - x86-64 target descriptions -------------------------===//
//
// The x86-64 targets: a baseline, AVX2 (x86-64-v3) and AVX-512 (x86-64-v4).
// Cache sizes are typical of current desktop/laptop cores (Zen 4/5, Golden
// Cove): 32-48 KiB L1D, 1-2 MiB L2 per core.
//
//===----------------------------------------------------------------------===//

#include "targets/TargetDescription.h"

#include "attn/abi.h"

void mlir::attn::registerX86Targets() {
  const char *triple = "x86_64-unknown-linux-gnu";
  registerTargetDescription({"x86_64", "x86-64 baseline (SSE4.2, x86-64-v2)",
                             triple, "x86-64-v2", "", ATTN_ABI_ISA_X86_64_V2,
                             128, 32 * 1024, 512 * 1024, 8 * 1024 * 1024});
  registerTargetDescription({"x86_64-avx2",
                             "x86-64 with AVX2 and FMA (x86-64-v3)", triple,
                             "x86-64-v3", "", ATTN_ABI_ISA_X86_64_V3, 256,
                             32 * 1024, 1024 * 1024, 16 * 1024 * 1024});
  registerTargetDescription({"x86_64-avx512",
                             "x86-64 with AVX-512 F/BW/DQ/VL (x86-64-v4)",
                             triple, "x86-64-v4", "", ATTN_ABI_ISA_X86_64_V4,
                             512, 48 * 1024, 1024 * 1024, 32 * 1024 * 1024});
}
