#!/usr/bin/env bash
# Installs the Debian 12 packages that attnc's build and tests need, only those
# that are missing. Safe to run any number of times.
#
#   scripts/install-deps.sh            the build + test set
#   scripts/install-deps.sh --check    list what is missing, install nothing (exit 1 if any)
set -euo pipefail

PKGS=(
  # MLIR/LLVM 22: libraries, mlir-tblgen, mlir-opt-22, lit, FileCheck
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # compiler, linker, build system, cache
  clang-22 lld-22 ninja-build cmake ccache
  # python for lit
  python3
  # runtime unit tests
  libgtest-dev
  # attn-bench's unfused baseline (sgemm + softmax + sgemm)
  libopenblas-dev
  # attn-bench's Halide baselines (hand schedule, Mullapudi2016 autoscheduler)
  libhalide14-0-dev
  # AArch64: the cross compiler and sysroot for libattnrt and attn-run, and
  # qemu to run them (the AArch64 execution tests)
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  # Vulkan: headers and loader for libattnrt's Vulkan device, Mesa's lavapipe
  # (a software Vulkan device the Vulkan tests run on), spirv-val
  libvulkan-dev mesa-vulkan-drivers spirv-tools
  # ONNX import (attnc model.onnx): ONNX's protobuf classes; python3-onnx
  # writes the test models
  libonnx-dev libprotobuf-dev python3-onnx
  # fuzzing and sanitizers (scripts/fuzz.sh): libFuzzer, ASan, UBSan
  libclang-rt-22-dev libfuzzer-22-dev
  # packaging: pkg-config (the installed attnrt.pc is tested), dpkg-dev
  # (cpack's .deb reads its dependencies with dpkg-shlibdeps)
  pkg-config dpkg-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

if [[ "${1:-}" == "--check" ]]; then
  echo "install-deps: missing: ${missing[*]}"
  exit 1
fi

echo "install-deps: installing: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || echo "install-deps: apt-get update failed; trying with the cached lists"
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
