#!/usr/bin/env bash
# Runs `docker gc ARGS…` once on every node of a Docker Swarm, as a
# global-job service named docker-gc, and waits for it (SPEC.md §11).
#
#   DGC_BINARY=build/plugin/docker-gc DOCKER_HOST=ssh://manager \
#     packaging/swarm/deploy.sh plan --format json -p gc.json
#   docker service logs --raw docker-gc      # each node's document
#
# What it does, on the manager DOCKER_HOST (or the docker CLI's context):
# 1. Checks the arguments: a policy given with -p/--policy FILE is checked
#    with `docker-gc policy check` here, becomes a Swarm config (named after
#    its content) mounted at /etc/docker/gc.json in each task, and the
#    argument is rewritten to that path. Flags that name other files or
#    another engine (--from, --plan, -o, --lock, --log, --metrics-file, -H,
#    --context, TLS files…) are refused: inside the job they would name
#    files of a throwaway container. `apply` needs --yes (no terminal).
# 2. Refuses to start while a previous docker-gc service still runs;
#    removes a finished one, its exited task containers (on the engines it
#    reaches) and its policy config.
# 3. Builds the job image from the build tree, no registry: the binary
#    (stripped) and every library `ldd` lists, the dynamic loader included,
#    imported with `docker import` as docker-gc-job:<version>, labelled
#    docker-gc.job=true. The service names it by image ID, so no node tries
#    to pull it. Other nodes need the image too: DGC_NODE_HOSTS lists their
#    engines, and the image is loaded there (docker save | docker load).
# 4. Creates the service: mode global-job, no restart, the node's Docker
#    socket bind-mounted on /var/run/docker.sock, a named volume for
#    docker gc's cache, the policy config; `docker gc ARGS…` is the command.
#    While a node's task runs, its container uses the job image, so docker
#    gc protects that image on that node whatever the policy says.
# 5. Waits (bounded) until each ready, active node's task has finished, then
#    prints each node's outcome. A task the node rejects (a missing socket,
#    the image missing on that node) is re-created by Swarm forever, so the
#    service is removed and the error shown. The finished service stays, so
#    `docker service logs --raw docker-gc` gives each node's stdout.
# 6. Removes older job images (labelled, not in use) from the engines it
#    loaded the image into, never with force.
#
# Exit status: 0 when every node's task completed; 1 when one failed (its
# state and error are printed), on a timeout, or on any other error; 2 on a
# usage error. Messages go to stderr; stdout stays empty.
#
# Environment:
#   DGC_BINARY         the built docker-gc (build/plugin/docker-gc); required
#   DOCKER_HOST        a manager (or DOCKER_CONTEXT, as the docker CLI does)
#   DGC_NODE_SOCKET    the Docker socket on each node (/var/run/docker.sock)
#   DGC_NODE_HOSTS     other nodes' engines to load the job image into,
#                      space-separated: unix://…, tcp://…, ssh://…, or
#                      context:NAME (default: none; a one-node swarm, or
#                      nodes that already have this image ID)
#   DGC_CACHE_VOLUME   the named volume for docker gc's cache on each node
#                      (docker-gc-cache; empty: none)
#   DGC_WAIT_TIMEOUT   seconds to wait for the tasks (600)
#   DGC_DOCKER         the docker CLI (docker)
set -euo pipefail

readonly SERVICE=docker-gc
readonly JOB_REPOSITORY=docker-gc-job
readonly JOB_LABEL=docker-gc.job=true
readonly POLICY_TARGET=/etc/docker/gc.json
readonly TASK_SOCKET=/var/run/docker.sock
readonly CACHE_TARGET=/var/cache/docker-gc
readonly POLL_INTERVAL_S=0.5

DOCKER=${DGC_DOCKER:-docker}
NODE_SOCKET=${DGC_NODE_SOCKET:-/var/run/docker.sock}
read -ra NODE_HOSTS <<<"${DGC_NODE_HOSTS:-}"
CACHE_VOLUME=${DGC_CACHE_VOLUME-docker-gc-cache}
WAIT_TIMEOUT_S=${DGC_WAIT_TIMEOUT:-600}

