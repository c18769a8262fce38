// The Vulkan target's phases: a gpu.func kernel per entry (one invocation
// per query row, K/V blocks staged in workgroup memory between barriers,
// online softmax in private arrays), then SPIR-V with the storage-buffer
// ABI of attn/abi.h, then host code that launches it through libattnrt.
// RUN: attnc %s --target=vulkan --emit=tiled | FileCheck %s --check-prefix=GPU
// RUN: attnc %s --target=vulkan --emit=vector | FileCheck %s --check-prefix=SPIRV
// RUN: attnc %s --target=vulkan --emit=llvm-dialect | FileCheck %s --check-prefix=HOST
// RUN: attnc %s --target=vulkan-lavapipe --emit=tiled | FileCheck %s --check-prefix=LVP

func.func @layer(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.sdpa %q, %k, %v {mask = #attn.causal} : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// GPU: module attributes {gpu.container_module, spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader], [SPV_KHR_storage_buffer_storage_class]>, api=Vulkan
// GPU: gpu.module @attn_kernels
// GPU: gpu.func @layer(%{{.*}}: memref<?xf32, #spirv.storage_class<StorageBuffer>>, {{.*}}, %{{.*}}: memref<?xi32, #spirv.storage_class<StorageBuffer>>) kernel attributes {spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>}
// GPU: gpu.thread_id x
// GPU: memref.alloca() : memref<64xf32, #spirv.storage_class<Function>>
// 16 KiB of workgroup memory: 32 rows of K and of V (D = Dv = 64).
// GPU: memref.alloc() : memref<32x64xf32, #spirv.storage_class<Workgroup>>
// GPU: memref.alloc() : memref<32x64xf32, #spirv.storage_class<Workgroup>>
// GPU: scf.for %{{.*}} = %c0 to %{{.*}} step %c32 {
// GPU-NEXT: gpu.barrier
// GPU: scf.for %{{.*}} = %thread_id_x to %c2048 step %c64 {
// GPU: gpu.barrier
// GPU: math.exp
// GPU: func.func private @__attn_kernel_layer()
// GPU-SAME: attn.gpu.kernel = "layer"
// Header, grid (x: ceil(Lq / 64); y: B * Hq; z: 1), then the loop bound in
// the key length: 132 per key + 134 per block of 32 keys + 196.
// GPU-SAME: attn.gpu.launch = array<i64: 64, 1, 1, 16384, 0, 36, 1, 0, 2, 64, 2, 0, 0, 1, 0, 1, 1, 0, 2, 132, 1, 2, 1, 134, 1, 2, 32, 196>

// SPIRV: spirv.module @__spv__attn_kernels Logical GLSL450
// SPIRV: spirv.GlobalVariable @{{.*}} : !spirv.ptr<!spirv.struct<(!spirv.array<2048 x f32>)>, Workgroup>
// SPIRV: spirv.GlobalVariable @layer_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
// SPIRV: spirv.GlobalVariable @layer_arg_4 bind(0, 4) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i32, stride=4> [0])>, StorageBuffer>
// SPIRV: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
// SPIRV: spirv.GL.Exp
// SPIRV: spirv.EntryPoint "GLCompute" @layer
// SPIRV: spirv.ExecutionMode @layer "LocalSize", 64, 1, 1

// HOST-NOT: spirv.module
// HOST-NOT: gpu.module
// HOST: llvm.func @attn_rt_vulkan_launch(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// HOST: llvm.mlir.global internal constant @__attn_spirv(dense<"0x03022307
// HOST: llvm.func @layer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> !llvm.ptr
// HOST: llvm.call @attn_rt_vulkan_launch

// lavapipe's profile: 32 KiB of workgroup memory, 64 rows of K and V.
// LVP: memref.alloc() : memref<64x64xf32, #spirv.storage_class<Workgroup>>
// LVP: attn.gpu.launch = array<i64: 64, 1, 1, 32768,
