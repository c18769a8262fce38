// What the Vulkan target cannot compile yet is a diagnostic at the op, never
// a crash or wrong code.
// RUN: attn-opt %s -split-input-file -verify-diagnostics -attn-make-gpu-entry-points

func.func @dynamic_head_dim(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x?xf32>) -> tensor<1x2x8x?xf32> {
  // expected-error @+1 {{the Vulkan target needs static head dimensions (D and Dv size the blocks staged in workgroup memory); found D = ?, Dv = ?}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>) -> tensor<1x2x8x?xf32>
  return %o : tensor<1x2x8x?xf32>
}

// -----

func.func @f16(%q: tensor<1x2x8x64xf16>, %k: tensor<1x2x8x64xf16>, %v: tensor<1x2x8x64xf16>) -> tensor<1x2x8x64xf16> {
  // expected-error @+1 {{the Vulkan target does not support element type other than f32 (found f16) yet}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x8x64xf16>, tensor<1x2x8x64xf16>, tensor<1x2x8x64xf16>) -> tensor<1x2x8x64xf16>
  return %o : tensor<1x2x8x64xf16>
}

// -----

func.func @bias(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %b: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{the Vulkan target does not support an additive bias operand yet}}
  %o = attn.sdpa %q, %k, %v bias(%b : tensor<1x1x8x8xf32>) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @kv_lengths(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %n: tensor<2xi32>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{the Vulkan target does not support run-time masks (kv_lengths, q_lengths, documents) yet}}
  %o = attn.sdpa %q, %k, %v kv_lengths(%n : tensor<2xi32>) : (tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

func.func @block_sparse(%q: tensor<1x1x30x16xf32>, %k: tensor<1x1x30x16xf32>, %v: tensor<1x1x30x16xf32>) -> tensor<1x1x30x16xf32> {
  // expected-error @+1 {{the Vulkan target cannot compile this op's mask or score modifiers yet (they build 'tensor.extract')}}
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<10, 10, dense<[[1, 1, 0], [0, 1, 0], [0, 1, 1]]> : tensor<3x3xi8>>} : (tensor<1x1x30x16xf32>, tensor<1x1x30x16xf32>, tensor<1x1x30x16xf32>) -> tensor<1x1x30x16xf32>
  return %o : tensor<1x1x30x16xf32>
}

// -----

func.func @too_wide(%q: tensor<1x1x8x1024xf32>, %k: tensor<1x1x8x1024xf32>, %v: tensor<1x1x8x1024xf32>) -> tensor<1x1x8x1024xf32> {
  // expected-error @+1 {{the Vulkan target supports head dimensions up to 512, found D = 1024, Dv = 1024}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x1x8x1024xf32>, tensor<1x1x8x1024xf32>, tensor<1x1x8x1024xf32>) -> tensor<1x1x8x1024xf32>
  return %o : tensor<1x1x8x1024xf32>
}

// -----

func.func @two_ops(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  // expected-error @+1 {{the Vulkan target compiles one attn.sdpa per entry point; @two_ops has more (make each its own function)}}
  %p = attn.sdpa %o, %k, %v : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %p : tensor<1x2x8x16xf32>
}

// -----

func.func @performer(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  // expected-error @+1 {{the Vulkan target compiles entry points made of one attn.sdpa; 'attn.performer' is not supported on it yet}}
  %o = attn.performer %q, %k, %v {features = 32 : i64} : (tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// -----

func.func @not_an_argument(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{the Vulkan target compiles entry points made of one attn.sdpa of the arguments; @not_an_argument also has 'arith.negf'}}
  %n = arith.negf %q : tensor<1x2x8x16xf32>
  %o = attn.sdpa %n, %k, %v : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @q8_0_kv_cache(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x68xi8>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{the Vulkan target does not support block-quantized (q8_0, q4_0) key or value operands yet}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x68xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @int8_kv_cache_with_scales(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xi8>, %v: tensor<1x2x100x64xf32>, %ks: tensor<1x2x100x1xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{the Vulkan target does not support int8 key or value operands with scales yet}}
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x100x1xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

func.func @int8_scores(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-error @+1 {{the Vulkan target does not support int8 scores (qk_precision = #attn.precision<int8>) yet}}
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
