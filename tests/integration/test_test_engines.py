"""Checks of the test infrastructure for disk watermarks and other resources
(SPEC §7-8) against real engines, without the binary: the small-disk
engine, the swarm-node engines (each its own socket at one common path,
its own engine ID and name), BuildKit's build cache, and containers and
volumes in known states.
A fixture bug shows up here rather than as a puzzling product failure.

Every engine here is a PrivateEngine of this test's own: build cache,
volumes and engine restarts must not leak into the session engine.
"""

import os
import re
import tempfile
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.buildkit import BuildKit, install_buildx
from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.engine import PrivateEngine, disk_usage
from dgc_fixtures.imagegen import ImageSpec, busybox_layer, file_layer
from dgc_fixtures.resources import (ContainerSpec, age_containers, create_container,
                                    create_named_volume, make_dead,
                                    orphan_anonymous_volume, runnable_image)

SMALL_DISK_MB = 64
MIB = 1024 * 1024
# tmpfs counts whole pages plus directories and engine metadata.
DISK_SLACK = 512 * 1024
UNSET_TIME = "0001-01-01T00:00:00Z"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def mounts_under(directory):
    """Mount points at or below `directory` in this mount namespace."""
    prefix = str(directory)
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        points = [line.split()[4] for line in mountinfo]
    return [point for point in points if point == prefix or point.startswith(prefix + "/")]


class PrivateEngineCase(unittest.TestCase):
    """A class-wide PrivateEngine (`cls.private`, `cls.engine`, `cls.cli`)
    with a disk of SMALL_DISK_MB when `small_disk_mb` is set."""

    small_disk_mb = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private = PrivateEngine(small_disk_mb=cls.small_disk_mb)
        cls.addClassCleanup(cls.private.stop)
        cls.engine = cls.private.start()
        cls.cli = DockerCli(cls.engine.host)


class SmallDiskEngineTest(PrivateEngineCase):

    small_disk_mb = SMALL_DISK_MB

    def test_runs_overlay2_on_its_own_data_root(self):
        info = self.engine.info()
        self.assertEqual(info["Driver"], "overlay2")
        self.assertEqual(info["DockerRootDir"], str(self.private.data_root))
        self.assertIn(["Backing Filesystem", "tmpfs"], info["DriverStatus"])

    def test_statvfs_gives_the_tmpfs_size(self):
        used, total = disk_usage(self.private.data_root)
        self.assertEqual(total, SMALL_DISK_MB * MIB)
        self.assertLess(used, total)
        self.assertEqual((used, total), self.private.disk_usage())

    def test_loading_and_writing_use_the_disk(self):
        spec = ImageSpec(["disk-load:1"],
                         [busybox_layer(), file_layer("big.bin", 8_000_000, "disk-load")],
                         datetime(2025, 1, 1, tzinfo=timezone.utc))
        used_before, _ = self.private.disk_usage()
        self.cli.load([spec])
        used_loaded, _ = self.private.disk_usage()
        self.assertGreaterEqual(used_loaded - used_before, spec.size)
        self.assertLess(used_loaded - used_before, spec.size + DISK_SLACK)

        written = 3_000_000
        self.cli.run("run", "--network", "none", "--name", "disk-writer", "disk-load:1",
                     "sh", "-c", f"busybox head -c {written} /dev/zero > /written.bin")
        used_written, _ = self.private.disk_usage()
        self.assertGreaterEqual(used_written - used_loaded, written)
        self.assertLess(used_written - used_loaded, written + DISK_SLACK)
        size_rw = {container["Names"][0]: container.get("SizeRw")
                   for container in self.engine.system_df()["Containers"]}
        self.assertEqual(size_rw["/disk-writer"], written)

        self.cli.run("rm", "disk-writer")
        self.cli.rmi("disk-load:1")
        used_after, _ = self.private.disk_usage()
        self.assertLess(abs(used_after - used_before), DISK_SLACK)


