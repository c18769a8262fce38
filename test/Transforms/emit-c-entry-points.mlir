// RUN: attn-opt %s --attn-lower-to-llvm | FileCheck %s
// RUN: attn-opt %s --attn-make-entry-points --convert-attn-to-linalg \
// RUN:   --one-shot-bufferize --attn-lower-copies --convert-linalg-to-loops \
// RUN:   --expand-strided-metadata --lower-affine --convert-scf-to-cf \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   "--attn-emit-c-entry-points=isa-level=3" | FileCheck %s --check-prefix=ISA

// The C entry point binds its tensors through the runtime and, only when
// they match, runs the kernel through attn_rt_run (the runtime's allocation
// guard) by way of an internal thunk that passes each descriptor; the kernel
// becomes internal.

// CHECK-DAG: llvm.mlir.global internal constant @layer__attn_names("layer:query,key,value,out\00")
// CHECK-DAG: llvm.mlir.global internal constant @layer__attn_signature(dense<[1, {{[0-9]}}, 4, 1,
// CHECK-DAG: llvm.func @attn_rt_bind_args(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-DAG: llvm.func internal @__attn_kernel_layer(
// CHECK-DAG: llvm.func internal @_mlir_ciface___attn_kernel_layer(
// CHECK-DAG: llvm.func @attn_rt_run(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-LABEL: llvm.func internal @layer__attn_run(
// CHECK-SAME: %[[TCTX:[a-z0-9]+]]: !llvm.ptr, %[[TDESC:[a-z0-9]+]]: !llvm.ptr)
// Descriptors of rank-4 tensors are 11 words apart.
// CHECK: llvm.getelementptr %[[TDESC]][0, 11]
// CHECK: llvm.call @_mlir_ciface___attn_kernel_layer(%[[TCTX]],
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @layer(
// CHECK-SAME: %[[CTX:[a-z0-9]+]]: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> !llvm.ptr
// CHECK-DAG: %[[NAMES:.*]] = llvm.mlir.addressof @layer__attn_names
// CHECK-DAG: %[[SIG:.*]] = llvm.mlir.addressof @layer__attn_signature
// CHECK-DAG: %[[THUNK:.*]] = llvm.mlir.addressof @layer__attn_run
// CHECK: %[[ARGV:.*]] = llvm.alloca %{{.*}} x !llvm.array<4 x ptr>
// CHECK: llvm.store %arg1
// CHECK: llvm.store %arg4
// CHECK: %[[DESC:.*]] = llvm.alloca %{{.*}} x !llvm.array<44 x i64>
// CHECK: %[[ST:.*]] = llvm.call @attn_rt_bind_args(%[[CTX]], %[[SIG]], %{{.*}}, %[[ARGV]], %[[DESC]])
// CHECK: llvm.cond_br %{{.*}}, ^[[OK:.*]], ^[[BAD:.*]]
// CHECK: ^[[OK]]:
// CHECK: %[[RES:.*]] = llvm.call @attn_rt_run(%[[CTX]], %[[SIG]], %{{.*}}, %[[THUNK]], %[[DESC]])
// CHECK: llvm.return %[[RES]] : !llvm.ptr
// CHECK: ^[[BAD]]:
// CHECK: llvm.return %[[ST]] : !llvm.ptr

// The ISA level option lands in the signature's second word.
// ISA: @layer__attn_signature(dense<[1, 3, 4, 1,
func.func @layer(%q: tensor<1x4x7x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x7x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32>
  return %o : tensor<1x4x7x8xf32>
}
