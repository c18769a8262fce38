// pv_precision = int8 on the Vulkan target (execute-sdpa.test): allowed,
// computed in f32. Key lengths stay below lavapipe's loop limit.
func.func @narrow_values(%q: tensor<1x2x190x64xf32>, %k: tensor<1x2x190x64xf32>, %v: tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32> {
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>} : (tensor<1x2x190x64xf32>, tensor<1x2x190x64xf32>, tensor<1x2x190x32xf32>) -> tensor<1x2x190x32xf32>
  return %o : tensor<1x2x190x32xf32>
}

func.func @causal_pv(%q: tensor<1x4x300x64xf32>, %k: tensor<1x2x300x64xf32>, %v: tensor<1x2x300x64xf32>) -> tensor<1x4x300x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, pv_precision = #attn.precision<int8>} : (tensor<1x4x300x64xf32>, tensor<1x2x300x64xf32>, tensor<1x2x300x64xf32>) -> tensor<1x4x300x64xf32>
  return %o : tensor<1x4x300x64xf32>
}
