/*===- LLVMPoisonShim.h - keep LLVM's headers from poisoning memory ------===*
 *
 * Force-included (-include) in the ATTN_FUZZ build. Under ASan, LLVM's
 * header-only allocators (BumpPtrAllocator, Recycler) poison the memory they
 * hand back and unpoison what they hand out. attnc's code is instrumented but
 * Debian's libLLVM/libMLIR are not: an allocator reset inline in attnc's code
 * poisons memory that the library's own, uninstrumented Allocate later hands
 * out without unpoisoning, and ASan reports a use-after-poison in MLIR that
 * is no bug (the first fuzzing run found exactly that). With the two calls
 * made no-ops every real heap error is still reported.
 *
 *===----------------------------------------------------------------------===*/

#ifndef ATTN_TEST_FUZZ_LLVMPOISONSHIM_H
#define ATTN_TEST_FUZZ_LLVMPOISONSHIM_H

#ifdef __cplusplus
#include "llvm/Support/Compiler.h"
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))
#endif

#endif
