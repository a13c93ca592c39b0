#!/usr/bin/env python3
"""Writes the docker-save tarball whose images the api-1.41 bodies describe.

Usage: make_images.py OUT.tar

Deterministic: the same script gives the same layer tars, diff IDs and image
IDs. Images (bottom layer first):
  app     app:1, app:latest, localhost:5000/team/app:1 -- busybox, app data;
          history with ENV and LABEL steps between the layers; labels
  tool    tool:2 -- busybox, tool data (shares the busybox chain with app)
  none    untagged (RepoTags null) -- busybox, a 0-byte layer, config file
  other   other:1 -- config file, app data: app's top diff on another parent
"""
import hashlib
import io
import json
import sys
import tarfile

BUSYBOX = "/bin/busybox"


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def info(name, kind, size=0, mode=0o644, linkname=""):
    entry = tarfile.TarInfo(name)
    entry.type, entry.size, entry.mode, entry.linkname = kind, size, mode, linkname
    entry.mtime = entry.uid = entry.gid = 0
    return entry


def layer(files=(), links=(), dirs=()):
    """Returns (tar bytes, diff ID, size); files: (path, bytes, mode)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for directory in dirs:
            tar.addfile(info(directory + "/", tarfile.DIRTYPE, mode=0o755))
        for path, data, mode in files:
            tar.addfile(info(path, tarfile.REGTYPE, len(data), mode), io.BytesIO(data))
        for path, target in links:
            tar.addfile(info(path, tarfile.SYMTYPE, mode=0o777, linkname=target))
    data = buffer.getvalue()
    return data, digest(data), sum(len(f[1]) for f in files)


def blob(size, seed):
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return out[:size]


BB = layer(files=[("bin/busybox", open(BUSYBOX, "rb").read(), 0o755)],
           links=[("bin/sh", "busybox"), ("bin/true", "busybox"),
                  ("bin/sleep", "busybox")], dirs=["bin"])
APP = layer(files=[("app/data", blob(4000, "app"), 0o644)], dirs=["app"])
TOOL = layer(files=[("tool/data", blob(2500, "tool"), 0o644)], dirs=["tool"])
EMPTY = layer(dirs=["empty"])
CFG = layer(files=[("etc/app.conf", blob(300, "cfg"), 0o644)], dirs=["etc"])


def config(created, layers, history, labels=None):
    """history: oldest first; a string is a layer step, ("empty", text) not."""
    entries = []
    for step in history:
        if isinstance(step, tuple):
            entries.append({"created": created, "created_by": step[1],
                            "empty_layer": True})
        else:
            entries.append({"created": created, "created_by": step})
    return json.dumps({
        "architecture": "amd64", "os": "linux", "created": created,
        "config": {"Cmd": ["/bin/sleep", "3600"], "Env": ["PATH=/bin"],
                   "Labels": labels or {}},
        "rootfs": {"type": "layers", "diff_ids": [l[1] for l in layers]},
        "history": entries,
    }, sort_keys=True, separators=(",", ":")).encode()


IMAGES = [
    (["app:1", "app:latest", "localhost:5000/team/app:1"], [BB, APP],
     config("2025-01-02T03:04:05Z", [BB, APP],
            ["COPY busybox /bin/busybox", ("empty", "ENV MODE=prod"),
             "COPY data /app/data", ("empty", "LABEL org.example.team=core")],
            {"org.example.team": "core", "gc.keep": "false"})),
    (["tool:2"], [BB, TOOL],
     config("2025-02-03T04:05:06.123456789Z", [BB, TOOL],
            ["COPY busybox /bin/busybox", "COPY data /tool/data"])),
    (None, [BB, EMPTY, CFG],
     config("2024-12-01T00:00:00Z", [BB, EMPTY, CFG],
            ["COPY busybox /bin/busybox", "RUN mkdir /empty",
             "COPY app.conf /etc/app.conf", ("empty", 'CMD ["/bin/sh"]')])),
    (["other:1"], [CFG, APP],
     config("2025-03-04T05:06:07Z", [CFG, APP],
            ["COPY app.conf /etc/app.conf", "COPY data /app/data"])),
]


def add(tar, name, data):
    tar.addfile(info(name, tarfile.REGTYPE, len(data)), io.BytesIO(data))


def main(path):
    manifest, written = [], set()
    with tarfile.open(path, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for tags, layers, config_bytes in IMAGES:
            config_name = digest(config_bytes)[7:] + ".json"
            add(tar, config_name, config_bytes)
            paths = []
            for data, diff_id, _ in layers:
                paths.append(diff_id[7:] + "/layer.tar")
                if diff_id not in written:
                    written.add(diff_id)
                    add(tar, paths[-1], data)
            manifest.append({"Config": config_name, "RepoTags": tags,
                             "Layers": paths})
            print(digest(config_bytes), tags, [l[1] for l in layers],
                  [l[2] for l in layers])
        add(tar, "manifest.json", json.dumps(manifest).encode())


if __name__ == "__main__":
    main(sys.argv[1])
