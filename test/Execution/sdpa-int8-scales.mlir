// int8 K/V with a separate scales operand (key_scales / value_scales):
// attn-run quantizes the seeded K/V group by group (s = max|x| / 127,
// rounded to the scales' dtype; q = round(x / s)) and the fp64 reference
// reads q * s, so the kernel's own arithmetic is held to the f32 tolerance.
// Every grouping the scales' shape can state: per tensor, per head, per
// token, per block of T key positions, per channel, in f32 and f16; decode
// (packed GQA tiles, split-KV over 5003 keys) and prefill (causal, run-time
// lengths, top-k, a window's block list with run-time lengths); lengths
// that are no multiple of any block.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=5 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 --qk=int8 --pv=int8 | FileCheck %s --check-prefix=INT8 %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64 --entry=decode_token_f16_long,prefill_block_lengths | FileCheck %s --check-prefix=SSE %}
// RUN: %if !sanitized %{ attn-check %s --entry=dynamic_cache --dynamic-size=3001 | FileCheck %s --check-prefix=LONG %}
// RUN: attn-opt %s --attn-tile-flash | FileCheck %s --check-prefix=TILED
// RUN: attn-opt %s --convert-attn-to-linalg | FileCheck %s --check-prefix=LINALG

// CHECK-DAG: PASS decode_token_f16_long: Q[1,8,1,128] K[1,2,5003,128] {{.*}} k=int8 scales[1,2,5003,1]f16 v=int8 scales[1,2,5003,1]f16 {{.*}}(tol 0.0001)
// CHECK-DAG: PASS prefill_causal_token: Q[1,4,333,64] K[1,2,333,64] {{.*}} mask=causal k=int8 scales[1,2,333,1] v=int8 scales[1,2,333,1]
// CHECK-DAG: PASS prefill_block_lengths: Q[2,4,777,64] K[2,2,777,64] {{.*}} kv_lengths k=int8 scales[2,2,13,1]/64 v=int8 scales[1,2,1,64]
// CHECK-DAG: PASS decode_channel_block: Q[1,8,1,128] K[1,2,1003,128] {{.*}} k=int8 scales[1,2,1,128]f16 v=int8 scales[1,2,16,1]/64
// CHECK-DAG: PASS tensor_head: Q[2,4,100,32] K[2,4,100,32] {{.*}} k=int8 scales[1,1,1,1] v=int8 scales[1,4,1,1]
// CHECK-DAG: PASS topk_token: {{.*}} top_k=9 k=int8 scales[1,2,90,1] v=int8 scales[1,2,90,1]
// CHECK-DAG: PASS key_only: Q[1,4,70,64] K[1,4,70,64] {{.*}} k=int8 scales[1,4,70,1] layout
// CHECK-DAG: PASS dynamic_cache: Q[1,4,1,64] K[1,2,{{[0-9]+}},64] {{.*}} k=int8 scales[1,2,{{[0-9]+}},1] v=int8 scales[1,2,{{[0-9]+}},1]
// CHECK-DAG: PASS window_lengths: Q[2,2,300,64] K[2,2,300,64] {{.*}} mask=window(40) kv_lengths k=int8 scales[2,2,300,1]
// CHECK: attn-check: 9 of 9 entry points within tolerance

// int8 products over the dequantized K/V (the reference quantizes q * s
// again as the kernel does).
// INT8: attn-check: 9 of 9 entry points within tolerance on x86_64-avx2
// SSE: attn-check: 2 of 2 entry points within tolerance on x86_64
// LONG: PASS dynamic_cache: Q[1,4,1,64] K[1,2,3001,64]

// The key loop dequantizes each block into the step's scratch tile: per
// row, the token's scale (row k0 + j of the head's scales) broadcast over
// 32-value chunks of i8 converted to f32.
// TILED-LABEL: func.func @decode_token_f16_long
// TILED: tensor.extract_slice %{{.*}} : tensor<1x2x5003x1xf16> to tensor<5003x1xf16>
// TILED: scf.for %[[J:.*]] = %c0 to %{{.*}} step %c1 iter_args
// TILED: %[[ROW:.*]] = arith.addi %[[J]], %{{.*}} : index
// TILED: tensor.extract %{{.*}}[%[[ROW]], %c0] : tensor<5003x1xf16>
// TILED: arith.extf {{.*}} : f16 to f32
// TILED: vector.transfer_read {{.*}} : tensor<?x128xi8>, vector<32xi8>
// TILED: arith.sitofp {{.*}} : vector<32xi8> to vector<32xf32>
// TILED: arith.mulf
// Blocks of 64 keys: row (k0 + j) / 64; per-channel scales: a vector read.
// TILED-LABEL: func.func @decode_channel_block
// TILED: vector.transfer_read {{.*}} : tensor<1x128xf16>, vector<32xf16>
// TILED: arith.divui %{{.*}}, %c64 : index

// The untiled lowering dequantizes the whole operand: scale row k / T.
// LINALG-DAG: #[[BLOCKS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 64, 0)>
// LINALG-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>
// LINALG-LABEL: func.func @prefill_block_lengths
// LINALG: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCKS]], #{{.*}}]
// LINALG: arith.sitofp {{.*}} : i8 to f32
// LINALG: linalg.generic {indexing_maps = [#{{.*}}, #[[CHANNEL]], #{{.*}}]

