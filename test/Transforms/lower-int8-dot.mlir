// RUN: attn-opt %s --attn-lower-int8-dot=isa=x86-vnni | FileCheck %s --check-prefix=X86
// RUN: attn-opt %s --attn-lower-int8-dot=isa=arm-dotprod | FileCheck %s --check-prefix=ARM
// RUN: attn-opt %s --attn-lower-int8-dot | FileCheck %s --check-prefix=GEN
// RUN: not attn-opt %s --attn-lower-int8-dot=isa=avx 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown isa 'avx' (expected x86-vnni, arm-dotprod or generic)

// Unsigned x signed, 8 lanes: one VPDPBUSD (256 bits); SDOT multiplies
// signed bytes only, so AArch64 takes the generic form.
// X86-LABEL: func.func @u8s8
// X86: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// ARM-LABEL: func.func @u8s8
// ARM-NOT: arm_neon
// ARM: arith.extui {{.*}} : vector<32xi8> to vector<32xi32>
// The generic form is the definition: lane i sums the products of bytes
// 4i .. 4i+3 (four strided shuffles).
// GEN-LABEL: func.func @u8s8
// GEN: %[[A:.*]] = arith.extui %{{.*}} : vector<32xi8> to vector<32xi32>
// GEN: %[[B:.*]] = arith.extsi %{{.*}} : vector<32xi8> to vector<32xi32>
// GEN: %[[P:.*]] = arith.muli %[[A]], %[[B]] : vector<32xi32>
// GEN: vector.shuffle %[[P]], %[[P]] [0, 4, 8, 12, 16, 20, 24, 28]
// GEN: vector.shuffle %[[P]], %[[P]] [1, 5, 9, 13, 17, 21, 25, 29]
// GEN: vector.shuffle %[[P]], %[[P]] [2, 6, 10, 14, 18, 22, 26, 30]
// GEN: vector.shuffle %[[P]], %[[P]] [3, 7, 11, 15, 19, 23, 27, 31]
// GEN-NOT: attn.dot_i8
func.func @u8s8(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<8xi32> {
  %0 = attn.dot_i8 %acc, %a, %b {lhs_unsigned} : vector<32xi8> into vector<8xi32>
  return %0 : vector<8xi32>
}

// Signed x signed, 8 lanes: two SDOTs on 4-lane halves; VPDPBUSD cannot.
// X86-LABEL: func.func @s8s8
// X86-NOT: llvm.call_intrinsic
// X86: arith.extsi
// ARM-LABEL: func.func @s8s8
// ARM: vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [4], strides = [1]} : vector<8xi32> to vector<4xi32>
// ARM: arm_neon.intr.sdot {{.*}} : vector<16xi8>, vector<16xi8> to vector<4xi32>
// ARM: vector.insert_strided_slice {{.*}} {offsets = [0], strides = [1]}
// ARM: arm_neon.intr.sdot {{.*}} : vector<16xi8>, vector<16xi8> to vector<4xi32>
// ARM: vector.insert_strided_slice {{.*}} {offsets = [4], strides = [1]}
func.func @s8s8(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<8xi32> {
  %0 = attn.dot_i8 %acc, %a, %b : vector<32xi8> into vector<8xi32>
  return %0 : vector<8xi32>
}

// 32 lanes: two 512-bit VPDPBUSDs; 2 lanes fit no instruction.
// X86-LABEL: func.func @wide
// X86-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"{{.*}} : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// X86-LABEL: func.func @narrow
// X86-NOT: llvm.call_intrinsic
// X86: vector.shuffle
func.func @wide(%acc: vector<32xi32>, %a: vector<128xi8>, %b: vector<128xi8>) -> vector<32xi32> {
  %0 = attn.dot_i8 %acc, %a, %b {lhs_unsigned} : vector<128xi8> into vector<32xi32>
  return %0 : vector<32xi32>
}
func.func @narrow(%acc: vector<2xi32>, %a: vector<8xi8>, %b: vector<8xi8>) -> vector<2xi32> {
  %0 = attn.dot_i8 %acc, %a, %b {lhs_unsigned} : vector<8xi8> into vector<2xi32>
  return %0 : vector<2xi32>
}
