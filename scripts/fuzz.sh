#!/usr/bin/env bash
# Builds attnc's libFuzzer targets with ASan + UBSan (build/sanitize,
# -DATTN_FUZZ=ON; scripts/test.sh --sanitize runs the suite from it) and runs each for SECONDS (default 60) from its checked-in
# seed corpus (test/fuzz/corpus/<name>, plus the inputs of past findings in
# test/fuzz/regressions/<name>; the corpus grown by the run is kept in
# build/sanitize/corpus/<name>). A crash, sanitizer report, leak, timeout
# (25 s on one input) or memory blow-up (4 GiB) is a finding: its input is
# saved under build/sanitize/findings/<name>/ and the script exits 1.
#
#   scripts/fuzz.sh [SECONDS] [json|onnx|mlir|bind|launch ...]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ATTN_FUZZ_BUILD_DIR:-${ATTN_BUILD_DIR:-$root/build}/sanitize}"
seconds="${1:-60}"
shift || true
fuzzers=("$@")
[[ ${#fuzzers[@]} -eq 0 ]] && fuzzers=(json onnx mlir bind launch)

"$root/scripts/install-deps.sh" || exit 1
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DATTN_FUZZ=ON || exit 1
fi
ninja -C "$build" -j "$(nproc)" attn-fuzzers || { echo "fuzz: build failed"; exit 1; }

# Leak checks stay on: a leak found by libFuzzer is a finding like a crash.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
for f in "${fuzzers[@]}"; do
  seeds="$root/test/fuzz/corpus/$f"
  regressions=()
  [[ -d "$root/test/fuzz/regressions/$f" ]] && regressions=("$root/test/fuzz/regressions/$f")
  work="$build/corpus/$f"
  findings="$build/findings/$f"
  mkdir -p "$work" "$findings"
  log="$build/fuzz-$f.log"
  echo "== attn-fuzz-$f: $seconds s (seeds: $(ls "$seeds" | wc -l))"
  "$build/bin/attn-fuzz-$f" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
    "$work" "$seeds" "${regressions[@]}" > "$log" 2>&1
  rc=$?
  # The final stats: executions, coverage.
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^#[0-9]+.*(DONE|INITED)" "$log" | tail -3
  cov=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1)
  echo "   $cov, corpus $(ls "$work" | wc -l) inputs"
  if [[ $rc -ne 0 ]]; then
    echo "fuzz: attn-fuzz-$f FOUND A PROBLEM (exit $rc): see $log and $findings/"
    # The report and its stack, so that a CI log alone shows where it was.
    grep -E -A 24 "ERROR:|runtime error" "$log" | head -40
    failed=1
  fi
done
if [[ $failed -eq 0 ]]; then
  echo "fuzz: ${fuzzers[*]}: no findings in $seconds s each"
fi
exit $failed
