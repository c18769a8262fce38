// bf16 products (#attn.precision<bf16>, an allowance). On the host
// (x86_64-avx512-bf16 where the CPU has AVX-512 BF16; test/Targets/X86/
// execute-bf16-run.test runs that target explicitly) and AVX2; under qemu
// in test/Targets/AArch64/execute-bf16.test.
// On targets with a
// bf16 pair dot product (x86_64-avx512-bf16: VDPBF16PS) prefill tiles round
// the scaled query, the keys, the probabilities and the values to bf16 and
// sum the products in f32; other tiles compute in f32. The fp64 reference
// rounds Q * scale, K and V to bf16 as the kernel does (Reference.h
// bf16Rounded), so on the bf16 path the tolerance covers the
// probabilities' rounding only (attn-run's default for bf16 products,
// 4e-3; 1e-4 with bf16 scores alone), and on f32 tiles the difference
// between the rounded and the exact factors.
// Long sequences, lengths that are no multiple of any block, causal and
// window masks (partial blocks), D = 128, Dv != D, f16 / bf16 storage, GQA,
// q8_0 keys and values (dequantized, then rounded), and the f32 tiles
// (decode, kv_lengths, top-k, D = 48).
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 --layout=bshd | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --qk=bf16 --pv=bf16 --seed=5 | FileCheck %s --check-prefix=POLICY %}
// RUN: attn-opt %s "--attn-tile-flash=bf16-dot=true int8-lanes=16" | FileCheck %s --check-prefix=TILED
// RUN: attn-opt %s --attn-tile-flash | FileCheck %s --check-prefix=F32

// CHECK-DAG: PASS prefill: Q[1,4,300,64] K[1,2,1030,64] {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS scores_only: Q[1,2,333,64] {{.*}} qk=bf16
// CHECK-DAG: PASS values_only: Q[1,2,333,64] {{.*}} pv=bf16
// CHECK-DAG: PASS causal_d128: Q[1,2,517,128] {{.*}} mask=causal qk=bf16 pv=bf16
// CHECK-DAG: PASS long: Q[1,2,2100,64] K[1,2,2100,64] {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS bf16_storage: Q[1,2,1025,64] {{.*}} bf16 {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS f16_storage: Q[1,2,257,64] {{.*}} f16 {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS q8_0_cache: Q[1,4,257,64] K[1,2,513,64] {{.*}} qk=bf16 pv=bf16 k=q8_0 v=q8_0
// CHECK-DAG: PASS window: {{.*}} mask=window(100) qk=bf16 pv=bf16
// CHECK-DAG: PASS narrow_values: Q[1,2,190,64] K[1,2,190,64] Dv=32 {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS decode: Q[1,8,1,64] K[1,2,1001,64] {{.*}} qk=bf16 pv=bf16
// CHECK-DAG: PASS kv_lengths: {{.*}} kv_lengths qk=bf16 pv=bf16
// CHECK-DAG: PASS topk: {{.*}} top_k=7 qk=bf16 pv=bf16
// CHECK-DAG: PASS head48: Q[1,2,200,48] {{.*}} qk=bf16 pv=bf16
// CHECK: attn-check: 14 of 14 entry points within tolerance
// POLICY: attn-check: 14 of 14 entry points within tolerance

// Prefill with bf16-dot: one parallel loop repacks K as [D / 2, keys] and V
// as [keys / 2, Dv] words of two bf16, the query tile is rounded to bf16,
// and register blocks of dot_bf16 form S and accumulate P . V.
// TILED-LABEL: func.func @prefill
// TILED: scf.forall {{.*}} -> (tensor<1x2x32x?xi32>, tensor<1x2x?x64xi32>)
// TILED: arith.truncf {{.*}} : f32 to bf16
// TILED: attn.dot_bf16 {{.*}} : vector<32xbf16> into vector<16xf32>
// TILED: attn.dot_bf16 {{.*}} : vector<32xbf16> into vector<16xf32>
// TILED-LABEL: func.func @scores_only
// TILED: attn.dot_bf16
// Decode tiles compute in f32; so does the P . V of kv_lengths' tiles
// (run-time key masks), not its scores.
// TILED-LABEL: func.func @decode
// TILED-NOT: attn.dot_bf16
// TILED-LABEL: func.func @kv_lengths
// TILED: attn.dot_bf16
// TILED-LABEL: func.func @head48
// TILED-NOT: attn.dot_bf16
// Without the instruction every tile computes in f32.
// F32-NOT: attn.dot_bf16

