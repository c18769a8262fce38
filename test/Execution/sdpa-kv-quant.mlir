// Packed KV caches in llama.cpp's q8_0 and q4_0 blocks: attn-run quantizes
// the seeded K/V rows with llama.cpp's rounding (attn/quant.h) and the fp64
// reference reads the dequantized values, so the kernel's own arithmetic is
// held to the f32 tolerance (f16 storage of Q/O: f16's). Long caches and
// lengths that are no multiple of any block; decode (packed GQA tiles,
// split-KV) and prefill (causal, top-k, run-time lengths) tiles.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=5 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64 --entry=decode_q4_0_long | FileCheck %s --check-prefix=ONE %}
// RUN: %if !sanitized %{ attn-check %s --entry=dynamic_cache_q8_0 --dynamic-size=3001 | FileCheck %s --check-prefix=LONG %}
// RUN: attn-opt %s --attn-tile-flash | FileCheck %s --check-prefix=TILED

// CHECK-DAG: PASS decode_q8_0_long: Q[1,32,1,128] K[1,8,8193,128] {{.*}} k=q8_0 v=q8_0
// CHECK-DAG: PASS decode_q4_0_long: Q[1,32,1,128] K[1,8,4133,128] {{.*}} k=q4_0 v=q4_0
// CHECK-DAG: PASS decode_mixed_f16: Q[1,8,1,64] K[1,2,1000,64] {{.*}} f16 {{.*}} k=q8_0 v=q4_0 {{.*}}(tol 0.002)
// CHECK-DAG: PASS prefill_causal_q8_0: Q[1,4,517,64] K[1,2,517,64] {{.*}} mask=causal k=q8_0 v=q8_0
// CHECK-DAG: PASS prefill_dense_2k_q4_0: Q[1,2,2048,64] K[1,2,2048,64] {{.*}} k=q4_0 v=q4_0
// CHECK-DAG: PASS key_only_q8_0: Q[2,4,33,96] K[2,4,300,96] Dv=32 {{.*}} k=q8_0 layout
// CHECK-DAG: PASS value_only_q4_0: Q[1,4,70,32] K[1,4,70,32] Dv=160 {{.*}} v=q4_0 layout
// CHECK-DAG: PASS topk_q8_0: {{.*}} top_k=7 k=q8_0 v=q8_0
// CHECK-DAG: PASS lengths_q4_0: {{.*}} kv_lengths k=q4_0 v=q4_0
// CHECK-DAG: PASS dynamic_cache_q8_0: Q[1,8,1,64] K[1,2,{{[0-9]+}},64] {{.*}} k=q8_0 v=q8_0
// CHECK: attn-check: 10 of 10 entry points within tolerance
// ONE: PASS decode_q4_0_long
// ONE: attn-check: 1 of 1 entry points within tolerance
// LONG: PASS dynamic_cache_q8_0: Q[1,8,1,64] K[1,2,3001,64]

// Decode: each packed key block is dequantized into an f32 [Bc, D] tile in
// scratch and read by the dot products: per row and block, the fp16 scale
// as one 2-byte read at 34 * block (broadcast as fp16, then widened: no
// scalar fp16 load, which x86 turns into a false dependency), the 32 values
// as one vector read at 34 * block + 2, converted and scaled. The packed
// value rows are read in place by P . V: per two vectors of value columns
// (16 at the pass's default of 8 lanes), a loop over keys carrying the 4
// packed rows' accumulators, each key's values converted and scaled once
// for all of them.
// TILED-LABEL: func.func @decode_q8_0_long
// TILED: scf.for {{.*}} iter_args({{.*}}) -> (tensor<?x?xf32>)
// TILED: vector.transfer_read {{.*}}[%[[ROW:.*]], %c0], %{{.*}} {in_bounds = [true]} : tensor<?x136xi8>, vector<2xi8>
// TILED: vector.bitcast {{.*}} : vector<2xi8> to vector<1xf16>
// TILED: vector.broadcast {{.*}} : f16 to vector<32xf16>
// TILED: arith.extf {{.*}} : vector<32xf16> to vector<32xf32>
// TILED: vector.transfer_read {{.*}}[%[[ROW]], %c2], %{{.*}} {in_bounds = [true]} : tensor<?x136xi8>, vector<32xi8>
// TILED: arith.sitofp {{.*}} : vector<32xi8> to vector<32xf32>
// TILED: arith.mulf {{.*}} : vector<32xf32>
// TILED: vector.transfer_write {{.*}}[%[[ROW]], %c0] {in_bounds = [true]} : vector<32xf32>, tensor<?x?xf32>
// TILED: vector.transfer_read {{.*}}[%[[ROW]], %c36], %{{.*}} : tensor<?x136xi8>, vector<32xi8>
// TILED: vector.transfer_write {{.*}}[%[[ROW]], %c32] {{.*}} : vector<32xf32>, tensor<?x?xf32>
// TILED: scf.for %[[KEY:[a-z0-9]+]] = {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// TILED: vector.transfer_read {{.*}}[%[[KEY]], %c2], {{.*}} : tensor<?x136xi8>, vector<32xi8>
// TILED: vector.extract_strided_slice {{.*}} {offsets = [0], sizes = [16], strides = [1]} : vector<32xi8> to vector<16xi8>
// TILED: arith.sitofp {{.*}} : vector<16xi8> to vector<16xf32>
// TILED: tensor.extract {{.*}}[%c0, %[[KEY]]] : tensor<?x?xf32>
// TILED: vector.fma
// TILED: tensor.extract {{.*}}[%c3, %[[KEY]]] : tensor<?x?xf32>
// TILED: vector.fma
func.func @decode_q8_0_long(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x8193x136xi8>, %v: tensor<1x8x8193x136xi8>) -> tensor<1x32x1x128xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x32x1x128xf32>, tensor<1x8x8193x136xi8>, tensor<1x8x8193x136xi8>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

