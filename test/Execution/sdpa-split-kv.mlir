// Split-KV decode (too few work items: the key range is split and the
// partial results combined by log-sum-exp), against the fp64 reference.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=11 | FileCheck %s %}

// CHECK-DAG: PASS mqa_decode: Q[1,8,1,64] K[1,1,4099,64]
// CHECK-DAG: PASS mqa_causal_prefill4: Q[1,8,4,64] K[1,1,1000,64] {{.*}} mask=causal
// CHECK-DAG: PASS single_head: Q[1,1,3,64] K[1,1,777,64]
// CHECK-DAG: PASS split_f16: Q[1,2,1,128] K[1,2,2049,128] {{.*}} f16
// Lq > Lk with a causal mask: early rows see nothing in any split.
// CHECK-DAG: PASS empty_rows: Q[1,1,40,32] K[1,1,300,32]
// CHECK: attn-check: 5 of 5 entry points within tolerance

func.func @mqa_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x1x4099x64xf32>, %v: tensor<1x1x4099x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x1x4099x64xf32>, tensor<1x1x4099x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @mqa_causal_prefill4(%q: tensor<1x8x4x64xf32>, %k: tensor<1x1x1000x64xf32>, %v: tensor<1x1x1000x64xf32>) -> tensor<1x8x4x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x4x64xf32>, tensor<1x1x1000x64xf32>, tensor<1x1x1000x64xf32>) -> tensor<1x8x4x64xf32>
  return %o : tensor<1x8x4x64xf32>
}

func.func @single_head(%q: tensor<1x1x3x64xf32>, %k: tensor<1x1x777x64xf32>, %v: tensor<1x1x777x64xf32>) -> tensor<1x1x3x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x1x3x64xf32>, tensor<1x1x777x64xf32>, tensor<1x1x777x64xf32>) -> tensor<1x1x3x64xf32>
  return %o : tensor<1x1x3x64xf32>
}

func.func @split_f16(%q: tensor<1x2x1x128xf16>, %k: tensor<1x2x2049x128xf16>, %v: tensor<1x2x2049x128xf16>) -> tensor<1x2x1x128xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x1x128xf16>, tensor<1x2x2049x128xf16>, tensor<1x2x2049x128xf16>) -> tensor<1x2x1x128xf16>
  return %o : tensor<1x2x1x128xf16>
}

func.func @empty_rows(%q: tensor<1x1x40x32xf32>, %k: tensor<1x1x300x32xf32>, %v: tensor<1x1x300x32xf32>) -> tensor<1x1x40x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x1x40x32xf32>, tensor<1x1x300x32xf32>, tensor<1x1x300x32xf32>) -> tensor<1x1x40x32xf32>
  return %o : tensor<1x1x40x32xf32>
}
