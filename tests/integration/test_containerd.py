"""docker gc on the containerd image store (SPEC §10): trixie's dockerd
26.1.5 on containerd 1.7.24, with the content store local.

An image's bytes there are its snapshots (by chain ID) plus its content
blobs (by digest). Every figure is checked against the engine and the
content store themselves: /system/df LayersSize and the blob files under
containerd's root, never against docker gc's own numbers. The incident's
policy deletes the same references as on the classic store; what apply
frees equals what it predicted and the engine's own drop; without the
content store the figures are bounds that hold the truth.
"""

import json
import unittest
from datetime import datetime, timedelta, timezone

from dgc_fixtures.dgc import crash_signs, run_dgc, run_json
from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.engine import (PrivateEngine, content_blob_sizes,
                                 image_content_blobs, loaded_image_id, reset)
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.reclaim import ReclaimCase
from dgc_fixtures.scenarios import (bulk_scenario, incident_outcome, incident_policy,
                                    incident_scenario)


class ContainerdCase(ReclaimCase):
    """One containerd-store engine for the class; docker gc runs with
    DOCKER_GC_CONTAINERD_ROOT naming its containerd's root."""

    @classmethod
    def setUpClass(cls):
        cls.private = PrivateEngine(store="containerd")
        cls.engine = cls.private.start()
        cls.host = cls.private.host
        cls.cli = DockerCli(cls.host)
        cls.root = str(cls.private.containerd_root)

    @classmethod
    def tearDownClass(cls):
        cls.private.stop()

    def setUp(self):
        super().setUp()
        reset(self.engine)
        self.private.wait_for_gc()

    def dgc(self, *args, root=None):
        return run_dgc("-H", self.host, *args,
                       env={"DOCKER_GC_CONTAINERD_ROOT": root or self.root})

    def dgc_json(self, *args, root=None):
        result = self.dgc(*args, "--format", "json", root=root)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def content_bytes(self):
        return sum(content_blob_sizes(self.root).values())

    def install(self, scenario):
        """Loads the scenario's images and makes its containers, by the Ids
        this store gives them; returns {role: Id}."""
        self.cli.load(list(scenario.images.values()))
        ids = {role: loaded_image_id(spec) for role, spec in scenario.images.items()}
        starters = {"created": self.cli.create, "running": self.cli.run_detached,
                    "exited": self.cli.run_exited}
        for container in scenario.containers:
            starters[container.state](ids[container.image_role], container.name)
        self.private.wait_for_gc()
        return ids


class ContainerdDfTest(ContainerdCase):
    def test_df_counts_snapshots_and_content_blobs_as_the_engine_stores_them(self):
        now = datetime.now(timezone.utc)
        ids = self.install(bulk_scenario(now, 4, prefix="ctr"))
        usage = self.dgc_json("df")
        self.assertEqual(usage["engine"]["image_store"], "containerd")
        self.assertTrue(usage["exact"])
        self.assertEqual(usage["warnings"], [])
        self.assertEqual(usage["totals"]["layers_bytes"], self.engine.system_df()["LayersSize"])
        blobs = {}
        for image_id in ids.values():
            blobs.update(image_content_blobs(self.root, image_id))
        self.assertEqual(usage["totals"]["content_bytes"], sum(blobs.values()))
        self.assertEqual(usage["totals"]["content_bytes"], self.content_bytes())

    def test_without_the_content_store_the_figures_are_bounds(self):
        now = datetime.now(timezone.utc)
        self.install(bulk_scenario(now, 2, prefix="far"))
        usage = self.dgc_json("df", root="/nonexistent")
        self.assertFalse(usage["exact"])
        self.assertEqual(usage["totals"]["content_bytes"], 0)
        self.assertTrue(any("content bytes are bounds" in warning
                            for warning in usage["warnings"]), usage["warnings"])
        policy = self.write_policy({"rules": [{"match": "far-*", "older_than": "1d"}]})
        plan = self.dgc_json("plan", "-p", policy, "--now",
                             rfc3339(now + timedelta(hours=2)), root="/nonexistent")
        self.assertFalse(plan["summary"]["exact"])
        exact = self.dgc_json("plan", "-p", policy, "--now",
                              rfc3339(now + timedelta(hours=2)))
        self.assertTrue(exact["summary"].get("exact", True))
        # The bounds hold the exact figure.
        for bounded, known in zip(plan["actions"], exact["actions"]):
            self.assertFalse(bounded["exact"])
            self.assertLessEqual(bounded["bytes_min"], known["bytes"])
            self.assertGreaterEqual(bounded["bytes_max"], known["bytes"])
        text = self.dgc("plan", "-p", policy, "--now", rfc3339(now + timedelta(hours=2)),
                        root="/nonexistent")
        self.assertIn("≈", text.stdout)


