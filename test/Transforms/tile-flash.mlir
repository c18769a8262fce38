// RUN: attn-opt %s --attn-tile-flash="q-block=4 kv-block=8 split-min-items=1" -split-input-file | FileCheck %s
// RUN: attn-opt %s --attn-tile-flash="q-block=4 kv-block=8 split-min-items=1" -split-input-file \
// RUN:   --canonicalize | FileCheck %s --check-prefix=NOSQUARE
// RUN: not attn-opt %s --attn-tile-flash="q-block=0" 2>&1 | FileCheck %s --check-prefix=BAD

// Online-softmax tiling: a parallel loop over (batch, head, query block), a
// sequential loop over key blocks carrying (m, l, o), masks only on blocks
// that cross the causal diagonal.

// CHECK-LABEL: func.func @gqa_causal
// CHECK: %[[OUT:.*]] = scf.forall (%[[B:[a-z0-9]+]], %[[H:[a-z0-9]+]], %[[QB:[a-z0-9]+]]) in ({{.*}}) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x4x7x8xf32>)
// CHECK:   %[[Q0:.*]] = arith.muli %[[QB]], %c4
// CHECK:   %[[BR:.*]] = arith.minsi %{{.*}}, %c4 : index
// GQA: query head h reads KV head h / 2.
// CHECK:   %[[KH:.*]] = arith.divui %[[H]], %c2
// The query block is widened and scaled once, outside the KV loop.
// CHECK:   tensor.extract_slice %arg0[%[[B]], %[[H]], %[[Q0]], 0] [1, 1, %[[BR]], 16] [1, 1, 1, 1] : tensor<1x4x7x16xf32> to tensor<?x16xf32>
// CHECK:   arith.mulf %{{.*}}, %cst
// Causal: the KV loop stops after the last key the block's last row sees.
// CHECK:   %[[QE:.*]] = arith.addi %[[Q0]], %[[BR]] : index
// CHECK:   %[[LAST:.*]] = arith.addi %[[QE]], %c2 : index
// CHECK:   %[[END0:.*]] = arith.minsi %[[LAST]], %c9
// CHECK:   %[[END:.*]] = arith.maxsi %[[END0]], %c0
// CHECK:   %{{.*}}:3 = scf.for %[[K0:.*]] = %c0 to %[[END]] step %c8 iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[O:.*]] = %{{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x8xf32>)
// CHECK:     tensor.extract_slice %arg1[%[[B]], %[[KH]], %[[K0]], 0]
// CHECK:     tensor.extract_slice %arg2[%[[B]], %[[KH]], %[[K0]], 0]
// CHECK:     %[[CROSS:.*]] = arith.cmpi sgt
// The key block is transposed (and widened) once; the score loops are
// (i, d, j) so the innermost loop runs along contiguous keys.
// CHECK:     %[[KT:.*]] = linalg.generic {indexing_maps = [#[[TR:.*]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK:     %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[KT]] :
// CHECK:       arith.mulf {{.*}} fastmath<contract>
// CHECK:       arith.addf {{.*}} fastmath<contract>
// CHECK:     %[[SM:.*]] = scf.if %[[CROSS]] -> (tensor<?x?xf32>)
// CHECK:       arith.cmpi sle
// CHECK:       arith.select
// CHECK:     } else {
// CHECK:       scf.yield %[[S]]
// m' = max(m, rowmax S) in place, alpha = exp(m - m'), p = exp(S - m').
// CHECK:     linalg.copy ins(%[[M]] : tensor<?xf32>)
// CHECK:     arith.maximumf
// CHECK:     math.exp
// CHECK:     math.exp
// CHECK:     scf.yield
// CHECK:   arith.divf
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[H]], %[[Q0]], 0] [1, 1, %[[BR]], 8] [1, 1, 1, 1] : tensor<?x8xf32> into tensor<1x4x7x8xf32>
// CHECK: return %[[OUT]]

// No tensor of the tiled form is as large as Lq x Lk (7 x 9 here).
// NOSQUARE-NOT: tensor<7x9xf32>
// NOSQUARE-NOT: tensor<1x4x7x9xf32>
func.func @gqa_causal(%q: tensor<1x4x7x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.25 : f32} : (tensor<1x4x7x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x8xf32>) -> tensor<1x4x7x8xf32>
  return %o : tensor<1x4x7x8xf32>
}

// -----

// Without a mask the KV loop covers every key and no block is masked.
// CHECK-LABEL: func.func @dense_dynamic
// CHECK: %[[LK:.*]] = tensor.dim %arg1, %c2
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %[[LK]] step %c8
// CHECK-NOT: scf.if
// CHECK: scf.forall.in_parallel
func.func @dense_dynamic(%q: tensor<?x?x?x16xf32>, %k: tensor<?x?x?x16xf32>, %v: tensor<?x?x?x16xf32>) -> tensor<?x?x?x16xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<?x?x?x16xf32>, tensor<?x?x?x16xf32>, tensor<?x?x?x16xf32>) -> tensor<?x?x?x16xf32>
  return %o : tensor<?x?x?x16xf32>
}

// BAD: attn-tile-flash: q-block, kv-block and packed-kv-block must be positive, found 0, 64 and 64
