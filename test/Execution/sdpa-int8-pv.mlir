// int8 P . V (pv_precision = int8): on targets with a byte dot product the
// prefill tiles store the probabilities as bytes round(p * R) (R = 255
// with VPDPBUSD, 127 with SDOT) and quantize the value block per channel
// and 32 keys; the fp64 reference quantizes the values the same way
// (Reference.h int8Values), so what the tolerance (attn-run's default for
// --pv int8, 1e-2) covers is the probabilities' rounding. Alone and with
// int8 scores; long sequences and lengths that are no multiple of any
// block; f16 and q8_0 values; a sliding window (partial blocks); Dv != D.
// Tiles that keep P . V in f32 (decode, top-k, run-time key masks, and
// every tile on targets without a byte dot product) are checked against
// the same reference: their error is the values' rounding alone.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 --layout=bshd | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64 --num-threads=1 --seed=3 | FileCheck %s %}
// RUN: attn-opt %s --attn-tile-flash=int8-dot=x86-vnni | FileCheck %s --check-prefix=VNNI
// RUN: attn-opt %s --attn-tile-flash=int8-dot=arm-dotprod | FileCheck %s --check-prefix=SDOT
// RUN: attn-opt %s --attn-tile-flash | FileCheck %s --check-prefix=GENERIC

// CHECK-DAG: PASS prefill_pv: Q[1,4,300,64] K[1,2,1030,64] {{.*}} pv=int8
// CHECK-DAG: PASS causal_qk_pv_d128: Q[1,2,517,128] {{.*}} mask=causal qk=int8 pv=int8
// CHECK-DAG: PASS long_qk_pv: Q[1,2,2100,64] K[1,2,2100,64] {{.*}} qk=int8 pv=int8
// CHECK-DAG: PASS q8_0_values: Q[1,4,257,64] K[1,2,513,64] {{.*}} qk=int8 pv=int8 k=q8_0 v=q8_0
// CHECK-DAG: PASS f16_pv: Q[1,2,333,64] {{.*}} f16 {{.*}} qk=int8 pv=int8
// CHECK-DAG: PASS window_pv: {{.*}} mask=window(100) qk=int8 pv=int8
// CHECK-DAG: PASS narrow_values: Q[1,2,190,64] K[1,2,190,64] Dv=32 {{.*}} pv=int8
// CHECK-DAG: PASS decode_pv: Q[1,8,1,64] K[1,2,1001,64] {{.*}} qk=int8 pv=int8
// CHECK-DAG: PASS kv_lengths_pv: {{.*}} kv_lengths qk=int8 pv=int8
// CHECK-DAG: PASS topk_pv: {{.*}} top_k=7 pv=int8
// CHECK: attn-check: 10 of 10 entry points within tolerance

// Prefill: first one parallel loop over (batch, KV head, key block)
// quantizes V per column and 32 keys and interleaves 4 keys' bytes per
// column into words (K too, with int8 scores); then in each KV step the
// probabilities become bytes (1.5 * 2^23 added, the low byte taken) and
// register blocks of dot_i8 multiply broadcast probability words, as the
// unsigned factor for VPDPBUSD, with the value words.
// VNNI-LABEL: func.func @prefill_pv
// VNNI: arith.constant 0.00392156886 : f32
// VNNI: scf.forall {{.*}} -> (tensor<1x2x?x64xi32>, tensor<1x2x?x64xf32>)
// VNNI: vector.interleave {{.*}} : vector<32xi8> -> vector<64xi8>
// VNNI: tensor.parallel_insert_slice
// VNNI: scf.forall
// VNNI: arith.bitcast {{.*}} : f32 to i32
// VNNI: arith.trunci {{.*}} : i32 to i8
// VNNI: vector.broadcast {{.*}} : i32 to vector<8xi32>
// VNNI: attn.dot_i8 {{.*}} {lhs_unsigned} : vector<32xi8> into vector<8xi32>
// The rows' weight exp(b - m) / R: R = 255 (VNNI), 127 for SDOT (signed
// bytes only), which has no unsigned factor.
// SDOT-LABEL: func.func @prefill_pv
// SDOT: arith.constant 0.00787401571 : f32
// SDOT: vector.interleave
// SDOT: attn.dot_i8 {{.*}} : vector<16xi8> into vector<4xi32>
// SDOT-NOT: lhs_unsigned
// SDOT-LABEL: func.func @causal_qk_pv_d128
// Decode tiles keep P . V in f32 (no repacking, no bytes).
// VNNI-LABEL: func.func @decode_pv
// VNNI-NOT: vector.interleave
// VNNI-LABEL: func.func @kv_lengths_pv
// Without a byte dot product every tile keeps P . V in f32.
// GENERIC-NOT: vector.interleave
// GENERIC-NOT: attn.dot_i8

