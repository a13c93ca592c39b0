"""Reclaiming to a target (SPEC §7, §8) against real engines: stopped
containers and anonymous volumes under their safety rules, BuildKit's build
cache, byte watermarks on the test engine, and percent watermarks on an
engine whose data root is a small tmpfs, where statvfs is real; and the
issue's "done when": repeated applies of one policy keep that engine's disk
between the watermarks.

Each prediction is checked against what the engine itself reports after
the apply (/system/df LayersSize, containers' SizeRw, volumes' sizes,
build cache records) or what statvfs measures, never against docker gc's
own figures.
"""

import unittest
from datetime import datetime, timedelta, timezone

from dgc_fixtures.buildkit import BuildKit, install_buildx
from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.engine import reset
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.resources import (ContainerSpec, age_containers, create_container,
                                    create_named_volume, make_dead,
                                    orphan_anonymous_volume, runnable_image)
from dgc_fixtures.scenarios import bulk_scenario
from dgc_fixtures.reclaim import (PrivateEngineCase, ReclaimCase, apply_json,
                                  docker_usage, engine_drop, system_df)
from dgc_fixtures.testcase import EngineTestCase


class ContainersAndVolumesTest(PrivateEngineCase):
    """On an engine of its own, where containers can be aged: old stopped
    containers go with their anonymous volumes; everything the rules
    protect stays."""

    def setUp(self):
        super().setUp()
        reset(self.engine)
        for volume in self.engine.get_json("/volumes")["Volumes"] or []:
            self.engine.delete(f"/volumes/{volume['Name']}")
        image = runnable_image(self.cli)
        make = lambda spec: create_container(self.cli, image, spec)  # noqa: E731
        self.old = {spec.name: make(spec) for spec in (
            ContainerSpec("old-exited", "exited", write_bytes=5000,
                          anonymous_volume_bytes=20000),
            ContainerSpec("old-created", "created", write_bytes=300),
            ContainerSpec("old-always", "exited", restart="always", write_bytes=100),
            ContainerSpec("old-unless", "exited", restart="unless-stopped"),
            ContainerSpec("old-labelled", "exited", labels={"keep": "true"},
                          anonymous_volume_bytes=4000),
            ContainerSpec("old-dead", "exited", write_bytes=900),
        )}
        self.recent = make(ContainerSpec("recent-exited", "exited", write_bytes=77))
        self.running = make(ContainerSpec("running", "running", anonymous_volume_bytes=1000))
        self.named = create_named_volume(self.cli, image, "named-data", data_bytes=3000)
        self.orphan = orphan_anonymous_volume(self.cli, image, 7000)
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        age_containers(self.private, self.cli,
                       {c.id: self.now - timedelta(days=40) for c in self.old.values()})
        make_dead(self.private, self.cli, [self.old["old-dead"].id])
        self.policy = self.write_policy({
            "rules": [{"name": "nothing", "match": "none-*", "keep": True}],
            "containers": {"stopped_older_than": "30d", "protect_labels": ["keep=true"]},
            "volumes": {"anonymous_unused_older_than": "1h"},
        })
        # Volumes cannot be aged: plan two hours ahead instead.
        self.at = rfc3339(self.now + timedelta(hours=2))

    def test_old_stopped_containers_go_with_their_volumes_exactly(self):
        plan = run_json("-H", self.host, "plan", "-p", self.policy, "--now", self.at,
                        "--format", "json")
        removed = {a["container_name"] for a in plan["actions"]
                   if a["op"] == "remove_container"}
        self.assertEqual(removed, {"old-exited", "old-created", "old-dead"})
        volumes = {a["volume"] for a in plan["actions"] if a["op"] == "remove_volume"}
        self.assertEqual(volumes, {self.old["old-exited"].anonymous_volume, self.orphan})
        kept = {(k["kind"], k["name"] or k["id"]): k["reason"]
                for k in plan["kept_resources"]}
        self.assertIn("restart policy always", kept[("container", "old-always")])
        self.assertIn("restart policy unless-stopped", kept[("container", "old-unless")])
        self.assertIn("label keep=true", kept[("container", "old-labelled")])
        self.assertIn("stopped less than 30d", kept[("container", "recent-exited")])
        self.assertNotIn(("container", "running"), kept)  # never looked at
        self.assertEqual(kept[("volume", self.named)], "named: never removed")
        self.assertIn("mounted by container old-labelled",
                      kept[("volume", self.old["old-labelled"].anonymous_volume)])
        self.assertIn("mounted by container running",
                      kept[("volume", self.running.anonymous_volume)])
        # Bytes: the writable layers (5000, 300, 900) and the volumes
        # (20000, 7000).
        self.assertEqual(plan["summary"]["reclaimable_bytes"],
                         5000 + 300 + 900 + 20000 + 7000)

        before = system_df(self.engine)
        report = apply_json(self.host, "-p", self.policy, "--now", self.at)
        after = system_df(self.engine)
        self.assertEqual(report["summary"]["failed"], 0, report)
        self.assertEqual(report["summary"]["done"], 5, report)
        self.assertEqual(report["summary"]["freed_bytes"],
                         plan["summary"]["reclaimable_bytes"])
        self.assertEqual(engine_drop(before, after), report["summary"]["freed_bytes"])
        names = {c["Names"][0][1:] for c in self.engine.containers()}
        self.assertEqual(names, {"old-always", "old-unless", "old-labelled",
                                 "recent-exited", "running"})
        self.assertEqual(self.cli.container_state("running"), "running")
        self.assertIn(self.named, after["volumes"])
        self.assertIn(self.running.anonymous_volume, after["volumes"])
        # A second plan has nothing left to remove.
        again = run_json("-H", self.host, "plan", "-p", self.policy, "--now", self.at,
                         "--format", "json")
        self.assertEqual(again["actions"], [])

    def test_restart_policies_may_be_included(self):
        policy = self.write_policy({
            "rules": [{"name": "nothing", "match": "none-*", "keep": True}],
            "containers": {"stopped_older_than": "30d", "include_restart_policies": True},
        }, "include.json")
        plan = run_json("-H", self.host, "plan", "-p", policy, "--now", self.at,
                        "--format", "json")
        removed = {a["container_name"] for a in plan["actions"]}
        self.assertEqual(removed, {"old-exited", "old-created", "old-dead", "old-always",
                                   "old-unless", "old-labelled"})


