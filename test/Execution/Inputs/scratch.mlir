// Kernels whose temporaries the scratch-limit tests cap: a long causal
// layer (Lq = Lk = 1000, not a multiple of any block), a long decode step
// (split over the keys), and a Nystromformer layer, whose landmark
// matrices are whole-tensor temporaries of the entry itself.
func.func @long_causal(%q: tensor<1x4x1000x64xf32>, %k: tensor<1x2x1000x64xf32>, %v: tensor<1x2x1000x64xf32>) -> tensor<1x4x1000x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x1000x64xf32>, tensor<1x2x1000x64xf32>, tensor<1x2x1000x64xf32>) -> tensor<1x4x1000x64xf32>
  return %o : tensor<1x4x1000x64xf32>
}

func.func @long_decode(%q: tensor<1x8x1x128xf32>, %k: tensor<1x2x5003x128xf32>, %v: tensor<1x2x5003x128xf32>) -> tensor<1x8x1x128xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x1x128xf32>, tensor<1x2x5003x128xf32>, tensor<1x2x5003x128xf32>) -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

func.func @nystrom_long(%q: tensor<1x2x777x32xf32>, %k: tensor<1x2x777x32xf32>, %v: tensor<1x2x777x32xf32>) -> tensor<1x2x777x32xf32> {
  %o = attn.nystrom %q, %k, %v {landmarks = 37 : i64} : (tensor<1x2x777x32xf32>, tensor<1x2x777x32xf32>, tensor<1x2x777x32xf32>) -> tensor<1x2x777x32xf32>
  return %o : tensor<1x2x777x32xf32>
}