// q4_0: 16 bytes a block; low nibbles are elements 0..15, high nibbles
// 16..31, each minus 8.
// TILED-LABEL: func.func @decode_q4_0_long
// TILED: vector.transfer_read {{.*}}[%[[ROW4:.*]], %c2], %{{.*}} : tensor<?x72xi8>, vector<16xi8>
// TILED: arith.andi {{.*}} : vector<16xi32>
// TILED: arith.shrui {{.*}} : vector<16xi32>
// TILED: vector.transfer_write {{.*}}[%[[ROW4]], %c0] {{.*}} : vector<16xf32>, tensor<?x?xf32>
// TILED: vector.transfer_write {{.*}}[%[[ROW4]], %c16] {{.*}} : vector<16xf32>, tensor<?x?xf32>
func.func @decode_q4_0_long(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x4133x72xi8>, %v: tensor<1x8x4133x72xi8>) -> tensor<1x32x1x128xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q4_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x32x1x128xf32>, tensor<1x8x4133x72xi8>, tensor<1x8x4133x72xi8>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

func.func @decode_mixed_f16(%q: tensor<1x8x1x64xf16>, %k: tensor<1x2x1000x68xi8>, %v: tensor<1x2x1000x36xi8>) -> tensor<1x8x1x64xf16> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x8x1x64xf16>, tensor<1x2x1000x68xi8>, tensor<1x2x1000x36xi8>) -> tensor<1x8x1x64xf16>
  return %o : tensor<1x8x1x64xf16>
}

// Prefill tiles dequantize the key block by rows, then transpose it to
// [D, Bc] for the score loop as f32 keys are.
// TILED-LABEL: func.func @prefill_causal_q8_0
// TILED: vector.transfer_write {{.*}} : vector<32xf32>, tensor<?x64xf32>
// TILED: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<?x64xf32>)
func.func @prefill_causal_q8_0(%q: tensor<1x4x517x64xf32>, %k: tensor<1x2x517x68xi8>, %v: tensor<1x2x517x68xi8>) -> tensor<1x4x517x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x4x517x64xf32>, tensor<1x2x517x68xi8>, tensor<1x2x517x68xi8>) -> tensor<1x4x517x64xf32>
  return %o : tensor<1x4x517x64xf32>
}

func.func @prefill_dense_2k_q4_0(%q: tensor<1x2x2048x64xf32>, %k: tensor<1x2x2048x36xi8>, %v: tensor<1x2x2048x36xi8>) -> tensor<1x2x2048x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q4_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x2x2048x64xf32>, tensor<1x2x2048x36xi8>, tensor<1x2x2048x36xi8>) -> tensor<1x2x2048x64xf32>
  return %o : tensor<1x2x2048x64xf32>
}

func.func @key_only_q8_0(%q: tensor<2x4x33x96xf32>, %k: tensor<2x4x300x102xi8>, %v: tensor<2x4x300x32xf32>) -> tensor<2x4x33x32xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<2x4x33x96xf32>, tensor<2x4x300x102xi8>, tensor<2x4x300x32xf32>) -> tensor<2x4x33x32xf32>
  return %o : tensor<2x4x33x32xf32>
}

func.func @value_only_q4_0(%q: tensor<1x4x70x32xf32>, %k: tensor<1x4x70x32xf32>, %v: tensor<1x4x70x90xi8>) -> tensor<1x4x70x160xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, value_format = #attn.block_format<q4_0>} : (tensor<1x4x70x32xf32>, tensor<1x4x70x32xf32>, tensor<1x4x70x90xi8>) -> tensor<1x4x70x160xf32>
  return %o : tensor<1x4x70x160xf32>
}

func.func @topk_q8_0(%q: tensor<1x2x40x64xf32>, %k: tensor<1x2x150x68xi8>, %v: tensor<1x2x150x68xi8>) -> tensor<1x2x40x64xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 7 : i64, key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x2x40x64xf32>, tensor<1x2x150x68xi8>, tensor<1x2x150x68xi8>) -> tensor<1x2x40x64xf32>
  return %o : tensor<1x2x40x64xf32>
}

func.func @lengths_q4_0(%q: tensor<3x4x1x64xf32>, %k: tensor<3x4x600x36xi8>, %v: tensor<3x4x600x36xi8>, %lens: tensor<3xi32>) -> tensor<3x4x1x64xf32> {
  %o = attn.sdpa %q, %k, %v kv_lengths(%lens : tensor<3xi32>) {key_format = #attn.block_format<q4_0>, value_format = #attn.block_format<q4_0>} : (tensor<3x4x1x64xf32>, tensor<3x4x600x36xi8>, tensor<3x4x600x36xi8>) -> tensor<3x4x1x64xf32>
  return %o : tensor<3x4x1x64xf32>
}

func.func @dynamic_cache_q8_0(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x?x68xi8>, %v: tensor<1x2x?x68xi8>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x?x68xi8>, tensor<1x2x?x68xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