func.func @prefill(%q: tensor<1x4x300x64xf32>, %k: tensor<1x2x1030x64xf32>, %v: tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x4x300x64xf32>, tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32>
  return %o : tensor<1x4x300x64xf32>
}

func.func @scores_only(%q: tensor<1x2x333x64xf32>, %k: tensor<1x2x333x64xf32>, %v: tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>} : (tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32>
  return %o : tensor<1x2x333x64xf32>
}

func.func @values_only(%q: tensor<1x2x333x64xf32>, %k: tensor<1x2x333x64xf32>, %v: tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32> {
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<bf16>} : (tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32>
  return %o : tensor<1x2x333x64xf32>
}

func.func @causal_d128(%q: tensor<1x2x517x128xf32>, %k: tensor<1x2x517x128xf32>, %v: tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32>
  return %o : tensor<1x2x517x128xf32>
}

func.func @long(%q: tensor<1x2x2100x64xf32>, %k: tensor<1x2x2100x64xf32>, %v: tensor<1x2x2100x64xf32>) -> tensor<1x2x2100x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x2100x64xf32>, tensor<1x2x2100x64xf32>, tensor<1x2x2100x64xf32>) -> tensor<1x2x2100x64xf32>
  return %o : tensor<1x2x2100x64xf32>
}

func.func @bf16_storage(%q: tensor<1x2x1025x64xbf16>, %k: tensor<1x2x1025x64xbf16>, %v: tensor<1x2x1025x64xbf16>) -> tensor<1x2x1025x64xbf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x1025x64xbf16>, tensor<1x2x1025x64xbf16>, tensor<1x2x1025x64xbf16>) -> tensor<1x2x1025x64xbf16>
  return %o : tensor<1x2x1025x64xbf16>
}

func.func @f16_storage(%q: tensor<1x2x257x64xf16>, %k: tensor<1x2x257x64xf16>, %v: tensor<1x2x257x64xf16>) -> tensor<1x2x257x64xf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x257x64xf16>, tensor<1x2x257x64xf16>, tensor<1x2x257x64xf16>) -> tensor<1x2x257x64xf16>
  return %o : tensor<1x2x257x64xf16>
}

func.func @q8_0_cache(%q: tensor<1x4x257x64xf32>, %k: tensor<1x2x513x68xi8>, %v: tensor<1x2x513x68xi8>) -> tensor<1x4x257x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x4x257x64xf32>, tensor<1x2x513x68xi8>, tensor<1x2x513x68xi8>) -> tensor<1x4x257x64xf32>
  return %o : tensor<1x4x257x64xf32>
}

func.func @window(%q: tensor<1x2x700x64xf32>, %k: tensor<1x2x700x64xf32>, %v: tensor<1x2x700x64xf32>) -> tensor<1x2x700x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<100>, qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x700x64xf32>, tensor<1x2x700x64xf32>, tensor<1x2x700x64xf32>) -> tensor<1x2x700x64xf32>
  return %o : tensor<1x2x700x64xf32>
}

func.func @narrow_values(%q: tensor<1x2x190x64xf32>, %k: tensor<1x2x190x64xf32>, %v: tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x190x64xf32>, tensor<1x2x190x64xf32>, tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32>
  return %o : tensor<1x2x190x32xf32>
}

func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1001x64xf32>, %v: tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x8x1x64xf32>, tensor<1x2x1001x64xf32>, tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @kv_lengths(%q: tensor<2x2x150x64xf32>, %k: tensor<2x2x150x64xf32>, %v: tensor<2x2x150x64xf32>, %kl: tensor<2xi32>) -> tensor<2x2x150x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<2xi32>) {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>) -> tensor<2x2x150x64xf32>
  return %o : tensor<2x2x150x64xf32>
}

func.func @topk(%q: tensor<1x2x70x32xf32>, %k: tensor<1x2x150x32xf32>, %v: tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 7 : i64, qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x70x32xf32>, tensor<1x2x150x32xf32>, tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32>
  return %o : tensor<1x2x70x32xf32>
}

func.func @head48(%q: tensor<1x2x200x48xf32>, %k: tensor<1x2x200x48xf32>, %v: tensor<1x2x200x48xf32>) -> tensor<1x2x200x48xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>} : (tensor<1x2x200x48xf32>, tensor<1x2x200x48xf32>, tensor<1x2x200x48xf32>) -> tensor<1x2x200x48xf32>
  return %o : tensor<1x2x200x48xf32>
}
