#!/usr/bin/env bash
# Runs every libFuzzer target of a build made with -DDGC_FUZZ=ON for a
# bounded time each, one per core at a time, and fails on any report (a
# crash, a sanitizer error, a leak, a timeout, or a broken property that
# aborts).
#
#   fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]   # default 25
#
# Each target starts from its seeds in fuzz/corpus/<name>/ (read only:
# what it finds goes to a temporary corpus, so the repository is never
# changed) with its dictionary from the build. A report leaves its input
# in BUILD_DIR/fuzz-artifacts/<name>/ and its log beside it; the command to
# reproduce it is printed. Prints the executions each target ran clean.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${1:?usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]}
SECONDS_PER_TARGET=${2:-25}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

mapfile -t targets < <(find "$BUILD_DIR/fuzz" -maxdepth 1 -type f \
  -name 'fuzz_*' -executable -printf '%f\n' | sort)
if ((${#targets[@]} == 0)); then
  echo "run_fuzzers.sh: no fuzz_* targets in $BUILD_DIR/fuzz (configure" \
    "it with -DDGC_FUZZ=ON and build it)" >&2
  exit 1
fi
for target in "${targets[@]}"; do
  if [[ ! -d "$REPO_ROOT/fuzz/corpus/${target#fuzz_}" ]]; then
    echo "run_fuzzers.sh: $target has no seeds in" \
      "$REPO_ROOT/fuzz/corpus/${target#fuzz_}" >&2
    exit 1
  fi
done

WORK=$(mktemp -d /tmp/dgc-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# fuzz_one TARGET: runs TARGET and writes its line of the summary to
# $WORK/TARGET.result; returns its exit status.
fuzz_one() {
  local target=$1 name=${1#fuzz_} start=$SECONDS status=0
  local artifacts="$BUILD_DIR/fuzz-artifacts/$name"
  local log="$artifacts/fuzz.log" runs rate input
  mkdir -p "$WORK/$name" "$artifacts"
  # -timeout: one input taking over 10 s is a hang.
  "$BUILD_DIR/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$BUILD_DIR/fuzz/$target.dict" -artifact_prefix="$artifacts/" \
    "$WORK/$name" "$REPO_ROOT/fuzz/corpus/$name" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  {
    if ((status == 0)); then
      printf '%-24s %12s %8s %10s\n' "$target" "${runs:-?}" \
        "$((SECONDS - start))" "${rate:-?}"
    else
      printf '%-24s FAILED (exit %d): see %s\n' "$target" "$status" "$log"
      grep -E '^(==[0-9]+==ERROR|SUMMARY)|runtime error' "$log" | head -5 ||
        true
      for input in "$artifacts"/{crash,leak,timeout,oom}-*; do
        if [[ -e "$input" ]]; then
          echo "  reproduce: $BUILD_DIR/fuzz/$target $input"
        fi
      done
    fi
  } >"$WORK/$target.result"
  return "$status"
}

jobs=$(nproc)
running=0
failed=0
for target in "${targets[@]}"; do
  if ((running == jobs)); then
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
done

printf '%-24s %12s %8s %10s\n' TARGET EXECUTIONS SECONDS "EXEC/S"
for target in "${targets[@]}"; do
  cat "$WORK/$target.result"
done
if ((failed > 0)); then
  echo "run_fuzzers.sh: $failed of ${#targets[@]} targets reported errors" >&2
  exit 1
fi
echo "run_fuzzers.sh: ${#targets[@]} targets ran clean for" \
  "${SECONDS_PER_TARGET}s each, $jobs at a time"
