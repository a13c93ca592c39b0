#!/usr/bin/env bash
# The project's one test command, for a fresh Debian 12 machine as root.
#
# Installs the Debian packages the build and tests need (when missing),
# builds into build/, then runs the tests in two passes, each against a
# private engine in a temporary directory that is always stopped and
# deleted afterwards (also on INT and TERM):
#  1. a classic dockerd (graphdriver store, tests/lib/engine.sh): ctest,
#     with the extra arguments given to this script;
#  2. a containerd-store engine (tests/lib/containerd_engine.sh): the
#     suites labelled both-stores (df, plan, apply, scenarios,
#     python_binding, cache) again, with DGC_TEST_STORE=containerd and
#     DGC_TEST_CONTAINERD_ROOT telling the fixtures which store it is.
#  3. sanitizers and fuzzing (docs/reliability.md): a clang build in
#     build-san/ with -DDGC_SANITIZE=address,undefined -DDGC_FUZZ=ON runs
#     the unit tests and the integration suite against a fresh classic
#     engine, with every sanitizer report (also from the docker-gc
#     processes the tests start, whatever exit code a test expects)
#     written to a directory that must stay empty; then each fuzz target
#     runs for DGC_FUZZ_SECONDS (default 25) from its seeds
#     (fuzz/run_fuzzers.sh); then dgc_engine_test and the snapshot
#     readers' tests of dgc_core_test, built with -DDGC_SANITIZE=thread in
#     build-tsan/, run under ThreadSanitizer.
# Extra arguments go to the first pass's ctest:
#   tests/run.sh                  # everything
#   tests/run.sh -L integration   # only the tests that drive the binary
# DGC_SKIP_CONTAINERD_PASS=1 skips the second pass, DGC_SKIP_SANITIZE_PASS=1
# the third (it takes the longest).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$REPO_ROOT/build"
SAN_BUILD_DIR="$REPO_ROOT/build-san"
TSAN_BUILD_DIR="$REPO_ROOT/build-tsan"
REQUIRED_PACKAGES=(
  cmake g++ make pkg-config libcurl4-openssl-dev libssl-dev libsimdjson-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev docker.io
  busybox-static python3 python3-setuptools python3-pip golang-go curl
  util-linux dpkg-dev fakeroot systemd prometheus help2man file man-db runc
  debian-archive-keyring openssl clang libclang-rt-14-dev shellcheck
  openssh-server openssh-client
)

# shellcheck source=tests/lib/engine.sh
source "$REPO_ROOT/tests/lib/engine.sh"
# shellcheck source=tests/lib/containerd_engine.sh
source "$REPO_ROOT/tests/lib/containerd_engine.sh"

banner() {
  printf '\n==> %s\n' "$*"
}

missing_packages() {
  local package
  for package in "${REQUIRED_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" \
      != "install ok installed" ]]; then
      echo "$package"
    fi
  done
}

install_packages() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    echo "all ${#REQUIRED_PACKAGES[@]} packages are installed"
    return
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # Packages must not start their services (openssh-server would start an
  # sshd on port 22, docker.io a dockerd): a policy-rc.d that refuses them,
  # for this install only, unless the machine has one.
  local policy=/usr/sbin/policy-rc.d added_policy="" status=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=1
  fi
  apt-get install -y --no-install-recommends "${missing[@]}" || status=$?
  if [[ -n $added_policy ]]; then rm -f "$policy"; fi
  return "$status"
}

