// RUN: attn-opt %s --attn-lower-int8-dot=bf16=x86-avx512bf16 | FileCheck %s --check-prefix=X86
// RUN: attn-opt %s --attn-lower-int8-dot=bf16=arm-bf16 | FileCheck %s --check-prefix=ARM
// RUN: attn-opt %s --attn-lower-int8-dot | FileCheck %s --check-prefix=GEN
// RUN: not attn-opt %s --attn-lower-int8-dot=bf16=neon 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown bf16 'neon' (expected x86-avx512bf16, arm-bf16 or generic)

// 16 lanes: one VDPBF16PS (512 bits), the upstream x86vector op.
// X86-LABEL: func.func @lanes16
// X86: x86vector.avx512.dot %{{.*}}, %{{.*}}, %{{.*}} : vector<32xbf16> -> vector<16xf32>
// X86-NOT: attn.dot_bf16
// BFDOT (+bf16): four 4-lane pieces.
// ARM-LABEL: func.func @lanes16
// ARM-COUNT-4: llvm.call_intrinsic "llvm.aarch64.neon.bfdot.v4f32.v8bf16"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xf32>, vector<8xbf16>, vector<8xbf16>) -> vector<4xf32>
// ARM-NOT: attn.dot_bf16
// The generic form is the definition: the odd pair's product added first,
// then the even one's, each an f32 fused multiply-add of widened halves.
// GEN-LABEL: func.func @lanes16
// GEN: %[[AO:.*]] = vector.shuffle %[[A:.*]], %[[A]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// GEN: %[[AOF:.*]] = arith.extf %[[AO]] : vector<16xbf16> to vector<16xf32>
// GEN: %[[BO:.*]] = vector.shuffle %[[B:.*]], %[[B]] [1, 3,
// GEN: %[[BOF:.*]] = arith.extf %[[BO]]
// GEN: %[[R:.*]] = vector.fma %[[AOF]], %[[BOF]], %{{.*}} : vector<16xf32>
// GEN: vector.shuffle %[[A]], %[[A]] [0, 2, 4,
// GEN: vector.shuffle %[[B]], %[[B]] [0, 2, 4,
// GEN: vector.fma %{{.*}}, %{{.*}}, %[[R]] : vector<16xf32>
// GEN-NOT: attn.dot_bf16
func.func @lanes16(%acc: vector<16xf32>, %a: vector<32xbf16>, %b: vector<32xbf16>) -> vector<16xf32> {
  %0 = attn.dot_bf16 %acc, %a, %b : vector<32xbf16> into vector<16xf32>
  return %0 : vector<16xf32>
}

// 32 lanes: two 16-lane pieces put back together.
// X86-LABEL: func.func @lanes32
// X86-COUNT-2: x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// X86: vector.insert_strided_slice {{.*}} {offsets = [16], strides = [1]} : vector<16xf32> into vector<32xf32>
func.func @lanes32(%acc: vector<32xf32>, %a: vector<64xbf16>, %b: vector<64xbf16>) -> vector<32xf32> {
  %0 = attn.dot_bf16 %acc, %a, %b : vector<64xbf16> into vector<32xf32>
  return %0 : vector<32xf32>
}

// 8 lanes: the 256-bit form (AVX-512 VL).
// X86-LABEL: func.func @lanes8
// X86: x86vector.avx512.dot {{.*}} : vector<16xbf16> -> vector<8xf32>
func.func @lanes8(%acc: vector<8xf32>, %a: vector<16xbf16>, %b: vector<16xbf16>) -> vector<8xf32> {
  %0 = attn.dot_bf16 %acc, %a, %b : vector<16xbf16> into vector<8xf32>
  return %0 : vector<8xf32>
}
