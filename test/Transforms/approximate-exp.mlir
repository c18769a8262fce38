// RUN: attn-opt %s --attn-approximate-exp | FileCheck %s

// exp becomes arithmetic (range reduction and a polynomial), scalar or
// vector, so that loops around it vectorize; other math ops stay.
// CHECK-LABEL: func.func @exps
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: math.fma
// CHECK: math.log
func.func @exps(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>, f32) {
  %0 = math.exp %x : f32
  %1 = math.exp %v : vector<16xf32>
  %2 = math.log %x : f32
  return %0, %1, %2 : f32, vector<16xf32>, f32
}
