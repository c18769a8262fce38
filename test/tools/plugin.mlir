// Upstream mlir-opt-22 loads attn as a dialect and pass plugin.
// RUN: %mlir_opt %s --load-dialect-plugin=%attn_plugin --load-pass-plugin=%attn_plugin \
// RUN:   --pass-pipeline="builtin.module(func.func(convert-attn-to-linalg))" | FileCheck %s
// RUN: %mlir_opt %s --load-dialect-plugin=%attn_plugin | FileCheck %s --check-prefix=ROUNDTRIP

// CHECK-LABEL: func.func @f
// CHECK-NOT: attn.sdpa
// CHECK: linalg.generic
// CHECK: math.exp
// ROUNDTRIP: attn.sdpa %{{.*}} {mask = #attn.causal}
func.func @f(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
