//===- Passes.h - attnc's entry-point ABI passes ----------------*- C++ -*-===//

#ifndef ATTN_COMPILER_PASSES_H
#define ATTN_COMPILER_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

/// Name of the kernel function generated for entry point `entry`.
std::string kernelNameFor(StringRef entry);

/// The declaration of the libattnrt function `name` in `module` (an
/// `llvm.func` of `type`), created at the top of the module if missing.
LLVM::LLVMFuncOp getOrDeclareRuntimeFunction(ModuleOp module, StringRef name,
                                             LLVM::LLVMFunctionType type);

/// Creates, at the builder's position, the public C entry point `entry`:
/// `ptr entry(ptr ctx, ptr arg0, ..., ptr arg{numArgs-1})`, and in its entry
/// block (where it leaves the builder) an array `argv` of the tensor
/// pointers, as the runtime's binding functions take them.
LLVM::LLVMFuncOp createCEntryPoint(OpBuilder &b, Location loc, StringRef entry,
                                   int64_t numArgs, Value &argv);

#define GEN_PASS_DECL
#include "compiler/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_COMPILER_PASSES_H
