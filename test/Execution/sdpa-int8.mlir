// int8 scores (qk_precision = int8) over q8_0 / q4_0 key caches: the kernel
// quantizes the scaled query per 32 values and multiplies it with the key
// blocks as integers; the fp64 reference quantizes the query the same way in
// f32 (attn-run --qk int8, Reference.h int8Queries), so the kernel's own
// arithmetic is held to the f32 tolerance. Decode (packed GQA tiles, the
// integer score kernel, split-KV) over long caches whose lengths are no
// multiple of any block; prefill, causal and top-k tiles (dequantized query
// values in f32). Float keys (f32, f16, bf16) are quantized by the kernel
// like the query, and so by the reference (Reference.h int8Keys): prefill
// and decode tiles, a long key sequence, causal, top-k.
// RUN: attn-check %s | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 --layout=bshd | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --target=x86_64 --num-threads=1 --seed=3 | FileCheck %s %}
// RUN: attn-opt %s --attn-tile-flash | FileCheck %s --check-prefix=TILED
// RUN: attn-opt %s --attn-tile-flash=int8-dot=arm-dotprod | FileCheck %s --check-prefix=SDOT
// RUN: attn-opt %s --attn-tile-flash="int8-dot=arm-dotprod int8-mmla=true" | FileCheck %s --check-prefix=MMLA
// RUN: attn-opt %s --attn-tile-flash=int8-dot=x86-vnni | FileCheck %s --check-prefix=VNNI
// RUN: attn-opt %s --attn-tile-flash="int8-dot=x86-vnni int8-lanes=16" | FileCheck %s --check-prefix=VNNI512

// CHECK-DAG: PASS decode_q8_0_long: Q[1,32,1,128] K[1,8,8193,128] {{.*}} qk=int8 k=q8_0 v=q8_0
// CHECK-DAG: PASS decode_q4_0_long: Q[1,32,1,128] K[1,8,4133,128] {{.*}} qk=int8 k=q4_0 v=q4_0
// CHECK-DAG: PASS decode_f32_values: Q[1,8,1,64] K[1,2,1001,64] {{.*}} qk=int8 k=q8_0
// CHECK-DAG: PASS prefill_causal_q8_0: Q[1,4,517,64] K[1,2,517,64] {{.*}} mask=causal qk=int8 k=q8_0 v=q8_0
// CHECK-DAG: PASS topk_q4_0: {{.*}} top_k=9 qk=int8 k=q4_0
// CHECK-DAG: PASS prefill_f32_keys: Q[1,4,300,64] K[1,2,1030,64] {{.*}} qk=int8
// CHECK-DAG: PASS causal_f32_keys_d128: Q[1,2,257,128] K[1,2,257,128] {{.*}} mask=causal qk=int8
// CHECK-DAG: PASS decode_f16_keys: Q[1,8,1,64] K[1,2,1001,64] {{.*}} qk=int8
// CHECK-DAG: PASS topk_bf16_keys: {{.*}} top_k=5 qk=int8
// CHECK: attn-check: 9 of 9 entry points within tolerance

