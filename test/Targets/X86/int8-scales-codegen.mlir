// int8 K / V with scales on AVX2: each row's bytes sign-extended to 32-bit
// lanes and converted as vectors (vpmovsxbd, vcvtdq2ps), the f16 scale
// converted once a row (vcvtph2ps) and broadcast; no scalar int-to-float
// conversion in the dequantization.
// RUN: attnc %s --target=x86_64-avx2 --emit=asm -o - | FileCheck %s --implicit-check-not=vcvtsi2ss

// CHECK-DAG: vpmovsxbd
// CHECK-DAG: vcvtdq2ps
// CHECK-DAG: vcvtph2ps
func.func @decode_int8_scales(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x512x64xi8>, %v: tensor<1x2x512x64xi8>, %ks: tensor<1x2x512x1xf16>, %vs: tensor<1x2x1x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.sdpa %q, %k, %v key_scales(%ks : tensor<1x2x512x1xf16>) value_scales(%vs : tensor<1x2x1x64xf32>) : (tensor<1x8x1x64xf32>, tensor<1x2x512x64xi8>, tensor<1x2x512x64xi8>) -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
