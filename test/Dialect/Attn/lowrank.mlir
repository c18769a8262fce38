// RUN: attn-opt %s | FileCheck %s
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// Round trip of the low-rank ops in every form the verifiers accept.

// CHECK-LABEL: func.func @linformer
// CHECK: attn.linformer %arg0, %arg1, %arg2 projections(%arg3) : (tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<8x64xf32>) -> tensor<1x8x64x16xf32>
// CHECK: attn.linformer %arg0, %arg1, %arg2 projections(%arg4, %arg4) {scale = 2.500000e-01 : f32} : (tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<2x8x64xf32>, tensor<2x8x64xf32>) -> tensor<1x8x64x16xf32>
func.func @linformer(%q: tensor<1x8x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %e: tensor<8x64xf32>, %eh: tensor<2x8x64xf32>) -> (tensor<1x8x64x16xf32>, tensor<1x8x64x16xf32>) {
  %a = attn.linformer %q, %k, %v projections(%e) : (tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<8x64xf32>) -> tensor<1x8x64x16xf32>
  %b = attn.linformer %q, %k, %v projections(%eh, %eh) {scale = 0.25 : f32} : (tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<2x8x64xf32>, tensor<2x8x64xf32>) -> tensor<1x8x64x16xf32>
  return %a, %b : tensor<1x8x64x16xf32>, tensor<1x8x64x16xf32>
}

// CHECK-LABEL: func.func @performer
// CHECK: attn.performer %arg0, %arg1, %arg2 : (
// CHECK: attn.performer %arg0, %arg1, %arg2 {causal, constant_norms, features = 32 : i64, kernel = #attn.feature_kernel<relu>, orthogonal = false, seed = 7 : i64} : (
func.func @performer(%q: tensor<2x4x?x16xf16>, %k: tensor<2x4x?x16xf16>, %v: tensor<2x4x?x8xf16>) -> (tensor<2x4x?x8xf16>, tensor<2x4x?x8xf16>) {
  %a = attn.performer %q, %k, %v : (tensor<2x4x?x16xf16>, tensor<2x4x?x16xf16>, tensor<2x4x?x8xf16>) -> tensor<2x4x?x8xf16>
  %b = attn.performer %q, %k, %v {features = 32 : i64, kernel = #attn.feature_kernel<relu>, orthogonal = false, constant_norms, seed = 7 : i64, causal} : (tensor<2x4x?x16xf16>, tensor<2x4x?x16xf16>, tensor<2x4x?x8xf16>) -> tensor<2x4x?x8xf16>
  return %a, %b : tensor<2x4x?x8xf16>, tensor<2x4x?x8xf16>
}

// CHECK-LABEL: func.func @nystrom
// CHECK: attn.nystrom %arg0, %arg1, %arg2 {landmarks = 8 : i64} : (
// CHECK: attn.nystrom %arg0, %arg1, %arg2 conv(%arg3 : tensor<4x5xf32>) {landmarks = 4 : i64, pinv_iterations = 3 : i64} : (
func.func @nystrom(%q: tensor<1x4x64x16xf32>, %k: tensor<1x4x64x16xf32>, %v: tensor<1x4x64x16xf32>, %c: tensor<4x5xf32>) -> (tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>) {
  %a = attn.nystrom %q, %k, %v {landmarks = 8 : i64} : (tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>) -> tensor<1x4x64x16xf32>
  %b = attn.nystrom %q, %k, %v conv(%c : tensor<4x5xf32>) {landmarks = 4 : i64, pinv_iterations = 3 : i64} : (tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>) -> tensor<1x4x64x16xf32>
  return %a, %b : tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>
}
