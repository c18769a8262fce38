// Decode-style grouped-query attention, where attn-tile-flash packs the G
// query heads of a KV head into one tile (G * Lq <= 16 rows): rows map back
// to (head, position) for the causal mask and the output.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=3 | FileCheck %s %}
// RUN: attn-opt %s --attn-tile-flash=split-min-items=1 | FileCheck %s --check-prefix=TILED

// CHECK-DAG: PASS packed_decode: Q[2,8,1,64] K[2,2,37,64]
// CHECK-DAG: PASS packed_causal_2: Q[1,8,2,64] K[1,2,37,64] {{.*}} mask=causal
// CHECK-DAG: PASS packed_causal_3_mqa: Q[1,4,3,32] K[1,1,5,32] {{.*}} mask=causal
// CHECK-DAG: PASS packed_f16: Q[1,16,1,128] K[1,4,130,128] {{.*}} f16
// CHECK: attn-check: 4 of 4 entry points within tolerance

// One work item per (batch, KV head), writing its 4 heads x 1 position.
// TILED-LABEL: func.func @packed_decode
// TILED: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 2, 1)
// TILED: scf.forall.in_parallel
// TILED-NEXT: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, 0, 0] [1, 4, 1, 64] [1, 1, 1, 1] : tensor<4x1x64xf32> into tensor<2x8x1x64xf32>
func.func @packed_decode(%q: tensor<2x8x1x64xf32>, %k: tensor<2x2x37x64xf32>, %v: tensor<2x2x37x64xf32>) -> tensor<2x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x1x64xf32>, tensor<2x2x37x64xf32>, tensor<2x2x37x64xf32>) -> tensor<2x8x1x64xf32>
  return %o : tensor<2x8x1x64xf32>
}

func.func @packed_causal_2(%q: tensor<1x8x2x64xf32>, %k: tensor<1x2x37x64xf32>, %v: tensor<1x2x37x64xf32>) -> tensor<1x8x2x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x2x64xf32>, tensor<1x2x37x64xf32>, tensor<1x2x37x64xf32>) -> tensor<1x8x2x64xf32>
  return %o : tensor<1x8x2x64xf32>
}

func.func @packed_causal_3_mqa(%q: tensor<1x4x3x32xf32>, %k: tensor<1x1x5x32xf32>, %v: tensor<1x1x5x32xf32>) -> tensor<1x4x3x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x3x32xf32>, tensor<1x1x5x32xf32>, tensor<1x1x5x32xf32>) -> tensor<1x4x3x32xf32>
  return %o : tensor<1x4x3x32xf32>
}

func.func @packed_f16(%q: tensor<1x16x1x128xf16>, %k: tensor<1x4x130x128xf16>, %v: tensor<1x4x130x128xf16>) -> tensor<1x16x1x128xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x16x1x128xf16>, tensor<1x4x130x128xf16>, tensor<1x4x130x128xf16>) -> tensor<1x16x1x128xf16>
  return %o : tensor<1x16x1x128xf16>
}
