# shellcheck shell=bash
# A private Docker engine on the containerd image store for tests: Debian
# trixie's dockerd 26.1.5 (API 1.45) on trixie's containerd 1.7.24, with
# all their state in one directory (ENGINES.md §2).
#
# Source this file, then:
#   containerd_engine_start "$dir"    # dockerd on unix://$dir/docker.sock
#   containerd_engine_shutdown "$dir" # stops it, keeps $dir (and the data)
#   containerd_engine_stop "$dir"     # shutdown, then deletes $dir
#
# Nothing is installed: the docker.io and containerd .debs are fetched once
# from trixie with a private apt configuration (debian_download, shared with
# buildx.sh) and kept in CONTAINERD_ENGINE_CACHE_DIR, unpacked once there
# (dpkg-deb -x), and their binaries are linked into $dir/bin, first in the
# engine's PATH. trixie's runc needs glibc 2.38, so $dir/bin/runc is
# bookworm's /usr/sbin/runc (Debian package runc, a docker.io dependency).
#
# The traps of ENGINES.md §2:
# - containerd 1.7 puts shim sockets in /run/containerd/s whatever its
#   config says: containerd runs in a mount namespace of its own (unshare
#   --mount --propagation private) where a private directory,
#   $dir/containerd/run, is bind-mounted on /run/containerd. The machine's
#   /run/containerd is never written to. (Should the machine have no
#   /run/containerd to mount over, or CONTAINERD_ENGINE_TMPFS_RUN be set in
#   the environment, the namespace gets a tmpfs on /run first, holding only
#   containerd/, lock/ and shm -> /dev/shm.)
# - dockerd 26 mounts container root filesystems itself and hands runc the
#   path, so dockerd runs in containerd's namespace (nsenter --mount). All
#   the engine's mounts live in that namespace and vanish with it; files
#   (sockets, the content store, snapshot directories) are on the shared
#   filesystem and readable from outside.
#
# Layout of $dir (keep it short: socket paths must stay under 100 bytes):
#   docker.sock, daemon.json, dockerd.log, pid, launcher.pid (dockerd)
#   root/ (dockerd's data root), exec/ (exec root), bin/ (private PATH)
#   containerd/{config.toml,containerd.sock,containerd.sock.ttrpc,
#     debug.sock,containerd.log,pid,root/,state/,opt/,run/}
#   content blobs: containerd/root/io.containerd.content.v1.content/blobs
#
# Needs root, curl, unshare and nsenter (util-linux), dpkg-deb, apt-get
# (first run only, with access to the Debian archive), /usr/sbin/runc.

# shellcheck source=tests/lib/engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine.sh"
# shellcheck source=tests/lib/buildx.sh
source "$(dirname "${BASH_SOURCE[0]}")/buildx.sh"

CONTAINERD_ENGINE_CACHE_DIR=${CONTAINERD_ENGINE_CACHE_DIR:-/var/cache/dgc-tests}
CONTAINERD_ENGINE_SUITE=trixie
CONTAINERD_ENGINE_PACKAGES=(docker.io containerd)
CONTAINERD_ENGINE_RUNC=/usr/sbin/runc
CONTAINERD_ENGINE_API=v1.45
CONTAINERD_ENGINE_DRIVER_TYPE='["driver-type","io.containerd.snapshotter.v1"]'
# sun_path holds 108 bytes; containerd adds ".ttrpc" to its socket path.
CONTAINERD_ENGINE_MAX_SOCKET=100
# trixie binaries linked into $dir/bin (paths in the unpacked packages).
CONTAINERD_ENGINE_BINARIES=(usr/sbin/dockerd usr/bin/containerd
  usr/bin/containerd-shim-runc-v2 usr/bin/ctr)

