"""The containerd-store test engine (tests/lib/containerd_engine.sh through
PrivateEngine(store="containerd")): it starts, runs containers with
bookworm's runc, stays private, and reports what engine.py's docstring
says it reports. Each fact libdgc relies on for the containerd image store
(SPEC §10) is checked here against the real engine.

Every engine here is a PrivateEngine of this test's own; the first run on a
machine downloads trixie's docker.io and containerd (cached afterwards in
/var/cache/dgc-tests).
"""

import io
import json
import os
import subprocess
import tarfile
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.engine import (CONTAINERD_ENGINE_SH, PrivateEngine, chain_ids,
                                 directory_usage, loaded_image_id)
from dgc_fixtures.imagegen import ImageSpec, busybox_layer, file_layer
from dgc_fixtures.resources import RUNNABLE_TAG, runnable_image

CREATED = datetime(2025, 6, 1, tzinfo=timezone.utc)
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar"
TAR_RECORD = 10240
DRIVER_TYPE = ["driver-type", "io.containerd.snapshotter.v1"]
# The bytes of a small exited container's writable and -init snapshots
# (the -init files and directories), measured on ext4.
SMALL_CONTAINER_SNAPSHOTS_EXT4 = 32768


def mounts_under(directory):
    """Mount points at or below `directory` in this mount namespace."""
    prefix = str(directory)
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        points = [line.split()[4] for line in mountinfo]
    return [point for point in points if point == prefix or point.startswith(prefix + "/")]


