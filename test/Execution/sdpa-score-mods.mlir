// Score modifiers against the fp64 reference: soft-capping, ALiBi, relative
// position bias, an additive bias tensor (broadcast and full), user regions
// (whose meaning each test states with attn.reference_score_mod), all of
// them with masks, GQA decode packing and f16.
// RUN: attn-check %s --tile=16x16 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --layout=bshd --num-threads=1 --seed=9 | FileCheck %s %}

// CHECK-DAG: PASS softcap: {{.*}} mods=softcap(2)
// CHECK-DAG: PASS alibi_causal: {{.*}} mask=causal mods=alibi(0.5,0.25,0.125,0.0625)
// CHECK-DAG: PASS relbias_window: {{.*}} mask=window(9) mods=relbias(3,1,
// CHECK-DAG: PASS relbias_per_head: {{.*}} mods=relbias(2,2,
// CHECK-DAG: PASS bias_broadcast: {{.*}} mask=causal bias layout
// CHECK-DAG: PASS bias_full: {{.*}} bias layout
// CHECK-DAG: PASS region_softcap: {{.*}} mods=softcap(3)
// CHECK-DAG: PASS region_table: {{.*}} mods=relbias(1,1,
// CHECK-DAG: PASS everything_decode: {{.*}} mask=window(20) bias mods=softcap(4);alibi(
// CHECK-DAG: PASS alibi_f16: {{.*}} f16 mask=causal mods=alibi(
// CHECK: attn-check: 10 of 10 entry points within tolerance

func.func @softcap(%q: tensor<1x2x33x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x33x16xf32> {
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.softcap<2.0>], scale = 1.5 : f32} : (tensor<1x2x33x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x33x16xf32>
  return %o : tensor<1x2x33x16xf32>
}

func.func @alibi_causal(%q: tensor<1x4x37x32xf32>, %k: tensor<1x4x37x32xf32>, %v: tensor<1x4x37x32xf32>) -> tensor<1x4x37x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, modifiers = [#attn.alibi<dense<[0.5, 0.25, 0.125, 0.0625]> : tensor<4xf32>>]} : (tensor<1x4x37x32xf32>, tensor<1x4x37x32xf32>, tensor<1x4x37x32xf32>) -> tensor<1x4x37x32xf32>
  return %o : tensor<1x4x37x32xf32>
}

func.func @relbias_window(%q: tensor<1x2x50x16xf32>, %k: tensor<1x2x50x16xf32>, %v: tensor<1x2x50x16xf32>) -> tensor<1x2x50x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<9>, modifiers = [#attn.relative_bias<3, dense<[[0.3, -0.2, 0.1, 0.5, -0.4, 0.25, 0.7]]> : tensor<1x7xf32>>]} : (tensor<1x2x50x16xf32>, tensor<1x2x50x16xf32>, tensor<1x2x50x16xf32>) -> tensor<1x2x50x16xf32>
  return %o : tensor<1x2x50x16xf32>
}

