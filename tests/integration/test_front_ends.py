"""The plugin and the C API are one orchestration: for the same inputs,
every docker-gc command and its C API counterpart (tests/capi/capi_cli.c,
written against dgc.h alone) give identical documents, warnings and
refusals, from a snapshot and from the real engine.

Needs DGC_BIN (docker-gc) and DGC_CAPI_CLI (capi_cli); ctest sets both.
"""

import json
import os
import subprocess
import tempfile
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.docker_cli import clean_environment
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.scenarios import (bulk_scenario, incident_policy,
                                    incident_scenario)
from dgc_fixtures.testcase import EngineTestCase

EXAMPLES = Path(__file__).resolve().parents[2] / "packaging" / "examples"
SNAPSHOT = EXAMPLES / "snapshot.json"
POLICY = EXAMPLES / "gc.json"
NOWHERE = "unix:///nonexistent/docker.sock"


def run_capi(*args):
    """Runs capi_cli ARGS with a clean environment and an empty docker
    config, as run_dgc runs the plugin; returns the CompletedProcess."""
    path = os.environ.get("DGC_CAPI_CLI", "")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(f"DGC_CAPI_CLI must name the built capi_cli (got {path!r})")
    with tempfile.TemporaryDirectory(prefix="dgc-config-") as config_dir:
        return subprocess.run([path, *args], capture_output=True, text=True,
                              env=clean_environment(DOCKER_CONFIG=config_dir),
                              timeout=300)


def capi_json(*args):
    result = run_capi(*args)
    if result.returncode != 0:
        raise AssertionError(f"capi_cli {' '.join(args)} exited {result.returncode}: "
                             f"{result.stderr.strip()}")
    return json.loads(result.stdout)


def unix_seconds(moment):
    return str(int(moment.timestamp()))


def without_capture_time(document):
    """A document without the time a live read happened, nor the data
    disk's usage then (the filesystem's usage moves on its own)."""
    return {key: value for key, value in document.items()
            if key not in ("captured_at", "disk")}


class FrontEndCase(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-front-ends-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, name, document):
        path = self.directory / name
        path.write_text(json.dumps(document))
        return str(path)

    def assert_same_refusal(self, plugin_args, capi_args, code_name):
        """Both front ends fail, with the same message; the C API's carries
        the code's name."""
        plugin = run_dgc(*plugin_args)
        capi = run_capi(*capi_args)
        self.assertEqual(plugin.returncode, 1, plugin.stderr)
        self.assertEqual(capi.returncode, 1, capi.stderr)
        self.assertTrue(plugin.stderr.startswith("Error: "), plugin.stderr)
        message = plugin.stderr[len("Error: "):].strip()
        self.assertEqual(capi.stderr.strip(), f"{code_name}: {message}")
        self.assertEqual(plugin.stdout, "")
        self.assertEqual(capi.stdout, "")
        return message