// The query tile is quantized once per work item: max |x| per 32 values,
// round-half-away(x * (1 / d)) as i8.
// TILED-LABEL: func.func @decode_q8_0_long
// TILED: vector.reduction <maximumf>
// TILED: math.round {{.*}} : vector<32xf32>
// TILED: arith.fptosi {{.*}} : vector<32xf32> to vector<32xi8>
// Scores from the packed key blocks in place: 32 key bytes at 34 * block +
// 2, widened products summed into int32 lanes, scaled by d_q * d_k.
// TILED: vector.transfer_read {{.*}} : tensor<?x136xi8>, vector<32xi8>
// TILED: arith.muli {{.*}} : vector<32xi32>
// TILED: arith.sitofp {{.*}} : vector<8xi32> to vector<8xf32>
// TILED: vector.fma
// With a dot-product instruction the bytes go to attn.dot_i8: two 16-byte
// halves (SDOT); for VPDPBUSD one 32-byte op on the key bytes offset by 128
// (xor 0x80). A group of 8 keys' bytes and scales (8 fp16 widened at once)
// is read once per block for every query row; per row, the keys' partial
// sums reduce exactly (int32 shuffles and adds) to one vector of 8 block
// products, corrected by -128 * sum(q) (the block sum the query
// quantization stores) and scaled by d_q * d_k. P . V reads the packed
// value rows in place (a key loop carrying the 4 rows' accumulators of one
// 32-column block). The rows two blocks ahead are prefetched by the loops
// that read each block: K's per group of 8 keys, V's per key.
// With int8-mmla (SMMLA, +i8mm) decode over packed keys keeps SDOT; the
// prefill tiles' keys are repacked in pairs ([D / 8, 2 Lk'] words, the
// scales as (j, j + 1, j, j + 1)), the query rows paired once per work
// item (two 8-byte halves a 16-byte vector), and S forms in 2 x 2 tiles
// of attn.mmla_i8, a pair of query rows by a pair of keys, 4 chunks of 8
// bytes a block, scaled by d_q (a, a, b, b) * d_k.
// MMLA-LABEL: func.func @decode_q8_0_long
// MMLA-NOT: attn.mmla_i8
// MMLA: attn.dot_i8 {{.*}} : vector<16xi8> into vector<4xi32>
// MMLA-LABEL: func.func @prefill_f32_keys
// MMLA: tensor.empty(%{{.*}}) : tensor<1x2x8x?xi32>
// MMLA: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xi8>, vector<8xi8>
// MMLA: vector.transfer_read {{.*}} : tensor<?x128xi8>, vector<16xi8>
// MMLA-COUNT-4: attn.mmla_i8 {{.*}} : vector<16xi8> into vector<4xi32>
// MMLA: vector.from_elements
// MMLA: vector.fma
// MMLA: vector.shuffle {{.*}} [0, 1, 4, 5] : vector<4xf32>, vector<4xf32>
// SDOT-LABEL: func.func @decode_q8_0_long
// SDOT: memref.prefetch
// SDOT: attn.dot_i8 {{.*}} : vector<16xi8> into vector<4xi32>
// SDOT: attn.dot_i8 {{.*}} : vector<16xi8> into vector<4xi32>
// SDOT: vector.shuffle {{.*}} [0, 1, 4, 5] : vector<4xi32>, vector<4xi32>
// VNNI-LABEL: func.func @decode_q8_0_long
// VNNI: %[[SUM:.*]] = vector.reduction <add>, %{{.*}} : vector<32xi32> into i32
// VNNI: scf.for {{.*}} step %c8
// VNNI: bufferization.to_buffer %arg1 read_only
// VNNI-COUNT-8: memref.prefetch {{.*}} read, locality<3>, data
// VNNI: %[[KU:.*]] = arith.xori {{.*}} : vector<32xi8>
// VNNI: %[[DK:.*]] = arith.extf {{.*}} : vector<8xf16> to vector<8xf32>
// VNNI: attn.dot_i8 %{{.*}}, %[[KU]], %{{.*}} {lhs_unsigned} : vector<32xi8> into vector<8xi32>
// VNNI: vector.shuffle {{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xi32>, vector<8xi32>
// VNNI: %[[OFF:.*]] = arith.muli %{{.*}}, %c-128_i32 : i32
// VNNI: %[[OFFV:.*]] = vector.broadcast %[[OFF]] : i32 to vector<8xi32>
// VNNI: %[[TOT:.*]] = arith.addi %{{.*}}, %[[OFFV]] : vector<8xi32>
// VNNI: %[[W:.*]] = arith.mulf %[[DK]], %{{.*}} : vector<8xf32>
// VNNI: %[[TF:.*]] = arith.sitofp %[[TOT]] : vector<8xi32> to vector<8xf32>
// VNNI: vector.fma %[[TF]], %[[W]], %{{.*}} : vector<8xf32>
// VNNI: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// VNNI: bufferization.to_buffer %arg2 read_only
// VNNI: memref.prefetch {{.*}} read, locality<3>, data
// VNNI: arith.sitofp {{.*}} : vector<16xi8> to vector<16xf32>
// VNNI: vector.fma {{.*}} : vector<16xf32>
// q4_0 keys go to VPDPBUSD as their stored nibbles (k + 8, unsigned): no
// offset add or sign flip per key, -8 * sum(q) corrects the block.
// VNNI-LABEL: func.func @decode_q4_0_long
// VNNI: %[[NIB:.*]] = vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
// VNNI-NOT: arith.xori
// VNNI: attn.dot_i8 %{{.*}}, %[[NIB]], %{{.*}} {lhs_unsigned} : vector<32xi8> into vector<8xi32>
// VNNI: arith.muli %{{.*}}, %c-8_i32 : i32
// On 512-bit targets one VPDPBUSD takes two keys' blocks side by side
// against the query block twice, 16 lanes reduced to the group's 8.
// VNNI512-LABEL: func.func @decode_q8_0_long
// VNNI512: vector.shuffle {{.*}} : vector<32xi8>, vector<32xi8>
// VNNI512: attn.dot_i8 {{.*}} {lhs_unsigned} : vector<64xi8> into vector<16xi32>
// VNNI512: vector.shuffle %[[R:.*]], %[[R]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xi32>, vector<16xi32>
// VNNI512: arith.addi {{.*}} : vector<8xi32>
// VNNI512: scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// VNNI512: arith.sitofp {{.*}} : vector<32xi8> to vector<32xf32>
// Prefill tiles: the key block repacked as 4-byte words along rows of keys
// (float keys quantized on the way), then register blocks of dot_i8 of a
// broadcast query word against 8 keys' words.
// VNNI-LABEL: func.func @prefill_f32_keys
// VNNI: math.round {{.*}} : vector<32xf32>
// VNNI: arith.xori {{.*}} : vector<32xi8>
// VNNI: vector.bitcast {{.*}} : vector<32xi8> to vector<8xi32>
// VNNI: vector.extract {{.*}}[7] : i32 from vector<8xi32>
// VNNI: tensor.insert {{.*}} : tensor<16x?xi32>
// VNNI: vector.broadcast {{.*}} : i32 to vector<8xi32>
// VNNI: attn.dot_i8 {{.*}} {lhs_unsigned} : vector<32xi8> into vector<8xi32>
func.func @decode_q8_0_long(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x8193x136xi8>, %v: tensor<1x8x8193x136xi8>) -> tensor<1x32x1x128xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>} : (tensor<1x32x1x128xf32>, tensor<1x8x8193x136xi8>, tensor<1x8x8193x136xi8>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

func.func @decode_q4_0_long(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x4133x72xi8>, %v: tensor<1x8x4133x72xi8>) -> tensor<1x32x1x128xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q4_0>, value_format = #attn.block_format<q4_0>, qk_precision = #attn.precision<int8>} : (tensor<1x32x1x128xf32>, tensor<1x8x4133x72xi8>, tensor<1x8x4133x72xi8>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

func.func @decode_f32_values(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1001x68xi8>, %v: tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf32>, tensor<1x2x1001x68xi8>, tensor<1x2x1001x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @prefill_causal_q8_0(%q: tensor<1x4x517x64xf32>, %k: tensor<1x2x517x68xi8>, %v: tensor<1x2x517x68xi8>) -> tensor<1x4x517x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>} : (tensor<1x4x517x64xf32>, tensor<1x2x517x68xi8>, tensor<1x2x517x68xi8>) -> tensor<1x4x517x64xf32>
  return %o : tensor<1x4x517x64xf32>
}