class SmallDiskLifecycleTest(unittest.TestCase):
    """Filling the disk, and shutdown/start/stop of a small-disk engine."""

    def test_a_write_beyond_the_size_fails_and_stop_unmounts(self):
        private = PrivateEngine(small_disk_mb=32)
        with private as engine:
            cli = DockerCli(engine.host)
            result = cli.run("run", "--network", "none", "--name", "filler",
                             runnable_image(cli), "busybox", "dd", "if=/dev/zero",
                             "of=/fill.bin", "bs=1000000", "count=40", check=False)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("no space left on device", result.stderr.lower())
            used, total = private.disk_usage()
            self.assertGreater(used, total - MIB)
            cli.run("rm", "filler")
            self.assertLess(private.disk_usage()[0], total // 2)
            self.assertEqual(mounts_under(private.data_root), [str(private.data_root)])
        self.assertEqual(mounts_under(private.directory), [])
        self.assertFalse(private.directory.exists())

    def test_shutdown_keeps_the_disk_and_its_containers(self):
        private = PrivateEngine(small_disk_mb=32)
        with private as engine:
            cli = DockerCli(engine.host)
            kept = cli.run_exited(runnable_image(cli), "kept-exited")
            used_before, _ = private.disk_usage()
            private.shutdown()
            self.assertEqual(mounts_under(private.directory), [str(private.data_root)])
            private.start()
            self.assertEqual([container["Id"] for container in engine.containers()], [kept])
            self.assertEqual(engine.info()["Driver"], "overlay2")
            self.assertLess(abs(private.disk_usage()[0] - used_before), DISK_SLACK)
        self.assertEqual(mounts_under(private.directory), [])


class NodeEngineTest(unittest.TestCase):
    """Two swarm-node engines (PrivateEngine(node=…)) on one mount point."""

    def test_each_node_has_its_own_socket_id_and_name(self):
        with tempfile.TemporaryDirectory(prefix="dgc-nodes-") as work:
            mountpoint = Path(work)
            nodes = {name: PrivateEngine(node=(mountpoint, name))
                     for name in ("node-one", "node-two")}
            pids = {}
            try:
                for name, private in nodes.items():
                    engine = private.start()
                    pids[name] = int((private.directory / "pid").read_text())
                    self.assertEqual(engine.info()["Name"], name)
                    # A container's bind mount of MOUNTPOINT/docker.sock,
                    # resolved by its engine, is that engine's own socket.
                    cli = DockerCli(engine.host)
                    inode = cli.run("run", "--rm", "--network", "none", "--mount",
                                    f"type=bind,src={mountpoint}/docker.sock,dst=/node.sock",
                                    runnable_image(cli), "busybox", "stat", "-c", "%i",
                                    "/node.sock").stdout.strip()
                    self.assertEqual(int(inode), os.stat(private.directory / "docker.sock").st_ino,
                                     name)
                ids = [private.engine.info()["ID"] for private in nodes.values()]
                self.assertNotEqual(ids[0], ids[1])
                # Outside the nodes' namespaces nothing is mounted there.
                self.assertEqual(mounts_under(mountpoint), [])
                self.assertEqual(list(mountpoint.iterdir()), [])
            finally:
                for private in nodes.values():
                    private.stop()
            for name, private in nodes.items():
                self.assertFalse(private.directory.exists(), name)
                self.assertFalse(Path(f"/proc/{pids[name]}").exists(), name)


class BuildKitTest(PrivateEngineCase):
    """buildx from trixie, and what /build/prune does on this engine (the
    facts buildkit.py's docstring states)."""

    small_disk_mb = 128

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No skip: an apt failure fails the class with apt's output.
        cls.kit = BuildKit(cls.engine.host, install_buildx())

    def setUp(self):
        status, _ = self.kit.prune(all_records=True)
        self.assertEqual(status, 200)
        self.assertEqual(self.kit.records(), [])

    def test_buildx_is_trixies(self):
        version = self.kit.docker("buildx", "version").stdout
        self.assertIn("0.13.1", version)

    def test_a_build_adds_source_and_layer_records(self):
        build = self.kit.build("bk-shape:1", {"a.bin": 100000, "b.bin": 50000})
        self.assertEqual(self.engine.image_inspect("bk-shape:1")["Id"], build.image_id)
        by_type = {}
        for record in build.added:
            by_type.setdefault(record["Type"], []).append(record)
            self.assertEqual(set(record), {"ID", "Parent", "Type", "Description", "InUse",
                                           "Shared", "Size", "CreatedAt", "LastUsedAt",
                                           "UsageCount"})
            self.assertFalse(record["InUse"])
        self.assertEqual(sorted(record["Size"] for record in by_type["source.local"]),
                         [0, len("FROM scratch\nCOPY a.bin /a.bin\nCOPY b.bin /b.bin\n"),
                          150000])
        layers = build.layer_records()
        self.assertEqual([record["Size"] for record in layers], [100000, 50000])
        self.assertEqual([record["Parent"] for record in layers], ["", layers[0]["ID"]])
        self.assertTrue(all(record["Shared"] for record in layers))
        self.assertFalse(any(record["Shared"] for record in by_type["source.local"]))

    def test_prune_without_all_removes_the_unshared_records(self):
        kept_image = self.kit.build("bk-kept:1", {"k.bin": 30000})
        gone_image = self.kit.build("bk-gone:1", {"a.bin": 40000, "b.bin": 20000})
        self.kit.docker("rmi", gone_image.tag)
        before = {record["ID"]: record for record in self.kit.records()}
        unshared = {record_id for record_id, record in before.items() if not record["Shared"]}
        self.assertEqual(set(before) - unshared,
                         {record["ID"] for record in kept_image.layer_records()})
        self.assertLessEqual({record["ID"] for record in gone_image.layer_records()},
                             unshared, "parent and child of the removed image")

        status, answer = self.kit.prune()

        self.assertEqual(status, 200)
        self.assertEqual(set(answer["CachesDeleted"]), unshared)
        self.assertEqual(answer["SpaceReclaimed"],
                         sum(before[record_id]["Size"] for record_id in unshared))
        self.assertEqual({record["ID"] for record in self.kit.records()},
                         set(before) - unshared)

    def test_prune_all_removes_shared_records_and_keeps_images(self):
        build = self.kit.build("bk-all:1", {"a.bin": 60000})
        total = sum(record["Size"] for record in self.kit.records())
        status, answer = self.kit.prune(all_records=True)
        self.assertEqual(status, 200)
        self.assertEqual(set(answer["CachesDeleted"]),
                         {record["ID"] for record in build.added})
        self.assertEqual(answer["SpaceReclaimed"], total)
        self.assertEqual(self.kit.records(), [])
        self.assertEqual(self.engine.image_inspect("bk-all:1")["Id"], build.image_id)

    def test_until_keeps_records_used_recently(self):
        self.kit.build("bk-fresh:1", {"a.bin": 10000})
        status, answer = self.kit.prune(all_records=True, filters={"until": ["24h"]})
        self.assertEqual((status, answer), (200, {"CachesDeleted": None,
                                                  "SpaceReclaimed": 0}))
        status, answer = self.kit.prune(all_records=True,
                                        filters={"until": ["2020-01-01T00:00:00Z"]})
        self.assertEqual(status, 500)
        self.assertIn("expects a duration", answer["message"])

    def test_a_parent_goes_only_with_its_child(self):
        layers = self.kit.build("bk-chain:1", {"a.bin": 7000, "b.bin": 3000}).layer_records()
        parent, child = layers
        self.kit.docker("rmi", "bk-chain:1")
        status, answer = self.kit.prune(all_records=True, filters={"id": [parent["ID"]]})
        self.assertEqual((status, answer["CachesDeleted"]), (200, None))
        status, answer = self.kit.prune(filters={"type": ["regular"]})
        self.assertEqual(sorted(answer["CachesDeleted"]), sorted([parent["ID"], child["ID"]]))
        self.assertEqual(answer["SpaceReclaimed"], 10000)


class ResourcesTest(PrivateEngineCase):
    """resources.py on vfs; ResourcesOverlayTest repeats it on overlay2."""

    def setUp(self):
        for container in self.engine.containers():
            self.engine.delete(f"/containers/{container['Id']}?force=1&v=1")
        self.cli.run("volume", "prune", "-f")
        self.image = runnable_image(self.cli)

    def inspect(self, container_id):
        return self.engine.get_json(f"/containers/{container_id}/json")

    def df_containers(self):
        return {container["Id"]: container
                for container in self.engine.system_df()["Containers"]}

    def df_volumes(self):
        return {volume["Name"]: volume for volume in self.engine.system_df()["Volumes"]}

    def test_states_policies_labels_and_writes(self):
        specs = [ContainerSpec(f"{state}-{policy.replace(':', '-')}", state, restart=policy,
                               labels={"policy": policy}, write_bytes=1000 + index)
                 for index, (state, policy) in enumerate(
                     (state, policy) for state in ("created", "exited", "running")
                     for policy in ("no", "always", "unless-stopped", "on-failure:3"))]
        specs.append(ContainerSpec("exited-quiet", "exited"))
        made = {spec.name: create_container(self.cli, self.image, spec) for spec in specs}
        df = self.df_containers()
        for spec in specs:
            with self.subTest(container=spec.name):
                inspect = self.inspect(made[spec.name].id)
                self.assertEqual(inspect["State"]["Status"], spec.state)
                policy = inspect["HostConfig"]["RestartPolicy"]
                name, _, retries = spec.restart.partition(":")
                self.assertEqual((policy["Name"], policy["MaximumRetryCount"]),
                                 (name, int(retries or 0)))
                self.assertEqual(inspect["Config"]["Labels"], spec.labels)
                if spec.write_bytes:
                    self.assertEqual(df[made[spec.name].id]["SizeRw"], spec.write_bytes)
                else:
                    self.assertNotIn("SizeRw", df[made[spec.name].id])
                if spec.state == "exited":
                    self.assertEqual(inspect["State"]["ExitCode"], 0)

    def test_volumes(self):
        user = create_container(self.cli, self.image, ContainerSpec(
            "volume-user", "exited", anonymous_volume_bytes=20000,
            named_volumes={"dgc-shared": "/shared"}))
        named = create_named_volume(self.cli, self.image, "dgc-named", data_bytes=7000,
                                    labels={"team": "data"})
        orphan = orphan_anonymous_volume(self.cli, self.image, 30000)
        volumes = self.df_volumes()
        self.assertRegex(user.anonymous_volume, HEX64)
        self.assertEqual(volumes[user.anonymous_volume]["UsageData"],
                         {"RefCount": 1, "Size": 20000})
        self.assertEqual(volumes["dgc-shared"]["UsageData"], {"RefCount": 1, "Size": 0})
        self.assertEqual(volumes[named]["UsageData"], {"RefCount": 0, "Size": 7000})
        self.assertEqual(volumes[named]["Labels"], {"team": "data"})
        self.assertRegex(orphan, HEX64)
        self.assertEqual(volumes[orphan]["UsageData"], {"RefCount": 0, "Size": 30000})
        self.assertIsNone(volumes[orphan]["Labels"])

    def test_ageing_and_dead_containers(self):
        now = datetime.now(timezone.utc)
        made = {spec.name: create_container(self.cli, self.image, spec) for spec in (
            ContainerSpec("old-always", "exited", restart="always", write_bytes=500),
            ContainerSpec("old-plain", "exited"),
            ContainerSpec("old-created", "created", restart="unless-stopped"),
            ContainerSpec("young-always", "exited", restart="always"),
            ContainerSpec("to-be-dead", "exited"),
            ContainerSpec("still-running", "running"),
        )}
        ages = {"old-always": timedelta(days=40), "old-plain": timedelta(days=31),
                "old-created": timedelta(days=90)}
        age_containers(self.private, self.cli,
                       {made[name].id: now - age for name, age in ages.items()})
        make_dead(self.private, self.cli, [made["to-be-dead"].id])

        states = {name: self.inspect(container.id) for name, container in made.items()}
        self.assertEqual({name: inspect["State"]["Status"] for name, inspect in states.items()},
                         {"old-always": "exited", "old-plain": "exited",
                          "old-created": "created", "young-always": "exited",
                          "to-be-dead": "dead", "still-running": "running"})
        for name in ("old-always", "old-plain"):
            finished = datetime.fromisoformat(states[name]["State"]["FinishedAt"][:19])
            self.assertEqual(finished.replace(tzinfo=timezone.utc),
                             (now - ages[name]).replace(microsecond=0))
        self.assertEqual(states["old-created"]["State"]["FinishedAt"], UNSET_TIME)
        listed = {container["Names"][0]: container for container in self.engine.containers()}
        self.assertEqual(listed["/old-created"]["Created"],
                         int((now - ages["old-created"]).timestamp()))
        self.assertEqual(states["old-always"]["HostConfig"]["RestartPolicy"]["Name"], "always")
        self.assertEqual(states["old-created"]["HostConfig"]["RestartPolicy"]["Name"],
                         "unless-stopped")
        self.assertEqual(self.df_containers()[made["old-always"].id]["SizeRw"], 500)
        self.cli.run("rm", made["to-be-dead"].id)


class ResourcesOverlayTest(ResourcesTest):

    small_disk_mb = 128


if __name__ == "__main__":
    unittest.main()
