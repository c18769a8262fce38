#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds attnc into
# ${ATTN_BUILD_DIR:-build}. Safe to run repeatedly (incremental).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build"
fi
ninja -C "$build" -j "$(nproc)" all mlir-doc

# The target side for AArch64 (libattnrt, attn-run), cross-built with
# Debian's cross toolchain when it is installed: the AArch64 execution tests
# run it under qemu-aarch64.
if command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  cross="$build/aarch64"
  if [[ ! -f "$cross/build.ninja" ]]; then
    cmake -G Ninja -S "$root" -B "$cross" -DATTN_RUNTIME_ONLY=ON \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake"
  fi
  ninja -C "$cross" -j "$(nproc)"
fi

# libattnrt and its unit tests under ThreadSanitizer (the runtime stress
# test, test/Execution/runtime-stress.test, links against it).
tsan="$build/tsan"
if [[ ! -f "$tsan/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$tsan" -DATTN_RUNTIME_ONLY=ON \
    -DATTN_SANITIZE=thread -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
    -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++
fi
ninja -C "$tsan" -j "$(nproc)"
