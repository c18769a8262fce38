// Packed KV tiles (q8_0 keys, q4_0 values) are dequantized by vector code
// on every x86 level: the block's bytes widened to 32-bit lanes in one
// instruction per vector (vpmovsxbd for q8_0's signed bytes), converted to
// f32 as vectors, the fp16 scale read as a half and converted; no scalar
// int-to-float conversion anywhere.
// RUN: attnc %s --target=x86_64-avx512 --emit=asm -o - | FileCheck %s --check-prefixes=AVX512 --implicit-check-not=cvtsi2ss
// RUN: attnc %s --target=x86_64-avx2 --emit=asm -o - | FileCheck %s --check-prefixes=AVX2 --implicit-check-not=cvtsi2ss
// RUN: attnc %s --target=x86_64 --emit=asm -o - | FileCheck %s --check-prefixes=SSE --implicit-check-not=cvtsi2ss

// AVX512-DAG: vpmovsxbd {{.*}}%zmm
// AVX512-DAG: vcvtdq2ps %zmm{{[0-9]+}}, %zmm
// AVX512-DAG: vcvt{{ph2ps|sh2ss}}
// AVX2-DAG: vpmovsxbd {{.*}}%ymm
// AVX2-DAG: vcvtdq2ps %ymm{{[0-9]+}}, %ymm
// AVX2-DAG: vcvtph2ps
// SSE-DAG: pmovsxbd {{.*}}%xmm
// SSE-DAG: cvtdq2ps %xmm{{[0-9]+}}, %xmm
func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x512x68xi8>, %v: tensor<1x2x512x36xi8>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v {key_format = #attn.block_format<q8_0>, value_format = #attn.block_format<q4_0>} : (tensor<1x8x1x64xf32>, tensor<1x2x512x68xi8>, tensor<1x2x512x36xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
