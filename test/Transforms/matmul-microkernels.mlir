// RUN: attn-opt %s --attn-matmul-microkernels="lanes=16 rows=4 vectors=2" | FileCheck %s
// RUN: not attn-opt %s --attn-matmul-microkernels="rows=0" 2>&1 | FileCheck %s --check-prefix=BAD

// C[i, n] += A[i, k] * B[k, n] on unit-stride f32 memrefs becomes
// register-blocked vector code: 4 rows x 2 vectors of 16 accumulators stay
// in registers across the k loop; the remainder rows form one shorter block.

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
// The remaining M % 4 rows: one block of 1, 2 or 3 rows.
// CHECK: %[[REST:.*]] = arith.subi %[[M]], %[[MF]]
// CHECK: scf.index_switch %[[REST]]
// CHECK: case 1 {
// CHECK-COUNT-1: vector.broadcast
// CHECK: case 2 {
// CHECK-COUNT-2: vector.broadcast
// CHECK: case 3 {
// CHECK-COUNT-3: vector.broadcast
// CHECK: default {
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

// RUN: attn-opt %s --split-input-file --attn-matmul-microkernels="lanes=16 rows=4 wide-rows=6 vectors=2" | FileCheck %s --check-prefix=WIDE
// RUN: not attn-opt %s --attn-matmul-microkernels="wide-rows=-1" 2>&1 | FileCheck %s --check-prefix=BADWIDE
// BADWIDE: attn-matmul-microkernels: wide-rows must be 0 (use rows) or positive, found -1

// With wide-rows, a C of at least two static column blocks (64 columns =
// 2 x 32 here) takes blocks of 6 rows; @matmul's dynamic N keeps 4.
// WIDE-LABEL: func.func @matmul
// WIDE: scf.for %{{.*}} = %c0 to %{{.*}} step %c4 {
// WIDE-LABEL: func.func @wide_matmul
// WIDE: scf.for %{{.*}} = %c0 to %{{.*}} step %c6 {
// WIDE: scf.for %{{.*}} = %c0{{.*}} to %c64{{.*}} step %c32{{.*}} {
// WIDE: scf.for {{.*}} iter_args(
// WIDE-COUNT-6: vector.broadcast
// WIDE: scf.yield
// WIDE: scf.index_switch
// WIDE: case 5 {
func.func @wide_matmul(%a: memref<?x?xf32>, %b: memref<?x64xf32>, %c: memref<?x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x64xf32>) outs(%c : memref<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %s = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %s : f32
  }
  return
}

// A row scaling of C right before the matmul (the online softmax's
// o = alpha * o) is applied as the accumulators are loaded: each row's
// scale is loaded and broadcast once per block, each loaded vector of C is
// multiplied by it, and the scaling op is gone.
// CHECK-LABEL: func.func @scaled_accumulator
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[I0:.*]] = %c0 to %{{.*}} step %c4 {
// CHECK: %[[S0:.*]] = memref.load %arg3[%[[I0]]]
// CHECK: %[[B0:.*]] = vector.broadcast %[[S0]] : f32 to vector<16xf32>
// CHECK: %[[C0:.*]] = vector.load %arg2[%[[I0]],
// CHECK: arith.mulf %[[B0]], %[[C0]] : vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @scaled_accumulator(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, n) -> (i)>, affine_map<(i, n) -> (i, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %q = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %q : f32
  }
  return
}

// Not folded: the scaling writes another buffer, or something else runs
// between it and the matmul (here a read of C), or it adds instead of
// multiplying. The scaling ops stay, the matmuls still become micro-kernels.
// CHECK-LABEL: func.func @unscaled_accumulators
// CHECK: linalg.generic {{.*}} ins(%arg3 : memref<?xf32>) outs(%arg4 : memref<?x?xf32>)
// CHECK: scf.for
// CHECK: linalg.generic {{.*}} ins(%arg3 : memref<?xf32>) outs(%arg2 : memref<?x?xf32>)
// CHECK: memref.load %arg2
// CHECK: scf.for
// CHECK: linalg.generic {{.*}} ins(%arg3 : memref<?xf32>) outs(%arg2 : memref<?x?xf32>)
// CHECK: arith.addf
// CHECK: scf.for
func.func @unscaled_accumulators(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>, %s: memref<?xf32>, %d: memref<?x?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  linalg.generic {indexing_maps = [affine_map<(i, n) -> (i)>, affine_map<(i, n) -> (i, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<?xf32>) outs(%d : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %q = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %q : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, n) -> (i)>, affine_map<(i, n) -> (i, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  }
  %r = memref.load %c[%c0, %c0] : memref<?x?xf32>
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %q = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %q : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, n) -> (i)>, affine_map<(i, n) -> (i, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.addf %x, %y : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, k, n) -> (i, k)>, affine_map<(i, k, n) -> (k, n)>, affine_map<(i, k, n) -> (i, n)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y fastmath<contract> : f32
    %q = arith.addf %acc, %p fastmath<contract> : f32
    linalg.yield %q : f32
  }
  return %r : f32
}

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