class SnapshotFrontEndsTest(FrontEndCase):
    """From a snapshot file: no engine involved."""

    def test_df_is_identical(self):
        self.assertEqual(
            capi_json("df", "--from", str(SNAPSHOT)),
            run_json("df", "--from", str(SNAPSHOT), "--format", "json"))

    def test_df_with_a_policy_is_identical(self):
        at = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)
        plugin = run_json("df", "--from", str(SNAPSHOT), "-p", str(POLICY),
                          "--now", rfc3339(at), "--format", "json")
        capi = capi_json("df", "--from", str(SNAPSHOT), "--policy", str(POLICY),
                         "--now", unix_seconds(at))
        self.assertEqual(capi, plugin)
        self.assertEqual(plugin["policy"]["reclaimable_bytes"]["total"],
                         run_json("plan", "--from", str(SNAPSHOT), "-p", str(POLICY),
                                  "--now", rfc3339(at), "--format",
                                  "json")["summary"]["reclaimable_bytes"])

    def test_a_percentage_threshold_needs_the_engines_disk_alike(self):
        policy = json.loads(POLICY.read_text())
        policy["threshold"] = {"high": "85%", "low": "65%"}
        path = self.write("percent.json", policy)
        message = self.assert_same_refusal(
            ("plan", "--from", str(SNAPSHOT), "-p", path),
            ("plan", "--from", str(SNAPSHOT), "--policy", path), "DGC_EPRECONDITION")
        self.assertIn("use sizes of Docker's own usage instead", message)

    def test_plan_is_identical_with_the_default_clock(self):
        plugin = run_json("plan", "--from", str(SNAPSHOT), "-p", str(POLICY),
                          "--format", "json")
        self.assertEqual(capi_json("plan", "--from", str(SNAPSHOT),
                                   "--policy", str(POLICY)), plugin)
        # The default clock of a snapshot is its capture time.
        captured_at = json.loads(SNAPSHOT.read_text())["captured_at"]
        self.assertEqual(plugin["now"], captured_at)

    def test_plan_is_identical_at_a_given_time(self):
        at = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)
        plugin = run_json("plan", "--from", str(SNAPSHOT), "-p", str(POLICY),
                          "--now", rfc3339(at), "--format", "json")
        capi = capi_json("plan", "--from", str(SNAPSHOT), "--policy", str(POLICY),
                         "--now", unix_seconds(at))
        self.assertEqual(capi, plugin)
        self.assertEqual(plugin["now"], rfc3339(at))

    def test_a_layers_size_mismatch_is_the_same_warning_in_every_document(self):
        snapshot = json.loads(SNAPSHOT.read_text())
        snapshot["system_df"]["LayersSize"] += 1
        path = self.write("mismatch.json", snapshot)
        for plugin_args, capi_args in (
                (("df", "--from", path), ("df", "--from", path)),
                (("plan", "--from", path, "-p", str(POLICY)),
                 ("plan", "--from", path, "--policy", str(POLICY)))):
            with self.subTest(command=plugin_args[0]):
                plugin = run_dgc(*plugin_args, "--format", "json")
                self.assertEqual(plugin.returncode, 0, plugin.stderr)
                document = json.loads(plugin.stdout)
                self.assertEqual(capi_json(*capi_args), document)
                mismatch = [warning for warning in document["warnings"]
                            if "bytes of layers" in warning]
                self.assertEqual(len(mismatch), 1, document["warnings"])
                self.assertIn(str(snapshot["system_df"]["LayersSize"]), mismatch[0])
                # The plugin shows the same warning on stderr.
                self.assertIn(f"WARNING: {mismatch[0]}", plugin.stderr)

    def test_the_containerd_store_without_its_content_gives_the_same_bounds(self):
        snapshot = json.loads(SNAPSHOT.read_text())
        snapshot["info"]["DriverStatus"] = [
            ["driver-type", "io.containerd.snapshotter.v1"]]
        path = self.write("containerd.json", snapshot)
        for plugin_args, capi_args in (
                (("df", "--from", path), ("df", "--from", path)),
                (("plan", "--from", path, "-p", str(POLICY)),
                 ("plan", "--from", path, "--policy", str(POLICY)))):
            with self.subTest(command=plugin_args[0]):
                document = run_json(*plugin_args, "--format", "json")
                self.assertEqual(capi_json(*capi_args), document)
                self.assertEqual(document["engine"]["image_store"], "containerd")
                # No content blobs in the snapshot: bounds, never exact.
                exact = document["exact"] if plugin_args[0] == "df" \
                    else document["summary"]["exact"]
                self.assertFalse(exact)

    def test_a_missing_policy_file_is_refused_alike(self):
        missing = str(self.directory / "absent.json")
        message = self.assert_same_refusal(
            ("plan", "--from", str(SNAPSHOT), "-p", missing),
            ("plan", "--from", str(SNAPSHOT), "--policy", missing), "DGC_ENOTFOUND")
        self.assertEqual(message, f"file not found: {missing}")

    def test_a_missing_snapshot_file_is_refused_alike(self):
        missing = str(self.directory / "absent-snapshot.json")
        message = self.assert_same_refusal(("df", "--from", missing),
                                           ("df", "--from", missing), "DGC_ENOTFOUND")
        self.assertEqual(message, f"file not found: {missing}")

    def test_an_invalid_policy_is_refused_alike(self):
        path = self.write("bad.json", {"rules": [{"match": "x", "keep_newest": "two"}]})
        message = self.assert_same_refusal(
            ("plan", "--from", str(SNAPSHOT), "-p", path),
            ("plan", "--from", str(SNAPSHOT), "--policy", path), "DGC_EINVALID")
        self.assertIn(path, message)
        self.assertIn("keep_newest", message)

    def test_an_unreachable_engine_is_refused_alike(self):
        for command in ("df", "plan"):
            with self.subTest(command=command):
                message = self.assert_same_refusal(
                    ("-H", NOWHERE, command), (command, "--host", NOWHERE),
                    "DGC_EUNAVAILABLE")
                self.assertIn(NOWHERE, message)


