// RUN: attn-opt %s --convert-attn-to-linalg -verify-diagnostics

// The untiled lowering computes f32 scores only: an int8 op is refused
// rather than silently computed in f32.
func.func @int8_scores(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+2 {{'attn.sdpa' op with qk_precision int8 is lowered by attn-tile-flash; convert-attn-to-linalg computes f32 scores only (run attn-tile-flash first)}}
  // expected-error @+1 {{failed to legalize operation 'attn.sdpa'}}
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
