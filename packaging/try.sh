#!/usr/bin/env bash
# Try docker gc on this machine: installs the Debian packages the build
# needs (when missing), builds docker-gc, then runs `docker gc df` and
# `docker gc plan` against the local Docker engine when one answers, or
# else against the example snapshot in packaging/examples/. Changes nothing
# on the engine: df and plan only read.
#
#   packaging/try.sh            # as root on Debian 12
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$ROOT/build"
BIN="$BUILD_DIR/plugin/docker-gc"
EXAMPLES="$ROOT/packaging/examples"
PACKAGES=(cmake g++ make pkg-config libcurl4-openssl-dev libssl-dev
          libsimdjson-dev libabsl-dev libgtest-dev libgmock-dev)

install_missing_packages() {
  local -a missing=()
  local package
  for package in "${PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" \
      != "install ok installed" ]]; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} > 0)); then
    echo "==> Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

main() {
  install_missing_packages
  echo "==> Building docker-gc"
  cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
  cmake --build "$BUILD_DIR" --target docker-gc -j"$(nproc)" >/dev/null
  echo "    $BIN"

  if "$BIN" version >/dev/null 2>&1; then
    echo "==> A Docker engine answers: using it (read-only)"
    "$BIN" version
    echo
    echo "==> docker gc df"
    "$BIN" df
    echo
    echo "==> docker gc plan (your policy if you have one, else the built-in"
    echo "    default: dangling images older than 24h; try also"
    echo "    -p $EXAMPLES/gc.json)"
    "$BIN" plan
  else
    echo "==> No Docker engine answers: using the example snapshot"
    echo "    $EXAMPLES/snapshot.json (an incident-like host: old docker-*"
    echo "    images, releases sharing layers, dangling images, containers)"
    echo
    echo "==> docker gc df --from snapshot.json"
    "$BIN" df --from "$EXAMPLES/snapshot.json"
    echo
    echo "==> docker gc plan --from snapshot.json -p gc.json"
    "$BIN" plan --from "$EXAMPLES/snapshot.json" -p "$EXAMPLES/gc.json"
  fi
  echo
  echo "To use it as \`docker gc\`: mkdir -p ~/.docker/cli-plugins &&" \
    "cp $BIN ~/.docker/cli-plugins/"
}

main "$@"
