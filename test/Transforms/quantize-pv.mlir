// RUN: attn-opt %s --attn-quantize=pv=int8 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=INT8
// RUN: attn-opt %s --attn-quantize=pv=f32 -split-input-file | FileCheck %s --check-prefix=F32
// RUN: attn-opt %s "--attn-quantize=qk=int8 pv=int8" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=BOTH
// RUN: not attn-opt %s --attn-quantize=pv=f16 -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: attn-quantize: pv must be int8, bf16 or f32, found 'f16'

// pv=int8 allows int8 P . V on every sdpa whose value dim is a multiple of
// 32, independently of its scores' precision; pv=f32 removes it.
// INT8-LABEL: func.func @values
// INT8: attn.sdpa {{.*}}pv_precision = #attn.precision<int8>
// F32-LABEL: func.func @values
// F32-NOT: pv_precision
// F32: qk_precision = #attn.precision<int8>
// BOTH-LABEL: func.func @values
// BOTH: attn.sdpa {{.*}}pv_precision = #attn.precision<int8>, qk_precision = #attn.precision<int8>
func.func @values(%q: tensor<1x8x20x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x20x64xf32> {
  %o = attn.sdpa %q, %k, %v {pv_precision = #attn.precision<int8>, qk_precision = #attn.precision<int8>} : (tensor<1x8x20x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x20x64xf32>
  return %o : tensor<1x8x20x64xf32>
}

// -----

// A value dim the scheme cannot take keeps f32 P . V, with a warning; the
// scores still follow their own policy (D = 64 here).
// INT8-LABEL: func.func @dv48
// INT8-NOT: pv_precision
// BOTH-LABEL: func.func @dv48
// BOTH-NOT: pv_precision
// BOTH: qk_precision = #attn.precision<int8>
// BOTH-NOT: pv_precision
func.func @dv48(%q: tensor<1x2x33x64xf32>, %k: tensor<1x2x33x64xf32>, %v: tensor<1x2x33x48xf32>) -> tensor<1x2x33x48xf32> {
  // expected-warning @+1 {{attn-quantize: pv=int8 not applied, the product stays f32: it quantizes per 32 values of the value dimension, and Dv = 48 is not a multiple of 32}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x33x64xf32>, tensor<1x2x33x64xf32>, tensor<1x2x33x48xf32>) -> tensor<1x2x33x48xf32>
  return %o : tensor<1x2x33x48xf32>
}
