// AArch64 code generation, statically: the Q.K^T and P.V micro-kernels'
// inner loops are 5 x 4 register blocks of full-vector fmla over four k
// steps (A loaded as one vector per row, used lane by lane: 80 fmla per
// iteration) with no scalar FMAs and no spills or reloads (NEON's 32 q
// registers: 20 accumulators, 5 of A, 4 of B), and attn-estimate runs
// llvm-mca with the core's scheduling model over them (the dense fp32 loops
// at D = 64). The objects are cross-compiled on this host.
// RUN: attn-estimate %s --target=cortex-a76 | FileCheck %s --check-prefixes=CHECK,A76
// RUN: attn-estimate %s --target=cortex-a72 | FileCheck %s --check-prefixes=CHECK,A72
// RUN: attn-estimate %s --target=aarch64-neon | FileCheck %s
// RUN: attnc %s --target=neoverse-n1 -o %t.o
// RUN: llvm-objdump -f %t.o | FileCheck %s --check-prefix=OBJ

// A76: target cortex-a76 (llvm-mca -mcpu=neoverse-n1), peak 16 FLOP/cycle
// A72: target cortex-a72 (llvm-mca -mcpu=cortex-a72), peak 8 FLOP/cycle
// CHECK: loop {{.*}}: 80 vector FMAs, 0 scalar FMAs, 0 stack accesses, 640 FLOP in {{[0-9.]+}} cycles/iteration = {{[0-9.]+}} FLOP/cycle, {{[0-9.]+}} of peak
// CHECK: loop {{.*}}: 80 vector FMAs, 0 scalar FMAs, 0 stack accesses, 640 FLOP
// CHECK-NOT: {{ [1-9][0-9]* stack accesses}}
// CHECK: micro-kernel loops (80 vector FMAs per iteration): 2, lowest
// OBJ: file format elf64-littleaarch64
// OBJ: architecture: aarch64

func.func @dense(%q: tensor<1x8x256x64xf32>, %k: tensor<1x8x256x64xf32>, %v: tensor<1x8x256x64xf32>) -> tensor<1x8x256x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x256x64xf32>, tensor<1x8x256x64xf32>, tensor<1x8x256x64xf32>) -> tensor<1x8x256x64xf32>
  return %o : tensor<1x8x256x64xf32>
}
