// RUN: attn-opt %s -canonicalize -split-input-file | FileCheck %s

// A scale equal to the default 1/sqrt(D) is dropped (absence is canonical).
// CHECK-LABEL: func.func @default_scale
// CHECK: attn.sdpa %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} :
func.func @default_scale(%q: tensor<1x2x4x64xf32>, %k: tensor<1x2x4x64xf32>, %v: tensor<1x2x4x64xf32>) -> tensor<1x2x4x64xf32> {
  %o = attn.sdpa %q, %k, %v {scale = 0.125 : f32} : (tensor<1x2x4x64xf32>, tensor<1x2x4x64xf32>, tensor<1x2x4x64xf32>) -> tensor<1x2x4x64xf32>
  return %o : tensor<1x2x4x64xf32>
}

// -----

// Any other scale stays.
// CHECK-LABEL: func.func @custom_scale
// CHECK: attn.sdpa {{.*}} {scale = 2.500000e-01 : f32}
func.func @custom_scale(%q: tensor<1x2x4x64xf32>, %k: tensor<1x2x4x64xf32>, %v: tensor<1x2x4x64xf32>) -> tensor<1x2x4x64xf32> {
  %o = attn.sdpa %q, %k, %v {scale = 0.25 : f32} : (tensor<1x2x4x64xf32>, tensor<1x2x4x64xf32>, tensor<1x2x4x64xf32>) -> tensor<1x2x4x64xf32>
  return %o : tensor<1x2x4x64xf32>
}

// -----

// A causal mask on one decode query (bottom-right aligned) keeps every key.
// CHECK-LABEL: func.func @decode_causal
// CHECK-NOT: mask
// CHECK: return
func.func @decode_causal(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x100x64xf32>, %v: tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x8x100x64xf32>, tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// ... whatever the length of the KV cache.
// CHECK-LABEL: func.func @decode_causal_dynamic
// CHECK-NOT: mask
// CHECK: return
func.func @decode_causal_dynamic(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// ... but not on two queries.
// CHECK-LABEL: func.func @prefill_causal
// CHECK: mask = #attn.causal
func.func @prefill_causal(%q: tensor<1x8x2x64xf32>, %k: tensor<1x8x100x64xf32>, %v: tensor<1x8x100x64xf32>) -> tensor<1x8x2x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x2x64xf32>, tensor<1x8x100x64xf32>, tensor<1x8x100x64xf32>) -> tensor<1x8x2x64xf32>
  return %o : tensor<1x8x2x64xf32>
}

// -----

// Shape inference: the result takes every size the operands fix, and a cast
// restores the type users expect.
// CHECK-LABEL: func.func @refine
// CHECK: %[[O:.*]] = attn.sdpa {{.*}} -> tensor<2x8x?x80xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[O]] : tensor<2x8x?x80xf32> to tensor<?x?x?x?xf32>
// CHECK: return %[[C]]
func.func @refine(%q: tensor<2x8x?x64xf32>, %k: tensor<2x2x?x64xf32>, %v: tensor<?x2x?x80xf32>) -> tensor<?x?x?x?xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<2x8x?x64xf32>, tensor<2x2x?x64xf32>, tensor<?x2x?x80xf32>) -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// -----

// A window as wide as the key range keeps every pair of a single query.
// CHECK-LABEL: func.func @wide_window
// CHECK-NOT: mask
func.func @wide_window(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x100x64xf32>, %v: tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<100>} : (tensor<1x8x1x64xf32>, tensor<1x8x100x64xf32>, tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// One key fewer, and the first key is dropped: the mask stays.
// CHECK-LABEL: func.func @narrow_window
// CHECK: mask = #attn.window<99>
func.func @narrow_window(%q: tensor<1x8x1x64xf32>, %k: tensor<1x8x100x64xf32>, %v: tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<99>} : (tensor<1x8x1x64xf32>, tensor<1x8x100x64xf32>, tensor<1x8x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
