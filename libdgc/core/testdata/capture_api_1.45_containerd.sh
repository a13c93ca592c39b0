#!/usr/bin/env bash
# Records the api-1.45-containerd bodies from a private Docker engine on the
# containerd image store (Debian trixie docker.io 26.1.5, API 1.45, on
# containerd 1.7.24; tests/lib/containerd_engine.sh). Run as root from this
# directory:
#   ./capture_api_1.45_containerd.sh
# It loads the images of make_images.py, moves `other:1` onto `tool:2` (so
# the engine keeps the old image as an untagged record), creates a container
# `api-1` (created) on app:1 and runs `job-1` (exited) on tool:2, saves the
# bodies into api-1.45-containerd/ with the content store's blob sizes
# (content_blobs.txt: "<digest> <bytes>" per line), then deletes the untagged
# image and saves /system/df and the blob sizes again, and stops the engine,
# removing everything it made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/api-1.45-containerd"
# shellcheck source=tests/lib/containerd_engine.sh
source "$here/../../../tests/lib/containerd_engine.sh"
D=$(mktemp -d /tmp/dgc-rec.XXXXXX)
trap 'containerd_engine_stop "$D"' EXIT
containerd_engine_start "$D"
docker_cli() { /usr/bin/docker -H "unix://$D/docker.sock" "$@"; }
get() { curl -sf --unix-socket "$D/docker.sock" "http://localhost/v1.45$1"; }
blob_sizes() {
  local blobs="$D/containerd/root/io.containerd.content.v1.content/blobs/sha256"
  find "$blobs" -type f -printf 'sha256:%f %s\n' | sort
}

python3 "$here/make_images.py" "$D/images.tar"
docker_cli load -i "$D/images.tar"
docker_cli tag tool:2 other:1
docker_cli create --network none --name api-1 app:1
docker_cli run --network none --name job-1 tool:2 /bin/true
# containerd removes the blobs a load leaves unreferenced asynchronously.
sleep 2

rm -rf "$out"
mkdir -p "$out"
get /version >"$out/version.json"
get /info >"$out/info.json"
get '/images/json?all=1' >"$out/images.json"
get '/containers/json?all=1' >"$out/containers.json"
get /system/df >"$out/system_df.json"
blob_sizes >"$out/content_blobs.txt"
ids=$(python3 -c 'import json,sys; print(" ".join(i["Id"] for i in json.load(open(sys.argv[1]))))' "$out/images.json")
for id in $ids; do
  hex=${id#sha256:}
  get "/images/$id/json" >"$out/inspect_${hex:0:12}.json"
  get "/images/$id/history" >"$out/history_${hex:0:12}.json"
done
for id in $(python3 -c 'import json,sys; print(" ".join(c["Id"] for c in json.load(open(sys.argv[1]))))' "$out/containers.json"); do
  get "/containers/$id/json" >"$out/container_${id:0:12}.json"
done
# What deleting the untagged record frees: the LayersSize and content drops.
dangling=$(python3 -c 'import json,sys; print(" ".join(i["Id"] for i in json.load(open(sys.argv[1])) if not i["RepoTags"] and i["Size"] < 100000))' "$out/images.json")
docker_cli rmi "$dangling"
get /system/df >"$out/system_df_after_rmi_dangling.json"
blob_sizes >"$out/content_blobs_after_rmi_dangling.txt"
