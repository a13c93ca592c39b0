"""Integration tests of `docker-gc snapshot` and `df --from`.

A snapshot (dgc.snapshot/v1) holds raw Engine API bodies. These tests check
what `snapshot -o` writes against the engine, that a snapshot assembled by
hand from the engine's own bodies gives the same df as the live engine, and
that broken snapshot files fail cleanly with a message naming the file.
Scenario: shared_layers_scenario (see dgc_fixtures/scenarios.py).
"""

import json
import re
import tempfile
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import crash_signs, run_dgc, run_json
from dgc_fixtures.scenarios import shared_layers_scenario
from dgc_fixtures.testcase import EngineTestCase

CLOCK_SLACK = timedelta(minutes=10)


def parse_rfc3339_utc(text):
    """Parses "2026-11-25T22:40:00Z" (optionally with fractional seconds)."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", text)
    if not match:
        raise ValueError(f"not RFC 3339 UTC: {text!r}")
    return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)


def hand_made_snapshot(engine):
    """A dgc.snapshot/v1 document built from raw engine bodies, as a user
    would build one with curl."""
    images = engine.images()
    details = {}
    for image in images:
        quoted = urllib.parse.quote(image["Id"])
        details[image["Id"]] = {"inspect": engine.get_json(f"/images/{quoted}/json"),
                                "history": engine.get_json(f"/images/{quoted}/history")}
    return {"schema": "dgc.snapshot/v1",
            "captured_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "host": engine.host,
            "version": engine.get_json("/version"),
            "images": images,
            "containers": engine.get_json("/containers/json?all=1"),
            "image_details": details,
            "system_df": engine.get_json("/system/df")}


def comparable(usage):
    """The parts of a df document that must not depend on where the data
    came from."""
    return {"totals": usage["totals"],
            "images": sorted(usage["images"], key=lambda image: image["id"]),
            "repositories": sorted(usage["repositories"], key=lambda entry: entry["name"])}


class SnapshotTest(EngineTestCase):
    """`snapshot -o` on a live engine, and df over snapshots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.install_scenario(shared_layers_scenario())
        cls.directory = tempfile.TemporaryDirectory(prefix="dgc-snapshot-")
        cls.path = Path(cls.directory.name) / "snapshot.json"
        cls.taken_at = datetime.now(timezone.utc)
        cls.result = run_dgc("-H", cls.host, "snapshot", "-o", str(cls.path))

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()
        super().tearDownClass()

    def snapshot(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        return json.loads(self.path.read_text())

    def write(self, name, document):
        path = Path(self.directory.name) / name
        path.write_text(json.dumps(document))
        return str(path)

    def test_snapshot_has_the_documented_fields(self):
        snapshot = self.snapshot()
        self.assertEqual(snapshot["schema"], "dgc.snapshot/v1")
        self.assertEqual(snapshot["host"], self.host)
        captured_at = parse_rfc3339_utc(snapshot["captured_at"])
        self.assertLess(abs(captured_at - self.taken_at), CLOCK_SLACK)
        self.assertIsInstance(snapshot["images"], list)
        self.assertIsInstance(snapshot["containers"], list)
        self.assertIsInstance(snapshot["image_details"], dict)

    def test_version_is_the_engine_version_body(self):
        version = self.engine.version()
        recorded = self.snapshot()["version"]
        self.assertEqual(recorded["ApiVersion"], version["ApiVersion"])
        self.assertEqual(recorded["Version"], version["Version"])

    def test_lists_every_image_and_container(self):
        snapshot = self.snapshot()
        self.assertEqual(sorted(image["Id"] for image in snapshot["images"]),
                         sorted(image["Id"] for image in self.engine.images()))
        self.assertEqual(sorted(container["Id"] for container in snapshot["containers"]),
                         sorted(container["Id"] for container in self.engine.containers()))

    def test_image_details_has_inspect_and_history_of_every_image(self):
        details = self.snapshot()["image_details"]
        self.assertEqual(set(details), {image["Id"] for image in self.engine.images()})
        for image_id, detail in details.items():
            with self.subTest(image=image_id):
                self.assertEqual(detail["inspect"]["Id"], image_id)
                self.assertEqual(detail["inspect"]["RootFS"]["Layers"],
                                 self.engine.image_inspect(image_id)["RootFS"]["Layers"])
                self.assertEqual([entry["Size"] for entry in detail["history"]],
                                 [entry["Size"] for entry in self.engine.image_history(image_id)])

    def test_hand_made_snapshot_gives_the_same_df(self):
        self.snapshot()
        hand_made = self.write("hand-made.json", hand_made_snapshot(self.engine))
        from_hand_made = run_json("df", "--from", hand_made, "--format", "json")
        from_product = run_json("df", "--from", str(self.path), "--format", "json")
        live = run_json("-H", self.host, "df", "--format", "json")
        self.assertEqual(comparable(from_hand_made), comparable(live))
        self.assertEqual(comparable(from_product), comparable(live))


class BrokenSnapshotTest(EngineTestCase):
    """Snapshot files df must refuse: exit 1, `Error:` naming the file."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.install_scenario(shared_layers_scenario())
        cls.good = hand_made_snapshot(cls.engine)
        cls.directory = tempfile.TemporaryDirectory(prefix="dgc-broken-snapshot-")

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()
        super().tearDownClass()

    def assert_refused_naming(self, path):
        result = run_dgc("df", "--from", path, "--format", "json")
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertRegex(result.stderr, r"(?m)^Error: ")
        self.assertIn(path, result.stderr)

    def write_text(self, name, text):
        path = Path(self.directory.name) / name
        path.write_text(text)
        return str(path)

    def test_good_snapshot_is_accepted(self):
        path = self.write_text("good.json", json.dumps(self.good))
        self.assertEqual(run_json("df", "--from", path, "--format", "json")["schema"],
                         "dgc.df/v1")

    def test_missing_image_details_is_refused(self):
        broken = json.loads(json.dumps(self.good))
        del broken["image_details"][self.scenario.image_id("web")]
        self.assert_refused_naming(self.write_text("missing-details.json", json.dumps(broken)))

    def test_garbage_is_refused(self):
        self.assert_refused_naming(self.write_text("garbage.json", "{\"schema\": \x00\x01 nope"))

    def test_nonexistent_file_is_refused(self):
        self.assert_refused_naming(str(Path(self.directory.name) / "no-such-snapshot.json"))


if __name__ == "__main__":
    unittest.main()
