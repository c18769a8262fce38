// RUN: attn-opt %s --convert-attn-to-linalg -split-input-file | FileCheck %s

// The untiled lowering of attn.sdpa: Q.K^T, scale and mask, row max, exp,
// row sum, P.V, normalisation; f32 accumulation; GQA through the K/V maps.

// CHECK-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d4, d3)>
// CHECK-LABEL: func.func @gqa_causal
// CHECK-NOT: attn.sdpa
// CHECK: %[[SC:.*]] = linalg.generic {indexing_maps = [#[[Q]], #[[K]], #[[S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x8x7x16xf32>, tensor<1x2x9x16xf32>) outs(%{{.*}} : tensor<1x8x7x9xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// Scale, then the causal mask at query position i + (Lk - Lq).
// CHECK: %[[OFF:.*]] = arith.subi %c9, %c7 : index
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[SC]] : tensor<1x8x7x9xf32>)
// CHECK:   arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:   %[[I:.*]] = linalg.index 2
// CHECK:   %[[J:.*]] = linalg.index 3
// CHECK:   %[[P:.*]] = arith.addi %[[I]], %[[OFF]]
// CHECK:   %[[KEEP:.*]] = arith.cmpi sle, %[[J]], %[[P]]
// CHECK:   arith.select %[[KEEP]]
// Row max, exp with fully-masked rows guarded, row sum.
// CHECK: arith.maximumf
// CHECK: arith.cmpf oeq
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK:   arith.addf
// P.V reads V through the grouped-head map.
// CHECK: linalg.generic {indexing_maps = [#[[Q]], #[[V]], #[[S]]]
// CHECK-SAME: tensor<1x2x9x8xf32>
// Normalisation: 0 where the row sum is 0.
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: return %{{.*}} : tensor<1x8x7x8xf32>
func.func @gqa_causal(%q: tensor<1x8x7x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x8xf32>) -> tensor<1x8x7x8xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x7x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x8xf32>) -> tensor<1x8x7x8xf32>
  return %o : tensor<1x8x7x8xf32>
}

// -----

// Dynamic head counts: the group size is computed and K/V are read with
// tensor.extract at head h / G; f16 storage is widened to f32 and the result
// narrowed back.
// CHECK-LABEL: func.func @dynamic_heads_f16
// CHECK: %[[HQ:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[HKV:.*]] = tensor.dim %arg1, %c1
// CHECK: %[[G:.*]] = arith.divui %[[HQ]], %[[HKV]]
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<1x?x7x16xf16>)
// CHECK:   %[[H:.*]] = linalg.index 1
// CHECK:   %[[KH:.*]] = arith.divui %[[H]], %[[G]]
// CHECK:   tensor.extract %arg1[%{{.*}}, %[[KH]], %{{.*}}, %{{.*}}] : tensor<1x?x9x16xf16>
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK: tensor.extract %arg2
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: return %{{.*}} : tensor<1x?x7x8xf16>
func.func @dynamic_heads_f16(%q: tensor<1x?x7x16xf16>, %k: tensor<1x?x9x16xf16>, %v: tensor<1x?x9x8xf16>) -> tensor<1x?x7x8xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x?x7x16xf16>, tensor<1x?x9x16xf16>, tensor<1x?x9x8xf16>) -> tensor<1x?x7x8xf16>
  return %o : tensor<1x?x7x8xf16>
}

// -----

// A dynamic head dim: the default scale is 1/sqrt(D) computed at run time.
// CHECK-LABEL: func.func @dynamic_head_dim
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c3
// CHECK: %[[DI:.*]] = arith.index_castui %[[D]] : index to i64
// CHECK: %[[DF:.*]] = arith.uitofp %[[DI]] : i64 to f32
// CHECK: math.rsqrt %[[DF]]
func.func @dynamic_head_dim(%q: tensor<1x1x4x?xf32>, %k: tensor<1x1x4x?xf32>, %v: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x1x4x?xf32>, tensor<1x1x4x?xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %o : tensor<1x1x4x4xf32>
}

// -----

// Packed KV caches: the untiled lowering dequantizes whole K and V first
// (q8_0: the fp16 scale at bytes 34 * block, + 1; value t at 34 * block +
// 2 + t; q4_0 splits each block into its two nibble halves), then lowers
// the f32 problem.
// CHECK-DAG: #[[Q8SCALE:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3 * 34)>
// CHECK-DAG: #[[Q8BYTE:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3 * 34 + d4 + 2)>
// CHECK-DAG: #[[Q4BYTE:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3 * 18 + d5 + 2)>
// CHECK-LABEL: func.func @packed_kv
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x100x2x32xf32>
// CHECK: linalg.generic {indexing_maps = [#[[Q8SCALE]], #{{.*}}, #[[Q8BYTE]], #{{.*}}]{{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x100x68xi8>, tensor<1x2x100x68xi8>, tensor<1x2x100x68xi8>)
// CHECK: arith.bitcast {{.*}} : i16 to f16
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x100x64xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x100x2x2x16xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[Q4BYTE]], #{{.*}}]
// CHECK: linalg.index 4
// CHECK: arith.shrui
// CHECK-NOT: attn.sdpa
func.func @packed_kv(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x36xi8>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x36xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
