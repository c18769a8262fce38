// Decode against 2^20 keys (docs/Numerics.md, "Lk"): one query row per head,
// f16 and f32 caches, split over the KV range and merged. Measured error:
// 5e-7 (f16) and 7e-9 (f32), far inside the tolerance of SEMANTICS.md
// (stated there up to Lk = 16384). With scores beyond exp's range and a NaN
// in V, as in numerics.mlir. The AArch64 run is in
// test/Targets/AArch64/execute-numerics.test; on Vulkan such key ranges are
// refused (test/Targets/Vulkan/long-sequences.test).
//
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --numerics=large,v-nan | FileCheck %s --check-prefix=NUM %}
// CHECK: PASS decode_1m: Q[1,4,1,32] K[1,1,1048576,32] Dv=32 f16
// CHECK: PASS decode_1m_f32: Q[1,2,1,16] K[1,1,1048576,16] Dv=16 f32
// CHECK: attn-check: 2 of 2 entry points within tolerance on host
// NUM: attn-check: 4 of 4 checks (entry points x numerics cases) within tolerance on host

func.func @decode_1m(%q: tensor<1x4x1x32xf16>, %k: tensor<1x1x1048576x32xf16>, %v: tensor<1x1x1048576x32xf16>) -> tensor<1x4x1x32xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x1x32xf16>, tensor<1x1x1048576x32xf16>, tensor<1x1x1048576x32xf16>) -> tensor<1x4x1x32xf16>
  return %o : tensor<1x4x1x32xf16>
}

func.func @decode_1m_f32(%q: tensor<1x2x1x16xf32>, %k: tensor<1x1x1048576x16xf32>, %v: tensor<1x1x1048576x16xf32>) -> tensor<1x2x1x16xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x1x16xf32>, tensor<1x1x1048576x16xf32>, tensor<1x1x1048576x16xf32>) -> tensor<1x2x1x16xf32>
  return %o : tensor<1x2x1x16xf32>
}
