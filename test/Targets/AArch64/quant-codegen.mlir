// Packed KV tiles (q8_0 keys, q4_0 values) on AArch64, cross-compiled here:
// the blocks' bytes widened to 32-bit lanes and converted as vectors
// (scvtf on .4s), the fp16 scale broadcast and converted as a vector
// (fcvtl); no scalar int-to-float conversion. Decode prefetches the K and V
// blocks two steps ahead (prfm). int8 K / V with scales convert the same
// way (decode_int8_scales).
// RUN: attnc %s --target=cortex-a76 --emit=asm -o - | FileCheck %s --implicit-check-not='scvtf s' --implicit-check-not='scvtf d'
// RUN: attnc %s --target=cortex-a72 --emit=asm -o - | FileCheck %s --implicit-check-not='scvtf s' --implicit-check-not='scvtf d'

// CHECK-DAG: scvtf v{{[0-9]+}}.4s, v{{[0-9]+}}.4s
// CHECK-DAG: fcvtl v{{[0-9]+}}.4s, v{{[0-9]+}}.4h
// CHECK-DAG: prfm pldl1keep
func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x512x68xi8>, %v: tensor<1x2x512x36xi8>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x512x68xi8>, tensor<1x2x512x36xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}

// int8 K / V with scales (per token f16 keys, per channel f32 values): the
// values converted as vectors too, each row's scale broadcast.
func.func @decode_int8_scales(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x512x64xi8>, %v: tensor<1x2x512x64xi8>, %ks: tensor<1x2x512x1xf16>, %vs: tensor<1x2x1x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x512x1xf16>) value_scales(%vs : tensor<1x2x1x64xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x512x64xi8>, tensor<1x2x512x64xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
