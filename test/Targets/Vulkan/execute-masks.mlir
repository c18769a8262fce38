// Masks, score modifiers and dynamic sizes on the Vulkan target, against the
// fp64 reference: sliding windows (causal band, bidirectional, chunked query
// block, decode with GQA), strided and global patterns composed with and/or,
// a soft cap, and sequence lengths / KV heads / whole shapes known only at
// run time (head dimensions stay static: they size the staged blocks).
// REQUIRES: vulkan
// RUN: attn-check %s --target=vulkan | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --target=vulkan --layout=bshd --dynamic-size=130 --seed=3 | FileCheck %s --check-prefix=LONG %}

// CHECK-DAG: PASS window_causal:
// CHECK-DAG: PASS window_bidir:
// CHECK-DAG: PASS causal_strided:
// CHECK-DAG: PASS global_or_window:
// CHECK-DAG: PASS window_chunk:
// CHECK-DAG: PASS window_decode_gqa:
// CHECK-DAG: PASS window_dynamic: Q[1,2,5,16]
// CHECK-DAG: PASS softcap:
// CHECK-DAG: PASS zero_keys:
// CHECK-DAG: PASS zero_queries:
// CHECK-DAG: PASS one_key:
// CHECK-DAG: PASS dynamic_lengths_gqa: Q[1,8,5,64]
// CHECK-DAG: PASS dynamic_kv_heads: Q[1,8,5,32] K[1,4,5,32]
// CHECK-DAG: PASS dynamic_except_head_dim: Q[5,2,5,64]
// CHECK: attn-check: 14 of 14 entry points within tolerance on vulkan

// Sizes of 130: three workgroups of rows, several staged key blocks.
// LONG-DAG: PASS window_dynamic: Q[1,2,130,16]
// LONG-DAG: PASS dynamic_lengths_gqa: Q[1,8,130,64]
// LONG-DAG: PASS dynamic_except_head_dim: Q[130,2,130,64]
// LONG: attn-check: 14 of 14 entry points within tolerance on vulkan

func.func @window_causal(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<5>} : (tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

func.func @window_bidir(%q: tensor<2x2x50x16xf32>, %k: tensor<2x2x50x16xf32>, %v: tensor<2x2x50x24xf32>) -> tensor<2x2x50x24xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<7, bidirectional>} : (tensor<2x2x50x16xf32>, tensor<2x2x50x16xf32>, tensor<2x2x50x24xf32>) -> tensor<2x2x50x24xf32>
  return %o : tensor<2x2x50x24xf32>
}

func.func @causal_strided(%q: tensor<1x4x40x32xf32>, %k: tensor<1x2x40x32xf32>, %v: tensor<1x2x40x32xf32>) -> tensor<1x4x40x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.and<#attn.causal, #attn.strided<3>>} : (tensor<1x4x40x32xf32>, tensor<1x2x40x32xf32>, tensor<1x2x40x32xf32>) -> tensor<1x4x40x32xf32>
  return %o : tensor<1x4x40x32xf32>
}

func.func @global_or_window(%q: tensor<1x2x45x16xf32>, %k: tensor<1x2x45x16xf32>, %v: tensor<1x2x45x16xf32>) -> tensor<1x2x45x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.or<#attn.global<3>, #attn.window<4>>} : (tensor<1x2x45x16xf32>, tensor<1x2x45x16xf32>, tensor<1x2x45x16xf32>) -> tensor<1x2x45x16xf32>
  return %o : tensor<1x2x45x16xf32>
}

func.func @window_chunk(%q: tensor<1x2x10x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x10x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<8>} : (tensor<1x2x10x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x10x16xf32>
  return %o : tensor<1x2x10x16xf32>
}

func.func @window_decode_gqa(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<16>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @window_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<6>} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

func.func @softcap(%q: tensor<1x2x33x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x33x16xf32> {
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.softcap<2.0>], scale = 1.5 : f32} : (tensor<1x2x33x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x33x16xf32>
  return %o : tensor<1x2x33x16xf32>
}

func.func @zero_keys(%q: tensor<1x2x5x16xf32>, %k: tensor<1x2x0x16xf32>, %v: tensor<1x2x0x16xf32>) -> tensor<1x2x5x16xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x5x16xf32>, tensor<1x2x0x16xf32>, tensor<1x2x0x16xf32>) -> tensor<1x2x5x16xf32>
  return %o : tensor<1x2x5x16xf32>
}

func.func @zero_queries(%q: tensor<1x2x0x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x16xf32>) -> tensor<1x2x0x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x0x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x16xf32>) -> tensor<1x2x0x16xf32>
  return %o : tensor<1x2x0x16xf32>
}

func.func @one_key(%q: tensor<1x4x3x16xf32>, %k: tensor<1x2x1x16xf32>, %v: tensor<1x2x1x16xf32>) -> tensor<1x4x3x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x3x16xf32>, tensor<1x2x1x16xf32>, tensor<1x2x1x16xf32>) -> tensor<1x4x3x16xf32>
  return %o : tensor<1x4x3x16xf32>
}

func.func @dynamic_lengths_gqa(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

func.func @dynamic_kv_heads(%q: tensor<1x8x5x32xf32>, %k: tensor<1x?x5x32xf32>, %v: tensor<1x?x5x32xf32>) -> tensor<1x8x5x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x5x32xf32>, tensor<1x?x5x32xf32>, tensor<1x?x5x32xf32>) -> tensor<1x8x5x32xf32>
  return %o : tensor<1x8x5x32xf32>
}

func.func @dynamic_except_head_dim(%q: tensor<?x2x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>) -> tensor<?x2x?x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>) -> tensor<?x2x?x64xf32>
  return %o : tensor<?x2x?x64xf32>
}
