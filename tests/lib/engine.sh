# shellcheck shell=bash
# Private Docker engine for tests: start and stop a dockerd that lives
# entirely in one directory (socket, data, exec root, pidfile, log).
#
# Source this file, then:
#   engine_start "$dir"   # dockerd on unix://$dir/docker.sock, ready to use
#   engine_start "$dir" --tlsverify ...  # the same, with more dockerd flags
#   engine_start_small "$dir" 240  # the same on a 240 MB disk of its own
#   engine_start_node "$dir" "$mnt" node-a  # a swarm node: see below
#   engine_shutdown "$dir" # stops it and unmounts leftovers, keeps $dir
#   engine_stop "$dir"    # engine_shutdown, then deletes $dir
#
# Needs root, /usr/sbin/dockerd (Debian's docker.io, named by path since
# another dockerd may come first on PATH) and curl. The engine uses the vfs
# storage driver and no networking, so it runs inside containers and CI.
# A small-disk engine (engine_start_small) has a size-limited tmpfs as its
# data root and uses overlay2, so layers are shared as in production and
# statvfs on the data root gives real percentages.
# A node engine (engine_start_node) runs in a mount and UTS namespace of its
# own, so that several engines on this machine can be the nodes of one
# swarm (ENGINES.md §4): a path common to all of them names each one's own
# socket, each has its own /etc/docker (its own key.json, so its own /info
# ID) and its own hostname (its node name).

ENGINE_START_TIMEOUT_S=30
ENGINE_STOP_TIMEOUT_S=20

# engine_start DIR [DOCKERD_FLAG...]: starts dockerd with all its state
# under DIR and waits until it answers /_ping on its unix socket. Extra
# flags go to dockerd (e.g. a second --host tcp://… with --tlsverify and
# its certificates). On failure prints the log tail and returns 1.
engine_start() {
  engine_launch "$1" vfs "${@:2}"
}

# engine_launch DIR STORAGE_DRIVER [DOCKERD_FLAG...]: engine_start with the
# given storage driver; the data root DIR/root must be usable by that
# driver. A node engine's dockerd starts in its namespaces (engine_node).
engine_launch() {
  local dir=$1 driver=$2
  local -a namespaces=()
  mkdir -p "$dir"
  if [[ -f "$dir/node" ]]; then
    mapfile -t namespaces < <(engine_node "$dir")
  fi
  "${namespaces[@]}" /usr/sbin/dockerd \
    --host "unix://$dir/docker.sock" \
    --data-root "$dir/root" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/pid" \
    --iptables=false --ip6tables=false --bridge=none \
    --storage-driver="$driver" \
    "${@:3}" \
    >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/launcher.pid"
  if ! engine_wait_ready "$dir"; then
    echo "engine: dockerd in $dir did not answer /_ping within" \
      "${ENGINE_START_TIMEOUT_S}s; last log lines:" >&2
    tail -n 40 "$dir/dockerd.log" >&2 || true
    return 1
  fi
}

