// Every phase attnc can stop at (--emit=), on the same input.
// RUN: attnc %s --emit=attn | FileCheck %s --check-prefix=ATTN
// RUN: attnc %s --emit=tiled | FileCheck %s --check-prefix=TILED
// RUN: attnc %s --emit=vector | FileCheck %s --check-prefix=VECTOR
// RUN: attnc %s --emit=llvm-dialect --target=x86_64-avx2 | FileCheck %s --check-prefix=LLVMD
// RUN: attnc %s --emit=llvm-ir --target=x86_64-avx512 | FileCheck %s --check-prefix=IR
// RUN: attnc %s --emit=asm --target=x86_64-avx2 | FileCheck %s --check-prefix=ASM
// RUN: attnc %s --emit=obj --target=x86_64 -o %t.o
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=OBJ
// RUN: FileCheck %s --check-prefix=HDR < %t.h
// RUN: attnc %s --target=x86_64 -o %t.nohdr.o --no-header --header=%t.unused.h
// RUN: not ls %t.unused.h

// ATTN-LABEL: func.func @layer
// ATTN: attn.sdpa {{.*}} {mask = #attn.causal}
// ATTN-NOT: scale

// TILED-LABEL: func.func @__attn_kernel_layer
// TILED-NOT: attn.sdpa
// TILED: bufferization.to_tensor
// TILED: scf.forall
// TILED: linalg.generic
// TILED: math.exp
// TILED: bufferization.materialize_in_destination

// VECTOR-LABEL: func.func @__attn_kernel_layer
// VECTOR-NOT: tensor<
// VECTOR-NOT: linalg.
// VECTOR-NOT: math.exp
// VECTOR: memref.alloc
// VECTOR: scf.for
// VECTOR: vector.fma
// VECTOR: memref.dealloc

// LLVMD: @layer__attn_signature(dense<[1, 2, 4, 1,
// LLVMD: llvm.func @layer(
// LLVMD-NOT: func.func

// IR: define ptr @layer(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4)
// IR: call ptr @attn_rt_bind_args(

// ASM: .globl layer
// ASM: layer:
// ASM: callq attn_rt_bind_args@PLT
// ASM-NOT: zmm

// OBJ: U attn_rt_bind_args
// OBJ: T layer
// OBJ-NOT: __attn_kernel_layer
// OBJ-NOT: memrefCopy

// HDR: #include "attn/runtime.h"
// HDR: /** layer: attn.sdpa, mask #attn.causal, scale 0.25
// HDR-NEXT:  *   in  query [1, 4, 7, 16] f32
// HDR-NEXT:  *   in  key [1, 2, 9, 16] f32
// HDR-NEXT:  *   in  value [1, 2, 9, 8] f32
// HDR-NEXT:  *   out out [1, 4, 7, 8] f32
// HDR: attn_status_t layer(attn_context_t *context,
// HDR-NEXT: const attn_tensor_t *query,
// HDR-NEXT: const attn_tensor_t *key,
// HDR-NEXT: const attn_tensor_t *value,
// HDR-NEXT: attn_tensor_t *out);

func.func @layer(%q: tensor<1x4x7x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.25 : f32} : (tensor<1x4x7x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32>
  return %o : tensor<1x4x7x8xf32>
}
