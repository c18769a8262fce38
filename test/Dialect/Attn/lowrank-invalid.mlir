// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of attn.linformer, attn.performer and
// attn.nystrom (the rules they share with attn.sdpa once).

func.func @lin_k_too_large(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %e: tensor<9x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.linformer' op projected length k = 9 is larger than the key length 8}}
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<9x8xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @lin_wrong_lk(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %e: tensor<4x6xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.linformer' op key length mismatch: key has 8 but projection e has 6}}
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<4x6xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @lin_heads(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %e: tensor<3x4x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.linformer' op key/value head count mismatch: key has 2 but projection e has 3}}
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<3x4x8xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @lin_f_type(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %e: tensor<4x8xf32>, %f: tensor<2x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.linformer' op projection f has type 'tensor<2x8xf32>', but e has 'tensor<4x8xf32>'}}
  %o = attn.linformer %q, %k, %v projections(%e, %f) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @lin_zero_rows(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %e: tensor<0x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.linformer' op projection e must have at least one row, found 0}}
  %o = attn.linformer %q, %k, %v projections(%e) : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<0x8xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @perf_zero_features(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.performer' op features must be at least 1, found 0}}
  %o = attn.performer %q, %k, %v {features = 0 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @perf_dynamic_d(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.performer' op needs a static head dim: its random features are generated at compile time}}
  %o = attn.performer %q, %k, %v : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @perf_shapes(%q: tensor<1x3x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x3x8x16xf32> {
  // expected-error @+1 {{'attn.performer' op key head count 2 does not divide query head count 3}}
  %o = attn.performer %q, %k, %v : (tensor<1x3x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x3x8x16xf32>
  return %o : tensor<1x3x8x16xf32>
}

// -----

func.func @nys_divisible(%q: tensor<1x2x10x16xf32>, %k: tensor<1x2x10x16xf32>, %v: tensor<1x2x10x16xf32>) -> tensor<1x2x10x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op query length 10 is not divisible by the 4 landmarks (segments must be equal)}}
  %o = attn.nystrom %q, %k, %v {landmarks = 4 : i64} : (tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>) -> tensor<1x2x10x16xf32>
  return %o : tensor<1x2x10x16xf32>
}

// -----

func.func @nys_too_many(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op 8 landmarks need at least as many key positions, found 4}}
  %o = attn.nystrom %q, %k, %v {landmarks = 8 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_zero(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op landmarks must be at least 1, found 0}}
  %o = attn.nystrom %q, %k, %v {landmarks = 0 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_iterations(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op pinv_iterations must be at least 1, found 0}}
  %o = attn.nystrom %q, %k, %v {landmarks = 2 : i64, pinv_iterations = 0 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_conv_even(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %c: tensor<2x4xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op conv kernel width must be odd and positive, found 4}}
  %o = attn.nystrom %q, %k, %v conv(%c : tensor<2x4xf32>) {landmarks = 2 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_conv_heads(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %c: tensor<3x5xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op query head count mismatch: query has 2 but conv has 3}}
  %o = attn.nystrom %q, %k, %v conv(%c : tensor<3x5xf32>) {landmarks = 2 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_conv_lengths(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x16xf32>, %c: tensor<2x5xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op sequence length (the convolution is added per position) mismatch: query has 8 but key has 4}}
  %o = attn.nystrom %q, %k, %v conv(%c : tensor<2x5xf32>) {landmarks = 2 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @nys_negative_iterations(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.nystrom' op pinv_iterations must be at least 1, found -2}}
  %o = attn.nystrom %q, %k, %v {landmarks = 2 : i64, pinv_iterations = -2 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

func.func @perf_negative_features(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'attn.performer' op features must be at least 1, found -3}}
  %o = attn.performer %q, %k, %v {features = -3 : i64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
