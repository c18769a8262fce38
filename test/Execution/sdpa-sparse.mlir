// Sparse mask patterns against the fp64 reference: every pattern, their
// compositions, sizes that are not block multiples, fully masked rows,
// decode against a cache, GQA packing (lists merged over the heads of a
// group), per-head layouts, f16, and a dynamic shape (which takes the
// unclassified path: every block, mask everywhere).
// RUN: attn-check %s --tile=16x16 | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --tile=32x8 --layout=bshd --num-threads=1 --seed=5 | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s | FileCheck %s %}
// RUN: %if !sanitized %{ attn-check %s --tile=16x16 --dynamic-size=77 --entry=window_dynamic | FileCheck %s --check-prefix=DYN %}
// DYN: PASS window_dynamic: Q[1,2,77,16]

// CHECK-DAG: PASS window_causal: {{.*}} mask=window(5)
// CHECK-DAG: PASS window_bidir: {{.*}} mask=window(7,bidirectional)
// CHECK-DAG: PASS causal_strided: {{.*}} mask=and(causal,strided(3))
// CHECK-DAG: PASS global_or_window: {{.*}} mask=or(global(3),window(4))
// CHECK-DAG: PASS block_shared: {{.*}} mask=block_sparse(8,8,1,5,5,
// CHECK-DAG: PASS block_per_head: {{.*}} mask=block_sparse(16,8,2,3,5,
// CHECK-DAG: PASS window_chunk: {{.*}} mask=window(8)
// CHECK-DAG: PASS window_decode_gqa: {{.*}} mask=window(16)
// CHECK-DAG: PASS block_decode_gqa: {{.*}} mask=block_sparse(
// CHECK-DAG: PASS empty_rows: {{.*}} mask=block_sparse(
// CHECK-DAG: PASS window_dynamic: {{.*}} mask=window(6)
// CHECK-DAG: PASS window_f16: {{.*}} f16 mask=window(9)
// CHECK: attn-check: 12 of 12 entry points within tolerance

func.func @window_causal(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<5>} : (tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

func.func @window_bidir(%q: tensor<2x2x50x16xf32>, %k: tensor<2x2x50x16xf32>, %v: tensor<2x2x50x24xf32>) -> tensor<2x2x50x24xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<7, bidirectional>} : (tensor<2x2x50x16xf32>, tensor<2x2x50x16xf32>, tensor<2x2x50x24xf32>) -> tensor<2x2x50x24xf32>
  return %o : tensor<2x2x50x24xf32>
}

func.func @causal_strided(%q: tensor<1x4x40x32xf32>, %k: tensor<1x2x40x32xf32>, %v: tensor<1x2x40x32xf32>) -> tensor<1x4x40x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.and<#attn.causal, #attn.strided<3>>} : (tensor<1x4x40x32xf32>, tensor<1x2x40x32xf32>, tensor<1x2x40x32xf32>) -> tensor<1x4x40x32xf32>
  return %o : tensor<1x4x40x32xf32>
}

func.func @global_or_window(%q: tensor<1x2x45x16xf32>, %k: tensor<1x2x45x16xf32>, %v: tensor<1x2x45x16xf32>) -> tensor<1x2x45x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.or<#attn.global<3>, #attn.window<4>>} : (tensor<1x2x45x16xf32>, tensor<1x2x45x16xf32>, tensor<1x2x45x16xf32>) -> tensor<1x2x45x16xf32>
  return %o : tensor<1x2x45x16xf32>
}

func.func @block_shared(%q: tensor<1x2x37x16xf32>, %k: tensor<1x2x37x16xf32>, %v: tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<8, 8, dense<[[1, 0, 0, 0, 0], [1, 1, 0, 0, 1], [0, 1, 1, 0, 0], [1, 0, 1, 1, 0], [0, 0, 0, 1, 1]]> : tensor<5x5xi8>>} : (tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32>
  return %o : tensor<1x2x37x16xf32>
}

func.func @block_per_head(%q: tensor<1x2x40x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x40x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<16, 8, dense<[[[1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 1, 1]], [[1, 0, 0, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]]]> : tensor<2x3x5xi1>>} : (tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x40x16xf32>
  return %o : tensor<1x2x40x16xf32>
}

// A chunk of 10 queries against 40 cached keys (positions 30..39).
func.func @window_chunk(%q: tensor<1x2x10x16xf32>, %k: tensor<1x2x40x16xf32>, %v: tensor<1x2x40x16xf32>) -> tensor<1x2x10x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<8>} : (tensor<1x2x10x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x10x16xf32>
  return %o : tensor<1x2x10x16xf32>
}

func.func @window_decode_gqa(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x100x64xf32>, %v: tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<16>} : (tensor<1x8x1x64xf32>, tensor<1x2x100x64xf32>, tensor<1x2x100x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// Heads 0 and 1 share KV head 0 but not their layout rows.
func.func @block_decode_gqa(%q: tensor<1x4x1x32xf32>, %k: tensor<1x2x48x32xf32>, %v: tensor<1x2x48x32xf32>) -> tensor<1x4x1x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<48, 16, dense<[[[1, 0, 0]], [[0, 0, 1]], [[0, 1, 0]], [[1, 1, 1]]]> : tensor<4x1x3xi8>>} : (tensor<1x4x1x32xf32>, tensor<1x2x48x32xf32>, tensor<1x2x48x32xf32>) -> tensor<1x4x1x32xf32>
  return %o : tensor<1x4x1x32xf32>
}

// Query block 1 keeps nothing: its rows are 0.
func.func @empty_rows(%q: tensor<1x1x30x16xf32>, %k: tensor<1x1x30x16xf32>, %v: tensor<1x1x30x16xf32>) -> tensor<1x1x30x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.block_sparse<10, 10, dense<[[1, 1, 0], [0, 0, 0], [0, 1, 1]]> : tensor<3x3xi8>>} : (tensor<1x1x30x16xf32>, tensor<1x1x30x16xf32>, tensor<1x1x30x16xf32>) -> tensor<1x1x30x16xf32>
  return %o : tensor<1x1x30x16xf32>
}

func.func @window_dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<6>} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

func.func @window_f16(%q: tensor<1x2x70x64xf16>, %k: tensor<1x2x70x64xf16>, %v: tensor<1x2x70x64xf16>) -> tensor<1x2x70x64xf16> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<9>} : (tensor<1x2x70x64xf16>, tensor<1x2x70x64xf16>, tensor<1x2x70x64xf16>) -> tensor<1x2x70x64xf16>
  return %o : tensor<1x2x70x64xf16>
}
