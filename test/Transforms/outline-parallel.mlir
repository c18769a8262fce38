// RUN: attn-opt %s --attn-outline-parallel | FileCheck %s

// The scf.forall of an entry kernel becomes a call into the runtime's thread
// pool with an outlined body; loops elsewhere are left alone.

// CHECK-DAG: llvm.func @attn_context_parallel_for(!llvm.ptr, i64, i64, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-LABEL: func.func @__attn_kernel_f(
// CHECK-SAME: %[[CTX:.*]]: !llvm.ptr, %[[BUF:.*]]: memref<4x?xf32>, %[[N:.*]]: index)
// CHECK-NOT: scf.forall
// CHECK: %[[CLOSURE:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, i64)>
// CHECK: %[[DESC:.*]] = builtin.unrealized_conversion_cast %[[BUF]] : memref<4x?xf32> to !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.insertvalue %[[DESC]]
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: llvm.insertvalue %[[NI]]
// CHECK: llvm.store %{{.*}}, %[[CLOSURE]]
// CHECK: %[[COUNT:.*]] = arith.muli %{{.*}}, %[[N]] : index
// CHECK: %[[COUNTI:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @__attn_kernel_f__parallel0
// CHECK: llvm.call @attn_context_parallel_for(%[[CTX]], %[[COUNTI]], %{{.*}}, %[[FN]], %[[CLOSURE]])

// CHECK-LABEL: func.func @helper
// CHECK: scf.forall

// The body: constants cloned, captured values unpacked, the linear index
// split into (i, j) with j fastest.
// CHECK-LABEL: llvm.func internal @__attn_kernel_f__parallel0(%arg0: !llvm.ptr, %arg1: i64, %arg2: i64)
// CHECK: %[[S:.*]] = llvm.load %arg0
// CHECK: %[[C1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[M:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<{{.*}}> to memref<4x?xf32>
// CHECK: scf.for %[[X:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[J:.*]] = arith.remui %[[X]], %{{.*}}
// CHECK:   %[[I:.*]] = arith.divui %[[X]], %{{.*}}
// CHECK:   memref.store %[[C1]], %[[M]][%[[I]], %[[J]]]
func.func @__attn_kernel_f(%ctx: !llvm.ptr, %buf: memref<4x?xf32>, %n: index) attributes {attn.entry = "f"} {
  %one = arith.constant 1.0 : f32
  scf.forall (%i, %j) in (4, %n) {
    memref.store %one, %buf[%i, %j] : memref<4x?xf32>
  }
  return
}

func.func @helper(%buf: memref<4xf32>) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %one, %buf[%i] : memref<4xf32>
  }
  return
}
