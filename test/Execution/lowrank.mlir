// The low-rank approximations against their own fp64 references
// (SEMANTICS.md, "Low-rank attention"; tools/attn-check/reference/
// LowRank.cpp): Linformer with shared, per-head and separate projections,
// Performer with softmax and ReLU features, orthogonal and iid, chi and
// constant norms, causal across chunk boundaries and with Lq != Lk,
// Nystromformer with GQA, fewer iterations and the V convolution; f16,
// a strided layout and dynamic shapes.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=5 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --entry=nys_dynamic --dynamic-size=21 | FileCheck %s --check-prefix=DYN %}
// DYN: PASS nys_dynamic: Q[1,2,21,16] K[1,2,21,16]

// CHECK-DAG: PASS lin_shared: {{.*}} linformer(16)
// CHECK-DAG: PASS lin_per_head: Q[2,4,50,32] K[2,2,64,32] {{.*}} linformer(8,perhead,separate)
// CHECK-DAG: PASS lin_f16: {{.*}} f16 {{.*}} linformer(32)
// CHECK-DAG: PASS perf_softmax: {{.*}} performer(40,softmax,orthogonal,chi,7)
// CHECK-DAG: PASS perf_relu_iid: {{.*}} performer(24,relu,iid,constant,2)
// CHECK-DAG: PASS perf_causal: Q[1,2,150,16] K[1,2,150,16] {{.*}} performer(44,softmax,orthogonal,chi,0,causal)
// CHECK-DAG: PASS perf_causal_cache: Q[1,4,37,16] K[1,2,90,16] {{.*}} performer(32,softmax,orthogonal,chi,1,causal)
// CHECK-DAG: PASS perf_f16: {{.*}} f16 {{.*}} performer(64,softmax,orthogonal,chi,0)
// CHECK-DAG: PASS nys_gqa: Q[1,4,48,16] K[1,2,64,16] {{.*}} nystrom(8,6)
// CHECK-DAG: PASS nys_conv: Q[2,2,60,16] K[2,2,60,16] {{.*}} nystrom(6,3,5)
// CHECK-DAG: PASS nys_f16: {{.*}} f16 {{.*}} nystrom(16,6)
// CHECK-DAG: PASS nys_dynamic:
// CHECK: attn-check: 12 of 12 entry points within tolerance

func.func @lin_shared(%q: tensor<1x2x40x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>, %e: tensor<16x40xf32>) -> tensor<1x2x40x16xf32> {
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<16x40xf32>) -> tensor<1x2x40x16xf32>
  return %o : tensor<1x2x40x16xf32>
}

func.func @lin_per_head(%q: tensor<2x4x50x32xf32>, %k: tensor<2x2x64x32xf32>, %v: tensor<2x2x64x24xf32>, %e: tensor<2x8x64xf32>, %f: tensor<2x8x64xf32>) -> tensor<2x4x50x24xf32> {
  %o = attn.linformer %q, %k, %v projections(%e, %f) {scale = 0.3 : f32} : (tensor<2x4x50x32xf32>, tensor<2x2x64x32xf32>, tensor<2x2x64x24xf32>, tensor<2x8x64xf32>, tensor<2x8x64xf32>) -> tensor<2x4x50x24xf32>
  return %o : tensor<2x4x50x24xf32>
}

func.func @lin_f16(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %e: tensor<32x64xf32>) -> tensor<1x2x64x64xf16> {
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<32x64xf32>) -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

func.func @perf_softmax(%q: tensor<1x2x33x16xf32>, %k: tensor<1x2x45x16xf32>, %v: tensor<1x2x45x8xf32>) -> tensor<1x2x33x8xf32> {
  %o = attn.performer %q, %k, %v {features = 40 : i64, seed = 7 : i64} : (tensor<1x2x33x16xf32>, tensor<1x2x45x16xf32>, tensor<1x2x45x8xf32>) -> tensor<1x2x33x8xf32>
  return %o : tensor<1x2x33x8xf32>
}

