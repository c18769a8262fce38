// AArch64 code generation: the Q.K^T and P.V micro-kernels' inner loops are
// 6 x 4 register blocks of full-vector fmla (24 per k step) with no scalar
// FMAs and no spills or reloads (NEON's 32 q registers: 24 accumulators, 4
// of B, 1 of A). Objects are cross-compiled on this host for every AArch64
// target.
// RUN: attnc %s --target=cortex-a76 --emit=asm -o %t.a76.s
// RUN: python3 %S/Inputs/inner_loops.py %t.a76.s 16 | FileCheck %s
// RUN: attnc %s --target=cortex-a72 --emit=asm -o %t.a72.s
// RUN: python3 %S/Inputs/inner_loops.py %t.a72.s 16 | FileCheck %s
// RUN: attnc %s --target=aarch64-neon --emit=asm -o %t.neon.s
// RUN: python3 %S/Inputs/inner_loops.py %t.neon.s 16 | FileCheck %s
// RUN: attnc %s --target=neoverse-n1 -o %t.o
// RUN: llvm-objdump -f %t.o | FileCheck %s --check-prefix=OBJ

// CHECK: loop {{.*}}: fmla.4s=24 scalar_fma=0 stack=0
// CHECK: loop {{.*}}: fmla.4s=24 scalar_fma=0 stack=0
// CHECK: loops: 2, all full-vector: yes, spill-free: yes
// OBJ: file format elf64-littleaarch64
// OBJ: architecture: aarch64

func.func @dense(%q: tensor<1x8x256x64xf32>, %k: tensor<1x8x256x64xf32>, %v: tensor<1x8x256x64xf32>) -> tensor<1x8x256x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x256x64xf32>, tensor<1x8x256x64xf32>, tensor<1x8x256x64xf32>) -> tensor<1x8x256x64xf32>
  return %o : tensor<1x8x256x64xf32>
}
