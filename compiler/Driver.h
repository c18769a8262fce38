//===- Driver.h - the compiler as a library ---------------------*- C++ -*-===//
//
// What attnc does, callable from other tools (attn-check, attn-bench, tests):
// load an input, run the phases, emit a header or machine code.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_DRIVER_H
#define ATTN_COMPILER_DRIVER_H

#include "compiler/Codegen.h"
#include "compiler/Pipelines.h"
#include "targets/TargetDescription.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace mlir::attn {

/// A context with every dialect and extension attnc uses registered.
std::unique_ptr<MLIRContext> createAttncContext();

/// Loads `path`: a JSON model description when it ends in ".json", the
/// attention of an ONNX model when it ends in ".onnx" (compiler/OnnxImport.h),
/// an .mlir file otherwise ("-" reads .mlir from stdin). Errors go to `errs`
/// (JSON) or the context's diagnostic handler (MLIR); returns null on failure.
OwningOpRef<ModuleOp> loadInput(MLIRContext &context, llvm::StringRef path,
                                llvm::raw_ostream &errs);

/// Runs the MLIR phases from the input up to and including `last`
/// (at most llvm-dialect). The attn phase verifies the input first.
LogicalResult runPhases(ModuleOp module, Phase last,
                        const TargetDescription &target);

/// Compiles `module` (as loaded) all the way to an object file in memory.
LogicalResult compileToObject(ModuleOp module, const TargetDescription &target,
                              llvm::SmallVectorImpl<char> &object,
                              Sanitizer sanitizer = Sanitizer::None);

/// Compiles `module` (as loaded) to `dir`/kernel.o and links it with lld
/// into the shared library `dir`/kernel.so, whose path is returned. The
/// runtime's symbols stay undefined: the program that loads the library
/// provides them.
FailureOr<std::string>
compileToSharedLibrary(ModuleOp module, const TargetDescription &target,
                       llvm::StringRef dir,
                       Sanitizer sanitizer = Sanitizer::None);

} // namespace mlir::attn

#endif // ATTN_COMPILER_DRIVER_H
