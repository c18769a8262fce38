// RUN: attn-opt %s --split-input-file --attn-tile-flash="q-block=16 kv-block=16" | FileCheck %s

// Block classification of a static pattern: per query block, the compact
// list of the key blocks it visits (CSR offsets, entries = block * 2 +
// partial). window<5> on 37 positions in 16 x 16 blocks:
//   q-block 0 [0, 16):  k-block 0 (partial)
//   q-block 1 [16, 32): k-blocks 0, 1 (partial)
//   q-block 2 [32, 37): k-blocks 1, 2 (partial)
// The loop runs over list entries; only partial entries evaluate the mask.
// CHECK-LABEL: func.func @window
// CHECK-DAG: %[[ENTRIES:.*]] = arith.constant dense<[1, 1, 3, 3, 5]> : tensor<5xi32>
// CHECK-DAG: %[[OFFSETS:.*]] = arith.constant dense<[0, 1, 3, 5]> : tensor<4xi32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[QB:.*]]) in (1, 2, 3)
// CHECK: tensor.extract %[[OFFSETS]][%[[QB]]]
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: %[[E:.*]] = tensor.extract %[[ENTRIES]][%[[T]]]
// CHECK: %[[B:.*]] = arith.shrui %[[E]]
// CHECK: %[[PART:.*]] = arith.andi %[[E]]
// CHECK: %[[NEEDS:.*]] = arith.trunci %[[PART]] : i32 to i1
// CHECK: scf.if %[[NEEDS]]
// CHECK-NOT: tensor<37x37xf32>
func.func @window(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<5>} : (tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

// -----

// A block-sparse layout aligned with the tiles: every visited block is full
// (even entries), so the mask is never evaluated at run time. Per-head
// layouts give one list per (head, query block). The 32 queries sit at
// positions 16..47 (bottom-right), layout rows 1 and 2:
//   head 0: [1, 0, 1] -> k-blocks 0, 2;  [0, 1, 0] -> 1
//   head 1: [1, 1, 0] -> k-blocks 0, 1;  [0, 0, 1] -> 2
// CHECK-LABEL: func.func @block_sparse_aligned
// CHECK-DAG: arith.constant dense<[0, 4, 2, 0, 2, 4]> : tensor<6xi32>
// CHECK-DAG: arith.constant dense<[0, 2, 3, 5, 6]> : tensor<5xi32>
func.func @block_sparse_aligned(%q: tensor<1x2x32x16xf32>, %k: tensor<1x2x48x16xf32>, %v: tensor<1x2x48x16xf32>) -> tensor<1x2x32x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<16, 16, dense<[[[0, 0, 0], [1, 0, 1], [0, 1, 0]], [[0, 0, 0], [1, 1, 0], [0, 0, 1]]]> : tensor<2x3x3xi8>>} : (tensor<1x2x32x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x16xf32>) -> tensor<1x2x32x16xf32>
  return %o : tensor<1x2x32x16xf32>
}

// -----

// Dynamic sizes cannot be classified at compile time: every key block is
// visited with the mask evaluated.
// CHECK-LABEL: func.func @window_dynamic
// CHECK-NOT: tensor<{{[0-9]+}}xi32>
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c16
// CHECK: scf.if %true
func.func @window_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<6>} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

// -----

// top_k: per work item, the block's scores against every key ([br, Lk], not
// Lq x Lk), a threshold from k passes of row reductions, then P . V over the
// kept entries only (one value row per kept score, under scf.if).
// CHECK-LABEL: func.func @topk
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (1, 2, 3)
// CHECK: tensor.empty(%{{.*}}) : tensor<?x40xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c40 step %c16
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %{{.*}}] [%{{.*}}, %{{.*}}] [1, 1] : tensor<?x?xf32> into tensor<?x40xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c5 step %c1
// CHECK: scf.for %[[R:.*]] = %c0 to %{{.*}} step %c1
// CHECK: scf.for %[[J:.*]] = %c0 to %c40 step %c1
// CHECK: %[[P:.*]] = tensor.extract %{{.*}}[%[[R]], %[[J]]]
// CHECK: %[[KEPT:.*]] = arith.cmpf one, %[[P]]
// CHECK: scf.if %[[KEPT]]
// CHECK-NOT: tensor<37x40xf32>
func.func @topk(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 5 : i64} : (tensor<1x2x37x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

// -----

// Document ids: whether each batch's ids are sorted is computed once per
// call, before the parallel loop; each work item then bounds its keys by
// binary search (scf.while) when they are, and visits every block when not.
// CHECK-LABEL: func.func @documents
// CHECK: %[[SORTED:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x39xi32>, tensor<2x39xi32>) outs(%{{.*}} : tensor<2xi1>)
// CHECK: scf.forall
// CHECK: %[[S:.*]] = tensor.extract %[[SORTED]]
// CHECK: scf.if %[[S]] -> (index, index)
// CHECK: scf.while
// CHECK: scf.while
// CHECK: scf.for
func.func @documents(%q: tensor<2x2x40x16xf32>, %k: tensor<2x2x40x16xf32>, %v: tensor<2x2x40x16xf32>, %d: tensor<2x40xi32>) -> tensor<2x2x40x16xf32> {
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<2x40xi32>) : (tensor<2x2x40x16xf32>, tensor<2x2x40x16xf32>, tensor<2x2x40x16xf32>) -> tensor<2x2x40x16xf32>
  return %o : tensor<2x2x40x16xf32>
}