func.func @decode_token_f16_long(%q: tensor<1x8x1x128xf32>, %k: tensor<1x2x5003x128xi8>, %v: tensor<1x2x5003x128xi8>, %ks: tensor<1x2x5003x1xf16>, %vs: tensor<1x2x5003x1xf16>) -> tensor<1x8x1x128xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x5003x1xf16>) value_scales(%vs : tensor<1x2x5003x1xf16>) : (tensor<1x8x1x128xf32>, tensor<1x2x5003x128xi8>, tensor<1x2x5003x128xi8>) -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

func.func @prefill_causal_token(%q: tensor<1x4x333x64xf32>, %k: tensor<1x2x333x64xi8>, %v: tensor<1x2x333x64xi8>, %ks: tensor<1x2x333x1xf32>, %vs: tensor<1x2x333x1xf32>) -> tensor<1x4x333x64xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x333x1xf32>) value_scales(%vs : tensor<1x2x333x1xf32>) {mask = #attn.causal} : (tensor<1x4x333x64xf32>, tensor<1x2x333x64xi8>, tensor<1x2x333x64xi8>) -> tensor<1x4x333x64xf32>
  return %o : tensor<1x4x333x64xf32>
}

func.func @prefill_block_lengths(%q: tensor<2x4x777x64xf32>, %k: tensor<2x2x777x64xi8>, %v: tensor<2x2x777x64xi8>, %kl: tensor<2xi32>, %ks: tensor<2x2x13x1xf32>, %vs: tensor<1x2x1x64xf32>) -> tensor<2x4x777x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<2xi32>) key_scales(%ks : tensor<2x2x13x1xf32>) value_scales(%vs : tensor<1x2x1x64xf32>) {mask = #attn.causal, key_scale_block = 64 : i64} : (tensor<2x4x777x64xf32>, tensor<2x2x777x64xi8>, tensor<2x2x777x64xi8>) -> tensor<2x4x777x64xf32>
  return %o : tensor<2x4x777x64xf32>
}

func.func @decode_channel_block(%q: tensor<1x8x1x128xf32>, %k: tensor<1x2x1003x128xi8>, %v: tensor<1x2x1003x128xi8>, %ks: tensor<1x2x1x128xf16>, %vs: tensor<1x2x16x1xf32>) -> tensor<1x8x1x128xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x1x128xf16>) value_scales(%vs : tensor<1x2x16x1xf32>) {value_scale_block = 64 : i64} : (tensor<1x8x1x128xf32>, tensor<1x2x1003x128xi8>, tensor<1x2x1003x128xi8>) -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

func.func @tensor_head(%q: tensor<2x4x100x32xf32>, %k: tensor<2x4x100x32xi8>, %v: tensor<2x4x100x32xi8>, %ks: tensor<1x1x1x1xf32>, %vs: tensor<1x4x1x1xf32>) -> tensor<2x4x100x32xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x1x1x1xf32>) value_scales(%vs : tensor<1x4x1x1xf32>) : (tensor<2x4x100x32xf32>, tensor<2x4x100x32xi8>, tensor<2x4x100x32xi8>) -> tensor<2x4x100x32xf32>
  return %o : tensor<2x4x100x32xf32>
}

func.func @topk_token(%q: tensor<1x2x70x32xf32>, %k: tensor<1x2x90x32xi8>, %v: tensor<1x2x90x32xi8>, %ks: tensor<1x2x90x1xf32>, %vs: tensor<1x2x90x1xf32>) -> tensor<1x2x70x32xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x90x1xf32>) value_scales(%vs : tensor<1x2x90x1xf32>) {top_k = 9 : i64} : (tensor<1x2x70x32xf32>, tensor<1x2x90x32xi8>, tensor<1x2x90x32xi8>) -> tensor<1x2x70x32xf32>
  return %o : tensor<1x2x70x32xf32>
}

func.func @key_only(%q: tensor<1x4x70x64xf32>, %k: tensor<1x4x70x64xi8>, %v: tensor<1x4x70x64xf32>, %ks: tensor<1x4x70x1xf32>) -> tensor<1x4x70x64xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x4x70x1xf32>) : (tensor<1x4x70x64xf32>, tensor<1x4x70x64xi8>, tensor<1x4x70x64xf32>) -> tensor<1x4x70x64xf32>
  return %o : tensor<1x4x70x64xf32>
}

func.func @dynamic_cache(%q: tensor<1x4x1x64xf32>, %k: tensor<1x2x?x64xi8>, %v: tensor<1x2x?x64xi8>, %ks: tensor<1x2x?x1xf32>, %vs: tensor<1x2x?x1xf32>) -> tensor<1x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x?x1xf32>) value_scales(%vs : tensor<1x2x?x1xf32>) : (tensor<1x4x1x64xf32>, tensor<1x2x?x64xi8>, tensor<1x2x?x64xi8>) -> tensor<1x4x1x64xf32>
  return %o : tensor<1x4x1x64xf32>
}

func.func @window_lengths(%q: tensor<2x2x300x64xf32>, %k: tensor<2x2x300x64xi8>, %v: tensor<2x2x300x64xi8>, %kl: tensor<2xi32>, %ks: tensor<2x2x300x1xf32>, %vs: tensor<2x2x300x1xf32>) -> tensor<2x2x300x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<2xi32>) key_scales(%ks : tensor<2x2x300x1xf32>) value_scales(%vs : tensor<2x2x300x1xf32>) {mask = #attn.window<40>} : (tensor<2x2x300x64xf32>, tensor<2x2x300x64xi8>, tensor<2x2x300x64xi8>) -> tensor<2x2x300x64xf32>
  return %o : tensor<2x2x300x64xf32>
}