# containerd_engine_debs DIR: prints the cached .debs of docker.io and
# containerd (trixie's, this architecture), downloading the missing ones
# first with a private apt configuration under DIR/apt.
containerd_engine_debs() {
  local dir=$1 package deb
  local -a missing=() debs=()
  for package in "${CONTAINERD_ENGINE_PACKAGES[@]}"; do
    deb=$(debian_cached_deb "$CONTAINERD_ENGINE_CACHE_DIR" "$package")
    if [[ -z "$deb" ]]; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} > 0)); then
    debian_download containerd-engine "$dir/apt" \
      "$CONTAINERD_ENGINE_CACHE_DIR" "$CONTAINERD_ENGINE_SUITE" \
      "${missing[@]}" >/dev/null || return 1
  fi
  for package in "${CONTAINERD_ENGINE_PACKAGES[@]}"; do
    deb=$(debian_cached_deb "$CONTAINERD_ENGINE_CACHE_DIR" "$package")
    if [[ -z "$deb" || "$(dpkg-deb -f "$deb" Package)" != "$package" ]]; then
      echo "containerd-engine: no usable $package .deb in" \
        "$CONTAINERD_ENGINE_CACHE_DIR (${deb:-none})" >&2
      return 1
    fi
    debs+=("$deb")
  done
  printf '%s\n' "${debs[@]}"
}