# Flags whose value is a local file, or another engine: meaningless inside
# a task, whose engine is the node's own socket.
readonly REFUSED_FLAGS=(--from --plan -o --output --lock --log --metrics-file
  -H --host -c --context --config --tlscacert --tlscert --tlskey --tls
  --tlsverify)

STAGE_DIR=""
cleanup() {
  if [[ -n "$STAGE_DIR" ]]; then
    rm -rf "$STAGE_DIR"
  fi
}
trap cleanup EXIT

say() {
  echo "deploy.sh: $*" >&2
}

die() {
  say "error: $*"
  exit 1
}

usage_error() {
  say "$*"
  say "usage: DGC_BINARY=… DOCKER_HOST=… deploy.sh COMMAND [docker gc arguments…]"
  exit 2
}

docker_cli() {
  "$DOCKER" "$@"
}

# --- 1. Arguments -----------------------------------------------------------

POLICY_FILE=""
JOB_ARGS=()

# parse_arguments ARGS…: fills JOB_ARGS (the task's command line) and
# POLICY_FILE; refuses flags that cannot work inside the job.
parse_arguments() {
  (($# > 0)) || usage_error "no docker gc command given (e.g. plan, apply --yes)"
  local arg flag is_apply=0 has_yes=0
  while (($# > 0)); do
    arg=$1
    shift
    case "$arg" in
      --)
        JOB_ARGS+=("$arg" "$@")
        break
        ;;
      -p | --policy)
        (($# > 0)) || usage_error "$arg needs a policy file"
        set_policy "$1"
        shift
        JOB_ARGS+=(--policy "$POLICY_TARGET")
        continue
        ;;
      --policy=* | -p=*)
        set_policy "${arg#*=}"
        JOB_ARGS+=(--policy "$POLICY_TARGET")
        continue
        ;;
      -p?*)
        set_policy "${arg#-p}"
        JOB_ARGS+=(--policy "$POLICY_TARGET")
        continue
        ;;
      apply) is_apply=1 ;;
      -y | --yes | -f | --force) has_yes=1 ;;
    esac
    for flag in "${REFUSED_FLAGS[@]}"; do
      if [[ "$arg" == "$flag" || "$arg" == "$flag="* ||
        ("$flag" =~ ^-[a-zA-Z]$ && "$arg" == "$flag"?*) ]]; then
        usage_error "$flag is not supported in a Swarm job: it names a" \
          "file or an engine, and the job runs in a container on each node" \
          "against that node's own engine"
      fi
    done
    JOB_ARGS+=("$arg")
  done
  if ((is_apply && !has_yes)); then
    usage_error "apply in a Swarm job has no terminal to confirm on: add --yes"
  fi
}

set_policy() {
  [[ -z "$POLICY_FILE" ]] || usage_error "the policy is given twice"
  [[ -n "$1" ]] || usage_error "--policy needs a policy file"
  POLICY_FILE=$1
}

# check_policy: the policy must be valid here, before any node runs it.
check_policy() {
  [[ -n "$POLICY_FILE" ]] || return 0
  [[ -r "$POLICY_FILE" ]] || die "cannot read the policy file $POLICY_FILE"
  if ! "$DGC_BINARY" policy check "$POLICY_FILE" >/dev/null; then
    die "the policy file $POLICY_FILE is not valid (see above)"
  fi
}

# --- 2. The job image -------------------------------------------------------

