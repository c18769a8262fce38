//===- Passes.td - attnc's entry-point ABI passes -----------*- tablegen -*-===//
//
// The two passes that give compiled functions their C entry points: one on
// tensors (before bufferization), one on the LLVM dialect (after lowering).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_PASSES_TD
#define ATTN_COMPILER_PASSES_TD

include "mlir/Pass/PassBase.td"

def MakeEntryPoints : Pass<"attn-make-entry-points", "::mlir::ModuleOp"> {
  let summary = "Turn public tensor functions into destination-passing kernels";
  let description = [{
    Rewrites every public `func.func` on ranked tensors into a kernel on
    strided memrefs that writes each result into an output buffer:

    ```mlir
    func.func @f(%q: tensor<...>, ...) -> tensor<...>
    // becomes
    func.func @__attn_kernel_f(%ctx: !llvm.ptr,
                               %q: memref<..., strided<[?, ...], offset: ?>>,
                               ..., %out: memref<...>)
        attributes {attn.entry = "f", attn.signature = array<i64: ...>,
                    attn.arg_names = "f:query,key,value,out",
                    llvm.emit_c_interface}
    ```

    The first argument is the runtime context (`attn_context_t *`), which
    parallel loops hand to the runtime's thread pool. Inputs become
    `bufferization.to_tensor ... restrict`, results
    `bufferization.materialize_in_destination ... restrict writable`. The
    signature table (attn/abi.h) records dtypes, static sizes, which dynamic
    sizes must agree and which must divide, for the runtime to check.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def EmitCEntryPoints : Pass<"attn-emit-c-entry-points", "::mlir::ModuleOp"> {
  let summary = "Emit the C entry point of each kernel (LLVM dialect)";
  let description = [{
    For every kernel marked `attn.entry` by attn-make-entry-points and
    lowered to the LLVM dialect, emits the public function

    ```c
    attn_status_t f(attn_context_t *ctx, const attn_tensor_t *query, ...,
                    attn_tensor_t *out);
    ```

    which asks the runtime (`attn_rt_bind_args`) to check every argument
    against the signature table and fill memref descriptors, returns the
    runtime's status on a mismatch, and otherwise calls the kernel. The
    kernel and its C-interface wrapper become internal symbols.
  }];
  let options = [
    Option<"isaLevel", "isa-level", "int64_t", "0",
           "Instruction-set level (attn_abi_isa_t) the runtime must find on "
           "the CPU before running the code: 0 any, 1 x86-64-v2, "
           "2 x86-64-v3 (AVX2), 3 x86-64-v4 (AVX-512), 4 x86-64-v4 with "
           "AVX-512 VNNI, 5 x86-64-v3 with AVX-VNNI">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def LowerCopies : Pass<"attn-lower-copies"> {
  let summary = "Rewrite memref.copy into linalg.copy";
  let description = [{
    Bufferization copies between memrefs with `memref.copy`, which the LLVM
    lowering turns into a call to `memrefCopy` from MLIR's runner-utils
    library whenever a layout is not the identity. Generated objects link only
    against libattnrt, so attnc rewrites every copy into `linalg.copy`, which
    lowers to loops (and later to vector code) like any other linalg op.

    With `lanes` > 0, copies of 2-D memrefs whose rows are contiguous and of
    a static length that is a multiple of `lanes` (at most 16 vectors) --
    attention's key and value blocks -- become a loop over rows of vector
    loads and stores, instead of a scalar loop that LLVM may unroll rather
    than vectorize.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "0",
           "Elements per vector for row copies; 0 leaves every copy to the "
           "loop lowering">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowerInt8Dot : Pass<"attn-lower-int8-dot"> {
  let summary = "Lower attn.dot_i8 / dot_bf16 / mmla_i8 to the target's instructions";
  let description = [{
    Rewrites each `attn.dot_i8` (vectors: 4 bytes per int32 lane) into

    - `x86-vnni`: `llvm.x86.avx512.vpdpbusd.{128,256,512}` (VPDPBUSD;
      AVX-512 VNNI, or AVX-VNNI's VEX form for 128/256 bits); the op must
      have `lhs_unsigned`, as the instruction multiplies unsigned by signed
      bytes. Other lane counts are split into 4-, 8- or 16-lane pieces.
    - `arm-dotprod`: `arm_neon.intr.sdot` on 4-lane pieces (SDOT, signed x
      signed; ops with `lhs_unsigned` take the generic form).
    - `generic`: the op's definition in widened integer vector code
      (extend, multiply, four strided shuffles, adds), for any target.

    and each `attn.dot_bf16` (2 bf16 per f32 lane; the name predates it)
    into

    - `bf16=x86-avx512bf16`: `x86vector.avx512.dot` (VDPBF16PS) on 16-, 8-
      or 4-lane pieces (the 256- and 128-bit forms need AVX-512 VL, which
      every AVX-512 target of attnc has);
    - `bf16=arm-bf16`: `llvm.aarch64.neon.bfdot.v4f32.v8bf16` (BFDOT,
      +bf16) on 4-lane pieces;
    - `bf16=generic`: its definition in f32 vector code (widen the even
      and odd lanes, two fused multiply-adds).

    and each `attn.mmla_i8` (a 2x8 by 8x2 byte matrix product) into

    - `mmla=arm-i8mm`: upstream `arm_neon.intr.smmla` (SMMLA, +i8mm);
    - `mmla=generic`: its definition in widened integer vector code.

    Runs after bufferization: the intrinsic calls it creates have no
    declared memory effects, which buffer deallocation refuses.
  }];
  let options = [
    Option<"isa", "isa", "std::string", "\"generic\"",
           "Instruction to use: x86-vnni, arm-dotprod or generic">,
    Option<"bf16", "bf16", "std::string", "\"generic\"",
           "bf16 pair products: x86-avx512bf16, arm-bf16 or generic">,
    Option<"mmla", "mmla", "std::string", "\"generic\"",
           "Byte matrix products (attn.mmla_i8): arm-i8mm or generic">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::x86vector::X86VectorDialect",
                           "::mlir::arm_neon::ArmNeonDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def OutlineParallel : Pass<"attn-outline-parallel", "::mlir::ModuleOp"> {
  let summary = "Run the scf.forall loops of entry kernels on the runtime's threads";
  let description = [{
    Replaces each `scf.forall` (on memrefs, after bufferization, with zero
    lower bounds and unit steps) of an entry kernel by a call

    ```c
    attn_context_parallel_for(ctx, count, 1, body, &closure);
    ```

    where `ctx` is the kernel's context argument, `count` the product of the
    loop's upper bounds, and `body` a new function
    `void body(void *closure, int64_t begin, int64_t end)` that recovers the
    loop indices of each linear index in [begin, end) and runs the loop's
    body. Values the body uses from outside travel in a stack-allocated
    closure struct (memrefs as their LLVM descriptors). Loops elsewhere are
    left alone (scf-forall-to-for makes them sequential).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def MakeGPUEntryPoints : Pass<"attn-make-gpu-entry-points",
                              "::mlir::ModuleOp"> {
  let summary = "Turn public attention functions into Vulkan compute kernels";
  let description = [{
    The Vulkan target's counterpart of attn-make-entry-points. Each public
    function whose body is one `attn.sdpa` of its arguments becomes

    - a kernel `gpu.func` in the module's `gpu.module @attn_kernels` (see
      passes/Conversion/AttnToGPU/SdpaKernel.h: one invocation per query
      row, key/value blocks staged in workgroup memory, online softmax),
      with the storage-buffer ABI of attn/abi.h (binding i = argument i,
      then an i32 parameter buffer of offsets, sizes and strides), and
    - a declaration `func.func private @__attn_kernel_<entry>` carrying the
      entry's signature table (`attn.signature`), argument names, kernel
      symbol (`attn.gpu.kernel`) and launch table (`attn.gpu.launch`:
      workgroup size, workgroup memory, grid as products of argument
      dimensions), from which attn-emit-vulkan-entry-points writes the C
      entry point.

    The module gets `gpu.container_module` and a `spirv.target_env` from the
    options (the target's device profile). Anything the kernel cannot do
    yet (other attn ops, run-time masks, bias, f16) is a diagnostic at the
    op.
  }];
  let options = [
    Option<"workgroupSize", "workgroup-size", "int64_t", "64",
           "Invocations per workgroup (query rows per workgroup)">,
    Option<"sharedMemoryBytes", "shared-memory", "int64_t", "16384",
           "Workgroup memory available to a kernel, in bytes">,
    Option<"maxInvocations", "max-invocations", "int64_t", "128",
           "The device profile's maxComputeWorkGroupInvocations">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::spirv::SPIRVDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::arith::ArithDialect"];
}

def EmitVulkanEntryPoints : Pass<"attn-emit-vulkan-entry-points",
                                 "::mlir::ModuleOp"> {
  let summary = "Embed SPIR-V and emit the C entry points that launch it";
  let description = [{
    Serialises each `spirv.module` (the converted `gpu.module`) into SPIR-V
    words held by an internal global, and for every kernel declaration of
    attn-make-gpu-entry-points emits the public function

    ```c
    attn_status_t f(attn_context_t *ctx, const attn_tensor_t *query, ...,
                    attn_tensor_t *out);
    ```

    which calls `attn_rt_vulkan_launch` (attn/abi.h) with the signature
    table, the SPIR-V, the kernel's entry point name and its launch table.
    The runtime checks the arguments as for CPU code, checks the device
    against the kernel's needs, and uploads, dispatches and downloads. The
    GPU and SPIR-V modules and the declarations are removed: what remains
    is host code in the LLVM dialect.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ATTN_COMPILER_PASSES_TD
