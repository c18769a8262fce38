// smooth_k: the kernel subtracts the keys' channel mean (rounded to bf16)
// before it quantizes them for int8 or bf16 scores; attn-run --smooth-k
// makes the reference do the same (Reference.h smoothedKeys), so the
// kernel's arithmetic is held to the int8 scores' f32 tolerance: a kernel
// that did not shift its keys, or shifted them by another mean, rounds
// other key values and misses it by the int8 error (about 1e-3).
// Prefill over keys repacked once (300 x 1030, causal 517 with D = 128
// and int8 P . V), decode (packed GQA tiles, Lk = 4133 and 1001, f16),
// run-time key lengths (the mean over each batch's visible keys only),
// top-k, ALiBi (a shift of the row, allowed) and bf16 scores. The keys
// carry a per-channel offset in [-4, 4] (--key-offset), the structure
// smooth_k is for: without the shift these entries miss by 2e-4 to 5e-4.
// RUN: attn-check %s --key-offset=4 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --key-offset=4 --target=x86_64-avx2 --layout=bshd | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --key-offset=4 --target=x86_64 --num-threads=1 --seed=3 | FileCheck %s %}
// RUN: attn-opt %s --attn-tile-flash="int8-dot=x86-vnni int8-lanes=16" | FileCheck %s --check-prefix=TILED

// CHECK-DAG: PASS prefill: Q[1,4,300,64] K[1,2,1030,64] {{.*}} qk=int8 smooth_k
// CHECK-DAG: PASS causal_d128_pv: Q[1,2,517,128] K[1,2,517,128] {{.*}} mask=causal qk=int8 pv=int8 smooth_k
// CHECK-DAG: PASS decode_long: Q[1,32,1,128] K[1,8,4133,128] {{.*}} qk=int8 smooth_k
// CHECK-DAG: PASS decode_f16: Q[1,8,1,64] K[1,2,1001,64] {{.*}} qk=int8 smooth_k
// CHECK-DAG: PASS kv_lengths: {{.*}} kv_lengths qk=int8 smooth_k
// CHECK-DAG: PASS decode_kv_lengths: {{.*}} kv_lengths qk=int8 smooth_k
// CHECK-DAG: PASS topk: {{.*}} top_k=7 qk=int8 smooth_k
// CHECK-DAG: PASS alibi: {{.*}} mask=causal mods=alibi({{.*}} qk=int8 smooth_k
// CHECK-DAG: PASS bf16_scores: {{.*}} qk=bf16 pv=bf16 smooth_k
// CHECK: attn-check: 9 of 9 entry points within tolerance

// The mean, once per call: a parallel loop over (batch, KV head) summing
// the keys down their channels, divided by the count, rounded to bf16.
// TILED-LABEL: func.func @prefill
// TILED: scf.forall
// TILED: arith.addf
// TILED: arith.divf
// TILED: arith.truncf {{.*}} : f32 to bf16
// TILED: tensor.parallel_insert_slice {{.*}} into {{.*}}[1, 1, 64]
// Then the keys, minus the mean row, in the once-per-call repack.
// TILED: scf.forall
// TILED: arith.subf
// TILED: attn.dot_i8
// Decode tiles smooth each key block before they quantize it, in the KV
// loop.
// TILED-LABEL: func.func @decode_long
// TILED: arith.truncf {{.*}} : f32 to bf16
// TILED: scf.for
// TILED: arith.subf
// TILED: vector.reduction <maximumf>
// Over run-time lengths the sum covers kv_lengths[b] keys.
// TILED-LABEL: func.func @kv_lengths
// TILED: tensor.extract %{{.*}}[%{{.*}}] : tensor<2xi32>
// TILED: arith.divf

func.func @prefill(%q: tensor<1x4x300x64xf32>, %k: tensor<1x2x1030x64xf32>, %v: tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x4x300x64xf32>, tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32>
  return %o : tensor<1x4x300x64xf32>
}

func.func @causal_d128_pv(%q: tensor<1x2x517x128xf32>, %k: tensor<1x2x517x128xf32>, %v: tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>, smooth_k} : (tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32>
  return %o : tensor<1x2x517x128xf32>
}

func.func @decode_long(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x4133x128xf32>, %v: tensor<1x8x4133x128xf32>) -> tensor<1x32x1x128xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x32x1x128xf32>, tensor<1x8x4133x128xf32>, tensor<1x8x4133x128xf32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

func.func @decode_f16(%q: tensor<1x8x1x64xf16>, %k: tensor<1x2x1001x64xf16>, %v: tensor<1x2x1001x64xf16>) -> tensor<1x8x1x64xf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x8x1x64xf16>, tensor<1x2x1001x64xf16>, tensor<1x2x1001x64xf16>) -> tensor<1x8x1x64xf16>
  return %o : tensor<1x8x1x64xf16>
}

func.func @kv_lengths(%q: tensor<2x2x150x64xf32>, %k: tensor<2x2x150x64xf32>, %v: tensor<2x2x150x64xf32>, %kl: tensor<2xi32>) -> tensor<2x2x150x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<2xi32>) {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>) -> tensor<2x2x150x64xf32>
  return %o : tensor<2x2x150x64xf32>
}

func.func @decode_kv_lengths(%q: tensor<3x4x1x64xf32>, %k: tensor<3x2x700x64xf32>, %v: tensor<3x2x700x64xf32>, %kl: tensor<3xi32>) -> tensor<3x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<3xi32>) {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<3x4x1x64xf32>, tensor<3x2x700x64xf32>, tensor<3x2x700x64xf32>) -> tensor<3x4x1x64xf32>
  return %o : tensor<3x4x1x64xf32>
}

func.func @topk(%q: tensor<1x2x40x32xf32>, %k: tensor<1x2x130x32xf32>, %v: tensor<1x2x130x32xf32>) -> tensor<1x2x40x32xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 7 : i64, qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x2x40x32xf32>, tensor<1x2x130x32xf32>, tensor<1x2x130x32xf32>) -> tensor<1x2x40x32xf32>
  return %o : tensor<1x2x40x32xf32>
}

func.func @alibi(%q: tensor<1x4x97x32xf32>, %k: tensor<1x4x97x32xf32>, %v: tensor<1x4x97x32xf32>) -> tensor<1x4x97x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, modifiers = [#attn.alibi<dense<[0.5, 0.25, 0.125, 0.0625]> : tensor<4xf32>>], qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x4x97x32xf32>, tensor<1x4x97x32xf32>, tensor<1x4x97x32xf32>) -> tensor<1x4x97x32xf32>
  return %o : tensor<1x4x97x32xf32>
}

func.func @bf16_scores(%q: tensor<1x2x300x64xbf16>, %k: tensor<1x2x1030x64xbf16>, %v: tensor<1x2x1030x64xbf16>) -> tensor<1x2x300x64xbf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, pv_precision = #attn.precision<bf16>, smooth_k} : (tensor<1x2x300x64xbf16>, tensor<1x2x1030x64xbf16>, tensor<1x2x1030x64xbf16>) -> tensor<1x2x300x64xbf16>
  return %o : tensor<1x2x300x64xbf16>
}