build() {
  # Debian's python3, which the python3-* packages (setuptools) belong to,
  # not another python3 that may come first on PATH.
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DDGC_WERROR=ON \
    -DPython3_EXECUTABLE=/usr/bin/python3
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

# run_ctest ARGS...: ctest in the background, so that INT and TERM reach
# their traps at once instead of after the whole test run. The build
# directory is $BUILD_DIR unless TEST_DIR names another.
run_ctest() {
  ctest --test-dir "${TEST_DIR:-$BUILD_DIR}" --output-on-failure "$@" &
  CTEST_PID=$!
  wait "$CTEST_PID"
}

# stop_ctest: ends a running ctest; called from the INT and TERM traps.
# shellcheck disable=SC2317
stop_ctest() {
  if [[ -n "${CTEST_PID:-}" ]]; then
    kill -TERM "$CTEST_PID" 2>/dev/null || true
    wait "$CTEST_PID" 2>/dev/null || true
  fi
}

# stop_engines: stops whichever engines are running; the EXIT trap.
# shellcheck disable=SC2317
stop_engines() {
  if [[ -n "${ENGINE_DIR:-}" ]]; then
    banner "Stopping the engine"
    engine_stop "$ENGINE_DIR"
    ENGINE_DIR=
  fi
  if [[ -n "${CONTAINERD_DIR:-}" ]]; then
    banner "Stopping the containerd-store engine"
    containerd_engine_stop "$CONTAINERD_DIR"
    CONTAINERD_DIR=
  fi
}

# timed NAME COMMAND...: runs COMMAND and prints how long it took.
timed() {
  local name=$1 start=$SECONDS status=0
  shift
  "$@" || status=$?
  echo "$name took $((SECONDS - start))s"
  return "$status"
}

# check_sanitizer_reports DIR: fails, printing them, when the sanitizers
# wrote any report into DIR.
check_sanitizer_reports() {
  local dir=$1 report
  local -a reports
  mapfile -t reports < <(find "$dir" -type f | sort)
  if ((${#reports[@]} == 0)); then
    echo "no sanitizer reports"
    return 0
  fi
  for report in "${reports[@]}"; do
    echo "--- $report"
    cat "$report"
  done
  echo "${#reports[@]} sanitizer reports (above)" >&2
  return 1
}

# sanitize_pass: the third pass (see the header). Returns non-zero when
# any of its steps failed, after running them all.
sanitize_pass() {
  local status=0 reports
  banner "Sanitizer build ($SAN_BUILD_DIR: clang, address,undefined, fuzz)"
  timed "sanitizer build" build_sanitized "$SAN_BUILD_DIR" \
    -DDGC_SANITIZE=address,undefined -DDGC_FUZZ=ON

  ENGINE_DIR=$(mktemp -d /tmp/dgc-test-engine.XXXXXX)
  banner "Engine (unix://$ENGINE_DIR/docker.sock)"
  engine_start "$ENGINE_DIR"
  export DGC_TEST_DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
  reports=$(mktemp -d /tmp/dgc-sanitizer-reports.XXXXXX)
  banner "Tests under ASan and UBSan (ctest -L 'unit|integration')"
  # Reports go to files, so that one in a docker-gc a test expected to
  # fail is seen too. integration.packages is left to the first pass: the
  # Debian packages of sanitized binaries need the compiler's runtime,
  # which their Depends cannot name. So is integration.large_snapshot: its
  # bound is the normal build's peak memory, which ASan doubles (the
  # snapshot readers are fuzzed below).
  ASAN_OPTIONS="log_path=$reports/asan:detect_stack_use_after_return=1" \
    UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
    TEST_DIR="$SAN_BUILD_DIR" timed "sanitized tests" \
    run_ctest -L 'unit|integration' \
      -E '^integration\.(packages|large_snapshot)$' || status=$?
  stop_engines
  check_sanitizer_reports "$reports" || status=$?
  rm -rf "$reports"

  banner "Fuzzing (${DGC_FUZZ_SECONDS:-25}s a target)"
  timed "fuzzing" "$REPO_ROOT/fuzz/run_fuzzers.sh" "$SAN_BUILD_DIR" \
    "${DGC_FUZZ_SECONDS:-25}" || status=$?

  banner "ThreadSanitizer ($TSAN_BUILD_DIR: dgc_engine_test, snapshot readers)"
  timed "thread sanitizer build" build_sanitized "$TSAN_BUILD_DIR" \
    -DDGC_SANITIZE=thread --target dgc_engine_test --target dgc_core_test
  TSAN_OPTIONS="halt_on_error=1" timed "dgc_engine_test under TSan" \
    "$TSAN_BUILD_DIR/libdgc/dgc_engine_test" || status=$?
  # The snapshot readers' threads (the details reader, text arriving).
  TSAN_OPTIONS="halt_on_error=1" timed "snapshot readers under TSan" \
    "$TSAN_BUILD_DIR/libdgc/dgc_core_test" \
    --gtest_filter='Arriving*:*Snapshot*' || status=$?
  return "$status"
}

# build_sanitized DIR CMAKE_ARGS... [--target T]: a clang build in DIR
# with the sanitizer options given (the benchmarks left out).
build_sanitized() {
  local dir=$1
  shift
  local -a configure=() target=()
  while (($# > 0)); do
    if [[ "$1" == --target ]]; then
      target+=("$2")
      shift 2
    else
      configure+=("$1")
      shift
    fi
  done
  cmake -S "$REPO_ROOT" -B "$dir" -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DDGC_WERROR=ON -DDGC_BUILD_BENCH=OFF \
    -DPython3_EXECUTABLE=/usr/bin/python3 "${configure[@]}"
  cmake --build "$dir" -j"$(nproc)" ${target[@]:+--target "${target[@]}"}
}

main() {
  banner "Packages"
  install_packages

  banner "Build ($BUILD_DIR)"
  build

  trap stop_engines EXIT
  trap 'stop_ctest; exit 130' INT
  trap 'stop_ctest; exit 143' TERM
  ENGINE_DIR=$(mktemp -d /tmp/dgc-test-engine.XXXXXX)
  banner "Engine (unix://$ENGINE_DIR/docker.sock)"
  engine_start "$ENGINE_DIR"
  export DGC_TEST_DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
  export DGC_TEST_DOCKER=/usr/bin/docker

  banner "Tests (graphdriver store)"
  local status=0
  run_ctest "$@" || status=$?
  stop_engines

  if [[ -z "${DGC_SKIP_CONTAINERD_PASS:-}" ]]; then
    # Short: containerd's socket paths must stay under 100 bytes.
    CONTAINERD_DIR=$(mktemp -d /tmp/dgc-ctr.XXXXXX)
    banner "containerd-store engine (unix://$CONTAINERD_DIR/docker.sock)"
    containerd_engine_start "$CONTAINERD_DIR"
    export DGC_TEST_DOCKER_HOST="unix://$CONTAINERD_DIR/docker.sock"
    export DGC_TEST_STORE=containerd
    export DGC_TEST_CONTAINERD_ROOT="$CONTAINERD_DIR/containerd/root"

    banner "Tests (containerd store: ctest -L both-stores)"
    run_ctest -L both-stores || status=$?
    stop_engines
    unset DGC_TEST_STORE DGC_TEST_CONTAINERD_ROOT
  fi

  if [[ -z "${DGC_SKIP_SANITIZE_PASS:-}" ]]; then
    sanitize_pass || status=$?
  fi
  exit "$status"
}

main "$@"
