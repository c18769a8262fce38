// Run-time masks against the fp64 reference: key and query lengths
// (padding; attn-run makes batch 1 unpadded and batch 2 empty, whose output
// must be zeros) and document ids (sorted packed sequences, where work items
// bound their keys by binary search, and unsorted ids, which are scanned),
// alone and with static patterns, block lists, GQA decode packing, split-KV,
// top_k, a dynamic shape and f16.
// RUN: attn-check %s --tile=16x16 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --documents=unsorted --seed=3 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=8 --tile=32x16 | FileCheck %s %}

// CHECK-DAG: PASS padded: {{.*}} kv_lengths q_lengths
// CHECK-DAG: PASS padded_window: {{.*}} mask=window(9) kv_lengths
// CHECK-DAG: PASS docs_causal: {{.*}} mask=causal documents=
// CHECK-DAG: PASS docs_only: {{.*}} mask=none documents=
// CHECK-DAG: PASS docs_chunk: Q[2,2,12,16] K[2,2,40,16] {{.*}} documents=
// CHECK-DAG: PASS decode_cache_lengths: Q[3,8,1,64] {{.*}} kv_lengths
// CHECK-DAG: PASS decode_split_lengths: Q[3,1,1,64] K[3,1,300,64] {{.*}} kv_lengths
// CHECK-DAG: PASS topk_padded: {{.*}} top_k=4 kv_lengths
// CHECK-DAG: PASS docs_dynamic: {{.*}} documents=
// CHECK-DAG: PASS padded_f16: {{.*}} f16 mask=causal kv_lengths q_lengths documents=
// CHECK: attn-check: 10 of 10 entry points within tolerance

func.func @padded(%q: tensor<3x2x37x16xf32>, %k: tensor<3x2x37x16xf32>, %v: tensor<3x2x37x16xf32>, %kl: tensor<3xi32>, %ql: tensor<3xi32>) -> tensor<3x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) q_lengths(%ql : tensor<3xi32>) : (tensor<3x2x37x16xf32>, tensor<3x2x37x16xf32>, tensor<3x2x37x16xf32>) -> tensor<3x2x37x16xf32>
  return %o : tensor<3x2x37x16xf32>
}

// A static pattern (block lists) and a run-time length together.
func.func @padded_window(%q: tensor<3x2x64x16xf32>, %k: tensor<3x2x64x16xf32>, %v: tensor<3x2x64x16xf32>, %kl: tensor<3xi32>) -> tensor<3x2x64x16xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) {mask = #attn.window<9>} : (tensor<3x2x64x16xf32>, tensor<3x2x64x16xf32>, tensor<3x2x64x16xf32>) -> tensor<3x2x64x16xf32>
  return %o : tensor<3x2x64x16xf32>
}

func.func @docs_causal(%q: tensor<2x2x50x16xf32>, %k: tensor<2x2x50x16xf32>, %v: tensor<2x2x50x16xf32>, %d: tensor<2x50xi32>) -> tensor<2x2x50x16xf32> {
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<2x50xi32>) {mask = #attn.causal} : (tensor<2x2x50x16xf32>, tensor<2x2x50x16xf32>, tensor<2x2x50x16xf32>) -> tensor<2x2x50x16xf32>
  return %o : tensor<2x2x50x16xf32>
}

func.func @docs_only(%q: tensor<2x4x70x32xf32>, %k: tensor<2x2x70x32xf32>, %v: tensor<2x2x70x32xf32>, %d: tensor<2x70xi32>) -> tensor<2x4x70x32xf32> {
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<2x70xi32>) : (tensor<2x4x70x32xf32>, tensor<2x2x70x32xf32>, tensor<2x2x70x32xf32>) -> tensor<2x4x70x32xf32>
  return %o : tensor<2x4x70x32xf32>
}

// 12 new queries at positions 28..39 of a 40-token packed sequence.
func.func @docs_chunk(%q: tensor<2x2x12x16xf32>, %k: tensor<2x2x40x16xf32>, %v: tensor<2x2x40x16xf32>, %d: tensor<2x40xi32>) -> tensor<2x2x12x16xf32> {
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<2x40xi32>) {mask = #attn.causal} : (tensor<2x2x12x16xf32>, tensor<2x2x40x16xf32>, tensor<2x2x40x16xf32>) -> tensor<2x2x12x16xf32>
  return %o : tensor<2x2x12x16xf32>
}

// Batched decode against caches of different lengths (GQA packed tiles).
func.func @decode_cache_lengths(%q: tensor<3x8x1x64xf32>, %k: tensor<3x2x100x64xf32>, %v: tensor<3x2x100x64xf32>, %kl: tensor<3xi32>) -> tensor<3x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) : (tensor<3x8x1x64xf32>, tensor<3x2x100x64xf32>, tensor<3x2x100x64xf32>) -> tensor<3x8x1x64xf32>
  return %o : tensor<3x8x1x64xf32>
}

// Few work items: the key range is split, and splits past the length are
// empty.
func.func @decode_split_lengths(%q: tensor<3x1x1x64xf32>, %k: tensor<3x1x300x64xf32>, %v: tensor<3x1x300x64xf32>, %kl: tensor<3xi32>) -> tensor<3x1x1x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) : (tensor<3x1x1x64xf32>, tensor<3x1x300x64xf32>, tensor<3x1x300x64xf32>) -> tensor<3x1x1x64xf32>
  return %o : tensor<3x1x1x64xf32>
}

func.func @topk_padded(%q: tensor<3x2x20x16xf32>, %k: tensor<3x2x30x16xf32>, %v: tensor<3x2x30x16xf32>, %kl: tensor<3xi32>) -> tensor<3x2x20x16xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) {top_k = 4 : i64} : (tensor<3x2x20x16xf32>, tensor<3x2x30x16xf32>, tensor<3x2x30x16xf32>) -> tensor<3x2x20x16xf32>
  return %o : tensor<3x2x20x16xf32>
}

func.func @docs_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %d: tensor<1x?xi32>) -> tensor<1x2x?x16xf32> {
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<1x?xi32>) : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

func.func @padded_f16(%q: tensor<3x2x40x64xf16>, %k: tensor<3x2x40x64xf16>, %v: tensor<3x2x40x64xf16>, %kl: tensor<3xi32>, %ql: tensor<3xi32>, %d: tensor<3x40xi32>) -> tensor<3x2x40x64xf16> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) q_lengths(%ql : tensor<3xi32>) documents(%d : tensor<3x40xi32>) {mask = #attn.causal} : (tensor<3x2x40x64xf16>, tensor<3x2x40x64xf16>, tensor<3x2x40x64xf16>) -> tensor<3x2x40x64xf16>
  return %o : tensor<3x2x40x64xf16>
}
