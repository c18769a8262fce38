#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, and runs the
# whole test suite (lit: dialect, passes, tools, targets, execution against
# the fp64 reference; ctest: runtime unit tests). Ends with one summary line
# "attnc: N passed, M failed" and exits non-zero if anything failed.
#
#   scripts/test.sh              the suite on the normal build (build/)
#   scripts/test.sh --sanitize   the suite again with the compiler, the tools,
#                                libattnrt and the kernels attn-check builds
#                                under ASan + UBSan (build/sanitize, shared
#                                with scripts/fuzz.sh; builds build/ first for
#                                its cross and TSan builds)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ATTN_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" || { echo "attnc: build failed"; exit 1; }
lit_filter=()
if [[ "${1:-}" == "--sanitize" ]]; then
  export ATTN_PEER_BUILD="$build"
  build="$build/sanitize"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -G Ninja -S "$root" -B "$build" -DATTN_FUZZ=ON || exit 1
  fi
  ninja -C "$build" -j "$(nproc)" all mlir-doc attn-fuzzers ||
    { echo "attnc: sanitized build failed"; exit 1; }
  # Not run sanitized (each runs in the normal suite): the install and
  # package tests (they install the tools, not test them), the benchmark
  # smoke tests (timing under ASan means nothing) and the plugin test
  # (Debian's mlir-opt, uninstrumented, cannot load an ASan plugin), and
  # the AArch64 targets: their kernels run in the cross-built, uninstrumented
  # attn-run under qemu, and the compiler paths they take (the same passes
  # with NEON options) are the host tests' (they are a third of the suite's
  # time, more under ASan). Likewise the re-runs of the host's execution
  # inputs for other x86 levels and thread counts (Targets/X86/execute-*,
  # threads-bitwise), and, inside the execution tests, each further RUN
  # line over an input already run (other layouts, seeds, thread counts,
  # dynamic sizes: `%if !sanitized`): under sanitizers every input is
  # compiled and run once, which is what they check; the sweeps are the
  # normal suite's. Under ASan + UBSan they took 35 of the CI's minutes.
  lit_filter=(--filter-out 'tools/(install|package-deb|attn-bench|plugin)|Targets/AArch64/|Targets/X86/execute-(targets|avx512|bf16-run|int8-vnni-run|int8-avxvnni-run)|Execution/threads-bitwise')
fi

lit="$(command -v lit-22 || echo /usr/lib/llvm-22/bin/lit)"
results="$build/test/lit-results.json"
echo "== lit ($build/test)"
"$lit" -sv -j "$(nproc)" "${lit_filter[@]}" -o "$results" "$build/test"
lit_rc=$?

echo "== ctest (runtime unit tests)"
ctest_log="$build/test/ctest.log"
(cd "$build" && ctest --output-on-failure -j "$(nproc)") | tee "$ctest_log"
ctest_rc=${PIPESTATUS[0]}

python3 - "$results" "$ctest_log" "$lit_rc" "$ctest_rc" <<'PY'
import json, re, sys
results, ctest_log, lit_rc, ctest_rc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
passed = failed = skipped = 0
try:
    for t in json.load(open(results))["tests"]:
        code = t["code"]
        if code in ("PASS", "XFAIL"):
            passed += 1
        elif code in ("UNSUPPORTED", "SKIPPED"):
            skipped += 1
            print(f"SKIPPED (not run): {t['name']}")
        else:
            failed += 1
except (OSError, ValueError, KeyError):
    print("lit results missing: counting lit as failed")
    failed += 1
m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", open(ctest_log).read())
if m:
    failed += int(m.group(2))
    passed += int(m.group(3)) - int(m.group(2))
else:
    print("ctest summary missing: counting ctest as failed")
    failed += 1
if lit_rc != 0 and failed == 0:
    failed += 1
if ctest_rc != 0 and failed == 0:
    failed += 1
line = f"attnc: {passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
PY
