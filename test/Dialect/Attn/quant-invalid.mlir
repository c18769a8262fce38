// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of packed (block-quantized) K/V operands.

func.func @format_on_floats(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op key holds q8_0 blocks and must be i8 bytes, found 'f32'}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @bytes_without_format(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key holds i8 bytes but names no block format (key_format = #attn.block_format<q8_0> or <q4_0>) and has no key_scales}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @head_dim_not_block_multiple(%q: tensor<1x8x1x80xf32>, %k: tensor<1x2x100x85xi8>, %v: tensor<1x2x100x80xf32>) -> tensor<1x8x1x80xf32> {
  // expected-error @+1 {{key holds q8_0 blocks of 32 values, but the query head dim 80 is not a multiple of 32}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x80xf32>, tensor<1x2x100x85xi8>, tensor<1x2x100x80xf32>) -> tensor<1x8x1x80xf32>
  return %o : tensor<1x8x1x80xf32>
}

// -----

func.func @wrong_row_bytes(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key rows of 64 q8_0 values are 68 bytes (2 blocks of 34), but its last dimension is 64}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @q4_0_row_bytes(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x68xi8>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{value rows of 64 q4_0 values are 36 bytes (2 blocks of 18), but its last dimension is 68}}
  %o = attn.sdpa %q, %k, %v {value_format = #attn.block_format<q4_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x68xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @dynamic_row_bytes(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x?xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key rows of 64 q8_0 values are 68 bytes (2 blocks of 34), but its last dimension is ?}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x?xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @dynamic_query_head_dim(%q: tensor<1x8x1x?xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key holds q8_0 blocks, so the query head dim must be static (it sizes the packed rows)}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x?xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @dynamic_result_value_dim(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x68xi8>) -> tensor<1x8x1x?xf32> {
  // expected-error @+1 {{value holds q8_0 blocks, so the result head dim must be static (it sizes the packed rows)}}
  %o = attn.sdpa %q, %k, %v {value_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x68xi8>) -> tensor<1x8x1x?xf32>
  return %o : tensor<1x8x1x?xf32>
}

// -----

func.func @packed_heads_still_checked(%q: tensor<1x8x1x64xf32>, %k: tensor<1x3x100x68xi8>, %v: tensor<1x3x100x68xi8>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key head count 3 does not divide query head count 8}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x3x100x68xi8>, tensor<1x3x100x68xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @packed_lengths_still_checked(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x99x68xi8>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key/value sequence length mismatch: key has 100 but value has 99}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x99x68xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @unknown_format(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+2 {{expected ::mlir::attn::BlockFormat to be one of: q8_0, q4_0}}
  // expected-error @+1 {{failed to parse Attn_BlockFormatAttr parameter 'value'}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q5_1>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @diff_has_no_packed_operands(%q: tensor<1x4x8x32xf32>, %k: tensor<1x4x8x32xi8>, %v: tensor<1x2x8x64xf32>, %l: tensor<32xf32>, %g: tensor<64xf32>) -> tensor<1x2x8x64xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x4x8x32xi8>'}}
  %o = attn.diff %q, %k, %v lambdas(%l, %l, %l, %l) gain(%g) {layer = 0 : i64} : (tensor<1x4x8x32xf32>, tensor<1x4x8x32xi8>, tensor<1x2x8x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<1x2x8x64xf32>
  return %o : tensor<1x2x8x64xf32>
}

// -----

func.func @int8_scores_head_dim(%q: tensor<1x8x1x48xf32>, %k: tensor<1x2x100x48xf32>, %v: tensor<1x2x100x48xf32>) -> tensor<1x8x1x48xf32> {
  // expected-error @+1 {{'attn.sdpa' op qk_precision int8 quantizes the query and float keys per 32 values of the head dimension, which must be a static multiple of 32, found D = 48}}
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x8x1x48xf32>, tensor<1x2x100x48xf32>, tensor<1x2x100x48xf32>) -> tensor<1x8x1x48xf32>
  return %o : tensor<1x8x1x48xf32>
}

// -----

func.func @int8_scores_dynamic_head_dim(%q: tensor<1x8x1x?xf32>, %k: tensor<1x2x100x?xf32>, %v: tensor<1x2x100x?xf32>) -> tensor<1x8x1x?xf32> {
  // expected-error @+1 {{found a dynamic head dimension}}
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x8x1x?xf32>, tensor<1x2x100x?xf32>, tensor<1x2x100x?xf32>) -> tensor<1x8x1x?xf32>
  return %o : tensor<1x8x1x?xf32>
}

// -----

