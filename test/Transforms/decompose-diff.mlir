// RUN: attn-opt %s --attn-decompose-diff | FileCheck %s
// RUN: attn-opt %s --attn-decompose-diff --attn-tile-flash="q-block=16 kv-block=16 split-min-items=1" | FileCheck %s --check-prefix=FUSED

// attn.diff becomes two attn.sdpa over the even and odd heads of Q and K
// (stride-2 views, V shared), marked as a pair, lambda from the four
// vectors, and the RMSNorm epilogue; no attn.diff is left.
// CHECK-LABEL: func.func @diff
// CHECK-DAG: %[[Q1:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[Q2:.*]] = tensor.extract_slice %arg0[0, 1, 0, 0] [1, 2, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[K1:.*]] = tensor.extract_slice %arg1[0, 0, 0, 0] [1, 1, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[K2:.*]] = tensor.extract_slice %arg1[0, 1, 0, 0] [1, 1, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: attn.sdpa %[[Q1]], %[[K1]], %arg2 {attn.diff_pair = 0 : i64, mask = #attn.causal}
// CHECK-DAG: attn.sdpa %[[Q2]], %[[K2]], %arg2 {attn.diff_pair = 1 : i64, mask = #attn.causal}
// CHECK: math.exp
// CHECK: math.exp
// CHECK: math.rsqrt
// CHECK-NOT: attn.diff
// attn-tile-flash computes the pair in one parallel loop whose key loop
// carries both maps' online-softmax states (m, l, o twice) and reads each
// value block once, writing both partial outputs.
// FUSED-LABEL: func.func @diff
// FUSED-COUNT-1: scf.forall (
// FUSED-NOT: scf.forall (
// FUSED: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>)
func.func @diff(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 3 : i64, mask = #attn.causal} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}
