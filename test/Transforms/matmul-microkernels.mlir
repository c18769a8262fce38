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

// -----

// RUN: attn-opt %s --split-input-file --attn-matmul-microkernels="lanes=16" | FileCheck %s --check-prefix=DOT

// The dot-product form C[i, n] += sum_k A[i, k] * B[n, k] with few static
// rows. Columns go in groups of 16: per row of A, 16 independent FMA chains
// (one per row of B, K / 16 FMAs each), then a transposing tree of shuffles
// and adds (log2 16 = 4 levels, 8 + 4 + 2 + 1 pairs) turns the 16 partial
// vectors into one vector of 16 sums, added to C[i, n0 : n0 + 16]. The last
// N % 16 columns go one at a time with a horizontal reduction per row.
// DOT-LABEL: func.func @dot_rows
// DOT: %[[FULL:.*]] = arith.muli %{{.*}}, %c16 : index
// DOT: scf.for %[[N0:.*]] = %c0 to %[[FULL]] step %c16 {
// DOT: scf.for %[[I:.*]] = %c0 to %c4 step %c1 {
// DOT-COUNT-64: vector.fma
// DOT-NOT: vector.fma
// DOT: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// DOT-COUNT-14: arith.addf {{.*}} : vector<16xf32>
// DOT: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// DOT: vector.shuffle %{{.*}}, %{{.*}} [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// DOT: %[[SUMS:.*]] = arith.addf
// DOT: %[[OLD:.*]] = vector.load %arg2[%[[I]], %[[N0]]]
// DOT: %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUMS]]
// DOT: vector.store %[[NEW]], %arg2[%[[I]], %[[N0]]]
// DOT: scf.for %[[N:.*]] = %[[FULL]] to %{{.*}} step %c1 {
// DOT-COUNT-4: vector.load %arg1[%[[N]], %{{.*}}] : memref<?x64xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// DOT: vector.reduction <add>, %{{.*}} fastmath<reassoc>
// DOT: memref.store {{.*}}, %arg2[%{{.*}}, %[[N]]]
// DOT-COUNT-3: vector.reduction <add>
// DOT-NOT: linalg.generic
func.func @dot_rows(%a: memref<4x64xf32>, %b: memref<?x64xf32, strided<[?, 1], offset: ?>>, %c: memref<4x?xf32, strided<[64, 1]>>) {
  linalg.generic {indexing_maps = [affine_map<(i, n, k) -> (i, k)>, affine_map<(i, n, k) -> (n, k)>, affine_map<(i, n, k) -> (i, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x64xf32>, memref<?x64xf32, strided<[?, 1], offset: ?>>) outs(%c : memref<4x?xf32, strided<[64, 1]>>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}

// Too many rows (or a dynamic K) for the register-resident form: left to
// the loop lowering.
// DOT-LABEL: func.func @dot_many_rows
// DOT: linalg.generic
func.func @dot_many_rows(%a: memref<32x64xf32>, %b: memref<?x64xf32>, %c: memref<32x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, n, k) -> (i, k)>, affine_map<(i, n, k) -> (n, k)>, affine_map<(i, n, k) -> (i, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<32x64xf32>, memref<?x64xf32>) outs(%c : memref<32x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
