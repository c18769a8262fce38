// RUN: attn-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// attn.dot_i8 round-trips; its verifier wants 4 bytes per int32 lane and
// fixed-length vectors.

// CHECK-LABEL: func.func @round_trip
// CHECK: attn.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} {lhs_unsigned} : vector<32xi8> into vector<8xi32>
// CHECK: attn.dot_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi8> into vector<4xi32>
func.func @round_trip(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>,
                      %acc4: vector<4xi32>, %c: vector<16xi8>) -> (vector<8xi32>, vector<4xi32>) {
  %0 = attn.dot_i8 %acc, %a, %b {lhs_unsigned} : vector<32xi8> into vector<8xi32>
  %1 = attn.dot_i8 %acc4, %c, %c : vector<16xi8> into vector<4xi32>
  return %0, %1 : vector<8xi32>, vector<4xi32>
}

// -----

func.func @bytes_per_lane(%acc: vector<8xi32>, %a: vector<16xi8>) -> vector<8xi32> {
  // expected-error @+1 {{needs 4 bytes per int32 lane: 16 bytes into 8 lanes}}
  %0 = attn.dot_i8 %acc, %a, %a : vector<16xi8> into vector<8xi32>
  return %0 : vector<8xi32>
}

// -----

func.func @scalable(%acc: vector<[4]xi32>, %a: vector<[16]xi8>) -> vector<[4]xi32> {
  // expected-error @+1 {{needs fixed-length vectors}}
  %0 = attn.dot_i8 %acc, %a, %a : vector<[16]xi8> into vector<[4]xi32>
  return %0 : vector<[4]xi32>
}

// -----

func.func @wrong_element(%acc: vector<8xi32>, %a: vector<32xi16>) -> vector<8xi32> {
  // expected-error @+1 {{must be vector of 8-bit signless integer values of ranks 1}}
  %0 = attn.dot_i8 %acc, %a, %a : vector<32xi16> into vector<8xi32>
  return %0 : vector<8xi32>
}

// -----

// attn.mmla_i8: a 2 x 8 by 8 x 2 byte matrix product into a 2 x 2 int32
// tile, exactly vector<16xi8> operands and a vector<4xi32> accumulator.
// CHECK-LABEL: func.func @mmla_round_trip
// CHECK: attn.mmla_i8 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi8> into vector<4xi32>
func.func @mmla_round_trip(%acc: vector<4xi32>, %a: vector<16xi8>, %b: vector<16xi8>) -> vector<4xi32> {
  %0 = attn.mmla_i8 %acc, %a, %b : vector<16xi8> into vector<4xi32>
  return %0 : vector<4xi32>
}

// -----

func.func @mmla_width(%acc: vector<4xi32>, %a: vector<32xi8>) -> vector<4xi32> {
  // expected-error @+1 {{operand #1 must be fixed-length vector of 8-bit signless integer values of length 16}}
  %0 = attn.mmla_i8 %acc, %a, %a : vector<32xi8> into vector<4xi32>
  return %0 : vector<4xi32>
}