func.func @unknown_precision(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+2 {{expected ::mlir::attn::Precision to be one of: f32, int8, bf16}}
  // expected-error @+1 {{failed to parse Attn_PrecisionAttr parameter 'value' which is to be a `::mlir::attn::Precision`}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<f16>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @int8_values_dv48(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x48xf32>) -> tensor<1x2x10x48xf32> {
  // expected-error @+1 {{'attn.sdpa' op pv_precision int8 needs a value dimension that is a static multiple of 32, found Dv = 48}}
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x48xf32>) -> tensor<1x2x10x48xf32>
  return %o : tensor<1x2x10x48xf32>
}

// -----

func.func @int8_values_dynamic(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x?xf32>) -> tensor<1x2x10x?xf32> {
  // expected-error @+1 {{found a dynamic value dimension}}
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x?xf32>) -> tensor<1x2x10x?xf32>
  return %o : tensor<1x2x10x?xf32>
}

// -----

// attn.dot_bf16 takes two bf16 per f32 lane.
func.func @dot_bf16_lanes(%acc: vector<16xf32>, %a: vector<16xbf16>) -> vector<16xf32> {
  // expected-error @+1 {{'attn.dot_bf16' op needs 2 bf16 per f32 lane: 16 bf16 into 16 lanes}}
  %r = attn.dot_bf16 %acc, %a, %a : vector<16xbf16> into vector<16xf32>
  return %r : vector<16xf32>
}

// -----

// smooth_k changes how the keys are quantized: it needs quantized scores.
func.func @smooth_k_f32(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op smooth_k subtracts the keys' channel mean before they are quantized; it needs qk_precision int8 or bf16}}
  %o = attn.sdpa %q, %k, %v {smooth_k} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32>
  return %o : tensor<1x2x10x64xf32>
}

// -----

func.func @smooth_k_packed_keys(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op smooth_k needs float keys: block-quantized keys (q8_0) are multiplied as stored}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @smooth_k_softcap(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op smooth_k shifts each row's scores, and #attn.softcap does not commute with a shift}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.softcap<30.0>], qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32>
  return %o : tensor<1x2x10x64xf32>
}

// -----

func.func @smooth_k_score_mod(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op smooth_k shifts each row's scores, which a score_mod region need not leave the probabilities invariant under}}
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<bf16>, smooth_k} score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %t = math.tanh %s : f32
    attn.yield %t : f32
  } : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32>
  return %o : tensor<1x2x10x64xf32>
}

// -----

// int8 K/V with scales (key_scales / value_scales): one case per rule.

func.func @scales_and_format(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key names both a block format and key_scales: q8_0 blocks carry their own scales}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x100x1xf32>) {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scales_on_floats(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>, %vs: tensor<1x2x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{value has value_scales, so it holds int8 values and must be i8, found 'f32'}}
  %o = attn.sdpa %q, %k, %v value_scales(%vs : tensor<1x2x100x1xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @int8_dynamic_head_dim(%q: tensor<1x8x1x?xf32>, %k: tensor<1x2x100x?xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key holds int8 values with key_scales, which need a static head dim}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x100x1xf32>) : (tensor<1x8x1x?xf32>, tensor<1x2x100x?xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scales_rank(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<2x100xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key_scales must be rank 4 [B | 1, Hkv | 1, Lk | ceil(Lk / T) | 1, D | 1], found rank 2}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<2x100xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scales_heads(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x4x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key/value head count mismatch: key_scales has 4 but key has 2}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x4x100x1xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scales_channels(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xi8>, %vs: tensor<1x2x1x32xf16>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{value dim mismatch: value_scales has 32 but value has 64}}
  %o = attn.sdpa %q, %k, %v value_scales(%vs : tensor<1x2x1x32xf16>) : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scale_block_without_scales(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{value_scale_block needs value_scales}}
  %o = attn.sdpa %q, %k, %v {value_scale_block = 64 : i64} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scale_block_zero(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x1x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key_scale_block must be at least 1, found 0}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x1x1xf32>) {key_scale_block = 0 : i64} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scale_block_rows(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x3x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key_scales holds 3 rows, but blocks of 32 of the 100 key positions need 4 (or 1 to broadcast)}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x3x1xf32>) {key_scale_block = 32 : i64} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @scale_block_dynamic_length(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x?x64xi8>, %v: tensor<1x2x?x64xf32>, %ks: tensor<1x2x?x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{key_scale_block = 32 needs a static key length (key_scales holds ceil(Lk / 32) rows)}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x?x1xf32>) {key_scale_block = 32 : i64} : (tensor<1x8x1x64xf32>, tensor<1x2x?x64xi8>, tensor<1x2x?x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @smooth_k_int8_keys(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{smooth_k needs float keys: int8 keys with key_scales are quantized as stored}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x100x1xf32>) {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