class ByteWatermarkTest(EngineTestCase, ReclaimCase):
    """Sizes of Docker's own usage: the plan frees exactly the smallest
    least-recently-used prefix of candidates that reaches low."""

    def test_the_smallest_prefix_reaching_low_and_not_one_image_more(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(bulk_scenario(now, 6, prefix="wm"))
        usage = system_df(self.engine)
        used = docker_usage(usage)
        # bulk:NN has its own layer of 1000+NN bytes, NN minutes older as NN
        # grows: LRU order is bulk:05, bulk:04, ...
        own = {index: 1000 + index for index in range(6)}
        needed = own[5] + own[4] + 1  # more than two: exactly three must go
        policy = self.write_policy({
            "rules": [{"name": "wm", "match": "wm-*", "older_than": "1d"}],
            "threshold": {"high": f"{used}B", "low": f"{used - needed}B"},
        })
        plan = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        taken = [a["image"] for a in plan["actions"]]
        self.assertEqual(taken, [scenario.image_id(f"bulk:{i:02d}") for i in (5, 4, 3)])
        watermark = plan["watermark"]
        self.assertEqual(watermark["measure"], "docker")
        self.assertEqual(watermark["used_before_bytes"], used)
        self.assertEqual(watermark["used_after_bytes"], used - own[5] - own[4] - own[3])
        self.assertEqual(watermark["shortfall_bytes"], 0)
        report = apply_json(self.host, "--plan", self.write_policy(plan, "plan.json"))
        self.assertEqual(report["summary"]["freed_bytes"], own[5] + own[4] + own[3])
        self.assertEqual(self.engine.layers_size(), usage["layers"] - report["summary"]["freed_bytes"])
        self.assertEqual(report["watermark"]["used_after_bytes"], used - own[5] - own[4] - own[3])

    def test_least_recently_used_remembers_containers_that_are_gone(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(bulk_scenario(now, 2, prefix="lru"))
        oldest, newer = scenario.image_id("bulk:01"), scenario.image_id("bulk:00")
        # The oldest image was used just now, by a container since removed.
        container = self.cli.run("create", "--network", "none", oldest).stdout.strip()
        run_json("-H", self.host, "df", "--format", "json")  # remembers the use
        self.cli.run("rm", container)
        used = docker_usage(system_df(self.engine))
        policy = self.write_policy({
            "rules": [{"name": "lru", "match": "lru-*", "older_than": "1d"}],
            "threshold": {"high": f"{used}B", "low": f"{used - 1}B"},
        })
        plan = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        self.assertEqual([a["image"] for a in plan["actions"]], [newer])
        forgetful = run_json("-H", self.host, "plan", "--no-cache", "-p", policy,
                             "--format", "json")
        self.assertEqual([a["image"] for a in forgetful["actions"]], [oldest])

    def test_below_high_nothing_is_done_and_it_says_so(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.install_scenario(bulk_scenario(now, 2, prefix="calm"))
        used = docker_usage(system_df(self.engine))
        policy = self.write_policy({
            "rules": [{"name": "calm", "match": "calm-*", "older_than": "1d"}],
            "threshold": {"high": f"{used + 1}B", "low": "1kB"},
        })
        result = run_dgc("-H", self.host, "plan", "-p", policy)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("below the high watermark", result.stdout)
        self.assertIn("Nothing to do.", result.stdout)
        images_before = len(self.engine.images())
        report = apply_json(self.host, "-p", policy)
        self.assertEqual(report["results"], [])
        self.assertEqual(len(self.engine.images()), images_before)


class BuildCacheTest(EngineTestCase, ReclaimCase):
    """A real BuildKit build cache: the records a plan prunes, and their
    bytes, are the engine's."""

    def test_unused_records_are_pruned_exactly(self):
        reset(self.engine)
        kit = BuildKit(self.host, install_buildx())
        kit.prune(all_records=True)
        gone = kit.build("cache-gone:1", {"a.bin": 100000, "b.bin": 50000})
        kit.build("cache-kept:1", {"c.bin": 30000})
        self.cli.rmi("cache-gone:1")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        at = rfc3339(now + timedelta(hours=2))
        policy = self.write_policy({
            "rules": [{"name": "nothing", "match": "none-*", "keep": True}],
            "build_cache": {"older_than": "1h"},
        })
        records = {r["ID"]: r for r in kit.records()}
        unshared = {i for i, r in records.items() if not r["Shared"] and not r["InUse"]}
        plan = run_json("-H", self.host, "plan", "-p", policy, "--now", at, "--format", "json")
        [action] = plan["actions"]
        self.assertEqual(action["op"], "prune_build_cache")
        self.assertEqual(set(action["records"]), unshared)
        # The image's layers are gone with it: its COPY records are unshared.
        self.assertTrue({r["ID"] for r in gone.layer_records()} <= unshared)
        self.assertEqual(action["bytes"], sum(records[i]["Size"] for i in unshared))
        report = apply_json(self.host, "-p", policy, "--now", at)
        self.assertEqual(report["summary"]["failed"], 0, report)
        after = {r["ID"] for r in kit.records()}
        self.assertEqual(after & unshared, set())
        self.assertEqual(after, set(records) - unshared)
        self.assertEqual(report["summary"]["freed_bytes"], action["bytes"])


class DiskWatermarkTest(PrivateEngineCase):
    """Percentages of a real, small disk (a 128 MiB tmpfs as the data root,
    overlay2): crossing high deletes until low, and repeated applies keep
    the disk between the watermarks across images, containers, volumes and
    build cache."""

    SMALL_DISK_MB = 128

    def setUp(self):
        super().setUp()
        reset(self.engine)

    def percent(self):
        used, total = self.private.disk_usage()
        return 100.0 * used / total

    def load_until(self, prefix, percent, now, megabytes=6):
        """Loads images of `megabytes` MB, oldest first by a day, until the
        disk is at least `percent` full; returns their specs."""
        specs = []
        while self.percent() < percent:
            index = len(specs)
            spec = ImageSpec([f"{prefix}-{index}:1"],
                             [file_layer(f"{prefix}/{index}.bin", megabytes * 1000000,
                                         seed=f"{prefix}-{index}")],
                             now - timedelta(days=30 - index))
            self.cli.load([spec])
            specs.append(spec)
        return specs

    def assert_apply_matches_the_engine(self, report, before):
        """Freed bytes are the engine's own drop, and what the apply did
        not do it skipped because low was reached."""
        self.assertEqual(report["summary"]["failed"], 0, report)
        self.assertEqual(engine_drop(before, system_df(self.engine)),
                         report["summary"]["freed_bytes"])
        for result in report["results"]:
            if result["status"] == "skipped":
                self.assertIn("low watermark", result["detail"])
        self.assertEqual(report["watermark"]["used_after_bytes"],
                         self.private.disk_usage()[0])
        self.assertLessEqual(report["watermark"]["used_after_bytes"],
                             report["watermark"]["low_bytes"])

    def test_crossing_high_deletes_until_low_as_predicted(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        specs = self.load_until("fill", 70, now)
        used, total = self.private.disk_usage()
        policy = self.write_policy({
            "rules": [{"name": "fill", "match": "fill-*", "older_than": "1d"}],
            "threshold": {"high": "65%", "low": "45%"},
        })
        plan = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        watermark = plan["watermark"]
        self.assertEqual(watermark["measure"], "disk")
        self.assertEqual(watermark["total_bytes"], total)
        self.assertEqual(watermark["used_before_bytes"], used)
        self.assertFalse(watermark["below_high"])
        self.assertLessEqual(watermark["used_after_bytes"], watermark["low_bytes"])
        deleted = [a["image"] for a in plan["actions"]]
        # The least recently used (oldest) fill images, the fewest that
        # reach low by the engine's bytes.
        self.assertEqual(deleted, [spec.image_id for spec in specs][:len(deleted)])
        self.assertGreater(used - sum(a["bytes"] for a in plan["actions"][:-1]),
                           watermark["low_bytes"])
        before = system_df(self.engine)
        report = apply_json(self.host, "--plan", self.write_policy(plan, "plan.json"))
        self.assert_apply_matches_the_engine(report, before)
        done = [r["image"] for r in report["results"] if r["status"] == "done"]
        self.assertEqual(done, deleted[:len(done)])

    def test_repeated_applies_keep_the_disk_between_the_watermarks(self):
        # Each round: a filler no rule selects brings the disk to just below
        # low (by less than the smallest garbage item), then garbage of every
        # kind takes it above high; so reaching low again takes every item:
        # the stopped container, its anonymous volume, an old image and the
        # build cache of a removed image.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        image = runnable_image(self.cli)
        policy = self.write_policy({
            "rules": [{"name": "junk", "match": "junk-*", "older_than": "1d"}],
            "threshold": {"high": "60%", "low": "40%"},
            "containers": {"stopped_older_than": "1h"},
            "volumes": {"anonymous_unused_older_than": "1h"},
            "build_cache": {"older_than": "1h"},
        })
        at = rfc3339(now + timedelta(hours=3))
        kit = BuildKit(self.host, install_buildx())
        megabyte = 1000000
        for round_number in range(3):
            with self.subTest(round=round_number):
                used, total = self.private.disk_usage()
                filler = int(0.4 * total) - 3 * megabyte - used
                if filler > 0:
                    self.cli.load([ImageSpec(
                        [f"filler-{round_number}:1"],
                        [file_layer(f"filler/{round_number}.bin", filler,
                                    seed=f"filler-{round_number}")], now)])
                job = create_container(self.cli, image, ContainerSpec(
                    f"job-{round_number}", "exited", write_bytes=6 * megabyte,
                    anonymous_volume_bytes=6 * megabyte))
                age_containers(self.private, self.cli,
                               {job.id: now - timedelta(days=40)})
                build = kit.build(f"built-{round_number}:1", {"x.bin": 6 * megabyte})
                self.cli.rmi(build.tag)
                self.cli.load([ImageSpec(
                    [f"junk-{round_number}:1"],
                    [file_layer(f"junk/{round_number}.bin", 12 * megabyte,
                                seed=f"junk-{round_number}")],
                    now - timedelta(days=30))])
                self.assertGreaterEqual(self.percent(), 60.0)
                before = system_df(self.engine)
                report = apply_json(self.host, "-p", policy, "--now", at)
                self.assert_apply_matches_the_engine(report, before)
                self.assertLess(self.percent(), 40.0 + 1e-9)
                done = {r["op"] for r in report["results"] if r["status"] == "done"}
                self.assertEqual(done, {"remove_container", "remove_volume", "delete",
                                        "prune_build_cache"}, report)


if __name__ == "__main__":
    unittest.main()
