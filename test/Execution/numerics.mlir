// Defined numerics (docs/Numerics.md): every row of its table, on f32 entry
// points every target compiles (dense GQA, causal and a sliding window at
// lengths that are no multiple of any block, packed GQA decode). attn-run
// puts NaN, +-inf, large, extreme or subnormal values into Q, K or V and
// checks the output element by element against the fp64 reference's defined
// answer: NaN exactly where it is NaN (a row of a NaN score; a column of a
// non-finite value, in the rows that see its key), the same infinity where
// it is infinite, within tolerance everywhere else. The AArch64 and Vulkan
// runs of this file are in test/Targets/*/execute-numerics.test.
//
// RUN: attn-check %s --numerics=q-nan,q-inf,k-nan,k-inf,v-nan,v-inf,large,extreme,denormal | FileCheck %s
// RUN: %if !sanitized %{ attn-check %s --target=x86_64-avx2 --numerics=q-nan,k-inf,v-nan,v-inf,large,extreme,denormal | FileCheck %s --check-prefix=AVX2 %}
//
// A NaN in Q makes its rows NaN (3 rows of 2 heads, every column); in K,
// every row that sees the key; in V, one column of the rows that see the
// key: under a causal mask, not the rows before it, though they share its
// block (a masked key's weight is 0, and 0 x NaN must not be computed).
// CHECK: PASS dense_gqa: {{.*}} numerics=q-nan (NaN 384 of 384 expected
// CHECK: PASS dense_gqa: {{.*}} numerics=k-nan (NaN 51200 of 51200 expected
// CHECK: PASS dense_gqa: {{.*}} numerics=v-nan (NaN 2400 of 2400 expected
// CHECK: PASS causal: {{.*}} numerics=k-nan (NaN 42624 of 42624 expected
// CHECK: PASS causal: {{.*}} numerics=v-nan (NaN 1002 of 1002 expected
// CHECK: PASS causal: {{.*}} numerics=v-inf (NaN 0 of 0 expected, inf 1002 of 1002)
// CHECK: PASS window: {{.*}} numerics=v-nan (NaN 258 of 258 expected
// CHECK: PASS decode: {{.*}} numerics=v-nan (NaN {{[1-9][0-9]*}} of {{[1-9][0-9]*}} expected
// CHECK: PASS decode: {{.*}} numerics=denormal
// CHECK: attn-check: 36 of 36 checks (entry points x numerics cases) within tolerance on host
// AVX2: attn-check: 28 of 28 checks (entry points x numerics cases) within tolerance on x86_64-avx2

func.func @dense_gqa(%q: tensor<2x4x200x64xf32>, %k: tensor<2x2x200x64xf32>, %v: tensor<2x2x200x64xf32>) -> tensor<2x4x200x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<2x4x200x64xf32>, tensor<2x2x200x64xf32>, tensor<2x2x200x64xf32>) -> tensor<2x4x200x64xf32>
  return %o : tensor<2x4x200x64xf32>
}

func.func @causal(%q: tensor<1x2x333x64xf32>, %k: tensor<1x2x333x64xf32>, %v: tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>, tensor<1x2x333x64xf32>) -> tensor<1x2x333x64xf32>
  return %o : tensor<1x2x333x64xf32>
}

func.func @window(%q: tensor<1x2x300x32xf32>, %k: tensor<1x2x300x32xf32>, %v: tensor<1x2x300x32xf32>) -> tensor<1x2x300x32xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.window<64>} : (tensor<1x2x300x32xf32>, tensor<1x2x300x32xf32>, tensor<1x2x300x32xf32>) -> tensor<1x2x300x32xf32>
  return %o : tensor<1x2x300x32xf32>
}

// Decode (one query row, bottom-right causal: every key visible) with 4
// query heads a KV head: one packed tile on the CPU.
func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x450x64xf32>, %v: tensor<1x2x450x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x1x64xf32>, tensor<1x2x450x64xf32>, tensor<1x2x450x64xf32>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