func.func @relbias_per_head(%q: tensor<2x2x20x16xf32>, %k: tensor<2x2x20x16xf32>, %v: tensor<2x2x20x16xf32>) -> tensor<2x2x20x16xf32> {
  %o = attn.sdpa %q, %k, %v {modifiers = [#attn.relative_bias<2, dense<[[1.0, 0.5, 0.0, -0.5, -1.0], [-1.0, 0.0, 2.0, 0.0, -1.0]]> : tensor<2x5xf32>>]} : (tensor<2x2x20x16xf32>, tensor<2x2x20x16xf32>, tensor<2x2x20x16xf32>) -> tensor<2x2x20x16xf32>
  return %o : tensor<2x2x20x16xf32>
}

func.func @bias_broadcast(%q: tensor<2x2x24x16xf32>, %k: tensor<2x2x30x16xf32>, %v: tensor<2x2x30x16xf32>, %m: tensor<1x1x24x30xf32>) -> tensor<2x2x24x16xf32> {
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x1x24x30xf32>) {mask = #attn.causal} : (tensor<2x2x24x16xf32>, tensor<2x2x30x16xf32>, tensor<2x2x30x16xf32>) -> tensor<2x2x24x16xf32>
  return %o : tensor<2x2x24x16xf32>
}

func.func @bias_full(%q: tensor<2x4x17x16xf32>, %k: tensor<2x2x21x16xf32>, %v: tensor<2x2x21x16xf32>, %m: tensor<2x4x17x21xf32>) -> tensor<2x4x17x16xf32> {
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<2x4x17x21xf32>) : (tensor<2x4x17x16xf32>, tensor<2x2x21x16xf32>, tensor<2x2x21x16xf32>) -> tensor<2x4x17x16xf32>
  return %o : tensor<2x4x17x16xf32>
}

// A soft cap written by hand as a region.
func.func @region_softcap(%q: tensor<1x2x30x16xf32>, %k: tensor<1x2x30x16xf32>, %v: tensor<1x2x30x16xf32>) -> tensor<1x2x30x16xf32> {
  %o = attn.sdpa %q, %k, %v {attn.reference_score_mod = "softcap(3)", scale = 2.0 : f32} score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %c = arith.constant 3.0 : f32
    %d = arith.divf %s, %c : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %c, %t : f32
    attn.yield %r : f32
  } : (tensor<1x2x30x16xf32>, tensor<1x2x30x16xf32>, tensor<1x2x30x16xf32>) -> tensor<1x2x30x16xf32>
  return %o : tensor<1x2x30x16xf32>
}

// A region reading a table defined above it: bias[clamp(k - q, -1, 1) + 1].
func.func @region_table(%q: tensor<1x2x25x16xf32>, %k: tensor<1x2x25x16xf32>, %v: tensor<1x2x25x16xf32>) -> tensor<1x2x25x16xf32> {
  %table = arith.constant dense<[0.75, -0.5, 0.25]> : tensor<3xf32>
  %o = attn.sdpa %q, %k, %v {attn.reference_score_mod = "relbias(1,1,0.75,-0.5,0.25)", mask = #attn.causal} score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %lo = arith.constant -1 : index
    %hi = arith.constant 1 : index
    %d = arith.subi %j, %i : index
    %d1 = arith.maxsi %d, %lo : index
    %d2 = arith.minsi %d1, %hi : index
    %e = arith.addi %d2, %hi : index
    %x = tensor.extract %table[%e] : tensor<3xf32>
    %r = arith.addf %s, %x : f32
    attn.yield %r : f32
  } : (tensor<1x2x25x16xf32>, tensor<1x2x25x16xf32>, tensor<1x2x25x16xf32>) -> tensor<1x2x25x16xf32>
  return %o : tensor<1x2x25x16xf32>
}

// Bias, two modifiers, a mask and GQA decode packing (4 heads per KV head
// in one tile: the per-head slopes and bias rows must follow the rows).
func.func @everything_decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x70x64xf32>, %v: tensor<1x2x70x64xf32>, %m: tensor<1x8x1x70xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v bias(%m : tensor<1x8x1x70xf32>) {mask = #attn.window<20>, modifiers = [#attn.softcap<4.0>, #attn.alibi<dense<[0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]> : tensor<8xf32>>]} : (tensor<1x8x1x64xf32>, tensor<1x2x70x64xf32>, tensor<1x2x70x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

func.func @alibi_f16(%q: tensor<1x2x40x64xf16>, %k: tensor<1x2x40x64xf16>, %v: tensor<1x2x40x64xf16>) -> tensor<1x2x40x64xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal, modifiers = [#attn.alibi<dense<[0.25, 0.0625]> : tensor<2xf32>>]} : (tensor<1x2x40x64xf16>, tensor<1x2x40x64xf16>, tensor<1x2x40x64xf16>) -> tensor<1x2x40x64xf16>
  return %o : tensor<1x2x40x64xf16>
}
