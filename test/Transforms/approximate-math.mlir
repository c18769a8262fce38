// RUN: attn-opt %s --attn-approximate-math | FileCheck %s

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

// tanh (soft-capping) becomes a clamped rational approximation.
// CHECK-LABEL: func.func @tanhs
// CHECK-NOT: math.tanh
// CHECK: arith.divf
func.func @tanhs(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>) {
  %0 = math.tanh %x : f32
  %1 = math.tanh %v : vector<16xf32>
  return %0, %1 : f32, vector<16xf32>
}
