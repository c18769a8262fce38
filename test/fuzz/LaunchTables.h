//===- LaunchTables.h - Vulkan launch tables attnc writes -------*- C++ -*-===//
//
// Signatures and launch tables (attn/abi.h) as attnc writes them
// (`attnc --target=vulkan... --emit=llvm-dialect`), for the launch fuzzer
// (FuzzLaunch.cpp) and the planner's unit test (test/unit).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_FUZZ_LAUNCHTABLES_H
#define ATTN_TEST_FUZZ_LAUNCHTABLES_H

#include <cstdint>

namespace attn_launch_tables {

// attn.sdpa, causal, Q [s0, s1, s2, 64], K/V [s0, s3, s4, 64], s3 | s1.
inline constexpr int64_t kDynSig[] = {
    1, 0, 4,  1,  1,  4,  0, -1, -2, -3, 64, 1,  4,  0, -1, -4, -5, 64, 1,
    4, 0, -1, -4, -5, 64, 1, 4,  1,  -1, -2, -3, 64, 1, 0,  1,  1,  1};
inline constexpr int64_t kDynLaunch[] = {64, 1, 1, 16384, 0, 36, 1,  0,  2, 64,
                                         2,  0, 0, 1,     0, 1,  1,  0,  2, 132,
                                         1,  2, 1, 134,   1, 2,  32, 196};
inline constexpr int64_t kDynDesktopLaunch[] = {
    64, 1, 1, 32768, 0, 36,  1, 0, 2, 64,  2, 0, 0,  1,
    0,  1, 1, 0,     2, 132, 1, 2, 1, 198, 1, 2, 64, 196};
// Window 64, Q [2, 8, 300, 32], K [2, 2, 300, 32], V [2, 2, 300, 48].
inline constexpr int64_t kWindowSig[] = {
    1, 0, 4, 1, 1,   4,  0, 2, 8, 300, 32, 1,   4,  0, 2, 2, 300, 32, 1,
    4, 0, 2, 2, 300, 48, 1, 4, 1, 2,   8,  300, 48, 1, 0, 1, 1,   1};
inline constexpr int64_t kWindowLaunch[] = {
    64, 1, 1, 16320, 0, 36, 1, 0, 2, 64,  2, 0, 0,  1,
    0,  1, 1, 0,     2, 84, 1, 2, 1, 119, 1, 2, 51, 132};
// Q [1, 1, s0, 64], K/V [1, 1, s1, 64] (lavapipe profile).
inline constexpr int64_t kLongSig[] = {
    1, 0, 4, 1, 1,  4,  0, 1, 1, -1, 64, 1,  4,  0, 1, 1, -2, 64, 1,
    4, 0, 1, 1, -2, 64, 1, 4, 1, 1,  1,  -1, 64, 1, 0, 1, 1,  1};
inline constexpr int64_t kLongLaunch[] = {
    64, 1, 1, 32768, 0, 36,  1, 0, 2, 64,  2, 0, 0,  1,
    0,  1, 1, 0,     2, 132, 1, 2, 1, 198, 1, 2, 64, 196};

} // namespace attn_launch_tables

#endif // ATTN_TEST_FUZZ_LAUNCHTABLES_H
