// The entry points of the runtime stress test (stress.c): a causal GQA
// layer whose rows span several blocks, and a decode step over a long cache.
func.func @stress_causal(%q: tensor<1x4x203x64xf32>, %k: tensor<1x2x203x64xf32>, %v: tensor<1x2x203x64xf32>) -> tensor<1x4x203x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x203x64xf32>, tensor<1x2x203x64xf32>, tensor<1x2x203x64xf32>) -> tensor<1x4x203x64xf32>
  return %o : tensor<1x4x203x64xf32>
}

func.func @stress_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x1777x64xf32>, %v: tensor<1x2x1777x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x1x64xf32>, tensor<1x2x1777x64xf32>, tensor<1x2x1777x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