class ContainerdSnapshotTest(ContainerdCase):
    def test_a_snapshot_keeps_the_content_store_or_says_it_does_not(self):
        now = datetime.now(timezone.utc)
        self.install(bulk_scenario(now, 3, prefix="snap"))
        live = self.dgc_json("df")
        with_content = self.directory / "with.json"
        without_content = self.directory / "without.json"
        for path, root in ((with_content, None), (without_content, "/nonexistent")):
            made = self.dgc("snapshot", "-o", str(path), root=root)
            self.assertEqual(made.returncode, 0, made.stderr)
        # Read back anywhere (no content store needed): exact as live.
        offline = self.dgc_json("df", "--from", str(with_content), root="/nonexistent")
        self.assertTrue(offline["exact"])
        self.assertEqual(offline["totals"], live["totals"])
        # Captured without it: bounds, and a warning that says why.
        bounded = self.dgc_json("df", "--from", str(without_content))
        self.assertFalse(bounded["exact"])
        self.assertTrue(any("holds no content blobs" in warning
                            for warning in bounded["warnings"]), bounded["warnings"])


class ContainerdApplyTest(ContainerdCase):
    def test_the_incident_policy_frees_exactly_what_it_predicts(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = incident_scenario(now)
        ids = self.install(scenario)
        policy = self.write_policy(incident_policy())
        # `docker load` sets LastTagTime on this store: plan past min_age.
        at = rfc3339(now + timedelta(hours=2))
        plan = self.dgc_json("plan", "-p", policy, "--now", at)
        outcome = incident_outcome()
        deleted = {role for role, (decision, _, _) in outcome.items() if decision == "delete"}
        self.assertEqual({a["image"] for a in plan["actions"] if a["op"] == "delete"},
                         {ids[role] for role in deleted})
        self.assertEqual(sorted(ref for a in plan["actions"] for ref in a["refs"]),
                         sorted(tag for role in deleted
                                for tag in scenario.images[role].tags))
        containers_before = {c["Id"] for c in self.engine.containers()}
        layers_before = self.engine.system_df()["LayersSize"]
        content_before = self.content_bytes()
        report = self.dgc_json("apply", "--yes", "--plan", self.write_policy(plan, "plan.json"))
        self.private.wait_for_gc()
        dropped = (layers_before - self.engine.system_df()["LayersSize"]) + \
            (content_before - self.content_bytes())
        self.assertEqual(report["summary"]["failed"], 0, report)
        self.assertEqual(report["summary"]["done"], len(plan["actions"]))
        self.assertEqual(report["summary"]["freed_bytes"], plan["summary"]["reclaimable_bytes"])
        self.assertEqual(dropped, report["summary"]["freed_bytes"])
        # Every kept image and every container is still there.
        left = {image["Id"] for image in self.engine.images()}
        self.assertEqual(left, {ids[role] for role in outcome if role not in deleted})
        self.assertEqual({c["Id"] for c in self.engine.containers()}, containers_before)
        again = self.dgc_json("plan", "-p", policy, "--now", at)
        self.assertEqual(again["actions"], [])


if __name__ == "__main__":
    unittest.main()
