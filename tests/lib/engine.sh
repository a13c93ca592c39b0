# shellcheck shell=bash
# Private Docker engine for tests: start and stop a dockerd that lives
# entirely in one directory (socket, data, exec root, pidfile, log).
#
# Source this file, then:
#   engine_start "$dir"   # dockerd on unix://$dir/docker.sock, ready to use
#   engine_shutdown "$dir" # stops it and unmounts leftovers, keeps $dir
#   engine_stop "$dir"    # engine_shutdown, then deletes $dir
#
# Needs root, /usr/sbin/dockerd (Debian's docker.io, named by path since
# another dockerd may come first on PATH) and curl. The engine uses the vfs
# storage driver and no networking, so it runs inside containers and CI.

ENGINE_START_TIMEOUT_S=30
ENGINE_STOP_TIMEOUT_S=20

# engine_start DIR: starts dockerd with all its state under DIR and waits
# until it answers /_ping. On failure prints the log tail and returns 1.
engine_start() {
  local dir=$1
  mkdir -p "$dir"
  /usr/sbin/dockerd \
    --host "unix://$dir/docker.sock" \
    --data-root "$dir/root" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/pid" \
    --iptables=false --ip6tables=false --bridge=none \
    --storage-driver=vfs \
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

# engine_unmount DIR: lazily unmounts everything still mounted under DIR,
# deepest first.
engine_unmount() {
  local dir=$1 mountpoint
  dir=$(realpath -m "$dir")
  while IFS= read -r mountpoint; do
    umount -l "$mountpoint" 2>/dev/null || true
  done < <(awk -v prefix="$dir/" 'index($5, prefix) == 1 { print $5 }' \
    /proc/self/mountinfo | sort -r)
}

# engine_shutdown DIR: SIGTERM to dockerd, up to ENGINE_STOP_TIMEOUT_S
# seconds for it to finish, then SIGKILL to it and everything it started;
# unmounts leftovers. Keeps DIR, so engine_start DIR brings the same engine
# (images, containers) back.
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
  engine_unmount "$dir"
}

# engine_stop DIR: engine_shutdown, then deletes DIR. Safe to call twice or
# after a failed start.
engine_stop() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  engine_shutdown "$dir"
  rm -rf "$dir"
}