# binary_version: the Version docker-gc reports as a CLI plugin.
binary_version() {
  local metadata version
  metadata=$("$DGC_BINARY" docker-cli-plugin-metadata) ||
    die "$DGC_BINARY docker-cli-plugin-metadata failed: is it docker-gc?"
  version=$(sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' <<<"$metadata")
  [[ -n "$version" ]] || die "$DGC_BINARY printed no plugin Version"
  echo "$version"
}

# stage_image DIR: copies the binary (stripped) to DIR/docker-gc and each
# library ldd lists (the loader too) to its path under DIR.
stage_image() {
  local dir=$1 listing
  local -a libraries
  if ! strip -o "$dir/docker-gc" "$DGC_BINARY" 2>/dev/null; then
    cp "$DGC_BINARY" "$dir/docker-gc"
  fi
  chmod 0755 "$dir/docker-gc"
  mkdir -m 1777 "$dir/tmp"
  listing=$(ldd "$DGC_BINARY" 2>&1) || true
  if [[ "$listing" == *"not a dynamic executable"* ]]; then
    return 0
  fi
  if [[ "$listing" == *"not found"* ]]; then
    die "ldd $DGC_BINARY: a library is missing: $(grep 'not found' <<<"$listing")"
  fi
  # "libx.so.1 => /lib/…/libx.so.1 (0x…)", or "/lib64/ld-linux….so.2 (0x…)"
  mapfile -t libraries < <(sed -n -e 's/.*=> \(\/[^ ]*\) (0x[0-9a-f]*)$/\1/p' \
    -e 's/^[[:space:]]*\(\/[^ ]*\) (0x[0-9a-f]*)$/\1/p' <<<"$listing")
  ((${#libraries[@]} > 0)) || die "ldd $DGC_BINARY listed no library: $listing"
  cp -L --parents "${libraries[@]}" "$dir"
}

# build_image TAG: imports the files staged in STAGE_DIR as TAG; prints
# the image ID.
build_image() {
  local tag=$1
  mkdir "$STAGE_DIR/root"
  stage_image "$STAGE_DIR/root"
  tar -C "$STAGE_DIR/root" -cf "$STAGE_DIR/image.tar" .
  docker_cli import --change 'ENTRYPOINT ["/docker-gc"]' \
    --change "LABEL $JOB_LABEL" \
    --message "docker gc job image, made by packaging/swarm/deploy.sh" \
    "$STAGE_DIR/image.tar" "$tag" ||
    die "docker import of the job image $tag failed"
}

# engine_cli HOST ARGS…: the docker CLI on another node's engine (HOST
# from DGC_NODE_HOSTS), or on the manager when HOST is empty.
engine_cli() {
  local host=$1
  shift
  if [[ -z "$host" ]]; then
    docker_cli "$@"
  elif [[ "$host" == context:* ]]; then
    docker_cli --context "${host#context:}" "$@"
  else
    docker_cli --host "$host" "$@"
  fi
}

# distribute_image ID TAG: loads the image into each DGC_NODE_HOSTS engine.
distribute_image() {
  local id=$1 tag=$2 host
  for host in "${NODE_HOSTS[@]}"; do
    if engine_cli "$host" image inspect "$id" >/dev/null 2>&1; then
      continue
    fi
    say "loading the job image into $host"
    docker_cli save "$tag" | engine_cli "$host" load -q >/dev/null ||
      die "could not load the job image into $host"
  done
}

# --- 3. The previous service ------------------------------------------------

# task_lines: "TASK NODE STATE EXIT|ERROR" for every task of the service.
task_lines() {
  local -a tasks
  mapfile -t tasks < <(docker_cli service ps -q --no-trunc "$SERVICE")
  ((${#tasks[@]} > 0)) || return 0
  docker_cli inspect --type task --format \
    '{{.ID}} {{.NodeID}} {{.Status.State}} {{with .Status.ContainerStatus}}{{.ExitCode}}{{end}}|{{.Status.Err}}' \
    "${tasks[@]}"
}

is_terminal() {
  case "$1" in
    complete | failed | shutdown | rejected | orphaned | remove) return 0 ;;
    *) return 1 ;;
  esac
}

# remove_previous_service: removes a finished docker-gc service (and its
# task containers); refuses while one of its tasks still runs, or when the
# service is not deploy.sh's.
remove_previous_service() {
  local task node state rest
  if ! docker_cli service inspect "$SERVICE" >/dev/null 2>&1; then
    return 0
  fi
  [[ "$(docker_cli service inspect --format '{{.Spec.Labels}}' "$SERVICE")" \
    == *"docker-gc.job:true"* ]] ||
    die "a service named $SERVICE exists and was not made by deploy.sh;" \
      "remove it first"
  while read -r task node state rest; do
    if ! is_terminal "$state"; then
      die "the previous $SERVICE service is still running (task $task on" \
        "node $node is $state): wait for it, or stop it with" \
        "'docker service rm $SERVICE'"
    fi
  done < <(task_lines)
  say "removing the finished previous $SERVICE service"
  docker_cli service rm "$SERVICE" >/dev/null
  remove_old_task_containers
}

# remove_old_task_containers: removes the exited containers of removed
# docker-gc services where deploy.sh can reach the engine (the manager and
# DGC_NODE_HOSTS), never with force. Swarm 20.10 leaves a removed job's
# task containers behind; they would keep old job images in use.
remove_old_task_containers() {
  local host container
  for host in "" "${NODE_HOSTS[@]}"; do
    while read -r container; do
      if [[ -n "$container" ]]; then
        engine_cli "$host" container rm "$container" >/dev/null 2>&1 || true
      fi
    done < <(engine_cli "$host" container ls -aq --filter status=exited \
      --filter "label=com.docker.swarm.service.name=$SERVICE" \
      --filter "label=$JOB_LABEL")
  done
}

# remove_stale_configs KEEP: removes the policy configs deploy.sh made,
# except KEEP; a config still in use is left alone.
remove_stale_configs() {
  local keep=$1 name
  while read -r name; do
    if [[ -n "$name" && "$name" != "$keep" ]]; then
      docker_cli config rm "$name" >/dev/null 2>&1 || true
    fi
  done < <(docker_cli config ls --filter "label=$JOB_LABEL" --format '{{.Name}}')
}

# policy_config: creates (or reuses) the config holding the policy; prints
# its name, which carries the policy's sha256.
policy_config() {
  local name
  name="$SERVICE-policy-$(sha256sum "$POLICY_FILE" | cut -c1-12)"
  if ! docker_cli config inspect "$name" >/dev/null 2>&1; then
    docker_cli config create --label "$JOB_LABEL" "$name" "$POLICY_FILE" \
      >/dev/null || die "could not create the Swarm config $name"
  fi
  echo "$name"
}

# --- 4. The service ---------------------------------------------------------

create_service() {
  local image_id=$1 tag=$2 config=$3
  local -a options=(--name "$SERVICE" --mode global-job --restart-condition none
    --no-resolve-image --detach --label "$JOB_LABEL"
    --label "docker-gc.image=$tag"
    --mount "type=bind,src=$NODE_SOCKET,dst=$TASK_SOCKET")
  if [[ -n "$CACHE_VOLUME" ]]; then
    options+=(--mount "type=volume,src=$CACHE_VOLUME,dst=$CACHE_TARGET")
  fi
  if [[ -n "$config" ]]; then
    options+=(--config "source=$config,target=$POLICY_TARGET,mode=0444")
  fi
  docker_cli service create "${options[@]}" "$image_id" "${JOB_ARGS[@]}" \
    >/dev/null || die "docker service create $SERVICE failed"
}

# --- 5. Waiting -------------------------------------------------------------

declare -A NODE_NAMES=()
EXPECTED_NODES=()

# read_nodes: the nodes that get a task (ready and active); notes others.
read_nodes() {
  local id hostname status availability
  while read -r id hostname status availability; do
    NODE_NAMES[$id]=$hostname
    if [[ "$status" == Ready && "$availability" == Active ]]; then
      EXPECTED_NODES+=("$id")
    else
      say "node $hostname is $status/$availability: it gets no task"
    fi
  done < <(docker_cli node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}}')
  ((${#EXPECTED_NODES[@]} > 0)) || die "no node is ready and active"
}

node_name() {
  echo "${NODE_NAMES[$1]:-$1}"
}

# wait_for_tasks: returns when every expected node's task has finished;
# dies on a rejected task (after removing the service) or on the timeout.
wait_for_tasks() {
  local deadline=$((SECONDS + WAIT_TIMEOUT_S)) lines task node state rest
  local node_id finished
  local -A done_nodes
  while true; do
    lines=$(task_lines)
    done_nodes=()
    finished=1
    while read -r task node state rest; do
      [[ -n "$task" ]] || continue
      if [[ "$state" == rejected ]]; then
        say "error: node $(node_name "$node") rejected task $task: ${rest#*|}"
        say "removing the $SERVICE service (Swarm would re-create the task forever)"
        docker_cli service rm "$SERVICE" >/dev/null || true
        exit 1
      fi
      if is_terminal "$state"; then
        done_nodes[$node]=1
      else
        finished=0
      fi
    done <<<"$lines"
    for node_id in "${EXPECTED_NODES[@]}"; do
      [[ -n "${done_nodes[$node_id]:-}" ]] || finished=0
    done
    if ((finished)); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      say "error: the $SERVICE tasks did not finish within ${WAIT_TIMEOUT_S}s" \
        "(DGC_WAIT_TIMEOUT); they are:"
      report_tasks || true
      say "the service is left running: see 'docker service ps $SERVICE'"
      exit 1
    fi
    sleep "$POLL_INTERVAL_S"
  done
}

# report_tasks: prints each task's node and outcome; returns 1 when any
# task did not complete.
report_tasks() {
  local task node state code error status=0
  while read -r task node state code; do
    [[ -n "$task" ]] || continue
    error=${code#*|}
    code=${code%%|*}
    if [[ "$state" == complete ]]; then
      say "node $(node_name "$node"): complete (task $task)"
    elif ! is_terminal "$state"; then
      say "node $(node_name "$node"): $state (task $task)"
      status=1
    else
      say "node $(node_name "$node"): $state${code:+, exit $code}${error:+: $error} (task $task;" \
        "its output: docker service logs --raw $task)"
      status=1
    fi
  done < <(task_lines)
  return "$status"
}

# --- 6. Older job images ----------------------------------------------------

# remove_old_images ID: removes job images other than ID, without force,
# where deploy.sh put them; one still in use stays.
remove_old_images() {
  local keep=$1 host image
  for host in "" "${NODE_HOSTS[@]}"; do
    while read -r image; do
      if [[ -n "$image" && "$image" != "$keep" ]]; then
        engine_cli "$host" image rm "$image" >/dev/null 2>&1 || true
      fi
    done < <(engine_cli "$host" image ls -q --no-trunc --filter "label=$JOB_LABEL")
  done
}

main() {
  [[ -n "${DGC_BINARY:-}" ]] || usage_error "set DGC_BINARY to the built docker-gc (build/plugin/docker-gc)"
  [[ -x "$DGC_BINARY" && -f "$DGC_BINARY" ]] || die "DGC_BINARY=$DGC_BINARY is not an executable file"
  [[ "$WAIT_TIMEOUT_S" =~ ^[1-9][0-9]*$ ]] || usage_error "DGC_WAIT_TIMEOUT=$WAIT_TIMEOUT_S is not a number of seconds"
  [[ "$NODE_SOCKET" == /* ]] || usage_error "DGC_NODE_SOCKET=$NODE_SOCKET is not an absolute path"
  parse_arguments "$@"
  check_policy

  local control
  control=$(docker_cli info --format '{{.Swarm.ControlAvailable}}') ||
    die "cannot reach the Docker engine (DOCKER_HOST=${DOCKER_HOST:-unset})"
  [[ "$control" == true ]] ||
    die "the engine at DOCKER_HOST=${DOCKER_HOST:-unset} is not a Swarm manager"

  remove_previous_service
  local version tag image_id config=""
  version=$(binary_version)
  tag="$JOB_REPOSITORY:$version"
  say "building the job image $tag from $DGC_BINARY"
  STAGE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/docker-gc-job.XXXXXX")
  image_id=$(build_image "$tag")
  [[ "$image_id" == sha256:* ]] || die "docker import printed no image ID: $image_id"
  distribute_image "$image_id" "$tag"

  if [[ -n "$POLICY_FILE" ]]; then
    config=$(policy_config)
  fi
  remove_stale_configs "$config"

  read_nodes
  say "running 'docker gc ${JOB_ARGS[*]}' on ${#EXPECTED_NODES[@]} node(s)" \
    "as the global job $SERVICE (image ${image_id:7:12})"
  create_service "$image_id" "$tag" "$config"
  wait_for_tasks
  local status=0
  report_tasks || status=$?
  remove_old_images "$image_id"
  if ((status != 0)); then
    die "docker gc failed on some node(s); the service $SERVICE is kept"
  fi
  say "done; each node's output: docker service logs --raw $SERVICE"
}

main "$@"
