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
// rows: each row of B (a key) is loaded once as K / 16 vectors and dotted
// with every row of A, one FMA chain per row, then summed horizontally.
// DOT-LABEL: func.func @dot_rows
// DOT: scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1 {
// DOT-COUNT-4: vector.load %arg1[%[[N]], %{{.*}}] : memref<?x64xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// DOT: vector.load %arg0
// DOT: vector.fma
// DOT: vector.reduction <add>
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
