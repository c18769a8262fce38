// top_k against the fp64 reference: alone, with masks, modifiers and a bias,
// GQA, decode, k = Lk (dense), a dynamic shape and f16. Ternary inputs make
// scores small integers with many ties at the k-th value, all of which are
// kept (SEMANTICS.md). Ties are decided on computed f32 scores, so the
// ternary runs use scales that are powers of two (exact products).
// RUN: attn-check %s --tile=16x16 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --values=ternary --tile=16x8 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --values=ternary --layout=bshd --num-threads=1 --seed=4 | FileCheck %s %}
// Non-finite inputs (docs/Numerics.md): a NaN score is never among the k
// largest, but its row is NaN all the same.
// RUN: %if !sanitized %{ attn-check %s --numerics=q-nan,q-inf,k-nan,k-inf,v-nan,v-inf | FileCheck %s --check-prefix=NUMERICS %}
// NUMERICS: PASS topk: {{.*}} numerics=q-nan (NaN 96 of 96 expected
// NUMERICS: attn-check: 42 of 42 checks (entry points x numerics cases) within tolerance

// CHECK-DAG: PASS topk: {{.*}} top_k=5
// CHECK-DAG: PASS topk_causal_gqa: {{.*}} mask=causal top_k=8
// CHECK-DAG: PASS topk_window_mods: {{.*}} mask=window(12) bias mods=softcap(3) top_k=4
// CHECK-DAG: PASS topk_decode: {{.*}} top_k=16
// CHECK-DAG: PASS topk_all: {{.*}} top_k=30
// CHECK-DAG: PASS topk_dynamic: {{.*}} top_k=3
// CHECK-DAG: PASS topk_f16: {{.*}} f16 mask=causal top_k=7
// CHECK: attn-check: 7 of 7 entry points within tolerance

func.func @topk(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 5 : i64} : (tensor<1x2x37x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

func.func @topk_causal_gqa(%q: tensor<2x4x33x32xf32>, %k: tensor<2x2x33x32xf32>, %v: tensor<2x2x33x24xf32>) -> tensor<2x4x33x24xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.25 : f32, top_k = 8 : i64} : (tensor<2x4x33x32xf32>, tensor<2x2x33x32xf32>, tensor<2x2x33x24xf32>) -> tensor<2x4x33x24xf32>
  return %o : tensor<2x4x33x24xf32>
}

func.func @topk_window_mods(%q: tensor<1x2x30x16xf32>, %k: tensor<1x2x30x16xf32>, %v: tensor<1x2x30x16xf32>, %m: tensor<1x2x30x30xf32>) -> tensor<1x2x30x16xf32> {
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x2x30x30xf32>) {mask = #attn.window<12>, modifiers = [#attn.softcap<3.0>], top_k = 4 : i64} : (tensor<1x2x30x16xf32>, tensor<1x2x30x16xf32>, tensor<1x2x30x16xf32>) -> tensor<1x2x30x16xf32>
  return %o : tensor<1x2x30x16xf32>
}

func.func @topk_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x90x64xf32>, %v: tensor<1x2x90x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 16 : i64} : (tensor<1x8x1x64xf32>, tensor<1x2x90x64xf32>, tensor<1x2x90x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// k = Lk keeps everything: dense attention.
func.func @topk_all(%q: tensor<1x2x20x16xf32>, %k: tensor<1x2x30x16xf32>, %v: tensor<1x2x30x16xf32>) -> tensor<1x2x20x16xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 30 : i64} : (tensor<1x2x20x16xf32>, tensor<1x2x30x16xf32>, tensor<1x2x30x16xf32>) -> tensor<1x2x20x16xf32>
  return %o : tensor<1x2x20x16xf32>
}

func.func @topk_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 3 : i64} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

func.func @topk_f16(%q: tensor<1x2x40x64xf16>, %k: tensor<1x2x40x64xf16>, %v: tensor<1x2x40x64xf16>) -> tensor<1x2x40x64xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, top_k = 7 : i64} : (tensor<1x2x40x64xf16>, tensor<1x2x40x64xf16>, tensor<1x2x40x64xf16>) -> tensor<1x2x40x64xf16>
  return %o : tensor<1x2x40x64xf16>
}
