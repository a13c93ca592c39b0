#!/bin/sh
# Records the api-1.41 bodies from a private Docker engine (Debian docker.io
# 20.10.24, API 1.41). Run as root from this directory:
#   ./capture_api_1.41.sh
# It starts dockerd on a temporary data root with the vfs driver, loads the
# images of make_images.py, builds one image with the classic builder (so the
# engine lists intermediate images with parents), creates two containers
# in four states (created, exited, running, paused), saves the bodies into
# api-1.41/, then deletes two images and saves /system/df after each (for
# the exact-accounting cross-check), and stops the engine again, removing
# everything it made.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/api-1.41"
D=$(mktemp -d)
docker_cli() { /usr/bin/docker -H "unix://$D/docker.sock" "$@"; }
cleanup() {
  if [ -f "$D/pid" ]; then
    pid=$(cat "$D/pid")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  grep " $D/" /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do
    umount "$m" || umount -l "$m" || true
  done
  rm -rf "$D"
}
trap cleanup EXIT
dockerd --host "unix://$D/docker.sock" --data-root "$D/root" \
  --exec-root "$D/exec" --pidfile "$D/pid" --iptables=false \
  --ip6tables=false --bridge=none --storage-driver=vfs >"$D/log" 2>&1 &
for _ in $(seq 50); do
  [ -S "$D/docker.sock" ] && docker_cli version >/dev/null 2>&1 && break
  sleep 0.2
done
python3 "$here/make_images.py" "$D/images.tar"
docker_cli load -i "$D/images.tar"
mkdir "$D/ctx"
printf 'FROM tool:2\nENV GREETING=hello\nRUN echo hi > /hello.txt\nLABEL stage=built\n' \
  >"$D/ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker_cli build --network none -t built:1 "$D/ctx"
docker_cli create --network none --name api-1 app:1
docker_cli run --network none --name job-1 tool:2 /bin/true
docker_cli run -d --network none --name web-1 built:1
docker_cli run -d --network none --name cron-1 app:1
docker_cli pause cron-1

get() { curl -sf --unix-socket "$D/docker.sock" "http://localhost/v1.41$1"; }
mkdir -p "$out"
get /version >"$out/version.json"
get /info >"$out/info.json"
get '/images/json?all=1' >"$out/images.json"
get '/containers/json?all=1' >"$out/containers.json"
get /system/df >"$out/system_df.json"
for id in $(python3 -c 'import json,sys; print(" ".join(i["Id"] for i in json.load(open(sys.argv[1]))))' "$out/images.json"); do
  hex=${id#sha256:}
  get "/images/$id/json" >"$out/inspect_${hex%"${hex#????????????}"}.json"
  get "/images/$id/history" >"$out/history_${hex%"${hex#????????????}"}.json"
done
# The inspect of each container that is not running (created, exited).
for id in $(python3 -c 'import json,sys; print(" ".join(c["Id"] for c in json.load(open(sys.argv[1])) if c["State"] in ("created", "exited", "dead")))' "$out/containers.json"); do
  get "/containers/$id/json" >"$out/container_${id%"${id#????????????}"}.json"
done
# The engine's layer chain IDs, for the chain ID cross-check in tests.
ls "$D/root/image/vfs/layerdb/sha256" >"$out/layerdb_chain_ids.txt"
# Exact accounting: the drop in LayersSize after each delete.
docker_cli rmi other:1
get /system/df >"$out/system_df_after_rmi_other.json"
docker_cli rmi "$(docker_cli images -q --filter dangling=true)"
get /system/df >"$out/system_df_after_rmi_dangling.json"
docker_cli rm -f web-1 cron-1 >/dev/null
