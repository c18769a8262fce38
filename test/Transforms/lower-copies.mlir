// RUN: attn-opt %s --attn-lower-copies | FileCheck %s

// Strided copies become linalg.copy, never a call into MLIR's runner utils.
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<4x?xf32>) outs(%arg1 : memref<4x?xf32, strided<[?, ?], offset: ?>>)
func.func @copy(%a: memref<4x?xf32>, %b: memref<4x?xf32, strided<[?, ?], offset: ?>>) {
  memref.copy %a, %b : memref<4x?xf32> to memref<4x?xf32, strided<[?, ?], offset: ?>>
  return
}

// RUN: attn-opt %s --attn-lower-copies="lanes=16" | FileCheck %s --check-prefix=VEC
// RUN: not attn-opt %s --attn-lower-copies="lanes=-1" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: attn-lower-copies: lanes must be 0 (no vector rows) or positive, found -1

// With lanes, a copy of contiguous rows of static length (a value block,
// 64 floats per row) becomes a loop over rows of 4 vector loads and stores.
// VEC-LABEL: func.func @rows
// VEC: %[[M:.*]] = memref.dim %arg1, %c0
// VEC: scf.for %[[R:.*]] = %c0 to %[[M]] step %c1 {
// VEC: %[[V0:.*]] = vector.load %arg0[%[[R]], %c0{{.*}}] : memref<?x64xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// VEC: vector.store %[[V0]], %arg1[%[[R]], %c0{{.*}}] : memref<?x64xf32, strided<[64, 1]>>, vector<16xf32>
// VEC: vector.load %arg0[%[[R]], %c16
// VEC: vector.load %arg0[%[[R]], %c32
// VEC: vector.load %arg0[%[[R]], %c48
// VEC-NOT: vector.load
// VEC: }
// VEC-NOT: linalg.copy
func.func @rows(%a: memref<?x64xf32, strided<[?, 1], offset: ?>>, %b: memref<?x64xf32, strided<[64, 1]>>) {
  linalg.copy ins(%a : memref<?x64xf32, strided<[?, 1], offset: ?>>) outs(%b : memref<?x64xf32, strided<[64, 1]>>)
  return
}

// Rows that are not a whole number of vectors, or not contiguous, or of a
// dynamic length: left to the loop lowering.
// VEC-LABEL: func.func @not_rows
// VEC-COUNT-3: linalg.copy
// VEC-NOT: vector.load
func.func @not_rows(%a: memref<?x40xf32>, %b: memref<?x40xf32>, %c: memref<?x64xf32, strided<[1, ?]>>, %d: memref<?x64xf32>, %e: memref<?x?xf32>, %f: memref<?x?xf32>) {
  linalg.copy ins(%a : memref<?x40xf32>) outs(%b : memref<?x40xf32>)
  linalg.copy ins(%c : memref<?x64xf32, strided<[1, ?]>>) outs(%d : memref<?x64xf32>)
  linalg.copy ins(%e : memref<?x?xf32>) outs(%f : memref<?x?xf32>)
  return
}
