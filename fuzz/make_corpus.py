#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from what
the repository already holds: the Engine API bodies recorded from real
engines (libdgc/core/testdata/api-*/), the example policies and snapshot
(packaging/), and, with --docker-gc, plans that binary makes of them.

Each seed is written under a name saying where it came from; files already
there that this script does not make (seeds recorded live, reproducers of
bugs found) are left alone. Run from anywhere:

    fuzz/make_corpus.py [--docker-gc build/plugin/docker-gc]
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
CORPUS = REPO / "fuzz" / "corpus"
TESTDATA = REPO / "libdgc" / "core" / "testdata"
EXAMPLES = REPO / "packaging" / "examples"

# Recorded body files (by name prefix) and the target that parses them.
BODY_TARGETS = {
    "images": "image_list",
    "inspect_": "image_inspect",
    "history_": "image_history",
    "containers": "container_list",
    "container_": "container_inspect",
    "version": "version",
    "info": "info",
    "system_df": "system_df",
}

# Seeds written by hand: the shapes a recorded engine did not show.
HAND_SEEDS = {
    "policy": {
        "sections.json": {
            "threshold": {"high": "40GB", "low": "30GB"}, "order": "lru",
            "rules": [{"match": ["app-*", "*:v?"], "keep_newest": 1,
                       "group_by": "label:com.docker.compose.project"},
                      {"name": "keep", "match": "keep*", "keep": True}],
            "containers": {"stopped_older_than": "30d",
                           "protect_labels": ["gc.keep"],
                           "include_restart_policies": True},
            "volumes": {"anonymous_unused_older_than": "2w"},
            "build_cache": {"older_than": "90m", "keep_storage": "5MiB"}},
    },
    "delete_response": {
        "untag.json": [{"Untagged": "app:1"}],
        "delete.json": [
            {"Untagged": "localhost:5000/team/app:1"},
            {"Deleted": "sha256:4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47"},
            {"Deleted": "sha256:2326df0e8fc2d827cd9565f7cbc97556cef38567adb3ca7c108cea11587c5a70"}],
    },
}
GLOB_SEEDS = {
    "star.txt": "onai-integrator-login-main-*\nonai-integrator-login-main-7",
    "tag.txt": "postgres:*\npostgres:16",
    "port.txt": "localhost:5000/app\nlocalhost:5000/app",
    "class.txt": "app-[a-z0-9]?[!x]\\*\napp-b1y*",
    "utf8.txt": "caf\u00e9-[\u00e0-\u00ff]*\ncaf\u00e9-\u00e9t\u00e9",
    "stars.txt": "*a*a*a*a*a*b\n" + "a" * 40,
}
TIME_SEEDS = {
    "engine.txt": "2026-11-25T22:40:00.123456789Z",
    "offset.txt": "2026-11-25T22:40:00+01:00",
    "zero.txt": "0001-01-01T00:00:00Z",
    "leap.txt": "2016-12-31T23:59:60Z",
    "short.txt": "2026-1-5T2:4:0Z",
    "duration.txt": "36h",
}


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    if not isinstance(data, (str, bytes)):
        data = json.dumps(data, separators=(",", ":"))
    if isinstance(data, str):
        data = data.encode()
    (directory / name).write_bytes(data)


def body_seeds():
    for api in sorted(TESTDATA.glob("api-*")):
        for path in sorted(api.glob("*.json")):
            for prefix, target in BODY_TARGETS.items():
                if path.name.startswith(prefix):
                    write(target, f"{api.name}-{path.name}", path.read_bytes())
                    break


def load(path):
    return json.loads(path.read_text())


def content_of(api, images):
    """The content member of a containerd-store snapshot: each image with
    the store's recorded blobs."""
    blobs = {}
    for line in (api / "content_blobs.txt").read_text().splitlines():
        digest, size = line.split()
        blobs[digest] = int(size)
    return {"root": "/var/lib/containerd", "unattributed_bytes": 0,
            "images": {image["Id"]: {"index": "", "blobs": blobs,
                                     "other_platforms": []}
                       for image in images}}


def snapshot_of(api):
    """A dgc.snapshot/v1 document of one recorded engine, laid out as
    docker gc writes one (so the one-pass reader takes it)."""
    images = load(api / "images.json")
    snapshot = {"schema": "dgc.snapshot/v1",
                "captured_at": "2026-11-25T23:18:50Z",
                "host": "unix:///var/run/docker.sock",
                "version": load(api / "version.json"),
                "info": load(api / "info.json"),
                "images": images,
                "containers": load(api / "containers.json"),
                "image_details": {}}
    for image in images:
        hex12 = image["Id"].split(":")[1][:12]
        inspect, history = api / f"inspect_{hex12}.json", api / f"history_{hex12}.json"
        if inspect.exists() and history.exists():
            snapshot["image_details"][image["Id"]] = {
                "inspect": load(inspect), "history": load(history)}
    containers = {}
    for path in sorted(api.glob("container_*.json")):
        body = load(path)
        containers[body["Id"]] = body
    if containers:
        snapshot["container_details"] = containers
    if (api / "system_df.json").exists():
        snapshot["system_df"] = load(api / "system_df.json")
    if (api / "content_blobs.txt").exists():
        snapshot["content"] = content_of(api, images)
    return snapshot


def snapshot_seeds():
    for api in sorted(TESTDATA.glob("api-*")):
        write("snapshot", f"{api.name}.json", snapshot_of(api))
    write("snapshot", "example.json", load(EXAMPLES / "snapshot.json"))


def details_cache_seed():
    api = TESTDATA / "api-1.41"
    inspect = load(api / "inspect_4434d072e463.json")
    write("details_cache", "api-1.41.json", {
        "schema": "dgc.image-details/v1", "engine": "fuzz",
        "images": {inspect["Id"]: {
            "tags": sorted(inspect["RepoTags"] or []), "inspect": inspect,
            "history": load(api / "history_4434d072e463.json")}}})


def policy_seeds():
    for path in [EXAMPLES / "gc.json", EXAMPLES / "gc-watermarks.json"]:
        write("policy", f"example-{path.name}", path.read_bytes())
    write("policy", "debian-gc.json",
          (REPO / "packaging" / "debian" / "gc.json").read_bytes())


def plan_seeds(docker_gc):
    """Plans of the example and recorded snapshots under the seed policies."""
    policies = sorted((CORPUS / "policy").glob("*.json"))
    snapshots = sorted((CORPUS / "snapshot").glob("*.json"))
    with tempfile.TemporaryDirectory() as work:
        for snapshot in snapshots:
            for policy in policies:
                out = pathlib.Path(work) / "plan.json"
                run = subprocess.run(
                    [docker_gc, "plan", "--from", str(snapshot), "-p", str(policy),
                     "--format", "json", "-o", str(out)],
                    capture_output=True, check=False)
                if run.returncode == 0 and out.exists():
                    shutil.copy(out, CORPUS / "plan_json" /
                                f"{snapshot.stem}-{policy.stem}.json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docker-gc", help="a docker-gc binary to make plans with")
    args = parser.parse_args()
    body_seeds()
    snapshot_seeds()
    details_cache_seed()
    policy_seeds()
    for target, seeds in HAND_SEEDS.items():
        for name, data in seeds.items():
            write(target, name, data)
    for name, text in GLOB_SEEDS.items():
        write("glob", name, text)
    for name, text in TIME_SEEDS.items():
        write("time_text", name, text)
    if args.docker_gc:
        (CORPUS / "plan_json").mkdir(parents=True, exist_ok=True)
        plan_seeds(args.docker_gc)


if __name__ == "__main__":
    main()
