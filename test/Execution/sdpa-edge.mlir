// Edge shapes: no keys (every row is empty: zeros), no queries, one key with
// a causal mask, and two entry points in one object (their argument names
// must not run into each other).
// RUN: attn-check %s | FileCheck %s
// CHECK-DAG: PASS zero_keys: Q[1,2,5,16] K[1,2,0,16]
// CHECK-DAG: PASS zero_queries: Q[1,2,0,16] K[1,2,9,16]
// CHECK-DAG: PASS one_key: Q[1,4,3,16] K[1,2,1,16] {{.*}} mask=causal
// CHECK: attn-check: 3 of 3 entry points within tolerance

// Two attn ops chained in one entry point compile to one kernel.
// RUN: attnc %S/Inputs/chain.mlir --emit=obj -o %t.o
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=SYMS
// SYMS: T chain

func.func @zero_keys(%q: tensor<1x2x5x16xf32>, %k: tensor<1x2x0x16xf32>, %v: tensor<1x2x0x16xf32>) -> tensor<1x2x5x16xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x5x16xf32>, tensor<1x2x0x16xf32>, tensor<1x2x0x16xf32>) -> tensor<1x2x5x16xf32>
  return %o : tensor<1x2x5x16xf32>
}

func.func @zero_queries(%q: tensor<1x2x0x16xf32>, %k: tensor<1x2x9x16xf32>, %v: tensor<1x2x9x16xf32>) -> tensor<1x2x0x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x0x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x16xf32>) -> tensor<1x2x0x16xf32>
  return %o : tensor<1x2x0x16xf32>
}

func.func @one_key(%q: tensor<1x4x3x16xf32>, %k: tensor<1x2x1x16xf32>, %v: tensor<1x2x1x16xf32>) -> tensor<1x4x3x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x4x3x16xf32>, tensor<1x2x1x16xf32>, tensor<1x2x1x16xf32>) -> tensor<1x4x3x16xf32>
  return %o : tensor<1x4x3x16xf32>
}
