// RUN: attn-opt %s --attn-make-entry-points -split-input-file -verify-diagnostics | FileCheck %s

// A public tensor function becomes a destination-passing kernel on strided
// memrefs, with the signature table the runtime checks at entry.

// CHECK-LABEL: func.func @__attn_kernel_layer(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x8x?x64xf32, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[K:[a-z0-9]+]]: memref<1x2x?x64xf32, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[V:[a-z0-9]+]]: memref<1x2x?x64xf32, strided<[?, ?, ?, 1], offset: ?>>,
// CHECK-SAME: %[[O:[a-z0-9]+]]: memref<1x8x?x64xf32, strided<[?, ?, ?, 1], offset: ?>>)
// CHECK-SAME: attn.arg_names = "layer:query,key,value,out"
// CHECK-SAME: attn.entry = "layer"
// Version 1, ISA 0, 4 args, 1 constraint; q = f32 rank 4 input [1, 8, s0, 64];
// k/v [1, 2, s1, 64]; out [1, 8, s0, 64]; dim 1 of k divides dim 1 of q.
// CHECK-SAME: attn.signature = array<i64: 1, 0, 4, 1, 1, 4, 0, 1, 8, -1, 64, 1, 4, 0, 1, 2, -2, 64, 1, 4, 0, 1, 2, -2, 64, 1, 4, 1, 1, 8, -1, 64, 1, 0, 1, 1, 1>
// CHECK-SAME: llvm.emit_c_interface
// CHECK: %[[QT:.*]] = bufferization.to_tensor %[[Q]] restrict
// CHECK: %[[KT:.*]] = bufferization.to_tensor %[[K]] restrict
// CHECK: %[[VT:.*]] = bufferization.to_tensor %[[V]] restrict
// CHECK: %[[R:.*]] = attn.sdpa %[[QT]], %[[KT]], %[[VT]]
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[O]]
// CHECK-NOT: @layer(
func.func @layer(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// Private functions are not entry points.
// CHECK-LABEL: func.func private @helper
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// A static size asserted by a cast fixes the class of dynamic sizes it joins:
// every batch becomes 2 because the result is cast to a batch of 2.
// CHECK-LABEL: func.func @__attn_kernel_cast
// CHECK-SAME: attn.signature = array<i64: 1, 0, 4, 1, 1, 4, 0, 2, 4, 3, 8, 1, 4, 0, 2, 4, 3, 8, 1, 4, 0, 2, 4, 3, 8, 1, 4, 1, 2, 4, 3, 8,
func.func @cast(%q: tensor<?x4x3x8xf32>, %k: tensor<?x4x3x8xf32>, %v: tensor<?x4x3x8xf32>) -> tensor<?x4x3x8xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<?x4x3x8xf32>, tensor<?x4x3x8xf32>, tensor<?x4x3x8xf32>) -> tensor<?x4x3x8xf32>
  %c = tensor.cast %o : tensor<?x4x3x8xf32> to tensor<2x4x3x8xf32>
  %d = tensor.cast %c : tensor<2x4x3x8xf32> to tensor<?x4x3x8xf32>
  return %d : tensor<?x4x3x8xf32>
}

// -----

// expected-error @+1 {{entry point 'scalar' argument #1 must be a ranked tensor, found 'f32'}}
func.func @scalar(%q: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  return %q : tensor<4xf32>
}

// -----

func.func @unchecked(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'arith.addf' op has dynamic shapes that attnc cannot check at entry}}
  %c = arith.addf %a, %b : tensor<?xf32>
  return %c : tensor<?xf32>
}

// -----

// expected-error @+1 {{entry point 'ints' argument #0 has element type 'i16', which the runtime has no dtype for}}
func.func @ints(%a: tensor<4xi16>) -> tensor<4xi16> {
  return %a : tensor<4xi16>
}