# containerd_engine_unpack DIR: prints the directory holding docker.io and
# containerd unpacked (dpkg-deb -x; nothing installed), made once per pair
# of package versions under CONTAINERD_ENGINE_CACHE_DIR/unpacked and
# shared by every engine.
containerd_engine_unpack() {
  local dir=$1 deb name="" target staging
  local -a debs=()
  mapfile -t debs < <(containerd_engine_debs "$dir")
  if ((${#debs[@]} != ${#CONTAINERD_ENGINE_PACKAGES[@]})); then
    return 1
  fi
  for deb in "${debs[@]}"; do
    name+="${name:+_}$(basename "$deb" .deb)"
  done
  target="$CONTAINERD_ENGINE_CACHE_DIR/unpacked/$name"
  if [[ ! -f "$target/.complete" ]]; then
    # Unpacked beside it, then renamed: a concurrent start never sees half
    # a tree; the loser of a race drops its copy.
    staging="$target.$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    for deb in "${debs[@]}"; do
      dpkg-deb -x "$deb" "$staging" || return 1
    done
    touch "$staging/.complete"
    mv -T "$staging" "$target" 2>/dev/null || rm -rf "$staging"
  fi
  echo "$target"
}

# containerd_engine_prepare DIR: the private bin directory, containerd's
# config.toml and dockerd's daemon.json (rewritten on every start).
containerd_engine_prepare() {
  local dir=$1 unpacked binary ctr_dir=$1/containerd
  unpacked=$(containerd_engine_unpack "$dir") || return 1
  mkdir -p "$dir/bin" "$ctr_dir/root" "$ctr_dir/state" "$ctr_dir/opt" \
    "$ctr_dir/run"
  for binary in "${CONTAINERD_ENGINE_BINARIES[@]}"; do
    if [[ ! -x "$unpacked/$binary" ]]; then
      echo "containerd-engine: $unpacked has no $binary" >&2
      return 1
    fi
    ln -sfn "$unpacked/$binary" "$dir/bin/$(basename "$binary")"
  done
  ln -sfn "$CONTAINERD_ENGINE_RUNC" "$dir/bin/runc"
  cat >"$ctr_dir/config.toml" <<EOF
version = 2
root = "$ctr_dir/root"
state = "$ctr_dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$ctr_dir/containerd.sock"

[ttrpc]
  address = "$ctr_dir/containerd.sock.ttrpc"

[debug]
  address = "$ctr_dir/debug.sock"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$ctr_dir/opt"
EOF
  echo '{"features": {"containerd-snapshotter": true}}' >"$dir/daemon.json"
}

# containerd_engine_path DIR: the PATH of the engine's processes: the
# private bin directory first, then the system's.
containerd_engine_path() {
  echo "$1/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

# containerd_engine_socket DIR: prints containerd's socket path.
containerd_engine_socket() {
  echo "$1/containerd/containerd.sock"
}

# containerd_engine_check DIR: returns 1 (with the reason) when something
# the engine needs is missing, or when DIR makes socket paths too long.
containerd_engine_check() {
  local dir=$1 tool longest
  if ((EUID != 0)); then
    echo "containerd-engine: needs root" >&2
    return 1
  fi
  for tool in curl unshare nsenter dpkg-deb apt-get; do
    if ! command -v "$tool" >/dev/null; then
      echo "containerd-engine: $tool is missing" >&2
      return 1
    fi
  done
  if [[ ! -x "$CONTAINERD_ENGINE_RUNC" ]]; then
    echo "containerd-engine: $CONTAINERD_ENGINE_RUNC is missing" \
      "(Debian package runc)" >&2
    return 1
  fi
  longest="$(containerd_engine_socket "$dir").ttrpc"
  if ((${#longest} > CONTAINERD_ENGINE_MAX_SOCKET)); then
    echo "containerd-engine: $dir is too long a directory: $longest is" \
      "over $CONTAINERD_ENGINE_MAX_SOCKET bytes (use e.g." \
      "mktemp -d /tmp/dgc-ctr.XXXXXX)" >&2
    return 1
  fi
}

# containerd_engine_run_containerd DIR: starts containerd in a mount
# namespace of its own with DIR/containerd/run on /run/containerd (on a
# tmpfs on /run if the machine has no /run/containerd); records its pid in
# DIR/containerd/pid.
containerd_engine_run_containerd() {
  local dir=$1 ctr_dir=$1/containerd
  # shellcheck disable=SC2016 # expanded by the inner bash
  PATH=$(containerd_engine_path "$dir") \
    unshare --mount --propagation private -- bash -c '
      set -e
      if [[ ! -d /run/containerd || -n "${CONTAINERD_ENGINE_TMPFS_RUN:-}" ]]
      then
        mount -t tmpfs -o mode=0755 tmpfs /run
        mkdir -m 0711 /run/containerd
        mkdir -m 1777 /run/lock
        ln -s /dev/shm /run/shm
      fi
      mount --bind "$1/run" /run/containerd
      exec containerd --config "$1/config.toml"' \
    containerd-engine "$ctr_dir" >>"$ctr_dir/containerd.log" 2>&1 &
  # unshare and bash exec: this pid becomes containerd's.
  echo $! >"$ctr_dir/pid"
}

# containerd_engine_wait_containerd DIR: waits until containerd answers on
# its socket (ctr version); 1 if it dies or ENGINE_START_TIMEOUT_S passes.
containerd_engine_wait_containerd() {
  local dir=$1 deadline=$((SECONDS + ENGINE_START_TIMEOUT_S)) pid socket
  pid=$(cat "$dir/containerd/pid")
  socket=$(containerd_engine_socket "$dir")
  while ((SECONDS < deadline)); do
    if [[ -S "$socket" ]] &&
      "$dir/bin/ctr" --address "$socket" version >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# containerd_engine_run_dockerd DIR: starts dockerd in containerd's mount
# namespace; records its pid in DIR/launcher.pid (dockerd writes DIR/pid).
containerd_engine_run_dockerd() {
  local dir=$1 ctr_pid
  ctr_pid=$(cat "$dir/containerd/pid")
  PATH=$(containerd_engine_path "$dir") \
    nsenter --mount="/proc/$ctr_pid/ns/mnt" -- dockerd \
    --config-file "$dir/daemon.json" \
    --host "unix://$dir/docker.sock" \
    --data-root "$dir/root" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/pid" \
    --containerd "$(containerd_engine_socket "$dir")" \
    --iptables=false --ip6tables=false --bridge=none \
    --userland-proxy=false \
    --storage-driver=overlayfs \
    >>"$dir/dockerd.log" 2>&1 &
  # nsenter execs dockerd (joining a mount namespace needs no fork).
  echo $! >"$dir/launcher.pid"
}

# containerd_engine_start DIR: starts containerd and dockerd with all their
# state under DIR (made if missing; a DIR kept by containerd_engine_shutdown
# brings the same engine back), waits for /_ping and checks that /info
# reports the containerd snapshotter. On failure prints the reason and the
# log's tail and returns 1; containerd_engine_stop DIR cleans up then, as
# after a success.
containerd_engine_start() {
  local dir=$1 info
  mkdir -p "$dir"
  dir=$(realpath "$dir")
  containerd_engine_check "$dir" || return 1
  containerd_engine_prepare "$dir" || return 1
  containerd_engine_run_containerd "$dir"
  if ! containerd_engine_wait_containerd "$dir"; then
    echo "containerd-engine: containerd in $dir did not answer within" \
      "${ENGINE_START_TIMEOUT_S}s; last log lines:" >&2
    tail -n 40 "$dir/containerd/containerd.log" >&2 || true
    return 1
  fi
  containerd_engine_run_dockerd "$dir"
  if ! engine_wait_ready "$dir"; then
    echo "containerd-engine: dockerd in $dir did not answer /_ping within" \
      "${ENGINE_START_TIMEOUT_S}s; last log lines:" >&2
    tail -n 40 "$dir/dockerd.log" >&2 || true
    return 1
  fi
  info=$(curl -fsS --max-time 10 --unix-socket "$dir/docker.sock" \
    "http://localhost/$CONTAINERD_ENGINE_API/info") || return 1
  if [[ "$info" != *"$CONTAINERD_ENGINE_DRIVER_TYPE"* ]]; then
    echo "containerd-engine: dockerd in $dir is not on the containerd" \
      "snapshotter: ${info:0:600}" >&2
    return 1
  fi
}

# containerd_engine_shims DIR: prints the pids of the shims whose -address
# is exactly DIR's containerd socket, and of all their descendants (the
# containers' processes).
containerd_engine_shims() {
  local socket proc pid child i
  local -a args queue=()
  socket=$(containerd_engine_socket "$1")
  for proc in /proc/[0-9]*; do
    mapfile -d '' -t args 2>/dev/null <"$proc/cmdline" || continue
    [[ "${args[0]:-}" == *containerd-shim* ]] || continue
    for ((i = 1; i + 1 < ${#args[@]}; i++)); do
      if [[ "${args[i]}" == -address && "${args[i + 1]}" == "$socket" ]]; then
        queue+=("${proc#/proc/}")
        break
      fi
    done
  done
  local -A seen=()
  while ((${#queue[@]} > 0)); do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    if [[ -n "${seen[$pid]:-}" ]] || ! kill -0 "$pid" 2>/dev/null; then
      continue
    fi
    seen[$pid]=1
    echo "$pid"
    while IFS= read -r child; do
      queue+=("$child")
    done < <(pgrep -P "$pid" || true)
  done
}

# containerd_engine_kill PIDFILE NAME DIR: if the process in PIDFILE is
# alive and names DIR in its command line (never a stranger that reused
# the pid), SIGTERM to it, up to ENGINE_STOP_TIMEOUT_S for it to end, then
# SIGKILL. Removes PIDFILE.
containerd_engine_kill() {
  local pidfile=$1 name=$2 dir=$3 pid="" cmdline
  if [[ -f "$pidfile" ]]; then
    pid=$(cat "$pidfile")
  fi
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
    if [[ "$cmdline" == *"$dir/"* ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      if ! engine_wait_gone "$pid"; then
        echo "containerd-engine: $name $pid ignored SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        engine_wait_gone "$pid" || true
      fi
    fi
  fi
  rm -f "$pidfile"
}

# containerd_engine_shutdown DIR: stops dockerd (SIGTERM, SIGKILL after
# ENGINE_STOP_TIMEOUT_S), then containerd the same way, then kills the
# shims of DIR's containerd and their containers' processes. With them all
# gone, the mount namespace and its mounts go too; leftovers under DIR in
# this namespace are unmounted. Keeps DIR: containerd_engine_start DIR
# brings the same engine (images, containers) back.
containerd_engine_shutdown() {
  local dir=$1 pid
  local -a pids=()
  [[ -d "$dir" ]] || return 0
  dir=$(realpath "$dir")
  containerd_engine_kill "$dir/launcher.pid" dockerd "$dir"
  containerd_engine_kill "$dir/containerd/pid" containerd "$dir"
  mapfile -t pids < <(containerd_engine_shims "$dir")
  if ((${#pids[@]} > 0)); then
    for pid in "${pids[@]}"; do
      kill -KILL "$pid" 2>/dev/null || true
    done
    engine_wait_gone "${pids[@]}" || true
  fi
  engine_unmount "$dir"
}

# containerd_engine_stop DIR: containerd_engine_shutdown, then deletes DIR.
# Safe to call twice or after a failed start.
containerd_engine_stop() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  containerd_engine_shutdown "$dir"
  rm -rf "$dir"
}
