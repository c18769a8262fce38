// RUN: attn-opt %s "--attn-quantize=qk=int8 smooth-k=true" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=ON
// RUN: attn-opt %s "--attn-quantize=smooth-k=false" -split-input-file | FileCheck %s --check-prefix=OFF
// RUN: attn-opt %s "--attn-quantize=qk=f32" -split-input-file | FileCheck %s --check-prefix=F32
// RUN: not attn-opt %s "--attn-quantize=smooth-k=maybe" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: attn-quantize: smooth-k must be true or false, found 'maybe'

// smooth-k=true sets smooth_k where the scores quantize float keys;
// smooth-k=false removes it; a policy that moves the scores to f32 drops
// it with them (the verifier would refuse it).
// ON-LABEL: func.func @float_keys
// ON: attn.sdpa {{.*}}qk_precision = #attn.precision<int8>, smooth_k
// OFF-LABEL: func.func @float_keys
// OFF-NOT: smooth_k
// F32-LABEL: func.func @float_keys
// F32-NOT: smooth_k
func.func @float_keys(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32> {
  %o = attn.sdpa %q, %k, %v {qk_precision = #attn.precision<int8>, smooth_k} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32>
  return %o : tensor<1x2x10x64xf32>
}

// -----

// A q8_0 key cache is multiplied as stored: nothing to smooth.
// ON-LABEL: func.func @packed_keys
// ON: attn.sdpa {{.*}}qk_precision = #attn.precision<int8>}
func.func @packed_keys(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  // expected-warning @+1 {{attn-quantize: smooth-k not applied: the keys are block-quantized and multiplied as stored}}
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// ON-LABEL: func.func @softcap
// ON-NOT: smooth_k
func.func @softcap(%q: tensor<1x2x10x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32> {
  // expected-warning @+1 {{attn-quantize: smooth-k not applied: #attn.softcap does not commute with a shift of the row's scores}}
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.softcap<30.0>]} : (tensor<1x2x10x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x2x10x64xf32>
  return %o : tensor<1x2x10x64xf32>
}

// -----

// D = 48: int8 is not applied, the scores stay f32, and so are the keys.
// ON-LABEL: func.func @head48
// ON-NOT: smooth_k
func.func @head48(%q: tensor<1x2x10x48xf32>, %k: tensor<1x2x100x48xf32>, %v: tensor<1x2x100x48xf32>) -> tensor<1x2x10x48xf32> {
  // expected-warning @+2 {{attn-quantize: qk=int8 not applied}}
  // expected-warning @+1 {{attn-quantize: smooth-k not applied: the scores are f32 (no quantized keys)}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x10x48xf32>, tensor<1x2x100x48xf32>, tensor<1x2x100x48xf32>) -> tensor<1x2x10x48xf32>
  return %o : tensor<1x2x10x48xf32>
}