def processes_naming(directory):
    """Pids of the processes whose command line names `directory`."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f"{directory}/" in cmdline:
            pids.append(int(proc.name))
    return pids


class ContainerdEngineCase(unittest.TestCase):
    """A class-wide containerd-store PrivateEngine (`cls.private`,
    `cls.engine`, `cls.cli`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private = PrivateEngine(store="containerd")
        cls.addClassCleanup(cls.private.stop)
        cls.engine = cls.private.start()
        cls.cli = DockerCli(cls.engine.host)

    def api45(self, method, path):
        """(status, decoded body) of a request with the engine's own API
        version, v1.45."""
        status, _, body = self.engine.request(method, f"/v1.45{path}", versioned=False)
        try:
            return status, json.loads(body) if body else None
        except ValueError:
            return status, body.decode()

    def load(self, *specs):
        """Loads `specs`; returns their Ids on this engine."""
        self.cli.load(list(specs))
        return [loaded_image_id(spec) for spec in specs]

    def freed_by(self, method, path):
        """Runs the request once containerd has collected its garbage;
        returns (status, body, content store drop, LayersSize drop)."""
        self.assertEqual(self.private.wait_for_gc(), {})
        content, layers = self.private.content_store_bytes(), self.engine.layers_size()
        status, body = self.api45(method, path)
        return (status, body, content - self.private.content_store_bytes(),
                layers - self.engine.layers_size())


class ContainerdEngineTest(ContainerdEngineCase):

    def test_is_trixies_dockerd_on_containerd_with_bookworms_runc(self):
        version = self.engine.version()
        self.assertEqual(version["ApiVersion"], "1.45")
        self.assertTrue(version["Version"].startswith("26.1.5"), version["Version"])
        components = {component["Name"]: component["Version"]
                      for component in version["Components"]}
        self.assertTrue(components["containerd"].startswith("1.7.24"), components)
        self.assertEqual(components["runc"], "1.1.5+ds1")
        info = self.engine.info()
        self.assertIn(DRIVER_TYPE, info["DriverStatus"])
        self.assertEqual(info["Driver"], "overlayfs")
        self.assertEqual(info["DockerRootDir"], str(self.private.data_root))

    def test_runs_containers_and_stays_private(self):
        runnable_image(self.cli)
        result = self.cli.run("run", "--rm", "--network", "none", RUNNABLE_TAG,
                              "sh", "-c", "echo hello from runc")
        self.assertEqual(result.stdout, "hello from runc\n")

        name = "private-runner"
        self.cli.run_detached(RUNNABLE_TAG, name)
        self.addCleanup(self.cli.run, "rm", "-f", name, check=False)
        # The shim's socket is in the engine's own /run/containerd/s.
        shim_sockets = list((self.private.directory / "containerd" / "run" / "s").iterdir())
        self.assertEqual(len(shim_sockets), 1)
        containerd_pid = (self.private.directory / "containerd" / "pid").read_text().strip()
        self.assertNotEqual(os.readlink(f"/proc/{containerd_pid}/ns/mnt"),
                            os.readlink("/proc/self/ns/mnt"))
        dockerd_pid = (self.private.directory / "launcher.pid").read_text().strip()
        self.assertEqual(os.readlink(f"/proc/{dockerd_pid}/ns/mnt"),
                         os.readlink(f"/proc/{containerd_pid}/ns/mnt"))
        # Its mounts (container root filesystems) are not in this namespace.
        self.assertEqual(mounts_under(self.private.directory), [])

    def test_id_is_the_manifest_digest_and_the_blobs_are_the_tarballs(self):
        spec = ImageSpec(["layout:1"], [busybox_layer(),
                                        file_layer("lay/out", 307200, "layout")], CREATED)
        image_id, = self.load(spec)
        inspect = self.engine.image_inspect("layout:1")
        self.assertEqual(inspect["Id"], image_id)
        self.assertNotEqual(image_id, spec.image_id)
        self.assertEqual(self.api45("GET", f"/images/{spec.image_id}/json")[0], 404)
        self.assertEqual(inspect["RootFS"]["Layers"], [layer.diff_id for layer in spec.layers])

        manifest = json.loads(self.private.read_blob(image_id))
        self.assertEqual(manifest["mediaType"], MANIFEST_TYPE)
        self.assertEqual(manifest["config"], {"mediaType": CONFIG_TYPE,
                                              "digest": spec.image_id,
                                              "size": len(spec.config_bytes())})
        self.assertEqual(manifest["layers"], [
            {"mediaType": LAYER_TYPE, "digest": layer.diff_id, "size": len(layer.tar_bytes)}
            for layer in spec.layers])
        self.assertEqual(len(self.private.read_blob(image_id)), 580)
        self.assertEqual(self.private.read_blob(spec.image_id), spec.config_bytes())
        for layer in spec.layers:
            blob = self.private.read_blob(layer.diff_id)
            self.assertEqual(blob, layer.tar_bytes)
            self.assertEqual(len(blob) % TAR_RECORD, 0)
        self.assertEqual(len(spec.layers[1].tar_bytes), 317440)

        blobs = self.private.image_blobs(image_id)
        self.assertEqual(blobs, {image_id: 580, spec.image_id: len(spec.config_bytes()),
                                 **{layer.diff_id: len(layer.tar_bytes)
                                    for layer in spec.layers}})
        self.assertLessEqual(blobs.items(), self.private.content_blobs().items())
        # Snapshots are named by chain ID.
        snapshots = {line.split()[0] for line in
                     self.ctr("snapshots", "--snapshotter", "overlayfs", "ls").splitlines()[1:]}
        self.assertLessEqual(set(chain_ids(inspect["RootFS"]["Layers"])), snapshots)

    def test_sizes(self):
        base = busybox_layer()
        own = file_layer("size/one", 307200, "sizes")
        runnable_image(self.cli)  # another image with the busybox layer
        spec = ImageSpec(["sizes:1"], [base, own], CREATED)
        image_id, = self.load(spec)
        blobs = self.private.image_blobs(image_id)
        inspect = self.engine.image_inspect(image_id)
        self.assertEqual(inspect["Size"], sum(blobs.values()))

        layer_sizes = self.private.layer_sizes(image_id)
        self.assertEqual(layer_sizes, [unpacked_usage(layer, self.private.directory)
                                       for layer in spec.layers])
        # 315,392 on ext4: the file and two directories (size/ and the root).
        self.assertEqual(layer_sizes[1] % 4096, 0)

        _, listed = self.api45("GET", "/images/json?shared-size=1")
        entry, = [image for image in listed if image["Id"] == image_id]
        self.assertEqual(entry["Size"], sum(blobs.values()) + sum(layer_sizes))
        self.assertEqual(entry["SharedSize"], layer_sizes[0])
        self.assertEqual(entry["Containers"], -1)
        old_entry, = [image for image in self.engine.images() if image["Id"] == image_id]
        self.assertEqual(old_entry["SharedSize"], -1)

    def test_layers_size_is_the_sum_of_all_snapshots(self):
        runnable_image(self.cli)
        before = self.private.snapshot_usage()
        self.assertEqual(self.engine.layers_size(), sum(before.values()))
        self.cli.run_exited(RUNNABLE_TAG, "snapshots-exited")
        after = self.private.snapshot_usage()
        self.assertEqual(self.engine.layers_size(), sum(after.values()))
        # The container's writable and -init snapshots.
        new = {number: usage for number, usage in after.items() if number not in before}
        self.assertEqual(len(new), 2)
        if self.on_ext4():
            self.assertEqual(sum(new.values()), SMALL_CONTAINER_SNAPSHOTS_EXT4)
        self.assertEqual(self.freed_by("DELETE", "/containers/snapshots-exited")[2:],
                         (0, sum(new.values())))

    def on_ext4(self):
        """Whether containerd's root is on ext4 (where the numbers of
        engine.py's docstring were measured)."""
        result = subprocess.run(["stat", "-f", "-c", "%T", str(self.private.containerd_root)],
                                capture_output=True, text=True, check=True)
        return result.stdout.strip() in ("ext2/ext3", "ext4")

    def test_repo_digests_are_synthesised(self):
        spec = ImageSpec(["digests:1", "digests:2", "other/digests:3"],
                         [file_layer("d", 1000, "digests")], CREATED)
        image_id, = self.load(spec)
        inspect = self.engine.image_inspect(image_id)
        self.assertEqual(inspect["RepoTags"], spec.tags)
        # One per tag in inspect, one in all in the list.
        self.assertEqual(inspect["RepoDigests"],
                         [f"{tag.split(':')[0]}@{image_id}" for tag in spec.tags])
        listed, = [image for image in self.engine.images() if image["Id"] == image_id]
        self.assertEqual(len(listed["RepoDigests"]), 1)
        self.assertIn(listed["RepoDigests"][0], inspect["RepoDigests"])
        status, body = self.api45("DELETE", f"/images/{image_id}")
        self.assertEqual(status, 409)
        self.assertIn("(must be forced) - image is referenced in multiple repositories",
                      body["message"])
        status, body = self.api45("DELETE", f"/images/{image_id}?force=1")
        self.assertEqual((status, body), (200, [{"Untagged": tag} for tag in spec.tags]
                                          + [{"Deleted": image_id}]))

    def test_load_over_a_tag_keeps_nothing(self):
        old = ImageSpec(["reload:1"], [file_layer("r/one", 20000, "reload-old")], CREATED)
        new = ImageSpec(["reload:1"], [file_layer("r/one", 20000, "reload-new")], CREATED)
        old_id, = self.load(old)
        records = self.engine.info()["Images"]
        self.assertEqual(self.private.wait_for_gc(), {})
        layers = self.engine.layers_size()
        new_id, = self.load(new)
        self.assertEqual(self.engine.image_inspect("reload:1")["Id"], new_id)
        self.assertEqual(self.api45("GET", f"/images/{old_id}/json")[0], 404)
        self.assertEqual(self.engine.info()["Images"], records)
        # The old image's blobs and snapshot go with the next garbage
        # collection, which runs soon after, not within the load.
        self.assertEqual(self.private.wait_for_gc(), {})
        self.assertNotIn(old.layers[0].diff_id, self.private.content_blobs())
        self.assertNotIn(old_id, self.private.content_blobs())
        self.assertEqual(self.engine.layers_size(), layers)  # same sizes, new layer

    def test_tag_over_a_tag_keeps_a_dangling_record(self):
        runnable_image(self.cli)
        old = ImageSpec(["retag:1"], [file_layer("r/one", 20000, "retag-old")], CREATED)
        old_id, = self.load(old)
        records = self.engine.info()["Images"]
        self.cli.tag(RUNNABLE_TAG, "retag:1")
        _, dangling = self.api45("GET", f"/images/{old_id}/json")
        self.assertEqual((dangling["RepoTags"], dangling["RepoDigests"]), ([], []))
        listed, = [image for image in self.engine.images() if image["Id"] == old_id]
        self.assertEqual((listed["RepoTags"], listed["RepoDigests"]),
                         (["<none>:<none>"], ["<none>@<none>"]))  # v1.41
        _, listed = self.api45("GET", "/images/json")
        self.assertIn(old_id, [image["Id"] for image in listed if image["RepoTags"] == []])
        self.assertEqual(self.engine.info()["Images"], records + 1)
        self.assertIn(f"moby-dangling@{old_id}", self.ctr("images", "ls", "-q").split())

        predicted = self.private.predict_delete(old_id)
        self.assertEqual(predicted, (sum(self.private.image_blobs(old_id).values()),
                                     unpacked_usage(old.layers[0], self.private.directory)))
        status, body, *freed = self.freed_by("DELETE", f"/images/{old_id}")
        self.assertEqual((status, body), (200, [{"Deleted": old_id}]))
        self.assertEqual(tuple(freed), predicted)

    def test_a_load_leaves_an_index_for_the_collector(self):
        spec = ImageSpec([], [file_layer("n/one", 3000, "untagged")], CREATED)
        self.assertEqual(self.private.wait_for_gc(), {})
        blobs = self.private.content_blobs()
        image_id, = self.load(spec)
        added = {digest: self.private.read_blob(digest)
                 for digest in self.private.content_blobs() if digest not in blobs}
        # Unless the collector was quicker than this look.
        for digest, data in added.items():
            if digest not in self.private.image_blobs(image_id):
                index = json.loads(data)
                self.assertNotIn("mediaType", index)
                self.assertEqual([entry["digest"] for entry in index["manifests"]],
                                 [image_id])
        self.assertEqual(self.private.wait_for_gc(), {})
        # Loaded without a tag: a dangling record.
        _, listed = self.api45("GET", "/images/json")
        self.assertIn({"Id": image_id, "RepoTags": [], "RepoDigests": []},
                      [{key: image[key] for key in ("Id", "RepoTags", "RepoDigests")}
                       for image in listed])
        self.assertIn(f"moby-dangling@{image_id}", self.ctr("images", "ls", "-q").split())
        status, body = self.api45("DELETE", f"/images/{image_id}")
        self.assertEqual((status, body), (200, [{"Deleted": image_id}]))

    def test_delete_frees_what_is_predicted(self):
        runnable_image(self.cli)
        shared = ImageSpec(["free-shared:1"], [busybox_layer(),
                                               file_layer("f/one", 307200, "free-a")],
                           CREATED)
        alone = ImageSpec(["free-alone:1"], [file_layer("f/one", 50000, "free-c")],
                          CREATED)
        shared_id, alone_id = self.load(shared, alone)

        predicted = self.private.predict_delete(shared_id)
        self.assertEqual(predicted, (580 + len(shared.config_bytes()) + 317440,
                                     unpacked_usage(shared.layers[1], self.private.directory)))
        status, body, *freed = self.freed_by("DELETE", "/images/free-shared:1")
        self.assertEqual((status, body),
                         (200, [{"Untagged": "free-shared:1"}, {"Deleted": shared_id}]))
        self.assertEqual(tuple(freed), predicted)

        predicted = self.private.predict_delete(alone_id)
        self.assertEqual(predicted, (sum(self.private.image_blobs(alone_id).values()),
                                     sum(self.private.layer_sizes(alone_id))))
        status, body, *freed = self.freed_by("DELETE", f"/images/{alone_id}")
        self.assertEqual((status, body),
                         (200, [{"Untagged": "free-alone:1"}, {"Deleted": alone_id}]))
        self.assertEqual(tuple(freed), predicted)

    def test_delete_with_containers(self):
        runnable_image(self.cli)  # keeps the busybox layer
        spec = ImageSpec(["in-use:1"], [busybox_layer(),
                                        file_layer("u/one", 100000, "in-use")], CREATED)
        image_id, = self.load(spec)
        container = self.cli.run_exited("in-use:1", "in-use-stopped")
        self.assertEqual(self.engine.get_json(f"/containers/{container}/json")["Image"],
                         image_id)
        for path, reason in (
                (f"/images/{image_id}", "image is being used by stopped container"),
                ("/images/in-use:1", f"container {container[:12]} is using its "
                                     f"referenced image {image_id[7:19]}")):
            status, body, *freed = self.freed_by("DELETE", path)
            self.assertEqual((status, freed), (409, [0, 0]), body)
            self.assertIn(f"(must be forced) - {reason}", body["message"])

        running = self.cli.run_detached("in-use:1", "in-use-running")
        for query in ("", "?force=1"):
            status, body = self.api45("DELETE", f"/images/{image_id}{query}")
            self.assertEqual(status, 409)
            self.assertIn("(cannot be forced) - image is being used by running container",
                          body["message"])
        self.cli.run("rm", "-f", running)

        content, layers = self.private.predict_delete(image_id)
        self.assertEqual(layers, 0)  # the stopped container keeps them
        status, body, *freed = self.freed_by("DELETE", f"/images/{image_id}?force=1")
        self.assertEqual((status, body),
                         (200, [{"Untagged": "in-use:1"}, {"Deleted": image_id}]))
        self.assertEqual(tuple(freed), (content, 0))
        before = self.private.snapshot_usage()
        status, _, content_freed, layers_freed = self.freed_by(
            "DELETE", f"/containers/{container}")
        self.assertEqual((status, content_freed), (204, 0))
        # The image's own layer, and the container's writable and -init.
        gone = {number: usage for number, usage in before.items()
                if number not in self.private.snapshot_usage()}
        self.assertEqual(len(gone), 3)
        self.assertEqual(layers_freed, sum(gone.values()))
        self.assertIn(unpacked_usage(spec.layers[1], self.private.directory), gone.values())

    def test_api_version_limits(self):
        status, _, body = self.engine.request("GET", "/v1.47/version", versioned=False)
        self.assertEqual(status, 400)
        self.assertIn("client version 1.47 is too new. Maximum supported API version is 1.45",
                      body.decode())
        runnable_image(self.cli)
        _, listed = self.api45("GET", "/images/json?manifests=1")
        self.assertTrue(listed)
        self.assertTrue(all("Manifests" not in image for image in listed))

    def ctr(self, *args):
        """The output of trixie's ctr on the engine's containerd, namespace
        moby."""
        directory = self.private.directory
        return subprocess.run([str(directory / "bin" / "ctr"), "--address",
                               str(directory / "containerd" / "containerd.sock"),
                               "-n", "moby", *args],
                              capture_output=True, text=True, check=True).stdout


def unpacked_usage(layer, directory):
    """The disk usage of `layer` unpacked in a fresh directory under
    `directory` (the filesystem of containerd's snapshots)."""
    with tempfile.TemporaryDirectory(dir=directory, prefix="unpack-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(layer.tar_bytes)) as tar:
            if hasattr(tarfile, "tar_filter"):
                tar.extractall(scratch, filter="tar")
            else:
                tar.extractall(scratch)
        return directory_usage(scratch)


class ContainerdEngineLifecycleTest(unittest.TestCase):

    def test_shutdown_keeps_the_engine_and_stop_leaves_nothing(self):
        private = PrivateEngine(store="containerd")
        with private as engine:
            cli = DockerCli(engine.host)
            runnable_image(cli)
            image_id = engine.image_inspect(RUNNABLE_TAG)["Id"]
            kept = cli.run_exited(RUNNABLE_TAG, "kept")
            cli.run_detached(RUNNABLE_TAG, "was-running")
            private.shutdown()
            self.assertEqual(processes_naming(private.directory), [])
            self.assertFalse((private.directory / "launcher.pid").exists())
            private.start()
            self.assertIn(kept, [container["Id"] for container in engine.containers()])
            self.assertEqual(cli.container_state("was-running"), "exited")
            self.assertEqual(engine.image_inspect(RUNNABLE_TAG)["Id"], image_id)
            self.assertEqual(cli.run("run", "--rm", "--network", "none", RUNNABLE_TAG,
                                     "sh", "-c", "echo back").stdout, "back\n")
            cli.run_detached(RUNNABLE_TAG, "left-running")
        self.assertFalse(private.directory.exists())
        self.assertEqual(processes_naming(private.directory), [])
        self.assertEqual(mounts_under(private.directory), [])

    def test_refuses_a_directory_too_long_for_sockets(self):
        with tempfile.TemporaryDirectory(prefix="dgc-ctr-long.") as parent:
            directory = Path(parent) / ("d" * 80)
            result = subprocess.run(
                ["bash", "-c", 'source "$0"; containerd_engine_start "$1"',
                 str(CONTAINERD_ENGINE_SH), str(directory)],
                capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 1)
            self.assertIn("too long a directory", result.stderr)
            self.assertEqual(processes_naming(directory), [])
        with self.assertRaises(ValueError):
            PrivateEngine(store="containerd", small_disk_mb=64)


if __name__ == "__main__":
    unittest.main()
