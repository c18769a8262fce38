// RUN: attn-opt %s --attn-tile-flash="kv-block=8 packed-kv-block=8 split-min-items=16" | FileCheck %s

// Multi-query decode: one work item without splitting, so the 100 keys are
// split into min(16, 100 / 16) = 6 ranges of 24 keys (3 blocks of 8), whose
// normalised outputs and log-sum-exps are combined after the loop.
// CHECK-LABEL: func.func @mqa_decode
// CHECK: %[[P:.*]]:2 = scf.forall (%{{.*}}, %{{.*}}, %{{.*}}, %[[S:[a-z0-9]+]]) in (1, 1, 1, 6) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<6x1x4x1x32xf32>, tensor<6x1x4x1xf32>)
// CHECK:   %[[BEGIN:.*]] = arith.muli %[[S]], %c24
// CHECK:   %[[STOP0:.*]] = arith.addi %[[BEGIN]], %c24
// CHECK:   %[[STOP:.*]] = arith.minsi %[[STOP0]], %c100
// CHECK:   scf.for %{{.*}} = %[[BEGIN]] to %[[STOP]] step %c8
// LSE = m + log l, -inf where nothing was kept.
// CHECK:   math.log
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[S]], %{{.*}}, %{{.*}}, 0, 0] [1, 1, 4, 1, 32]
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[S]], %{{.*}}, %{{.*}}, 0] [1, 1, 4, 1]
// Combine: max over splits, weights exp(LSE_s - M), weighted sum / sum.
// CHECK: linalg.generic {{.*}} ins(%[[P]]#1 : tensor<6x1x4x1xf32>)
// CHECK:   arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[P]]#0, %[[P]]#1
// CHECK: arith.divf
// CHECK: return %{{.*}} : tensor<1x4x1x32xf32>
func.func @mqa_decode(%q: tensor<1x4x1x32xf32>, %k: tensor<1x1x100x32xf32>, %v: tensor<1x1x100x32xf32>) -> tensor<1x4x1x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x4x1x32xf32>, tensor<1x1x100x32xf32>, tensor<1x1x100x32xf32>) -> tensor<1x4x1x32xf32>
  return %o : tensor<1x4x1x32xf32>
}

// Enough work items already: no split.
// CHECK-LABEL: func.func @many_heads
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (1, 16, 1)
// CHECK-NOT: math.log
func.func @many_heads(%q: tensor<1x16x1x32xf32>, %k: tensor<1x16x100x32xf32>, %v: tensor<1x16x100x32xf32>) -> tensor<1x16x1x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x16x1x32xf32>, tensor<1x16x100x32xf32>, tensor<1x16x100x32xf32>) -> tensor<1x16x1x32xf32>
  return %o : tensor<1x16x1x32xf32>
}
