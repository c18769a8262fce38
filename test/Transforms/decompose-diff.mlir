// RUN: attn-opt %s --attn-decompose-diff | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-tile-flash="q-block=16 kv-block=16 split-min-items=1" | FileCheck %s --check-prefix=FUSED

// attn-decompose-diff (the unfused form): two attn.sdpa over the even and
// odd heads of Q and K (stride-2 views, V shared), lambda from the four
// vectors, and the RMSNorm epilogue over the materialised outputs.
// CHECK-LABEL: func.func @diff
// CHECK-DAG: %[[Q1:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[Q2:.*]] = tensor.extract_slice %arg0[0, 1, 0, 0] [1, 2, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[K1:.*]] = tensor.extract_slice %arg1[0, 0, 0, 0] [1, 1, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: %[[K2:.*]] = tensor.extract_slice %arg1[0, 1, 0, 0] [1, 1, 16, 8] [1, 2, 1, 1]
// CHECK-DAG: attn.sdpa %[[Q1]], %[[K1]], %arg2 {mask = #attn.causal}
// CHECK-DAG: attn.sdpa %[[Q2]], %[[K2]], %arg2 {mask = #attn.causal}
// CHECK: math.exp
// CHECK: math.exp
// CHECK: math.rsqrt
// CHECK-NOT: attn.diff

// attn-tile-flash lowers attn.diff fused: lambda once before the parallel
// loop; one parallel loop whose key loop carries both maps' online-softmax
// states (m, l, o twice), reading each value block once; each work item
// ends with the epilogue (O1 - lambda O2, the row sum of squares, the
// RMSNorm with gain) on its own rows and stores only the final output.
// FUSED-LABEL: func.func @diff
// FUSED: math.exp
// FUSED: math.exp
// FUSED: %[[LAMBDA:.*]] = arith.addf %{{.*}}, %cst
// FUSED-COUNT-1: scf.forall (
// FUSED-SAME: shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x2x16x16xf32>)
// FUSED: %[[STATE:.*]]:6 = scf.for {{.*}} -> (tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>)
// FUSED: %[[X:.*]] = linalg.generic {{.*}} ins(%[[STATE]]#2, %[[STATE]]#1, %[[STATE]]#5, %[[STATE]]#4 :
// FUSED: arith.mulf %[[LAMBDA]]
// FUSED: %[[SS:.*]] = linalg.generic {{.*}} ins(%[[X]] :
// FUSED: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[SS]], %arg7 :
// FUSED: math.rsqrt
// FUSED: scf.forall.in_parallel
// FUSED-NEXT: tensor.parallel_insert_slice %[[Y]]
// FUSED-NOT: scf.forall (
// FUSED-NOT: attn.
func.func @diff(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 3 : i64, mask = #attn.causal} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

// Decode with grouped KV heads packs a group's query heads into one tile,
// which cannot hold a pair: attn-tile-flash falls back to the decomposed
// form and tiles its two maps as packed tiles, one parallel loop each,
// then the epilogue.
// FUSED-LABEL: func.func @diff_decode
// FUSED-COUNT-2: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (1, 1, 1)
// FUSED: math.rsqrt
// FUSED-NOT: attn.
func.func @diff_decode(%q: tensor<1x8x1x8xf32>, %k: tensor<1x2x64x8xf32>, %v: tensor<1x1x64x16xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x4x1x16xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {lambda_init = 0.5 : f32} : (tensor<1x8x1x8xf32>, tensor<1x2x64x8xf32>, tensor<1x1x64x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x4x1x16xf32>
  return %o : tensor<1x4x1x16xf32>
}
