"""Checks of the test fixtures themselves against a real engine.

Other tests trust that a scenario is on the engine exactly as described and
that the fixture helpers make what they claim (parent chains, container
states, engine restarts). These tests prove it, without the binary, so a
fixture bug shows up here rather than as a puzzling product failure. They
run on both stores (see dgc_fixtures/stores.py).
"""

import unittest
from datetime import datetime, timedelta, timezone

from dgc_fixtures.engine import PrivateEngine, reset
from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.imagegen import ImageSpec, busybox_layer
from dgc_fixtures.scenarios import (LEGACY_REPOS, RELEASE_AGES_DAYS, RELEASE_REPOS,
                                    incident_scenario, shared_layers_scenario)
from dgc_fixtures.stores import CONTAINERD, session_store
from dgc_fixtures.testcase import EngineTestCase

LAST_TAG_SLACK = timedelta(minutes=10)
UNSET_TIME = "0001-01-01T00:00:00Z"


def parse_engine_time(text):
    """Parses the engine's RFC 3339 times ("…T…[.nanoseconds]Z")."""
    seconds = text.split(".")[0].removesuffix("Z")
    return datetime.strptime(seconds, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


class SharedLayersScenarioTest(EngineTestCase):

    def test_installs_as_described(self):
        scenario = self.install_scenario(shared_layers_scenario())
        states = {self.cli.container_state(container.name)
                  for container in scenario.containers}
        self.assertEqual(states, {"created", "running", "exited"})
        self.assertEqual(len(scenario.dangling_roles()), 1)


class IncidentScenarioTest(EngineTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.now(timezone.utc)
        cls.scenario = cls.install_scenario(incident_scenario(cls.now))

    def created(self, role):
        return parse_engine_time(self.engine.image_inspect(
            self.scenario.image_id(role))["Created"])

    def test_legacy_images_are_older_than_thirty_days(self):
        for repository in LEGACY_REPOS:
            with self.subTest(repository=repository):
                self.assertGreater(self.now - self.created(f"legacy:{repository}"),
                                   timedelta(days=30))

    def test_release_versions_are_ordered_within_thirty_days(self):
        for repository in RELEASE_REPOS:
            created = [self.created(f"release:{repository}:{version}")
                       for version in RELEASE_AGES_DAYS]
            self.assertEqual(created, sorted(created))
            self.assertLess(self.now - created[0], timedelta(days=30))

    def test_dangling_images_straddle_one_day(self):
        self.assertGreater(self.now - self.created("dangling_old"), timedelta(hours=24))
        self.assertLess(self.now - self.created("dangling_young"), timedelta(hours=24))

    def test_rollback_image_carries_keep_label(self):
        inspect = self.engine.image_inspect(self.scenario.image_id("rollback"))
        self.assertEqual(inspect["Config"]["Labels"]["gc.keep"], "true")

    def test_old_image_has_the_exited_container(self):
        exited = [container for container in self.engine.containers()
                  if container["State"] == "exited"]
        self.assertEqual([container["ImageID"] for container in exited],
                         [self.scenario.image_id("legacy:docker-worker")])

    def test_one_image_has_two_tags(self):
        multi_tagged = [spec for spec in self.scenario.images.values() if len(spec.tags) > 1]
        self.assertEqual(len(multi_tagged), 1)


class LastTagTimeTest(EngineTestCase):
    """docker 20.10 (graphdriver) leaves LastTagTime unset on `docker load`
    and stamps it on `docker tag`: scenario images count their age from
    `created` alone unless a test tags them. The containerd store stamps
    it on the load as well (stores.SessionStore.after_load)."""

    def test_load_leaves_it_unset_and_tag_stamps_it(self):
        spec = ImageSpec(["loaded:1"], [busybox_layer()],
                         datetime(2025, 1, 1, tzinfo=timezone.utc))
        reset(self.engine)
        loaded_at = datetime.now(timezone.utc)
        self.cli.load([spec])
        image_id = self.store.image_id(spec)
        metadata = self.engine.image_inspect(image_id)["Metadata"]
        if self.store.containerd:
            self.assertLess(abs(parse_engine_time(metadata["LastTagTime"]) - loaded_at),
                            LAST_TAG_SLACK)
        else:
            self.assertEqual(metadata["LastTagTime"], UNSET_TIME)
        tagged_at = datetime.now(timezone.utc)
        self.cli.tag("loaded:1", "loaded:retagged")
        metadata = self.engine.image_inspect(image_id)["Metadata"]
        self.assertLess(abs(parse_engine_time(metadata["LastTagTime"]) - tagged_at),
                        LAST_TAG_SLACK)


class LegacyBuildTest(EngineTestCase):

    def test_build_leaves_a_chain_of_untagged_intermediates(self):
        base = ImageSpec(["base:1"], [busybox_layer()],
                         datetime(2025, 1, 1, tzinfo=timezone.utc))
        reset(self.engine)
        self.cli.load([base])
        built = self.cli.legacy_build(
            {"app/config.txt": b"mode=test\n"},
            "FROM base:1\nLABEL stage=test\nCOPY app /app\nENV MODE=test\n", "built:1")
        parents = {image["Id"]: image["ParentId"] for image in self.engine.images()}
        chain = [built]
        while parents[chain[-1]]:
            chain.append(parents[chain[-1]])
        self.assertEqual(chain[-1], self.store.image_id(base))
        self.assertEqual(len(chain), 4, "three steps: three images above the base")
        top_level = {image["Id"] for image in self.engine.images(all_images=False)}
        self.assertEqual(top_level, {built, self.store.image_id(base)})


class PrivateEngineTest(unittest.TestCase):

    def test_shutdown_and_start_keep_images(self):
        session_store().skip_on(self, CONTAINERD, "it starts a classic PrivateEngine of "
                                "its own, tested in the graphdriver pass")
        spec = ImageSpec(["kept:1"], [busybox_layer()],
                         datetime(2025, 1, 1, tzinfo=timezone.utc))
        private = PrivateEngine()
        with private as engine:
            DockerCli(engine.host).load([spec])
            private.shutdown()
            with self.assertRaises(OSError):
                engine.images()
            private.start()
            self.assertEqual([image["Id"] for image in engine.images()], [spec.image_id])
        self.assertFalse(private.directory.exists())


if __name__ == "__main__":
    unittest.main()
