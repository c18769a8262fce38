// Dynamic dimensions: sizes bound at entry by the runtime, the kernel reads
// them from the descriptors. Dynamic sizes are --dynamic-size unless a
// divisibility constraint needs another value.
// RUN: attn-check %s --dynamic-size=7 | FileCheck %s --check-prefix=D7
// RUN: %if !sanitized %{ attn-check %s --dynamic-size=33 --layout=bshd | FileCheck %s --check-prefix=D33 %}

// D7-DAG: PASS all_dynamic: Q[7,7,7,7] K[7,7,7,7] Dv=7 f32 mask=causal
// D7-DAG: PASS dynamic_lengths_gqa: Q[1,8,7,64] K[1,2,7,64]
// D7-DAG: PASS dynamic_kv_heads: Q[1,8,5,32] K[1,4,5,32]
// D33-DAG: PASS dynamic_kv_heads: Q[1,8,5,32] K[1,8,5,32]
// D33-DAG: PASS all_dynamic: Q[33,33,33,33] K[33,33,33,33]
// D33-DAG: PASS dynamic_lengths_gqa: Q[1,8,33,64] K[1,2,33,64]

// RUN: %if !sanitized %{ attn-check %s --dynamic-size=7 --entry=all_dynamic | FileCheck %s --check-prefix=ONE %}
// ONE: attn-check: 1 of 1 entry points within tolerance

func.func @all_dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

func.func @dynamic_lengths_gqa(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// 8 query heads over a dynamic KV head count: attn-check picks the largest
// divisor of 8 not above --dynamic-size.
func.func @dynamic_kv_heads(%q: tensor<1x8x5x32xf32>, %k: tensor<1x?x5x32xf32>, %v: tensor<1x?x5x32xf32>) -> tensor<1x8x5x32xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x5x32xf32>, tensor<1x?x5x32xf32>, tensor<1x?x5x32xf32>) -> tensor<1x8x5x32xf32>
  return %o : tensor<1x8x5x32xf32>
}