func.func @topk_q4_0(%q: tensor<1x2x70x32xf32>, %k: tensor<1x2x150x18xi8>, %v: tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32> {
  %o = attn.sdpa %q, %k, %v {top_k = 9 : i64, key_format = #attn.block_format<q4_0>, qk_precision = #attn.precision<int8>} : (tensor<1x2x70x32xf32>, tensor<1x2x150x18xi8>, tensor<1x2x150x32xf32>) -> tensor<1x2x70x32xf32>
  return %o : tensor<1x2x70x32xf32>
}

func.func @prefill_f32_keys(%q: tensor<1x4x300x64xf32>, %k: tensor<1x2x1030x64xf32>, %v: tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x4x300x64xf32>, tensor<1x2x1030x64xf32>, tensor<1x2x1030x64xf32>) -> tensor<1x4x300x64xf32>
  return %o : tensor<1x4x300x64xf32>
}

func.func @causal_f32_keys_d128(%q: tensor<1x2x257x128xf32>, %k: tensor<1x2x257x128xf32>, %v: tensor<1x2x257x128xf32>) -> tensor<1x2x257x128xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, qk_precision = #attn.precision<int8>} : (tensor<1x2x257x128xf32>, tensor<1x2x257x128xf32>, tensor<1x2x257x128xf32>) -> tensor<1x2x257x128xf32>
  return %o : tensor<1x2x257x128xf32>
}

func.func @decode_f16_keys(%q: tensor<1x8x1x64xf16>, %k: tensor<1x2x1001x64xf16>, %v: tensor<1x2x1001x64xf16>) -> tensor<1x8x1x64xf16> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf16>, tensor<1x2x1001x64xf16>, tensor<1x2x1001x64xf16>) -> tensor<1x8x1x64xf16>
  return %o : tensor<1x8x1x64xf16>
}

func.func @topk_bf16_keys(%q: tensor<1x2x33x32xbf16>, %k: tensor<1x2x90x32xbf16>, %v: tensor<1x2x90x32xbf16>) -> tensor<1x2x33x32xbf16> {
  %o = attn.sdpa %q, %k, %v {top_k = 5 : i64, qk_precision = #attn.precision<int8>} : (tensor<1x2x33x32xbf16>, tensor<1x2x90x32xbf16>, tensor<1x2x90x32xbf16>) -> tensor<1x2x33x32xbf16>
  return %o : tensor<1x2x33x32xbf16>
}
