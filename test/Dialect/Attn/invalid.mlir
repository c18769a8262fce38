// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of attn.sdpa, and the ODS constraints.

func.func @query_rank(%q: tensor<8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op query must be rank 4 [B, Hq, Lq, D], found rank 3}}
  %o = attn.sdpa %q, %k, %v : (tensor<8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @result_rank(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<8x128x64xf32> {
  // expected-error @+1 {{result must be rank 4 [B, Hq, Lq, Dv], found rank 3}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<8x128x64xf32>
  return %o : tensor<8x128x64xf32>
}

// -----

func.func @element_types(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf16>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{key element type 'f16' differs from the query element type 'f32'}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf16>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @unsupported_dtype(%q: tensor<1x8x128x64xi32>, %k: tensor<1x8x128x64xi32>, %v: tensor<1x8x128x64xi32>) -> tensor<1x8x128x64xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x8x128x64xi32>'}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xi32>, tensor<1x8x128x64xi32>, tensor<1x8x128x64xi32>) -> tensor<1x8x128x64xi32>
  return %o : tensor<1x8x128x64xi32>
}

// -----

func.func @batch_key(%q: tensor<2x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<2x8x128x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{batch size mismatch: query has 2 but key has 1}}
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<2x8x128x64xf32>) -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

func.func @batch_value(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x128x64xf32>, %v: tensor<3x8x128x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{batch size mismatch: query has 2 but value has 3}}
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<3x8x128x64xf32>) -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

func.func @batch_result(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x128x64xf32>, %v: tensor<2x8x128x64xf32>) -> tensor<4x8x128x64xf32> {
  // expected-error @+1 {{batch size mismatch: query has 2 but result has 4}}
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>) -> tensor<4x8x128x64xf32>
  return %o : tensor<4x8x128x64xf32>
}

// -----

