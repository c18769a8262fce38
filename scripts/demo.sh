#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine, installs what is
# missing, builds attnc, compiles examples/tiny-bert.json to an object and a
# header, links examples/demo.c against it and libattnrt, and runs it; then
# checks the same model compiled for Vulkan on the Vulkan device, if any.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"

out="$build/demo"
mkdir -p "$out"
echo "== attnc examples/tiny-bert.json --target=host -o $out/attn.o"
"$build/bin/attnc" "$root/examples/tiny-bert.json" --target=host -o "$out/attn.o"
echo "== cc demo.c attn.o libattnrt.a"
/usr/lib/llvm-22/bin/clang -O2 -I"$out" -I"$root/runtime/include" \
  "$root/examples/demo.c" "$out/attn.o" "$build/lib/libattnrt.a" \
  -lm -lpthread -fuse-ld=lld -o "$out/demo"
echo "== run"
"$out/demo"

# The same model on the Vulkan device (a GPU, or Mesa's lavapipe), checked
# against the fp64 reference.
if "$build/bin/attn-run" --probe-vulkan > /dev/null 2>&1; then
  echo "== attn-check examples/tiny-bert.json --target=vulkan (on $("$build/bin/attn-run" --probe-vulkan))"
  "$build/bin/attn-check" "$root/examples/tiny-bert.json" --target=vulkan
else
  echo "== no Vulkan device here ($("$build/bin/attn-run" --probe-vulkan)); skipping the Vulkan run"
fi
