#!/usr/bin/env bash
# Runs the cargo-fuzz targets (fuzz/fuzz_targets) one after another, each for a bounded time,
# and prints each one's executions, speed, coverage and any crash. Not part of CI.
#
#   bench/fuzz.sh                      # every target, 120 s each
#   FUZZ_TIME=600 bench/fuzz.sh policy # one target, 10 minutes
#
# Env: FUZZ_TIME (seconds per target, default 120), FUZZ_SANITIZER (address | none; default
# address), FUZZ_MALLOC_MB (largest single allocation allowed, default 64), FUZZ_ARGS (more
# libFuzzer flags). Needs the nightly toolchain; installs cargo-fuzz if missing.
# Corpora grow in fuzz/corpus/<target> (git-ignored) from the seeds in fuzz/seeds/<target>;
# crashing inputs land in fuzz/artifacts/<target>, and each run's log in fuzz/artifacts/<target>.log.
# Exit status 1 when any target failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TIME=${FUZZ_TIME:-120}
SANITIZER=${FUZZ_SANITIZER:-address}
MALLOC_MB=${FUZZ_MALLOC_MB:-64}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(sigv4_header sigv4_query json_request query_request policy kms_ciphertext esdk_message)
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || exit 1
fi
# `cargo fuzz run` builds the target it runs; a build error fails that target.

failed=0
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t.log"
  echo "== $t (${TIME}s)"
  # -rss_limit_mb: the whole process; -malloc_limit_mb: any single allocation (a bigger one
  # from an input of at most a few KiB is an unbounded allocation and counts as a crash).
  # shellcheck disable=SC2086
  cargo +nightly fuzz run --sanitizer "$SANITIZER" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$TIME" -rss_limit_mb=2048 -malloc_limit_mb="$MALLOC_MB" -timeout=10 \
    -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  last=$(grep -E '^#[0-9]+.*(cov|DONE)' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  echo "   executions ${runs:-?} in ${secs:-?} s, ${speed:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corpus:-?}, peak RSS ${peak:-?} MB"
  if [ $status -ne 0 ]; then
    failed=1
    echo "   FAILED (exit $status):"
    grep -E 'ERROR: libFuzzer|panicked at|SUMMARY|Test unit written|==[0-9]+==ERROR' "$log" | head -10 | sed 's/^/   /'
    echo "   full log: $log"
  fi
done
exit $failed
