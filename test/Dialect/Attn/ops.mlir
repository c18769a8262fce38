// RUN: attn-opt %s | FileCheck %s
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// Round trip of attn.sdpa in every form the verifier accepts.

// CHECK-LABEL: func.func @dense
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
func.func @dense(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// Grouped-query, causal, explicit scale, value width != head width.
// CHECK-LABEL: func.func @gqa_causal
// CHECK: attn.sdpa %{{.*}} {mask = #attn.causal, scale = 1.250000e-01 : f32} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32>
func.func @gqa_causal(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.125 : f32} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32>
  return %o : tensor<2x8x16x80xf32>
}

// Multi-query attention (one KV head), f16 storage.
// CHECK-LABEL: func.func @mqa_f16
// CHECK: attn.sdpa {{.*}} -> tensor<1x12x1x128xf16>
func.func @mqa_f16(%q: tensor<1x12x1x128xf16>, %k: tensor<1x1x4096x128xf16>, %v: tensor<1x1x4096x128xf16>) -> tensor<1x12x1x128xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x12x1x128xf16>, tensor<1x1x4096x128xf16>, tensor<1x1x4096x128xf16>) -> tensor<1x12x1x128xf16>
  return %o : tensor<1x12x1x128xf16>
}

// Dynamic dimensions everywhere, bf16 storage.
// CHECK-LABEL: func.func @dynamic_bf16
// CHECK: attn.sdpa {{.*}} : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16>
func.func @dynamic_bf16(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16>
  return %o : tensor<?x?x?x?xbf16>
}

// Sparse mask patterns and their compositions.
// CHECK-LABEL: func.func @sparse_masks
// CHECK: mask = #attn.window<4>
// CHECK: mask = #attn.window<3, bidirectional>
// CHECK: mask = #attn.and<#attn.causal, #attn.strided<4>>
// CHECK: mask = #attn.or<#attn.global<2>, #attn.window<8, bidirectional>>
// CHECK: mask = #attn.block_sparse<16, 16, dense<{{\[}}[1, 0], [1, 1]]> : tensor<2x2xi8>>
// CHECK: mask = #attn.block_sparse<16, 32, dense<{{.*}}> : tensor<8x2x1xi1>>
func.func @sparse_masks(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  %0 = attn.sdpa %q, %k, %v {mask = #attn.window<4>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  %1 = attn.sdpa %q, %k, %0 {mask = #attn.window<3, bidirectional>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  %2 = attn.sdpa %q, %k, %1 {mask = #attn.and<#attn.causal, #attn.strided<4>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  %3 = attn.sdpa %q, %k, %2 {mask = #attn.or<#attn.global<2>, #attn.window<8, bidirectional>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  %4 = attn.sdpa %q, %k, %3 {mask = #attn.block_sparse<16, 16, dense<[[1, 0], [1, 1]]> : tensor<2x2xi8>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  %5 = attn.sdpa %q, %k, %4 {mask = #attn.block_sparse<16, 32, dense<true> : tensor<8x2x1xi1>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %5 : tensor<1x8x32x64xf32>
}

// Score modifiers: a bias tensor, named modifiers and a score_mod region.
// CHECK-LABEL: func.func @score_mods
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<1x1x32x32xf32>) {mask = #attn.causal, modifiers = [#attn.softcap<{{.*}}>, #attn.alibi<dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>>, #attn.relative_bias<1, dense<{{.*}}> : tensor<1x3xf32>>]} score_mod {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK: attn.yield %{{.*}} : f32
func.func @score_mods(%q: tensor<1x2x32x64xf32>, %k: tensor<1x2x32x64xf32>, %v: tensor<1x2x32x64xf32>, %m: tensor<1x1x32x32xf32>) -> tensor<1x2x32x64xf32> {
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x1x32x32xf32>) {mask = #attn.causal, modifiers = [#attn.softcap<30.0>, #attn.alibi<dense<[0.5, 0.25]> : tensor<2xf32>>, #attn.relative_bias<1, dense<[[0.1, 0.2, 0.3]]> : tensor<1x3xf32>>]} score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 2.0 : f32
    %r = arith.mulf %s, %c : f32
    attn.yield %r : f32
  } : (tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32>, tensor<1x2x32x64xf32>) -> tensor<1x2x32x64xf32>
  return %o : tensor<1x2x32x64xf32>
}

// Differential attention: 2 output heads from 4 query heads (pairs), one KV
// pair, value width 2d.
// CHECK-LABEL: func.func @diff
// CHECK: attn.diff %{{.*}}, %{{.*}}, %{{.*}} lambdas(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) gain(%{{.*}}) {layer = 3 : i64, mask = #attn.causal} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
func.func @diff(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 3 : i64, mask = #attn.causal} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// Packed KV caches: q8_0 keys and q4_0 values (llama.cpp blocks as i8 rows:
// 128 values = 4 x 34 and 4 x 18 bytes), f16 queries, dynamic cache length.
// CHECK-LABEL: func.func @packed_kv
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x32x1x128xf16>, tensor<1x8x?x136xi8>, tensor<1x8x?x72xi8>) -> tensor<1x32x1x128xf16>
func.func @packed_kv(%q: tensor<1x32x1x128xf16>, %k: tensor<1x8x?x136xi8>, %v: tensor<1x8x?x72xi8>) -> tensor<1x32x1x128xf16> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x32x1x128xf16>, tensor<1x8x?x136xi8>, tensor<1x8x?x72xi8>) -> tensor<1x32x1x128xf16>
  return %o : tensor<1x32x1x128xf16>
}

// int8 KV caches with scales: per-token f16 key scales over a dynamic cache
// length, value scales per block of 64 positions of a static one.
// CHECK-LABEL: func.func @scaled_int8_kv
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} key_scales(%{{.*}} : tensor<1x8x?x1xf16>) : (tensor<1x32x1x128xf32>, tensor<1x8x?x128xi8>, tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32>
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} value_scales(%{{.*}} : tensor<1x8x16x1xf32>) {value_scale_block = 64 : i64} : (tensor<1x32x1x128xf32>, tensor<1x8x1000x128xf32>, tensor<1x8x1000x128xi8>) -> tensor<1x32x1x128xf32>
func.func @scaled_int8_kv(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x?x128xi8>, %v: tensor<1x8x?x128xf32>, %ks: tensor<1x8x?x1xf16>, %k2: tensor<1x8x1000x128xf32>, %v2: tensor<1x8x1000x128xi8>, %vs: tensor<1x8x16x1xf32>) -> (tensor<1x32x1x128xf32>, tensor<1x32x1x128xf32>) {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x8x?x1xf16>) : (tensor<1x32x1x128xf32>, tensor<1x8x?x128xi8>, tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32>
  %o2 = attn.sdpa %q, %k2, %v2 value_scales(%vs : tensor<1x8x16x1xf32>) {value_scale_block = 64 : i64} : (tensor<1x32x1x128xf32>, tensor<1x8x1000x128xf32>, tensor<1x8x1000x128xi8>) -> tensor<1x32x1x128xf32>
  return %o, %o2 : tensor<1x32x1x128xf32>, tensor<1x32x1x128xf32>
}
