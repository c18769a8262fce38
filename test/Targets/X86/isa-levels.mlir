// Each x86 target stamps the instruction-set level the runtime checks before
// running its code (attn/abi.h), and uses no wider registers than it has.
// RUN: attnc %s --target=x86_64 --emit=llvm-dialect | FileCheck %s --check-prefix=V2
// RUN: attnc %s --target=x86_64-avx2 --emit=llvm-dialect | FileCheck %s --check-prefix=V3
// RUN: attnc %s --target=x86_64-avx512 --emit=llvm-dialect | FileCheck %s --check-prefix=V4
// RUN: attnc %s --target=x86_64 --emit=asm | FileCheck %s --check-prefix=ASM-V2
// RUN: attnc %s --target=x86_64-avx2 --emit=asm | FileCheck %s --check-prefix=ASM-V3

// V2: @f__attn_signature(dense<[1, 1,
// V3: @f__attn_signature(dense<[1, 2,
// V4: @f__attn_signature(dense<[1, 3,

// ASM-V2-NOT: ymm
// ASM-V2-NOT: zmm
// ASM-V2: callq attn_rt_bind_args
// ASM-V3-NOT: zmm
// ASM-V3: callq attn_rt_bind_args
func.func @f(%q: tensor<1x2x16x64xf32>, %k: tensor<1x2x16x64xf32>, %v: tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32> {
  %o = attn.sdpa %q, %k, %v : (tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return %o : tensor<1x2x16x64xf32>
}