class LiveFrontEndsTest(EngineTestCase, FrontEndCase):
    """From the real engine, read-only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.install_scenario(incident_scenario(cls.now))

    def test_df_is_identical(self):
        plugin = run_json("-H", self.host, "df", "--format", "json")
        capi = capi_json("df", "--host", self.host)
        self.assertEqual(without_capture_time(capi), without_capture_time(plugin))
        self.assertEqual(plugin["totals"]["layers_bytes"], self.engine.layers_size())
        self.assertEqual(plugin["warnings"], [])

    def test_plan_is_identical(self):
        policy = self.write("gc.json", incident_policy())
        at = self.now + timedelta(minutes=1)
        plugin = run_json("-H", self.host, "plan", "-p", policy, "--now", rfc3339(at),
                          "--format", "json")
        capi = capi_json("plan", "--host", self.host, "--policy", policy,
                         "--now", unix_seconds(at))
        self.assertEqual(capi, plugin)
        self.assertGreater(plugin["summary"]["reclaimable_bytes"], 0)

    def test_the_default_clock_is_the_time_of_the_read(self):
        policy = self.write("gc.json", incident_policy())
        before = datetime.now(timezone.utc).replace(microsecond=0)
        plugin = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        capi = capi_json("plan", "--host", self.host, "--policy", policy)
        after = datetime.now(timezone.utc) + timedelta(seconds=1)
        for document in (plugin, capi):
            now = datetime.fromisoformat(document["now"].replace("Z", "+00:00"))
            self.assertTrue(before <= now <= after, document["now"])
        self.assertEqual({**capi, "now": None}, {**plugin, "now": None})


class ApplyFrontEndsTest(EngineTestCase, FrontEndCase):
    """`apply` through both front ends, on the same scenario installed
    afresh for each: the same report, the same engine afterwards."""

    def setUp(self):
        super().setUp()
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.policy = self.write("gc.json", incident_policy())

    def install(self):
        scenario = self.install_scenario(incident_scenario(self.now))
        plan = run_json("-H", self.host, "plan", "-p", self.policy, "--format", "json",
                        "--now", rfc3339(self.now + timedelta(minutes=1)))
        return scenario, plan

    def engine_state(self):
        return (sorted((image["Id"], sorted(image["RepoTags"] or []))
                       for image in self.engine.images()),
                self.engine.layers_size())

    def test_a_saved_plan_gives_the_same_report_and_the_same_engine(self):
        _, plan = self.install()
        saved = self.write("plan.json", plan)
        plugin = run_json("-H", self.host, "apply", "--yes", "--format", "json",
                          "--plan", saved)
        plugin_state = self.engine_state()
        self.install()
        capi = capi_json("apply", "--host", self.host, "--plan", saved)
        self.assertEqual(capi, plugin)
        self.assertEqual(self.engine_state(), plugin_state)
        self.assertEqual(plugin["summary"]["failed"], 0)
        self.assertEqual(plugin["summary"]["freed_bytes"],
                         plan["summary"]["reclaimable_bytes"])

    def test_the_callback_sees_each_result_and_can_cancel(self):
        scenario = self.install_scenario(bulk_scenario(self.now, 4, prefix="cancel"))
        policy = self.write("cancel.json", {"rules": [
            {"match": "cancel-*", "older_than": "1d"}]})
        plan = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        self.assertEqual(len(plan["actions"]), 4)
        result = run_capi("apply", "--host", self.host, "--plan",
                          self.write("plan.json", plan), "--cancel-after", "2")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        summary = report["summary"]
        self.assertEqual((summary["done"], summary["skipped"], summary["failed"]),
                         (2, 2, 0))
        self.assertEqual(summary["stopped"], "cancelled by the caller")
        for skipped in report["results"][2:]:
            self.assertEqual(skipped["status"], "skipped")
            self.assertIn("not run", skipped["detail"])
        # The callback saw every result, in order, as the report has them:
        # the two that ran and the two that did not.
        lines = [line for line in result.stderr.splitlines()
                 if line.startswith("result ")]
        self.assertEqual([json.loads(line.split(": ", 1)[1]) for line in lines],
                         report["results"])
        self.assertEqual([line.split(":", 1)[0] for line in lines],
                         [f"result {n}/4" for n in range(1, 5)])
        # Exactly the two done images are gone.
        left = {image["Id"] for image in self.engine.images()}
        done = {result["image"] for result in report["results"][:2]}
        self.assertEqual(left & done, set())
        bulk = {scenario.image_id(role) for role in scenario.images
                if role.startswith("bulk:")}
        self.assertEqual(len(left & bulk), 2)

    def test_a_plan_for_another_engine_is_refused_alike(self):
        _, plan = self.install()
        plan["engine"]["id"] = "ANOTHER:ENGINE:ID"
        saved = self.write("other.json", plan)
        before = self.engine_state()
        message = self.assert_same_refusal(
            ("-H", self.host, "apply", "--yes", "--plan", saved),
            ("apply", "--host", self.host, "--plan", saved), "DGC_EPRECONDITION")
        self.assertIn("ANOTHER:ENGINE:ID", message)
        self.assertEqual(self.engine_state(), before)


if __name__ == "__main__":
    unittest.main()
