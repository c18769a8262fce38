// RUN: attn-opt %s --attn-lower-int8-dot=mmla=arm-i8mm | FileCheck %s --check-prefix=ARM
// RUN: attn-opt %s --attn-lower-int8-dot | FileCheck %s --check-prefix=GEN
// RUN: not attn-opt %s --attn-lower-int8-dot=mmla=sve 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown mmla 'sve' (expected arm-i8mm or generic)

// SMMLA (+i8mm): the upstream arm_neon op.
// ARM-LABEL: func.func @tile
// ARM: arm_neon.intr.smmla %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi8> to vector<4xi32>
// ARM-NOT: attn.mmla_i8
// The definition: lane 2i + j sums row i of lhs times row j of rhs, 8
// widened products each.
// GEN-LABEL: func.func @tile
// GEN: vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [8], strides = [1]}
// GEN: arith.extsi {{.*}} : vector<8xi8> to vector<8xi32>
// GEN: arith.muli {{.*}} : vector<8xi32>
// GEN: vector.reduction <add>
// GEN: vector.extract %{{.*}}[0] : i32 from vector<4xi32>
// GEN-COUNT-3: vector.reduction <add>
// GEN: vector.insert %{{.*}}, %{{.*}} [3] : i32 into vector<4xi32>
// GEN-NOT: attn.mmla_i8
func.func @tile(%acc: vector<4xi32>, %a: vector<16xi8>, %b: vector<16xi8>) -> vector<4xi32> {
  %0 = attn.mmla_i8 %acc, %a, %b : vector<16xi8> into vector<4xi32>
  return %0 : vector<4xi32>
}
