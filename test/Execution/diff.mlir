// attn.diff against its fp64 reference (SEMANTICS.md, "Differential
// attention"): causal and dense, GQA, odd sizes, lambda_init from the layer
// index or given, a custom epsilon and scale, f16, and a strided layout.
// Dynamic head counts and lengths take --dynamic-size (37 here, 5 by
// default), the head counts adjusted to the 2x relations.
// The default lowering is fused (both maps and the epilogue in one tiled
// loop; decode with grouped KV heads falls back to two packed maps); the
// unfused form (two attention maps, then the epilogue) is checked too.
// RUN: attn-check %s --tile=16x16 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=6 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --diff=unfused --seed=3 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --entry=diff_dynamic --dynamic-size=37 --tile=16x16 | FileCheck %s --check-prefix=DYN %}
// DYN: PASS diff_dynamic: Q[1,74,37,16] K[1,74,37,16] Dv=32
// RUN: not attn-check %s --diff=separate 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: --diff expects 'fused' or 'unfused', found 'separate'

// CHECK-DAG: PASS diff_causal: {{.*}} mask=causal diff(lambda_init=0.470713)
// CHECK-DAG: PASS diff_dense_gqa: Q[2,8,37,16] K[2,4,41,16] Dv=32 {{.*}} mask=none diff(lambda_init=0.2)
// CHECK-DAG: PASS diff_window: {{.*}} mask=window(7) diff(lambda_init=0.2)
// CHECK-DAG: PASS diff_f16: {{.*}} f16 mask=causal diff(
// CHECK-DAG: PASS diff_decode: Q[1,8,1,32] K[1,2,70,32] Dv=64 {{.*}} mask=causal
// CHECK-DAG: PASS diff_empty_rows: Q[1,2,40,16] K[1,2,24,16] {{.*}} mask=causal
// CHECK-DAG: PASS diff_dynamic: Q[1,10,5,16] K[1,10,5,16] Dv=32 {{.*}} mask=causal
// CHECK: attn-check: 7 of 7 entry points within tolerance

func.func @diff_causal(%q: tensor<1x4x33x16xf32>, %k: tensor<1x4x33x16xf32>, %v: tensor<1x2x33x32xf32>, %a: tensor<16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>, %d: tensor<16xf32>, %g: tensor<32xf32>) -> tensor<1x2x33x32xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 2 : i64, mask = #attn.causal} : (tensor<1x4x33x16xf32>, tensor<1x4x33x16xf32>, tensor<1x2x33x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>) -> tensor<1x2x33x32xf32>
  return %o : tensor<1x2x33x32xf32>
}

// 4 output heads sharing 2 KV heads (pairs), Lq != Lk, explicit scale and
// epsilon.
func.func @diff_dense_gqa(%q: tensor<2x8x37x16xf32>, %k: tensor<2x4x41x16xf32>, %v: tensor<2x2x41x32xf32>, %a: tensor<16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>, %d: tensor<16xf32>, %g: tensor<32xf32>) -> tensor<2x4x37x32xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {lambda_init = 0.2 : f32, epsilon = 1.0e-3 : f32, scale = 0.5 : f32} : (tensor<2x8x37x16xf32>, tensor<2x4x41x16xf32>, tensor<2x2x41x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>) -> tensor<2x4x37x32xf32>
  return %o : tensor<2x4x37x32xf32>
}

func.func @diff_window(%q: tensor<1x2x50x32xf32>, %k: tensor<1x2x50x32xf32>, %v: tensor<1x1x50x64xf32>, %a: tensor<32xf32>, %b: tensor<32xf32>, %c: tensor<32xf32>, %d: tensor<32xf32>, %g: tensor<64xf32>) -> tensor<1x1x50x64xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 0 : i64, mask = #attn.window<7>} : (tensor<1x2x50x32xf32>, tensor<1x2x50x32xf32>, tensor<1x1x50x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x1x50x64xf32>
  return %o : tensor<1x1x50x64xf32>
}

func.func @diff_f16(%q: tensor<1x4x40x64xf16>, %k: tensor<1x4x40x64xf16>, %v: tensor<1x2x40x128xf16>, %a: tensor<64xf32>, %b: tensor<64xf32>, %c: tensor<64xf32>, %d: tensor<64xf32>, %g: tensor<128xf32>) -> tensor<1x2x40x128xf16> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 5 : i64, mask = #attn.causal} : (tensor<1x4x40x64xf16>, tensor<1x4x40x64xf16>, tensor<1x2x40x128xf16>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<128xf32>) -> tensor<1x2x40x128xf16>
  return %o : tensor<1x2x40x128xf16>
}

// Decode: 4 output heads on one KV head, one query row.
func.func @diff_decode(%q: tensor<1x8x1x32xf32>, %k: tensor<1x2x70x32xf32>, %v: tensor<1x1x70x64xf32>, %a: tensor<32xf32>, %b: tensor<32xf32>, %c: tensor<32xf32>, %d: tensor<32xf32>, %g: tensor<64xf32>) -> tensor<1x4x1x64xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 1 : i64, mask = #attn.causal} : (tensor<1x8x1x32xf32>, tensor<1x2x70x32xf32>, tensor<1x1x70x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x4x1x64xf32>
  return %o : tensor<1x4x1x64xf32>
}

// More queries than keys under a causal mask: the first 16 rows keep no key
// in either map, so their output is 0.
func.func @diff_empty_rows(%q: tensor<1x2x40x16xf32>, %k: tensor<1x2x24x16xf32>, %v: tensor<1x1x24x32xf32>, %a: tensor<16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>, %d: tensor<16xf32>, %g: tensor<32xf32>) -> tensor<1x1x40x32xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {lambda_init = 0.3 : f32, mask = #attn.causal} : (tensor<1x2x40x16xf32>, tensor<1x2x24x16xf32>, tensor<1x1x24x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>) -> tensor<1x1x40x32xf32>
  return %o : tensor<1x1x40x32xf32>
}

// Head counts and lengths known only at run time.
func.func @diff_dynamic(%q: tensor<1x?x?x16xf32>, %k: tensor<1x?x?x16xf32>, %v: tensor<1x?x?x32xf32>, %a: tensor<16xf32>, %b: tensor<16xf32>, %c: tensor<16xf32>, %d: tensor<16xf32>, %g: tensor<32xf32>) -> tensor<1x?x?x32xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {layer = 4 : i64, mask = #attn.causal} : (tensor<1x?x?x16xf32>, tensor<1x?x?x16xf32>, tensor<1x?x?x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>) -> tensor<1x?x?x32xf32>
  return %o : tensor<1x?x?x32xf32>
}