func.func @kv_heads(%q: tensor<1x8x128x64xf32>, %k: tensor<1x4x128x64xf32>, %v: tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{key/value head count mismatch: key has 4 but value has 2}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @kv_len(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x100x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{key/value sequence length mismatch: key has 128 but value has 100}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x100x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @head_dim(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x32xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{head dim mismatch: query has 64 but key has 32}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x32xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @result_heads(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x4x128x64xf32> {
  // expected-error @+1 {{query head count mismatch: query has 8 but result has 4}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x4x128x64xf32>
  return %o : tensor<1x4x128x64xf32>
}

// -----

func.func @result_len(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x64x64xf32> {
  // expected-error @+1 {{query sequence length mismatch: query has 128 but result has 64}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x64x64xf32>
  return %o : tensor<1x8x64x64xf32>
}

// -----

func.func @result_value_dim(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x80xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{value dim mismatch: value has 80 but result has 64}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x80xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @zero_kv_heads(%q: tensor<1x8x128x64xf32>, %k: tensor<1x0x128x64xf32>, %v: tensor<1x0x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{key head count must be positive, found 0}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x0x128x64xf32>, tensor<1x0x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @gqa_divides(%q: tensor<1x8x128x64xf32>, %k: tensor<1x3x128x64xf32>, %v: tensor<1x3x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op key head count 3 does not divide query head count 8}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x3x128x64xf32>, tensor<1x3x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @gqa_divides_dynamic_v(%q: tensor<1x8x128x64xf32>, %k: tensor<1x?x128x64xf32>, %v: tensor<1x3x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{key head count 3 does not divide query head count 8}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x?x128x64xf32>, tensor<1x3x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @scale_negative(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{scale must be a finite positive number, found -1}}
  %o = attn.sdpa %q, %k, %v {scale = -1.0 : f32} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @scale_inf(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{scale must be a finite positive number, found INF}}
  %o = attn.sdpa %q, %k, %v {scale = 0x7F800000 : f32} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @scale_type(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{attribute 'scale' failed to satisfy constraint: 32-bit float attribute}}
  %o = attn.sdpa %q, %k, %v {scale = 2 : i32} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @mask_not_a_pattern(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{attribute 'mask' failed to satisfy constraint: MaskAttrInterface instance}}
  %o = attn.sdpa %q, %k, %v {mask = "causal"} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @unknown_mask(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{unknown attribute `sliding` in dialect `attn`}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.sliding} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @operand_count(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{expected ','}}
  %o = attn.sdpa %q, %k : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

func.func @window_zero(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{window size must be positive, found 0}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<0>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @stride_negative(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{stride must be positive, found -2}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.strided<-2>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @global_zero(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{global token count must be positive, found 0}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.global<0>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @and_single(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{#attn.and needs at least two mask patterns, found 1}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.and<#attn.causal>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @block_sparse_values(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{block_sparse layout entries must be 0 or 1, found 2 at flat index 1}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<16, 16, dense<[[1, 2], [0, 1]]> : tensor<2x2xi8>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @block_sparse_rank(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{block_sparse layout must be [NQ, NK] or [heads, NQ, NK], found rank 1}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<16, 16, dense<[1, 0]> : tensor<2xi8>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @block_sparse_block_size(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{block_sparse block sizes must be positive, found 0 x 16}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<0, 16, dense<1> : tensor<2x2xi8>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

// The layout must cover the sequence: 2 blocks of 8 = 16 key positions for 32 keys.
func.func @block_sparse_coverage(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op block_sparse layout covers 16 query positions (2 blocks of 8) but query positions reach 31}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<8, 8, dense<1> : tensor<2x2xi8>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @block_sparse_heads(%q: tensor<1x8x32x64xf32>, %k: tensor<1x8x32x64xf32>, %v: tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32> {
  // expected-error @+1 {{'attn.sdpa' op block_sparse layout has 4 heads but the op has 8 query heads}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.or<#attn.causal, #attn.block_sparse<16, 16, dense<1> : tensor<4x2x2xi8>>>} : (tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>, tensor<1x8x32x64xf32>) -> tensor<1x8x32x64xf32>
  return %o : tensor<1x8x32x64xf32>
}

// -----

func.func @softcap_zero(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{softcap must be a finite positive number, found 0}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.softcap<0.0>]} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @alibi_heads(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.sdpa' op alibi slopes has 3 entries but the op has 2 query heads}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.alibi<dense<[0.5, 0.25, 0.125]> : tensor<3xf32>>]} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @relbias_table(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{relative_bias table must be [heads, 5] (2 * max distance + 1)}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.relative_bias<2, dense<0.0> : tensor<1x3xf32>>]} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @modifier_kind(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{attribute 'modifiers' failed to satisfy constraint: score modifiers}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.causal]} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @bias_length(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %m: tensor<1x2x8x9xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{key sequence length mismatch: bias has 9 but key has 8}}
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x2x8x9xf32>) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @bias_heads(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %m: tensor<1x2x8x8xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{query head count mismatch: bias has 2 but query has 4}}
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x2x8x8xf32>) : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

func.func @region_args(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{score_mod region must take (score: f32, batch: index, head: index, q: index, k: index), found 2 arguments}}
  %o = attn.sdpa %q, %k, %v score_mod {
  ^bb0(%s: f32, %i: index):
    attn.yield %s : f32
  } : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @topk_zero(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{top_k must be at least 1, found 0}}
  %o = attn.sdpa %q, %k, %v {top_k = 0 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @topk_too_large(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{top_k 9 is larger than the key length 8}}
  %o = attn.sdpa %q, %k, %v {top_k = 9 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @kv_lengths_batch(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %l: tensor<3xi32>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{batch size mismatch: kv_lengths has 3 but query has 2}}
  %o = attn.sdpa %q, %k, %v kv_lengths(%l : tensor<3xi32>) : (tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

func.func @documents_length(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %d: tensor<2x9xi32>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{key sequence length mismatch: documents has 9 but key has 8}}
  %o = attn.sdpa %q, %k, %v documents(%d : tensor<2x9xi32>) : (tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

func.func @q_lengths_rank(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %l: tensor<2x1xi32>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{q_lengths must be rank 1 [B], found rank 2}}
  %o = attn.sdpa %q, %k, %v q_lengths(%l : tensor<2x1xi32>) : (tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

func.func @diff_odd_heads(%q: tensor<1x3x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x1x16x16xf32> {
  // expected-error @+1 {{'attn.diff' op query head count 3 is odd: differential attention takes head pairs}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64} : (tensor<1x3x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}

// -----

func.func @diff_value_width(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x8xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{value width mismatch: value has 8 but 2 x head dim has 16}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

func.func @diff_lambda_length(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<4xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{lambda length mismatch: lambda_q1 has 4 but head dim has 8}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_gain_length(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<8xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{gain length mismatch: gain has 8 but 2 x head dim has 16}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_both_lambda(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{needs exactly one of lambda_init and layer}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64, lambda_init = 0.5 : f32} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_no_lambda(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{needs exactly one of lambda_init and layer}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g)  : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_negative_layer(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{layer index must be >= 0, found -1}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = -1 : i64} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_epsilon(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>, %v: tensor<1x1x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x2x16x16xf32> {
  // expected-error @+1 {{epsilon must be a finite positive number, found 0}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64, epsilon = 0.0 : f32} : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// -----

func.func @diff_gqa(%q: tensor<1x6x16x8xf32>, %k: tensor<1x4x16x8xf32>, %v: tensor<1x2x16x16xf32>, %a: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+1 {{key/value head count 2 does not divide output head count 3}}
  %o = attn.diff %q, %k, %v lambdas(%a, %a, %a, %a) gain(%g) {layer = 0 : i64} : (tensor<1x6x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x2x16x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x3x16x16xf32>
  return %o : tensor<1x3x16x16xf32>
}
