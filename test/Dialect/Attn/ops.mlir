// RUN: attn-opt %s | FileCheck %s
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// Round trip of attn.sdpa in every form the verifier accepts.

// CHECK-LABEL: func.func @dense
// CHECK: attn.sdpa %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
func.func @dense(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>, %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// Grouped-query, causal, explicit scale, value width != head width.
// CHECK-LABEL: func.func @gqa_causal
// CHECK: attn.sdpa %{{.*}} {mask = #attn.causal, scale = 1.250000e-01 : f32} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32>
func.func @gqa_causal(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, scale = 0.125 : f32} : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x80xf32>) -> tensor<2x8x16x80xf32>
  return %o : tensor<2x8x16x80xf32>
}

// Multi-query attention (one KV head), f16 storage.
// CHECK-LABEL: func.func @mqa_f16
// CHECK: attn.sdpa {{.*}} -> tensor<1x12x1x128xf16>
func.func @mqa_f16(%q: tensor<1x12x1x128xf16>, %k: tensor<1x1x4096x128xf16>, %v: tensor<1x1x4096x128xf16>) -> tensor<1x12x1x128xf16> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x12x1x128xf16>, tensor<1x1x4096x128xf16>, tensor<1x1x4096x128xf16>) -> tensor<1x12x1x128xf16>
  return %o : tensor<1x12x1x128xf16>
}

// Dynamic dimensions everywhere, bf16 storage.
// CHECK-LABEL: func.func @dynamic_bf16
// CHECK: attn.sdpa {{.*}} : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16>
func.func @dynamic_bf16(%q: tensor<?x?x?x?xbf16>, %k: tensor<?x?x?x?xbf16>, %v: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>, tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16>
  return %o : tensor<?x?x?x?xbf16>
}
