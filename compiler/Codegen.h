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

/// Sanitizer instrumentation of generated code (attnc --sanitize): LLVM's
/// AddressSanitizer or ThreadSanitizer passes run after -O3, so a program
/// built with the same -fsanitize checks the kernels' own memory accesses.
enum class Sanitizer { None, Address, Thread };

/// Parses "address" / "thread" / "" (none).
std::optional<Sanitizer> parseSanitizer(llvm::StringRef name);

/// Writes `module` (in the LLVM dialect) as `phase` (LLVMIR, Asm or Obj) for
/// `target` to `os`. LLVM IR is optimised at -O3 for the target, then
/// instrumented for `sanitizer`. Errors are reported as diagnostics on the
/// module.
LogicalResult emitMachineCode(ModuleOp module, const TargetDescription &target,
                              Phase phase, llvm::raw_pwrite_stream &os,
                              Sanitizer sanitizer = Sanitizer::None);

/// Writes the SPIR-V binary of the kernels of `module` (after the Vulkan
/// target's vector phase, which leaves one spirv.module) to `os`.
LogicalResult emitSPIRVBinary(ModuleOp module, llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTN_COMPILER_CODEGEN_H
