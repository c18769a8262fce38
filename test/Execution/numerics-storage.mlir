// Defined numerics (docs/Numerics.md) on the CPU paths the Vulkan target
// does not take yet: split-KV decode (its per-split log-sum-exps merged: a
// NaN split must make the row NaN), run-time key lengths (a padded KV
// cache whose unused rows hold NaN or inf must not reach any row), and
// f16 / bf16 storage (f16: the largest value 65504 in V; subnormals of each
// type). The AArch64 run is in test/Targets/AArch64/execute-numerics.test.
//
// RUN: attn-check %s --numerics=q-nan,q-inf,k-nan,k-inf,v-nan,v-inf,large,extreme,denormal | FileCheck %s
//
// CHECK: PASS decode_split: {{.*}} numerics=q-nan (NaN 128 of 128 expected
// CHECK: PASS decode_split: {{.*}} numerics=k-nan (NaN 512 of 512 expected
// Only the batch whose length reaches the last key sees its NaN.
// CHECK: PASS decode_lengths: {{.*}} numerics=v-nan (NaN {{[1-9][0-9]*}} of {{[1-9][0-9]*}} expected
// CHECK: PASS causal_f16: {{.*}} numerics=v-nan (NaN 452 of 452 expected
// CHECK: PASS causal_f16: {{.*}} numerics=extreme
// CHECK: PASS dense_bf16: {{.*}} numerics=v-inf (NaN 260 of 260 expected, inf 260 of 260)
// CHECK: attn-check: 36 of 36 checks (entry points x numerics cases) within tolerance on host

func.func @decode_split(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x4100x64xf32>, %v: tensor<1x2x4100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x2x4100x64xf32>, tensor<1x2x4100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @decode_lengths(%q: tensor<3x4x1x64xf32>, %k: tensor<3x2x300x64xf32>, %v: tensor<3x2x300x64xf32>, %kl: tensor<3xi32>) -> tensor<3x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) : (tensor<3x4x1x64xf32>, tensor<3x2x300x64xf32>, tensor<3x2x300x64xf32>) -> tensor<3x4x1x64xf32>
  return %o : tensor<3x4x1x64xf32>
}

func.func @causal_f16(%q: tensor<1x2x150x64xf16>, %k: tensor<1x2x150x64xf16>, %v: tensor<1x2x150x64xf16>) -> tensor<1x2x150x64xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x150x64xf16>, tensor<1x2x150x64xf16>, tensor<1x2x150x64xf16>) -> tensor<1x2x150x64xf16>
  return %o : tensor<1x2x150x64xf16>
}

func.func @dense_bf16(%q: tensor<1x2x130x64xbf16>, %k: tensor<1x2x130x64xbf16>, %v: tensor<1x2x130x64xbf16>) -> tensor<1x2x130x64xbf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x130x64xbf16>, tensor<1x2x130x64xbf16>, tensor<1x2x130x64xbf16>) -> tensor<1x2x130x64xbf16>
  return %o : tensor<1x2x130x64xbf16>
}