func.func @perf_relu_iid(%q: tensor<2x2x20x16xf32>, %k: tensor<2x1x30x16xf32>, %v: tensor<2x1x30x16xf32>) -> tensor<2x2x20x16xf32> {
  %o = attn.performer %q, %k, %v {features = 24 : i64, kernel = #attn.feature_kernel<relu>, orthogonal = false, constant_norms, seed = 2 : i64} : (tensor<2x2x20x16xf32>, tensor<2x1x30x16xf32>, tensor<2x1x30x16xf32>) -> tensor<2x2x20x16xf32>
  return %o : tensor<2x2x20x16xf32>
}

// 150 rows: two full chunks of 64 and a partial one; m = round(16 ln 16) = 44.
func.func @perf_causal(%q: tensor<1x2x150x16xf32>, %k: tensor<1x2x150x16xf32>, %v: tensor<1x2x150x16xf32>) -> tensor<1x2x150x16xf32> {
  %o = attn.performer %q, %k, %v {causal} : (tensor<1x2x150x16xf32>, tensor<1x2x150x16xf32>, tensor<1x2x150x16xf32>) -> tensor<1x2x150x16xf32>
  return %o : tensor<1x2x150x16xf32>
}

// A chunk of queries against a longer cache (bottom-right alignment), GQA.
func.func @perf_causal_cache(%q: tensor<1x4x37x16xf32>, %k: tensor<1x2x90x16xf32>, %v: tensor<1x2x90x16xf32>) -> tensor<1x4x37x16xf32> {
  %o = attn.performer %q, %k, %v {features = 32 : i64, seed = 1 : i64, causal} : (tensor<1x4x37x16xf32>, tensor<1x2x90x16xf32>, tensor<1x2x90x16xf32>) -> tensor<1x4x37x16xf32>
  return %o : tensor<1x4x37x16xf32>
}

func.func @perf_f16(%q: tensor<1x2x40x32xf16>, %k: tensor<1x2x40x32xf16>, %v: tensor<1x2x40x32xf16>) -> tensor<1x2x40x32xf16> {
  %o = attn.performer %q, %k, %v {features = 64 : i64} : (tensor<1x2x40x32xf16>, tensor<1x2x40x32xf16>, tensor<1x2x40x32xf16>) -> tensor<1x2x40x32xf16>
  return %o : tensor<1x2x40x32xf16>
}

func.func @nys_gqa(%q: tensor<1x4x48x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x4x48x16xf32> {
  %o = attn.nystrom %q, %k, %v {landmarks = 8 : i64} : (tensor<1x4x48x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x4x48x16xf32>
  return %o : tensor<1x4x48x16xf32>
}

func.func @nys_conv(%q: tensor<2x2x60x16xf32>, %k: tensor<2x2x60x16xf32>, %v: tensor<2x2x60x16xf32>, %c: tensor<2x5xf32>) -> tensor<2x2x60x16xf32> {
  %o = attn.nystrom %q, %k, %v conv(%c : tensor<2x5xf32>) {landmarks = 6 : i64, pinv_iterations = 3 : i64} : (tensor<2x2x60x16xf32>, tensor<2x2x60x16xf32>, tensor<2x2x60x16xf32>) -> tensor<2x2x60x16xf32>
  return %o : tensor<2x2x60x16xf32>
}

func.func @nys_f16(%q: tensor<1x2x64x32xf16>, %k: tensor<1x2x64x32xf16>, %v: tensor<1x2x64x32xf16>) -> tensor<1x2x64x32xf16> {
  %o = attn.nystrom %q, %k, %v {landmarks = 16 : i64} : (tensor<1x2x64x32xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x32xf16>) -> tensor<1x2x64x32xf16>
  return %o : tensor<1x2x64x32xf16>
}

// Lengths known at run time, checked at entry to be multiples of 3.
func.func @nys_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.nystrom %q, %k, %v {landmarks = 3 : i64} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}