func.func @prefill_pv(%q: tensor<1x4x300x64xf32>, %k: tensor<1x2x1030x64xf32>, %v: tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32> {
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>} : (tensor<1x4x300x64xf32>, tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32>
  return %o : tensor<1x4x300x64xf32>
}

func.func @causal_qk_pv_d128(%q: tensor<1x2x517x128xf32>, %k: tensor<1x2x517x128xf32>, %v: tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>, tensor<1x2x517x128xf32>) -> tensor<1x2x517x128xf32>
  return %o : tensor<1x2x517x128xf32>
}

func.func @long_qk_pv(%q: tensor<1x2x2100x64xf32>, %k: tensor<1x2x2100x64xf32>, %v: tensor<1x2x2100x64xf32>) -> tensor<1x2x2100x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x2x2100x64xf32>, tensor<1x2x2100x64xf32>, tensor<1x2x2100x64xf32>) -> tensor<1x2x2100x64xf32>
  return %o : tensor<1x2x2100x64xf32>
}

func.func @q8_0_values(%q: tensor<1x4x257x64xf32>, %k: tensor<1x2x513x68xi8>, %v: tensor<1x2x513x68xi8>) -> tensor<1x4x257x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x4x257x64xf32>, tensor<1x2x513x68xi8>, tensor<1x2x513x68xi8>) -> tensor<1x4x257x64xf32>
  return %o : tensor<1x4x257x64xf32>
}

func.func @f16_pv(%q: tensor<1x2x333x64xf16>, %k: tensor<1x2x333x64xf16>, %v: tensor<1x2x333x64xf16>) -> tensor<1x2x333x64xf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x2x333x64xf16>, tensor<1x2x333x64xf16>, tensor<1x2x333x64xf16>) -> tensor<1x2x333x64xf16>
  return %o : tensor<1x2x333x64xf16>
}

func.func @window_pv(%q: tensor<1x2x700x64xf32>, %k: tensor<1x2x700x64xf32>, %v: tensor<1x2x700x64xf32>) -> tensor<1x2x700x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<100>, qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x2x700x64xf32>, tensor<1x2x700x64xf32>, tensor<1x2x700x64xf32>) -> tensor<1x2x700x64xf32>
  return %o : tensor<1x2x700x64xf32>
}

func.func @narrow_values(%q: tensor<1x2x190x64xf32>, %k: tensor<1x2x190x64xf32>, %v: tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32> {
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>} : (tensor<1x2x190x64xf32>, tensor<1x2x190x64xf32>, tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32>
  return %o : tensor<1x2x190x32xf32>
}

func.func @decode_pv(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1001x64xf32>, %v: tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf32>, tensor<1x2x1001x64xf32>, tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @kv_lengths_pv(%q: tensor<2x2x150x64xf32>, %k: tensor<2x2x150x64xf32>, %v: tensor<2x2x150x64xf32>, %kl: tensor<2xi32>) -> tensor<2x2x150x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%kl : tensor<2xi32>) {qk_precision = #attn.precision<int8>, pv_precision = #attn.precision<int8>} : (tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>, tensor<2x2x150x64xf32>) -> tensor<2x2x150x64xf32>
  return %o : tensor<2x2x150x64xf32>
}

func.func @topk_pv(%q: tensor<1x2x70x32xf32>, %k: tensor<1x2x150x32xf32>, %v: tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 7 : i64, pv_precision = #attn.precision<int8>} : (tensor<1x2x70x32xf32>, tensor<1x2x150x32xf32>, tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32>
  return %o : tensor<1x2x70x32xf32>
}