# engine_wait_ready DIR: polls /_ping until it answers OK or time runs out.
engine_wait_ready() {
  local dir=$1 deadline=$((SECONDS + ENGINE_START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if [[ "$(curl -fsS --max-time 2 --unix-socket "$dir/docker.sock" \
      http://localhost/_ping 2>/dev/null)" == OK ]]; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

# engine_pids DIR: prints the pids of dockerd and every process it started
# (containerd, shims, container processes), found by parentage and by the
# engine directory in their command line (shims re-parent themselves).
engine_pids() {
  local dir=$1 pid child
  local -a queue=()
  for pid in "$(cat "$dir/pid" 2>/dev/null)" \
    "$(cat "$dir/launcher.pid" 2>/dev/null)"; do
    if [[ -n "$pid" ]]; then
      queue+=("$pid")
    fi
  done
  while IFS= read -r pid; do
    queue+=("$pid")
  done < <(pgrep -f -- "$dir/exec" || true)
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

# engine_wait_gone PID...: waits until none of the processes exists, up to
# ENGINE_STOP_TIMEOUT_S seconds; returns 1 if some are still alive.
engine_wait_gone() {
  local deadline=$((SECONDS + ENGINE_STOP_TIMEOUT_S)) pid alive
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "$@"; do
      if kill -0 "$pid" 2>/dev/null; then
        alive=1
      fi
    done
    if ((alive == 0)); then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# engine_unmount DIR [KEEP]: lazily unmounts everything still mounted under
# DIR, deepest first, except the mount point KEEP (an absolute path).
engine_unmount() {
  local dir=$1 keep=${2:-} mountpoint
  dir=$(realpath -m "$dir")
  while IFS= read -r mountpoint; do
    if [[ "$mountpoint" != "$keep" ]]; then
      umount -l "$mountpoint" 2>/dev/null || true
    fi
  done < <(awk -v prefix="$dir/" 'index($5, prefix) == 1 { print $5 }' \
    /proc/self/mountinfo | sort -r)
}

# engine_shutdown DIR: SIGTERM to dockerd, up to ENGINE_STOP_TIMEOUT_S
# seconds for it to finish, then SIGKILL to it and everything it started;
# unmounts leftovers. Keeps DIR, so engine_start DIR brings the same engine
# (images, containers) back. A small-disk engine keeps its tmpfs mounted
# (that is where its data is), so engine_start_small DIR SIZE_MB brings it
# back; engine_stop unmounts it.
engine_shutdown() {
  local dir=$1 pid
  local -a pids=()
  mapfile -t pids < <(engine_pids "$dir")
  if ((${#pids[@]} > 0)); then
    pid=$(cat "$dir/pid" 2>/dev/null || cat "$dir/launcher.pid")
    kill -TERM "$pid" 2>/dev/null || true
    if ! engine_wait_gone "$pid"; then
      echo "engine: dockerd $pid ignored SIGTERM; killing it" >&2
    fi
    mapfile -t pids < <(engine_pids "$dir")
    for pid in "${pids[@]}"; do
      kill -KILL "$pid" 2>/dev/null || true
    done
    engine_wait_gone "${pids[@]}" || true
  fi
  engine_unmount "$dir" "$(engine_small_disk "$dir")"
}

# engine_stop DIR: engine_shutdown, then unmounts what is left (a small
# disk too) and deletes DIR. Safe to call twice or after a failed start.
engine_stop() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  engine_shutdown "$dir"
  engine_unmount "$dir"
  rm -rf "$dir"
}

# engine_start_small DIR SIZE_MB: engine_start on a disk of its own: a tmpfs
# of SIZE_MB MiB mounted on DIR/root as the data root, with the
# overlay2 storage driver. If DIR/root is already that tmpfs (after
# engine_shutdown) it is kept, resized to SIZE_MB, and the same engine comes
# back. Returns 1 (with the log tail) if dockerd does not come up, or if it
# is not on overlay2 with DIR/root as its data root. engine_stop DIR
# unmounts the tmpfs and frees its memory.
engine_start_small() {
  local dir=$1 size_mb=$2 info
  if [[ ! "$size_mb" =~ ^[1-9][0-9]*$ ]]; then
    echo "engine: engine_start_small: size '$size_mb' is not a number of MB" >&2
    return 1
  fi
  mkdir -p "$dir/root"
  dir=$(realpath "$dir")
  if mountpoint -q "$dir/root"; then
    mount -o "remount,size=${size_mb}m" "$dir/root" || return 1
  else
    mount -t tmpfs -o "size=${size_mb}m" tmpfs "$dir/root" || return 1
  fi
  echo "$size_mb" >"$dir/small-disk-mb"
  engine_launch "$dir" overlay2 || return 1
  info=$(curl -fsS --max-time 10 --unix-socket "$dir/docker.sock" \
    http://localhost/v1.41/info) || return 1
  if [[ "$info" != *'"Driver":"overlay2"'* ||
    "$info" != *"\"DockerRootDir\":\"$dir/root\""* ]]; then
    echo "engine: dockerd in $dir is not on overlay2 at $dir/root:" \
      "${info:0:400}" >&2
    return 1
  fi
}

# engine_start_node DIR MOUNTPOINT NAME [DOCKERD_FLAG...]: engine_start,
# with dockerd (and all it starts) in a mount and UTS namespace of its own
# in which DIR is bind-mounted on MOUNTPOINT, so MOUNTPOINT/docker.sock is
# this engine's socket to its containers' bind mounts (outside, the engine
# is still unix://DIR/docker.sock); an empty DIR/etc-docker is bind-mounted
# on /etc/docker; the hostname is NAME, the node's name in a swarm.
# MOUNTPOINT must be an existing directory; nothing is mounted outside the
# namespace, whose mounts go with its last process. engine_start DIR brings
# the same node back; engine_stop DIR stops it as any engine.
engine_start_node() {
  local dir=$1 mountpoint=$2 name=$3
  if [[ ! -d "$mountpoint" || "$mountpoint" != /* || "$mountpoint" == *$'\n'* ]]; then
    echo "engine: engine_start_node: '$mountpoint' is not an absolute path" \
      "to a directory (without a newline)" >&2
    return 1
  fi
  if [[ ! "$name" =~ ^[a-zA-Z0-9][a-zA-Z0-9.-]*$ ]]; then
    echo "engine: engine_start_node: '$name' is not a host name" >&2
    return 1
  fi
  if [[ ! -d /etc/docker ]]; then
    echo "engine: engine_start_node: /etc/docker is missing (docker.io" \
      "creates it)" >&2
    return 1
  fi
  mkdir -p "$dir/etc-docker"
  dir=$(realpath "$dir")
  printf '%s\n' "$mountpoint" "$name" >"$dir/node"
  engine_launch "$dir" vfs "${@:4}"
}

# engine_node DIR: prints, one word a line, the command that runs a node
# engine's dockerd (the words after it) in its namespaces, as DIR/node
# (MOUNTPOINT, then NAME) describes them. unshare and sh exec in turn, so
# dockerd keeps the launcher's pid.
# shellcheck disable=SC2016 # $1… are the inner shell's, not expanded here
engine_node() {
  local dir=$1 mountpoint name
  { read -r mountpoint && read -r name; } <"$dir/node"
  local setup='mount --bind "$1" "$2" && mount --bind "$1/etc-docker" /etc/docker'
  setup+=' && echo "$3" >/proc/sys/kernel/hostname && shift 3 && exec "$@"'
  printf '%s\n' unshare --mount --uts --propagation private -- \
    /bin/sh -c "$setup" engine-node "$dir" "$mountpoint" "$name"
}

# engine_small_disk DIR: prints the mount point of DIR's small disk (the
# tmpfs of engine_start_small), or nothing for an ordinary engine.
engine_small_disk() {
  local dir=$1
  if [[ -f "$dir/small-disk-mb" ]]; then
    realpath -m "$dir/root"
  fi
}
