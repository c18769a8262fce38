// f16 and bf16 storage with f32 accumulation, at SEMANTICS.md's tolerances
// (2e-3 and 1.6e-2 max abs error against fp64 on the rounded inputs).
// RUN: attn-check %s | FileCheck %s

// CHECK-DAG: PASS f16_gqa_causal: {{.*}} f16 mask=causal {{.*}}(tol 0.002)
// CHECK-DAG: PASS bf16_dense: {{.*}} bf16 mask=none {{.*}}(tol 0.016)
// CHECK-DAG: PASS f16_d80: {{.*}} f16
// CHECK: attn-check: 3 of 3 entry points within tolerance

func.func @f16_gqa_causal(%q: tensor<1x8x33x64xf16>, %k: tensor<1x2x33x64xf16>, %v: tensor<1x2x33x64xf16>) -> tensor<1x8x33x64xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x33x64xf16>, tensor<1x2x33x64xf16>, tensor<1x2x33x64xf16>) -> tensor<1x8x33x64xf16>
  return %o : tensor<1x8x33x64xf16>
}

func.func @bf16_dense(%q: tensor<2x4x100x32xbf16>, %k: tensor<2x4x100x32xbf16>, %v: tensor<2x4x100x32xbf16>) -> tensor<2x4x100x32xbf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<2x4x100x32xbf16>, tensor<2x4x100x32xbf16>, tensor<2x4x100x32xbf16>) -> tensor<2x4x100x32xbf16>
  return %o : tensor<2x4x100x32xbf16>
}

func.func @f16_d80(%q: tensor<1x2x7x80xf16>, %k: tensor<1x2x100x80xf16>, %v: tensor<1x2x100x80xf16>) -> tensor<1x2x7x80xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x7x80xf16>, tensor<1x2x100x80xf16>, tensor<1x2x100x80xf16>) -> tensor<1x2x7x80xf16>
  return %o : tensor<1x2x7x80xf16>
}
