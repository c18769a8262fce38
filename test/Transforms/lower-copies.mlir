// RUN: attn-opt %s --attn-lower-copies | FileCheck %s

// Strided copies become linalg.copy, never a call into MLIR's runner utils.
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<4x?xf32>) outs(%arg1 : memref<4x?xf32, strided<[?, ?], offset: ?>>)
func.func @copy(%a: memref<4x?xf32>, %b: memref<4x?xf32, strided<[?, ?], offset: ?>>) {
  memref.copy %a, %b : memref<4x?xf32> to memref<4x?xf32, strided<[?, ?], offset: ?>>
  return
}
