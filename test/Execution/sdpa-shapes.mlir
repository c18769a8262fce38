// attn.sdpa compiled for the host and run on seeded inputs in [-1, 1],
// against the fp64 reference at SEMANTICS.md's f32 tolerance (1e-4).
// attn-check exits non-zero if any entry point is past it.
// RUN: attn-check %s --num-threads=2 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --num-threads=1 --layout=bshd --seed=7 | FileCheck %s %}

// CHECK-DAG: PASS dense_d32: Q[1,4,33,32]
// CHECK-DAG: PASS gqa_d64_lq_lt_lk: Q[2,8,7,64] K[2,2,100,64]
// CHECK-DAG: PASS mqa_d80: Q[1,6,33,80] K[1,1,33,80]
// CHECK-DAG: PASS causal_d128: Q[1,2,100,128]
// CHECK-DAG: PASS causal_lq_gt_lk: Q[1,2,33,32] K[1,2,7,32]
// CHECK-DAG: PASS causal_lq_lt_lk_gqa: Q[1,4,7,64] K[1,2,33,64]
// CHECK-DAG: PASS causal_decode: Q[1,8,1,64] K[1,2,100,64]
// CHECK-DAG: PASS single: Q[1,1,1,32] K[1,1,1,32]
// CHECK-DAG: PASS value_dim_scale: Q[3,2,7,64] K[3,2,33,64] Dv=32
// CHECK: attn-check: 9 of 9 entry points within tolerance

func.func @dense_d32(%q: tensor<1x4x33x32xf32>, %k: tensor<1x4x33x32xf32>, %v: tensor<1x4x33x32xf32>) -> tensor<1x4x33x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x4x33x32xf32>, tensor<1x4x33x32xf32>, tensor<1x4x33x32xf32>) -> tensor<1x4x33x32xf32>
  return %o : tensor<1x4x33x32xf32>
}

func.func @gqa_d64_lq_lt_lk(%q: tensor<2x8x7x64xf32>, %k: tensor<2x2x100x64xf32>, %v: tensor<2x2x100x64xf32>) -> tensor<2x8x7x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x7x64xf32>, tensor<2x2x100x64xf32>, tensor<2x2x100x64xf32>) -> tensor<2x8x7x64xf32>
  return %o : tensor<2x8x7x64xf32>
}

func.func @mqa_d80(%q: tensor<1x6x33x80xf32>, %k: tensor<1x1x33x80xf32>, %v: tensor<1x1x33x80xf32>) -> tensor<1x6x33x80xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x6x33x80xf32>, tensor<1x1x33x80xf32>, tensor<1x1x33x80xf32>) -> tensor<1x6x33x80xf32>
  return %o : tensor<1x6x33x80xf32>
}

func.func @causal_d128(%q: tensor<1x2x100x128xf32>, %k: tensor<1x2x100x128xf32>, %v: tensor<1x2x100x128xf32>) -> tensor<1x2x100x128xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x100x128xf32>, tensor<1x2x100x128xf32>, tensor<1x2x100x128xf32>) -> tensor<1x2x100x128xf32>
  return %o : tensor<1x2x100x128xf32>
}

// Lq > Lk with a bottom-right causal mask: the first 26 rows see no key and
// must be exactly zero (not NaN).
func.func @causal_lq_gt_lk(%q: tensor<1x2x33x32xf32>, %k: tensor<1x2x7x32xf32>, %v: tensor<1x2x7x32xf32>) -> tensor<1x2x33x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x33x32xf32>, tensor<1x2x7x32xf32>, tensor<1x2x7x32xf32>) -> tensor<1x2x33x32xf32>
  return %o : tensor<1x2x33x32xf32>
}

func.func @causal_lq_lt_lk_gqa(%q: tensor<1x4x7x64xf32>, %k: tensor<1x2x33x64xf32>, %v: tensor<1x2x33x64xf32>) -> tensor<1x4x7x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x7x64xf32>, tensor<1x2x33x64xf32>, tensor<1x2x33x64xf32>) -> tensor<1x4x7x64xf32>
  return %o : tensor<1x4x7x64xf32>
}

func.func @causal_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @single(%q: tensor<1x1x1x32xf32>, %k: tensor<1x1x1x32xf32>, %v: tensor<1x1x1x32xf32>) -> tensor<1x1x1x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x1x1x32xf32>, tensor<1x1x1x32xf32>, tensor<1x1x1x32xf32>) -> tensor<1x1x1x32xf32>
  return %o : tensor<1x1x1x32xf32>
}

func.func @value_dim_scale(%q: tensor<3x2x7x64xf32>, %k: tensor<3x2x33x64xf32>, %v: tensor<3x2x33x32xf32>) -> tensor<3x2x7x32xf32> {
  %o = attn.sdpa %q, %k, %v {scale = 0.3 : f32} : (tensor<3x2x7x64xf32>, tensor<3x2x33x64xf32>, tensor<3x2x33x32xf32>) -> tensor<3x2x7x32xf32>
  return %o : tensor<3x2x7x32xf32>
}
