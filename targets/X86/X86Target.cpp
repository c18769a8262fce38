//===- X86Target.cpp - x86-64 target descriptions -------------------------===//
//
// The x86-64 targets: a baseline, AVX2 (x86-64-v3) and AVX-512 (x86-64-v4),
// the last two with the VNNI byte dot product, and AVX-512 with VNNI and
// BF16.
// Cache sizes are typical of current desktop/laptop cores (Zen 4/5, Golden
// Cove): 32-48 KiB L1D, 1-2 MiB L2 per core.
//
// Schedules: AVX-512 has 32 zmm registers, so micro-kernels keep 4 rows x 4
// vectors of accumulators; AVX2 and SSE have 16, so 4 x 2. The AVX-512 block
// sizes (256 query rows, 128 keys) were picked with attn-bench on a Zen 5
// (dense-2k, dense-2k-d128, causal-2k, bert-base; 256 x 128 against
// 128 x 128: dense-2k 29.9 vs 31.0-33.1 ms, dense-2k-d128 56.1-61.9 vs
// 64.5-68.7 ms, causal-2k and bert-base within noise): each key/value block,
// transposed and copied once, serves twice the query rows, and the 256 x 128
// f32 score tile (128 KiB) still sits in the 1 MiB L2. The others keep
// 64 x 64 until measured on such machines.
//
//===----------------------------------------------------------------------===//

#include "targets/TargetDescription.h"

#include "attn/abi.h"

void mlir::attn::registerX86Targets() {
  TargetDescription base;
  base.triple = "x86_64-unknown-linux-gnu";
  base.microRows = 4;
  base.microVectors = 2;

  TargetDescription v2 = base;
  v2.name = "x86_64";
  v2.summary = "x86-64 baseline (SSE4.2, x86-64-v2)";
  v2.cpu = "x86-64-v2";
  v2.isaLevel = ATTN_ABI_ISA_X86_64_V2;
  v2.vectorBits = 128;
  v2.l1Bytes = 32 * 1024;
  v2.l2Bytes = 512 * 1024;
  v2.l3Bytes = 8 * 1024 * 1024;
  registerTargetDescription(v2);

  TargetDescription v3 = base;
  v3.name = "x86_64-avx2";
  v3.summary = "x86-64 with AVX2 and FMA (x86-64-v3)";
  v3.cpu = "x86-64-v3";
  v3.isaLevel = ATTN_ABI_ISA_X86_64_V3;
  v3.vectorBits = 256;
  v3.l1Bytes = 32 * 1024;
  v3.l2Bytes = 1024 * 1024;
  v3.l3Bytes = 16 * 1024 * 1024;
  registerTargetDescription(v3);

  TargetDescription v4 = base;
  v4.name = "x86_64-avx512";
  v4.summary = "x86-64 with AVX-512 F/BW/DQ/VL (x86-64-v4)";
  v4.cpu = "x86-64-v4";
  v4.isaLevel = ATTN_ABI_ISA_X86_64_V4;
  v4.vectorBits = 512;
  v4.l1Bytes = 48 * 1024;
  v4.l2Bytes = 1024 * 1024;
  v4.l3Bytes = 32 * 1024 * 1024;
  v4.qBlock = 256;
  v4.kvBlock = 128;
  v4.microVectors = 4;
  // 6 x 4 accumulators + 4 B vectors + a broadcast: 29 of 32 zmm registers;
  // measured on Zen 5 (2 threads): dense-2k-d128 58 vs 61 ms, diff-2k 49 vs
  // 53 ms; one-block (D = 64) products stay faster at 4 rows.
  v4.microWideRows = 6;
  registerTargetDescription(v4);

  // The VNNI targets multiply int8 scores' bytes with VPDPBUSD (EVEX on
  // AVX-512 VNNI, VEX on AVX-VNNI), 8 int32 lanes (one 32-byte block) an
  // instruction; everything else is their base level's.
  TargetDescription v4vnni = v4;
  v4vnni.name = "x86_64-avx512-vnni";
  v4vnni.summary = "x86-64-v4 with AVX-512 VNNI (Ice Lake, Sapphire Rapids, "
                   "Zen 4/5)";
  v4vnni.features = "+avx512vnni";
  v4vnni.isaLevel = ATTN_ABI_ISA_X86_64_V4_VNNI;
  v4vnni.int8Dot = "x86-vnni";
  registerTargetDescription(v4vnni);

  // AVX-512 BF16 adds VDPBF16PS, the bf16 pair dot product of bf16
  // products (qk/pv_precision = bf16), and bf16 conversions in hardware.
  TargetDescription v4bf16 = v4vnni;
  v4bf16.name = "x86_64-avx512-bf16";
  v4bf16.summary = "x86-64-v4 with AVX-512 VNNI and BF16 (Cooper Lake, "
                   "Sapphire Rapids, Zen 4/5)";
  v4bf16.features = "+avx512vnni,+avx512bf16";
  v4bf16.isaLevel = ATTN_ABI_ISA_X86_64_V4_BF16;
  v4bf16.bf16Dot = "x86-avx512bf16";
  registerTargetDescription(v4bf16);

  TargetDescription v3vnni = v3;
  v3vnni.name = "x86_64-avx2-vnni";
  v3vnni.summary = "x86-64-v3 with AVX-VNNI (Alder Lake and later cores)";
  v3vnni.features = "+avxvnni";
  v3vnni.isaLevel = ATTN_ABI_ISA_X86_64_V3_VNNI;
  v3vnni.int8Dot = "x86-vnni";
  registerTargetDescription(v3vnni);
}
