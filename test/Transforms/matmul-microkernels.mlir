// RUN: attn-opt %s --attn-matmul-microkernels="lanes=16 rows=4 vectors=2" | FileCheck %s
// RUN: not attn-opt %s --attn-matmul-microkernels="rows=0" 2>&1 | FileCheck %s --check-prefix=BAD

// C[i, n] += A[i, k] * B[k, n] on unit-stride f32 memrefs becomes
// register-blocked vector code: 4 rows x 2 vectors of 16 accumulators stay
// in registers across the k loop; remainder rows one at a time.

// CHECK-LABEL: func.func @matmul
// CHECK: %[[M:.*]] = memref.dim %arg2, %c0
// CHECK: %[[N:.*]] = memref.dim %arg2, %c1
// CHECK: %[[K:.*]] = memref.dim %arg0, %c1
// Full blocks of 4 rows, 32 columns per step, masked at the right edge.
// CHECK: scf.for %[[I0:.*]] = %c0 to %[[MF:.*]] step %c4 {
// CHECK:   scf.for %[[N0:.*]] = %c0{{.*}} to %[[N]] step %c32{{.*}} {
// CHECK:     vector.create_mask {{.*}} : vector<16xi1>
// CHECK-COUNT-8: vector.maskedload %arg2
// CHECK:     %[[ACC:.*]]:8 = scf.for %[[KK:.*]] = %c0{{.*}} to %[[K]] step %c1{{.*}} iter_args(
// CHECK-COUNT-2:  vector.maskedload %arg1[%[[KK]],
// CHECK:       memref.load %arg0
// CHECK:       vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK:       scf.yield
// CHECK-COUNT-8: vector.maskedstore %arg2
// Remaining rows, one at a time.
// CHECK: scf.for %{{.*}} = %[[MF]] to %[[M]] step %c1 {
// CHECK-NOT: linalg.generic
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32, strided<[64, 1]>>, %c: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32, strided<[64, 1]>>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}

// Not a matmul (columns are not contiguous): left alone.
// CHECK-LABEL: func.func @strided_columns
// CHECK: linalg.generic
func.func @strided_columns(%a: memref<?x?xf32>, %b: memref<?x?xf32, strided<[1, ?]>>, %c: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32, strided<[1, ?]>>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// BAD: attn-matmul-microkernels: lanes, rows and vectors must be positive, found 16, 0, 4
