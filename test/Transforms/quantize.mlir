// RUN: attn-opt %s --attn-quantize=qk=int8 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=INT8
// RUN: attn-opt %s --attn-quantize=qk=f32 -split-input-file | FileCheck %s --check-prefix=F32
// RUN: attn-opt %s --attn-quantize -split-input-file | FileCheck %s --check-prefix=KEEP
// RUN: not attn-opt %s --attn-quantize=qk=f16 -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: attn-opt %s "--attn-quantize=qk=bf16 pv=bf16" -split-input-file | FileCheck %s --check-prefix=BF16

// BAD: attn-quantize: qk must be int8, bf16 or f32, found 'f16'

// qk=bf16 / pv=bf16 set the allowance on every sdpa, whatever its head
// dims (the kernels take it where they can), without a warning.
// BF16-LABEL: func.func @float_keys
// BF16: attn.sdpa {{.*}}pv_precision = #attn.precision<bf16>, qk_precision = #attn.precision<bf16>

// qk=int8 sets int8 scores on every sdpa whose head dim allows it (float
// and block-quantized keys alike); qk=f32 removes them; no qk keeps each.
// INT8-LABEL: func.func @float_keys
// INT8: attn.sdpa {{.*}}qk_precision = #attn.precision<int8>
// F32-LABEL: func.func @float_keys
// F32-NOT: qk_precision
// KEEP-LABEL: func.func @float_keys
// KEEP-NOT: qk_precision
func.func @float_keys(%q: tensor<1x8x1x64xf16>, %k: tensor<1x2x100x64xf16>, %v: tensor<1x2x100x64xf16>) -> tensor<1x8x1x64xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x1x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>) -> tensor<1x8x1x64xf16>
  return %o : tensor<1x8x1x64xf16>
}

// -----

// INT8-LABEL: func.func @packed_keys
// INT8: attn.sdpa {{.*}}qk_precision = #attn.precision<int8>
// F32-LABEL: func.func @packed_keys
// F32-NOT: qk_precision
// KEEP-LABEL: func.func @packed_keys
// KEEP: qk_precision = #attn.precision<int8>
func.func @packed_keys(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x68xi8>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, qk_precision = #attn.precision<int8>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x68xi8>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// -----

// A head dim the int8 scheme cannot take keeps f32 scores, with a warning.
// INT8-LABEL: func.func @d80
// INT8-NOT: qk_precision
func.func @d80(%q: tensor<1x6x33x80xf32>, %k: tensor<1x1x33x80xf32>, %v: tensor<1x1x33x80xf32>) -> tensor<1x6x33x80xf32> {
  // expected-warning @+1 {{attn-quantize: qk=int8 not applied, the product stays f32: it quantizes per 32 values of the head dimension, and D = 80 is not a multiple of 32}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x6x33x80xf32>, tensor<1x1x33x80xf32>, tensor<1x1x33x80xf32>) -> tensor<1x6x33x80xf32>
  return %o : tensor<1x6x33x80xf32>
}

// -----

func.func @dynamic_d(%q: tensor<1x2x7x?xf32>, %k: tensor<1x2x7x?xf32>, %v: tensor<1x2x7x?xf32>) -> tensor<1x2x7x?xf32> {
  // expected-warning @+1 {{which is dynamic here}}
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x7x?xf32>, tensor<1x2x7x?xf32>, tensor<1x2x7x?xf32>) -> tensor<1x2x7x?xf32>
  return %o : tensor<1x2x7x?xf32>
}
