//===- Codegen.h - LLVM dialect to LLVM IR, assembly and objects -*- C++
//-*-===//
//
// The last phases of attnc, done in process with LLVM's TargetMachine (no
// llc): translate the LLVM dialect module to LLVM IR, optimise it for the
// target, and print IR, assembly or an object file.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_CODEGEN_H
#define ATTN_COMPILER_CODEGEN_H

#include "compiler/Pipelines.h"
#include "targets/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// Writes `module` (in the LLVM dialect) as `phase` (LLVMIR, Asm or Obj) for
/// `target` to `os`. LLVM IR is optimised at -O3 for the target. Errors are
/// reported as diagnostics on the module.
LogicalResult emitMachineCode(ModuleOp module, const TargetDescription &target,
                              Phase phase, llvm::raw_pwrite_stream &os);

/// Writes the SPIR-V binary of the kernels of `module` (after the Vulkan
/// target's vector phase, which leaves one spirv.module) to `os`.
LogicalResult emitSPIRVBinary(ModuleOp module, llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTN_COMPILER_CODEGEN_H
