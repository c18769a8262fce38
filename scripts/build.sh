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
