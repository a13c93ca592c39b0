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
# Extra arguments go to the first pass's ctest:
#   tests/run.sh                  # everything
#   tests/run.sh -L integration   # only the tests that drive the binary
# DGC_SKIP_CONTAINERD_PASS=1 skips the second pass.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$REPO_ROOT/build"
REQUIRED_PACKAGES=(
  cmake g++ make pkg-config libcurl4-openssl-dev libssl-dev libsimdjson-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev docker.io
  busybox-static python3 python3-setuptools python3-pip golang-go curl
  util-linux dpkg-dev fakeroot systemd prometheus help2man file man-db runc
  debian-archive-keyring openssl
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
  apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  # Debian's python3, which the python3-* packages (setuptools) belong to,
  # not another python3 that may come first on PATH.
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DDGC_WERROR=ON \
    -DPython3_EXECUTABLE=/usr/bin/python3
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

# run_ctest ARGS...: ctest in the background, so that INT and TERM reach
# their traps at once instead of after the whole test run.
run_ctest() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure "$@" &
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
  fi
  exit "$status"
}

main "$@"
