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
           "2 x86-64-v3 (AVX2), 3 x86-64-v4 (AVX-512)">
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
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

#endif // ATTN_COMPILER_PASSES_TD
