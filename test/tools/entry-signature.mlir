// The entry-point signature relates every dynamic dimension of an attn op's
// operands, so that the runtime checks them at entry: a bias's query and
// key lengths, run-time length and document operands, and attn.diff's head
// pairs (twice / divides constraints, not symbols of their own).
// RUN: attnc %s --target=x86_64 -o %t.o
// RUN: FileCheck %s < %t.h

// CHECK-LABEL: sdpa_extras: attn.sdpa
// CHECK-NEXT: in  query [s0, 2, s1, 8] f32
// CHECK-NEXT: in  key [s0, 2, s2, 8] f32
// CHECK-NEXT: in  value [s0, 2, s2, 8] f32
// CHECK-NEXT: in  bias [1, 2, s1, s2] f32
// CHECK-NEXT: in  kv_lengths [s0] i32
// CHECK-NEXT: in  documents [s0, s2] i32
// CHECK-NEXT: out out [s0, 2, s1, 8] f32
// CHECK-NEXT: */
func.func @sdpa_extras(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %v: tensor<?x2x?x8xf32>, %bias: tensor<1x2x?x?xf32>, %len: tensor<?xi32>, %docs: tensor<?x?xi32>) -> tensor<?x2x?x8xf32> {
  %o = attn.sdpa %q, %k, %v bias(%bias : tensor<1x2x?x?xf32>) kv_lengths(%len : tensor<?xi32>) documents(%docs : tensor<?x?xi32>) : (tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf32>
  return %o : tensor<?x2x?x8xf32>
}

// CHECK-LABEL: diff_heads: attn.diff, scale 1/sqrt(head dim), lambda_init 0.5, epsilon 1e-05
// CHECK-NEXT: in  query [1, s0, s1, 8] f32
// CHECK-NEXT: in  key [1, s2, s3, 8] f32
// CHECK-NEXT: in  value [1, s4, s3, 16] f32
// CHECK: out out [1, s5, s1, 16] f32
// CHECK-NEXT: requires s0 = 2 x s5, s2 = 2 x s4, s4 divides s5
func.func @diff_heads(%q: tensor<1x?x?x8xf32>, %k: tensor<1x?x?x8xf32>, %v: tensor<1x?x?x16xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>, %d: tensor<8xf32>, %g: tensor<16xf32>) -> tensor<1x?x?x16xf32> {
  %o = attn.diff %q, %k, %v lambdas(%a, %b, %c, %d) gain(%g) {lambda_init = 0.5 : f32} : (tensor<1x?x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x?x16xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<1x?x?x16xf32>
  return %o : tensor<1x?x?x16xf32>
}
